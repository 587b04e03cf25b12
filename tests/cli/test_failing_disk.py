"""A disk that refuses — full, read-only, failing — ends a command in one line that says so
(never a traceback, never a raw driver error), a service call in a StorageFailure, and leaves
the database whole.

The full and read-only disks are small tmpfs mounts made for each test (root only: skipped,
with the reason, where mounting is not permitted)."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from small_disk import mounted_tmpfs

from iopdesk.cli import acting_user, db_commands, main
from iopdesk.db.engine import make_session_factory, sqlite_url
from iopdesk.db.migrate import open_database
from iopdesk.db.models import Base
from iopdesk.domain.accounts import NewUserInput
from iopdesk.domain.enums import Role
from iopdesk.domain.errors import StorageFailure
from iopdesk.services import accounts as accounts_module
from iopdesk.services import build_services_keyed

ADMIN_PASSWORD = "a long admin password"
KEY_FILE = "audit-hmac.key"
INIT = ("init", "--practice-name", "Cascade Recovery IOP", "--admin-username", "alex",
        "--admin-name", "Alex Admin")
ADD_USER = ("users", "add", "--username", "robin", "--name", "Robin Reyes", "--role",
            "front_desk", "--user", "alex")


@pytest.fixture(autouse=True)
def as_a_script(fast_hashing, monkeypatch):
    """Cheap Argon2, no terminal to ask, and the passwords in the environment."""
    monkeypatch.setattr(acting_user, "interactive", lambda: False)
    monkeypatch.setenv("IOPDESK_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("IOPDESK_NEW_PASSWORD", "robin's temporary password")


class Disk:
    """A tmpfs of its own: filled to the last byte, or remounted read-only, on demand."""

    def __init__(self, where: Path):
        self.where = where
        self.filler = where / "filler"

    def fill(self) -> None:
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 16, 4096, 512, 1):
                try:
                    while True:
                        os.write(fd, b"\xff" * size)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)
        assert shutil.disk_usage(self.where).free == 0

    def empty(self) -> None:
        self.filler.unlink(missing_ok=True)

    def remount(self, mode: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{mode}", str(self.where)], check=True,
                       capture_output=True)


@pytest.fixture
def disk(tmp_path) -> Iterator[Disk]:
    with mounted_tmpfs(tmp_path / "disk") as where:
        yield Disk(where)


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    assert err.startswith("iopdesk: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "OperationalError" not in err and "sqlalchemy" not in err
    return err


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in Base.metadata.tables}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def practice_template(tmp_path_factory) -> Path:
    """A practice with its administrator, made by `iopdesk init` once for this module."""
    path = tmp_path_factory.mktemp("practice") / "practice.sqlite3"
    mp = pytest.MonkeyPatch()
    try:
        # the practice's audit key is made beside it; each test's workstation gets a copy
        mp.setenv("IOPDESK_CONFIG_DIR", str(path.parent))
        mp.setenv("IOPDESK_DATA_DIR", str(path.parent))
        mp.setattr(accounts_module, "_hasher",
                   lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        mp.setattr(acting_user, "interactive", lambda: False)
        mp.setenv("IOPDESK_PASSWORD", ADMIN_PASSWORD)
        assert main([*INIT, "--database", str(path)]) == 0
    finally:
        mp.undo()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def practice_on_disk(practice_template, disk) -> Path:
    path = disk.where / "practice.sqlite3"
    shutil.copy(practice_template, path)          # owner-only, as init made it
    config = Path(os.environ["IOPDESK_CONFIG_DIR"])     # this test's workstation
    config.mkdir(parents=True, exist_ok=True)
    shutil.copy(practice_template.with_name(KEY_FILE), config / KEY_FILE)
    return path


# -- a full disk -----------------------------------------------------------------------------

def test_a_full_disk_stops_a_writing_command_in_one_line(practice_on_disk, disk, capsys):
    before = counts(practice_on_disk)
    disk.fill()
    code, out, err = run(capsys, *ADD_USER, "--database", practice_on_disk)
    assert code == 1
    line = one_error_line(err)
    assert f"the disk holding {practice_on_disk} is full: " in line
    assert "bytes free; nothing was changed" in line
    disk.empty()
    assert counts(practice_on_disk) == before          # whole, and not one row more
    code, out, err = run(capsys, *ADD_USER, "--database", practice_on_disk)
    assert code == 0 and "Added robin" in out, err     # with room again, it works


def test_a_full_disk_stops_a_reading_command_in_one_line_too(practice_on_disk, disk, capsys):
    disk.fill()
    code, _, err = run(capsys, "users", "list", "--user", "alex", "--database",
                       practice_on_disk)
    assert code == 1 and "is full" in one_error_line(err)


def test_a_service_on_a_full_disk_raises_storage_failure(practice_on_disk, disk):
    engine = open_database(sqlite_url(practice_on_disk))
    try:
        services = build_services_keyed(
            make_session_factory(engine), "test-station",
            key_path=Path(os.environ["IOPDESK_CONFIG_DIR"]) / KEY_FILE)
        admin = services.staff.log_in("alex", ADMIN_PASSWORD)
        before = counts(practice_on_disk)
        disk.fill()
        with pytest.raises(StorageFailure) as caught:
            services.users.add_user(admin, NewUserInput(
                username="robin", display_name="Robin Reyes",
                roles=frozenset({Role.FRONT_DESK})), "robin's temporary password")
        assert caught.value.kind == StorageFailure.FULL
        assert f"the disk holding {practice_on_disk} is full: " in str(caught.value)
        assert not isinstance(caught.value, OperationalError)
    finally:
        engine.dispose()
        disk.empty()
    assert counts(practice_on_disk) == before


def test_a_commit_on_a_full_disk_raises_storage_failure(practice_on_disk, disk):
    """The pages of a transaction reach the write-ahead log at COMMIT: the failure there
    becomes a StorageFailure as well, and the transaction leaves no trace."""
    engine = open_database(sqlite_url(practice_on_disk))
    try:
        session = make_session_factory(engine)()
        session.execute(text("SELECT count(*) FROM staff_users")).scalar()
        disk.fill()
        session.execute(text("CREATE TABLE scratch (blob BLOB)"))
        session.execute(text("INSERT INTO scratch VALUES (randomblob(300000))"))
        with pytest.raises(StorageFailure) as caught:
            session.commit()                                 # the only statement that writes
        assert caught.value.kind == StorageFailure.FULL
        assert str(caught.value).startswith(f"the disk holding {practice_on_disk} is full: ")
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        session.close()
        disk.empty()
        with make_session_factory(engine)() as again:          # the engine is fine afterwards
            assert again.execute(text("SELECT count(*) FROM sqlite_master WHERE "
                                      "name = 'scratch'")).scalar() == 0
    finally:
        engine.dispose()
        disk.empty()
    counts(practice_on_disk)


# -- a read-only disk ------------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ("users", "list", "--user", "alex"),     # reads (and audits the log-in)
    ("audit", "verify"),                     # reads
    ("db", "check"),                         # reads, read-only
    ADD_USER,                                # writes
])
def test_a_read_only_disk_is_named_in_one_line(practice_on_disk, disk, capsys, command):
    before = counts(practice_on_disk)
    disk.remount("ro")
    try:
        code, _, err = run(capsys, *command, "--database", practice_on_disk)
        assert code == 1
        line = one_error_line(err)
        assert f"the database is read-only: {practice_on_disk} is on a disk mounted " \
               "read-only; nothing was changed" in line
    finally:
        disk.remount("rw")
    assert counts(practice_on_disk) == before


def test_creating_on_a_read_only_disk_is_named_in_one_line(disk, capsys):
    disk.remount("ro")
    try:
        code, _, err = run(capsys, *INIT, "--database", disk.where / "new" / "x.sqlite3")
        assert code == 1 and "read-only" in one_error_line(err)
    finally:
        disk.remount("rw")
    assert list(disk.where.iterdir()) == []


# -- failed file writes in any command -------------------------------------------------------

@pytest.mark.parametrize("number, words", [
    (errno.ENOSPC, "is full: "),
    (errno.EROFS, "is read-only"),
    (errno.EIO, "reported an I/O error"),
    (errno.EACCES, "Permission denied"),
])
def test_an_os_error_from_a_command_is_one_line(db_path, tmp_path, capsys, monkeypatch, number,
                                                words):
    target = tmp_path / "somewhere" / "file.out"

    def failing(config, args):
        raise OSError(number, os.strerror(number), str(target))
    monkeypatch.setattr(db_commands, "upgrade", failing)
    code, out, err = run(capsys, "db", "upgrade", "--database", db_path)
    assert code == 1
    line = one_error_line(err)
    assert words in line and str(target) in line


def test_a_raw_driver_error_that_reaches_the_top_is_one_line(db_path, capsys, monkeypatch):
    def failing(config, args):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(db_commands, "upgrade", failing)
    code, _, err = run(capsys, "db", "upgrade", "--database", db_path)
    assert code == 1 and f"the disk holding {db_path} is full" in one_error_line(err)
