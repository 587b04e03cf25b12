"""A damaged database file at start, as the user meets it: the dialog names the newest good
backup; Restore sets the damaged file aside (kept, owner-only) and opens the backup; Quit
changes nothing; with no good backup the dialog says so and what to do."""

from __future__ import annotations

import os
import stat

from PySide6.QtCore import QTimer
from support import AUDIT_KEY

from app_driving import visible
from iopdesk.app import EXIT_DATABASE, EXIT_OK, run_app
from iopdesk.config import Config
from iopdesk.db.backup import backup_database, verify_database_file
from iopdesk.db.engine import sqlite_url
from iopdesk.ui.damaged_dialog import DamagedDialog
from iopdesk.ui.login import LoginDialog


def config_for(path, tmp_path) -> Config:
    key = tmp_path / "config" / "audit-hmac.key"
    key.parent.mkdir(exist_ok=True)
    key.write_text(AUDIT_KEY.hex() + "\n")
    key.chmod(0o600)
    return Config(data_dir=tmp_path / "data", database_url=sqlite_url(path),
                  workstation="test-station", config_dir=key.parent)


def damage(path) -> None:
    """Overwrite bytes in the middle pages of the file; its header stays as it was."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        for offset in range(size // 3, 2 * size // 3, 4096 * 7):
            handle.seek(offset)
            handle.write(b"\xa5" * 1500)


def files_in(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def answer(seen: dict, button: str):
    """Drive the start: note the damaged dialog's text and press `button` on it; then, when
    the log-in window comes, note it and quit."""
    def drive():
        dialog, login = visible(DamagedDialog), visible(LoginDialog)
        if dialog is not None and "message" not in seen:
            seen["message"] = dialog.message.text()
            seen["buttons"] = (dialog.restore_button is not None, dialog.quit_button.text())
            getattr(dialog, button).click()
            if button == "quit_button":
                return
        elif login is not None and login.services is not None:
            seen["logged_in_window"] = True
            login.cancel_button.click()
            return
        QTimer.singleShot(20, drive)
    return drive


def test_the_damaged_file_is_set_aside_and_the_newest_good_backup_opened(
        qapp, tmp_path, demo_db, fatal_errors, watchdog):
    config = config_for(demo_db, tmp_path)
    backup_database(config.database_url, config.backup_dir)
    newest = backup_database(config.database_url, config.backup_dir).path
    damage(demo_db)
    damaged = demo_db.read_bytes()
    seen: dict[str, object] = {}
    QTimer.singleShot(0, answer(seen, "restore_button"))
    assert run_app(config, ["iopdesk"]) == EXIT_OK
    assert fatal_errors == []
    assert "is damaged" in seen["message"] and str(newest) in seen["message"]
    assert seen["logged_in_window"] is True                 # the restored database opened
    aside = [p for p in demo_db.parent.iterdir() if "-damaged-" in p.name
             and p.suffix == ".sqlite3"]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged
    assert stat.S_IMODE(os.stat(aside[0]).st_mode) == 0o600
    verify_database_file(demo_db)


def test_declining_quits_and_changes_nothing(qapp, tmp_path, demo_db, fatal_errors, watchdog):
    config = config_for(demo_db, tmp_path)
    backup_database(config.database_url, config.backup_dir)
    damage(demo_db)
    before = files_in(demo_db.parent), files_in(config.backup_dir)
    seen: dict[str, object] = {}
    QTimer.singleShot(0, answer(seen, "quit_button"))
    assert run_app(config, ["iopdesk"]) == EXIT_OK
    assert seen["buttons"][0] is True and "logged_in_window" not in seen
    assert (files_in(demo_db.parent), files_in(config.backup_dir)) == before


def test_with_no_good_backup_it_says_so_and_what_to_do(qapp, tmp_path, demo_db, fatal_errors,
                                                      watchdog):
    config = config_for(demo_db, tmp_path)
    damage(demo_db)
    before = files_in(demo_db.parent)
    seen: dict[str, object] = {}
    QTimer.singleShot(0, answer(seen, "quit_button"))
    assert run_app(config, ["iopdesk"]) == EXIT_DATABASE
    assert seen["buttons"] == (False, "&Quit")
    assert "There is no good backup" in seen["message"]
    assert "iopdesk db restore" in seen["message"]
    assert files_in(demo_db.parent) == before and not config.backup_dir.exists()
