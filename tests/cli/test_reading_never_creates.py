"""Commands that read never create: a missing path, an empty file, a write-ahead log without
its database and another program's SQLite file are refused, and the file system is left
exactly as it was. Only `init`, `demo` (and the app's first-run wizard) create a database, and
IOPDESK_DATABASE_URL means for every command what --database means."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from iopdesk.cli import main

ORPHAN_LOG = b"\x37\x7f\x06\x82" + bytes(range(256)) * 4     # looks like a WAL header, then junk


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def listing(*roots: Path) -> dict[str, tuple]:
    """Every folder and file under `roots`: kind, mode, and for files size and sha256."""
    seen: dict[str, tuple] = {}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            for name in dirs:
                path = Path(folder, name)
                seen[str(path)] = ("dir", path.stat().st_mode)
            for name in files:
                path = Path(folder, name)
                data = path.read_bytes()
                seen[str(path)] = ("file", path.stat().st_mode, len(data),
                                   hashlib.sha256(data).hexdigest())
    return seen


@pytest.fixture
def place(tmp_path) -> Path:
    folder = tmp_path / "place"
    (folder / "pdfs").mkdir(parents=True)
    return folder


@pytest.fixture
def watched(place):
    """What a command could touch: the folder of the database, the data and config folders."""
    return (place, Path(os.environ["IOPDESK_DATA_DIR"]), Path(os.environ["IOPDESK_CONFIG_DIR"]))


def reading_commands(place: Path) -> dict[str, tuple]:
    return {
        "audit verify": ("audit", "verify"),
        "users list": ("users", "list", "--user", "admin"),
        "db check": ("db", "check"),
        "db upgrade": ("db", "upgrade"),
        "print face-sheet": ("print", "face-sheet", "--participant", "1001", "--out",
                             place / "pdfs" / "face.pdf", "--user", "admin"),
        "print sign-in-sheet": ("print", "sign-in-sheet", "--meeting", "1", "--out",
                                place / "pdfs" / "sheet.pdf", "--user", "admin"),
        "report hours": ("report", "hours", "--week", "2026-11-16", "--out",
                         place / "pdfs" / "hours.csv", "--user", "admin"),
    }


COMMANDS = ("audit verify", "users list", "db check", "db upgrade", "print face-sheet",
            "print sign-in-sheet", "report hours")


def _missing(place: Path) -> Path:
    return place / "not-yet" / "x.sqlite3"             # a missing file in a missing folder


def _empty(place: Path) -> Path:
    path = place / "x.sqlite3"
    path.write_bytes(b"")
    return path


def _orphan_log(place: Path) -> Path:
    path = place / "x.sqlite3"
    Path(f"{path}-wal").write_bytes(ORPHAN_LOG)
    return path


@pytest.mark.parametrize("how", ["--database", "IOPDESK_DATABASE_URL"])
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("make, expected", [
    (_missing, "there is no IOPDesk database at {path}; nothing was created"),
    (_empty, "there is no IOPDesk database at {path}: the file is empty"),
    (_orphan_log, "it has a write-ahead log {path}-wal without its database"),
], ids=["missing", "empty", "orphan-wal"])
def test_a_reading_command_creates_nothing(place, watched, capsys, monkeypatch, command, make,
                                           expected, how):
    path = make(place)
    monkeypatch.setenv("IOPDESK_PASSWORD", "iopdesk-demo")
    args = reading_commands(place)[command]
    if how == "--database":
        args = (*args, "--database", path)
    else:
        monkeypatch.setenv("IOPDESK_DATABASE_URL", str(path))
    before = listing(*watched)
    code, out, err = run(capsys, *args)
    assert code != 0
    assert err.startswith("iopdesk: error: ") and err.count("\n") == 1, err
    assert expected.format(path=path) in err
    assert "Traceback" not in err + out
    assert listing(*watched) == before


def test_an_orphan_log_is_named_and_left_alone_by_the_commands_that_create(place, watched,
                                                                          capsys, monkeypatch):
    path = _orphan_log(place)
    monkeypatch.setenv("IOPDESK_PASSWORD", "a good long password")
    before = listing(*watched)
    for args in (("demo", "--as-of", "2026-11-16"),
                 ("init", "--practice-name", "P", "--admin-username", "ada",
                  "--admin-name", "Ada")):
        code, _, err = run(capsys, *args, "--database", path)
        assert code == 1 and "write-ahead log" in err and "left alone" in err, err
        assert listing(*watched) == before


def _foreign(place: Path) -> Path:
    path = place / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO t (name) VALUES ('kept as it is')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("command", COMMANDS)
def test_another_programs_database_is_refused_unchanged(place, watched, capsys, monkeypatch,
                                                        command):
    path = _foreign(place)
    monkeypatch.setenv("IOPDESK_PASSWORD", "iopdesk-demo")
    before = listing(*watched)
    code, out, err = run(capsys, *reading_commands(place)[command], "--database", path)
    assert code == 1 and err.count("\n") == 1, err
    assert "not IOPDesk" in err or "not an IOPDesk" in err or "no IOPDesk database" in err
    assert listing(*watched) == before                      # no -wal, no -shm, same bytes
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()


def test_an_empty_sqlite_database_is_no_iopdesk_database(place, watched, capsys):
    path = place / "blank.sqlite3"
    sqlite3.connect(path).execute("PRAGMA user_version = 7").connection.close()
    before = listing(*watched)
    code, _, err = run(capsys, "audit", "verify", "--database", path)
    assert code == 1 and f"there is no IOPDesk database at {path}" in err
    assert listing(*watched) == before


def test_demo_builds_where_iopdesk_database_url_says(place, capsys, monkeypatch):
    target = place / "x.sqlite3"
    monkeypatch.setenv("IOPDESK_DATABASE_URL", str(target))
    code, out, err = run(capsys, "demo", "--as-of", "2026-11-16")
    assert code == 0, err
    assert target.stat().st_size > 0 and f"written to sqlite:///{target}" in out
    data = Path(os.environ["IOPDESK_DATA_DIR"])
    assert not (data / "demo.sqlite3").exists() and not (data / "iopdesk.sqlite3").exists()
    code, out, err = run(capsys, "audit", "verify")          # the same variable, read back
    assert code == 0 and "intact" in out, err


def test_database_beats_the_variable_and_demo_picks_the_demo_file(place, capsys, monkeypatch):
    monkeypatch.setenv("IOPDESK_DATABASE_URL", str(place / "from-variable.sqlite3"))
    code, _, err = run(capsys, "demo", "--as-of", "2026-11-16", "--database",
                       place / "given.sqlite3")
    assert code == 0, err
    assert (place / "given.sqlite3").exists() and not (place / "from-variable.sqlite3").exists()
    code, _, err = run(capsys, "--demo", "demo", "--as-of", "2026-11-16")
    assert code == 0, err
    assert (Path(os.environ["IOPDESK_DATA_DIR"]) / "demo.sqlite3").exists()
    assert not (place / "from-variable.sqlite3").exists()


def test_demo_never_writes_into_a_real_practice_named_by_the_variable(practice_db, capsys,
                                                                      monkeypatch):
    monkeypatch.setenv("IOPDESK_DATABASE_URL", str(practice_db))
    for extra in ((), ("--replace",)):
        code, _, err = run(capsys, "demo", "--as-of", "2026-11-16", *extra)
        assert code == 1 and ("already holds a practice" in err or "real practice" in err), err
    conn = sqlite3.connect(practice_db)
    try:
        assert conn.execute("SELECT name, is_demo FROM practices").fetchall() == [
            ("Real Clinic", 0)]
    finally:
        conn.close()


@pytest.fixture
def practice_db(db_path) -> Path:
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO practices (name, address_line1, address_line2, city, state,"
                 " postal_code, phone, fax, npi, is_demo, updated_at, version, created_at)"
                 " VALUES ('Real Clinic', '', '', '', '', '', '', '', '', 0,"
                 " '2026-01-01 00:00:00', 1, '2026-01-01 00:00:00')")
    conn.commit()
    conn.close()
    return db_path
