"""Backups as a habit: the app's automatic backups, the administrator's list and restore, the
warning when the newest good backup is too old, and the way back from a damaged file.

The copying, verifying and rotating is `db.backup`'s; this module decides when and for whom.
A backup is "good" when its record says it verified (the record is written only after the copy
verified) and the file is still the size the record says. The restore is the same for the app
and `iopdesk db restore` (`restore_recorded`): verified, the live database kept aside as a
backup, the restore written into the audit trail and the trail's high-water mark moved back.

Where backups go and how many are kept belong to the workstation (its disk: `Config`); how old
the newest may grow before administrators are warned is the practice's policy
(`PracticeSettings.backup_warning_days`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from iopdesk.db.backup import (ALL_KINDS, DUMP_SUFFIX, BackupInfo, backup_database,
                               list_backups, record_path, restore_database)
from iopdesk.db.crypto import SIDECARS, SQLITE_HEADER, connect_file, database_errors
from iopdesk.db.private_files import PRIVATE_FILE, flush_to_disk
from iopdesk.db.urls import sqlite_path
from iopdesk.domain.errors import DatabaseUnusable, ValidationError
from iopdesk.domain.time import practice_today
from iopdesk.services.context import Actor, ServiceContext
from iopdesk.services.permissions import Permission, requires
from iopdesk.services.stored_settings import load_settings

DAMAGED_MARK = "-damaged-"


@dataclass(frozen=True)
class BackupPlace:
    """Which database is backed up, where to, and how (the workstation's: from Config)."""

    database_url: str
    backup_dir: Path
    keep: int = 10
    automatic: bool = True
    audit_key_path: Path | None = None
    workstation: str = ""
    passphrase: str | None = field(default=None, repr=False)

    @property
    def stem(self) -> str:
        """The name the database's backups begin with."""
        path = sqlite_path(self.database_url)
        if path is not None:
            return path.stem
        from sqlalchemy.engine import make_url

        return Path(make_url(self.database_url).database or "iopdesk").stem


@dataclass(frozen=True)
class BackupEntry:
    path: Path
    made_at: datetime | None      # UTC, from its record (None: a backup older than records)
    size: int
    verified: bool                # its record says it verified, and it is still that size
    encrypted: bool


@dataclass(frozen=True)
class BackupStatus:
    newest: BackupEntry | None    # the newest good backup
    backup_dir: Path
    warning_days: int
    overdue: bool                 # none, or the newest good one is older than warning_days
    automatic: bool
    keep: int


@dataclass(frozen=True)
class Restored:
    info: BackupInfo
    note: str = ""                # what the audit trail says of it, when worth telling
    set_aside: Path | None = None    # where a damaged database was moved


# -- reading the backups folder (no log-in: the start uses it for a damaged file) -------------

def _entry(path: Path) -> BackupEntry | None:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            plain = handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return None
    try:
        record = json.loads(record_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = None
    made_at = None
    if isinstance(record, dict) and isinstance(record.get("made_at"), str):
        try:
            made_at = datetime.fromisoformat(record["made_at"]).astimezone(UTC)
        except ValueError:
            made_at = None
    encrypted = bool(record.get("encrypted")) if isinstance(record, dict) else not plain
    dump = path.suffix == DUMP_SUFFIX           # a PostgreSQL database's (pg_dump)
    verified = (isinstance(record, dict) and made_at is not None
                and record.get("size") == size and (plain or encrypted or dump))
    return BackupEntry(path=path, made_at=made_at, size=size, verified=verified,
                       encrypted=encrypted)


def backups_in(place: BackupPlace) -> tuple[BackupEntry, ...]:
    """The database's backups, newest first."""
    found = (_entry(p) for p in list_backups(place.backup_dir, place.stem, ALL_KINDS))
    return tuple(e for e in found if e is not None)


def newest_good(place: BackupPlace) -> BackupEntry | None:
    return next((e for e in backups_in(place) if e.verified), None)


# -- the restore shared with `iopdesk db restore` ---------------------------------------------

def restore_recorded(place: BackupPlace, backup_file: Path, *,
                     notify: Callable[[str], object] | None = None) -> Restored:
    """Replace the database with the verified `backup_file` (the live one kept as a backup
    first), bring it to this version's schema, record the restore in the audit trail and move
    the trail's high-water mark to its new end. `notify` hears what the opening did on the
    side (files made owner-only)."""
    from iopdesk.db.crypto import is_encrypted
    from iopdesk.db.migrate import open_database

    path = sqlite_path(place.database_url)
    info = restore_database(place.database_url, backup_file, place.backup_dir,
                            keep=place.keep,
                            passphrase=place.passphrase if path is not None else None)
    passphrase = place.passphrase if path is not None and is_encrypted(path) else None
    # an older backup is brought to this version's schema (on a server too: restoring is
    # the work of whoever owns it)
    def backup() -> None:
        backup_database(place.database_url, place.backup_dir, keep=place.keep,
                        label="before-upgrade", passphrase=passphrase)

    engine = open_database(place.database_url, passphrase=passphrase, notify=notify,
                           upgrade=path is None, backup=backup)
    try:
        note = _record_restore(place, engine, info.path)
    finally:
        engine.dispose()
    return Restored(info=info, note=note)


def _record_restore(place: BackupPlace, engine, restored: Path) -> str:
    """A restore rewinds the audit trail on purpose: record it in the trail, and move the
    trail's high-water mark back to its new end, noting the mark it replaced."""
    from iopdesk.db.engine import make_session_factory
    from iopdesk.services import build_services
    from iopdesk.services.audit_chain import load_or_create_key
    from iopdesk.services.audit_mark import HighWaterMarks, beside_key

    key_path = place.audit_key_path
    if key_path is None or not key_path.exists():
        return (f"There is no audit key at {key_path}: the restore was not recorded in the "
                "audit trail (restore the key file from its backup).")
    key = load_or_create_key(key_path)
    services = build_services(make_session_factory(engine), place.workstation or "unknown",
                              audit_key=key)
    replaced = services.audit.record_restore(HighWaterMarks(beside_key(key_path), key),
                                             restored.name)
    if replaced is None:
        return ""
    return (f"The audit trail now ends where the backup's did; it had reached event "
            f"{replaced.event_id} before the restore (recorded in the trail).")


# -- a damaged database file at start ---------------------------------------------------------

class DatabaseDamaged(DatabaseUnusable):
    """The database file failed SQLite's quick check; `backup` is the newest good backup to
    restore instead (None when there is none)."""

    def __init__(self, path: Path | None, problem: str, backup: BackupEntry | None,
                 backup_dir: Path):
        super().__init__(f"The database {path} is damaged ({problem})")
        self.path = path
        self.problem = problem
        self.backup = backup
        self.backup_dir = backup_dir


def quick_check(place: BackupPlace) -> str | None:
    """What SQLite's quick_check finds wrong with the database file, or None when it is
    whole (or is no SQLite file here to check)."""
    path = sqlite_path(place.database_url)
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return None
    made = [Path(f"{path}{s}") for s in ("-wal", "-shm") if not Path(f"{path}{s}").exists()]
    try:
        conn = connect_file(path, place.passphrase, readonly=True)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
            _remove(made)               # a check only reads: it leaves no file behind
    except database_errors() as exc:
        text = str(exc)
        if "malformed" in text or "not a database" in text:
            return text
        return None             # locked, unreadable, read-only: the opening says it properly
    if rows == [("ok",)]:
        return None
    return "; ".join(str(r[0]) for r in rows[:3]) or "no answer"


def _remove(paths: list[Path]) -> None:
    for path in paths:
        try:
            if path.exists():
                path.unlink()
        except OSError:
            pass                # a read-only disk: SQLite made nothing there either


def set_aside(path: Path, now: datetime | None = None) -> Path:
    """Move a damaged database file (and its -wal, -shm) to a dated name beside it, owner-only;
    the new name."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}{DAMAGED_MARK}{stamp}{path.suffix}")
    for suffix in ("", *SIDECARS):
        source = Path(f"{path}{suffix}")
        if source.exists():
            moved = Path(f"{target}{suffix}")
            os.replace(source, moved)
            os.chmod(moved, PRIVATE_FILE)
    flush_to_disk(path.parent)
    return target


def recover_damaged(place: BackupPlace, backup_file: Path) -> Restored:
    """Set the damaged database aside and restore `backup_file` in its place."""
    path = sqlite_path(place.database_url)
    if path is None:
        raise DatabaseUnusable("only an SQLite database file can be set aside and restored")
    from iopdesk.db.backup import verify_database_file

    verify_database_file(backup_file, what="The backup", passphrase=place.passphrase)
    aside = set_aside(path)
    restored = restore_recorded(place, backup_file)
    return Restored(info=restored.info, note=restored.note, set_aside=aside)


# -- the service --------------------------------------------------------------------------------

class BackupService:
    """Backups of this workstation's database: automatic ones, and for administrators the
    list, the warning and the restore."""

    def __init__(self, ctx: ServiceContext, place: BackupPlace | None):
        self._ctx = ctx
        self._place = place

    @property
    def place(self) -> BackupPlace:
        if self._place is None:
            raise DatabaseUnusable("this database has no backup folder set up here")
        return self._place

    @property
    def runs_automatically(self) -> bool:
        """Whether this workstation backs the database up by itself (no disk is touched)."""
        return self._place is not None and self._place.automatic

    def automatic(self, *, daily: bool = False) -> BackupInfo | None:
        """The app's own backup (at the end of the last session; `daily`: unless one was made
        today at the practice). None when automatic backups are off here, or not due."""
        place = self._place
        if place is None or not place.automatic:
            return None
        if daily:
            newest = newest_good(place)
            zone = self._zone()
            if newest is not None and newest.made_at is not None and \
                    practice_today(newest.made_at, zone) == practice_today(self._now(), zone):
                return None
        return backup_database(place.database_url, place.backup_dir, keep=place.keep,
                               passphrase=place.passphrase)

    @requires(Permission.MANAGE_BACKUPS, "backups.list")
    def backups(self, actor: Actor) -> tuple[BackupEntry, ...]:
        """The database's backups, newest first (date, size, verified, encrypted); none
        where these services back nothing up."""
        return () if self._place is None else backups_in(self._place)

    @requires(Permission.MANAGE_BACKUPS, "backups.status")
    def status(self, actor: Actor) -> BackupStatus | None:
        """The newest good backup and whether it is older than the practice allows (None
        where these services back nothing up)."""
        place = self._place
        if place is None:
            return None
        with self._ctx.session_factory() as session:
            days = load_settings(session).backup_warning_days
        newest = newest_good(place)
        overdue = newest is None or newest.made_at is None or \
            self._now() - newest.made_at > timedelta(days=days)
        return BackupStatus(newest=newest, backup_dir=place.backup_dir, warning_days=days,
                            overdue=overdue, automatic=place.automatic, keep=place.keep)

    @requires(Permission.MANAGE_BACKUPS, "backups.create")
    def back_up(self, actor: Actor) -> BackupInfo:
        """A backup now, whatever the automatic setting."""
        place = self.place
        return backup_database(place.database_url, place.backup_dir, keep=place.keep,
                               passphrase=place.passphrase)

    @requires(Permission.MANAGE_BACKUPS, "backups.restore")
    def restore(self, actor: Actor, backup_file: Path) -> Restored:
        """Replace the database with one of its listed backups (see restore_recorded). Every
        workstation must have closed it: the caller ends this one's sessions first."""
        place = self.place
        chosen = Path(backup_file)
        listed = {e.path.resolve() for e in backups_in(place)}
        if not chosen.exists() or chosen.resolve() not in listed:
            raise ValidationError({"backup": f"{chosen} is not a backup of this database in "
                                             f"{place.backup_dir}; choose one from the list"})
        return restore_recorded(place, chosen)

    def _now(self) -> datetime:
        return self._ctx.now()

    def _zone(self) -> str:
        from iopdesk.services.stored_settings import load_time_zone

        with self._ctx.session_factory() as session:
            return load_time_zone(session)
