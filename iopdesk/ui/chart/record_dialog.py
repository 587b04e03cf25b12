"""What the contact and consent editors share (STYLE point 5): a form of named fields, a save
as new or as update on a worker, every ValidationError message at its field, and a refused
save over a newer version told in a banner with what was typed kept. It knows when it holds
unsaved edits (ui.unsaved): Cancel, Esc, or closing the chart or the session over it asks
Save / Discard / Cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout,
                               QWidget)

from iopdesk.domain.errors import ValidationError
from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import BANNER_STYLE, ERROR_STYLE, FieldMessages, form_state, say
from iopdesk.ui.unsaved import ask_about_unsaved


class RecordDialog(QDialog):
    saved = Signal(object)          # the read model as stored

    def __init__(self, runner, parent: QWidget | None = None):
        super().__init__(parent)
        self._runner = runner
        self._busy = False
        self._shown_state: tuple | None = None     # the fields as first shown
        self._done: Callable[[bool], None] | None = None
        self.banner = QLabel(self)
        self.banner.setObjectName("recordBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.fields = FieldMessages()
        self.form = QFormLayout()
        self.message = QLabel(self)
        self.message.setObjectName("recordMessage")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def call(self) -> tuple[Callable[[], Any] | None, dict[str, str]]:
        """The service call to make, or the messages of fields read here (a subclass's job)."""
        raise NotImplementedError

    # -- unsaved edits (ui.unsaved) -----------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._shown_state is None:
            self._shown_state = form_state(self.fields.widgets())

    def has_unsaved_edits(self) -> bool:
        return (self.isVisible() and self._shown_state is not None
                and form_state(self.fields.widgets()) != self._shown_state)

    def save_edits(self, done: Callable[[bool], None]) -> None:
        self._done = done
        self.accept()

    def discard_edits(self) -> None:
        self._shown_state = None
        QDialog.reject(self)

    def _tell(self, saved: bool) -> None:
        done, self._done = self._done, None
        if done is not None:
            done(saved)

    # -- saving -------------------------------------------------------------------------------

    @Slot()
    def accept(self) -> None:
        if self._busy:
            return
        self.fields.clear()
        self.banner.hide()
        say(self.message, "")
        call, errors = self.call()
        if errors or call is None:
            self._show_fields(errors)
            self._tell(False)
            return
        self._set_busy(True)
        self._runner.change(call, self._saved, self._failed, owner=self)

    @Slot()
    def reject(self) -> None:
        """Cancel or Esc: asks first when something typed is not saved."""
        if self._busy:
            return
        ask_about_unsaved(self, [self], lambda: self.isVisible() and QDialog.reject(self),
                          doing=self.tr("before the form closes"))

    def _saved(self, view: object) -> None:
        self._set_busy(False)
        self.saved.emit(view)
        super().accept()
        self._tell(True)

    def _failed(self, error: object) -> None:
        self._set_busy(False)
        self._tell(False)
        if isinstance(error, ValidationError):
            self._show_fields(error.fields)
        else:                       # StaleVersion names who saved what; the rest as told
            self.banner.setText(describe_error(error))
            self.banner.show()

    def _show_fields(self, errors: dict[str, str]) -> None:
        rest = self.fields.show(errors)
        say(self.message, "\n".join(rest.values()))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
