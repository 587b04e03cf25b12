"""The main window: the practice's name, who is logged in where, and the participant list;
the File menu locks the session, the Admin menu (administrators only) opens the user and
audit screens in windows of their own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from iopdesk.domain.enums import Role
from iopdesk.ui.admin.audit_view import AuditView
from iopdesk.ui.admin.users_view import UsersView
from iopdesk.ui.errors import show_error
from iopdesk.ui.lock import LOCK_SHORTCUT
from iopdesk.ui.participants.list_widget import ParticipantListWidget
from iopdesk.ui.participants.model import PAGE_SIZE, ParticipantTableModel
from iopdesk.ui.password_dialog import change_own_password_dialog
from iopdesk.ui.roles import role_names

__all__ = ["MainWindow", "SessionInfo", "role_names"]

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

ORGANIZATION = "IOPDesk"
APPLICATION = "IOPDesk"
STATUS_MESSAGE_MS = 5000


@dataclass(frozen=True)
class SessionInfo:
    """What the window shows about where it runs (nothing here is read from the data)."""

    practice_name: str
    workstation: str
    database: str           # the database URL, without any password


class MainWindow(QMainWindow):
    lock_requested = Signal()
    closed = Signal()

    def __init__(self, services: Services, actor: Actor, runner: Runner, info: SessionInfo, *,
                 settings: QSettings | None = None, page_size: int = PAGE_SIZE,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.runner = runner
        self.info = info
        self._settings = settings if settings is not None else QSettings(ORGANIZATION,
                                                                          APPLICATION)
        self.setObjectName("mainWindow")
        self.users_window: QWidget | None = None
        self.audit_window: QWidget | None = None
        self.set_practice_name(info.practice_name)

        self.participant_model = ParticipantTableModel(services.participants, actor, runner,
                                                       page_size=page_size, parent=self)
        self.participants = ParticipantListWidget(self.participant_model, self)
        self.setCentralWidget(self.participants)

        self._build_menus()
        self._build_status_bar()
        self.participants.status_message.connect(self._show_status)
        runner.failed.connect(self._background_failed)
        self._restore_geometry()
        self.participants.start()
        self.participants.focus_search()
        if not info.practice_name:
            runner.submit(services.staff.practice_name, self.set_practice_name, owner=self)

    @Slot(str)
    def set_practice_name(self, name: str | None) -> None:
        self.setWindowTitle(self.tr("{practice} — IOPDesk").format(practice=name)
                            if name else self.tr("IOPDesk"))

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.password_action = QAction(self.tr("Change my &password…"), self)
        self.password_action.triggered.connect(self.change_password)
        file_menu.addAction(self.password_action)
        self.lock_action = QAction(self.tr("&Lock"), self)
        self.lock_action.setShortcut(QKeySequence(LOCK_SHORTCUT))
        self.lock_action.setStatusTip(self.tr("Hide everything until your password is entered"))
        self.lock_action.triggered.connect(self.lock_requested)
        file_menu.addAction(self.lock_action)
        file_menu.addSeparator()
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence(self.tr("Ctrl+Q")))
        self.quit_action.setStatusTip(self.tr("Close IOPDesk"))
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)

        participants_menu = self.menuBar().addMenu(self.tr("&Participants"))
        self.find_action = QAction(self.tr("&Find participant"), self)
        self.find_action.setShortcut(QKeySequence(self.tr("Ctrl+F")))
        self.find_action.setStatusTip(self.tr("Search by name, chart number, date of birth "
                                              "or phone"))
        self.find_action.triggered.connect(self.participants.focus_search)
        participants_menu.addAction(self.find_action)

        self.admin_menu = None
        if self.actor.has(Role.ADMIN):
            self.admin_menu = self.menuBar().addMenu(self.tr("&Admin"))
            self.users_action = QAction(self.tr("&Users…"), self)
            self.users_action.setStatusTip(self.tr("Add, change and disable user accounts"))
            self.users_action.triggered.connect(self.open_users)
            self.audit_action = QAction(self.tr("&Audit log…"), self)
            self.audit_action.setStatusTip(self.tr("Who did what, when and where"))
            self.audit_action.triggered.connect(self.open_audit_log)
            self.admin_menu.addAction(self.users_action)
            self.admin_menu.addAction(self.audit_action)

    # -- admin windows and the password -----------------------------------------------------

    @Slot()
    def open_users(self) -> QWidget:
        if self.users_window is None:
            self.users_window = UsersView(self.services, self.actor, self.runner, self)
        return self._bring_up(self.users_window)

    @Slot()
    def open_audit_log(self) -> QWidget:
        if self.audit_window is None:
            self.audit_window = AuditView(self.services, self.actor, self.runner, self)
        return self._bring_up(self.audit_window)

    def _bring_up(self, window: QWidget) -> QWidget:
        window.setWindowFlag(Qt.WindowType.Window, True)
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    @Slot()
    def change_password(self) -> None:
        dialog = change_own_password_dialog(self.services, self.actor, self.runner,
                                            required=False, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.saved.connect(lambda _actor: self._show_status(self.tr("Password changed.")))
        dialog.open()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        roles = role_names(self.actor.roles)
        self.user_label = QLabel(self.tr("{name} ({roles})").format(
            name=self.actor.display_name, roles=roles) if roles else self.actor.display_name)
        self.user_label.setObjectName("statusUser")
        self.workstation_label = QLabel(self.tr("Workstation: {name}").format(
            name=self.info.workstation))
        self.database_label = QLabel(self.tr("Database: {url}").format(url=self.info.database))
        self.database_label.setToolTip(self.info.database)
        for label in (self.user_label, self.workstation_label, self.database_label):
            bar.addPermanentWidget(label)

    @Slot(str)
    def _show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, STATUS_MESSAGE_MS)

    @Slot(object)
    def _background_failed(self, error: object) -> None:
        show_error(self, self.tr("IOPDesk"), error)

    def _restore_geometry(self) -> None:
        geometry = self._settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 700)
        state = self._settings.value("main_window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def save_geometry(self) -> None:
        self._settings.setValue("main_window/geometry", self.saveGeometry())
        self._settings.setValue("main_window/state", self.saveState())
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_geometry()
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()
