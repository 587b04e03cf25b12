"""The engine's pragmas, enforced foreign keys, row versions, UTC times, append-only audit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from iopdesk.db.models import AuditEvent, Episode, Participant
from iopdesk.domain.enums import AuditOutcome, EpisodeStatus


def _participant(**overrides) -> Participant:
    values = dict(chart_number="5001", first_name="Ana", last_name="Núñez", first_name_key="ana",
                  last_name_key="nunez", date_of_birth=date(1990, 5, 1))
    values.update(overrides)
    return Participant(**values)


def test_every_connection_gets_the_pragmas(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_foreign_keys_are_enforced(session_factory, track_id):
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        with session_factory.begin() as s:
            s.add(Episode(participant_id=987654, track_id=track_id,
                          admission_date=date(2026, 1, 5), status=EpisodeStatus.ACTIVE))


def test_a_save_over_a_newer_save_is_refused(session_factory):
    with session_factory.begin() as s:
        row = _participant()
        s.add(row)
        s.flush()
        row_id = row.id
    first, second = session_factory(), session_factory()
    mine = first.get(Participant, row_id)
    first.commit()            # this workstation shows version 1 on screen
    theirs = second.get(Participant, row_id)
    theirs.phone = "(555) 201-0000"
    second.commit()           # another workstation saves version 2
    mine.phone = "(555) 209-9999"
    with pytest.raises(StaleDataError):
        first.commit()
    first.close()
    second.close()
    with session_factory() as s:
        stored = s.get(Participant, row_id)
        assert (stored.phone, stored.version) == ("(555) 201-0000", 2)


def test_timestamps_are_utc_and_aware(session_factory):
    with session_factory.begin() as s:
        s.add(_participant())
    with session_factory() as s:
        created = s.query(Participant).one().created_at
    assert created.tzinfo is not None and created.utcoffset().total_seconds() == 0


def test_naive_timestamps_are_refused(session_factory):
    with pytest.raises(Exception, match="naive datetime"):
        with session_factory.begin() as s:
            s.add(_participant(created_at=datetime(2026, 1, 1)))


def test_audit_events_cannot_be_changed_or_deleted(session_factory):
    with session_factory.begin() as s:
        s.add(AuditEvent(username="x", workstation="w", action="login",
                         outcome=AuditOutcome.OK, occurred_at=datetime.now(UTC)))
    for statement in ("UPDATE audit_events SET action = 'edited'", "DELETE FROM audit_events"):
        with pytest.raises(IntegrityError, match="append-only"):
            with session_factory.begin() as s:
                s.execute(text(statement))
    with session_factory() as s:
        assert s.query(AuditEvent).one().action == "login"
