"""The engine's pragmas, enforced foreign keys, row versions, UTC times, append-only audit,
WAL only for IOPDesk's files, and the words for a disk that refuses."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from iopdesk.db.engine import make_engine, sqlite_url, storage_failure
from iopdesk.db.migrate import open_database
from iopdesk.db.models import AuditEvent, Episode, Participant
from iopdesk.domain.enums import AuditOutcome, EpisodeStatus


def _participant(**overrides) -> Participant:
    values = dict(chart_number="5001", first_name="Ana", last_name="Núñez", first_name_key="ana",
                  last_name_key="nunez", date_of_birth=date(1990, 5, 1))
    values.update(overrides)
    return Participant(**values)


@pytest.mark.sqlite_only(reason="the pragmas are SQLite's (a server has its own settings)")
def test_every_connection_gets_the_pragmas(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_foreign_keys_are_enforced(session_factory, track_id):
    with pytest.raises(IntegrityError, match="(?i)foreign key"):
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
        # SQLite's trigger aborts (IntegrityError); PostgreSQL's raises (ProgrammingError)
        with pytest.raises(DatabaseError, match="append-only"):
            with session_factory.begin() as s:
                s.execute(text(statement))
    with session_factory() as s:
        assert s.query(AuditEvent).one().action == "login"


# -- files that are not (yet) IOPDesk's, and a disk that refuses -------------------------------

def test_another_programs_file_keeps_its_journal_mode_and_bytes(tmp_path):
    """The engine switches to WAL only a database it knows for IOPDesk's (or a new one):
    opening another program's file to refuse it changes nothing in it."""
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    engine = make_engine(sqlite_url(path))
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    finally:
        engine.dispose()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite3"]


def test_a_new_database_is_in_wal_mode(tmp_path):
    engine = open_database(sqlite_url(tmp_path / "new.sqlite3"), create=True)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()


def _driver_error(message: str, code: int | None = None):
    error = sqlite3.OperationalError(message)
    if code is not None:
        error.sqlite_errorcode = code
    return error


@pytest.mark.parametrize("message, code, kind, words", [
    ("attempt to write a readonly database", 8, "read-only", "the database is read-only: "),
    ("attempt to write a readonly database", None, "read-only", "the database is read-only: "),
    ("database or disk is full", 13, "full", "is full: "),
    ("database or disk is full", None, "full", "is full: "),
    ("disk I/O error", 778, "I/O error", "reported an I/O error (disk I/O error)"),
    ("unable to open database file", 14, "cannot open", "cannot be opened"),
])
def test_driver_errors_of_a_refusing_disk_become_storage_failures(tmp_path, message, code, kind,
                                                                   words):
    path = tmp_path / "practice.sqlite3"
    failure = storage_failure(_driver_error(message, code), path)
    assert failure is not None and failure.kind == kind
    assert words in str(failure) and str(path) in str(failure)


def test_a_full_disk_names_the_bytes_free(tmp_path):
    failure = storage_failure(_driver_error("database or disk is full", 13),
                              tmp_path / "practice.sqlite3")
    free = shutil.disk_usage(tmp_path).free
    assert str(failure).startswith(f"the disk holding {tmp_path / 'practice.sqlite3'} is full: ")
    assert str(failure).endswith(" bytes free; nothing was changed")
    said = int(str(failure).split("is full: ")[1].split(" bytes")[0].replace(",", ""))
    assert abs(said - free) < 64 << 20


def test_other_driver_errors_are_left_as_they_are(tmp_path):
    assert storage_failure(sqlite3.OperationalError("database is locked"), tmp_path) is None
    assert storage_failure(sqlite3.IntegrityError("UNIQUE constraint failed"), tmp_path) is None
    assert storage_failure(ValueError("nothing to do with a disk"), tmp_path) is None

