"""What the chart's tabs share. Every tab (`ChartTab`): what it reads with and for whom, its
object name, a message line, and its editors opened so that a save reloads it. The record
tabs (`RecordListTab`: contacts, consents, …): a row of buttons, the message line and a table
of one kind of record; the list loads on a worker and keeps the selected record across a
reload.

A record tab says what it lists (`list_call`), which buttons it has (`make_buttons`, with
`button`) and when they are enabled (`update_buttons`); the rest is here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import ERROR_STYLE
from iopdesk.ui.table_model import record_table

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner


def row_button(parent: QWidget, row: QHBoxLayout, text: str, name: str,
               slot: Callable[[], object]) -> QPushButton:
    """A push button of a tab's button row: `text` (with its mnemonic), object name `name`,
    calling `slot` when clicked; added to `row`."""
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.clicked.connect(slot)
    row.addWidget(button)
    return button


class ChartTab(QWidget):
    """The head of a chart tab, made as ui.chart.tabs makes it: the services, the acting user
    and the runner it reads with, the participant and the chart's summary; its object name
    `<NAME>Tab`; and its message line `<NAME>Message` (hidden, word-wrapped), which the tab
    places in its layout. A tab has a `reload` slot (what a dialog's save calls)."""

    dialog_opened = Signal(object)      # an editor opened by `open_dialog`

    NAME = "chart"

    def __init__(self, services: Services, actor: Actor, runner: Runner, participant_id: int,
                 summary, parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self._runner = runner
        self.participant_id = participant_id
        self.summary = summary
        self.setObjectName(f"{self.NAME}Tab")
        self.message = QLabel(self)
        self.message.setObjectName(f"{self.NAME}Message")
        self.message.setWordWrap(True)
        self.message.hide()

    def show_message(self, text: str, *, error: bool = False) -> None:
        """The message line (in red for an `error`); empty text takes it away."""
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def open_dialog(self, dialog: QWidget, on_saved: Callable[[], object] | None = None
                    ) -> QWidget:
        """Show an editor of this tab's records; its save calls `on_saved`, a slot of the tab
        (its `reload` unless told). (The slot itself, not a closure over `self`: a closure
        held by the dialog could be the tab's last reference, dropped while the dialog is
        being deleted, taking the dialog with it.)"""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.saved.connect(on_saved if on_saved is not None else self.reload)
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog


class RecordListTab(ChartTab):
    loaded = Signal()

    NAME = "records"            # object names: <NAME>Tab, <NAME>Table, <NAME>Message
    EMPTY = "Nothing on record yet."

    def __init__(self, services: Services, actor: Actor, runner: Runner, participant_id: int,
                 summary, parent: QWidget | None = None):
        super().__init__(services, actor, runner, participant_id, summary, parent)
        self.model = self.make_model()
        self.table = record_table(self, self.model, f"{self.NAME}Table")
        self.table.doubleClicked.connect(self.edit)
        self.buttons = QHBoxLayout()
        self.make_buttons()
        self.buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(self.buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self._selection_changed()
        self.reload()

    # -- what a tab says ----------------------------------------------------------------------

    def make_model(self) -> QAbstractTableModel:
        raise NotImplementedError

    def make_buttons(self) -> None:
        """Add the tab's buttons with `button`."""

    def list_call(self) -> Callable[[], Sequence[Any]]:
        """The service call listing the records. It must not hold the tab (a closure over
        `self` could be the tab's last reference, dropped on the worker: see ui.operations)."""
        raise NotImplementedError

    def update_buttons(self, chosen: Any | None) -> None:
        """Enable the buttons for the record `chosen` (None: nothing selected)."""

    @Slot()
    def edit(self) -> object | None:
        """Double-click or Edit…: the tab's editor for the selected record."""
        return None

    # -- shared -------------------------------------------------------------------------------

    def button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        return row_button(self, self.buttons, text, name, slot)

    def selected(self) -> Any | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    @Slot()
    def _selection_changed(self, *_args) -> None:
        self.update_buttons(self.selected())

    @Slot()
    def reload(self) -> None:
        self._runner.submit(self.list_call(), self._show, self._failed, owner=self)

    def _show(self, rows: Sequence[Any]) -> None:
        chosen = self.selected()
        self.model.set_rows(tuple(rows))
        if chosen is not None:
            for row in range(self.model.rowCount()):
                if self.model.row_at(row).id == chosen.id:
                    self.table.selectRow(row)
        self.show_message(self.tr(self.EMPTY) if not rows else "")
        self.loaded.emit()

    def _failed(self, error: object) -> None:
        self.show_message(describe_error(error), error=True)
