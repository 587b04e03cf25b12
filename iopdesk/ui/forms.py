"""What every form shares: a red message under a field, and ValidationError shown at its fields.

A form registers its fields by the names the services use (`username`, `display_name`, ...);
`FieldMessages.show(error.fields)` puts each message under its field and returns the messages
no field claimed, for the form's general message line. `keep_message_room` gives an error
line its one line of room from the start, so a message showing moves no field below it.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import (QAbstractButton, QAbstractSpinBox, QComboBox, QDateEdit,
                               QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QSizePolicy, QTextEdit, QWidget)

ERROR_STYLE = "color: #b00020;"
BANNER_STYLE = ("color: white; background-color: #b00020; padding: 6px; "
                "border-radius: 3px;")


def error_label(parent: QWidget, name: str) -> QLabel:
    """A hidden, word-wrapped red label; `say` shows text in it."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def save_cancel_buttons(dialog: QDialog) -> tuple[QDialogButtonBox, QPushButton]:
    """A form dialog's Save and Cancel (Enter saves: `accept`; Esc and Cancel: `reject`)."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                               | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, buttons.button(QDialogButtonBox.StandardButton.Save)


def say(label: QLabel, text: str, *, fit: bool = True) -> None:
    """Show a message in `label`, or take the empty line away. With `fit`, the window grows
    if the message needs room (it never shrinks under the user: no jumping)."""
    if label.text() == text and (not label.isHidden()) == bool(text):
        return
    label.setText(text)
    label.setVisible(bool(text))
    window = label.window()
    if fit and text and window is not label and window.isVisible() \
            and not window.isMaximized():
        layout = window.layout()
        if layout is not None:
            layout.activate()
        window.resize(window.size().expandedTo(window.sizeHint()))


class MessageRoom(QWidget):
    """The room of a field's error line: one line high whether or not a message shows, so a
    message moves nothing below it (only one longer than a line at this width needs more,
    and takes it). It holds the label `error_label` made; `say` shows and hides the label."""

    def __init__(self, label: QLabel, parent: QWidget | None):
        super().__init__(parent)
        self.setObjectName(f"{label.objectName()}Room")
        self.label = label
        label.setParent(self)
        label.setGeometry(0, 0, 0, 0)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def _needed(self) -> int:
        line = self.label.fontMetrics().height()
        if self.label.isHidden() or self.width() <= 0:
            return line
        return max(line, self.label.heightForWidth(self.width()))

    def sizeHint(self) -> QSize:
        return QSize(self.label.fontMetrics().averageCharWidth() * 40, self._needed())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self._needed())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.label.setGeometry(0, 0, self.width(), self.height())
        if self._needed() != self.height():
            self.updateGeometry()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:    # the label's text or visibility
            self.updateGeometry()
            self.label.setGeometry(0, 0, self.width(), self.height())
        return super().event(event)


def keep_message_room(form: QFormLayout, label: QLabel) -> MessageRoom:
    """Put the error line `label` (a row of `form`, from FieldMessages.add_row) in a
    MessageRoom. The form's rows then need no spacing of their own: the rooms are the gaps."""
    row, _role = form.getWidgetPosition(label)
    form.removeWidget(label)
    room = MessageRoom(label, label.parentWidget())
    form.setWidget(row, QFormLayout.ItemRole.FieldRole, room)
    form.setVerticalSpacing(0)
    return room


def set_locked(edit: QWidget, locked: bool) -> None:
    """Make a text field read-only (`locked`) or editable, and let it look so: a locked field
    has the window's background instead of the white of one that takes typing."""
    edit.setReadOnly(locked)
    palette = edit.palette()
    source = edit.style().standardPalette()
    palette.setColor(QPalette.ColorRole.Base,
                     source.color(QPalette.ColorRole.Window if locked else QPalette.ColorRole.Base))
    edit.setPalette(palette)


def form_state(widgets) -> tuple:
    """What the input widgets among `widgets` (and their children) hold now, comparable with
    an earlier state: how a form knows it holds unsaved edits."""
    state: list[object] = []
    seen: set[int] = set()
    for top in widgets:
        for widget in (top, *top.findChildren(QWidget)):
            if id(widget) in seen:
                continue
            seen.add(id(widget))
            if isinstance(widget, QLineEdit):
                state.append(widget.text())
            elif isinstance(widget, QPlainTextEdit):
                state.append(widget.toPlainText())
            elif isinstance(widget, QTextEdit):
                state.append(widget.toPlainText())
            elif isinstance(widget, QComboBox):
                state.append(widget.currentIndex())
            elif isinstance(widget, QDateEdit):
                state.append(widget.date().toJulianDay())
            elif isinstance(widget, QAbstractSpinBox):
                state.append(widget.text())
            elif isinstance(widget, QAbstractButton) and widget.isCheckable():
                state.append(widget.isChecked())
    return tuple(state)


def field_key(name: str) -> str:
    """`admin.username` and `practice.name` name the same fields as `username` and `name`."""
    return name.rsplit(".", 1)[-1]


class FieldMessages:
    """The error labels of one form, by the service's field names. With `rooms`, each error
    line keeps its room (MessageRoom) so that a message never moves the fields below it."""

    def __init__(self, *, rooms: bool = False) -> None:
        self._rooms = rooms
        self._labels: dict[str, QLabel] = {}
        self._widgets: dict[str, QWidget] = {}
        self._limits: dict[QLineEdit, int] = {}

    def add_row(self, form: QFormLayout, text: str, widget: QWidget, name: str,
                *aliases: str) -> QLabel:
        """Add `widget` to `form` with an error line under it, known as `name` (and aliases)."""
        label = error_label(widget.parentWidget() or widget, f"{name}Error")
        form.addRow(text, widget)
        form.addRow("", label)
        if self._rooms:
            keep_message_room(form, label)
        for key in (name, *aliases):
            self._labels[key] = label
            self._widgets[key] = widget
        self._watch(widget, label)
        return label

    def _watch(self, widget: QWidget, label: QLabel) -> None:
        """A field's message goes as soon as the field is changed (typed, picked, ticked),
        not at the next save; a line edit over its limit says so at once instead."""
        for part in (widget, *widget.findChildren(QWidget)):
            if isinstance(part, QLineEdit):
                part.textEdited.connect(lambda text, label=label, edit=part:
                                        self._typed(label, edit, text))
            elif isinstance(part, (QPlainTextEdit, QTextEdit)):
                part.textChanged.connect(lambda label=label: say(label, ""))
            elif isinstance(part, QComboBox):
                part.activated.connect(lambda _index, label=label: say(label, ""))
            elif isinstance(part, QDateEdit):
                part.userDateChanged.connect(lambda _date, label=label: say(label, ""))
            elif isinstance(part, QAbstractButton) and part.isCheckable():
                part.clicked.connect(lambda _checked=False, label=label: say(label, ""))

    def limit(self, name: str, max_length: int) -> None:
        """Say at once, at the field, when what is typed or pasted into `name` is longer than
        `max_length` (instead of cutting a paste short without a word)."""
        widget = self._widgets[name]
        if isinstance(widget, QLineEdit):
            self._limits[widget] = max_length

    def _typed(self, label: QLabel, edit: QLineEdit, text: str) -> None:
        limit = self._limits.get(edit)
        if limit is not None and len(text) > limit:
            say(label, f"{len(text):,} characters: at most {limit:,} fit here")
        else:
            say(label, "")

    def names(self) -> frozenset[str]:
        return frozenset(self._labels)

    def widgets(self) -> list[QWidget]:
        """The field widgets, each once, in the order they were added."""
        return list(dict.fromkeys(self._widgets.values()))

    def label(self, name: str) -> QLabel:
        return self._labels[name]

    def widget(self, name: str) -> QWidget:
        return self._widgets[name]

    def clear(self) -> None:
        for label in set(self._labels.values()):
            say(label, "")

    def set(self, name: str, message: str) -> None:
        say(self._labels[name], message)

    def text(self, name: str) -> str:
        label = self._labels[name]
        return "" if label.isHidden() else label.text()

    def show(self, fields: Mapping[str, str]) -> dict[str, str]:
        """Put each message at its field; returns those that belong to no field here.
        The first field with a message gets the focus."""
        unclaimed: dict[str, str] = {}
        first: QWidget | None = None
        for name, message in fields.items():
            key = name if name in self._labels else field_key(name)
            if key in self._labels:
                say(self._labels[key], message)
                first = first or self._widgets[key]
            else:
                unclaimed[name] = message
        if first is not None:
            first.setFocus()
        return unclaimed

    def claims(self, name: str) -> bool:
        return name in self._labels or field_key(name) in self._labels
