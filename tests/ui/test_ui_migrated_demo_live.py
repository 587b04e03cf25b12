"""The demo practice moved to a PostgreSQL server with `iopdesk db migrate-to` opens in the app
(log-in, main window), its audit trail verifies, and what another workstation commits meanwhile
— a participant arriving at the front desk — shows in the app's open participant list within a
second, through the live channel."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from cli_support import run
from app_driving import log_in
from iopdesk.app import EXIT_OK, run_app
from iopdesk.config import Config
from iopdesk.db.engine import make_session_factory
from iopdesk.db.migrate import open_database
from iopdesk.demo import DEMO_PASSWORD
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services_keyed
from iopdesk.ui.login import LoginDialog
from iopdesk.ui.main_window import MainWindow

WITHIN_S = 1.0


def test_the_migrated_demo_opens_in_the_app_and_hears_the_other_desk(
        qapp, qtbot, tmp_path, demo_db, pg_url, capsys, monkeypatch, fatal_errors, watchdog):
    monkeypatch.setenv("IOPDESK_PASSWORD", DEMO_PASSWORD)
    assert run(capsys, "users", "list", "--database", demo_db, "--user", "admin")[0] == 0
    code, out, err = run(capsys, "db", "migrate-to", pg_url, "--database", demo_db)
    assert code == 0, err
    assert "audit chain verified" in out
    assert run(capsys, "audit", "verify", "--database", pg_url)[0] == 0

    config_dir = Path(os.environ["IOPDESK_CONFIG_DIR"])          # the practice's audit key
    config = Config(data_dir=tmp_path / "desk-b", database_url=pg_url, workstation="desk-b",
                    config_dir=config_dir, automatic_backups=False)
    # the other workstation: its own service stack on the same server, with the same key
    engine = open_database(pg_url)
    desk_a = build_services_keyed(make_session_factory(engine), "desk-a",
                                  key_path=config.audit_key_path)
    front_desk_a = desk_a.staff.log_in("frontdesk", DEMO_PASSWORD)
    seen: dict[str, object] = {}

    def arrived(window: MainWindow) -> bool:
        model = window.participant_model
        return any(model.row_at(r).last_name == "Arrival" for r in range(model.rowCount()))

    def drive():
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, LoginDialog) and w.isVisible()]
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        if dialogs and "dialog" not in seen and dialogs[0].services is not None:
            seen["dialog"] = dialog = dialogs[0]
            log_in(dialog, "frontdesk")
        elif windows and "sent" not in seen and windows[0].participant_model.rowCount() > 0 \
                and not windows[0].participant_model.loading:
            window = windows[0]
            seen["rows"] = window.participant_model.rowCount()
            seen["sent"] = time.monotonic()
            desk_a.participants.register(front_desk_a, ParticipantInput(
                first_name="Nadia", last_name="Arrival", date_of_birth=date(1990, 1, 2)))
        elif windows and "sent" in seen and arrived(windows[0]):
            seen["heard"] = time.monotonic()
            windows[0].close()
            return
        QTimer.singleShot(10, drive)

    QTimer.singleShot(0, drive)
    try:
        code = run_app(config, ["iopdesk"])
    finally:
        engine.dispose()
    assert code == EXIT_OK
    assert fatal_errors == []
    assert seen["rows"] > 0                         # the demo's participants, from the server
    assert seen["heard"] - seen["sent"] < WITHIN_S
    assert run(capsys, "audit", "verify", "--database", pg_url)[0] == 0
