"""Migrations: from empty, down and up on a populated database, models and scripts in step,
newer databases refused, the foreign-key check at the end of an upgrade."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from support import forget_attendance_history

from iopdesk.db.engine import make_engine, sqlite_url
from iopdesk.db.migrate import (HEAD, MIGRATIONS_DIR, REVISIONS, _alembic_config, open_database,
                                run_migrations, stored_revision)
from iopdesk.db.models import Base
from iopdesk.db.search_index import TABLE as SEARCH_TABLE
from iopdesk.db.search_index import TRIGGERS as SEARCH_TRIGGERS
from iopdesk.db.search_index import include_name
from iopdesk.domain.errors import DatabaseTooNew, DatabaseUnusable, MigrationFailed, NoDatabase


def _counts(path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = "
                                              "'table'")}
        return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in Base.metadata.tables if name in present}
    finally:
        conn.close()


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_revision_list_matches_the_migration_scripts():
    config = _alembic_config(None)
    script = ScriptDirectory.from_config(config)
    walked = [rev.revision for rev in script.walk_revisions()]
    assert tuple(reversed(walked)) == REVISIONS
    assert script.get_current_head() == HEAD


def test_upgrade_from_empty_creates_every_table(tmp_path):
    url = sqlite_url(tmp_path / "new.sqlite3")
    engine = open_database(url, create=True)
    try:
        assert stored_revision(engine) == HEAD
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_drift(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "render_as_batch": True,
                                                         "include_name": include_name})
        assert compare_metadata(context, Base.metadata) == []


def test_down_and_up_on_a_populated_database_keeps_every_row(demo_db):
    url = sqlite_url(demo_db)
    forget_attendance_history(url)
    before = _counts(demo_db)
    assert before["participants"] > 0 and before["attendance"] > 0
    run_migrations(url, REVISIONS[0], downgrade=True)
    engine = make_engine(url)
    assert stored_revision(engine) == REVISIONS[0]
    engine.dispose()
    backups = []
    engine = open_database(url, backup=lambda: backups.append("taken"))
    try:
        assert stored_revision(engine) == HEAD
    finally:
        engine.dispose()
    assert backups == ["taken"]
    assert _counts(demo_db) == before
    conn = sqlite3.connect(demo_db)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    _assert_search_index_in_step(demo_db)


def _assert_search_index_in_step(path) -> None:
    """The FTS index holds every participant once, its triggers exist, and it is sound."""
    conn = sqlite3.connect(path)
    try:
        people = conn.execute("SELECT count(*) FROM participants").fetchone()[0]
        indexed = conn.execute(f"SELECT count(*) FROM {SEARCH_TABLE}_docsize").fetchone()[0]
        assert indexed == people > 0
        triggers = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'participants'")}
        assert set(SEARCH_TRIGGERS) <= triggers
        conn.execute(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}, rank) "
                     "VALUES ('integrity-check', 1)")   # raises if the index and rows differ
        found = conn.execute(f"SELECT count(*) FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} "
                             "MATCH '\"uyen\"'").fetchone()[0]
        assert found == conn.execute("SELECT count(*) FROM participants WHERE last_name_key "
                                     "LIKE '%uyen%' OR first_name_key LIKE '%uyen%' OR "
                                     "preferred_name_key LIKE '%uyen%'").fetchone()[0] > 0
    finally:
        conn.close()


def test_the_search_index_follows_every_write_to_participants(demo_db):
    """Triggers keep it in step whoever writes (the demo's bulk inserts, raw SQL): an
    update of a name, a delete, an insert; a status change leaves it alone."""
    _assert_search_index_in_step(demo_db)
    conn = sqlite3.connect(demo_db)
    conn.execute("PRAGMA foreign_keys = OFF")
    [(victim,)] = conn.execute("SELECT id FROM participants ORDER BY id LIMIT 1").fetchall()
    conn.execute("UPDATE participants SET last_name_key = 'qqxyzzy' WHERE id = ?", (victim,))
    conn.execute("UPDATE participants SET current_status = 'active' WHERE id = ?", (victim,))
    hits = conn.execute(f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH "
                        "'\"xyzz\"'").fetchall()
    assert hits == [(victim,)]
    [(last,)] = conn.execute("SELECT max(id) FROM participants").fetchall()
    conn.execute("DELETE FROM participants WHERE id = ?", (last,))
    conn.commit()
    conn.close()
    _assert_search_index_in_step(demo_db)


def test_a_database_at_0003_gets_its_search_index_filled(demo_db):
    url = sqlite_url(demo_db)
    forget_attendance_history(url)
    run_migrations(url, "0003", downgrade=True)
    conn = sqlite3.connect(demo_db)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE ?",
                        (f"{SEARCH_TABLE}%",)).fetchone()[0] == 0
    conn.close()
    open_database(url).dispose()
    _assert_search_index_in_step(demo_db)


def test_downgrade_to_base_and_upgrade_again(demo_db):
    url = sqlite_url(demo_db)
    forget_attendance_history(url)
    run_migrations(url, "base", downgrade=True)
    engine = make_engine(url)
    assert inspect(engine).get_table_names() == ["alembic_version"]
    engine.dispose()
    open_database(url).dispose()
    assert _counts(demo_db)["participants"] == 0


def test_a_database_from_a_newer_version_is_refused_untouched(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    before = _digest(db_path)
    with pytest.raises(DatabaseTooNew, match="newer version of IOPDesk"):
        open_database(sqlite_url(db_path), backup=lambda: pytest.fail("no backup of a newer db"))
    assert _digest(db_path) == before


def test_an_upgrade_that_would_break_foreign_keys_is_rolled_back(db_path):
    url = sqlite_url(db_path)
    run_migrations(url, REVISIONS[0], downgrade=True)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(
        "INSERT INTO contacts (participant_id, name, relationship_to_participant, phone, email,"
        " address, is_guardian, is_emergency, may_contact, notes, active, updated_at, version,"
        " created_at) VALUES (4242, 'Nobody', '', '', '', '', 0, 0, 0, '', 1,"
        " '2026-01-01 00:00:00', 1, '2026-01-01 00:00:00')")
    conn.commit()
    conn.close()
    with pytest.raises(MigrationFailed, match="pointing at missing rows"):
        run_migrations(url)
    engine = make_engine(url)
    try:
        assert stored_revision(engine) == REVISIONS[0]
    finally:
        engine.dispose()


def test_tables_of_another_program_are_not_taken_for_an_iopdesk_database(tmp_path):
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseUnusable, match="not IOPDesk"):
        open_database(sqlite_url(path))


def test_the_migration_scripts_ship_inside_the_package():
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert len(list((MIGRATIONS_DIR / "versions").glob("0*.py"))) == len(REVISIONS)


# -- opening never creates, unless asked to ------------------------------------------------------

def _listing(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"<dir>")
            for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("setup, words", [
    ("missing", "there is no IOPDesk database at {path}; nothing was created"),
    ("empty file", "there is no IOPDesk database at {path}: the file is empty"),
    ("empty database", "there is no IOPDesk database at {path}: it holds no tables yet"),
])
def test_without_create_nothing_is_created(tmp_path, setup, words):
    path = tmp_path / "folder" / "x.sqlite3"
    if setup != "missing":
        path.parent.mkdir()
        if setup == "empty file":
            path.write_bytes(b"")
        else:
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA user_version = 3")      # a header, and no table
            conn.close()
    before = _listing(tmp_path)
    with pytest.raises(NoDatabase) as refused:
        open_database(sqlite_url(path), backup=lambda: pytest.fail("nothing to back up"))
    assert words.format(path=path) in str(refused.value)
    assert _listing(tmp_path) == before


@pytest.mark.parametrize("create", [False, True])
def test_a_write_ahead_log_without_its_database_is_left_alone(tmp_path, create):
    path = tmp_path / "x.sqlite3"
    log = tmp_path / "x.sqlite3-wal"
    log.write_bytes(b"\x37\x7f\x06\x82" + bytes(2000))
    before = _listing(tmp_path)
    with pytest.raises(DatabaseUnusable, match="write-ahead log .* without its database") as no:
        open_database(sqlite_url(path), create=create)
    assert not isinstance(no.value, NoDatabase)         # the app must not offer to create it
    assert "left alone" in str(no.value)
    assert _listing(tmp_path) == before


def test_create_makes_the_database_and_its_missing_folders(tmp_path):
    path = tmp_path / "a" / "b" / "x.sqlite3"
    engine = open_database(sqlite_url(path), create=True)
    try:
        assert stored_revision(engine) == HEAD
    finally:
        engine.dispose()


def test_another_programs_tables_are_refused_with_their_names_and_left_alone(tmp_path):
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = _digest(path)
    for create in (False, True):
        with pytest.raises(DatabaseUnusable, match=r"another program, not IOPDesk \(invoices\)"):
            open_database(sqlite_url(path), create=create)
    assert _digest(path) == before and [p.name for p in tmp_path.iterdir()] == ["other.sqlite3"]


# -- 0007: an episode entered in error ---------------------------------------------------------

_EPISODE_COLUMNS = ("id", "participant_id", "track_id", "admission_date", "status",
                    "primary_clinician_id", "discharge_date", "version")
_PERSON_COLUMNS = ("id", "chart_number", "last_name_key", "current_status", "current_track_id",
                   "primary_clinician_id", "version")


def _rows(path, table: str, columns: tuple[str, ...]) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id").fetchall()
    finally:
        conn.close()


def _columns(path, table: str) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    finally:
        conn.close()


_MARKED = {"entered_in_error_reason", "entered_in_error_by_id", "entered_in_error_at"}


def _entered_in_error_revision() -> tuple[str, str]:
    """(the revision that lets an episode be entered in error, the one it revises)."""
    script = ScriptDirectory.from_config(_alembic_config(None))
    found = next(r for r in script.walk_revisions()
                 if r.path.endswith("_episode_entered_in_error.py"))
    return found.revision, found.down_revision


def test_the_upgrade_to_entered_in_error_keeps_every_episode_and_participant(demo_db):
    url = sqlite_url(demo_db)
    forget_attendance_history(url)
    _revision, before_it = _entered_in_error_revision()
    run_migrations(url, before_it, downgrade=True)
    assert not _MARKED & _columns(demo_db, "episodes")
    before = _counts(demo_db)
    episodes = _rows(demo_db, "episodes", _EPISODE_COLUMNS)
    people = _rows(demo_db, "participants", _PERSON_COLUMNS)
    assert {e[4] for e in episodes} == {"referred", "active", "discharged"}

    engine = open_database(url, backup=lambda: None)
    try:
        assert stored_revision(engine) == HEAD
    finally:
        engine.dispose()
    after = _counts(demo_db)
    assert {name: after[name] for name in before} == before    # later revisions add tables
    assert _rows(demo_db, "episodes", _EPISODE_COLUMNS) == episodes
    assert _rows(demo_db, "participants", _PERSON_COLUMNS) == people
    assert _MARKED <= _columns(demo_db, "episodes")
    conn = sqlite3.connect(demo_db)
    try:
        assert conn.execute("SELECT count(*) FROM episodes WHERE entered_in_error_reason IS NOT "
                            "NULL OR entered_in_error_by_id IS NOT NULL OR entered_in_error_at "
                            "IS NOT NULL").fetchone()[0] == 0
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        keys = {(r[2], r[3], r[4]) for r in conn.execute("PRAGMA foreign_key_list(episodes)")}
        assert ("staff_users", "entered_in_error_by_id", "id") in keys
    finally:
        conn.close()
    _assert_search_index_in_step(demo_db)      # participants was rebuilt: its triggers too


def test_an_episode_entered_in_error_is_stored_and_read_back(demo_url):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from iopdesk.db.models import Episode, StaffUser
    from iopdesk.domain.enums import EpisodeStatus
    from iopdesk.domain.time import utc_now

    engine = open_database(demo_url)
    try:
        with Session(engine) as session, session.begin():
            episode = session.scalar(select(Episode).order_by(Episode.id).limit(1))
            staff_id = session.scalar(select(StaffUser.id).limit(1))
            episode.status = EpisodeStatus.ENTERED_IN_ERROR
            episode.entered_in_error_reason, episode.entered_in_error_by_id = "x", staff_id
            episode.entered_in_error_at = utc_now()
            episode.participant.current_status = None
            episode_id = episode.id
        with Session(engine) as session:
            stored = session.get(Episode, episode_id)
            assert stored.status is EpisodeStatus.ENTERED_IN_ERROR
            assert stored.entered_in_error_at.tzinfo is not None
    finally:
        engine.dispose()


def test_a_downgrade_over_an_episode_entered_in_error_is_refused_and_changes_nothing(demo_url):
    url = demo_url
    forget_attendance_history(url)
    _sql(url, "UPDATE episodes SET status = 'entered_in_error', "
              "entered_in_error_reason = 'wrong chart' WHERE id = "
              "(SELECT min(id) FROM episodes)")
    before = _sql(url, _select("episodes", (*_EPISODE_COLUMNS, "entered_in_error_reason")))
    _revision, before_it = _entered_in_error_revision()
    with pytest.raises(MigrationFailed, match="1 episode.* entered in error"):
        run_migrations(url, before_it, downgrade=True)
    engine = make_engine(url)
    try:
        assert stored_revision(engine) == HEAD
    finally:
        engine.dispose()
    assert _sql(url, _select("episodes", (*_EPISODE_COLUMNS, "entered_in_error_reason"))) == before


# -- on either engine (test_x[sqlite], test_x[postgresql]) ------------------------------------

def _sql(url: str, statement: str) -> list[tuple]:
    """The rows of `statement` (committed) in the database at `url`, SQLite or PostgreSQL."""
    from sqlalchemy import text

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            found = conn.execute(text(statement))
            return [tuple(row) for row in found] if found.returns_rows else []
    finally:
        engine.dispose()


def _select(table: str, columns: tuple[str, ...]) -> str:
    return f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"


def _all_counts(url: str) -> dict[str, int]:
    return {name: _sql(url, f'SELECT count(*) FROM "{name}"')[0][0]
            for name in Base.metadata.tables}


@pytest.mark.parametrize("revision", REVISIONS[:-1])
def test_upgrade_from_each_older_revision_keeps_every_row(demo_url, revision):
    """The demo practice taken down to `revision` and brought up again by `iopdesk db upgrade`
    (open_database with upgrade): every row of every table, each episode and person as was."""
    forget_attendance_history(demo_url)
    before = _all_counts(demo_url)
    episodes = _sql(demo_url, _select("episodes", _EPISODE_COLUMNS))
    assert before["participants"] > 0 and before["attendance"] > 0
    run_migrations(demo_url, revision, downgrade=True)
    engine = make_engine(demo_url)
    try:
        assert stored_revision(engine) == revision
    finally:
        engine.dispose()
    backups = []
    engine = open_database(demo_url, upgrade=True, backup=lambda: backups.append("taken"))
    try:
        assert stored_revision(engine) == HEAD
    finally:
        engine.dispose()
    assert backups == ["taken"]
    assert _all_counts(demo_url) == before
    assert _sql(demo_url, _select("episodes", _EPISODE_COLUMNS)) == episodes
