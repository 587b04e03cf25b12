"""Quit ends every session of the workstation: after users were switched at the lock screen,
File ▸ Quit (Ctrl+Q) asks once about the unsaved work of them all — a locked session's named
by its user only — and Cancel keeps everything; then every window closes and the application
quits. The windows of a locked session never show while it is locked, whoever is logged in."""

from __future__ import annotations

from datetime import date

import pytest
import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from support import TODAY

from iopdesk.app import EXIT_OK, build_main_window, run_app
from iopdesk.config import Config
from iopdesk.db.engine import sqlite_url
from iopdesk.demo import DEMO_PASSWORD
from iopdesk.domain.clinical import IntakeInput
from iopdesk.domain.enums import AgeGroup
from iopdesk.domain.validation import ParticipantInput
from iopdesk.ui.errors import show_error
from iopdesk.ui.lock import LockScreen
from iopdesk.ui.login import LoginDialog
from iopdesk.ui.main_window import MainWindow
from iopdesk.ui.session import HIDDEN_BY_LOCK, SessionManager

WAIT_MS = 10_000
Button = QMessageBox.StandardButton


def visible_windows() -> list:
    return [w for w in QApplication.topLevelWidgets()
            if w.isVisible() and w.windowType() not in (Qt.WindowType.Popup,
                                                        Qt.WindowType.ToolTip)]


def on_screen(widget) -> bool:
    """Shown by the window system (not only marked visible)."""
    handle = widget.windowHandle()
    return widget.isVisible() or (handle is not None and handle.isVisible())


@pytest.fixture
def sessions(qtbot, demo, settings, session_info):
    """A session manager over the demo practice (its idle lock far away)."""
    made: list[SessionManager] = []
    services, runner = demo.services, demo.runner

    def make() -> SessionManager:
        manager = SessionManager(
            services, runner,
            lambda actor: build_main_window(services, actor, runner, session_info,
                                            settings=settings),
            idle_ms=600_000)
        made.append(manager)
        return manager

    yield make
    for manager in made:
        manager.close_all()
        manager.idle_watcher.stop()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def switch_to(qtbot, manager: SessionManager, username: str):
    """Lock, "Log in as someone else…", and log in as `username`: their session, in front."""
    manager.lock()
    manager.lock_screen.switch_button.click()
    dialog = manager.sign_in.dialog
    qtbot.keyClicks(dialog.username_edit, username)
    qtbot.keyClicks(dialog.password_edit, DEMO_PASSWORD)
    dialog.login_button.click()
    qtbot.waitUntil(lambda: manager.active is not None
                    and manager.active.actor.username == username, timeout=WAIT_MS)
    return manager.active


def press_quit(qtbot, window) -> None:
    """Ctrl+Q in the window in front (File ▸ Quit)."""
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Q,
                   Qt.KeyboardModifier.ControlModifier)


def question(qtbot, parent) -> QMessageBox:
    """The Save / Discard / Cancel question showing now (an answered one may linger)."""
    def showing() -> list[QMessageBox]:
        return [box for box in parent.findChildren(QMessageBox, "unsavedQuestion")
                if box.isVisible()]
    qtbot.waitUntil(lambda: len(showing()) == 1, timeout=WAIT_MS)
    return showing()[0]


def answer(qtbot, box: QMessageBox, button: Button) -> None:
    qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)


def open_chart(qtbot, window, participant_id: int):
    chart = window.open_chart(participant_id)
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT_MS)
    return chart


def test_quit_after_three_switches_ends_every_session(qtbot, demo, sessions):
    earlier = {id(w) for w in QApplication.topLevelWidgets()}   # other tests' leftovers
    manager = sessions()
    first = manager.start_session(demo.log_in("clinician"))
    someone = demo.services.today.caseload(first.actor)[0]
    chart = open_chart(qtbot, first.window, someone.participant_id)
    first.window.change_password()                        # a dialog of the first session
    for username in ("frontdesk", "supervisor", "admin"):
        switch_to(qtbot, manager, username)
    assert [s.actor.username for s in manager.sessions] == [
        "clinician", "frontdesk", "supervisor", "admin"]
    front = manager.active.window
    assert visible_windows() == [front]                   # the others' stay hidden
    windows = [s.window for s in manager.sessions]

    with qtbot.waitSignal(manager.finished, timeout=WAIT_MS):
        press_quit(qtbot, front)
    assert manager.sessions == () and manager.lock_screen is None and manager.sign_in is None
    assert visible_windows() == []                        # no lock screen of an earlier user
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not any(shiboken6.isValid(w) for w in (*windows, chart))
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and id(w) not in earlier]


def test_the_application_quits_after_three_switches(qapp, qtbot, tmp_path, demo_db,
                                                    fatal_errors, watchdog):
    """The whole application: log in, switch user three times at the lock screen, Quit —
    `run_app` returns (its event loop was told to quit) and no window is left."""
    users = ["clinician", "frontdesk", "supervisor", "admin"]
    seen: dict = {"windows": [], "typed": set()}

    def visible(kind):
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, kind) and w.isVisible()), None)

    def drive():
        login, lock, window = visible(LoginDialog), visible(LockScreen), visible(MainWindow)
        done = len(seen["windows"])
        if login is not None and login.services is not None and done not in seen["typed"] \
                and login.login_button.isEnabled():
            seen["typed"].add(done)
            login.username_edit.setText(users[done])
            login.password_edit.setText(DEMO_PASSWORD)
            login.submit()
        elif window is not None and window.actor.username == users[done]:
            seen["windows"].append(window)
            if len(seen["windows"]) < len(users):
                window.lock_action.trigger()                  # File ▸ Lock
            else:
                seen["visible before"] = visible_windows()
                window.quit_action.trigger()                  # File ▸ Quit
                return
        elif lock is not None and lock.switch_button.isEnabled():
            lock.switch_button.click()                        # Log in as someone else…
        QTimer.singleShot(20, drive)

    QTimer.singleShot(0, drive)
    config = Config(data_dir=tmp_path / "data", database_url=sqlite_url(demo_db),
                    workstation="test-station")
    code = run_app(config, ["iopdesk"])
    assert code == EXIT_OK and fatal_errors == []
    assert [w.actor.username for w in seen["windows"]] == users
    assert seen["visible before"] == [seen["windows"][-1]]
    assert visible_windows() == []
    assert not any(shiboken6.isValid(w) for w in seen["windows"])


def _unsaved_intake(qtbot, demo, window, text: str):
    """A new participant admitted by the window's clinician, their intake a draft begun
    earlier; the chart open, and more typed into the intake."""
    desk = demo.log_in("frontdesk")
    person = demo.services.participants.register(desk, ParticipantInput(
        first_name="Quentin", last_name="Quitwell", date_of_birth=date(1980, 5, 5)))
    track = next(t for t in demo.services.staff.tracks(window.actor)
                 if t.age_group is AgeGroup.ADULT)
    episode = demo.services.episodes.admit(window.actor, person.id, track.id, TODAY)
    demo.services.intake.save_draft(window.actor, episode.id,
                                    IntakeInput(medications="None reported"), None)
    chart = open_chart(qtbot, window, person.id)
    tab = chart.show_tab("intake")
    qtbot.waitUntil(lambda: tab._shown is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)
    edit = tab.texts["presenting_problem"]
    edit.setFocus()
    qtbot.keyClicks(edit, text)
    assert tab.has_unsaved_edits()
    return chart, tab


def test_quit_asks_about_an_earlier_session_s_unsaved_chart_and_cancel_keeps_everything(
        qtbot, demo, sessions):
    manager = sessions()
    clinician = manager.start_session(demo.log_in("clinician"))
    chart, tab = _unsaved_intake(qtbot, demo, clinician.window, "Sleeps badly since March")
    episode_id = tab.episode_id
    desk = switch_to(qtbot, manager, "frontdesk")
    switch_to(qtbot, manager, "supervisor")
    desk = switch_to(qtbot, manager, "frontdesk")         # the front desk's own, back again
    assert len(manager.sessions) == 3 and not chart.isVisible()

    press_quit(qtbot, desk.window)
    box = question(qtbot, desk.window)
    name = clinician.actor.display_name
    assert f"{name}'s locked session" in box.text() and "before IOPDesk quits" in box.text()
    assert "Quitwell" not in box.text() and "Intake" not in box.text()   # nothing of the record
    answer(qtbot, box, Button.Cancel)
    assert len(manager.sessions) == 3 and manager.active is desk     # everything as it was
    assert visible_windows() == [desk.window]
    assert not chart.isVisible() and not clinician.window.isVisible()
    assert tab.texts["presenting_problem"].toPlainText() == "Sleeps badly since March"
    assert tab.has_unsaved_edits()
    assert demo.services.intake.get(clinician.actor, episode_id).presenting_problem == ""

    press_quit(qtbot, desk.window)
    with qtbot.waitSignal(manager.finished, timeout=WAIT_MS):
        answer(qtbot, question(qtbot, desk.window), Button.Save)
    assert not chart.isVisible() and visible_windows() == []
    saved = demo.services.intake.get(clinician.actor, episode_id)      # saved as the
    assert saved.presenting_problem == "Sleeps badly since March"       # clinician's draft
    assert saved.medications == "None reported" and saved.clinician_name == name


def test_quit_with_discard_drops_the_earlier_session_s_text_and_quits(qtbot, demo, sessions):
    manager = sessions()
    clinician = manager.start_session(demo.log_in("clinician"))
    _chart, tab = _unsaved_intake(qtbot, demo, clinician.window, "Thrown away")
    episode_id = tab.episode_id
    desk = switch_to(qtbot, manager, "frontdesk")
    press_quit(qtbot, desk.window)
    with qtbot.waitSignal(manager.finished, timeout=WAIT_MS):
        answer(qtbot, question(qtbot, desk.window), Button.Discard)
    assert manager.sessions == () and visible_windows() == []
    assert demo.services.intake.get(clinician.actor, episode_id).presenting_problem == ""


def test_a_locked_session_s_windows_never_show_while_another_user_is_logged_in(
        qtbot, demo, sessions):
    manager = sessions()
    clinician = manager.start_session(demo.log_in("clinician"))
    window = clinician.window
    first, second = demo.services.today.caseload(clinician.actor)[:2]
    chart = open_chart(qtbot, window, first.participant_id)

    manager.lock()                                          # the idle lock, say
    error = show_error(window, "IOPDesk", "A background job failed")  # its work goes on
    assert not on_screen(error) and visible_windows() == [manager.lock_screen]

    desk = switch_to(qtbot, manager, "frontdesk")
    chart.show()                                            # whatever the locked session's
    chart.raise_()                                          # code does, nothing of it shows
    other = window.open_chart(second.participant_id)
    window.show()
    window.change_password()
    qtbot.waitUntil(lambda: other.summary is not None, timeout=WAIT_MS)
    show_error(window, "IOPDesk", "Another failure")
    assert visible_windows() == [desk.window]
    assert not any(on_screen(w) for w in (window, chart, other, error))
    assert other.property(HIDDEN_BY_LOCK) and other in clinician.hidden

    # back to the clinician: everything their session opened meanwhile comes back to them
    manager.lock()
    assert visible_windows() == [manager.lock_screen]
    with qtbot.waitSignal(manager.unlocked, timeout=WAIT_MS):
        back = switch_to(qtbot, manager, "clinician")
    assert back is clinician and not desk.window.isVisible()
    assert window.isVisible() and chart.isVisible() and other.isVisible() and error.isVisible()
    assert other.windowOpacity() == 1.0 and not other.property(HIDDEN_BY_LOCK)


def test_closing_a_main_window_still_logs_out_of_that_session_only(qtbot, demo, sessions):
    manager = sessions()
    manager.start_session(demo.log_in("clinician"))
    desk = switch_to(qtbot, manager, "frontdesk")
    desk.window.close()                                     # the window's close box: log out
    assert [s.actor.username for s in manager.sessions] == ["clinician"]
    assert manager.lock_screen is not None and visible_windows() == [manager.lock_screen]
    assert manager.lock_screen.actor.username == "clinician"
