"""`iopdesk audit key export|import`: carrying the practice's audit key to another
workstation (another configuration folder), and what is refused on the way."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from cli_support import run

from iopdesk.cli import acting_user, main

PASSWORD = "admin-password-1"
INIT = ("init", "--practice-name", "Cascade Recovery IOP", "--admin-username", "alex",
        "--admin-name", "Alex Admin")
KEY_FILE = "audit-hmac.key"


@pytest.fixture(autouse=True)
def as_a_script(fast_hashing, monkeypatch):
    monkeypatch.setattr(acting_user, "interactive", lambda: False)
    monkeypatch.setenv("IOPDESK_PASSWORD", PASSWORD)


class Desks:
    """Two workstations of one practice: their configuration folders, one database."""

    def __init__(self, tmp_path: Path, monkeypatch):
        self.db = tmp_path / "shared" / "practice.sqlite3"
        self.first, self.second = tmp_path / "desk-1", tmp_path / "desk-2"
        self._patch = monkeypatch

    def at(self, folder: Path) -> None:
        self._patch.setenv("IOPDESK_CONFIG_DIR", str(folder))


@pytest.fixture(scope="module")
def practice_made(tmp_path_factory) -> Path:
    """A practice made by `iopdesk init` once for this module: its database and the
    configuration folder holding the key that signs its trail."""
    from argon2 import PasswordHasher

    from iopdesk.services import accounts

    base = tmp_path_factory.mktemp("practice")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IOPDESK_CONFIG_DIR", str(base / "config"))
        patch.setenv("IOPDESK_DATA_DIR", str(base / "data"))
        patch.setenv("IOPDESK_PASSWORD", PASSWORD)
        patch.setattr(acting_user, "interactive", lambda: False)
        patch.setattr(accounts, "_hasher",
                      lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        assert main([*INIT, "--database", str(base / "practice.sqlite3")]) == 0
    conn = sqlite3.connect(base / "practice.sqlite3")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return base


@pytest.fixture
def desks(practice_made, tmp_path, monkeypatch) -> Desks:
    """The practice, made at the first workstation (whose key signs its trail)."""
    desks = Desks(tmp_path, monkeypatch)
    desks.db.parent.mkdir()
    shutil.copy(practice_made / "practice.sqlite3", desks.db)
    shutil.copytree(practice_made / "config", desks.first)
    desks.at(desks.first)
    return desks


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("iopdesk: error: "), err
    return lines[0]


def test_a_new_workstation_is_refused_until_it_imports_the_practices_key(desks, capsys,
                                                                        tmp_path):
    desks.at(desks.second)
    code, _, err = run(capsys, "users", "list", "--user", "alex", "--database", desks.db)
    line = one_line(err)
    assert code == 1 and "has no audit key" in line and "nothing was written" in line
    assert "`iopdesk audit key export FILE`" in line and "`iopdesk audit key import FILE`" in line
    assert not desks.second.exists()                     # no key of its own was made

    desks.at(desks.first)
    carried = tmp_path / "practice.key"
    code, out, err = run(capsys, "audit", "key", "export", carried)
    assert code == 0, err
    assert "readable by its owner only" in out and "import" in out
    assert carried.stat().st_mode & 0o777 == 0o600
    assert carried.read_text() == (desks.first / KEY_FILE).read_text()

    desks.at(desks.second)
    code, out, err = run(capsys, "audit", "key", "import", carried, "--database", desks.db)
    assert code == 0, err
    assert "it signs the audit trail" in out and f"Delete {carried}" in out
    assert (desks.second / KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert (desks.second / KEY_FILE).read_text() == carried.read_text()
    code, out, err = run(capsys, "users", "list", "--user", "alex", "--database", desks.db)
    assert code == 0 and "alex" in out, err
    for folder in (desks.second, desks.first):
        desks.at(folder)
        code, out, err = run(capsys, "audit", "verify", "--database", desks.db)
        assert code == 0 and "The audit trail is intact" in out, err


def test_importing_the_same_key_again_changes_nothing(desks, capsys, tmp_path):
    carried = tmp_path / "practice.key"
    assert run(capsys, "audit", "key", "export", carried)[0] == 0
    code, out, _ = run(capsys, "audit", "key", "import", carried, "--database", desks.db)
    assert code == 0 and "already has this audit key" in out


@pytest.mark.parametrize("content", [b"", b"hello, this is not a key\n", b"ab" * 16 + b"\n",
                                     b"\xff\xfe" * 40, b"0" * 10_000])
def test_a_file_that_is_not_a_key_is_refused(desks, capsys, tmp_path, content):
    desks.at(desks.second)
    bogus = tmp_path / "bogus.key"
    bogus.write_bytes(content)
    code, _, err = run(capsys, "audit", "key", "import", bogus, "--database", desks.db)
    line = one_line(err)
    assert code == 1 and "is not an IOPDesk audit key" in line and "nothing was changed" in line
    assert not desks.second.exists()


def test_a_missing_file_or_a_folder_is_refused(desks, capsys, tmp_path):
    desks.at(desks.second)
    code, _, err = run(capsys, "audit", "key", "import", tmp_path / "nowhere.key")
    assert code == 1 and "there is no file" in one_line(err)
    code, _, err = run(capsys, "audit", "key", "import", tmp_path)
    assert code == 1 and "is a folder" in one_line(err)
    assert not desks.second.exists()


def test_another_practices_key_is_refused(desks, capsys, tmp_path):
    desks.at(desks.second)
    stranger = tmp_path / "stranger.key"
    stranger.write_text("cd" * 32 + "\n")
    code, _, err = run(capsys, "audit", "key", "import", stranger, "--database", desks.db)
    assert code == 1 and "not the one that signs this database's audit trail" in one_line(err)
    assert not desks.second.exists()


def test_a_different_key_already_here_is_never_replaced(desks, capsys, tmp_path):
    carried = tmp_path / "practice.key"
    assert run(capsys, "audit", "key", "export", carried)[0] == 0
    desks.second.mkdir()
    (desks.second / KEY_FILE).write_text("ef" * 32 + "\n")
    desks.at(desks.second)
    code, _, err = run(capsys, "audit", "key", "import", carried, "--database", desks.db)
    assert code == 1 and "already has another audit key" in one_line(err)
    assert (desks.second / KEY_FILE).read_text() == "ef" * 32 + "\n"


def test_export_never_writes_over_a_file(desks, capsys, tmp_path):
    taken = tmp_path / "taken.txt"
    taken.write_text("someone's notes\n")
    code, _, err = run(capsys, "audit", "key", "export", taken)
    assert code == 1 and "exists" in one_line(err) and "nothing was written" in err
    assert taken.read_text() == "someone's notes\n"
    code, _, err = run(capsys, "audit", "key", "export", tmp_path / "no-such-folder" / "k.key")
    assert code == 1 and "does not exist" in one_line(err)


def test_export_without_a_key_writes_nothing(desks, capsys, tmp_path):
    desks.at(desks.second)
    code, _, err = run(capsys, "audit", "key", "export", tmp_path / "out.key")
    assert code == 1 and "has no audit key" in one_line(err)
    assert not (tmp_path / "out.key").exists() and not desks.second.exists()


def test_key_files_are_owner_only_whatever_the_umask_and_the_carried_files_mode(
        desks, capsys, tmp_path):
    carried = tmp_path / "practice.key"
    old = os.umask(0)
    try:
        assert run(capsys, "audit", "key", "export", carried)[0] == 0
    finally:
        os.umask(old)
    assert carried.stat().st_mode & 0o777 == 0o600
    carried.chmod(0o644)                 # as a USB stick's file system shows it
    desks.at(desks.second)
    code, out, err = run(capsys, "audit", "key", "import", carried, "--database", desks.db)
    assert code == 0, err
    assert "is readable by other users of this computer (0644" in out and "delete it" in out
    assert (desks.second / KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert desks.second.stat().st_mode & 0o777 == 0o700


def test_a_key_imported_before_there_is_a_database_says_it_was_not_checked(capsys, tmp_path,
                                                                           monkeypatch):
    monkeypatch.setenv("IOPDESK_CONFIG_DIR", str(tmp_path / "desk"))
    carried = tmp_path / "practice.key"
    carried.write_text("12" * 32 + "\n")
    carried.chmod(0o600)
    missing = tmp_path / "nowhere" / "practice.sqlite3"
    code, out, err = run(capsys, "audit", "key", "import", carried, "--database", missing)
    assert code == 0, err
    assert "no database to check it against" in out
    assert not missing.parent.exists()                  # importing creates no database
