"""The Users screen (administrators): every account with its roles and status; add, change,
disable or enable, and reset a password. The services refuse anyone else anyway."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QInputDialog,
                               QLabel, QPushButton, QTableView, QVBoxLayout, QWidget)

from iopdesk.domain.changes import RecordKind
from iopdesk.ui.admin.user_dialog import UserDialog
from iopdesk.ui.admin.users_model import UsersModel
from iopdesk.ui.changes import change_bus
from iopdesk.ui.errors import show_error
from iopdesk.ui.password_dialog import PasswordDialog

if TYPE_CHECKING:
    from iopdesk.domain.readmodels import StaffMember
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner


class UsersView(QWidget):
    loaded = Signal()           # the table shows the stored accounts

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self._services = services
        self._actor = actor
        self._runner = runner
        self._select_after_load: int | None = None
        self._reloads = 0
        self.dialog: QWidget | None = None
        self.setObjectName("usersWindow")
        self.setWindowTitle(self.tr("Users — IOPDesk"))
        self.model = UsersModel(self, clock=services.settings.clock)
        self._build()
        self.resize(980, 480)
        change_bus(services).changed.connect(self._changed)
        self.reload()

    @Slot(object)
    def _changed(self, change_set) -> None:
        """An account changed here or at another workstation: the list again."""
        if change_set.touches(RecordKind.USER):
            self.reload()

    def _build(self) -> None:
        self.table = QTableView(self)
        self.table.setObjectName("usersTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(UsersModel.NAME, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self.add_button = QPushButton(self.tr("&Add…"), self)
        self.edit_button = QPushButton(self.tr("&Edit…"), self)
        self.toggle_button = QPushButton(self.tr("&Disable…"), self)
        self.reset_button = QPushButton(self.tr("&Reset password…"), self)
        self.refresh_button = QPushButton(self.tr("Re&fresh"), self)
        self.add_button.clicked.connect(self.add_user)
        self.edit_button.clicked.connect(self.edit_user)
        self.toggle_button.clicked.connect(self.toggle_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.refresh_button.clicked.connect(self.reload)
        refresh = QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self)
        refresh.activated.connect(self.reload)

        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.toggle_button,
                       self.reset_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        self.status = QLabel(self)
        self.status.setObjectName("usersStatus")

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self._update_buttons()

    # -- loading --------------------------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        """The list again; only the answer to the latest request is shown (a change set and
        the operation that made it may both ask)."""
        services, actor = self._services, self._actor
        self._reloads += 1
        asked = self._reloads
        self.status.setText(self.tr("Loading…"))
        self._runner.submit(lambda: services.users.list_users(actor, include_disabled=True),
                            lambda users: self._loaded(users) if asked == self._reloads
                            else None, self._failed, owner=self)

    def _loaded(self, users: tuple[StaffMember, ...]) -> None:
        selected = self._select_after_load or (self.selected().id if self.selected() else None)
        self._select_after_load = None
        self.model.set_users(users)
        active = sum(1 for u in users if u.active)
        self.status.setText(self.tr("{count} users, {active} active").format(
            count=len(users), active=active))
        row = self.model.row_of(selected) if selected is not None else None
        if row is not None:
            self.table.selectRow(row)
        self._update_buttons()
        self.loaded.emit()

    def _failed(self, error: object) -> None:
        self.status.clear()
        show_error(self, self.tr("Users"), error)

    def selected(self) -> StaffMember | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.member_at(rows[0].row()) if rows else None

    def select_user(self, user_id: int) -> None:
        row = self.model.row_of(user_id)
        if row is not None:
            self.table.selectRow(row)

    @Slot()
    def _update_buttons(self) -> None:
        member = self.selected()
        for button in (self.edit_button, self.toggle_button, self.reset_button):
            button.setEnabled(member is not None)
        if member is not None and not member.active:
            self.toggle_button.setText(self.tr("E&nable"))
        else:
            self.toggle_button.setText(self.tr("&Disable…"))

    # -- actions --------------------------------------------------------------------------

    @Slot()
    def add_user(self) -> UserDialog:
        return self._open_user_dialog(None)

    @Slot()
    def edit_user(self) -> UserDialog | None:
        member = self.selected()
        return self._open_user_dialog(member) if member is not None else None

    @Slot(QModelIndex)
    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self._open_user_dialog(self.model.member_at(index.row()))

    def _open_user_dialog(self, member: StaffMember | None) -> UserDialog:
        dialog = UserDialog(self._services, self._actor, self._runner, self.model.users(),
                            member, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.saved.connect(self._saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot(object)
    def _saved(self, member: StaffMember) -> None:
        self._select_after_load = member.id
        self.reload()

    @Slot()
    def toggle_user(self) -> None:
        member = self.selected()
        if member is None:
            return
        services, actor = self._services, self._actor
        if not member.active:
            self._run(lambda: services.users.enable_user(actor, member.id))
            return
        dialog = QInputDialog(self)
        dialog.setObjectName("disableDialog")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.setWindowTitle(self.tr("Disable {name}").format(name=member.display_name))
        dialog.setLabelText(self.tr("{name} will no longer be able to log in. Nothing they "
                                    "wrote changes. Reason (optional):").format(
                                        name=member.display_name))
        dialog.setOkButtonText(self.tr("Disable"))
        dialog.textValueSelected.connect(
            lambda reason: self._run(lambda: services.users.disable_user(actor, member.id,
                                                                         reason)))
        self.dialog = dialog
        dialog.open()

    @Slot()
    def reset_password(self) -> None:
        member = self.selected()
        if member is None:
            return
        services, actor = self._services, self._actor
        dialog = PasswordDialog(
            self._runner,
            lambda _current, new: services.users.reset_password(actor, member.id, new),
            title=self.tr("Reset the password of {name}").format(name=member.display_name),
            intro=self.tr("Give {name} a temporary password. They will have to choose their "
                          "own at their next log-in; a lockout ends now.").format(
                              name=member.display_name),
            ask_current=False, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.saved.connect(self._saved)
        self.dialog = dialog
        dialog.open()

    def _run(self, call) -> None:
        self._runner.submit(call, self._saved, self._failed, owner=self)
