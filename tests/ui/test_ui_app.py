"""The composition root: database errors become a message and an exit code, the display is
checked before Qt can abort, and a whole start (log-in, main window, quit) works."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from iopdesk import app as app_module
from iopdesk.app import (EXIT_DATABASE, EXIT_NO_DISPLAY, EXIT_OK, X_LIBRARIES, database_label,
                         display_problem, run_app)
from iopdesk.config import Config
from iopdesk.db.engine import sqlite_url
from iopdesk.services.demo import DEMO_PASSWORD
from iopdesk.ui.login import LoginDialog
from iopdesk.ui.main_window import MainWindow

GIVE_UP_MS = 20_000


def config_for(path, tmp_path) -> Config:
    return Config(data_dir=tmp_path / "data", database_url=sqlite_url(path),
                  workstation="test-station")


@pytest.fixture
def fatal_errors(monkeypatch):
    """The messages run_app would have shown in a (blocking) message box."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(app_module, "show_fatal_error",
                        lambda parent, title, message: shown.append((title, message)))
    return shown


@pytest.fixture
def watchdog(qapp):
    """If a run_app test loses its way, close every window instead of hanging."""
    def give_up():
        for widget in QApplication.topLevelWidgets():
            widget.close()
        QApplication.exit(99)

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(give_up)
    timer.start(GIVE_UP_MS)
    yield
    timer.stop()


def test_a_file_that_is_not_a_database_is_refused_with_a_message(qapp, tmp_path, fatal_errors,
                                                                 watchdog):
    notes = tmp_path / "notes.txt"
    notes.write_text("Shopping list: milk, eggs, and a lot more text than a header.\n" * 20)
    code = run_app(config_for(notes, tmp_path), ["iopdesk"])
    assert code == EXIT_DATABASE
    assert len(fatal_errors) == 1
    title, message = fatal_errors[0]
    assert "not an SQLite database" in message
    assert str(notes) in message
    assert "Traceback" not in message
    assert notes.read_text().startswith("Shopping list")                # untouched


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
            dialog.username_edit.setText("frontdesk")
            dialog.password_edit.setText(DEMO_PASSWORD)
            dialog.submit()
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
