"""Files that hold health information are readable by their owner only: the database and its
-wal/-shm are created 0600 in folders created 0700 (whatever the umask), by `iopdesk init`,
`iopdesk demo` and open_database(create=True); the code table too. A database that others
can read is reported by `iopdesk db check` and made owner-only the next time it is opened,
with a line that says so."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from iopdesk.cli import acting_user, main
from iopdesk.db.engine import sqlite_url
from iopdesk.db.migrate import open_database

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")

ADMIN_PASSWORD = "a long admin password"
INIT = ("init", "--practice-name", "Cascade Recovery IOP", "--admin-username", "alex",
        "--admin-name", "Alex Admin")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def companions(path: Path) -> list[Path]:
    return [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets everyone read: the modes must not depend on it."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def as_a_script(fast_hashing, monkeypatch):
    """Cheap Argon2, no terminal to ask, and the password in the environment."""
    monkeypatch.setattr(acting_user, "interactive", lambda: False)
    monkeypatch.setenv("IOPDESK_PASSWORD", ADMIN_PASSWORD)


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_init_makes_an_owner_only_database_in_owner_only_folders(tmp_path, capsys, open_umask,
                                                                 as_a_script):
    path = tmp_path / "clinic" / "records" / "practice.sqlite3"
    code, _, err = run(capsys, *INIT, "--database", path)
    assert code == 0, err
    assert mode(path) == 0o600
    assert mode(path.parent) == mode(path.parent.parent) == 0o700
    conn = sqlite3.connect(path)                  # while open: the -wal and -shm SQLite makes
    conn.execute("SELECT count(*) FROM staff_users").fetchall()
    assert companions(path) and all(mode(p) == 0o600 for p in companions(path))
    conn.close()


def test_demo_makes_an_owner_only_database_in_an_owner_only_data_folder(tmp_path, capsys,
                                                                       monkeypatch, open_umask):
    data = tmp_path / "new-data-folder"
    monkeypatch.setenv("IOPDESK_DATA_DIR", str(data))
    code, _, err = run(capsys, "demo", "--as-of", "2026-11-16")
    assert code == 0, err
    path = data / "demo.sqlite3"
    assert mode(data) == 0o700 and mode(path) == 0o600
    assert all(mode(p) == 0o600 for p in companions(path))


def test_a_new_database_and_its_companions_are_owner_only(tmp_path, open_umask):
    path = tmp_path / "a" / "b.sqlite3"
    engine = open_database(sqlite_url(path), create=True)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM staff_users").scalar()
            assert companions(path)                       # WAL: -wal and -shm while open
            assert {mode(p) for p in (path, *companions(path))} == {0o600}
    finally:
        engine.dispose()
    assert mode(path.parent) == 0o700


def test_an_empty_file_given_to_create_is_made_owner_only(tmp_path, open_umask):
    path = tmp_path / "empty.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o644)
    told: list[str] = []
    open_database(sqlite_url(path), create=True, notify=told.append).dispose()
    assert mode(path) == 0o600
    assert told == [f"made {path} readable by its owner only (was 0644)"]


def test_a_database_others_can_read_is_reported_then_made_owner_only(db_path, capsys):
    db_path.chmod(0o644)
    code, out, err = run(capsys, "db", "check", "--database", db_path)
    assert code == 1
    assert (f"file modes    BAD  {db_path} is readable by others (0644); it will be made "
            "owner-only at the next open") in out
    assert mode(db_path) == 0o644                         # the check changes nothing
    code, out, err = run(capsys, "db", "upgrade", "--database", db_path)
    assert code == 0, err
    [told] = [line for line in out.splitlines() if line.startswith("iopdesk: made ")]
    assert told.startswith(f"iopdesk: made {db_path}")       # with its -wal and -shm, if any
    assert told.endswith(" readable by its owner only (was 0644)")
    assert mode(db_path) == 0o600
    code, out, _ = run(capsys, "db", "check", "--database", db_path)
    assert code == 0 and "file modes    ok   readable by its owner only" in out
    code, out, _ = run(capsys, "db", "upgrade", "--database", db_path)
    assert "readable by its owner only" not in out          # said once, when it was done


def test_opening_tightens_the_write_ahead_log_and_shared_memory_too(db_path):
    keep = sqlite3.connect(db_path)                # holds -wal and -shm open meanwhile
    keep.execute("PRAGMA journal_mode = WAL").fetchall()
    keep.execute("SELECT count(*) FROM staff_users").fetchall()
    for path in (db_path, *companions(db_path)):
        path.chmod(0o644)
    assert len(companions(db_path)) == 2
    told: list[str] = []
    try:
        open_database(sqlite_url(db_path), notify=told.append).dispose()
    finally:
        keep.close()
    assert told == [f"made {db_path} (and its -wal and -shm) readable by its owner only "
                    "(was 0644)"]
    assert mode(db_path) == 0o600


def test_another_programs_file_keeps_its_mode(tmp_path):
    from iopdesk.domain.errors import DatabaseUnusable

    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    path.chmod(0o644)
    with pytest.raises(DatabaseUnusable, match="not IOPDesk"):
        open_database(sqlite_url(path))
    assert mode(path) == 0o644


def test_the_code_table_is_owner_only_in_an_owner_only_folder(tmp_path, open_umask):
    from iopdesk.services.icd10 import CodeEntry, build_code_table

    path = tmp_path / "data" / "icd10cm-test.sqlite3"
    build_code_table(path, entries=[CodeEntry("F10.20", "Alcohol dependence, uncomplicated",
                                              True)])
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


def test_an_encrypted_database_is_owner_only(demo_db, tmp_path, open_umask):
    from iopdesk.db.encryption import encrypt_database

    demo_db.chmod(0o644)
    encrypt_database(sqlite_url(demo_db), "correct horse battery", tmp_path / "backups")
    assert mode(demo_db) == 0o600
