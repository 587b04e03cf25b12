"""The one signing question of every signed document (intake today; plans, notes and
discharge summaries after it): what signing means, the signer's password, Sign / Cancel.

A form checks its own fields first and opens this only when the document can be signed; the
dialog then runs the signature as a change operation. A wrong password is said at the
password field and the dialog stays open; a refusal about the document's fields (someone
changed it meanwhile) closes the dialog and goes back to the form (`refused`); anything else
is said in the dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from iopdesk.domain.errors import ValidationError
from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import ERROR_STYLE, FieldMessages, say


class SignDialog(QDialog):
    signed = Signal(object)         # the document's read model as stored
    refused = Signal(object)        # a refusal about the document itself (for its form)

    def __init__(self, title: str, question: str, runner,
                 sign: Callable[[str], Callable[[], Any]], parent: QWidget | None = None, *,
                 action: str = ""):
        """`sign(password)` gives the service call that signs; `action` names the button
        ("Sign", "Co-sign")."""
        super().__init__(parent)
        self._runner = runner
        self._sign = sign
        self._busy = False
        self.setObjectName("signDialog")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.question = QLabel(question, self)
        self.question.setObjectName("signQuestion")
        self.question.setWordWrap(True)
        self.fields = FieldMessages(rooms=True)
        form = QFormLayout()
        self.add_fields(form)
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("signPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.fields.add_row(form, self.tr("Your &password:"), self.password_edit, "password")
        self.message = QLabel(self)
        self.message.setObjectName("signMessage")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.sign_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_button.setText(action or self.tr("Sign"))
        self.sign_button.setObjectName("signConfirm")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.password_edit.setFocus()

    def add_fields(self, form: QFormLayout) -> None:
        """Fields a kind of signing asks for besides the password (an addendum's text)."""

    @Slot()
    def accept(self) -> None:
        if self._busy:
            return
        password = self.password_edit.text()
        if not password:
            self.fields.show({"password": self.tr("Enter your password to sign")})
            return
        say(self.message, "")
        self._set_busy(True)
        self._runner.change(self._sign(password), self._signed, self._failed, owner=self)

    @Slot()
    def reject(self) -> None:
        if not self._busy:
            super().reject()

    def _signed(self, view: object) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        self.signed.emit(view)
        super().accept()

    def _failed(self, error: object) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        if isinstance(error, ValidationError) and all(self.fields.claims(name)
                                                      for name in error.fields):
            self.fields.show(error.fields)          # the password, or a field of the dialog
        elif isinstance(error, ValidationError):
            self.refused.emit(error)
            super().reject()
        else:
            say(self.message, describe_error(error))
            self.password_edit.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.sign_button.setEnabled(not busy)
        self.password_edit.setEnabled(not busy)


class AddendumDialog(SignDialog):
    """An addendum to a signed document: what is corrected or added, and why, signed with the
    author's password. `sign(text, password)` gives the service call."""

    def __init__(self, title: str, question: str, runner,
                 sign: Callable[[str, str], Callable[[], Any]], parent: QWidget | None = None):
        self._add = sign
        super().__init__(title, question, runner, self._call, parent,
                         action=QCoreApplication.translate("AddendumDialog", "Sign addendum"))
        self.setObjectName("addendumDialog")
        self.setMinimumWidth(520)
        self.text_edit.setFocus()

    def add_fields(self, form: QFormLayout) -> None:
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setObjectName("addendumText")
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setPlaceholderText(self.tr("What is corrected or added, and why"))
        self.text_edit.setMinimumHeight(120)
        self.fields.add_row(form, self.tr("&Addendum:"), self.text_edit, "text")

    def _call(self, password: str) -> Callable[[], Any]:
        return self._add(self.text_edit.toPlainText(), password)

    @Slot()
    def accept(self) -> None:
        if not self.text_edit.toPlainText().strip():
            self.fields.show({"text": self.tr("Write the addendum: what is corrected or "
                                              "added, and why")})
            return
        super().accept()
