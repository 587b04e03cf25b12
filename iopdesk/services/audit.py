"""The audit trail for administrators: search, CSV export (itself audited), chain check.

Events name a participant by the internal id they were recorded with; the search and the export
give each event the chart number and name of that participant too, and select a participant
the way people name one: by chart number or name (`participant`), never by the id.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from iopdesk.db.engine import BEGIN_OPTION
from iopdesk.db.models import AuditChainHead, AuditEvent, Participant
from iopdesk.domain.audit import AuditFilter, VerifyReport
from iopdesk.domain.names import prefix_upper_bound, search_key
from iopdesk.domain.readmodels import AuditRow, AuditSelection, Page
from iopdesk.services import audit_chain
from iopdesk.services.audit_mark import HighWaterMarks, Mark, MarkProblem
from iopdesk.services.context import Actor, ServiceContext
from iopdesk.services.files import private_writer
from iopdesk.services.permissions import Permission, requires

PAGE_SIZE = 200
CSV_COLUMNS = ("id", "occurred_at_utc", "username", "workstation", "action", "outcome",
               "participant_id", "chart_number", "participant", "entity", "entity_id",
               "detail")
MAX_WORDS = 12                  # of a participant typed in the filter (a name is shorter)
_SEPARATORS = re.compile(r"[,()]")
_NAME_KEYS = (Participant.last_name_key, Participant.first_name_key,
              Participant.preferred_name_key)
# Each event with the participant it names (none: the outer join's columns are NULL).
_NAMED = (select(AuditEvent, Participant.chart_number, Participant.last_name,
                 Participant.first_name, Participant.preferred_name)
          .outerjoin(Participant, Participant.id == AuditEvent.participant_id))


def _entry(row: AuditEvent, chart_number: str | None = None, last_name: str | None = None,
           first_name: str | None = None, preferred_name: str | None = None) -> AuditRow:
    return AuditRow(id=row.id, occurred_at=row.occurred_at, username=row.username,
                    workstation=row.workstation, action=row.action, outcome=row.outcome,
                    participant_id=row.participant_id, entity=row.entity,
                    entity_id=row.entity_id,
                    detail=json.dumps(row.detail, ensure_ascii=False, sort_keys=True)
                    if row.detail else "",
                    chart_number=chart_number or "", last_name=last_name or "",
                    first_name=first_name or "", preferred_name=preferred_name or "")


def participant_words(typed: str) -> tuple[str, ...]:
    """The words of a participant as typed in the filter, folded like the names' search keys:
    "Okafor, Samuel (1001)" → ("okafor", "samuel", "1001")."""
    return tuple(search_key(_SEPARATORS.sub(" ", typed)).split())


def _participants_named(typed: str):
    """The ids of the participants `typed` names: each word is the chart number (any case)
    or starts the last, first or preferred name. None for nothing typed; an empty
    selection for text that cannot name anyone ("((", or more words than a name has)."""
    if not typed.strip():
        return None
    words = participant_words(typed)
    if not words or len(words) > MAX_WORDS:
        return select(Participant.id).where(Participant.id.is_(None))
    each = [or_(func.lower(Participant.chart_number) == word,
                *(and_(key >= word, key < prefix_upper_bound(word)) for key in _NAME_KEYS))
            for word in words]
    return select(Participant.id).where(*each)


def _day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _csv_rows(session: Session, query) -> Iterator[tuple]:
    """The CSV row of each event `query` selects, read a batch at a time."""
    for values in session.execute(query.execution_options(yield_per=2000)):
        e = _entry(*values)
        yield (e.id, e.occurred_at.isoformat(), e.username, e.workstation, e.action,
               e.outcome.value, e.participant_id or "", e.chart_number, e.participant_name,
               e.entity, e.entity_id or "", e.detail)


def _filtered(query, selection: AuditSelection):
    if selection.username:
        query = query.where(AuditEvent.username == selection.username)
    if selection.participant_id is not None:
        query = query.where(AuditEvent.participant_id == selection.participant_id)
    named = _participants_named(selection.participant or "")
    if named is not None:
        query = query.where(AuditEvent.participant_id.in_(named))
    if selection.action:
        query = query.where(AuditEvent.action == selection.action)
    if selection.start is not None:
        query = query.where(AuditEvent.occurred_at >= _day_start(selection.start))
    if selection.end is not None:
        query = query.where(AuditEvent.occurred_at < _day_start(selection.end + timedelta(days=1)))
    return query


class AuditService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    @requires(Permission.VIEW_AUDIT, "audit.search")
    def search(self, actor: Actor, *, username: str | None = None,
               participant_id: int | None = None, action: str | None = None, start=None,
               end=None, participant: str | None = None, before_id: int | None = None,
               limit: int = PAGE_SIZE) -> Page[AuditRow]:
        """Events matching the filters, newest first, each with the chart number and name
        of the participant it names; `participant` is a chart number or a name (each word
        the chart number or the start of a name: none matching selects nothing); `before_id`
        continues a page."""
        limit = max(1, min(limit, 1000))
        selection = AuditSelection(username, participant_id, action, start, end, participant)
        query = _filtered(_NAMED, selection).order_by(AuditEvent.id.desc())
        if before_id is not None:
            query = query.where(AuditEvent.id < before_id)
        with self._ctx.unit_of_work() as session:
            rows = list(session.execute(query.limit(limit + 1)))
            more = len(rows) > limit
            entries = tuple(_entry(*r) for r in rows[:limit])
            self._ctx.audit(session, actor, "audit.search", detail=_described(selection))
        return Page(rows=entries, next_after=(entries[-1].id,) if more and entries else None)

    @requires(Permission.VIEW_AUDIT, "audit.actions")
    def actions(self, actor: Actor) -> tuple[str, ...]:
        with self._ctx.session_factory() as session:
            return tuple(session.scalars(select(AuditEvent.action).distinct()
                                         .order_by(AuditEvent.action)))

    @requires(Permission.VIEW_AUDIT, "audit.export")
    def export_csv(self, actor: Actor, path: Path, *, username: str | None = None,
                   participant_id: int | None = None, action: str | None = None, start=None,
                   end=None, participant: str | None = None, overwrite: bool = False) -> int:
        """Write the matching events to `path` as CSV (oldest first, selected as by
        `search`, each with the chart number and name of the participant it names),
        readable by its owner only; an existing file is replaced only with `overwrite`, and
        never one the user may not write (FileNotWritten: iopdesk.services.files); the number
        of events written.

        The events are read in a read-only transaction (one snapshot; it holds no write lock,
        so every other screen and workstation goes on saving during a long export) into a
        temporary file beside `path`. The export is then recorded in a short unit of work of
        its own, and only once that has committed does the file take its name: a failed read
        or write records nothing, and an export that could not be recorded leaves no file."""
        selection = AuditSelection(username, participant_id, action, start, end, participant)
        query = _filtered(_NAMED, selection).order_by(AuditEvent.id)
        written = 0

        def record() -> None:       # the file is complete and synced; not yet in place
            with self._ctx.unit_of_work() as session:
                self._ctx.audit(session, actor, "audit.export",
                                detail={**_described(selection), "rows": written,
                                        "file": Path(path).name})

        with private_writer(path, overwrite=overwrite, text=True, encoding="utf-8",
                            newline="", before_replace=record) as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            with self._reading() as session:
                for values in _csv_rows(session, query):
                    writer.writerow(values)
                    written += 1
        return written

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        """A read-only transaction: BEGIN DEFERRED on SQLite (a WAL snapshot that blocks no
        writer), not the unit of work's BEGIN IMMEDIATE, which takes the write lock."""
        with self._ctx.session_factory() as session:
            session.connection(execution_options={BEGIN_OPTION: "DEFERRED"})
            try:
                yield session
            finally:
                session.rollback()      # nothing was written: end the snapshot

    @requires(Permission.VIEW_AUDIT, "audit.verify")
    def verify(self, actor: Actor) -> VerifyReport:
        with self._ctx.session_factory() as session:
            report = audit_chain.verify(session, self._ctx.audit_key)
        with self._ctx.unit_of_work() as session:
            self._ctx.audit(session, actor, "audit.verify",
                            detail={"checked": report.checked, "ok": report.ok,
                                    "problem": report.problem or ""})
        return report

    @requires(Permission.MANAGE_PRACTICE, "audit.maintenance")
    def record_maintenance(self, actor: Actor, action: str, detail: dict | None = None) -> None:
        """Audit maintenance done outside the services (the demo build), naming the
        administrator who logged in to record it."""
        with self._ctx.unit_of_work() as session:
            self._ctx.audit(session, actor, action, detail=detail)

    def verify_unattended(self) -> VerifyReport:
        """The chain check of `iopdesk audit verify`: needs the key file, not a log-in."""
        with self._ctx.session_factory() as session:
            return audit_chain.verify(session, self._ctx.audit_key)

    def verify_against(self, marks: HighWaterMarks) -> VerifyReport:
        """`iopdesk audit verify`: the chain check with the high-water marks kept beside the
        key file; needs the key, not a log-in."""
        with self._ctx.session_factory() as session:
            return audit_chain.verify(session, self._ctx.audit_key, marks)

    def record_restore(self, marks: HighWaterMarks, restored_from: str) -> Mark | None:
        """After `iopdesk db restore`: the trail now ends where the backup's did, on purpose.
        Record the restore in the trail (with the mark it rewinds from) and move the mark
        back to the new end. Done from the command line without a log-in (the accounts are
        those of the restored file), so the event names the operating-system account."""
        with self._ctx.session_factory() as session:
            chain_id = session.scalar(select(AuditChainHead.chain_id))
        try:
            before = marks.get(chain_id) if chain_id else None
        except MarkProblem:
            before = None
        with self._ctx.unit_of_work() as session:
            self._ctx.audit(session, None, "db.restore", username=_system_user(),
                            detail={"restored_from": restored_from,
                                    "trail_had_reached": before.event_id if before else None})
            state = session.info.get(audit_chain.HEAD_INFO)
        if state is not None:
            marks.rebase(*state, restored_from=restored_from)
        return before


def _system_user() -> str:
    import getpass

    try:
        return f"os:{getpass.getuser()}"[:64]
    except (KeyError, OSError):        # no name for this uid
        return f"os:uid-{os.getuid()}" if hasattr(os, "getuid") else "os:unknown"


def _described(selection: AuditFilter) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in vars(selection).items() if v not in (None, "")}
