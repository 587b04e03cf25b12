"""Choosing a password: one's own (current + new twice) or a temporary one for someone else.

The dialog checks that the two new entries match; everything else (length, the current
password) is the service's to judge. `save(current, new)` runs on a worker; its result is
emitted by `saved`, its ValidationError shown at the fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from iopdesk.domain.errors import AuthenticationFailed, ValidationError
from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import FieldMessages, error_label, say

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

SaveFn = Callable[[str, str], object]


def _tr(text: str) -> str:
    return QCoreApplication.translate("PasswordDialog", text)


def _password_edit(parent: QWidget, name: str, accessible: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(accessible)
    return edit


class PasswordDialog(QDialog):
    saved = Signal(object)      # whatever `save` returned (an Actor, a StaffMember)

    def __init__(self, runner: Runner, save: SaveFn, *, title: str, intro: str,
                 ask_current: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self._runner = runner
        self._save = save
        self._busy = False
        self.setObjectName("passwordDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(420)

        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.fields = FieldMessages()
        form = QFormLayout()
        self.current_edit: QLineEdit | None = None
        if ask_current:
            self.current_edit = _password_edit(self, "currentPassword",
                                               self.tr("Current password"))
            self.fields.add_row(form, self.tr("&Current password:"), self.current_edit,
                                "current_password")
        self.new_edit = _password_edit(self, "newPassword", self.tr("New password"))
        self.fields.add_row(form, self.tr("&New password:"), self.new_edit, "new_password",
                            "password", "temporary_password")
        self.again_edit = _password_edit(self, "newPasswordAgain", self.tr("New password again"))
        self.fields.add_row(form, self.tr("New password &again:"), self.again_edit,
                            "new_password_again")
        self.error_label = error_label(self, "passwordDialogError")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Save password"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        (self.current_edit or self.new_edit).setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def accept(self) -> None:
        if self._busy:
            return
        self.fields.clear()
        say(self.error_label, "")
        current = self.current_edit.text() if self.current_edit is not None else ""
        new, again = self.new_edit.text(), self.again_edit.text()
        problems = {}
        if self.current_edit is not None and not current:
            problems["current_password"] = self.tr("Enter your current password.")
        if not new:
            problems["new_password"] = self.tr("Enter the new password.")
        elif new != again:
            problems["new_password_again"] = self.tr("The two entries differ.")
        if problems:
            self.fields.show(problems)
            return
        self._set_busy(True)
        save = self._save
        self._runner.submit(lambda: save(current, new), self._saved, self._failed, owner=self)

    @Slot()
    def reject(self) -> None:
        if not self._busy:
            super().reject()

    def _saved(self, result: object) -> None:
        self._set_busy(False)
        self.saved.emit(result)
        super().accept()

    def _failed(self, error: object) -> None:
        self._set_busy(False)
        if isinstance(error, ValidationError):
            rest = self.fields.show(error.fields)
            say(self.error_label, "\n".join(rest.values()))
        elif isinstance(error, AuthenticationFailed) and self.current_edit is not None:
            self.current_edit.clear()
            self.fields.set("current_password", describe_error(error))
            self.current_edit.setFocus()
        else:
            say(self.error_label, describe_error(error))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.ok_button.setEnabled(not busy)
        for edit in (self.current_edit, self.new_edit, self.again_edit):
            if edit is not None:
                edit.setReadOnly(busy)


def change_own_password_dialog(services: Services, actor: Actor, runner: Runner, *,
                               required: bool, parent: QWidget | None = None) -> PasswordDialog:
    """The dialog that changes `actor`'s own password; `saved` carries the new Actor."""
    intro = (_tr("Your password was set by an administrator or has expired. Choose a "
                        "new password of your own before you continue.")
             if required else _tr("Choose a new password."))
    dialog = PasswordDialog(
        runner, lambda current, new: services.users.change_own_password(actor, current, new),
        title=_tr("Choose a new password — IOPDesk"), intro=intro, ask_current=True,
        parent=parent)
    dialog.setObjectName("changePasswordDialog")
    return dialog
