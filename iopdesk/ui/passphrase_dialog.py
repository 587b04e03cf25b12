"""Asking for the passphrase of an encrypted database at start (DESIGN §6).

The dialog only collects the passphrase: it emits `submitted`, the composition root tries to
open the database with it on a worker, then calls `opened()` (the dialog closes) or
`refused(message)` (the dialog asks again). Cancel rejects the dialog.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from iopdesk.ui.forms import error_label, say


class PassphraseDialog(QDialog):
    submitted = Signal(str)     # the passphrase typed; answer with opened() or refused()

    def __init__(self, database: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("passphraseDialog")
        self.setWindowTitle(self.tr("Encrypted database — IOPDesk"))
        self.setMinimumWidth(420)
        self._busy = False

        intro = QLabel(self.tr("{database} is an encrypted database (or no database at all: "
                               "then no passphrase opens it). Enter its passphrase to open "
                               "it.").format(database=database), self)
        intro.setWordWrap(True)
        self.passphrase_edit = QLineEdit(self)
        self.passphrase_edit.setObjectName("passphrase")
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setAccessibleName(self.tr("Passphrase"))
        self.passphrase_edit.textEdited.connect(lambda: say(self.error_label, ""))
        self.error_label = error_label(self, "passphraseError")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("passphraseStatus")

        form = QFormLayout()
        form.addRow(self.tr("&Passphrase:"), self.passphrase_edit)
        form.addRow("", self.error_label)

        self.buttons = QDialogButtonBox(self)
        self.open_button = self.buttons.addButton(self.tr("Open"),
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setDefault(True)
        self.buttons.addButton(self.tr("Quit"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self.passphrase_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def accept(self) -> None:
        """Open pressed: hand the passphrase over (the dialog stays until it is answered)."""
        if self._busy:
            return
        passphrase = self.passphrase_edit.text()
        if not passphrase:
            say(self.error_label, self.tr("Enter the passphrase."))
            return
        self._set_busy(True)
        self.status_label.setText(self.tr("Opening the database…"))
        self.submitted.emit(passphrase)

    @Slot()
    def reject(self) -> None:
        if not self._busy:
            super().reject()

    def opened(self) -> None:
        self._set_busy(False)
        self.passphrase_edit.clear()
        super().accept()

    def refused(self, message: str) -> None:
        self._set_busy(False)
        self.status_label.clear()
        self.passphrase_edit.clear()
        say(self.error_label, message)
        self.passphrase_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.open_button.setEnabled(not busy)
        self.passphrase_edit.setReadOnly(busy)
