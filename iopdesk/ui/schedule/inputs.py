"""What the schedule dialogs share: dates and times typed in a line (read here, each message
at its field), and the facilitator chooser (active clinicians and supervisors, and whoever is
stored already when they are no longer one of them)."""

from __future__ import annotations

import re
from datetime import date, time
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from iopdesk.domain.enums import Role

if TYPE_CHECKING:
    from iopdesk.domain.readmodels import StaffMember

DATE_HINT = "YYYY-MM-DD"
TIME_HINT = "HH:MM (24-hour)"
FACILITATOR_ROLES = frozenset({Role.CLINICIAN, Role.SUPERVISOR})
# A chooser's "none" is 0, never None: PySide6 6.12 drops a reference to None each time it
# hands back a None item data (Python 3.11 aborts once None's references run out).
NONE_CHOSEN = 0
_TIME = re.compile(r"(\d{1,2})(?::?(\d{2}))?\s*([ap]\.?m\.?)?", re.IGNORECASE)


def _tr(text: str) -> str:
    return QCoreApplication.translate("schedule", text)


def day_text(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def time_text(value: time | None) -> str:
    return f"{value:%H:%M}" if value is not None else ""


def parse_time(text: str) -> time | None:
    """A time of day typed as 09:00, 9:00, 0900, 9am or 2:30 pm; None when unreadable."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    half = (match.group(3) or "").lower().replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def read_time(edit: QLineEdit, name: str, errors: dict[str, str]) -> time | None:
    """The time typed in `edit` (None when empty: the service says it is required); a
    message in `errors` when it cannot be read."""
    text = edit.text().strip()
    if not text:
        return None
    value = parse_time(text)
    if value is None:
        errors[name] = _tr("“{text}” is not a time of day; use HH:MM, as 09:00 or 14:30").format(
            text=text)
    return value


def line_edit(parent: QWidget, name: str, text: str = "", hint: str = "") -> QLineEdit:
    edit = QLineEdit(text, parent)
    edit.setObjectName(name)
    if hint:
        edit.setPlaceholderText(_tr(hint))
    return edit


def facilitators(staff: tuple[StaffMember, ...]) -> tuple[StaffMember, ...]:
    """Who may lead a group: the active clinicians and supervisors, by name."""
    return tuple(m for m in staff if m.active and m.roles & FACILITATOR_ROLES)


def facilitator_combo(parent: QWidget, staff: tuple[StaffMember, ...],
                      current_id: int | None, current_name: str = "") -> QComboBox:
    """A chooser of facilitator: "No one yet" and the active clinicians and supervisors; the
    one stored keeps their place even when no longer among them (they left)."""
    combo = QComboBox(parent)
    combo.setObjectName("facilitator_id")
    combo.addItem(_tr("No one yet"), NONE_CHOSEN)
    for member in facilitators(staff):
        combo.addItem(member.display_name, member.id)
    if current_id is not None and combo.findData(current_id) < 0:
        combo.addItem(current_name or _tr("Staff member {id}").format(id=current_id),
                      current_id)
    combo.setCurrentIndex(0 if current_id is None else max(0, combo.findData(current_id)))
    return combo


def chosen_id(combo: QComboBox) -> int | None:
    """The id chosen in a chooser made here (None: "No one yet", "The whole practice")."""
    return combo.currentData() or None


def keyboard_order(dialog, *fields: QWidget) -> None:
    """Tab goes through `fields` in order, then the dialog's buttons; the first field has the
    keyboard when the dialog opens (a RecordDialog makes its buttons before its fields)."""
    chain = [*fields, *dialog.buttons.buttons()]
    for before, after in zip(chain, chain[1:]):
        QWidget.setTabOrder(before, after)
    fields[0].setFocus()
