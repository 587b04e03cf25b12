"""Online backups of the live SQLite database, their rotation, and verified restore."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from iopdesk.db.engine import sqlite_path
from iopdesk.db.migrate import REVISIONS, SQLITE_HEADER, check_sqlite_file, refuse_if_newer
from iopdesk.domain.errors import DatabaseUnusable

BACKUP_SUFFIX = ".sqlite3"
REQUIRED_TABLES = {"alembic_version", "participants", "episodes", "staff_users", "audit_events"}


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    revision: str
    size: int


def _readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _require_sqlite(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise DatabaseUnusable("backup and restore here work on an SQLite database file; "
                               "back up a PostgreSQL server with pg_dump")
    return path


def verify_database_file(path: Path, *, what: str = "The file") -> BackupInfo:
    """Check that `path` is a whole, consistent IOPDesk database this version can open."""
    if not path.exists():
        raise DatabaseUnusable(f"{what} {path} does not exist")
    if path.is_dir():
        raise DatabaseUnusable(f"{what} {path} is a folder, not a database file")
    size = path.stat().st_size
    if size == 0:
        raise DatabaseUnusable(f"{what} {path} is empty")
    check_sqlite_file(path)
    try:
        conn = _readonly(path)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
            if result != [("ok",)]:
                first = result[0][0] if result else "no answer"
                raise DatabaseUnusable(f"{what} {path} is damaged: {first}")
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise DatabaseUnusable(f"{what} {path} has {len(broken)} rows pointing at "
                                       f"missing rows (first in table {broken[0][0]})")
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = REQUIRED_TABLES - tables
            if missing:
                raise DatabaseUnusable(f"{what} {path} is not an IOPDesk database (no "
                                       f"{', '.join(sorted(missing))} table)")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseUnusable(f"{what} {path} is damaged or not a database: {exc}") from exc
    if row is None:
        raise DatabaseUnusable(f"{what} {path} has no schema revision")
    refuse_if_newer(row[0], where=f"{what} {path}")
    return BackupInfo(path=path, revision=row[0], size=size)


def _copy(source: Path, target: Path, *, standalone: bool = False) -> None:
    """Copy with the online backup API; a `standalone` copy is one file with no WAL."""
    src = _readonly(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            if standalone:
                dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def backup_database(url: str, backup_dir: Path, *, keep: int = 10, label: str = "") -> BackupInfo:
    """Copy the live database with SQLite's online backup API to a timestamped, verified file,
    then keep only the newest `keep` backups of it."""
    source = _require_sqlite(url)
    if not source.exists() or source.stat().st_size == 0:
        raise DatabaseUnusable(f"there is no database at {source} to back up")
    check_sqlite_file(source)
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    target = backup_dir / f"{source.stem}-{stamp}{'-' + label if label else ''}{BACKUP_SUFFIX}"
    try:
        _copy(source, target, standalone=True)
        info = verify_database_file(target, what="The new backup")
    except (sqlite3.DatabaseError, DatabaseUnusable):
        target.unlink(missing_ok=True)
        raise
    rotate_backups(backup_dir, source.stem, keep)
    return info


def list_backups(backup_dir: Path, stem: str) -> list[Path]:
    """Backups of the database named `stem`, newest first."""
    if not backup_dir.is_dir():
        return []
    return sorted(backup_dir.glob(f"{stem}-*{BACKUP_SUFFIX}"), reverse=True)


def rotate_backups(backup_dir: Path, stem: str, keep: int) -> None:
    for old in list_backups(backup_dir, stem)[max(keep, 1):]:
        old.unlink(missing_ok=True)


def restore_database(url: str, backup_file: Path, backup_dir: Path, *, keep: int = 10) -> BackupInfo:
    """Replace the live database with `backup_file` after verifying it; the current database
    is kept as a backup first. A bad file is refused before anything is touched."""
    target = _require_sqlite(url)
    info = verify_database_file(backup_file, what="The backup")
    if target.exists() and target.resolve() == backup_file.resolve():
        raise DatabaseUnusable("the backup is the live database itself")
    if target.exists() and target.stat().st_size > 0:
        backup_database(url, backup_dir, keep=keep + 1, label="before-restore")
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(backup_file, target)
    verify_database_file(target, what="The restored database")
    return info


def is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


__all__ = ["BackupInfo", "REVISIONS", "backup_database", "list_backups", "restore_database",
           "rotate_backups", "verify_database_file", "is_sqlite_file"]
