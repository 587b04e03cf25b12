"""Staff: log-in and the staff list."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import func, select

from iopdesk.db.base import utcnow
from iopdesk.db.models import Practice, ProgramTrack, StaffUser
from iopdesk.domain.enums import AuditOutcome, Role
from iopdesk.domain.errors import AuthenticationFailed
from iopdesk.domain.readmodels import StaffMember, Track
from iopdesk.services.accounts import hash_password, needs_rehash, verify_password
from iopdesk.services.context import Actor, ServiceContext
from iopdesk.services.permissions import Permission, requires

_MAX_PASSWORD = 1024


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verifying against this keeps a wrong user name as slow as a wrong password."""
    return hash_password("not anybody's password")


def staff_view(row: StaffUser) -> StaffMember:
    return StaffMember(id=row.id, username=row.username, display_name=row.display_name,
                       credentials=row.credentials, roles=frozenset(r.role for r in row.roles),
                       active=row.active, needs_cosign=row.needs_cosign,
                       supervisor_id=row.supervisor_id)


class StaffService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    def log_in(self, username: str, password: str) -> Actor:
        """The Actor for a correct user name and password; every attempt is audited."""
        name = username.strip()
        with self._ctx.unit_of_work() as session:
            row = session.scalar(select(StaffUser)
                                 .where(func.lower(StaffUser.username) == name.lower()))
            ok = False
            if len(password) <= _MAX_PASSWORD:
                if row is None:
                    verify_password(_dummy_hash(), password)
                else:
                    ok = row.active and verify_password(row.password_hash, password)
            if not ok:
                self._ctx.audit(session, None, "login", outcome=AuditOutcome.FAILED,
                                username=name[:64] or "-",
                                detail={"reason": "disabled" if row is not None and not row.active
                                        else "bad credentials"})
                if row is not None:
                    row.failed_logins += 1
        if not ok:
            raise AuthenticationFailed("Unknown user name or wrong password")
        with self._ctx.unit_of_work() as session:
            row = session.get(StaffUser, row.id)
            if needs_rehash(row.password_hash):
                row.password_hash = hash_password(password)
            row.failed_logins = 0
            row.last_login_at = utcnow()
            actor = Actor(user_id=row.id, username=row.username, display_name=row.display_name,
                          roles=frozenset(r.role for r in row.roles),
                          workstation=self._ctx.workstation)
            self._ctx.audit(session, actor, "login")
            return actor

    @requires(Permission.VIEW_STAFF, "staff.list")
    def list_staff(self, actor: Actor, *, role: Role | None = None,
                   include_inactive: bool = False) -> tuple[StaffMember, ...]:
        with self._ctx.session_factory() as session:
            query = select(StaffUser).order_by(StaffUser.display_name)
            if not include_inactive:
                query = query.where(StaffUser.active.is_(True))
            rows = [staff_view(r) for r in session.scalars(query)]
        return tuple(r for r in rows if role is None or role in r.roles)

    @requires(Permission.VIEW_STAFF, "practice.tracks")
    def tracks(self, actor: Actor) -> tuple[Track, ...]:
        with self._ctx.session_factory() as session:
            rows = session.scalars(select(ProgramTrack).where(ProgramTrack.active.is_(True))
                                   .order_by(ProgramTrack.name))
            return tuple(Track(id=r.id, name=r.name, level_of_care=r.level_of_care,
                               age_group=r.age_group, focus=r.focus,
                               min_hours_per_week=r.min_minutes_per_week / 60,
                               review_interval_days=r.review_interval_days) for r in rows)

    def practice_name(self) -> str | None:
        """The practice's name for the log-in screen (no participant data), or None."""
        with self._ctx.session_factory() as session:
            return session.scalar(select(Practice.name).order_by(Practice.id).limit(1))

    def is_demo(self) -> bool:
        with self._ctx.session_factory() as session:
            return bool(session.scalar(select(Practice.is_demo).order_by(Practice.id).limit(1)))
