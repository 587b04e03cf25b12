"""The main window: the practice's name, who is logged in where, and the participant list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from iopdesk.domain.enums import Role
from iopdesk.ui.errors import show_error
from iopdesk.ui.participants.list_widget import ParticipantListWidget
from iopdesk.ui.participants.model import PAGE_SIZE, ParticipantTableModel

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


def role_names(roles: frozenset[Role]) -> str:
    names = {Role.ADMIN: QCoreApplication.translate("roles", "Administrator"),
             Role.SUPERVISOR: QCoreApplication.translate("roles", "Supervisor"),
             Role.CLINICIAN: QCoreApplication.translate("roles", "Clinician"),
             Role.FRONT_DESK: QCoreApplication.translate("roles", "Front desk")}
    return ", ".join(names[r] for r in names if r in roles)


class MainWindow(QMainWindow):
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
