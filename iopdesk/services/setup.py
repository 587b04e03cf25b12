"""First run: a database without a practice gets one, with its settings and its administrator.

Nothing else is created: a real practice never gets default accounts (DESIGN §6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import datetime

from sqlalchemy import select

from iopdesk.db.models import Practice, StaffRole, StaffUser
from iopdesk.domain.accounts import (NewUserInput, PracticeInput, PracticeSettings,
                                     check_new_user, check_password, check_practice)
from iopdesk.domain.enums import Role
from iopdesk.domain.errors import Conflict, ValidationError
from iopdesk.services.accounts import hash_password
from iopdesk.services.context import Actor, ServiceContext
from iopdesk.services.stored_settings import SETTING_KEYS, store_settings
from iopdesk.services.staff import actor_of, current_time
from iopdesk.services.users import username_taken


def _already_set_up(name: str) -> Conflict:
    return Conflict(f"This database already holds the practice “{name}”: the first-run setup "
                    "was done. Log in as one of its administrators instead.")


def check_setup(practice: PracticeInput, admin: NewUserInput,
                admin_password: str | None) -> tuple[PracticeInput, NewUserInput]:
    """The cleaned practice and administrator (ADMIN added to the roles), or one
    ValidationError naming every bad field; `admin_password=None` leaves the password out."""
    errors: dict[str, str] = {}
    try:
        practice = check_practice(practice)
    except ValidationError as refused:
        errors.update(refused.fields)
    admin = replace(admin, roles=frozenset(admin.roles) | {Role.ADMIN})
    try:
        admin = check_new_user(admin)
    except ValidationError as refused:
        errors.update(refused.fields)
    if admin.needs_cosign:
        errors["needs_cosign"] = ("The first administrator's work cannot need co-signature: "
                                  "there is no supervisor yet")
    elif admin.supervisor_id is not None:
        errors["supervisor_id"] = "There are no other users yet to be the supervisor"
    if admin_password is not None:
        try:
            check_password(admin_password, PracticeSettings().password_min_length,
                           field="admin_password", username=admin.username)
        except ValidationError as refused:
            errors.update(refused.fields)
    if errors:
        raise ValidationError(errors)
    return practice, admin


class SetupService:
    def __init__(self, ctx: ServiceContext, *, now: Callable[[], datetime] | None = None):
        self._ctx = ctx
        self._now = now or current_time

    def _practice_name(self) -> str | None:
        with self._ctx.session_factory() as session:
            return session.scalar(select(Practice.name).order_by(Practice.id).limit(1))

    def needs_setup(self) -> bool:
        """True while the database holds no practice (the first-run wizard's question)."""
        return self._practice_name() is None

    def initialize(self, practice: PracticeInput, admin: NewUserInput,
                   admin_password: str) -> Actor:
        """Create the practice, its default settings and its first administrator, who is
        logged in by it (the returned Actor). Every bad field is named at once."""
        practice, admin = check_setup(practice, admin, admin_password)
        if (existing := self._practice_name()) is not None:
            raise _already_set_up(existing)
        password_hash = hash_password(admin_password)
        at = self._now()
        with self._ctx.unit_of_work() as session:
            existing = session.scalar(select(Practice.name).order_by(Practice.id).limit(1))
            if existing is not None:        # another workstation finished first
                raise _already_set_up(existing)
            if username_taken(session, admin.username):
                raise ValidationError({"username": f"The user name “{admin.username}” is taken"})
            row = Practice(**asdict(practice), is_demo=False)
            session.add(row)
            store_settings(session, PracticeSettings(), only_missing=True)
            user = StaffUser(username=admin.username, display_name=admin.display_name,
                             credentials=admin.credentials, email=admin.email,
                             password_hash=password_hash, active=True, needs_cosign=False,
                             must_change_password=False, failed_logins=0, last_login_at=at)
            user.roles = [StaffRole(role=role) for role in sorted(admin.roles)]
            session.add(user)
            session.flush()
            actor = actor_of(self._ctx, user)
            self._ctx.audit(session, actor, "setup.initialize", entity="practices",
                            entity_id=row.id,
                            detail={"practice": row.name, "admin": user.username,
                                    "admin_id": user.id, "settings": sorted(SETTING_KEYS)})
            self._ctx.audit(session, actor, "login", entity="staff_users", entity_id=user.id,
                            detail={"via": "setup"})
            return actor
