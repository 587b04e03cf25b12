"""The user accounts as a table: a practice has tens of users, so the model holds them all."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication, QPalette

from iopdesk.domain.readmodels import StaffMember
from iopdesk.domain.time import PracticeClock
from iopdesk.ui.roles import role_names
from iopdesk.ui.table_model import RowIdRole, RowsTableModel

UserIdRole = RowIdRole


def _tr(text: str) -> str:
    return QCoreApplication.translate("UsersModel", text)


def status_text(member: StaffMember, clock: PracticeClock) -> str:
    """The account's state; a lockout's end as the time of day at the practice."""
    if not member.active:
        return _tr("Disabled")
    if member.locked_until is not None:
        return _tr("Locked until {time}").format(time=clock.time_of_day(member.locked_until))
    if member.must_change_password:
        return _tr("Active (must change password)")
    return _tr("Active")


class UsersModel(RowsTableModel):
    USERNAME, NAME, ROLES, CREDENTIALS, COSIGN, SUPERVISOR, STATUS = range(7)

    def __init__(self, parent=None, *, clock: Callable[[], PracticeClock]):
        """`clock` gives the practice's clock (its zone is read again with every load)."""
        super().__init__(parent)
        self._clock_source = clock
        self._clock = clock()
        self._rows: list[StaffMember] = []
        self._names: dict[int, str] = {}
        self._headers = (_tr("User name"), _tr("Name"), _tr("Roles"), _tr("Credentials"),
                         _tr("Needs co-signature"), _tr("Supervisor"), _tr("Status"))

    def set_users(self, users: Iterable[StaffMember]) -> None:
        self.beginResetModel()
        self._clock = self._clock_source()
        self._rows = list(users)
        self._names = {m.id: m.display_name for m in self._rows}
        self.endResetModel()

    def users(self) -> tuple[StaffMember, ...]:
        return tuple(self._rows)

    def member_at(self, row: int) -> StaffMember:
        return self._rows[row]

    def row_of(self, user_id: int) -> int | None:
        return next((i for i, m in enumerate(self._rows) if m.id == user_id), None)

    def _decoration(self, member: StaffMember, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and not member.active:
            return QGuiApplication.palette().brush(QPalette.ColorGroup.Disabled,
                                                   QPalette.ColorRole.Text)
        return None

    def _display(self, member: StaffMember, column: int) -> str | None:
        if column == self.USERNAME:
            return member.username
        if column == self.NAME:
            return member.display_name
        if column == self.ROLES:
            return role_names(member.roles)
        if column == self.CREDENTIALS:
            return member.credentials
        if column == self.COSIGN:
            return _tr("Yes") if member.needs_cosign else ""
        if column == self.SUPERVISOR:
            if member.supervisor_id is None:
                return ""
            return self._names.get(member.supervisor_id, f"#{member.supervisor_id}")
        if column == self.STATUS:
            return status_text(member, self._clock)
        return None
