"""What a backup is, whatever made it (db.backup's SQLite copies, db.pg_tools's pg_dump
archives): its kinds and names, the record kept beside it (where the audit trail ended when it
was made; no health information), the list of a database's backups and their rotation."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from iopdesk.db.private_files import PRIVATE_FILE
from iopdesk.domain.errors import DatabaseUnusable

BACKUP_SUFFIX = ".sqlite3"
DUMP_SUFFIX = ".dump"               # a PostgreSQL database's backups (db.pg_tools)
ALL_KINDS = (BACKUP_SUFFIX, DUMP_SUFFIX)
PG_ARCHIVE_MAGIC = b"PGDMP"         # the first bytes of a pg_dump custom-format archive
RECORD_SUFFIX = ".json"
PARTIAL_MARK = ".partial-"
HEAD_COLUMNS = ("chain_id", "last_event_id", "last_hash", "chained_after", "key_fingerprint",
                "signature")



@dataclass(frozen=True)
class BackupInfo:
    path: Path
    revision: str
    size: int
    encrypted: bool = False
    # The end of the audit trail in the file (None before revision 0005).
    audit_head: dict | None = None
    # What is wrong with the file's audit protection (dropped triggers); empty when intact.
    unprotected: tuple[str, ...] = field(default=())


def record_path(backup: Path) -> Path:
    """The record written beside a backup."""
    return backup.with_name(backup.name + RECORD_SUFFIX)


def read_record(backup: Path) -> dict | None:
    try:
        return json.loads(record_path(backup).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"damaged": True}


def write_record(backup: Path, info: BackupInfo, source: Path) -> None:
    record = {"format": 1, "database": source.name, "revision": info.revision,
              "size": info.size, "encrypted": info.encrypted,
              "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "audit_head": info.audit_head, "audit_unprotected": list(info.unprotected)}
    store_record(backup, record)


def store_record(backup: Path, record: dict) -> None:
    target = record_path(backup)
    staged = target.with_name("." + target.name + ".tmp")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staged, target)


def note_encrypted(backup: Path) -> None:
    """The backup was encrypted in place (`iopdesk db encrypt`): its record says so."""
    record = read_record(backup)
    if record is None or record.get("damaged"):
        return
    record["encrypted"] = True
    store_record(backup, record)


def check_against_record(info: BackupInfo) -> None:
    """Refuse a backup whose audit trail is not where its record says it ended, or whose
    audit protection was removed."""
    if info.unprotected:
        raise DatabaseUnusable(f"the backup {info.path} has an unprotected audit trail ("
                               f"{'; '.join(info.unprotected)}); it is not restored")
    recorded = read_record(info.path)
    if recorded is None:
        return          # a backup made before records existed
    if recorded.get("damaged"):
        raise DatabaseUnusable(f"the record beside the backup {info.path} "
                               f"({record_path(info.path).name}) is damaged; it is not restored")
    expected, found = recorded.get("audit_head"), info.audit_head
    if expected is not None and expected != found:
        ended = (found or {}).get("last_event_id")
        raise DatabaseUnusable(
            f"the backup {info.path} was changed after it was made: its audit trail ends at "
            f"event {ended}, but when it was made it ended at event "
            f"{expected.get('last_event_id')}; it is not restored")


def process_alive(pid: int) -> bool:
    """Whether process `pid` still runs (its partial copy is not abandoned)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True          # someone else's process: leave its copy alone
    return True


def list_backups(backup_dir: Path, stem: str,
                 suffixes: tuple[str, ...] = (BACKUP_SUFFIX,)) -> list[Path]:
    """Backups of the database named `stem`, newest first (their names end in the time they
    were made): SQLite copies, or the kinds `suffixes` names (ALL_KINDS: dumps too)."""
    if not backup_dir.is_dir():
        return []
    found = [p for suffix in suffixes for p in backup_dir.glob(f"{stem}-*{suffix}")]
    return sorted(found, key=lambda p: p.name.removesuffix(p.suffix), reverse=True)


def rotate_backups(backup_dir: Path, stem: str, keep: int, *,
                   suffix: str = BACKUP_SUFFIX) -> None:
    """Keep the newest `keep` backups of one kind (`suffix`): an SQLite practice moved to a
    server keeps its last SQLite backups however many dumps follow."""
    for old in list_backups(backup_dir, stem, (suffix,))[max(keep, 1):]:
        old.unlink(missing_ok=True)
        record_path(old).unlink(missing_ok=True)


def starts_with(path: Path, magic: bytes) -> bool:
    """Whether the file at `path` begins with `magic` (False when it cannot be read)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(magic)) == magic
    except OSError:
        return False


def is_pg_archive(path: Path) -> bool:
    """A pg_dump custom-format archive (a PostgreSQL database's backup)."""
    return starts_with(path, PG_ARCHIVE_MAGIC)
