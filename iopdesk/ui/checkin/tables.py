"""The Check-in area's tables: read-only, compact, and as high as the lines they should show
(the meetings above keep to a few lines so that the day's list below keeps the room)."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from iopdesk.ui.table_model import record_table


def area_table(parent: QWidget, model, name: str) -> QTableView:
    """A read-only table of `model`: rows chosen whole, columns fitted to their contents."""
    table = record_table(parent, model, name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setTabKeyNavigation(False)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def fit_rows(table: QTableView, rows: int) -> None:
    """As high as `rows` lines (at least one)."""
    table.setFixedHeight(table.verticalHeader().defaultSectionSize() * max(1, rows)
                         + table.horizontalHeader().sizeHint().height()
                         + 2 * table.frameWidth())
