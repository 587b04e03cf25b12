"""What Today's sections are built from: a bold heading, the quiet line said when a list is
empty (or could not be loaded), and `ListSection` — a titled list of people loaded through
the runner, where Enter or a double-click on a person asks for their chart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLocale, Qt, QTime, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                               QWidget)

from iopdesk.ui.errors import describe_error
from iopdesk.ui.table_model import RowIdRole

if TYPE_CHECKING:
    from iopdesk.domain.time import PracticeClock
    from iopdesk.ui.operations import Runner

ChartRole = Qt.ItemDataRole.UserRole + 2          # a person's chart number
TabRole = Qt.ItemDataRole.UserRole + 3            # the chart tab a queued document is in
QUIET = "color: palette(mid); padding: 8px;"
FAILED = "color: #842029; padding: 8px;"


def time_text(value: time) -> str:
    """A time of day in the locale's short format."""
    return QLocale().toString(QTime(value.hour, value.minute), QLocale.FormatType.ShortFormat)


def moment_text(clock: PracticeClock, moment: datetime | None) -> str:
    """A stored (UTC) moment as the time of day at the practice ('' for none)."""
    return time_text(clock.local(moment).time()) if moment is not None else ""


def heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


def section(box: QWidget, title: str, message: QLabel, view: QWidget) -> QWidget:
    """Lay out a section of Today: its title, the line said when its list is empty, the list."""
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(heading(title, box))
    layout.addWidget(message)
    layout.addWidget(view, 1)
    layout.addStretch(0)            # the room a hidden (empty) list leaves, below the line
    return box


def quiet(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    # right under the title, even when the section has room to spare
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setStyleSheet(QUIET)
    label.hide()
    return label


def flat_list(parent: QWidget, name: str, headers: list[str], stretch: int = 1) -> QTreeWidget:
    """A flat list of rows, its column `stretch` taking the width to spare."""
    tree = QTreeWidget(parent)
    tree.setObjectName(name)
    tree.setColumnCount(len(headers))
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return tree


def person_item(texts: list[str], participant_id: int, chart_number: str) -> QTreeWidgetItem:
    """A row naming a person: activating it opens their chart."""
    item = QTreeWidgetItem(texts)
    item.setData(0, RowIdRole, participant_id)
    item.setData(0, ChartRole, chart_number)
    return item


class ListSection(QWidget):
    """A titled list filled from one service call on a worker. Only the latest answer is
    shown (a reload asked while another is on its way replaces it); a failure is said in the
    section's line, so a list reloaded on every change never piles up message boxes."""

    loaded = Signal()                   # an answer (or a failure) is shown
    chosen = Signal(int, str)           # participant id, chart number: open the chart

    def __init__(self, title: str, name: str, tree: QTreeWidget,
                 fill: Callable[[Any], str | None], parent: QWidget):
        """`fill(result)` puts an answer in the list (cleared already) and gives the line to
        say when nothing is listed, or None when something is."""
        super().__init__(parent)
        self.tree = tree
        self._fill = fill
        tree.setParent(self)
        self.message = quiet(self, f"{name}Message")
        self._asked = 0
        tree.itemActivated.connect(self._activated)
        section(self, title, self.message, tree)

    def load(self, runner: Runner, fetch: Callable[[], Any]) -> None:
        """`fetch()` on a worker (it must hold no widget), then the list filled with its answer."""
        self._asked += 1
        asked = self._asked
        runner.submit(fetch, lambda result: self._arrived(asked, result),
                      lambda error: self._failed(asked, error), owner=self)

    def _arrived(self, asked: int, result: Any) -> None:
        if asked != self._asked:
            return
        self.tree.clear()
        empty = self._fill(result)
        self.message.setStyleSheet(QUIET)
        self.message.setText(empty or "")
        self.message.setVisible(empty is not None)
        self.tree.setVisible(empty is None)
        self.loaded.emit()

    def _failed(self, asked: int, error: object) -> None:
        if asked != self._asked:
            return
        self.message.setStyleSheet(FAILED)
        self.message.setText(self.tr("This list could not be loaded: {reason}").format(
            reason=describe_error(error)))
        self.message.show()
        self.loaded.emit()

    @Slot(QTreeWidgetItem, int)
    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        participant_id = item.data(0, RowIdRole)
        if participant_id is not None:
            self.chosen.emit(int(participant_id), str(item.data(0, ChartRole)))
