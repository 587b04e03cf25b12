"""`iopdesk db encrypt|rekey` and the other commands on an encrypted database: the passphrase
from IOPDESK_PASSPHRASE or the terminal (never an argument), clear refusals, nothing changed
by a wrong one, and no participant's name left readable in the files."""

from __future__ import annotations

import getpass
import hashlib
import sqlite3
from pathlib import Path

import pytest
from support import forget_attendance_history

from iopdesk.cli import common, main
from iopdesk.db.backup import list_backups
from iopdesk.db.crypto import connect_file, is_encrypted
from iopdesk.db.engine import sqlite_url
from iopdesk.db.migrate import HEAD, REVISIONS, run_migrations

PASSPHRASE = "it's \"x\" Łódź-пароль-🔒 @:/"
NEW = "a whole new passphrase"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert PASSPHRASE not in out + err and NEW not in out + err   # never shown
    return code, out, err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _last_names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT DISTINCT last_name FROM participants")
                if len(r[0].encode("utf-8")) >= 5]
    finally:
        conn.close()


def _count(path: Path, table: str, passphrase: str | None = PASSPHRASE) -> int:
    conn = connect_file(path, passphrase, readonly=True)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def _holds_any(path: Path, names: list[str]) -> list[str]:
    data = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    return [n for n in names if n.encode("utf-8") in data]


@pytest.fixture
def encrypted(demo_db, capsys, monkeypatch) -> Path:
    """The demo database after `iopdesk db encrypt`, with IOPDESK_PASSPHRASE set."""
    monkeypatch.setenv("IOPDESK_NEW_PASSPHRASE", PASSPHRASE)
    code, out, err = run(capsys, "db", "encrypt", "--database", demo_db)
    assert code == 0, err
    monkeypatch.delenv("IOPDESK_NEW_PASSPHRASE")
    monkeypatch.setenv("IOPDESK_PASSPHRASE", PASSPHRASE)
    return demo_db


def test_encrypt_then_every_command_with_the_passphrase(demo_db, capsys, monkeypatch):
    names = _last_names(demo_db)
    assert len(names) >= 20 and "Nguyễn" in names
    assert _holds_any(demo_db, names)
    run(capsys, "db", "backup", "--database", demo_db)          # a plain backup, before
    [old_backup] = list_backups(demo_db.parent / "backups", demo_db.stem)
    assert _holds_any(old_backup, names)

    monkeypatch.setenv("IOPDESK_NEW_PASSPHRASE", PASSPHRASE)
    code, out, err = run(capsys, "db", "encrypt", "--database", demo_db)
    assert code == 0, err
    assert "Encrypted" in out and "plain file was removed" in out
    assert is_encrypted(demo_db) and is_encrypted(old_backup)
    assert sorted(p.name for p in demo_db.parent.iterdir()) == ["backups", "demo.sqlite3"]
    assert _holds_any(demo_db, names) == [] and _holds_any(old_backup, names) == []

    monkeypatch.setenv("IOPDESK_PASSPHRASE", PASSPHRASE)
    code, out, err = run(capsys, "db", "check", "--database", demo_db)
    assert code == 0, err
    assert "integrity     ok" in out and "encryption    ok   SQLCipher" in out
    code, out, _ = run(capsys, "db", "backup", "--database", demo_db)
    assert code == 0 and "encrypted with the database passphrase" in out
    code, out, err = run(capsys, "db", "upgrade", "--database", demo_db)
    assert code == 0 and f"revision {HEAD}" in out, err
    code, out, err = run(capsys, "db", "check", "--quick", "--database", demo_db)   # now WAL
    assert code == 0 and "integrity     ok" in out, err
    for backup in list_backups(demo_db.parent / "backups", demo_db.stem):
        assert is_encrypted(backup) and _holds_any(backup, names) == []
    assert _holds_any(demo_db, names) == []


@pytest.mark.parametrize("command", [("db", "check"), ("db", "upgrade"), ("db", "backup")])
def test_without_the_passphrase_commands_say_how_to_give_it(encrypted, capsys, monkeypatch,
                                                           command):
    monkeypatch.delenv("IOPDESK_PASSPHRASE")
    before = _digest(encrypted)
    code, _, err = run(capsys, *command, "--database", encrypted)
    assert code == 1 and "IOPDESK_PASSPHRASE" in err and "Traceback" not in err
    monkeypatch.setenv("IOPDESK_PASSPHRASE", "not the passphrase")
    code, _, err = run(capsys, *command, "--database", encrypted)
    assert code == 1 and "the passphrase does not open" in err
    monkeypatch.setenv("IOPDESK_PASSPHRASE", "")
    code, _, err = run(capsys, *command, "--database", encrypted)
    assert code == 1 and "IOPDESK_PASSPHRASE: is set but empty" in err
    assert _digest(encrypted) == before
    assert not (encrypted.parent / "backups").exists() or not list_backups(
        encrypted.parent / "backups", encrypted.stem)


def test_encrypt_refusals(encrypted, demo_template, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("IOPDESK_NEW_PASSPHRASE", NEW)
    before = _digest(encrypted)
    code, _, err = run(capsys, "db", "encrypt", "--database", encrypted)
    assert code == 1 and "already encrypted" in err and "db rekey" in err
    assert _digest(encrypted) == before

    plain = tmp_path / "plain" / "p.sqlite3"
    plain.parent.mkdir()
    plain.write_bytes(demo_template.read_bytes())
    before = _digest(plain)
    monkeypatch.setenv("IOPDESK_NEW_PASSPHRASE", "short")
    code, _, err = run(capsys, "db", "encrypt", "--database", plain)
    assert code == 1 and "IOPDESK_NEW_PASSPHRASE: is too short: at least 8 characters" in err
    monkeypatch.delenv("IOPDESK_NEW_PASSPHRASE")
    code, _, err = run(capsys, "db", "encrypt", "--database", plain)   # no terminal to ask
    assert code == 1 and "give the new passphrase in IOPDESK_NEW_PASSPHRASE" in err
    code, _, err = run(capsys, "db", "encrypt", "--database", tmp_path / "nowhere.sqlite3")
    assert code == 1 and "there is no database" in err
    assert _digest(plain) == before and not is_encrypted(plain)


def test_the_passphrase_is_never_a_command_line_argument():
    for argv in (["db", "encrypt", "--passphrase", "x"], ["db", "check", "--passphrase=x"]):
        with pytest.raises(SystemExit) as usage:
            main(argv)
        assert usage.value.code == 2


def test_rekey(encrypted, capsys, monkeypatch):
    run(capsys, "db", "backup", "--database", encrypted)
    monkeypatch.setenv("IOPDESK_NEW_PASSPHRASE", NEW)
    code, out, err = run(capsys, "db", "rekey", "--database", encrypted)
    assert code == 0, err
    assert "Changed the passphrase" in out and "1 backups changed with it" in out
    code, _, err = run(capsys, "db", "check", "--database", encrypted)
    assert code == 1 and "does not open" in err                     # the old one
    monkeypatch.setenv("IOPDESK_PASSPHRASE", NEW)
    assert run(capsys, "db", "check", "--database", encrypted)[0] == 0
    [backup] = list_backups(encrypted.parent / "backups", encrypted.stem)
    assert _count(backup, "participants", NEW) > 0


def test_rekey_refusals(encrypted, demo_template, tmp_path, capsys, monkeypatch):
    before = _digest(encrypted)
    monkeypatch.setenv("IOPDESK_NEW_PASSPHRASE", NEW)
    monkeypatch.setenv("IOPDESK_PASSPHRASE", "not the passphrase")
    code, _, err = run(capsys, "db", "rekey", "--database", encrypted)
    assert code == 1 and "the passphrase does not open" in err
    monkeypatch.setenv("IOPDESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("IOPDESK_NEW_PASSPHRASE", PASSPHRASE)
    code, _, err = run(capsys, "db", "rekey", "--database", encrypted)
    assert code == 1 and "same as the current one" in err
    monkeypatch.delenv("IOPDESK_PASSPHRASE")
    code, _, err = run(capsys, "db", "rekey", "--database", encrypted)
    assert code == 1 and "give its current passphrase in IOPDESK_PASSPHRASE" in err
    assert _digest(encrypted) == before
    plain = tmp_path / "plain.sqlite3"
    plain.write_bytes(demo_template.read_bytes())
    code, _, err = run(capsys, "db", "rekey", "--database", plain)
    assert code == 1 and "not an encrypted database" in err


def test_restore_of_an_encrypted_backup(encrypted, capsys, monkeypatch):
    code, out, _ = run(capsys, "db", "backup", "--database", encrypted)
    [backup] = list_backups(encrypted.parent / "backups", encrypted.stem)
    attendance = _count(encrypted, "attendance")
    conn = connect_file(encrypted, PASSPHRASE)
    conn.execute("DELETE FROM attendance_changes")      # the attendance's history first
    conn.execute("DELETE FROM attendance")
    conn.commit()
    conn.close()

    before = _digest(encrypted)
    monkeypatch.setenv("IOPDESK_PASSPHRASE", "not the passphrase")
    code, _, err = run(capsys, "db", "restore", backup, "--database", encrypted)
    assert code == 1 and "the passphrase does not open" in err
    assert _digest(encrypted) == before
    assert list_backups(encrypted.parent / "backups", encrypted.stem) == [backup]

    monkeypatch.setenv("IOPDESK_PASSPHRASE", PASSPHRASE)
    code, out, err = run(capsys, "db", "restore", backup, "--database", encrypted)
    assert code == 0, err
    assert "(encrypted)" in out
    assert is_encrypted(encrypted) and _count(encrypted, "attendance") == attendance


def test_an_older_encrypted_database_is_upgraded_after_an_encrypted_backup(encrypted, capsys):
    forget_attendance_history(sqlite_url(encrypted), PASSPHRASE)
    run_migrations(sqlite_url(encrypted), REVISIONS[0], downgrade=True, passphrase=PASSPHRASE)
    code, out, err = run(capsys, "db", "upgrade", "--database", encrypted)
    assert code == 0 and "Backed up the database" in out, err
    [backup] = list((encrypted.parent / "backups").glob("*before-upgrade*.sqlite3"))
    assert is_encrypted(backup)
    assert _count(backup, "participants") == _count(encrypted, "participants")


def test_the_passphrase_is_asked_at_a_terminal(encrypted, capsys, monkeypatch):
    monkeypatch.delenv("IOPDESK_PASSPHRASE")
    monkeypatch.setattr(common, "interactive", lambda: True)
    answers = iter(["wrong one", PASSPHRASE])
    prompts = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    code, out, err = run(capsys, "db", "check", "--database", encrypted)
    assert code == 0, err
    assert len(prompts) == 2 and "Passphrase of" in prompts[0]
    assert "does not open" in err                                # told, then asked again

    answers = iter(["bad 1", "bad 2", "bad 3"])
    code, _, err = run(capsys, "db", "check", "--database", encrypted)
    assert code == 1 and err.count("does not open") == 3


def test_encrypt_asks_twice_at_a_terminal(demo_db, capsys, monkeypatch):
    monkeypatch.setattr(common, "interactive", lambda: True)
    answers = iter(["short", NEW, NEW + " but different", NEW, NEW])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    code, out, err = run(capsys, "db", "encrypt", "--database", demo_db)
    assert code == 0, err
    assert "at least 8 characters" in err and "the two passphrases differ" in err
    assert _count(demo_db, "participants", NEW) > 0
