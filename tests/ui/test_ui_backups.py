"""Backups in the app, used as a user would: the last session's end backs up (verified, the
newest N kept) and a failing disk is told in one line without keeping IOPDesk open; Today
warns an administrator of a missing or old backup and nobody else; the Backups window restores
an earlier state after its confirmation, and the log-in window returns."""

from __future__ import annotations

import errno
import json
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select
from support import AUDIT_KEY, TODAY

from app_driving import log_in, visible
from iopdesk.app import EXIT_OK, run_app
from iopdesk.config import Config
from iopdesk.db.backup import backup_database, list_backups, record_path, verify_database_file
from iopdesk.db.engine import make_session_factory, sqlite_url
from iopdesk.db.migrate import open_database
from iopdesk.db.models import AuditEvent, Participant
from iopdesk.demo import DEMO_PASSWORD
from iopdesk.domain.errors import StorageFailure
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services
from iopdesk.services.backups import BackupPlace
from iopdesk.ui.admin.backups_view import BackupsView
from iopdesk.ui.areas import areas_for
from iopdesk.ui.areas.today import TodayArea
from iopdesk.ui.login import LoginDialog
from iopdesk.ui.main_window import MainWindow


def config_for(path, tmp_path, **options) -> Config:
    key = tmp_path / "config" / "audit-hmac.key"
    key.parent.mkdir(exist_ok=True)
    key.write_text(AUDIT_KEY.hex() + "\n")
    key.chmod(0o600)
    return Config(data_dir=tmp_path / "data", database_url=sqlite_url(path),
                  workstation="test-station", config_dir=key.parent, **options)


def _age(backup, made_at: datetime) -> None:
    record = json.loads(record_path(backup).read_text())
    record["made_at"] = made_at.isoformat()
    record_path(backup).write_text(json.dumps(record))


# -- the automatic backup when the last session ends ----------------------------------------

def test_the_last_session_ending_backs_up_verified_and_keeps_the_newest_n(
        qapp, tmp_path, demo_db, fatal_errors, watchdog):
    config = config_for(demo_db, tmp_path, backups_kept=2)
    earlier = [backup_database(config.database_url, config.backup_dir, keep=10).path
               for _ in range(3)]                   # today's: no daily backup at the start
    seen: dict[str, object] = {}

    def drive():
        dialog, window = visible(LoginDialog), visible(MainWindow)
        if dialog is not None and "in" not in seen and dialog.services is not None:
            seen["in"] = True
            log_in(dialog, "frontdesk")
        elif window is not None and "closed" not in seen:
            seen["closed"] = True
            window.close()                          # the last session ends
            return
        QTimer.singleShot(20, drive)

    QTimer.singleShot(0, drive)
    assert run_app(config, ["iopdesk"]) == EXIT_OK
    assert fatal_errors == []
    kept = list_backups(config.backup_dir, demo_db.stem)
    assert len(kept) == 2                                   # backups_kept
    newest = kept[0]
    assert newest not in earlier and kept[1] == earlier[-1]
    assert verify_database_file(newest).revision
    assert json.loads(record_path(newest).read_text())["size"] == newest.stat().st_size


def test_a_failing_disk_at_the_quit_backup_is_told_in_one_line_and_iopdesk_still_closes(
        qapp, tmp_path, demo_db, fatal_errors, watchdog, monkeypatch):
    config = config_for(demo_db, tmp_path)
    backup_database(config.database_url, config.backup_dir)     # today's: none at the start
    from iopdesk.services import backups as backups_module

    def failing_disk(*_args, **_kwargs):
        raise StorageFailure.from_os_error(OSError(errno.EIO, "Input/output error",
                                                   str(config.backup_dir / "x.sqlite3")))
    monkeypatch.setattr(backups_module, "backup_database", failing_disk)
    seen: dict[str, object] = {}

    def drive():
        dialog, window = visible(LoginDialog), visible(MainWindow)
        problem = visible(QMessageBox, "backupFailed")
        if dialog is not None and "in" not in seen and dialog.services is not None:
            seen["in"] = True
            log_in(dialog, "frontdesk")
        elif window is not None and "closed" not in seen:
            seen["closed"] = True
            window.close()
        elif problem is not None:
            seen["told"] = problem.text()
            problem.button(QMessageBox.StandardButton.Ok).click()
            return
        QTimer.singleShot(20, drive)

    QTimer.singleShot(0, drive)
    assert run_app(config, ["iopdesk"]) == EXIT_OK
    told = seen["told"]
    assert told.startswith("The automatic backup failed: ")
    assert "I/O error" in told.splitlines()[0] and "Traceback" not in told
    assert "closes anyway" in told


# -- the warning on Today --------------------------------------------------------------------

@pytest.fixture
def backed(demo_db, tmp_path, runner):
    """The demo practice's services, backed up to tmp_path/backups, and its folder."""
    place = BackupPlace(sqlite_url(demo_db), tmp_path / "backups")
    engine = open_database(place.database_url)
    services = build_services(make_session_factory(engine), "test-station",
                              audit_key=AUDIT_KEY, backups=place)
    yield services, place
    runner.wait_for_done(10_000)
    engine.dispose()


def _today(qtbot, services, runner, username: str) -> TodayArea:
    actor = services.staff.log_in(username, DEMO_PASSWORD)
    area = TodayArea(services, actor, runner, today=lambda: TODAY)
    qtbot.addWidget(area)
    area.show()
    return area


def test_today_warns_an_administrator_of_no_backup_then_of_an_old_one(qtbot, backed, runner):
    services, place = backed
    admin = services.staff.log_in("admin", DEMO_PASSWORD)
    assert "today" in [a.key for a in areas_for(services, admin)]
    area = _today(qtbot, services, runner, "admin")
    with qtbot.waitSignal(area.backups_loaded, timeout=10_000):
        area.reload()
    warning = area.backup_warning
    assert warning.isVisible()
    assert "There is no good backup of the database" in warning.text()
    assert str(place.backup_dir) in warning.text()

    info = services.backups.back_up(admin)
    with qtbot.waitSignal(area.backups_loaded, timeout=10_000):
        area.refresh_button.click()
    assert not warning.isVisible()                          # made just now

    _age(info.path, datetime.now(UTC) - timedelta(days=3))
    with qtbot.waitSignal(area.backups_loaded, timeout=10_000):
        area.refresh_button.click()
    assert warning.isVisible()
    assert "more than 2 days ago" in warning.text() and str(place.backup_dir) in warning.text()


def test_today_shows_a_clinician_no_backup_warning(qtbot, backed, runner):
    services, place = backed
    area = _today(qtbot, services, runner, "clinician")
    with qtbot.waitSignal(area.caseload_loaded, timeout=10_000):
        area.reload()
    assert not area.shows_backups
    assert not area.backup_warning.isVisible() and area.backup_warning.text() == ""


# -- restoring from the Backups window --------------------------------------------------------

def test_restore_from_the_backups_window_brings_back_the_earlier_state(
        qapp, qtbot, tmp_path, demo_db, fatal_errors, watchdog):
    config = config_for(demo_db, tmp_path)
    backup = backup_database(config.database_url, config.backup_dir).path
    engine = open_database(config.database_url)
    services = build_services(make_session_factory(engine), "test-station", audit_key=AUDIT_KEY)
    admin = services.staff.log_in("admin", DEMO_PASSWORD)
    later = services.participants.register(admin, ParticipantInput(
        first_name="Entered", last_name="Afterwards", date_of_birth=TODAY.replace(year=1991)))
    engine.dispose()
    seen: dict[str, object] = {}

    def drive():
        dialog, window = visible(LoginDialog), visible(MainWindow)
        view = visible(BackupsView)
        question = visible(QMessageBox, "restoreQuestion")
        if dialog is not None and "in" not in seen and dialog.services is not None:
            seen["in"] = True
            log_in(dialog, "admin")
        elif question is not None and "asked" not in seen:
            seen["asked"] = question.text()
            question.button(QMessageBox.StandardButton.Cancel).click()    # first: Cancel
        elif question is not None and "confirmed" not in seen:
            seen["confirmed"] = True
            view.restore_yes.click()
        elif view is not None and view.list.topLevelItemCount() and "chosen" not in seen:
            seen["chosen"] = view.list.topLevelItem(0).text(4)
            view.list.setCurrentItem(view.list.topLevelItem(0))
            view.restore_button.click()
        elif view is not None and "asked" in seen and "again" not in seen:
            seen["again"] = True                    # still open after Cancel: ask again
            view.restore_button.click()
        elif window is not None and "opened" not in seen:
            seen["opened"] = True
            window.backups_action.trigger()         # Admin ▸ Backups…
        elif dialog is not None and "confirmed" in seen and dialog.services is not None:
            seen["back"] = dialog.isVisible()
            dialog.cancel_button.click()            # the log-in window returned: Quit
            return
        QTimer.singleShot(20, drive)

    QTimer.singleShot(0, drive)
    assert run_app(config, ["iopdesk"]) == EXIT_OK
    assert fatal_errors == []
    assert seen["chosen"] == backup.name and seen["back"] is True
    assert "Every other workstation must close IOPDesk first" in seen["asked"]
    assert "kept aside as a backup" in seen["asked"]
    engine = open_database(config.database_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).where(Participant.id == later.id)) == 0
            action = conn.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())
                                 .limit(1))
    finally:
        engine.dispose()
    assert action == "db.restore"
    names = [p.name for p in list_backups(config.backup_dir, demo_db.stem)]
    assert any("before-restore" in name for name in names)     # the replaced database, kept


# -- a restore ends every session, but never throws typed work away unasked -----------------

def test_a_restore_asks_about_unsaved_work_first_and_cancel_keeps_it(qtbot, demo, settings,
                                                                    session_info, tmp_path):
    from test_ui_sessions_quit import _unsaved_intake, answer, question, switch_to

    from iopdesk.app import build_main_window
    from iopdesk.ui.session import SessionManager

    services, runner = demo.services, demo.runner
    manager = SessionManager(services, runner, lambda actor: build_main_window(
        services, actor, runner, session_info, settings=settings), idle_ms=600_000)
    try:
        clinician = manager.start_session(demo.log_in("clinician"))
        _chart, tab = _unsaved_intake(qtbot, demo, clinician.window, "Typed before restore")
        admin = switch_to(qtbot, manager, "admin")
        wanted = tmp_path / "backups" / "demo-20261116-090000-000000.sqlite3"
        ready: list[tuple] = []
        manager.restore_ready.connect(lambda actor, path: ready.append((actor, path)))

        admin.window.restore_requested.emit(admin.actor, wanted)   # Restore, confirmed
        box = question(qtbot, admin.window)
        assert "before the backup is restored" in box.text()
        answer(qtbot, box, QMessageBox.StandardButton.Cancel)
        assert ready == [] and len(manager.sessions) == 2          # everything as it was
        assert tab.texts["presenting_problem"].toPlainText() == "Typed before restore"

        admin.window.restore_requested.emit(admin.actor, wanted)
        with qtbot.waitSignal(manager.restore_ready, timeout=10_000):
            answer(qtbot, question(qtbot, admin.window), QMessageBox.StandardButton.Save)
        assert manager.sessions == () and ready == [(admin.actor, wanted)]
        saved = services.intake.get(clinician.actor, tab.episode_id)
        assert saved.presenting_problem == "Typed before restore"  # saved, not thrown away
    finally:
        manager.close_all()
        manager.idle_watcher.stop()
