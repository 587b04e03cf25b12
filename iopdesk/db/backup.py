"""Online backups of the live SQLite database, their rotation, and verified restore.

Backups of an encrypted database are encrypted with the same passphrase (SQLite's backup API
between two keyed SQLCipher connections re-encrypts every page on the way), and restore with
it; a plain database's backups are plain.

A backup is written under a hidden temporary name and takes its backup's name only once it
verified: a copy cut short (a kill, a full disk) never looks like a backup. Beside each backup
a small record (`<backup>.json`, no health information) keeps where the audit trail ended when
it was made, signed by the trail's own head; a restore holds the backup against it. Backups,
their records and their folder are readable by their owner only.
"""

from __future__ import annotations

import errno
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from iopdesk.db.audit_protection import TRIGGER_QUERY, protection_problems
# What a backup is lives in db.backup_files (shared with db.pg_tools); re-exported here.
from iopdesk.db.backup_files import (  # noqa: F401
    ALL_KINDS, BACKUP_SUFFIX, DUMP_SUFFIX, HEAD_COLUMNS, PARTIAL_MARK, PG_ARCHIVE_MAGIC,
    RECORD_SUFFIX, BackupInfo, check_against_record, is_pg_archive, list_backups,
    note_encrypted, process_alive, read_record, record_path, rotate_backups, starts_with,
    store_record, write_record)
from iopdesk.db.crypto import (SIDECARS, SQLITE_HEADER, connect_file, create_keyed,
                               database_errors, export_file, is_encrypted, remove_with_sidecars,
                               replace_file, take_alone, verify_copy)
from iopdesk.db.engine import free_bytes, sqlite_path, storage_failure
from iopdesk.db.migrate import REVISIONS, check_sqlite_file, refuse_if_newer
from iopdesk.db.private_files import (PRIVATE_FILE, create_private_file, ensure_private_dir,
                                      flush_to_disk, tighten)
from iopdesk.db.urls import backend, without_password
from iopdesk.domain.errors import DatabaseUnusable, IOPDeskError, StorageFailure

REQUIRED_TABLES = {"alembic_version", "participants", "episodes", "staff_users", "audit_events"}


def _incomplete(path: Path, what: str, size: int) -> str | None:
    """Why `path` is a copy cut short, or None when nothing says so."""
    lead = f"{what} {path}"
    if any(Path(f"{path}{s}").exists() for s in ("-journal",)):
        return (f"{lead} is incomplete: a copy into it was interrupted (its journal "
                f"{path.name}-journal is still beside it)")
    with path.open("rb") as handle:
        page_one = handle.read(100)
    if page_one[:16] == bytes(16):
        return (f"{lead} is damaged or incomplete: it does not begin like a database (its "
                "first bytes are zeros, as in a copy cut short)")
    if page_one[:16] == SQLITE_HEADER and len(page_one) == 100:
        page_size = int.from_bytes(page_one[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        pages = int.from_bytes(page_one[28:32], "big")
        valid = page_one[24:28] == page_one[92:96]     # the size field is current
        if valid and pages and page_size and pages * page_size > size:
            return (f"{lead} is incomplete: it holds {size:,} of the {pages * page_size:,} "
                    "bytes it should (a copy cut short)")
    return None


def _require_sqlite(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise DatabaseUnusable(f"backup and restore work on an SQLite database file or a "
                               f"PostgreSQL server; {without_password(url)} is neither")
    return path


def _on_server(url: str) -> bool:
    """A PostgreSQL URL: its backups are pg_dump archives (db.pg_tools)."""
    return backend(url) == "postgresql"


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
    if (reason := _incomplete(path, what, size)) is not None:
        raise DatabaseUnusable(reason)
    recorded = read_record(path)
    if recorded is not None and not recorded.get("encrypted") and is_encrypted(path):
        raise DatabaseUnusable(f"{what} {path} is damaged: it was written as a plain database "
                               "and no longer begins like one")
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
            revision = row[0] if row else None
            unprotected = protection_problems(conn.execute(TRIGGER_QUERY).fetchall(), revision)
            head = _audit_head(conn)
        finally:
            conn.close()
    except database_errors() as exc:
        raise DatabaseUnusable(f"{what} {path} is damaged or not a database: {exc}") from exc
    if revision is None:
        raise DatabaseUnusable(f"{what} {path} has no schema revision")
    refuse_if_newer(revision, where=f"{what} {path}")
    return BackupInfo(path=path, revision=revision, size=size, encrypted=is_encrypted(path),
                      audit_head=head, unprotected=tuple(unprotected))


def _audit_head(conn) -> dict | None:
    columns = {r[1] for r in conn.execute("PRAGMA table_info(audit_chain_head)")}
    if not set(HEAD_COLUMNS) <= columns:
        return None
    row = conn.execute(f"SELECT {', '.join(HEAD_COLUMNS)} FROM audit_chain_head "
                       "WHERE id = 1").fetchone()
    return dict(zip(HEAD_COLUMNS, row)) if row else None


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
    and gives an encrypted backup.

    The copy is made under a hidden temporary name and renamed only after it verified, with
    its record beside it; a copy that fails is removed. A database whose audit trail lost its
    protection is still backed up (the records matter more), and `unprotected` says so.

    A PostgreSQL database is dumped with pg_dump instead (db.pg_tools), into the same kind
    of verified, recorded, rotated file."""
    if _on_server(url):
        from iopdesk.db.pg_tools import backup_server

        return backup_server(url, backup_dir, keep=keep, label=label)
    source = _require_sqlite(url)
    if not source.exists() or source.stat().st_size == 0:
        raise DatabaseUnusable(f"there is no database at {source} to back up")
    check_sqlite_file(source, passphrase=passphrase)
    ensure_private_dir(backup_dir)
    _remove_abandoned(backup_dir)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    target = backup_dir / f"{source.stem}-{stamp}{'-' + label if label else ''}{BACKUP_SUFFIX}"
    partial = backup_dir / f".{target.name}{PARTIAL_MARK}{os.getpid()}"
    try:
        remove_with_sidecars(partial)
        create_private_file(partial)
        _copy(source, partial, standalone=True, passphrase=passphrase)
        info = verify_database_file(partial, what="The new backup", passphrase=passphrase)
        flush_to_disk(partial)
        write_record(target, info, source)
        os.replace(partial, target)
        flush_to_disk(backup_dir)
    except BaseException as exc:
        failure = _backup_failure(exc, backup_dir)     # while the copy still takes its room
        remove_with_sidecars(partial)
        if not target.exists():
            record_path(target).unlink(missing_ok=True)
        if failure is not None:
            raise failure from exc
        raise
    rotate_backups(backup_dir, source.stem, keep)
    return BackupInfo(path=target, revision=info.revision, size=info.size,
                      encrypted=info.encrypted, audit_head=info.audit_head,
                      unprotected=info.unprotected)


def _backup_failure(error: BaseException, backup_dir: Path) -> StorageFailure | None:
    """A disk that refused the backup (full, read-only, failing), named as the backups'
    folder: the copy is what writes, not the database, whose disk may have room."""
    if not isinstance(error, Exception) or isinstance(error, IOPDeskError):
        return None
    failure = storage_failure(error, backup_dir / "backup")
    if failure is None:
        return None
    if failure.kind == StorageFailure.FULL:
        return StorageFailure(f"the disk holding {backup_dir} is full"
                              f"{_free(backup_dir)}; no backup was made and the database "
                              "was not changed", StorageFailure.FULL)
    return failure


def _free(folder: Path) -> str:
    free = free_bytes(folder / "backup")
    return "" if free is None else f": {free:,} bytes free"


def _remove_abandoned(backup_dir: Path) -> None:
    """Remove the temporary copies of backups whose process is gone (killed mid-copy)."""
    for partial in backup_dir.glob(f".*{BACKUP_SUFFIX}{PARTIAL_MARK}*"):
        if any(partial.name.endswith(s) for s in SIDECARS):
            continue
        pid = partial.name.rsplit(PARTIAL_MARK, 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and process_alive(int(pid)):
            continue
        remove_with_sidecars(partial)


def _check_can_write(target: Path, backup_dir: Path, needed: int) -> None:
    """Before anything is touched: the database's folder and the backups' folder can be
    written, and hold room for the safety copy and the restored database."""
    for folder in (target.parent, backup_dir):
        probe_in = folder if folder.exists() else target.parent
        if not probe_in.exists():
            continue
        probe = probe_in / f".iopdesk-write-test-{os.getpid()}"
        try:
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
            os.close(fd)
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise DatabaseUnusable(f"the folder {probe_in} is read-only: the restore "
                                       "cannot write there; nothing was changed") from exc
            if exc.errno == errno.ENOSPC:
                raise DatabaseUnusable(f"the disk holding {probe_in} is full: "
                                       f"{shutil.disk_usage(probe_in).free:,} bytes free; "
                                       "nothing was changed") from exc
            raise
        finally:
            probe.unlink(missing_ok=True)
    free = shutil.disk_usage(target.parent).free
    if free < needed:
        raise DatabaseUnusable(f"the disk holding {target.parent} is full: {free:,} bytes "
                               f"free, the restore needs about {needed:,}; nothing was changed")


def restore_database(url: str, backup_file: Path, backup_dir: Path, *, keep: int = 10,
                     passphrase: str | None = None) -> BackupInfo:
    """Replace the live database with `backup_file` after verifying it; the current database
    is kept as a backup first. A bad file, or a passphrase that does not open the backup or
    the live database, is refused before anything is touched.

    An encrypted backup restores encrypted with `passphrase`. The restored database is
    encrypted too when the live one was, even from a plain backup (it is encrypted on the way
    in): a restore never leaves the records of an encrypted practice in a plain file.

    A PostgreSQL database is restored from a pg_dump archive by pg_restore (db.pg_tools).
    """
    if _on_server(url):
        from iopdesk.db.pg_tools import restore_server

        return restore_server(url, backup_file, backup_dir, keep=keep)
    target = _require_sqlite(url)
    if is_pg_archive(backup_file):
        raise DatabaseUnusable(f"the backup {backup_file} is a PostgreSQL database's (a pg_dump "
                               f"archive): it restores into a PostgreSQL database, not into "
                               f"the SQLite file {target}; nothing was changed")
    info = verify_database_file(backup_file, what="The backup", passphrase=passphrase)
    check_against_record(info)
    if target.exists() and target.resolve() == backup_file.resolve():
        raise DatabaseUnusable("the backup is the live database itself")
    live = target.exists() and target.stat().st_size > 0
    live_encrypted = live and is_encrypted(target)
    _check_can_write(target, backup_dir,
                     info.size + (2 * target.stat().st_size if live else 0))
    if live:
        backup_database(url, backup_dir, keep=keep + 1, label="before-restore",
                        passphrase=passphrase)
    ensure_private_dir(target.parent)
    create_private_file(target)
    tighten([target])
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
    return starts_with(path, SQLITE_HEADER)


__all__ = ["BackupInfo", "REVISIONS", "backup_database", "list_backups", "restore_database",
           "rotate_backups", "verify_database_file", "is_sqlite_file"]
