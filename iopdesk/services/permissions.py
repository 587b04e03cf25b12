"""Who may do what: roles grant permissions; every public service call declares the one it needs.

The `requires` decorator checks who is acting before the call runs: the Actor must be one the
services issued (at log-in; see ServiceContext.issue_actor), and its roles, as stored now, must
grant the permission. A refusal is written to the audit trail in a transaction of its own (the
action never started) and raised as PermissionDenied. `REGISTRY` lists every guarded function
with its permission, so a test can hold the whole role × service matrix.
"""

from __future__ import annotations

import enum
import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from iopdesk.domain.enums import Role
from iopdesk.domain.errors import PasswordChangeRequired, PermissionDenied, SessionNotIssued

if TYPE_CHECKING:
    from iopdesk.services.context import Actor



class Permission(enum.StrEnum):
    VIEW_DEMOGRAPHICS = "view_demographics"
    EDIT_DEMOGRAPHICS = "edit_demographics"
    VIEW_CLINICAL = "view_clinical"
    EDIT_CLINICAL = "edit_clinical"
    VIEW_STAFF = "view_staff"
    MANAGE_USERS = "manage_users"
    MANAGE_PRACTICE = "manage_practice"
    VIEW_AUDIT = "view_audit"
    # Correct the record of care: mark an episode admitted in error "entered in error" (kept
    # and audited, counted nowhere). Supervisors and administrators, not every clinician.
    CORRECT_EPISODES = "correct_episodes"
    COSIGN = "cosign"                   # co-sign the work of clinicians who need it
    # List the backups, see how old the newest is, back up now, restore one.
    MANAGE_BACKUPS = "manage_backups"
    # Check people in and out of the day's meetings, mark absences, undo a mistaken step and
    # correct times the same day (the front desk's work; clinicians' and administrators' too).
    RECORD_ATTENDANCE = "record_attendance"
    # Correct attendance times after the day (always with a reason): not the front desk's.
    CORRECT_ATTENDANCE = "correct_attendance"


_EVERYONE = {Permission.VIEW_DEMOGRAPHICS, Permission.VIEW_STAFF}
_ATTENDANCE = {Permission.RECORD_ATTENDANCE}
_LATER = {Permission.CORRECT_ATTENDANCE}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.FRONT_DESK: frozenset(_EVERYONE | _ATTENDANCE | {Permission.EDIT_DEMOGRAPHICS}),
    Role.CLINICIAN: frozenset(_EVERYONE | _ATTENDANCE | _LATER | {
        Permission.EDIT_DEMOGRAPHICS, Permission.VIEW_CLINICAL, Permission.EDIT_CLINICAL}),
    Role.SUPERVISOR: frozenset(_EVERYONE | _ATTENDANCE | _LATER | {
        Permission.EDIT_DEMOGRAPHICS, Permission.VIEW_CLINICAL, Permission.EDIT_CLINICAL,
        Permission.COSIGN, Permission.CORRECT_EPISODES}),
    Role.ADMIN: frozenset(_EVERYONE | _ATTENDANCE | _LATER | {
        Permission.EDIT_DEMOGRAPHICS, Permission.MANAGE_USERS, Permission.MANAGE_PRACTICE,
        Permission.VIEW_AUDIT, Permission.CORRECT_EPISODES, Permission.MANAGE_BACKUPS}),
}


def permissions_of(roles: frozenset[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def allowed(roles: frozenset[Role], permission: Permission) -> bool:
    return permission in permissions_of(roles)


# What a user whose password was set by an administrator may do before choosing their own:
# change it, and unlock their locked screen to get to that (the audited action names).
BEFORE_PASSWORD_CHANGE = frozenset({"password.change", "unlock"})

# "Class.method" -> the permission it needs.
REGISTRY: dict[str, Permission] = {}

# The public service methods that take no acting user, and why each may not.
UNGUARDED: dict[str, str] = {
    "StaffService.log_in": "the log-in itself (every attempt is audited)",
    "StaffService.practice_name": "the log-in window shows the practice's name",
    "StaffService.is_demo": "the log-in window lists the public demo accounts",
    "AuditService.verify_unattended": "`iopdesk audit verify`: needs the key file, reads hashes",
    "AuditService.verify_against": "`iopdesk audit verify`: needs the key file and its "
                                   "high-water marks, reads hashes",
    "AuditService.record_restore": "`iopdesk db restore` records itself without a log-in "
                                   "(the accounts are the restored file's): names the "
                                   "operating-system account",
    "DocumentService.render": "picks the document's own call (face_sheet, consent_form…), "
                              "which checks the permission and audits the print",
    "SetupService.needs_setup": "the first start asks whether a practice exists yet",
    "SetupService.initialize": "the first-run wizard makes the practice and its administrator "
                               "(refused once a practice exists)",
    "BackupService.automatic": "the app's own backup when the last session ends and once a "
                               "day, with nobody at the keyboard (nothing is shown or "
                               "changed: a copy of the database is written)",
    "SettingsService.get": "the idle-lock time and password rules apply before log-in",
    "DiagnosisService.build_code_table": "builds the offline ICD-10-CM code table from the "
                                         "installed classification: no one's record (the "
                                         "searches and diagnoses that read it are guarded)",
    "SettingsService.time_zone": "the practice's time zone: every screen shows times in it",
    "SettingsService.utc_now": "the services' clock (no data)",
    "SettingsService.practice_today": "today's date at the practice (no data)",
    "SettingsService.clock": "the practice's clock for screens (zone and today; no data)",
    "ChangeFeed.subscribe": "hears which records changed (kinds and ids, no content): the "
                            "screens then reload through guarded calls",
    "ChangeFeed.announce": "passes on a committed change set (another workstation's, on a "
                           "shared server): names records, carries no content",
    "ChangeFeed.remote": "listens to the other workstations' change sets (kinds and ids, "
                         "no content) on a database server",
}

F = TypeVar("F", bound=Callable[..., Any])


def _arguments(signature: inspect.Signature, service: Any, actor: Actor, args: tuple,
               kwargs: dict) -> dict[str, Any]:
    try:
        return dict(signature.bind(service, actor, *args, **kwargs).arguments)
    except TypeError:
        return {}


def requires(permission: Permission, action: str) -> Callable[[F], F]:
    """Guard a service method `(self, actor, ...)`; `action` names it in the audit trail."""

    def decorate(func: F) -> F:
        REGISTRY[func.__qualname__] = permission
        signature = inspect.signature(func)

        @functools.wraps(func)
        def guarded(self, actor: Actor, *args: Any, **kwargs: Any) -> Any:
            # The roles stored now, not those of the log-in: a user disabled or stripped of
            # a role by an administrator loses it at their next call, not at their next log-in.
            # An Actor the services did not issue (built by hand, altered, or of another
            # run) has no role at all.
            roles, must_change = self._ctx.current_standing(actor)
            if not allowed(roles, permission):
                self._ctx.record_refusal(actor, action, permission,
                                         _arguments(signature, self, actor, args, kwargs))
                if not self._ctx.issued(actor):
                    raise SessionNotIssued()
                raise PermissionDenied(
                    f"{actor.display_name} ({', '.join(sorted(roles)) or 'no role'}) "
                    f"may not {action.replace('.', ' ').replace('_', ' ')}: "
                    f"it needs the {permission.value.replace('_', ' ')} permission")
            if must_change and action not in BEFORE_PASSWORD_CHANGE:
                # Through any door (the app, a command, a script): nothing until they have
                # chosen their own password.
                self._ctx.record_refusal(actor, action, "a password of their own",
                                         _arguments(signature, self, actor, args, kwargs))
                raise PasswordChangeRequired(
                    f"{actor.display_name} must choose a new password before doing anything "
                    "else (the current one was set by an administrator)")
            return func(self, actor, *args, **kwargs)

        guarded.permission = permission  # type: ignore[attr-defined]
        guarded.action = action  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate
