"""Signing in: the log-in dialog, then — when the account must — choosing a new password.

Used for the first log-in at start and for "Log in as someone else" on the lock screen.
`signed_in` carries an Actor who may work (the new password saved if one was required);
`cancelled` means the log-in dialog was closed. Cancelling the new-password step returns to
the log-in dialog: nobody gets past it with a password that must be changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot

from iopdesk.ui.login import LoginDialog

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner


class SignIn(QObject):
    signed_in = Signal(object)      # the Actor
    cancelled = Signal()

    def __init__(self, runner: Runner, *, services: Services | None = None,
                 cancel_text: str | None = None, username: str = "",
                 parent: QObject | None = None):
        super().__init__(parent)
        self._runner = runner
        self.dialog = LoginDialog(runner, cancel_text=cancel_text)
        self.dialog.logged_in.connect(self._logged_in)
        self.dialog.rejected.connect(self._rejected)
        self._over = False
        self.password_dialog: QWidget | None = None       # a PasswordDialog, when asked
        self.practice_name: str | None = None
        if services is not None:
            self.dialog.set_services(services)
        if username:
            self.dialog.username_edit.setText(username)
            self.dialog.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def show(self) -> None:
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def set_services(self, services: Services) -> None:
        self.dialog.set_services(services)

    def discard(self) -> None:
        """Take the dialogs away without a verdict (the wizard replaces the log-in)."""
        self._over = True
        self.dialog.hide()
        self.dialog.deleteLater()
        if self.password_dialog is not None:
            self.password_dialog.hide()
            self.password_dialog.deleteLater()
        self.deleteLater()

    @Slot()
    def _rejected(self) -> None:
        if not self._over:
            self._over = True
            self.dialog.deleteLater()
            self.cancelled.emit()
            self.deleteLater()

    @Slot(object)
    def _logged_in(self, actor: Actor) -> None:
        if not actor.must_change_password:
            self._finish(actor)
            return
        services = self.dialog.services
        from iopdesk.ui.password_dialog import change_own_password_dialog  # rarely: not at start

        dialog = change_own_password_dialog(services, actor, self._runner, required=True)
        dialog.saved.connect(self._finish)
        dialog.rejected.connect(self._back_to_log_in)
        self.password_dialog = dialog
        dialog.show()

    @Slot(object)
    def _finish(self, actor: Actor) -> None:
        if self.password_dialog is not None:
            self.password_dialog.deleteLater()
            self.password_dialog = None
        self._over = True
        self.practice_name = self.dialog.practice_name
        self.dialog.deleteLater()
        self.signed_in.emit(actor)
        self.deleteLater()

    @Slot()
    def _back_to_log_in(self) -> None:
        if self.password_dialog is not None:
            self.password_dialog.deleteLater()
            self.password_dialog = None
        self.dialog.reset()
        self.show()
