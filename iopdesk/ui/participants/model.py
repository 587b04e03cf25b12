"""The participant list as a Qt table model: pages fetched on a worker, keyset-continued.

The model holds only the rows fetched so far. `set_query(text)` starts a new search; the
first page replaces the rows when it arrives (results of a query typed over since are
dropped, by sequence number), and `fetchMore` asks for the next page with the last page's
`next_after`. No call ever waits on the database on the GUI thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLocale, QModelIndex, Signal

from iopdesk.domain.enums import EpisodeStatus
from iopdesk.domain.readmodels import Page, ParticipantRow
from iopdesk.ui.errors import describe_error
from iopdesk.ui.table_model import Index, RowIdRole, RowsTableModel

if TYPE_CHECKING:
    from iopdesk.services import Actor
    from iopdesk.services.participants import ParticipantService
    from iopdesk.ui.operations import Runner

PAGE_SIZE = 100
ParticipantIdRole = RowIdRole



def _tr(text: str) -> str:
    return QCoreApplication.translate("ParticipantTableModel", text)


def _status_text(status: EpisodeStatus | None) -> str:
    return {EpisodeStatus.REFERRED: _tr("Referred"), EpisodeStatus.ACTIVE: _tr("Active"),
            EpisodeStatus.DISCHARGED: _tr("Discharged")}.get(status, "")


def birth_date_format(locale: QLocale) -> str:
    """The locale's short date format with a four-digit year and two-digit day and month
    (a birth date must be unambiguous); ISO 8601 when there is no real locale."""
    if locale.language() == QLocale.Language.C:
        return "yyyy-MM-dd"
    fmt = locale.dateFormat(QLocale.FormatType.ShortFormat)
    fmt = re.sub(r"y+", "yyyy", fmt)
    fmt = re.sub(r"(?<!d)d(?!d)", "dd", fmt)
    return re.sub(r"(?<!M)M(?!M)", "MM", fmt)


class ParticipantTableModel(RowsTableModel):
    """Columns: Chart #, Name, Date of birth, Phone, Status, Track."""

    CHART, NAME, BIRTH, PHONE, STATUS, TRACK = range(6)

    search_finished = Signal(str, int)    # the text searched, rows shown after the first page
    loading_changed = Signal(bool)
    search_failed = Signal(str)           # a message for the user

    def __init__(self, participants: ParticipantService, actor: Actor, runner: Runner, *,
                 page_size: int = PAGE_SIZE, parent=None):
        super().__init__(parent)
        self._participants = participants
        self._actor = actor
        self._runner = runner
        self._page_size = page_size
        self._rows: list[ParticipantRow] = []
        self._text = ""
        self._filters: dict[str, object] = {}   # status, track_id, primary_clinician_id
        self._next_after: tuple | None = None
        self._sequence = 0          # bumped by every new query; older answers are stale
        self._searching = False     # a first page is on its way
        self._fetching = False      # a next page is on its way
        self._date_format = birth_date_format(QLocale())
        self._headers = (_tr("Chart #"), _tr("Name"), _tr("Date of birth"), _tr("Phone"),
                         _tr("Status"), _tr("Track"))

    # -- the query ------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self._text

    @property
    def loading(self) -> bool:
        return self._searching or self._fetching

    @property
    def has_more(self) -> bool:
        return self._next_after is not None

    def set_query(self, text: str) -> None:
        """Search for `text` (empty: everyone); the rows are replaced when the answer comes."""
        self._sequence += 1
        sequence = self._sequence
        self._text = text
        self._fetching = False
        self._set_searching(True)
        self._runner.submit(self._page_call(text, None),
                            lambda page: self._first_page_arrived(sequence, text, page),
                            lambda error: self._failed(sequence, error), owner=self)

    def refresh(self) -> None:
        self.set_query(self._text)

    @property
    def filters(self) -> dict[str, object]:
        return dict(self._filters)

    def set_filters(self, *, status: EpisodeStatus | None = None, track_id: int | None = None,
                    primary_clinician_id: int | None = None) -> None:
        """Show only participants with this status, in this track, of this clinician (None:
        any), for the text already searched."""
        filters = {"status": status, "track_id": track_id,
                   "primary_clinician_id": primary_clinician_id}
        self._filters = {name: value for name, value in filters.items() if value is not None}
        self.refresh()

    def _page_call(self, text: str, after: tuple | None) -> Callable[[], Page[ParticipantRow]]:
        """The service call for one page, for a worker: it touches nothing of this model."""
        return partial(self._participants.search, self._actor, text, after=after,
                       limit=self._page_size, **self._filters)

    def _first_page_arrived(self, sequence: int, text: str, page: Page[ParticipantRow]) -> None:
        if sequence != self._sequence:
            return
        self.beginResetModel()
        self._rows = list(page.rows)
        self._next_after = page.next_after
        self.endResetModel()
        self._set_searching(False)
        self.search_finished.emit(text, len(self._rows))

    def _next_page_arrived(self, sequence: int, page: Page[ParticipantRow]) -> None:
        if sequence != self._sequence:
            return
        self._fetching = False
        if page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self._next_after = page.next_after
            self.endInsertRows()
        else:
            self._next_after = page.next_after
        self.loading_changed.emit(self.loading)

    def _failed(self, sequence: int, error: object) -> None:
        message = describe_error(error)
        if sequence != self._sequence:
            return  # a query typed over since; the current one reports its own outcome
        self._fetching = False
        self._set_searching(False)
        self.search_failed.emit(message)

    def _set_searching(self, searching: bool) -> None:
        was = self.loading
        self._searching = searching
        if was != self.loading:
            self.loading_changed.emit(self.loading)

    # -- paging ---------------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return (not parent.isValid() and self._next_after is not None
                and not self._searching and not self._fetching)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        sequence, text, after = self._sequence, self._text, self._next_after
        self._fetching = True
        self.loading_changed.emit(True)
        self._runner.submit(self._page_call(text, after),
                            lambda page: self._next_page_arrived(sequence, page),
                            lambda error: self._failed(sequence, error), owner=self)

    # -- the table ------------------------------------------------------------------------

    def row_at(self, row: int) -> ParticipantRow:
        return self._rows[row]

    def _display(self, row: ParticipantRow, column: int) -> str | None:
        if column == self.CHART:
            return row.chart_number
        if column == self.NAME:
            return row.display_name
        if column == self.BIRTH:
            return self._format_date(row.date_of_birth)
        if column == self.PHONE:
            return row.phone
        if column == self.STATUS:
            return _status_text(row.status)
        if column == self.TRACK:
            return row.track_name
        return None

    def _format_date(self, value: date) -> str:
        return QLocale().toString(value, self._date_format)
