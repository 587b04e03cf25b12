"""User accounts and their roles, managed by an administrator; one's own password change.

Accounts are never deleted (the audit trail and signed records name them): they are
disabled. The practice always keeps at least one active administrator. Passwords and their
hashes never reach the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from iopdesk.db.base import utcnow
from iopdesk.db.models import StaffRole, StaffUser
from iopdesk.domain.accounts import (NewUserInput, PracticeSettings, UserChanges,
                                     check_new_user, check_password, check_user_changes)
from iopdesk.domain.enums import AuditOutcome, Role
from iopdesk.domain.errors import (AccountLocked, AuthenticationFailed, Conflict,
                                   ValidationError)
from iopdesk.domain.readmodels import StaffMember
from iopdesk.domain.text import clean_text, text_problem
from iopdesk.services.accounts import hash_password
from iopdesk.services.changes import saving
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.permissions import Permission, requires
from iopdesk.services.stored_settings import load_settings
from iopdesk.services.staff import (account_of, attempt_password, check_attempt, current_time,
                                    find_user, staff_view)

REASON_MAX = 200


def roles_of(row: StaffUser) -> frozenset[Role]:
    return frozenset(r.role for r in row.roles)


def username_taken(session: Session, username: str) -> bool:
    return find_user(session, username) is not None


def check_supervisor(session: Session, supervisor_id: int | None,
                     own_id: int | None = None) -> None:
    """The supervisor named for a user must be another active user with the supervisor role."""
    if supervisor_id is None:
        return
    if supervisor_id == own_id:
        raise ValidationError({"supervisor_id": "A user cannot be their own supervisor"})
    supervisor = session.get(StaffUser, supervisor_id)
    if supervisor is None or not supervisor.active:
        raise ValidationError({"supervisor_id": "The supervisor must be an active user"})
    if Role.SUPERVISOR not in roles_of(supervisor):
        raise ValidationError({"supervisor_id": f"{supervisor.display_name} does not hold "
                                                "the supervisor role"})


def refuse_last_admin(session: Session, row: StaffUser, doing: str) -> None:
    others = session.scalar(
        select(func.count(StaffUser.id)).join(StaffRole, StaffRole.user_id == StaffUser.id)
        .where(StaffRole.role == Role.ADMIN, StaffUser.active.is_(True),
               StaffUser.id != row.id))
    if not others:
        raise Conflict(f"{row.display_name} is the practice's only active administrator: "
                       f"you cannot {doing}. Give another user the administrator role first.")


def refuse_orphaned_supervisees(session: Session, row: StaffUser, doing: str) -> None:
    names = list(session.scalars(
        select(StaffUser.display_name)
        .where(StaffUser.supervisor_id == row.id, StaffUser.active.is_(True),
               StaffUser.needs_cosign.is_(True))
        .order_by(StaffUser.display_name)))
    if names:
        raise Conflict(f"{row.display_name} co-signs the work of {', '.join(names)}: you "
                       f"cannot {doing} until they have another supervisor.")


class UserService:
    def __init__(self, ctx: ServiceContext, *, now: Callable[[], datetime] | None = None):
        self._ctx = ctx
        self._now = now or current_time

    def _policy(self) -> PracticeSettings:
        with self._ctx.session_factory() as session:
            return load_settings(session)

    @requires(Permission.MANAGE_USERS, "user.list")
    def list_users(self, actor: Actor, *,
                   include_disabled: bool = True) -> tuple[StaffMember, ...]:
        at = self._now()
        with self._ctx.session_factory() as session:
            query = select(StaffUser).order_by(StaffUser.display_name, StaffUser.id)
            if not include_disabled:
                query = query.where(StaffUser.active.is_(True))
            return tuple(staff_view(row, at) for row in session.scalars(query))

    @requires(Permission.MANAGE_USERS, "user.add")
    def add_user(self, actor: Actor, data: NewUserInput, password: str) -> StaffMember:
        """A new account; the password is temporary: it must be changed at the first log-in."""
        errors: dict[str, str] = {}
        try:
            data = check_new_user(data)
        except ValidationError as refused:
            errors.update(refused.fields)
        try:
            check_password(password, self._policy().password_min_length,
                           username=data.username)
        except ValidationError as refused:
            errors.update(refused.fields)
        if errors:
            raise ValidationError(errors)
        password_hash = hash_password(password)
        with self._ctx.unit_of_work() as session:
            if username_taken(session, data.username):
                raise ValidationError({"username": f"The user name “{data.username}” is taken "
                                                   "(user names ignore upper and lower case)"})
            check_supervisor(session, data.supervisor_id)
            row = StaffUser(username=data.username, display_name=data.display_name,
                            credentials=data.credentials, email=data.email,
                            password_hash=password_hash, active=True,
                            needs_cosign=data.needs_cosign, supervisor_id=data.supervisor_id,
                            must_change_password=True, failed_logins=0)
            row.roles = [StaffRole(role=role) for role in sorted(data.roles)]
            session.add(row)
            session.flush()
            self._ctx.audit(session, actor, "user.add", entity="staff_users", entity_id=row.id,
                            detail={"username": row.username, "roles": sorted(data.roles),
                                    "needs_cosign": row.needs_cosign,
                                    "supervisor_id": row.supervisor_id})
            return staff_view(row, self._now())

    @requires(Permission.MANAGE_USERS, "user.update")
    def update_user(self, actor: Actor, user_id: int, expected_version: int,
                    changes: UserChanges) -> StaffMember:
        changes = check_user_changes(changes)
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, StaffUser, user_id, "User")
            with saving(session, row, account_of(row), expected=expected_version):
                detail = self._apply(session, row, changes)
                if detail is not None:
                    self._ctx.audit(session, actor, "user.update", entity="staff_users",
                                    entity_id=row.id, detail=detail)
            return staff_view(row, self._now())

    def _apply(self, session: Session, row: StaffUser,
               changes: UserChanges) -> dict | None:
        """Make the checked changes to the account; their audit detail, None if none."""
        check_supervisor(session, changes.supervisor_id, row.id)
        before_roles = roles_of(row)
        removed = before_roles - changes.roles
        added = changes.roles - before_roles
        if Role.ADMIN in removed and row.active:
            refuse_last_admin(session, row, "remove the administrator role")
        if Role.SUPERVISOR in removed:
            refuse_orphaned_supervisees(session, row, "remove the supervisor role")
        scalar_fields = ("display_name", "credentials", "email", "needs_cosign",
                         "supervisor_id")
        changed = sorted(name for name in scalar_fields
                         if getattr(row, name) != getattr(changes, name))
        if not changed and not removed and not added:
            return None
        for name in changed:
            setattr(row, name, getattr(changes, name))
        for role_row in [r for r in row.roles if r.role in removed]:
            row.roles.remove(role_row)
        row.roles.extend(StaffRole(role=role) for role in sorted(added))
        row.updated_at = utcnow()        # a change of roles alone is a new version too
        return {"username": row.username, "fields": changed, "roles_added": sorted(added),
                "roles_removed": sorted(removed)}

    @requires(Permission.MANAGE_USERS, "user.disable")
    def disable_user(self, actor: Actor, user_id: int, reason: str = "") -> StaffMember:
        """The account can no longer log in; nothing it wrote changes (accounts are never
        deleted)."""
        if problem := text_problem(reason, "The reason"):
            raise ValidationError({"reason": problem})
        reason = clean_text(reason)
        if len(reason) > REASON_MAX:
            raise ValidationError({"reason": f"The reason is at most {REASON_MAX} characters"})
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, StaffUser, user_id, "User")
            if row.id == actor.user_id:
                raise Conflict("You cannot disable your own account; another administrator "
                               "can.")
            if not row.active:
                return staff_view(row, self._now())
            roles = roles_of(row)
            if Role.ADMIN in roles:
                refuse_last_admin(session, row, "disable this account")
            if Role.SUPERVISOR in roles:
                refuse_orphaned_supervisees(session, row, "disable this account")
            with saving(session, row, account_of(row)):
                row.active = False
                self._ctx.audit(session, actor, "user.disable", entity="staff_users",
                                entity_id=row.id,
                                detail={"username": row.username, "reason": reason})
            return staff_view(row, self._now())

    @requires(Permission.MANAGE_USERS, "user.enable")
    def enable_user(self, actor: Actor, user_id: int) -> StaffMember:
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, StaffUser, user_id, "User")
            if row.active:
                return staff_view(row, self._now())
            with saving(session, row, account_of(row)):
                row.active = True
                row.failed_logins = 0
                row.locked_until = None
                self._ctx.audit(session, actor, "user.enable", entity="staff_users",
                                entity_id=row.id, detail={"username": row.username})
            return staff_view(row, self._now())

    @requires(Permission.MANAGE_USERS, "user.reset_password")
    def reset_password(self, actor: Actor, user_id: int,
                       temporary_password: str) -> StaffMember:
        """Give the user a temporary password (changed at their next log-in); ends a lockout."""
        with self._ctx.session_factory() as session:
            username = get_or_404(session, StaffUser, user_id, "User").username
        check_password(temporary_password, self._policy().password_min_length,
                       field="temporary_password", username=username)
        password_hash = hash_password(temporary_password)
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, StaffUser, user_id, "User")
            with saving(session, row, account_of(row)):
                row.password_hash = password_hash
                row.must_change_password = True
                row.failed_logins = 0
                row.locked_until = None
                self._ctx.audit(session, actor, "user.reset_password", entity="staff_users",
                                entity_id=row.id, detail={"username": row.username})
            return staff_view(row, self._now())

    @requires(Permission.VIEW_STAFF, "password.change")
    def change_own_password(self, actor: Actor, current_password: str,
                            new_password: str) -> Actor:
        """Any user changes their own password (after a reset: before anything else).

        A wrong current password counts toward the lockout like a failed log-in.
        """
        check_attempt(current_password, "current_password")
        policy = self._policy()
        check_password(new_password, policy.password_min_length, field="new_password",
                       username=actor.username)
        if new_password == current_password:
            raise ValidationError({"new_password": "The new password must differ from the "
                                                   "current one"})
        password_hash = hash_password(new_password)
        at = self._now()
        with self._ctx.unit_of_work() as session:
            row = session.get(StaffUser, actor.user_id)
            if row is None or not row.active:
                self._ctx.audit(session, actor, "password.change", outcome=AuditOutcome.FAILED,
                                entity="staff_users", entity_id=actor.user_id,
                                detail={"reason": "disabled"})
                refusal: Exception | None = AuthenticationFailed(
                    "This account is disabled; ask an administrator")
            else:
                with saving(session, row, account_of(row)):
                    refusal = self._change_password(session, actor, row, current_password,
                                                    password_hash, policy, at)
        if refusal is not None:
            raise refusal
        return self._ctx.reissue(actor, must_change_password=False)

    def _change_password(self, session: Session, actor: Actor, row: StaffUser, current: str,
                         password_hash: str, policy: PracticeSettings,
                         at: datetime) -> Exception | None:
        """Check the current password (counted toward the lockout) and store the new hash;
        the error to raise once the transaction has committed, or None."""
        refusal = attempt_password(self._ctx, session, row, current, policy, at,
                                   action="password.change", actor=actor)
        if refusal is None:
            row.password_hash = password_hash
            row.must_change_password = False
            self._ctx.audit(session, actor, "password.change", entity="staff_users",
                            entity_id=row.id)
            return None
        if isinstance(refusal, AccountLocked):
            return refusal
        return ValidationError({"current_password": "The current password is wrong"})
