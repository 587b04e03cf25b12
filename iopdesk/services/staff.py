"""Staff: log-in (with lockout), the idle-lock password check, and the staff list."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from iopdesk.db.base import utcnow
from iopdesk.db.models import Practice, ProgramTrack, StaffUser
from iopdesk.domain.enums import AuditOutcome, Role
from iopdesk.domain.accounts import PASSWORD_MAX, PracticeSettings
from iopdesk.domain.errors import AccountLocked, AuthenticationFailed, ValidationError
from iopdesk.domain.readmodels import StaffMember, Track
from iopdesk.domain.time import practice_time
from iopdesk.services.accounts import hash_password, needs_rehash
from iopdesk.services.accounts import verify_password as password_matches
from iopdesk.services.changes import saving
from iopdesk.services.context import Actor, ServiceContext
from iopdesk.services.permissions import Permission, requires
from iopdesk.services.stored_settings import load_settings

GENERIC_REFUSAL = "Unknown user name or wrong password"


def current_time() -> datetime:
    """The time of log-in checks; tests move it by patching `utcnow` in this module."""
    return utcnow()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verifying against this keeps a wrong user name as slow as a wrong password."""
    return hash_password("not anybody's password")


def lock_remaining(row: StaffUser, at: datetime) -> datetime | None:
    """When the account's lockout ends, or None when it is not locked at `at`."""
    return row.locked_until if row.locked_until is not None and row.locked_until > at else None


def staff_view(row: StaffUser, at: datetime | None = None, *,
               account: bool = True) -> StaffMember:
    """The read model of a user; `account=False` (the staff list every role sees) leaves out
    the account's state: temporary password, lockout and last log-in."""
    return StaffMember(id=row.id, username=row.username, display_name=row.display_name,
                       credentials=row.credentials, roles=frozenset(r.role for r in row.roles),
                       active=row.active, needs_cosign=row.needs_cosign,
                       supervisor_id=row.supervisor_id,
                       must_change_password=account and row.must_change_password,
                       locked_until=lock_remaining(row, at or current_time()) if account
                       else None,
                       email=row.email, last_login_at=row.last_login_at if account else None,
                       version=row.version)


def account_of(row: StaffUser) -> str:
    """How a stale-save refusal names an account."""
    return f"The account of {row.display_name}"


def actor_of(ctx: ServiceContext, row: StaffUser) -> Actor:
    """The Actor `ctx` issues for the account `row`; only once its password was checked."""
    return ctx.issue_actor(user_id=row.id, username=row.username,
                           display_name=row.display_name,
                           roles=frozenset(r.role for r in row.roles),
                           must_change_password=row.must_change_password)


def find_user(session: Session, username: str) -> StaffUser | None:
    name = username.strip().lower()
    if "\x00" in name:         # no user name holds a NUL (and PostgreSQL refuses it in a query)
        return None
    return session.scalar(select(StaffUser).where(func.lower(StaffUser.username) == name))


def typed_name(username: str) -> str:
    """A typed user name as the audit trail keeps it: at most 64 characters, a NUL shown as
    U+FFFD (PostgreSQL's text holds no NUL)."""
    return username.replace("\x00", "\ufffd")[:64]


def locked_message(row: StaffUser, until: datetime, at: datetime, zone: str) -> str:
    minutes = max(1, math.ceil((until - at).total_seconds() / 60))
    local = practice_time(until, zone)
    return (f"Too many failed log-ins: the account “{row.username}” is locked for "
            f"{minutes} more minute{'s' if minutes != 1 else ''} (until {local:%H:%M}). "
            "An administrator can unlock it sooner by resetting the password.")


def check_attempt(password: str, field: str = "password") -> None:
    """Refuse what cannot be anybody's password before any work: nothing is counted."""
    if password == "":
        raise ValidationError({field: "Enter your password"})
    if len(password) > PASSWORD_MAX:
        raise ValidationError({field: f"A password is at most {PASSWORD_MAX} characters; "
                                      f"this one has {len(password):,}"})


def attempt_password(ctx: ServiceContext, session: Session, row: StaffUser, password: str,
                     policy: PracticeSettings, at: datetime, *, action: str,
                     actor: Actor | None = None,
                     checked: tuple[str, bool] | None = None) -> AuthenticationFailed | None:
    """Check `password` for an active account and keep the lockout count: None when it is
    right, else the error to raise once the transaction has committed.

    `checked` is (hash, matched) from a verification done before the transaction began, so
    argon2's tens of milliseconds do not hold the database's write lock; it is used only if
    the stored hash is still that one.

    A locked account refuses every password (it is not even verified). A failure is audited
    as `action` with outcome FAILED; the one that reaches the practice's threshold locks the
    account for `lockout_minutes` and writes "login.locked" too.
    """
    where = {"entity": "staff_users", "entity_id": row.id, "username": row.username}
    until = lock_remaining(row, at)
    if until is not None:
        ctx.audit(session, actor, action, outcome=AuditOutcome.FAILED,
                  detail={"reason": "locked", "locked_until": until.isoformat()}, **where)
        return AccountLocked(locked_message(row, until, at, policy.time_zone), until)
    if row.locked_until is not None:           # an expired lockout: a new count begins
        row.locked_until = None
        row.failed_logins = 0
    if checked is not None and checked[0] == row.password_hash:
        matched = checked[1]
    else:
        matched = password_matches(row.password_hash, password)
    if matched:
        row.failed_logins = 0
        return None
    row.failed_logins += 1
    ctx.audit(session, actor, action, outcome=AuditOutcome.FAILED,
              detail={"reason": "wrong password", "failures": row.failed_logins}, **where)
    if row.failed_logins < policy.lockout_threshold:
        return AuthenticationFailed(GENERIC_REFUSAL)
    row.locked_until = at + timedelta(minutes=policy.lockout_minutes)
    ctx.audit(session, actor, "login.locked", outcome=AuditOutcome.FAILED,
              detail={"failures": row.failed_logins, "minutes": policy.lockout_minutes,
                      "locked_until": row.locked_until.isoformat(), "during": action}, **where)
    return AccountLocked(locked_message(row, row.locked_until, at, policy.time_zone),
                         row.locked_until)


class StaffService:
    def __init__(self, ctx: ServiceContext, *, now: Callable[[], datetime] | None = None):
        self._ctx = ctx
        self._now = now or current_time

    def log_in(self, username: str, password: str) -> Actor:
        """The Actor for a correct user name and password; every attempt is audited.

        After `lockout_threshold` consecutive failures the account refuses every password,
        the right one too, for `lockout_minutes` (AccountLocked says until when). A disabled
        account is refused with the same message as a wrong password.
        """
        name = username.strip()
        if not name:
            raise ValidationError({"username": "Enter your user name"})
        check_attempt(password)
        at = self._now()
        checked = self._verify_outside_transaction(lambda s: find_user(s, name), password)
        with self._ctx.unit_of_work() as session:
            policy = load_settings(session)
            row = find_user(session, name)
            if row is None:
                self._ctx.audit(session, None, "login", outcome=AuditOutcome.FAILED,
                                username=typed_name(name), detail={"reason": "unknown user"})
                refusal: AuthenticationFailed | None = AuthenticationFailed(GENERIC_REFUSAL)
            elif not row.active:
                self._ctx.audit(session, None, "login", outcome=AuditOutcome.FAILED,
                                username=row.username, detail={"reason": "disabled"})
                refusal = AuthenticationFailed(GENERIC_REFUSAL)
            else:
                actor = actor_of(self._ctx, row)
                with saving(session, row, account_of(row)):   # the lockout count, the time
                    refusal = attempt_password(self._ctx, session, row, password, policy, at,
                                               action="login", checked=checked)
                    if refusal is None:
                        if needs_rehash(row.password_hash):
                            row.password_hash = hash_password(password)
                        row.last_login_at = at
                        self._ctx.audit(session, actor, "login")
        if refusal is not None:
            raise refusal
        return actor

    def _verify_outside_transaction(self, find: Callable[[Session], StaffUser | None],
                                    password: str) -> tuple[str, bool] | None:
        """(stored hash, matched), checked in a read-only session that holds no write lock;
        an unknown or disabled user costs the same time (a dummy hash) and gives None."""
        with self._ctx.session_factory() as session:
            row = find(session)
            stored = row.password_hash if row is not None and row.active else None
        if stored is None:
            password_matches(_dummy_hash(), password)
            return None
        return stored, password_matches(stored, password)

    @requires(Permission.VIEW_STAFF, "unlock")
    def verify_password(self, actor: Actor, password: str) -> bool:
        """The idle-lock screen's check: True for the user's password; audited, and failures
        count toward the lockout like failed log-ins (AccountLocked once locked)."""
        check_attempt(password)
        at = self._now()
        checked = self._verify_outside_transaction(
            lambda s: s.get(StaffUser, actor.user_id), password)
        with self._ctx.unit_of_work() as session:
            policy = load_settings(session)
            row = session.get(StaffUser, actor.user_id)
            if row is None or not row.active:
                self._ctx.audit(session, actor, "unlock", outcome=AuditOutcome.FAILED,
                                entity="staff_users", entity_id=actor.user_id,
                                detail={"reason": "disabled"})
                refusal: AuthenticationFailed | None = None
                ok = False
            else:
                with saving(session, row, account_of(row)):   # the lockout count
                    refusal = attempt_password(self._ctx, session, row, password, policy, at,
                                               action="unlock", actor=actor, checked=checked)
                    ok = refusal is None
                    if ok:
                        self._ctx.audit(session, actor, "unlock", entity="staff_users",
                                        entity_id=row.id)
        if isinstance(refusal, AccountLocked):
            raise refusal
        return ok

    @requires(Permission.VIEW_STAFF, "staff.list")
    def list_staff(self, actor: Actor, *, role: Role | None = None,
                   include_inactive: bool = False) -> tuple[StaffMember, ...]:
        at = self._now()
        with self._ctx.session_factory() as session:
            query = select(StaffUser).order_by(StaffUser.display_name)
            if not include_inactive:
                query = query.where(StaffUser.active.is_(True))
            rows = [staff_view(r, at, account=False) for r in session.scalars(query)]
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
