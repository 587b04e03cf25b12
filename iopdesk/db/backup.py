"""Online backups of the live SQLite database, their rotation, and verified restore.

Backups of an encrypted database are encrypted with the same passphrase (SQLite's backup API
between two keyed SQLCipher connections re-encrypts every page on the way), and restore with
it; a plain database's backups are plain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from iopdesk.db.crypto import (SQLITE_HEADER, connect_file, create_keyed, database_errors,
                               export_file, is_encrypted, remove_with_sidecars, replace_file,
                               take_alone, verify_copy)
from iopdesk.db.engine import sqlite_path
from iopdesk.db.migrate import REVISIONS, check_sqlite_file, refuse_if_newer
from iopdesk.domain.errors import DatabaseUnusable

BACKUP_SUFFIX = ".sqlite3"
REQUIRED_TABLES = {"alembic_version", "participants", "episodes", "staff_users", "audit_events"}


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    revision: str
    size: int
    encrypted: bool = False


def _require_sqlite(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise DatabaseUnusable("backup and restore here work on an SQLite database file; "
                               "back up a PostgreSQL server with pg_dump")
    return path


def verify_database_file(path: Path, *, what: str = "The file",
                         passphrase: str | None = None) -> BackupInfo:
    """Check that `path` is a whole, consistent IOPDesk database this version can open
    (an encrypted one with `passphrase`: PassphraseRequired without, WrongPassphrase when it
    does not open it)."""
    if not path.exists():
        raise DatabaseUnusable(f"{what} {path} does not exist")
    if path.is_dir():
        raise DatabaseUnusable(f"{what} {path} is a folder, not a database file")
    size = path.stat().st_size
    if size == 0:
        raise DatabaseUnusable(f"{what} {path} is empty")
    check_sqlite_file(path, passphrase=passphrase, what=what)
    try:
        conn = connect_file(path, passphrase, readonly=True, what=what)
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
    except database_errors() as exc:
        raise DatabaseUnusable(f"{what} {path} is damaged or not a database: {exc}") from exc
    if row is None:
        raise DatabaseUnusable(f"{what} {path} has no schema revision")
    refuse_if_newer(row[0], where=f"{what} {path}")
    return BackupInfo(path=path, revision=row[0], size=size, encrypted=is_encrypted(path))


def _copy(source: Path, target: Path, *, standalone: bool = False,
          passphrase: str | None = None) -> None:
    """Copy with the online backup API; a `standalone` copy is one file with no WAL. An
    encrypted source gives a copy encrypted with the same passphrase."""
    src = connect_file(source, passphrase, readonly=True)
    try:
        dst = create_keyed(target, passphrase if is_encrypted(source) else None)
        try:
            src.backup(dst)
            if standalone:
                dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def backup_database(url: str, backup_dir: Path, *, keep: int = 10, label: str = "",
                    passphrase: str | None = None) -> BackupInfo:
    """Copy the live database with SQLite's online backup API to a timestamped, verified file,
    then keep only the newest `keep` backups of it. An encrypted database needs `passphrase`
    and gives an encrypted backup."""
    source = _require_sqlite(url)
    if not source.exists() or source.stat().st_size == 0:
        raise DatabaseUnusable(f"there is no database at {source} to back up")
    check_sqlite_file(source, passphrase=passphrase)
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    target = backup_dir / f"{source.stem}-{stamp}{'-' + label if label else ''}{BACKUP_SUFFIX}"
    try:
        _copy(source, target, standalone=True, passphrase=passphrase)
        info = verify_database_file(target, what="The new backup", passphrase=passphrase)
    except (*database_errors(), DatabaseUnusable):
        remove_with_sidecars(target)
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


def restore_database(url: str, backup_file: Path, backup_dir: Path, *, keep: int = 10,
                     passphrase: str | None = None) -> BackupInfo:
    """Replace the live database with `backup_file` after verifying it; the current database
    is kept as a backup first. A bad file, or a passphrase that does not open the backup or
    the live database, is refused before anything is touched.

    An encrypted backup restores encrypted with `passphrase`. The restored database is
    encrypted too when the live one was, even from a plain backup (it is encrypted on the way
    in): a restore never leaves the records of an encrypted practice in a plain file.
    """
    target = _require_sqlite(url)
    info = verify_database_file(backup_file, what="The backup", passphrase=passphrase)
    if target.exists() and target.resolve() == backup_file.resolve():
        raise DatabaseUnusable("the backup is the live database itself")
    live = target.exists() and target.stat().st_size > 0
    live_encrypted = live and is_encrypted(target)
    if live:
        backup_database(url, backup_dir, keep=keep + 1, label="before-restore",
                        passphrase=passphrase)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not live or live_encrypted == info.encrypted:
        _copy(backup_file, target, passphrase=passphrase)
    else:
        _restore_converting(backup_file, target, passphrase, info.encrypted)
    verify_database_file(target, what="The restored database", passphrase=passphrase)
    return info


def _restore_converting(backup_file: Path, target: Path, passphrase: str | None,
                        backup_encrypted: bool) -> None:
    """Restore across plain and encrypted: the backup is exported, encrypted with
    `passphrase`, to a file beside the live one, verified, then put in its place."""
    staged = target.with_name(f"{target.name}.restoring")
    remove_with_sidecars(staged)
    try:
        expected = export_file(backup_file, passphrase if backup_encrypted else None, staged,
                               passphrase)
        verify_copy(staged, passphrase, expected)
        live = connect_file(target, passphrase)
        try:
            take_alone(live, target)       # nobody else has it open while it is replaced
        finally:
            live.close()
    except BaseException:
        remove_with_sidecars(staged)
        raise
    replace_file(staged, target)


def is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


__all__ = ["BackupInfo", "REVISIONS", "backup_database", "list_backups", "restore_database",
           "rotate_backups", "verify_database_file", "is_sqlite_file"]
