"""Who works at this workstation: one session per logged-in user, and the automatic lock.

A session is a user's main window and everything it opened (dialogs, admin windows). One
session at most is in front; the others are locked, their windows hidden and untouched.

Locking (idle timeout, Ctrl+L, File ▸ Lock) hides every visible top-level window of the
session in front — nothing is closed, so text typed into an open form stays where it is — and
shows a LockScreen where the main window was. The same user's password brings the very same
windows back. "Log in as someone else" leaves the locked session as it is and signs another
user in: a user who already has a locked session here gets it back (their log-in proves who
they are); anybody else gets a session of their own with a new main window. When the main
window of a session closes, that session ends; the lock screen of the most recent locked
session comes back; when no session is left, `finished` is emitted (the application quits).

Forms must be opened with `show()`/`open()`, never `exec()`: hiding a dialog ends its
`exec()` loop. (A file dialog that is open when the lock comes is cancelled by it.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QRect, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

from iopdesk.ui.lock import IdleWatcher, LockScreen
from iopdesk.ui.sign_in import SignIn

if TYPE_CHECKING:
    from iopdesk.domain.accounts import PracticeSettings
    from iopdesk.services import Actor, Services
    from iopdesk.ui.main_window import MainWindow
    from iopdesk.ui.operations import Runner

DEFAULT_IDLE_MINUTES = 10
_TRANSIENT = (Qt.WindowType.Popup, Qt.WindowType.ToolTip)


@dataclass(eq=False)
class Session:
    actor: Actor
    window: MainWindow
    locked: bool = False
    hidden: list[QWidget] = field(default_factory=list)     # what the lock hid, to show again
    focus: QWidget | None = None                            # where the keyboard was


def _alive(widget: QWidget | None) -> bool:
    return widget is not None and shiboken6.isValid(widget)


class SessionManager(QObject):
    finished = Signal()             # the last session ended
    locked = Signal(object)         # the Session just locked
    unlocked = Signal(object)       # the Session back in front

    def __init__(self, services: Services, runner: Runner,
                 window_factory: Callable[[Actor], MainWindow], *,
                 idle_ms: int | None = None, parent: QObject | None = None):
        """`idle_ms` fixes the idle timeout (tests); None reads the practice's setting."""
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._window_factory = window_factory
        self._sessions: list[Session] = []          # least recently in front first
        self._fixed_timeout = idle_ms is not None
        self._watcher = IdleWatcher(idle_ms or DEFAULT_IDLE_MINUTES * 60_000, self)
        self._watcher.idle.connect(self.lock)
        self._watcher.lock_requested.connect(self.lock)
        self.lock_screen: LockScreen | None = None
        self._lock_session: Session | None = None
        self.sign_in: SignIn | None = None

    @property
    def sessions(self) -> tuple[Session, ...]:
        return tuple(self._sessions)

    @property
    def active(self) -> Session | None:
        """The session in front (unlocked), if any."""
        return next((s for s in self._sessions if not s.locked), None)

    @property
    def idle_watcher(self) -> IdleWatcher:
        return self._watcher

    # -- sessions -------------------------------------------------------------------------

    def start_session(self, actor: Actor) -> Session:
        """A new main window for `actor`, in front."""
        window = self._window_factory(actor)
        session = Session(actor=actor, window=window)
        self._sessions.append(session)
        window.lock_requested.connect(self.lock)
        window.closed.connect(lambda: self._ended(session))
        window.show()
        window.activateWindow()
        self._watcher.start()
        if not self._fixed_timeout:
            self._runner.submit(self._services.settings.get, self._settings_arrived,
                                owner=self)
        return session

    def _settings_arrived(self, settings: PracticeSettings) -> None:
        self._watcher.set_timeout(settings.idle_lock_minutes * 60_000)

    def _ended(self, session: Session) -> None:
        if session not in self._sessions:
            return
        self._sessions.remove(session)
        for widget in session.hidden:
            if _alive(widget) and widget is not session.window:
                widget.close()
        session.hidden = []
        session.window.deleteLater()
        if self._lock_session is session:
            self._dismiss_lock_screen()
        if not self._sessions:
            self._watcher.stop()
            self.finished.emit()
        elif self.active is None and self.lock_screen is None and self.sign_in is None:
            self._watcher.pause()
            self._show_lock_screen(self._sessions[-1], QRect())

    # -- locking --------------------------------------------------------------------------

    @Slot()
    def lock(self) -> None:
        """Hide the session in front behind the lock screen (nothing is closed)."""
        session = self.active
        if session is None:
            return
        session.locked = True
        session.focus = QApplication.focusWidget()
        geometry = session.window.geometry() if session.window.isVisible() else QRect()
        self._show_lock_screen(session, geometry)       # first: never a moment without windows
        hidden = []
        for widget in QApplication.topLevelWidgets():
            if widget is self.lock_screen or not widget.isVisible():
                continue
            if widget.windowType() in _TRANSIENT:
                widget.close()                           # menus, tooltips: not brought back
                continue
            hidden.append(widget)
        hidden.sort(key=lambda w: w is not session.window)  # the main window under its dialogs
        for widget in hidden:
            widget.hide()
        session.hidden = hidden
        self._watcher.pause()
        self.locked.emit(session)

    def _show_lock_screen(self, session: Session, geometry: QRect) -> None:
        screen = LockScreen(self._services, session.actor, self._runner)
        screen.unlocked.connect(lambda: self._unlock(session))
        screen.switch_user.connect(self._switch_user)
        screen.cover(geometry)
        self.lock_screen = screen
        self._lock_session = session
        screen.show()
        screen.raise_()
        screen.activateWindow()

    def _dismiss_lock_screen(self) -> None:
        if self.lock_screen is not None:
            self.lock_screen.dismiss()
        self.lock_screen = None
        self._lock_session = None

    def _unlock(self, session: Session) -> None:
        self._dismiss_lock_screen()
        self._resume(session)

    def _resume(self, session: Session) -> None:
        session.locked = False
        for widget in session.hidden:
            if _alive(widget):
                widget.show()
        session.hidden = []
        self._sessions.remove(session)
        self._sessions.append(session)
        focus = session.focus if _alive(session.focus) else None
        target = focus.window() if focus is not None else session.window
        target.raise_()
        target.activateWindow()
        if focus is not None:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self._watcher.start()
        self.unlocked.emit(session)

    # -- log in as someone else -----------------------------------------------------------

    @Slot()
    def _switch_user(self) -> None:
        if self.lock_screen is not None:
            self.lock_screen.hide()
        sign_in = SignIn(self._runner, services=self._services,
                         cancel_text=self.tr("Back to the lock screen"), parent=self)
        sign_in.signed_in.connect(self._someone_signed_in)
        sign_in.cancelled.connect(self._sign_in_cancelled)
        self.sign_in = sign_in
        sign_in.show()

    @Slot(object)
    def _someone_signed_in(self, actor: Actor) -> None:
        self.sign_in = None
        self._dismiss_lock_screen()
        existing = next((s for s in self._sessions if s.actor.user_id == actor.user_id), None)
        if existing is None:
            self.start_session(actor)
        else:
            existing.actor = actor
            self._resume(existing)

    @Slot()
    def _sign_in_cancelled(self) -> None:
        self.sign_in = None
        if self.lock_screen is not None:
            self.lock_screen.show()
            self.lock_screen.raise_()
            self.lock_screen.activateWindow()
        elif self._sessions:
            self._show_lock_screen(self._sessions[-1], QRect())

    def close_all(self) -> None:
        """End every session (the application quits): windows close, no lock screen."""
        self._dismiss_lock_screen()
        for session in list(self._sessions):
            session.window.close()
