"""Saving over a row: the one path every service save takes, and the refusal of a stale one.

Every editable row carries a version (SQLAlchemy's version_id_col, see db/base.py). A save
over a row someone else saved since it was loaded here is refused at one of two moments, and
both give the same StaleVersion, naming the other change — who, from which workstation, when,
and which fields, read from the audit trail (every change is audited in its own transaction):

- at the check: the version the user loaded is not the stored one (`refuse_stale`);
- at the write: on a database server another workstation may save the row between the check
  and the UPDATE. The row's version in that UPDATE then matches nothing and SQLAlchemy raises
  StaleDataError, wherever the flush happens (an explicit one, a query's autoflush, the audit
  event's). The session is unusable after it, so the other change is read through a session
  of its own.

`saving` is that path: a service opens it around the changes it makes to versioned rows (and
their audit event), and never meets StaleDataError itself. (`refuse_stale` and
`flush_or_stale` are its two halves, for a caller that needs them apart.)
"""

from __future__ import annotations

import logging

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from iopdesk.db.models import AuditEvent, Episode, Participant, StaffUser
from iopdesk.domain.enums import AuditOutcome
from iopdesk.domain.errors import StaleVersion
from iopdesk.domain.time import practice_time
from iopdesk.services.stored_settings import load_time_zone

log = logging.getLogger(__name__)

AFTER_OPENING = "after you opened it"
WHILE_SAVING = "while you were saving it"
# An audit event this much older than the row's last update did not make that update (a
# log-in, say, updates an account unaudited as a change of it): the event is not named then.
_EVENT_LAG = timedelta(minutes=1)

_Identity = tuple[type, tuple[Any, ...]]


def apply_changes(row: Any, values: Mapping[str, Any]) -> list[str]:
    """Set `values` on `row`; the sorted names of those that really changed."""
    changed = []
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return sorted(changed)


def _when(session: Session, moment: datetime) -> str:
    """'2026-11-16 at 09:14' at the practice."""
    return practice_time(moment, load_time_zone(session)).strftime("%Y-%m-%d at %H:%M")


def _entity_of(row: Any) -> str:
    """The audit trail names a row by its table (`participants`, `staff_users`, ...)."""
    return row.__tablename__


def _chart_of(session: Session, row: Any) -> int | None:
    """Whose chart the row is in (it narrows the audit query to that chart's index), or None
    for a row of no participant (an account, a setting)."""
    if isinstance(row, Participant):
        return row.id
    if (participant_id := getattr(row, "participant_id", None)) is not None:
        return participant_id
    if (episode_id := getattr(row, "episode_id", None)) is not None:
        return session.scalar(select(Episode.participant_id).where(Episode.id == episode_id))
    return None


def _fields_of(detail: Mapping[str, Any] | None) -> list[str]:
    detail = detail or {}
    return list(detail.get("fields") or detail.get("changed") or ())


def describe_last_change(session: Session, row: Any, entity: str | None = None,
                         participant_id: int | None = None) -> str:
    """'Dana Cole (dcole) saved it on workstation desk-2 on 2026-11-16 at 09:14 (changed:
    phone, email)', or 'it was saved on …' when the trail does not tell who, or ''.

    `entity` and `participant_id` default to the row's table and chart."""
    entity = entity or _entity_of(row)
    participant_id = participant_id if participant_id is not None else _chart_of(session, row)
    row_id = inspect(row).identity[0]
    query = (select(AuditEvent.username, AuditEvent.workstation, AuditEvent.occurred_at,
                    AuditEvent.detail, StaffUser.display_name)
             .outerjoin(StaffUser, StaffUser.id == AuditEvent.user_id)
             .where(AuditEvent.entity == entity, AuditEvent.outcome == AuditOutcome.OK,
                    AuditEvent.action.not_like("%.view"))
             .order_by(AuditEvent.id.desc()).limit(1))
    if isinstance(row_id, int):   # a setting is keyed by name, and audited as all settings
        query = query.where(AuditEvent.entity_id == row_id)
    if participant_id is not None:   # the indexed way to the few events of one chart
        query = query.where(AuditEvent.participant_id == participant_id)
    found = session.execute(query).first()
    updated = getattr(row, "updated_at", None)
    if found is None or not _made(found, row_id, updated):
        return f"it was saved on {_when(session, updated)}" if updated is not None else ""
    who = f"{found.display_name} ({found.username})" if found.display_name else found.username
    when = _when(session, found.occurred_at)
    text = f"{who} saved it on workstation {found.workstation} on {when}"
    if fields := _fields_of(found.detail):
        text += f" (changed: {', '.join(str(f).replace('_', ' ') for f in fields)})"
    return text


def _made(found: Any, row_id: Any, updated: datetime | None) -> bool:
    """Whether the audit event `found` can be the save that made the row as it is: not one
    long before its last update, and for a setting (keyed by name) one that changed it."""
    if updated is not None and found.occurred_at < updated - _EVENT_LAG:
        return False
    return isinstance(row_id, int) or row_id in _fields_of(found.detail)


def stale_refusal(what: str, moment: str, other: str, yours: int | None,
                  saved: int | None) -> StaleVersion:
    """The one wording of a refused stale save, at the check or at the write (`moment`)."""
    versions = (f" Your copy is version {yours}, the saved one is version {saved}."
                if yours is not None and saved is not None else "")
    return StaleVersion(
        f"{what} was changed by someone else {moment}{': ' + other if other else ''}."
        f"{versions} Nothing was overwritten: reopen it to see their change, then make yours "
        "again.")


def refuse_stale(session: Session, row: Any, expected: int, what: str, *,
                 entity: str | None = None, participant_id: int | None = None) -> None:
    """Refuse to save over a row someone else saved since it was loaded; nothing is written.
    `entity` and `participant_id` default to the row's table and chart."""
    if row.version == expected:
        return
    other = describe_last_change(session, row, entity, participant_id)
    raise stale_refusal(what, AFTER_OPENING, other, expected, row.version)


class _Held:
    """The version of each versioned row this save writes, as this session had it before
    writing it: the rows to look at when an UPDATE matched nothing (StaleDataError does not
    say which row it was)."""

    def __init__(self, session: Session, row: Any | None):
        self.session = session
        self.versions: dict[_Identity, int] = {}
        if row is not None:
            self.hold(row)        # the row the save is about is looked at first
        event.listen(session, "before_flush", self._before_flush)

    def hold(self, row: Any) -> None:
        state = inspect(row)
        version_column = state.mapper.version_id_col
        if state.identity is None or version_column is None:
            return                # a new row, or one without a version
        key = state.mapper.get_property_by_column(version_column).key
        version = state.dict.get(key)   # as loaded: reading it must not load it anew
        if version is not None:
            self.versions.setdefault((state.mapper.class_, state.identity), version)

    def _before_flush(self, session: Session, _context: Any, _instances: Any) -> None:
        for row in (*session.dirty, *session.deleted):
            self.hold(row)

    def close(self) -> None:
        event.remove(self.session, "before_flush", self._before_flush)

    def raced(self, what: str) -> StaleVersion:
        """The refusal of a write that found its row saved by someone else: the row, its
        version and its last change read in a session of its own (this one must roll back)."""
        try:
            with Session(self.session.get_bind().engine) as fresh:
                for (model, identity), held in self.versions.items():
                    stored = fresh.get(model, identity)
                    if stored is not None and stored.version != held:
                        return stale_refusal(what, WHILE_SAVING,
                                             describe_last_change(fresh, stored),
                                             held, stored.version)
        except SQLAlchemyError:   # the refusal stands, without naming the other change
            log.warning("could not read who changed %s", what, exc_info=True)
        return stale_refusal(what, WHILE_SAVING, "", None, None)


@contextmanager
def saving(session: Session, row: Any | None, what: str, *,
           expected: int | None = None) -> Iterator[None]:
    """The one path of a save over versioned rows: check, change, write, or refuse.

    With `expected` (the version of `row` the user loaded) a newer save is refused before
    anything changes. The block then changes `row` (and any other versioned row) and audits;
    on leaving it everything is flushed. If any UPDATE matched nothing, because another
    workstation saved that row meanwhile, the StaleDataError becomes the same StaleVersion,
    and the unit of work rolls back: nothing of this save, its audit event included, is kept.
    `what` names the record in the message ("The contact Rosa Peña").
    """
    if expected is not None:
        refuse_stale(session, row, expected, what)
    held = _Held(session, row)
    try:
        yield
        session.flush()
    except StaleDataError as exc:
        raise held.raced(what) from exc
    finally:
        held.close()


def flush_or_stale(session: Session, what: str) -> None:
    """Flush a checked save through `saving`: a row saved meanwhile by another workstation
    is refused like any stale save, naming that save."""
    with saving(session, None, what):
        pass
