"""Unsaved work is never thrown away without asking (GNUmed's veto protocol, in our words).

A form that holds edits says so: it has `has_unsaved_edits()`, `save_edits(done)` (saves on a
worker, then calls `done(True)` when saved or `done(False)` when refused: the form then shows
why, and keeps the text) and `discard_edits()`. Whatever would throw its text away — reloading
a tab or a chart, closing a chart, logging out, quitting — first calls `ask_about_unsaved`
with the forms in question and what to do next: with nothing unsaved it goes on at once;
otherwise it asks Save / Discard / Cancel, and goes on only after Save succeeded or Discard.
Locking keeps the forms as they are (they are only hidden).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol, runtime_checkable

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


@runtime_checkable
class HoldsEdits(Protocol):
    def has_unsaved_edits(self) -> bool: ...

    def save_edits(self, done: Callable[[bool], None]) -> None: ...

    def discard_edits(self) -> None: ...


def unsaved_forms(*roots: QWidget) -> list[QWidget]:
    """The forms under `roots` (and the roots themselves) holding unsaved edits."""
    found: list[QWidget] = []
    for root in roots:
        if root is None or not shiboken6.isValid(root):
            continue
        for widget in (root, *root.findChildren(QWidget)):
            if isinstance(widget, HoldsEdits) and widget.has_unsaved_edits() \
                    and widget not in found:
                found.append(widget)
    return found


def ask_about_unsaved(parent: QWidget, forms: Iterable[QWidget], proceed: Callable[[], None],
                      *, doing: str) -> QMessageBox | None:
    """Run `proceed` now when no form holds edits; else ask first (the question box, which
    does not block the event loop). `doing` ends the question: 'before the chart closes'."""
    forms = [f for f in forms if shiboken6.isValid(f) and f.has_unsaved_edits()]
    if not forms:
        proceed()
        return None
    names = ", ".join(dict.fromkeys(_form_name(f) for f in forms))
    box = QMessageBox(QMessageBox.Icon.Question, parent.tr("Unsaved changes"),
                      parent.tr("{forms}: you have typed changes that are not saved. Save "
                                "them {doing}?").format(forms=names, doing=doing),
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("unsavedQuestion")
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

    def answered(button) -> None:
        choice = box.standardButton(button)
        if choice == QMessageBox.StandardButton.Save:
            _save_each(list(forms), proceed)
        elif choice == QMessageBox.StandardButton.Discard:
            for form in forms:
                if shiboken6.isValid(form):
                    form.discard_edits()
            proceed()

    box.buttonClicked.connect(answered)
    box.open()
    return box


def _save_each(forms: list[QWidget], proceed: Callable[[], None]) -> None:
    """Save the forms one after the other; go on when all are saved, stop at a refusal."""
    while forms and not (shiboken6.isValid(forms[0]) and forms[0].has_unsaved_edits()):
        forms.pop(0)
    if not forms:
        proceed()
        return
    form = forms.pop(0)

    def done(saved: bool) -> None:
        if saved:
            _save_each(forms, proceed)
        elif shiboken6.isValid(form):       # it says why; the user is where the text is
            form.window().raise_()
            form.setFocus()

    form.save_edits(done)


def _form_name(form: QWidget) -> str:
    title = form.property("formTitle")
    return str(title) if title else form.window().windowTitle() or form.objectName()


class DialogEdits:
    """The protocol for a QDialog whose fields are in `self.fields` (ui.forms.FieldMessages):
    what it shows first is remembered (call `remember_shown` once it is filled), a difference
    is an unsaved edit, `save_edits` saves through the dialog's own `accept`, and Esc/Cancel
    asks (`ask_before_closing`). The dialog calls `tell_saved(True/False)` when a save ends."""

    _shown_state: tuple | None = None
    _done: Callable[[bool], None] | None = None

    def remember_shown(self) -> None:
        from iopdesk.ui.forms import form_state

        self._shown_state = form_state(self.fields.widgets())

    @contextmanager
    def filling(self) -> Iterator[None]:
        """Fields filled by the dialog, not typed (choices that arrive after it showed): what
        they hold afterwards counts as shown, unless the user had typed something before."""
        from iopdesk.ui.forms import form_state

        untouched = (self._shown_state is None
                     or form_state(self.fields.widgets()) == self._shown_state)
        yield
        if untouched and self._shown_state is not None:
            self._shown_state = form_state(self.fields.widgets())

    def has_unsaved_edits(self) -> bool:
        from iopdesk.ui.forms import form_state

        # a dialog the lock hid (ui.session's "hiddenByLock") still holds its user's typing
        shown = self.isVisible() or bool(self.property("hiddenByLock"))
        return (shown and self._shown_state is not None
                and form_state(self.fields.widgets()) != self._shown_state)

    def save_edits(self, done: Callable[[bool], None]) -> None:
        self._done = done
        self.accept()

    def discard_edits(self) -> None:
        from PySide6.QtWidgets import QDialog

        self._shown_state = None
        QDialog.reject(self)

    def tell_saved(self, saved: bool) -> None:
        done, self._done = self._done, None
        if done is not None:
            done(saved)

    def ask_before_closing(self) -> None:
        from PySide6.QtWidgets import QDialog

        ask_about_unsaved(self, [self], lambda: self.isVisible() and QDialog.reject(self),
                          doing=self.tr("before the form closes"))
