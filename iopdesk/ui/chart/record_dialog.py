"""What the chart's record editors share (STYLE point 5: contacts, consents, admissions,
diagnoses): a form of named fields, a save as new or as update (with the version it loaded) as
a change operation, every ValidationError message at its field, and a refused save over a
newer version told in a banner with what was typed kept. It knows when it holds unsaved edits
(ui.unsaved): Cancel, Esc, or closing the chart or the session over it asks
Save / Discard / Cancel.

A dialog says what it saves (`call`); optionally, which other refusals belong at a field
(`error_fields`: an admission over an active episode, at its date), that it cannot be saved
until something loads (`set_ready`), which fields it fills itself after showing
(`filling`: choices loaded on a worker are not the user's edits), and how to read the saved
version of what it edits (`saved_version` and `load`): then a refused save over a newer
version offers "Load the saved version". A dialog that edits a stored record names it
(`watched_record`): when someone else saves that record while it is open — here or at another
workstation — the banner says who, before its user tries to save."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from iopdesk.domain.changes import ChangeSet, RecordKind
from iopdesk.domain.errors import StaleVersion, ValidationError
from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import (BANNER_STYLE, ERROR_STYLE, FieldMessages, error_label,
                              save_cancel_buttons, say)
from iopdesk.ui.unsaved import DialogEdits


class RecordDialog(DialogEdits, QDialog):
    saved = Signal(object)          # the read model as stored

    def __init__(self, runner, parent: QWidget | None = None):
        super().__init__(parent)
        self._runner = runner
        self._busy = False
        self._ready = True                          # False: cannot be saved yet (loading)
        self.banner = QLabel(self)
        self.banner.setObjectName("recordBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.reload_button = QPushButton(self.tr("Load the saved version"), self)
        self.reload_button.setObjectName("loadSavedVersion")
        self.reload_button.hide()
        self.reload_button.clicked.connect(self.reload)
        self.fields = FieldMessages(rooms=True)  # no field moves under a message
        self.form = QFormLayout()
        self.message = error_label(self, "recordMessage")
        self.buttons, self.save_button = save_cancel_buttons(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def call(self) -> tuple[Callable[[], Any] | None, dict[str, str]]:
        """The service call to make, or the messages of fields read here (a subclass's job)."""
        raise NotImplementedError

    def error_fields(self, error: object) -> Mapping[str, str] | None:
        """The messages of a refused save to show at fields (None: it goes in the banner).
        A subclass may place more than ValidationError (a Conflict, at the field it is
        about)."""
        return error.fields if isinstance(error, ValidationError) else None

    def saved_version(self) -> Callable[[], Any] | None:
        """A query reading the stored version of the record edited (None: nothing to load,
        as when adding). With it, a save refused over a newer version offers to load it."""
        return None

    def load(self, view: Any) -> None:
        """Show `view`, the saved version, in the fields (a subclass with `saved_version`)."""
        raise NotImplementedError

    def watched_record(self) -> tuple[RecordKind, int] | None:
        """The stored record this dialog edits (None when adding): others' saves of it are
        told as they arrive. A dialog returning one sets `_services` and `_actor`."""
        return None

    def set_ready(self, ready: bool) -> None:
        """Whether the form can be saved at all yet (its choices loaded, say)."""
        self._ready = ready
        self.save_button.setEnabled(ready and not self._busy)

    def show_error(self, error: object) -> None:
        """A refusal or failure: at its fields when it names them, else in the banner."""
        fields = self.error_fields(error)
        if fields:
            self._show_fields(dict(fields))
        else:                       # StaleVersion names who saved what; the rest as told
            self.banner.setText(describe_error(error))
            self.banner.show()
            self.reload_button.setVisible(isinstance(error, StaleVersion)
                                          and self.saved_version() is not None)

    @Slot()
    def reload(self) -> None:
        """Load the saved version: what was typed here is replaced by it."""
        fetch = self.saved_version()
        if fetch is None or self._busy:
            return
        self._set_busy(True)
        self._runner.submit(fetch, self._reloaded, self._failed, owner=self)

    def _reloaded(self, view: Any) -> None:
        self._set_busy(False)
        self.load(view)
        self.remember_shown()               # the saved version is what is shown now
        self.banner.hide()
        self.reload_button.hide()
        self.fields.clear()
        self.message.setStyleSheet("")
        say(self.message, self.tr("The saved version is shown; make your change again."))

    # -- unsaved edits: ui.unsaved.DialogEdits ------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._shown_state is None:
            self.remember_shown()
            if self.watched_record() is not None:
                from iopdesk.ui.changes import change_bus

                change_bus(self._services).changed.connect(self._changed_elsewhere)

    # -- someone else saves the record being edited ------------------------------------------

    @Slot(object)
    def _changed_elsewhere(self, change_set: ChangeSet) -> None:
        watched = self.watched_record()
        if watched is None or self._busy or change_set.everything \
                or not change_set.touches(watched[0], record_id=watched[1]) \
                or change_set.made_by(self._actor.user_id, self._actor.workstation):
            return
        who = change_set.describe(self._services.settings.time_zone())
        self.banner.setText(self.tr(
            "{who} changed this record after you opened it. What you typed is still here; "
            "saving it would be refused. Load the saved version to see their change, then "
            "make yours again.").format(who=who))
        self.banner.show()
        self.reload_button.setVisible(self.saved_version() is not None)

    # -- saving -------------------------------------------------------------------------------

    @Slot()
    def accept(self) -> None:
        if self._busy:
            return
        if not self._ready:
            self.tell_saved(False)
            return
        self.fields.clear()
        self.banner.hide()
        self.reload_button.hide()
        self.message.setStyleSheet(ERROR_STYLE)
        say(self.message, "")
        call, errors = self.call()
        if errors or call is None:
            self._show_fields(errors)
            self.tell_saved(False)
            return
        self._set_busy(True)
        self._runner.change(call, self._saved, self._failed, owner=self)

    @Slot()
    def reject(self) -> None:
        """Cancel or Esc: asks first when something typed is not saved."""
        if self._busy:
            return
        self.ask_before_closing()

    def _saved(self, view: object) -> None:
        self._set_busy(False)
        self.saved.emit(view)
        super().accept()
        self.tell_saved(True)

    def _failed(self, error: object) -> None:
        self._set_busy(False)
        self.tell_saved(False)
        self.show_error(error)

    def _show_fields(self, errors: dict[str, str]) -> None:
        rest = self.fields.show(errors)
        say(self.message, "\n".join(rest.values()))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(self._ready and not busy)
        self.reload_button.setEnabled(not busy)
