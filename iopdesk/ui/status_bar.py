"""The main window's status bar: who is logged in, at which workstation, on which database, a
message line, and a busy indicator shown only for background work that takes a while."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from iopdesk.ui.roles import role_names

if TYPE_CHECKING:
    from iopdesk.services import Actor

STATUS_MESSAGE_MS = 5000
BUSY_AFTER_MS = 400         # background work shorter than this shows no indicator


class SessionStatusBar(QStatusBar):
    def __init__(self, actor: Actor, workstation: str, database: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        roles = role_names(actor.roles)
        self.user_label = QLabel(self.tr("{name} ({roles})").format(
            name=actor.display_name, roles=roles) if roles else actor.display_name)
        self.user_label.setObjectName("statusUser")
        self.workstation_label = QLabel(self.tr("Workstation: {name}").format(
            name=workstation))
        self.database_label = QLabel(self.tr("Database: {url}").format(url=database))
        self.database_label.setToolTip(database)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setObjectName("statusBusy")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setToolTip(self.tr("Working in the background…"))
        self.busy_bar.hide()
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(self.busy_bar.show)
        self.addPermanentWidget(self.busy_bar)
        for label in (self.user_label, self.workstation_label, self.database_label):
            self.addPermanentWidget(label)

    @Slot(bool)
    def set_busy(self, busy: bool) -> None:
        """Background work started (the indicator after BUSY_AFTER_MS) or all of it ended."""
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy_bar.hide()

    @Slot(str)
    def say(self, message: str) -> None:
        """A message for a few seconds; an empty one clears the line."""
        if message:
            self.showMessage(message, STATUS_MESSAGE_MS)
        else:
            self.clearMessage()
