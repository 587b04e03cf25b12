"""The areas of the main window, and which of them a user sees.

Six areas have a fixed place and shortcut (Ctrl+1 … Ctrl+6) so that hands learn them once.
An area is shown only when this build has something real in it for this user: a screen, the
service behind it, and a role that may use it. Check-in is everyone's (all roles record
attendance), and so are Schedule (administrators edit there, the others read) and Reports
(the week's attendance and hours); Today appears with the `today` service (for administrators it
warns of old backups); Admin is for administrators. Roles are enforced by the services
whatever is shown here: hiding is only so that nobody is offered what would be refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from iopdesk.domain.enums import Role

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services

TODAY, CHECK_IN, PARTICIPANTS, SCHEDULE, REPORTS, ADMIN = (
    "today", "check_in", "participants", "schedule", "reports", "admin")
CLINICAL_ROLES = frozenset({Role.CLINICIAN, Role.SUPERVISOR})


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    shortcut: str
    tip: str


def _tr(text: str) -> str:
    return QCoreApplication.translate("areas", text)


def _today(services: Services, actor: Actor) -> bool:
    """Front desk and clinicians have their lists there; administrators the backups' state."""
    return hasattr(services, "today") and (actor.has(Role.FRONT_DESK) or actor.has(Role.ADMIN)
                                           or bool(actor.roles & CLINICAL_ROLES))


def _everyone(_services: Services, _actor: Actor) -> bool:
    return True         # every role may find a participant (demographics)


def _desk(services: Services, _actor: Actor) -> bool:
    """Everyone checks people in (front desk, clinicians, administrators: RECORD_ATTENDANCE)."""
    return hasattr(services, "attendance")


def _schedule(services: Services, _actor: Actor) -> bool:
    """Everyone reads the program's week; administrators edit it there."""
    return hasattr(services, "schedule")


def _reports(services: Services, _actor: Actor) -> bool:
    """Everyone prints the week's attendance and hours."""
    return hasattr(services, "attendance") and hasattr(services, "documents")


def _admin(_services: Services, actor: Actor) -> bool:
    return actor.has(Role.ADMIN)


def _all_areas() -> tuple[tuple[Area, Callable[[Services, Actor], bool]], ...]:
    return (
        (Area(TODAY, _tr("Today"), "Ctrl+1",
              _tr("Today's groups, your caseload, or the backups")), _today),
        (Area(CHECK_IN, _tr("Check-in"), "Ctrl+2",
              _tr("Check participants in and out")), _desk),
        (Area(PARTICIPANTS, _tr("Participants"), "Ctrl+3",
              _tr("Find a participant")), _everyone),
        (Area(SCHEDULE, _tr("Schedule"), "Ctrl+4",
              _tr("Groups and meetings")), _schedule),
        (Area(REPORTS, _tr("Reports"), "Ctrl+5",
              _tr("Attendance and hours")), _reports),
        (Area(ADMIN, _tr("Admin"), "Ctrl+6",
              _tr("Users and the audit log")), _admin),
    )


def areas_for(services: Services, actor: Actor) -> tuple[Area, ...]:
    """The areas `actor` sees in this build, in their fixed order."""
    return tuple(area for area, shown in _all_areas() if shown(services, actor))


def default_area(_areas: tuple[Area, ...]) -> str:
    """Where a user's first start opens: Participants, with the keyboard in the search box
    (a participant is two keystrokes away). After that the window opens where they left."""
    return PARTICIPANTS
