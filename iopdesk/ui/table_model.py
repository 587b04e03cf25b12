"""The read-only table over a list of read models that every list screen shares."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex
RowIdRole = Qt.ItemDataRole.UserRole + 1      # each row's record id


class RowsTableModel(QAbstractTableModel):
    """Rows are frozen read models with an `id`; a subclass sets `_headers`, fills `_rows`
    (with the begin/end calls Qt asks for) and says what each cell shows in `_display`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers: tuple[str, ...] = ()
        self._rows: list[Any] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self._headers)):
            return self._headers[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._display(row, index.column())
        if role == RowIdRole:
            return row.id
        return self._decoration(row, role)

    def _display(self, row: Any, column: int) -> str | None:
        """The text of one cell (a subclass's job)."""
        return None

    def _decoration(self, row: Any, role: int) -> Any:
        """Anything else a subclass shows (colours, fonts) for `role`."""
        return None


def record_table(parent: QWidget, model: QAbstractTableModel, name: str) -> QTableView:
    """A table of records: whole rows selected one at a time, no row numbers. Tab moves on to
    the next field (arrows move between rows): with Qt's tab navigation, Tab goes round the
    table's cells for ever and the keyboard never leaves it."""
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    return table
