"""A small tmpfs mounted for one test: a disk that can be filled or made read-only.

Mounting needs root (as in CI); where it is not permitted, the test is skipped with the
reason (a full disk cannot be made there)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def mounted_tmpfs(where: Path, size: str = "8m") -> Iterator[Path]:
    """`where` (made here) with a tmpfs of `size` mounted on it, unmounted afterwards."""
    where.mkdir()
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (as in CI); a full or read-only disk cannot "
                    "be made here")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                           str(where)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {made.stderr.strip()}")
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)
