"""The fault suite's fixtures: the fork server its killed processes come from, and how many
cycles each test runs.

The counts are sized for CI (the whole folder in about two minutes on two CPUs; 200 kill
cycles of the writer on SQLite, as the issue asks, and 20 on PostgreSQL).
IOPDESK_FAULT_CYCLES=N runs N kill cycles of the writer on SQLite for a long local run, and
sets every other count of the suite in the same proportion (a smaller N runs fewer)."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_server import ForkServer
from small_disk import mounted_tmpfs

SQLITE_WRITER_CYCLES = 200       # the reference count IOPDESK_FAULT_CYCLES replaces


def _cycles(default: int) -> int:
    """`default`, or as many as IOPDESK_FAULT_CYCLES asks for, in proportion."""
    asked = os.environ.get("IOPDESK_FAULT_CYCLES", "").strip()
    if not asked:
        return default
    if not asked.isdigit() or int(asked) < 1:
        raise pytest.UsageError(f"IOPDESK_FAULT_CYCLES must be a positive whole number, not "
                                f"{asked!r}")
    return max(1, round(default * int(asked) / SQLITE_WRITER_CYCLES))


@pytest.fixture(scope="session")
def fork_server(tmp_path_factory, template_db):
    server = ForkServer(tmp_path_factory.mktemp("forks"), template_db)
    yield server
    server.close()


@pytest.fixture
def fault_cycles():
    """cycles(default): how many cycles a test runs (see the module's docstring)."""
    return _cycles


class Disk:
    """A small tmpfs of its own, filled on demand to the last byte or to `leave` bytes."""

    def __init__(self, where: Path):
        self.where = where
        self.filler = where / "filler"

    def free(self) -> int:
        return shutil.disk_usage(self.where).free

    def fill(self, leave: int = 0) -> None:
        """Take all the room but `leave` bytes (rounded down to whole pages by tmpfs)."""
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 16, 4096, 512, 1):
                try:
                    while self.free() - size >= leave:
                        os.write(fd, b"\xff" * size)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)

    def empty(self) -> None:
        self.filler.unlink(missing_ok=True)


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Disk]:
    """An 8 MB tmpfs (root only, as in CI: skipped, with the reason, where mounting is not
    permitted)."""
    with mounted_tmpfs(tmp_path / "disk") as where:
        yield Disk(where)
