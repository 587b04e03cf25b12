"""The clinician's caseload on Today: their active participants (primary clinician), by name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLocale, Qt

from iopdesk.ui.participants.model import birth_date_format
from iopdesk.ui.table_model import Index, RowIdRole, RowsTableModel
from iopdesk.ui.today.parts import ChartRole

if TYPE_CHECKING:
    from iopdesk.domain.clinical import CaseloadRow


class CaseloadModel(RowsTableModel):
    """Columns: Chart #, Name, Track, Admitted, Last attended."""

    CHART, NAME, TRACK, ADMITTED, LAST = range(5)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers = (self.tr("Chart #"), self.tr("Name"), self.tr("Track"),
                         self.tr("Admitted"), self.tr("Last attended"))
        self._format = birth_date_format(QLocale())

    def set_rows(self, rows: tuple[CaseloadRow, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> CaseloadRow:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (RowIdRole, ChartRole) and index.isValid() \
                and 0 <= index.row() < len(self._rows):
            row = self._rows[index.row()]
            return row.participant_id if role == RowIdRole else row.chart_number
        return super().data(index, role)

    def _display(self, row: CaseloadRow, column: int) -> str | None:
        if column == self.CHART:
            return row.chart_number
        if column == self.NAME:
            return row.display_name
        if column == self.TRACK:
            return row.track_name
        if column == self.ADMITTED:
            return QLocale().toString(row.admission_date, self._format)
        if column == self.LAST:
            return (QLocale().toString(row.last_attended, self._format)
                    if row.last_attended else self.tr("Not yet"))
        return None
