"""`iopdesk demo` and `iopdesk db upgrade|check|backup|restore`, good and bad input."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from cli_support import query
from support import forget_attendance_history

from iopdesk.cli import main
from iopdesk.db.migrate import HEAD, REVISIONS, run_migrations
from iopdesk.db.engine import sqlite_url
from iopdesk.db.models import Base


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in Base.metadata.tables if name in present}
    finally:
        conn.close()


def _settle(path: Path) -> None:
    """Fold the write-ahead log into the file, so its bytes are the whole database."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_then_check_backup_and_restore(tmp_path, capsys):
    db = tmp_path / "practice.sqlite3"
    code, out, _ = run(capsys, "demo", "--database", db, "--seed", "3", "--as-of", "2026-11-16")
    assert code == 0 and "Accounts (password 'iopdesk-demo')" in out and "frontdesk" in out
    code, out, _ = run(capsys, "db", "check", "--database", db)
    assert code == 0, out
    assert "integrity     ok" in out and f"current (revision {HEAD})" in out
    before = _counts(db)
    assert before["participants"] >= 30 and before["attendance"] > 1000

    code, out, _ = run(capsys, "db", "backup", "--database", db, "--to", tmp_path / "bk")
    assert code == 0 and "verified" in out
    [backup] = list((tmp_path / "bk").glob("*.sqlite3"))
    assert _counts(backup) == before

    # Change the live database, then restore: the backup's rows come back.
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM attendance_changes")
    conn.execute("DELETE FROM attendance")
    conn.commit()
    conn.close()
    code, out, _ = run(capsys, "db", "restore", backup, "--database", db)
    assert code == 0, out
    # the backup's rows, and the restore itself recorded in the audit trail
    restored = _counts(db)
    assert restored.pop("audit_events") == before.pop("audit_events") + 1
    assert restored == before
    kept = list((tmp_path / "backups").glob("*before-restore*.sqlite3"))
    assert len(kept) == 1 and _counts(kept[0])["attendance"] == 0


def test_restore_from_a_truncated_copy_is_refused_and_the_live_database_is_unchanged(
        demo_db, tmp_path, capsys):
    _settle(demo_db)
    truncated = tmp_path / "truncated.sqlite3"
    data = demo_db.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    before = _digest(demo_db)
    code, _, err = run(capsys, "db", "restore", truncated, "--database", demo_db)
    assert code == 1
    assert "is incomplete" in err and "a copy cut short" in err
    assert _digest(demo_db) == before
    assert not (tmp_path / "backups").exists()


@pytest.mark.parametrize("content, message", [
    (None, "does not exist"),
    (b"", "is empty"),
    (b"name,phone\nAna,555\n" * 100, "not an SQLite database"),
])
def test_restore_refuses_missing_empty_and_foreign_files(demo_db, tmp_path, capsys, content,
                                                         message):
    _settle(demo_db)
    bad = tmp_path / "bad.sqlite3"
    if content is not None:
        bad.write_bytes(content)
    before = _digest(demo_db)
    code, _, err = run(capsys, "db", "restore", bad, "--database", demo_db)
    assert code == 1 and message in err
    assert _digest(demo_db) == before


def test_restore_refuses_a_backup_from_a_newer_version(demo_db, tmp_path, capsys):
    newer = tmp_path / "newer.sqlite3"
    shutil.copyfile(demo_db, newer)
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "db", "restore", newer, "--database", demo_db)
    assert code == 1 and "newer version of IOPDesk" in err


def test_restore_of_an_older_backup_brings_it_to_this_schema(demo_db, tmp_path, capsys):
    older = tmp_path / "older.sqlite3"
    shutil.copyfile(demo_db, older)
    forget_attendance_history(sqlite_url(older))
    run_migrations(sqlite_url(older), REVISIONS[0], downgrade=True)
    code, out, _ = run(capsys, "db", "restore", older, "--database", demo_db)
    assert code == 0, out
    code, out, _ = run(capsys, "db", "check", "--database", demo_db)
    assert code == 0 and f"current (revision {HEAD})" in out


@pytest.mark.parametrize("command", [("db", "check"), ("db", "upgrade"), ("db", "backup")])
@pytest.mark.parametrize("content, message", [
    (b"", None),
    (b"\x00\x01garbage" * 200, "not an SQLite database"),
    (b"SQLite format 3\x00" + b"\xff" * 40, "damaged"),
])
def test_commands_on_bad_files_fail_clearly_and_change_nothing(tmp_path, capsys, command,
                                                               content, message):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(content)
    code, out, err = run(capsys, *command, "--database", bad)
    assert code == 1
    assert err.startswith("iopdesk: error:")
    assert "Traceback" not in err
    if message:
        assert message in err
    elif command != ("db", "backup"):          # reading never creates: not even a schema
        assert f"there is no IOPDesk database at {bad}: the file is empty" in err
    assert bad.read_bytes() == content


@pytest.mark.parametrize("command", [("db", "check"), ("db", "upgrade")])
def test_check_and_upgrade_of_a_missing_database_create_nothing(tmp_path, capsys, command):
    missing = tmp_path / "nowhere" / "nothing.sqlite3"
    code, _, err = run(capsys, *command, "--database", missing)
    assert code == 1 and f"there is no IOPDesk database at {missing}" in err
    assert not missing.parent.exists()


def test_check_reports_corruption(demo_db, capsys):
    _settle(demo_db)
    data = bytearray(demo_db.read_bytes())
    page = 4096
    data[page * 3: page * 3 + 200] = b"\xab" * 200     # scribble over a b-tree page
    demo_db.write_bytes(bytes(data))
    code, out, err = run(capsys, "db", "check", "--database", demo_db)
    assert code == 1
    assert "BAD" in out or "damaged" in err


def test_a_newer_database_is_refused_by_upgrade(demo_db, capsys):
    conn = sqlite3.connect(demo_db)
    conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
    conn.commit()
    conn.close()
    _settle(demo_db)
    before = _digest(demo_db)
    code, _, err = run(capsys, "db", "upgrade", "--database", demo_db)
    assert code == 1 and "newer version of IOPDesk" in err
    assert _digest(demo_db) == before


def test_upgrade_backs_up_first(demo_db, capsys):
    forget_attendance_history(sqlite_url(demo_db))
    run_migrations(sqlite_url(demo_db), REVISIONS[0], downgrade=True)
    code, out, _ = run(capsys, "db", "upgrade", "--database", demo_db)
    assert code == 0 and "Backed up the database" in out
    [backup] = list((demo_db.parent / "backups").glob("*before-upgrade*.sqlite3"))
    assert _counts(backup)["participants"] == _counts(demo_db)["participants"]


def test_backups_rotate(demo_db, capsys):
    for _ in range(4):
        assert run(capsys, "db", "backup", "--database", demo_db, "--keep", "2")[0] == 0
    assert len(list((demo_db.parent / "backups").glob("*.sqlite3"))) == 2


def test_demo_refuses_a_real_practice_and_an_existing_demo(db_path, demo_db, capsys):
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO practices (name, address_line1, address_line2, city, state,"
                 " postal_code, phone, fax, npi, is_demo, updated_at, version, created_at)"
                 " VALUES ('Real Clinic', '', '', '', '', '', '', '', '', 0,"
                 " '2026-01-01 00:00:00', 1, '2026-01-01 00:00:00')")
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "demo", "--database", db_path, "--replace")
    assert code == 1 and "real practice" in err
    code, _, err = run(capsys, "demo", "--database", demo_db)
    assert code == 1 and "already" in err


# -- on either engine (test_x[sqlite], test_x[postgresql]) ------------------------------------

def _url(db: Path | str) -> str:
    return sqlite_url(db) if isinstance(db, Path) else db


def test_demo_then_check_on_either_engine(new_database, capsys):
    code, out, _ = run(capsys, "demo", "--database", new_database, "--seed", "3", "--as-of",
                       "2026-11-16")
    assert code == 0 and "Accounts (password 'iopdesk-demo')" in out and "frontdesk" in out
    code, out, _ = run(capsys, "db", "check", "--database", new_database)
    assert code == 0, out
    assert f"current (revision {HEAD})" in out
    [(people,)] = query(new_database, "SELECT count(*) FROM participants")
    assert people >= 30


def test_demo_refuses_a_real_practice_and_an_existing_demo_on_either_engine(
        database, demo_database, capsys):
    query(database, "INSERT INTO practices (name, address_line1, address_line2, city, state,"
                    " postal_code, phone, fax, npi, is_demo, updated_at, version, created_at)"
                    " VALUES ('Real Clinic', '', '', '', '', '', '', '', '', ?,"
                    " '2026-01-01 00:00:00', 1, '2026-01-01 00:00:00')", False)
    code, _, err = run(capsys, "demo", "--database", database, "--replace")
    assert code == 1 and "Real Clinic" in err       # --replace replaces only a demo's file
    assert query(database, "SELECT name FROM practices") == [("Real Clinic",)]
    code, _, err = run(capsys, "demo", "--database", demo_database)
    assert code == 1 and "already" in err


def test_upgrade_from_the_first_revision_on_either_engine(demo_database, capsys):
    people = query(demo_database, "SELECT count(*) FROM participants")
    forget_attendance_history(_url(demo_database))
    run_migrations(_url(demo_database), REVISIONS[0], downgrade=True)
    code, out, err = run(capsys, "db", "upgrade", "--database", demo_database)
    assert code == 0, err
    code, out, _ = run(capsys, "db", "check", "--database", demo_database)
    assert code == 0 and f"current (revision {HEAD})" in out
    assert query(demo_database, "SELECT count(*) FROM participants") == people


def test_bad_demo_arguments(tmp_path, capsys):
    code, _, err = run(capsys, "demo", "--database", tmp_path / "d.sqlite3", "--as-of",
                       "2026-02-30")
    assert code == 2 and "not a real calendar date" in err
    with pytest.raises(SystemExit) as usage:
        main(["demo", "--size", "huge"])
    assert usage.value.code == 2


def test_output_into_a_closed_pipe_ends_quietly(demo_db, monkeypatch, capsys):
    def closed(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")
    monkeypatch.setattr("iopdesk.cli.common.print", closed, raising=False)
    assert main(["db", "check", "--database", str(demo_db)]) == 0
