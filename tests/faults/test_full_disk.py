"""The disk fills up while the practice works, and while a backup is made.

What tests/cli/test_failing_disk.py already covers is not repeated here: a service call or a
command on a disk that is already full (StorageFailure / one line, nothing changed), a commit
whose pages no longer fit, a read-only disk; and tests/cli/test_backup_safety.py covers a
restore onto a disk without room. Here:

- the disk runs out in the middle of a stream of writes through the services: the write that
  does not fit is refused with StorageFailure (kind FULL, the disk named), every write before
  it is kept, the database is whole and its audit chain verifies against its high-water mark;
  once room is made, the same services write again, and a fresh open works too;
- a backup onto a disk that fills up during the copy, at many fill levels (so it runs out at
  the first page, half-way, at the end, at the record beside the backup): either a whole,
  verified, listed backup, or a clear error and nothing under a backup's name; the database
  untouched; `iopdesk db backup` says so in one line.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from fault_jobs import (STAFF, actor_of, missing_writes, prepare_practice, services_at,
                        verify_trail)

from iopdesk.cli import main
from iopdesk.db.backup import backup_database, list_backups, record_path, verify_database_file
from iopdesk.db.engine import sqlite_url
from iopdesk.domain.chart import ContactInput
from iopdesk.domain.errors import StorageFailure
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services.audit_chain import load_or_create_key


def _integrity(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()


def _register(services, desk, n: int):
    return services.participants.register(desk, ParticipantInput(
        first_name="Ximena", last_name=f"Full Disk {'x' * (n % 40)}",
        date_of_birth=date(1985, 5, 5), address_line1="Av. " + "ñ" * 150,
        city="Cusco"))


def test_a_disk_that_fills_up_mid_work_keeps_every_write_made_before(small_disk, template_db):
    path = small_disk.where / "practice.sqlite3"
    shutil.copyfile(template_db, path)
    key_path = small_disk.where / "config" / "audit-hmac.key"
    load_or_create_key(key_path)
    practice = prepare_practice(sqlite_url(path), STAFF)
    services, engine = services_at(practice["url"], str(key_path), "desk-1")
    try:
        desk = actor_of(services, practice["staff"]["frontdesk"])
        small_disk.fill(leave=1536 * 1024)   # the write-ahead log grows into it
        made: list[tuple[str, object]] = []
        with pytest.raises(StorageFailure) as caught:
            for n in range(100_000):
                person = _register(services, desk, n)
                made.append(("participant", person.id))
                contact = services.contacts.add(desk, person.id, ContactInput(
                    name="Rosa Peña", relationship="Sister", notes="n" * 2000))
                made.append(("contact", contact.id))
        assert caught.value.kind == StorageFailure.FULL
        assert str(caught.value).startswith(f"the disk holding {path} is full")
        assert "nothing was changed" in str(caught.value)
        assert len(made) > 10, "the disk filled before anything could be written"
        assert _integrity(path) == [("ok",)]
        assert missing_writes(practice["url"], made) == []
        assert verify_trail(practice["url"], str(key_path)).problem is None
        small_disk.empty()
        again = _register(services, desk, 0)        # the same services, room again
        made.append(("participant", again.id))
    finally:
        engine.dispose()
        small_disk.empty()
    assert _integrity(path) == [("ok",)]
    assert missing_writes(practice["url"], made) == []
    assert verify_trail(practice["url"], str(key_path)).problem is None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _settle(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def test_a_backup_onto_a_disk_that_fills_up_is_never_taken_for_a_good_one(demo_db,
                                                                          small_disk):
    _settle(demo_db)
    before = _digest(demo_db)
    size = demo_db.stat().st_size
    backups = small_disk.where / "backups"
    failed = made = 0
    # From no room at all to just enough: the copy runs out at every stage.
    for share in (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0, 1.01, 1.03, 1.1, 1.5):
        small_disk.empty()
        kept = {p.name for p in list_backups(backups, demo_db.stem)}
        small_disk.fill(leave=int(size * share))
        try:
            info = backup_database(sqlite_url(demo_db), backups, keep=100)
        except Exception as exc:  # noqa: BLE001 - which error it is, is what is tested
            # BUG (backup onto a full disk): backup_database let the raw
            # sqlite3.OperationalError "database or disk is full" of the copy through, and the
            # command then blamed the disk of the *database* ("the disk holding
            # …/demo.sqlite3 is full: 73,368,387,584 bytes free"). Fixed when the backup's
            # failure names the backups' folder (see the patch to iopdesk/db/backup.py in the
            # fault-suite report).
            failed += 1
            message = str(exc)
            assert isinstance(exc, StorageFailure) and exc.kind == StorageFailure.FULL, message
            assert str(backups) in message, message
            assert {p.name for p in list_backups(backups, demo_db.stem)} == kept, share
        else:
            made += 1
            assert info.path.name not in kept
            verify_database_file(info.path, what="The backup")
            assert record_path(info.path).exists()
        # Whatever happened: only whole backups carry a backup's name, nothing half-written
        # is left behind, and the database was not touched.
        for backup in list_backups(backups, demo_db.stem):
            verify_database_file(backup, what="The backup")
        leftovers = [p.name for p in backups.iterdir() if p.name.startswith(".")] \
            if backups.exists() else []
        assert leftovers == [], (share, leftovers)
        assert _digest(demo_db) == before
    assert failed >= 5 and made >= 1, (failed, made)


def test_db_backup_onto_a_full_disk_is_one_line_and_lists_nothing(demo_db, small_disk,
                                                                 capsys):
    _settle(demo_db)
    before = _digest(demo_db)
    backups = small_disk.where / "backups"
    small_disk.fill(leave=demo_db.stat().st_size // 2)
    code = main(["db", "backup", "--database", str(demo_db), "--to", str(backups)])
    out, err = capsys.readouterr()
    # BUG (backup onto a full disk, as above): the line named the database's disk, which has
    # room, instead of the backups' folder, which has none.
    assert code == 1, out
    assert err.startswith("iopdesk: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and f"the disk holding {backups}" in err, err
    assert "is full" in err and str(demo_db) + " is full" not in err, err
    assert list_backups(backups, demo_db.stem) == []
    assert [p.name for p in backups.iterdir()] == []
    assert _digest(demo_db) == before
    small_disk.empty()
    assert main(["db", "backup", "--database", str(demo_db), "--to", str(backups)]) == 0
    [backup] = list_backups(backups, demo_db.stem)
    verify_database_file(backup, what="The backup")
