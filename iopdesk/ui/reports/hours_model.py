"""The week's hours in the Reports area: one line per participant with an episode open in the
week (services.attendance.hours), the figures the hours report prints."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from iopdesk.domain.attendance import WeekStatus
from iopdesk.domain.attendance_views import WeekHours
from iopdesk.ui.table_model import RowIdRole, RowsTableModel
from iopdesk.ui.today.attention import hours_text

Index = QModelIndex | QPersistentModelIndex
STATUS_TEXT = {WeekStatus.MET: QT_TRANSLATE_NOOP("HoursModel", "Met"),
               WeekStatus.ON_TRACK: QT_TRANSLATE_NOOP("HoursModel", "On track"),
               WeekStatus.AT_RISK: QT_TRANSLATE_NOOP("HoursModel", "At risk"),
               WeekStatus.NOT_MET: QT_TRANSLATE_NOOP("HoursModel", "Not met")}
STATUS_COLOR = {WeekStatus.AT_RISK: "#8a5300", WeekStatus.NOT_MET: "#a61b1b"}


class HoursModel(RowsTableModel):
    """Columns: Participant, Chart, Track, Hours, Minimum, Status."""

    NAME, CHART, TRACK, HOURS, MINIMUM, STATUS = range(6)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers = (self.tr("Participant"), self.tr("Chart"), self.tr("Track"),
                         self.tr("Hours"), self.tr("Minimum"), self.tr("Status"))

    def set_rows(self, weeks: tuple[WeekHours, ...]) -> None:
        self.beginResetModel()
        self._rows = list(weeks)
        self.endResetModel()

    def row_at(self, row: int) -> WeekHours:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        week = self._rows[index.row()]
        if role == RowIdRole:
            return week.participant_id
        if role == Qt.ItemDataRole.ForegroundRole:      # the status alone, in its colour
            color = STATUS_COLOR.get(week.status) if index.column() == self.STATUS else None
            return QColor(color) if color else None
        return super().data(index, role)

    def status_text(self, status: WeekStatus) -> str:
        return self.tr(STATUS_TEXT.get(status, str(status)))

    def _display(self, week: WeekHours, column: int) -> str | None:
        if column == self.NAME:
            return week.name
        if column == self.CHART:
            return week.chart_number
        if column == self.TRACK:
            return week.track_name
        if column == self.HOURS:
            return hours_text(week.total_minutes)
        if column == self.MINIMUM:
            return hours_text(week.minimum_minutes)
        if column == self.STATUS:
            return self.status_text(week.status)
        return None
