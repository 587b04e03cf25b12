"""The unsaved work of a locked session, asked about as one form when IOPDesk quits or a
backup is restored (ui.session): named by its user only, saved form by form by each form."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from iopdesk.ui.errors import show_error


def alive(widget: QWidget | None) -> bool:
    return widget is not None and shiboken6.isValid(widget)


class LockedSessionEdits(QObject):
    """The unsaved work of a locked session, asked about as one form when IOPDesk quits
    (`ui.unsaved.HoldsEdits`). It is named by its user only: whoever is quitting sees nothing
    of the records. Saved form by form, each by its own form (as the locked user); a refusal
    is told here, since the form that says why stays hidden."""

    def __init__(self, name: str, forms: list[QWidget], asker: QWidget, parent: QObject):
        """`name`: the locked session's user, as shown."""
        super().__init__(parent)
        self._name = name
        self._forms = forms
        self._asker = asker
        self._pending: list[QWidget] = []
        self._done: Callable[[bool], None] | None = None
        self.setProperty("formTitle", self.tr("{name}'s locked session").format(
            name=self._name))

    @property
    def saving(self) -> bool:
        return self._done is not None

    def has_unsaved_edits(self) -> bool:
        return any(alive(form) and form.has_unsaved_edits() for form in self._forms)

    def save_edits(self, done: Callable[[bool], None]) -> None:
        self._done = done
        self._pending = list(self._forms)
        self._save_next()

    def discard_edits(self) -> None:
        for form in self._forms:
            if alive(form) and form.has_unsaved_edits():
                form.discard_edits()

    def window(self) -> QWidget:
        """Where the question was asked (`ui.unsaved` brings it forward after a refusal)."""
        return self._asker

    def setFocus(self) -> None:
        """The forms stay hidden: the keyboard stays where it is."""

    def _save_next(self) -> None:
        while self._pending and not (alive(self._pending[0])
                                     and self._pending[0].has_unsaved_edits()):
            self._pending.pop(0)
        if not self._pending:
            self._finish(True)
            return
        self._pending.pop(0).save_edits(self._saved)

    def _saved(self, saved: bool) -> None:
        if saved:
            self._save_next()
            return
        self._pending = []
        if alive(self._asker):
            show_error(self._asker, self.tr("Quit"), self.tr(
                "{name}'s changes could not be saved. IOPDesk stays open: {name} can unlock "
                "and see to them.").format(name=self._name))
        self._finish(False)

    def _finish(self, saved: bool) -> None:
        done, self._done = self._done, None
        if done is not None:
            done(saved)
