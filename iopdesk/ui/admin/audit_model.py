"""The audit log as a table: newest first, one page at a time, fetched on a worker.

`set_filter(selection)` starts over; `load_more()` asks for the events before the oldest one
shown. Answers to a filter changed since are dropped (by sequence number).

A participant is shown as people know them, "Okafor, Samuel (1001)" (name and chart number),
never by the internal id the event was recorded with.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QModelIndex, Signal

from iopdesk.domain.audit import AuditEntry, AuditFilter
from iopdesk.domain.enums import AuditOutcome
from iopdesk.domain.readmodels import AuditRow, AuditSelection
from iopdesk.ui.errors import describe_error
from iopdesk.ui.table_model import RowIdRole, RowsTableModel

if TYPE_CHECKING:
    from iopdesk.domain.readmodels import Page
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

PAGE_SIZE = 200
PARTICIPANTS = "participants"       # the entity whose id is a participant's
AuditIdRole = RowIdRole


def _tr(text: str) -> str:
    return QCoreApplication.translate("AuditModel", text)


def participant_text(entry: AuditEntry) -> str:
    """Who the event names: "Okafor, Samuel (1001)"; "" for no one. Never the internal id."""
    if entry.participant_id is None:
        return ""
    if isinstance(entry, AuditRow) and entry.chart_number:
        return entry.participant_label
    return _tr("(not on file)")


def outcome_text(outcome: AuditOutcome) -> str:
    return {AuditOutcome.OK: _tr("ok"), AuditOutcome.REFUSED: _tr("refused"),
            AuditOutcome.FAILED: _tr("failed")}.get(outcome, str(outcome))


class AuditModel(RowsTableModel):
    WHEN, USER, WORKSTATION, ACTION, OUTCOME, PARTICIPANT, RECORD, DETAIL = range(8)

    page_loaded = Signal(int)       # rows shown in all
    load_failed = Signal(str)
    loading_changed = Signal(bool)

    def __init__(self, services: Services, actor: Actor, runner: Runner, *,
                 page_size: int = PAGE_SIZE, parent=None):
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self._runner = runner
        self._clock = services.settings.clock()      # read again with every first page
        self._page_size = page_size
        self._rows: list[AuditEntry] = []
        self._filter: AuditFilter = AuditSelection()
        self._before: int | None = None
        self._sequence = 0
        self._loading = False
        self._headers = (_tr("When"), _tr("User"), _tr("Workstation"), _tr("Action"),
                         _tr("Outcome"), _tr("Participant"), _tr("Record"), _tr("Detail"))

    @property
    def selection(self) -> AuditFilter:
        return self._filter

    @property
    def has_more(self) -> bool:
        return self._before is not None

    @property
    def loading(self) -> bool:
        return self._loading

    def entry_at(self, row: int) -> AuditEntry:
        return self._rows[row]

    def entries(self) -> tuple[AuditEntry, ...]:
        return tuple(self._rows)

    def set_filter(self, selection: AuditFilter) -> None:
        """Show the newest events that match `selection` (replacing what is shown)."""
        self._filter = selection
        self._sequence += 1
        self._request(self._sequence, None, replace=True)

    def refresh(self) -> None:
        self.set_filter(self._filter)

    def load_more(self) -> None:
        if self._before is None or self._loading:
            return
        self._request(self._sequence, self._before, replace=False)

    def _request(self, sequence: int, before: int | None, *, replace: bool) -> None:
        audit, actor, limit = self._services.audit, self._actor, self._page_size
        options = asdict(self._filter)
        self._set_loading(True)
        self._runner.submit(
            lambda: audit.search(actor, before_id=before, limit=limit, **options),
            lambda page: self._arrived(sequence, page, replace),
            lambda error: self._failed(sequence, error), owner=self)

    def _arrived(self, sequence: int, page: Page[AuditEntry], replace: bool) -> None:
        if sequence != self._sequence:
            return
        if replace:
            self.beginResetModel()
            self._clock = self._services.settings.clock()
            self._rows = list(page.rows)
            self.endResetModel()
        elif page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()
        self._before = page.next_after[0] if page.next_after else None
        self._set_loading(False)
        self.page_loaded.emit(len(self._rows))

    def _failed(self, sequence: int, error: object) -> None:
        message = describe_error(error)
        if sequence != self._sequence:
            return
        self._set_loading(False)
        self.load_failed.emit(message)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    # -- the table ------------------------------------------------------------------------

    def _display(self, entry: AuditEntry, column: int) -> str | None:
        if column == self.WHEN:
            return self._clock.date_time(entry.occurred_at)
        if column == self.USER:
            return entry.username
        if column == self.WORKSTATION:
            return entry.workstation
        if column == self.ACTION:
            return entry.action
        if column == self.OUTCOME:
            return outcome_text(entry.outcome)
        if column == self.PARTICIPANT:
            return participant_text(entry)
        if column == self.RECORD:
            if not entry.entity:
                return ""
            if entry.entity_id is None or entry.entity == PARTICIPANTS:
                return entry.entity      # a participant's id: the column before names them
            return f"{entry.entity} #{entry.entity_id}"
        if column == self.DETAIL:
            return entry.detail
        return None
