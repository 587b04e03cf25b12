"""Files that hold health information are readable by their owner only.

The database, its `-wal`/`-shm`, backups, exports and the code table are created 0600 in
folders created 0700. SQLite gives a new `-wal` and `-shm` the mode of their database file,
so a database file created 0600 keeps its companions private too. Folders that already exist
(a user's home, /tmp) are never changed: only those IOPDesk creates.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
COMPANIONS = ("-wal", "-shm", "-journal")


def _posix() -> bool:
    return os.name == "posix"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` and any missing parents, each owner-only; existing folders are kept
    as they are."""
    missing: list[Path] = []
    walk = path
    while not walk.exists():
        missing.append(walk)
        if walk.parent == walk:
            break
        walk = walk.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue                       # another process made it just now
        if _posix():
            folder.chmod(PRIVATE_DIR)      # mkdir's mode is narrowed by the umask only
    return path


def create_private_file(path: Path) -> bool:
    """Create `path` empty and owner-only when it does not exist; True if it was created."""
    ensure_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def is_loose(path: Path) -> bool:
    """True when a group or other users may read, write or run `path`."""
    if not _posix():
        return False
    try:
        return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        return False


def database_files(path: Path) -> list[Path]:
    """The database file and those of its companions that exist."""
    return [p for p in (path, *(path.with_name(path.name + s) for s in COMPANIONS))
            if p.exists()]


def loose_files(path: Path) -> list[Path]:
    """The database's files (itself and companions) that others could read."""
    return [p for p in database_files(path) if is_loose(p)]


def describe_mode(path: Path) -> str:
    try:
        return f"{stat.S_IMODE(path.stat().st_mode):04o}"
    except OSError:
        return "unknown"


def tighten(paths: list[Path]) -> list[Path]:
    """Make each of `paths` owner-only; the ones that were changed."""
    changed = []
    for p in paths:
        if is_loose(p):
            p.chmod(PRIVATE_DIR if p.is_dir() else PRIVATE_FILE)
            changed.append(p)
    return changed


def flush_to_disk(path: Path) -> None:
    """fsync a file, or a folder (so a rename in it survives a power cut; not on Windows,
    which cannot open a folder)."""
    if path.is_dir() and os.name != "posix":      # pragma: no cover - Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
