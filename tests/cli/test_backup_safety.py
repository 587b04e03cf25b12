"""Backups never look complete when they are not: a kill mid-copy, a damaged or cut-short
file, a backup changed after it was made; backups are readable by their owner only; a restore
checks it can write before it touches anything."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from iopdesk.cli import main
from iopdesk.db.backup import list_backups, record_path, verify_database_file


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _settle(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_backup_its_record_and_its_folder_are_owner_only(demo_db, tmp_path, capsys):
    code, out, _ = run(capsys, "db", "backup", "--database", demo_db, "--to", tmp_path / "bk")
    assert code == 0, out
    [backup] = list_backups(tmp_path / "bk", demo_db.stem)
    assert _mode(tmp_path / "bk") == 0o700
    assert _mode(backup) == 0o600 and _mode(record_path(backup)) == 0o600
    record = json.loads(record_path(backup).read_text())
    assert len(record["audit_head"]["chain_id"]) == 32 and record["audit_unprotected"] == []
    assert [p.name for p in (tmp_path / "bk").iterdir() if p.name.startswith(".")] == []


def _big_database(demo_db: Path, megabytes: int) -> Path:
    """The demo with a bulky extra table, so a copy takes long enough to be interrupted."""
    conn = sqlite3.connect(demo_db)
    conn.execute("CREATE TABLE ballast (b BLOB)")
    conn.executemany("INSERT INTO ballast VALUES (randomblob(1048576))",
                     [()] * megabytes)
    conn.commit()
    conn.close()
    _settle(demo_db)
    return demo_db


def test_a_kill_during_backup_leaves_nothing_under_a_backups_name(demo_db, tmp_path):
    db = _big_database(demo_db, 160)
    backups = tmp_path / "bk"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    interrupted = 0
    for _ in range(3):
        process = subprocess.Popen([sys.executable, "-m", "iopdesk", "db", "backup",
                                    "--database", str(db), "--to", str(backups)],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            partial = [p for p in backups.glob(".*partial-*")
                       if not p.name.endswith("-journal") and p.stat().st_size > 0] \
                if backups.exists() else []
            if partial:
                time.sleep(0.05)
                break
            time.sleep(0.002)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            interrupted += 1
        process.wait(timeout=30)
        # Whatever the moment of the kill: every file named like a backup is a whole one.
        for backup in list_backups(backups, db.stem):
            verify_database_file(backup, what="The backup")
            assert record_path(backup).exists()
    assert interrupted >= 1, "no run could be interrupted mid-copy"
    # The next backup clears what the killed ones left behind.
    assert main(["db", "backup", "--database", str(db), "--to", str(backups)]) == 0
    assert [p.name for p in backups.iterdir() if p.name.startswith(".")] == []


def test_restore_of_a_backup_cut_short_says_it_is_incomplete(demo_db, tmp_path, capsys):
    run(capsys, "db", "backup", "--database", demo_db, "--to", tmp_path / "bk")
    [backup] = list_backups(tmp_path / "bk", demo_db.stem)
    cut = tmp_path / "cut.sqlite3"
    cut.write_bytes(backup.read_bytes()[: backup.stat().st_size // 3])
    _settle(demo_db)
    before = _digest(demo_db)
    code, _, err = run(capsys, "db", "restore", cut, "--database", demo_db)
    assert code == 1 and "is incomplete" in err and "passphrase" not in err
    assert _digest(demo_db) == before


def test_restore_of_a_copy_with_its_start_missing_says_it_is_damaged(demo_db, tmp_path, capsys):
    zeroed = tmp_path / "zeroed.sqlite3"
    data = bytearray(demo_db.read_bytes())
    data[:4096] = bytes(4096)
    zeroed.write_bytes(bytes(data))
    code, _, err = run(capsys, "db", "restore", zeroed, "--database", demo_db)
    assert code == 1 and "damaged or incomplete" in err and "passphrase" not in err


def test_restore_of_a_plain_backup_whose_header_was_destroyed_says_damaged(demo_db, tmp_path,
                                                                          capsys):
    run(capsys, "db", "backup", "--database", demo_db, "--to", tmp_path / "bk")
    [backup] = list_backups(tmp_path / "bk", demo_db.stem)
    data = bytearray(backup.read_bytes())
    data[:16] = b"garbage-garbage!"
    backup.write_bytes(bytes(data))
    code, _, err = run(capsys, "db", "restore", backup, "--database", demo_db)
    assert code == 1 and "is damaged" in err and "passphrase" not in err


def test_restore_refuses_a_backup_whose_trail_was_cut_after_it_was_made(demo_db, tmp_path,
                                                                        capsys):
    run(capsys, "db", "backup", "--database", demo_db, "--to", tmp_path / "bk")
    [backup] = list_backups(tmp_path / "bk", demo_db.stem)
    conn = sqlite3.connect(backup)
    # Triggers dropped, the newest event deleted, the head moved back, the triggers put back
    # as they were: only the record beside the backup can tell.
    saved = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name "
                         "IN ('audit_events_no_delete', 'audit_chain_head_no_rewind')").fetchall()
    for name, _sql in saved:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)")
    conn.execute("UPDATE audit_chain_head SET last_event_id = last_event_id - 1")
    for _name, sql in saved:
        conn.execute(sql)
    conn.commit()
    conn.close()
    _settle(demo_db)
    before = _digest(demo_db)
    code, _, err = run(capsys, "db", "restore", backup, "--database", demo_db)
    assert code == 1 and "was changed after it was made" in err
    assert _digest(demo_db) == before


def test_a_backup_of_an_unprotected_trail_is_made_but_fails_loudly(demo_db, tmp_path, capsys):
    conn = sqlite3.connect(demo_db)
    conn.execute("DROP TRIGGER audit_events_no_delete")
    conn.commit()
    conn.close()
    code, out, err = run(capsys, "db", "backup", "--database", demo_db, "--to", tmp_path / "bk")
    assert code == 1 and "Backed up to" in out
    assert "not protected" in err and "audit_events_no_delete was dropped" in err
    [backup] = list_backups(tmp_path / "bk", demo_db.stem)
    code, _, err = run(capsys, "db", "restore", backup, "--database", demo_db)
    assert code == 1 and "unprotected audit trail" in err


def test_restore_then_verify_explains_the_rewound_trail(demo_db, tmp_path, capsys, monkeypatch):
    run(capsys, "db", "backup", "--database", demo_db, "--to", tmp_path / "bk")
    [backup] = list_backups(tmp_path / "bk", demo_db.stem)
    monkeypatch.setenv("IOPDESK_PASSWORD", "iopdesk-demo")
    for _ in range(3):
        assert main(["users", "list", "--database", str(demo_db), "--user", "admin"]) == 0
    code, out, err = run(capsys, "db", "restore", backup, "--database", demo_db)
    assert code == 0, err
    assert "had reached event" in out
    code, out, err = run(capsys, "audit", "verify", "--database", demo_db)
    assert code == 0, err


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"this platform cannot mount a small tmpfs here: {result.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_restore_onto_a_disk_without_room_changes_nothing(demo_db, tmp_path, capsys,
                                                          small_disk):
    live = small_disk / "practice.sqlite3"
    shutil.copyfile(demo_db, live)
    run(capsys, "db", "backup", "--database", demo_db, "--to", tmp_path / "bk")
    [backup] = list_backups(tmp_path / "bk", demo_db.stem)
    before = sorted(p.name for p in small_disk.iterdir())
    digest = _digest(live)
    code, out, err = run(capsys, "db", "restore", backup, "--database", live)
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "is full" in err and "bytes free" in err and "nothing was changed" in err
    assert sorted(p.name for p in small_disk.iterdir()) == before and _digest(live) == digest
