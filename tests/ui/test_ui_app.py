"""The composition root: database errors become a message and an exit code, the display is
checked before Qt can abort, and a whole start (log-in, main window, quit) works."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app_driving import log_in, visible
from iopdesk.app import (EXIT_DATABASE, EXIT_NO_DISPLAY, EXIT_NO_PASSPHRASE, EXIT_OK,
                         X_LIBRARIES, database_label, display_problem, run_app)
from iopdesk.config import Config
from iopdesk.db.engine import sqlite_url
from iopdesk.ui.login import LoginDialog
from iopdesk.ui.main_window import MainWindow
from iopdesk.ui.passphrase_dialog import PassphraseDialog


def config_for(path, tmp_path) -> Config:
    return Config(data_dir=tmp_path / "data", database_url=sqlite_url(path),
                  workstation="test-station")


def test_a_folder_is_refused_with_a_message(qapp, tmp_path, fatal_errors, watchdog):
    folder = tmp_path / "not-a-file"
    folder.mkdir()
    code = run_app(config_for(folder, tmp_path), ["iopdesk"])
    assert code == EXIT_DATABASE
    assert len(fatal_errors) == 1
    title, message = fatal_errors[0]
    assert "is a folder" in message and str(folder) in message
    assert "Traceback" not in message


def test_a_file_that_is_not_a_database_asks_for_a_passphrase_none_opens(
        qapp, qtbot, tmp_path, fatal_errors, watchdog):
    """Without the SQLite header a file may be encrypted: only a passphrase can tell."""
    notes = tmp_path / "notes.txt"
    notes.write_text("Shopping list: milk, eggs, and a lot more text than a header.\n" * 20)
    before = notes.read_bytes()
    seen: dict[str, str] = {}

    def drive():
        dialog = visible(PassphraseDialog)
        if dialog is not None and dialog.open_button.isEnabled():
            if "error" not in seen and dialog.error_label.text():
                seen["error"] = dialog.error_label.text()
                dialog.reject()                                     # Quit
                return
            if "typed" not in seen:
                seen["typed"] = "yes"
                qtbot.keyClicks(dialog.passphrase_edit, "anything at all")
                dialog.open_button.click()
        QTimer.singleShot(20, drive)

    QTimer.singleShot(0, drive)
    code = run_app(config_for(notes, tmp_path), ["iopdesk"])
    assert code == EXIT_NO_PASSPHRASE != 0
    assert seen["error"] == "The passphrase does not open this database."
    assert fatal_errors == []
    assert notes.read_bytes() == before                                 # untouched


def test_a_database_from_a_newer_version_is_refused(qapp, tmp_path, db_path, fatal_errors,
                                                    watchdog):
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    code = run_app(config_for(db_path, tmp_path), ["iopdesk"])
    assert code == EXIT_DATABASE
    assert "newer version of IOPDesk" in fatal_errors[0][1]


def test_a_whole_start_log_in_main_window_quit(qapp, qtbot, tmp_path, demo_db, fatal_errors,
                                               watchdog):
    seen: dict[str, object] = {}

    def drive():
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, LoginDialog) and w.isVisible()]
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        if dialogs and "dialog" not in seen and dialogs[0].services is not None:
            seen["dialog"] = dialog = dialogs[0]
            log_in(dialog, "frontdesk")
        elif windows and windows[0].participant_model.rowCount() > 0:
            window = windows[0]
            seen["title"] = window.windowTitle()
            seen["rows"] = window.participant_model.rowCount()
            seen["user"] = window.user_label.text()
            window.close()
            return
        QTimer.singleShot(20, drive)

    QTimer.singleShot(0, drive)
    code = run_app(config_for(demo_db, tmp_path), ["iopdesk"])
    assert code == EXIT_OK
    assert fatal_errors == []
    assert seen["rows"] > 0
    assert "IOPDesk" in seen["title"]
    assert "Front desk" in seen["user"]


def test_the_database_label_never_shows_a_password():
    label = database_label("postgresql+psycopg://clinic:s3cret@db.local:5432/iopdesk")
    assert "s3cret" not in label and "***" not in label
    assert "db.local" in label and "clinic" in label
    assert database_label("sqlite:////srv/iopdesk/iopdesk.sqlite3") == "/srv/iopdesk/iopdesk.sqlite3"


# -- the display (DESIGN §9) ---------------------------------------------------------------

def test_missing_x_libraries_are_named_with_the_packages_to_install():
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    problem = display_problem({"DISPLAY": ":0"}, "linux", loads=lambda name: name not in absent)
    assert problem is not None
    assert "missing: libxcb-icccm4, libxcb-keysyms1" in problem
    assert "sudo apt install " + " ".join(X_LIBRARIES.values()) in problem


def test_no_display_is_explained():
    problem = display_problem({}, "linux", loads=lambda name: True)
    assert problem is not None and "DISPLAY" in problem


@pytest.mark.parametrize(("env", "platform"), [
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux"),
    ({"DISPLAY": ":0"}, "win32"),
    ({"DISPLAY": ":0"}, "darwin"),
    ({"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, "linux"),
])
def test_no_x_check_where_xcb_is_not_used(env, platform):
    assert display_problem(env, platform, loads=lambda name: False) is None


def test_all_present_means_no_problem():
    assert display_problem({"DISPLAY": ":0"}, "linux", loads=lambda name: True) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xcb is Linux only")
def test_qt_failing_to_load_xcb_is_explained_not_aborted(tmp_path):
    """Past the pre-check (say a library is found but broken), Qt's fatal error is caught."""
    script = textwrap.dedent("""
        from iopdesk.app import _create_application
        _create_application(["iopdesk", "-platform", "xcb"])
        print("a window system was found after all")
    """)
    env = {"PATH": "/usr/bin:/bin", "DISPLAY": ":2047", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=60)
    if "found after all" in result.stdout:
        pytest.skip("an X server answers on :2047 here")
    assert result.returncode == EXIT_NO_DISPLAY, result.stderr
    assert "sudo apt install libxcb-cursor0" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_app_explains_a_missing_display_without_starting_qt(tmp_path, monkeypatch, capsys,
                                                               db_path):
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert run_app(config_for(db_path, tmp_path), ["iopdesk"]) == EXIT_NO_DISPLAY
    assert "no display" in capsys.readouterr().err


# -- an encrypted database (DESIGN §6) -----------------------------------------------------

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def encrypted_config(db_path, tmp_path) -> Config:
    """A practice with an administrator, in an encrypted database."""
    from support import ADMIN_PASSWORD

    from iopdesk.db.crypto import is_encrypted
    from iopdesk.db.encryption import encrypt_database
    from iopdesk.db.engine import make_session_factory
    from iopdesk.db.migrate import open_database
    from iopdesk.domain.accounts import NewUserInput, PracticeInput
    from iopdesk.domain.enums import Role
    from iopdesk.services import build_services
    from iopdesk.services.audit_chain import load_or_create_key

    config = config_for(db_path, tmp_path)
    engine = open_database(config.database_url)
    services = build_services(make_session_factory(engine), "test-station",
                              audit_key=load_or_create_key(config.audit_key_path))
    services.setup.initialize(PracticeInput(name="Hidden Valley IOP"),
                              NewUserInput(username="admin", display_name="Ada Admin",
                                           roles=frozenset({Role.ADMIN})), ADMIN_PASSWORD)
    engine.dispose()
    encrypt_database(config.database_url, PASSPHRASE, config.backup_dir)
    assert is_encrypted(db_path)
    return config


def test_the_passphrase_is_asked_again_until_it_opens_the_database(qapp, qtbot,
                                                                   encrypted_config,
                                                                   fatal_errors, watchdog):
    from support import ADMIN_PASSWORD

    seen: dict[str, object] = {}

    def drive():
        dialog, login = visible(PassphraseDialog), visible(LoginDialog)
        window = visible(MainWindow)
        if login is None and dialog is not None and dialog.open_button.isEnabled():
            if "wrong" not in seen:
                seen["wrong"] = "typed"
                qtbot.keyClicks(dialog.passphrase_edit, "not the passphrase")
                qtbot.keyClick(dialog.passphrase_edit, Qt.Key.Key_Return)
            elif "error" not in seen and dialog.error_label.text():
                seen["error"] = dialog.error_label.text()
                seen["cleared"] = dialog.passphrase_edit.text() == ""
                qtbot.keyClicks(dialog.passphrase_edit, PASSPHRASE)
                dialog.open_button.click()
        elif login is not None and login.details.name and "login" not in seen:
            seen["login"] = login.heading.text()
            qtbot.keyClicks(login.username_edit, "admin")
            qtbot.keyClicks(login.password_edit, ADMIN_PASSWORD)
            login.submit()
        elif window is not None and "window" not in seen:
            seen["window"] = window.windowTitle()
            window.close()
            return
        QTimer.singleShot(20, drive)

    QTimer.singleShot(0, drive)
    code = run_app(encrypted_config, ["iopdesk"])
    assert code == EXIT_OK and fatal_errors == []
    assert seen["error"] == "The passphrase does not open this database."
    assert seen["cleared"] is True
    assert seen["login"] == "Hidden Valley IOP"
    assert seen["window"] == "Hidden Valley IOP — IOPDesk"


def test_cancelling_the_passphrase_quits_with_a_non_zero_code(qapp, encrypted_config,
                                                              fatal_errors, watchdog):
    def cancel_when_asked():
        dialog = visible(PassphraseDialog)
        if dialog is not None:
            dialog.reject()
            return
        QTimer.singleShot(20, cancel_when_asked)

    QTimer.singleShot(0, cancel_when_asked)
    code = run_app(encrypted_config, ["iopdesk"])
    assert code == EXIT_NO_PASSPHRASE and code != 0
    assert fatal_errors == []


# -- files others could read, a write-ahead log without its database, a refusing disk -----------

def test_a_write_ahead_log_without_its_database_is_named_and_left_alone(qapp, tmp_path,
                                                                       fatal_errors, watchdog):
    path = tmp_path / "iopdesk.sqlite3"
    log = tmp_path / "iopdesk.sqlite3-wal"
    log.write_bytes(b"\x37\x7f\x06\x82" + bytes(4000))
    before = log.read_bytes()
    code = run_app(config_for(path, tmp_path), ["iopdesk"])
    assert code == EXIT_DATABASE
    [(_, message)] = fatal_errors
    assert f"write-ahead log {log} without its database" in message and "left alone" in message
    assert log.read_bytes() == before and not path.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["iopdesk.sqlite3-wal"]


def test_a_database_others_can_read_is_made_owner_only_and_the_user_told_once(
        qapp, tmp_path, demo_db, fatal_errors, watchdog, monkeypatch):
    from iopdesk import app as app_module

    notices: list[str] = []
    monkeypatch.setattr(app_module, "show_notice",
                        lambda parent, title, message: notices.append(message))
    demo_db.chmod(0o644)

    def quit_when_told():
        login = visible(LoginDialog)
        if notices and login is not None:
            login.reject()
            return
        QTimer.singleShot(20, quit_when_told)

    QTimer.singleShot(0, quit_when_told)
    assert run_app(config_for(demo_db, tmp_path), ["iopdesk"]) == EXIT_OK
    assert fatal_errors == []
    [notice] = notices                                 # once, for the database and its files
    assert notice.startswith(f"made {demo_db}") and notice.endswith(
        " readable by its owner only (was 0644)")
    assert stat.S_IMODE(demo_db.stat().st_mode) == 0o600


@pytest.mark.parametrize("number, words", [
    (errno.ENOSPC, "is full: "),
    (errno.EROFS, "is read-only"),
    (errno.EIO, "reported an I/O error"),
])
def test_a_failed_file_write_is_told_in_plain_words(tmp_path, number, words):
    from iopdesk.ui.errors import describe_error

    target = tmp_path / "face-sheet.pdf"
    said = describe_error(OSError(number, os.strerror(number), str(target)))
    assert words in said and str(target) in said and "Something went wrong" not in said


def test_a_storage_failure_is_shown_as_it_is():
    from iopdesk.domain.errors import StorageFailure
    from iopdesk.ui.errors import describe_error

    failure = StorageFailure.disk_full("/data/iopdesk.sqlite3", 12_288)
    assert describe_error(failure) == ("the disk holding /data/iopdesk.sqlite3 is full: "
                                       "12,288 bytes free; nothing was changed")


def test_a_database_on_a_read_only_disk_is_named_in_the_dialog(qapp, tmp_path, db_path,
                                                               fatal_errors, watchdog):
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (as in CI)")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {made.stderr.strip()}")
    try:
        path = disk / "iopdesk.sqlite3"
        shutil.copy(db_path, path)
        path.chmod(0o600)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        assert run_app(config_for(path, tmp_path), ["iopdesk"]) == EXIT_DATABASE
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)
    [(_, message)] = fatal_errors
    assert f"the database is read-only: {path} is on a disk mounted read-only" in message
    assert "Traceback" not in message and "OperationalError" not in message
