"""Register participant… (Ctrl+N): the registration dialog, opened from the participant list;
after a registration the list searches for the new chart number and selects it.

The window that owns the list makes one `Registrations(services, actor, runner, list_widget)`;
its `open_existing` signal carries the participant the user chose instead of registering
(the window opens that chart)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence

from iopdesk.ui.registration.dialog import RegistrationDialog

if TYPE_CHECKING:
    from iopdesk.domain.readmodels import Participant
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner
    from iopdesk.ui.participants.list_widget import ParticipantListWidget

__all__ = ["RegistrationDialog", "Registrations"]


class Registrations(QObject):
    open_existing = Signal(int)
    registered = Signal(int)
    dialog_opened = Signal(object)      # the RegistrationDialog

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 participants: ParticipantListWidget):
        super().__init__(participants)
        self._services = services
        self._actor = actor
        self._runner = runner
        self._list = participants
        self.dialog: RegistrationDialog | None = None
        self.action = QAction(self.tr("&Register participant…"), participants)
        self.action.setObjectName("registerParticipant")
        self.action.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.setStatusTip(self.tr("Register a new participant"))
        self.action.triggered.connect(self.open)
        participants.add_action(self.action)

    @Slot()
    def open(self) -> RegistrationDialog:
        """The registration dialog (the one already open, if any)."""
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        dialog = RegistrationDialog(self._services, self._actor, self._runner,
                                    self._list.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.saved.connect(self._saved)
        dialog.open_existing.connect(self.open_existing)
        dialog.destroyed.connect(self._forget)
        self.dialog = dialog
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def _forget(self, *_args) -> None:
        self.dialog = None

    def _saved(self, participant: Participant) -> None:
        self._list.select_chart(participant.chart_number)
        self.registered.emit(participant.id)
