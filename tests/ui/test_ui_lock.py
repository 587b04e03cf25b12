"""The automatic lock: idle timeout, Ctrl+L, the lock screen, unsaved work kept, and logging
in as someone else while a session stays locked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QElapsedTimer, QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from support import ADMIN_PASSWORD, STAFF_PASSWORD

from iopdesk.app import build_main_window
from iopdesk.domain.enums import Role
from iopdesk.ui.lock import LockScreen
from iopdesk.ui.session import SessionManager

WAIT_MS = 10_000


def visible_windows() -> list:
    return [w for w in QApplication.topLevelWidgets()
            if w.isVisible() and w.windowType() not in (Qt.WindowType.Popup,
                                                        Qt.WindowType.ToolTip)]


@pytest.fixture
def sessions(qtbot, practice, settings, practice_info):
    """A session manager over the practice; `idle_ms` is set per test with make()."""
    made: list[SessionManager] = []

    def make(idle_ms: int | None = 60_000) -> SessionManager:
        services, runner = practice.services, practice.runner
        manager = SessionManager(
            services, runner,
            lambda actor: build_main_window(services, actor, runner, practice_info,
                                            settings=settings),
            idle_ms=idle_ms)
        made.append(manager)
        return manager

    yield make
    for manager in made:
        manager.close_all()
        if manager.sign_in is not None:
            manager.sign_in.discard()
        manager.idle_watcher.stop()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def unlock_with(qtbot, screen: LockScreen, password: str) -> None:
    screen.password_edit.clear()
    qtbot.keyClicks(screen.password_edit, password)
    screen.unlock_button.click()


def open_add_user_dialog(qtbot, window):
    users = window.open_users()
    qtbot.waitUntil(lambda: users.model.rowCount() > 0, timeout=WAIT_MS)
    dialog = users.add_user()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return users, dialog


def test_idle_lock_hides_everything_and_the_password_brings_it_back_unchanged(
        qtbot, practice, sessions):
    manager = sessions(idle_ms=400)
    session = manager.start_session(practice.admin)
    window = session.window
    users, dialog = open_add_user_dialog(qtbot, window)
    qtbot.keyClicks(dialog.display_name_edit, "Half-typed Name")
    qtbot.keyClicks(dialog.username_edit, "halfway")
    window.participants.search_edit.setText("smi")

    qtbot.waitUntil(lambda: manager.lock_screen is not None
                    and manager.lock_screen.isVisible(), timeout=WAIT_MS)
    screen = manager.lock_screen
    assert visible_windows() == [screen]            # nothing of the content can be read
    assert not window.isVisible() and not users.isVisible() and not dialog.isVisible()
    assert session.locked and manager.active is None
    assert "Ada Admin" in screen.who_label.text()

    unlock_with(qtbot, screen, "not-my-password")
    qtbot.waitUntil(lambda: screen.error_label.text() != "", timeout=WAIT_MS)
    assert screen.error_label.text() == "Wrong password. IOPDesk stays locked."
    assert visible_windows() == [screen]

    with qtbot.waitSignal(manager.unlocked, timeout=WAIT_MS):
        unlock_with(qtbot, screen, ADMIN_PASSWORD)
    assert window.isVisible() and users.isVisible() and dialog.isVisible()
    assert dialog.display_name_edit.text() == "Half-typed Name"      # unsaved work survives
    assert dialog.username_edit.text() == "halfway"
    assert window.participants.search_edit.text() == "smi"
    assert manager.lock_screen is None and manager.active is session

    # and the watch goes on: idle again, locked again
    qtbot.waitUntil(lambda: manager.lock_screen is not None, timeout=WAIT_MS)


def test_input_keeps_the_lock_away(qtbot, practice, sessions):
    idle_ms, keys = 600, 8
    manager = sessions(idle_ms=idle_ms)
    session = manager.start_session(practice.admin)
    search = session.window.participants.search_edit
    clock = QElapsedTimer()
    typed: list[int] = []                       # when each key was pressed (ms)
    locked: list[tuple[int, int]] = []          # (keys pressed by then, when)
    typist = QTimer()
    typist.setInterval(150)                     # a key every 150 ms, well inside the timeout

    def press() -> None:
        qtbot.keyClick(search, Qt.Key.Key_A)
        typed.append(clock.elapsed())
        if len(typed) == keys:
            typist.stop()

    typist.timeout.connect(press)
    manager.locked.connect(lambda _session: locked.append((len(typed), clock.elapsed())))
    clock.start()
    with qtbot.waitSignal(manager.locked, timeout=WAIT_MS):
        typist.start()
    typist.stop()
    [(pressed, at)] = locked
    assert pressed == keys                      # no lock while the keys came
    assert typed[-1] - typed[0] > idle_ms       # though they came for longer than the timeout
    assert at - typed[-1] >= idle_ms * 0.9      # the last key restarted the wait (a coarse
    assert manager.lock_screen is not None      # timer may fire up to 5 % early)


def test_ctrl_l_locks_at_once_from_the_window_and_from_a_dialog(qtbot, practice, sessions):
    manager = sessions()
    session = manager.start_session(practice.admin)
    window = session.window
    window.activateWindow()
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    assert window.lock_action in window.menuBar().actions()[0].menu().actions()

    with qtbot.waitSignal(manager.locked, timeout=WAIT_MS):
        qtbot.keyClick(window.participants.search_edit, Qt.Key.Key_L,
                       Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()
    with qtbot.waitSignal(manager.unlocked, timeout=WAIT_MS):
        unlock_with(qtbot, manager.lock_screen, ADMIN_PASSWORD)

    _users, dialog = open_add_user_dialog(qtbot, window)
    qtbot.keyClicks(dialog.display_name_edit, "Typed before Ctrl+L")
    with qtbot.waitSignal(manager.locked, timeout=WAIT_MS):
        qtbot.keyClick(dialog.display_name_edit, Qt.Key.Key_L,
                       Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible()
    assert dialog.display_name_edit.text() == "Typed before Ctrl+L"   # no "l" typed into it
    with qtbot.waitSignal(manager.unlocked, timeout=WAIT_MS):
        unlock_with(qtbot, manager.lock_screen, ADMIN_PASSWORD)
    assert dialog.isVisible() and dialog.display_name_edit.text() == "Typed before Ctrl+L"

    window.lock_action.trigger()                                    # File ▸ Lock
    assert manager.lock_screen is not None and not window.isVisible()


def test_escape_and_close_do_not_unlock(qtbot, practice, sessions):
    manager = sessions()
    session = manager.start_session(practice.admin)
    manager.lock()
    screen = manager.lock_screen
    qtbot.keyClick(screen.password_edit, Qt.Key.Key_Escape)
    screen.close()
    assert screen.isVisible() and not session.window.isVisible()


def test_log_in_as_someone_else_keeps_the_first_session_hidden_and_unchanged(
        qtbot, practice, sessions):
    practice.add_user("frank", Role.FRONT_DESK)
    manager = sessions()
    admin_session = manager.start_session(practice.admin)
    admin_window = admin_session.window
    _users, dialog = open_add_user_dialog(qtbot, admin_window)
    qtbot.keyClicks(dialog.display_name_edit, "Admin's unsaved text")
    manager.lock()

    manager.lock_screen.switch_button.click()
    sign_in = manager.sign_in
    assert sign_in is not None and sign_in.dialog.isVisible()
    assert not manager.lock_screen.isVisible()
    assert sign_in.dialog.cancel_button.text() == "Back to the lock screen"
    qtbot.keyClicks(sign_in.dialog.username_edit, "frank")
    qtbot.keyClicks(sign_in.dialog.password_edit, STAFF_PASSWORD)
    sign_in.dialog.login_button.click()
    qtbot.waitUntil(lambda: len(manager.sessions) == 2, timeout=WAIT_MS)
    frank_session = manager.active
    assert frank_session.actor.username == "frank"
    assert frank_session.window is not admin_window
    assert frank_session.window.admin_menu is None          # front desk: no Admin menu
    assert visible_windows() == [frank_session.window]       # the admin's stay hidden
    assert admin_session.locked and not dialog.isVisible()

    # Frank locks; the administrator logs in again and finds everything as it was
    manager.lock()
    manager.lock_screen.switch_button.click()
    qtbot.keyClicks(manager.sign_in.dialog.username_edit, "admin")
    qtbot.keyClicks(manager.sign_in.dialog.password_edit, ADMIN_PASSWORD)
    with qtbot.waitSignal(manager.unlocked, timeout=WAIT_MS):
        manager.sign_in.dialog.login_button.click()
    assert manager.active is admin_session and len(manager.sessions) == 2
    assert dialog.isVisible() and dialog.display_name_edit.text() == "Admin's unsaved text"
    assert not frank_session.window.isVisible()

    # the administrator cancels (asked first: the text is not saved; Discard), then quits:
    # Frank's locked session comes back to its lock screen
    dialog.reject()
    question = dialog.findChild(QMessageBox, "unsavedQuestion")
    assert question is not None and question.isVisible()
    qtbot.mouseClick(question.button(QMessageBox.StandardButton.Discard),
                     Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    admin_window.close()
    assert manager.sessions == (frank_session,)
    assert manager.lock_screen is not None and manager.lock_screen.isVisible()
    assert manager.lock_screen.actor.username == "frank"
    with qtbot.waitSignal(manager.finished, timeout=WAIT_MS):
        with qtbot.waitSignal(manager.unlocked, timeout=WAIT_MS):
            unlock_with(qtbot, manager.lock_screen, STAFF_PASSWORD)
        frank_session.window.close()


def test_cancelling_someone_else_returns_to_the_lock_screen(qtbot, practice, sessions):
    manager = sessions()
    session = manager.start_session(practice.admin)
    manager.lock()
    screen = manager.lock_screen
    screen.switch_button.click()
    manager.sign_in.dialog.cancel_button.click()
    assert manager.sign_in is None
    assert screen.isVisible() and manager.lock_screen is screen
    assert not session.window.isVisible()


def test_the_idle_timeout_is_the_practice_setting(qtbot, practice, sessions):
    from dataclasses import replace

    settings = practice.services.settings.get()
    assert settings.idle_lock_minutes == 10                         # a new practice's default
    practice.services.settings.update(practice.admin, replace(settings, idle_lock_minutes=3))
    manager = sessions(idle_ms=None)
    manager.start_session(practice.admin)
    qtbot.waitUntil(lambda: manager.idle_watcher.timeout_ms == 3 * 60_000, timeout=WAIT_MS)
    assert manager.idle_watcher.running and manager.lock_screen is None
