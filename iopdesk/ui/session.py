"""Who works at this workstation: one session per logged-in user, and the automatic lock.

A session is a user's main window and everything it opened (chart windows, dialogs, previews).
One session at most is in front; the others are locked, their windows hidden and untouched.

Locking (idle timeout, Ctrl+L, File ▸ Lock) hides every visible top-level window of the
session in front — nothing is closed, so text typed into an open form stays where it is — and
shows a LockScreen where the main window was. The same user's password brings the very same
windows back. While a session is locked none of its windows shows: a window its own work opens
or shows meanwhile (an error from a background job, a preview, a chart) is hidden the moment
it is shown, before anything of it is drawn, and comes back with the others when its user
unlocks — nobody else at the workstation ever sees it.

"Log in as someone else" leaves the locked session as it is and signs another user in: a user
who already has a locked session here gets it back (their log-in proves who they are); anybody
else gets a session of their own with a new main window. Closing a main window ends (logs out
of) its session only: the lock screen of the most recent locked session comes back.

File ▸ Quit (`quit`) ends every session of the workstation: one question about the unsaved
work of them all (ui.unsaved: Save / Discard / Cancel; a locked session's work is named by
its user only, so the person quitting learns nothing of its records; Cancel keeps every
window and every typed word as it was), then every window closes. When no session is left,
`finished` is emitted (the application quits). A restore from Admin ▸ Backups ends every
session the same way, question included, and then emits `restore_ready` instead: the start-up
restores and shows the log-in window again.

Forms must be opened with `show()`/`open()`, never `exec()`: hiding a dialog ends its
`exec()` loop. (A file dialog that is open when the lock comes is cancelled by it.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

from iopdesk.ui.lock import IdleWatcher, LockScreen
from iopdesk.ui.locked_edits import LockedSessionEdits, alive as _alive
from iopdesk.ui.sign_in import SignIn
from iopdesk.ui.unsaved import ask_about_unsaved

if TYPE_CHECKING:
    from iopdesk.domain.accounts import PracticeSettings
    from iopdesk.services import Actor, Services
    from iopdesk.ui.main_window import MainWindow
    from iopdesk.ui.operations import Runner

DEFAULT_IDLE_MINUTES = 10
HIDDEN_BY_LOCK = "hiddenByLock"     # a window's property while the lock keeps it hidden
_TRANSIENT = (Qt.WindowType.Popup, Qt.WindowType.ToolTip)
# Window systems that can show a window see-through (others only warn when asked).
_SEE_THROUGH_PLATFORMS = frozenset({"xcb", "windows", "cocoa"})


@dataclass(eq=False)
class Session:
    actor: Actor
    window: MainWindow
    locked: bool = False
    hidden: list[QWidget] = field(default_factory=list)     # what the lock hid, to show again
    focus: QWidget | None = None                            # where the keyboard was


class SessionManager(QObject):
    finished = Signal()             # the last session ended
    # Every session ended to restore a backup: (the administrator's Actor, the backup's path).
    restore_ready = Signal(object, object)
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
        self._quitting = False              # every session is ending: no lock screen between
        self._quit_edits: list[LockedSessionEdits] = []
        self._restoring: tuple[Actor, object] | None = None    # why every session is ending
        self._guarding = False              # the event filter that keeps locked windows hidden

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

    def session_of(self, widget: QWidget | None) -> Session | None:
        """The session whose main window `widget` is or belongs to (its windows and dialogs
        have it as their ancestor), if any."""
        while widget is not None:
            for session in self._sessions:
                if session.window is widget:
                    return session
            widget = widget.parentWidget()
        return None

    # -- sessions -------------------------------------------------------------------------

    def start_session(self, actor: Actor) -> Session:
        """A new main window for `actor`, in front."""
        window = self._window_factory(actor)
        session = Session(actor=actor, window=window)
        self._sessions.append(session)
        window.lock_requested.connect(self.lock)
        window.quit_requested.connect(self.quit)
        window.restore_requested.connect(self.restore_backup)
        window.closed.connect(self._window_closed)
        window.show()
        window.activateWindow()
        self._watcher.start()
        if not self._fixed_timeout:
            self._runner.submit(self._services.settings.get, self._settings_arrived,
                                owner=self)
        return session

    def _settings_arrived(self, settings: PracticeSettings) -> None:
        self._watcher.set_timeout(settings.idle_lock_minutes * 60_000)

    @Slot()
    def _window_closed(self) -> None:
        session = next((s for s in self._sessions if s.window is self.sender()), None)
        if session is not None:
            self._ended(session)

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
        self._guard_locked_windows()
        if not self._sessions:
            self._quitting = False
            self._watcher.stop()
            restoring, self._restoring = self._restoring, None
            if restoring is not None:
                self.restore_ready.emit(*restoring)
            else:
                self.finished.emit()
        elif self.active is None and self.lock_screen is None and self.sign_in is None \
                and not self._quitting:
            self._watcher.pause()
            self._show_lock_screen(self._sessions[-1], QRect())

    # -- quitting -------------------------------------------------------------------------

    @Slot()
    def quit(self) -> None:
        """End every session (File ▸ Quit): ask once about the unsaved work of them all —
        Cancel keeps everything as it is — then close every window; `finished` follows."""
        self._end_every_session(None)

    @Slot(object, object)
    def restore_backup(self, actor: Actor, backup: object) -> None:
        """End every session so that `backup` can be restored (asked by `actor`): the same
        question as Quit about unsaved work; then `restore_ready` instead of `finished`."""
        self._end_every_session((actor, backup))

    def _end_every_session(self, restoring: tuple[Actor, object] | None) -> None:
        asker = self._asker()
        if asker is None or not self._sessions:
            return
        self._drop_quit_edits()             # those of an earlier question
        forms: list[QObject] = []
        front = self.active
        if front is not None:
            forms += front.window.unsaved_forms()
        for session in reversed(self._sessions):        # the most recent first
            held = session.window.unsaved_forms() if session.locked else []
            if held:
                edits = LockedSessionEdits(session.actor.display_name, held, asker, self)
                self._quit_edits.append(edits)
                forms.append(edits)
        doing = (self.tr("before IOPDesk quits") if restoring is None
                 else self.tr("before the backup is restored"))
        ask_about_unsaved(asker, forms, lambda: self._quit_now(restoring), doing=doing)

    def _drop_quit_edits(self) -> None:
        """Delete the locked sessions' stand-ins of a question that is over (not one whose
        save is still under way: it calls back)."""
        for edits in self._quit_edits:
            if not edits.saving:
                edits.deleteLater()
        self._quit_edits = [edits for edits in self._quit_edits if edits.saving]

    def _asker(self) -> QWidget | None:
        """Where the question about unsaved work is asked: the window in front, else the
        lock screen."""
        front = self.active
        return front.window if front is not None else self.lock_screen

    def _unsaved_anywhere(self) -> bool:
        return any(session.window.unsaved_forms() for session in self._sessions)

    def _quit_now(self, restoring: tuple[Actor, object] | None = None) -> None:
        if self._unsaved_anywhere():        # typed since the question: ask again
            self._end_every_session(restoring)
            return
        self._quitting = True
        self._restoring = restoring
        self._dismiss_lock_screen()
        self._drop_sign_in()
        for session in reversed(list(self._sessions)):
            if session in self._sessions and not session.window.close():
                break
        self._drop_quit_edits()
        if self._sessions:                  # a window would not close: IOPDesk stays
            self._quitting = False
            self._restoring = None
            if self.active is None and self.lock_screen is None:
                self._watcher.pause()
                self._show_lock_screen(self._sessions[-1], QRect())

    def close_all(self) -> None:
        """End every session without a question of ours (the application is ending: each
        window still asks about its own unsaved work); no lock screen comes between."""
        self._quitting = True
        self._dismiss_lock_screen()
        self._drop_sign_in()
        for session in list(self._sessions):
            session.window.close()
        self._quitting = False

    def _drop_sign_in(self) -> None:
        if self.sign_in is not None:
            self.sign_in.discard()
            self.sign_in = None

    # -- locking --------------------------------------------------------------------------

    @Slot()
    def lock(self) -> None:
        """Hide the session in front behind the lock screen (nothing is closed)."""
        session = self.active
        if session is None:
            return
        session.locked = True
        self._guard_locked_windows()
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
            widget.setProperty(HIDDEN_BY_LOCK, True)
            widget.hide()
        session.hidden = hidden
        self._watcher.pause()
        self.locked.emit(session)

    def _show_lock_screen(self, session: Session, geometry: QRect) -> None:
        screen = LockScreen(self._services, session.actor, self._runner)
        screen.unlocked.connect(self._lock_screen_unlocked)
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

    @Slot()
    def _lock_screen_unlocked(self) -> None:
        session = self._lock_session
        self._dismiss_lock_screen()
        if session is not None and session in self._sessions:
            self._resume(session)

    def _resume(self, session: Session) -> None:
        session.locked = False
        self._guard_locked_windows()
        for widget in session.hidden:
            if _alive(widget):
                widget.setProperty(HIDDEN_BY_LOCK, None)
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

    # -- the windows of a locked session stay hidden --------------------------------------

    def _guard_locked_windows(self) -> None:
        """Watch for windows being shown while any session is locked (and only then)."""
        wanted = any(session.locked for session in self._sessions)
        app = QApplication.instance()
        if wanted and not self._guarding and app is not None:
            app.installEventFilter(self)
            self._guarding = True
        elif not wanted and self._guarding:
            if app is not None:
                app.removeEventFilter(self)
            self._guarding = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A window of a locked session being shown: see-through while Qt shows it, hidden
        as soon as the showing is done (before anything of it is painted), and kept for its
        user's unlock."""
        kind = event.type()
        if kind not in (QEvent.Type.Show, QEvent.Type.ShowToParent) or event.spontaneous() \
                or not isinstance(watched, QWidget) or not watched.isWindow():
            return False
        session = self.session_of(watched)
        if session is None or not session.locked:
            return False
        see_through = QApplication.platformName() in _SEE_THROUGH_PLATFORMS
        if kind == QEvent.Type.Show:
            if see_through:
                watched.setWindowOpacity(0.0)   # nothing to see even for that moment
            return False
        watched.setProperty(HIDDEN_BY_LOCK, True)
        watched.hide()
        if see_through:
            watched.setWindowOpacity(1.0)
        if watched.windowType() in _TRANSIENT:
            watched.close()
        elif watched not in session.hidden:
            session.hidden.append(watched)
        return False

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
