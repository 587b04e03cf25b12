"""The way in, step by step: [passphrase] -> database open -> [first-run wizard (-> create)
-> encrypt] -> log-in -> sessions.

Every step is a window shown without blocking; the event loop runs throughout. The database
work itself (opening, creating, encrypting) belongs to the composition root, which hands in a
`DatabaseOpener`; its calls run on a worker. Opening never creates a database: where there is
none (NoDatabase) the wizard runs, and its Finish creates it. `ended` says how the start
ended, once.

Only the log-in dialog is imported with this module: the other steps' windows (the main
window above all, with every area it holds) are imported when they are needed, so that the
log-in dialog is up sooner (DESIGN §10).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from iopdesk.domain.errors import NoDatabase, PassphraseRequired, WrongPassphrase
from iopdesk.ui.sign_in import SignIn

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner
    from iopdesk.ui.passphrase_dialog import PassphraseDialog
    from iopdesk.ui.session import SessionManager
    from iopdesk.ui.setup_wizard import SetupWizard


@dataclass(frozen=True)
class Opened:
    services: Services
    needs_setup: bool       # no practice yet: the first-run wizard comes before any log-in
    notices: tuple[str, ...] = ()   # done on the side while opening (files made owner-only)


class DatabaseOpener(Protocol):
    label: str              # what the user is shown of the database
    min_passphrase: int     # the shortest passphrase `encrypt` accepts

    def looks_encrypted(self) -> bool: ...              # cheap, on the GUI thread
    def open(self, passphrase: str | None) -> Opened: ...   # on a worker; NoDatabase if none
    def create(self) -> Opened: ...                         # on a worker: a new database
    def encrypt(self, passphrase: str) -> Opened: ...       # on a worker


class Ending(enum.Enum):
    QUIT = "quit"                       # the user quit (or the last session closed)
    NO_PASSPHRASE = "no passphrase"     # the passphrase dialog was cancelled
    DATABASE = "database"               # the database could not be opened


class _WhenPainted(QObject):
    """Calls `then` once, just after `window` is first painted, or after FALLBACK_MS if it
    is not painted by then (or is gone)."""

    FALLBACK_MS = 500

    def __init__(self, window: QWidget, then: Callable[[], None], parent: QObject):
        super().__init__(parent)
        self._then: Callable[[], None] | None = then
        window.installEventFilter(self)         # Qt takes it away with the window
        QTimer.singleShot(self.FALLBACK_MS, self, self._call)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self._call)    # once the paint is done
        return False

    def _call(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            self.deleteLater()
            then()


def _import_session_windows() -> None:
    for name in ("iopdesk.ui.main_window", "iopdesk.ui.session"):
        import_module(name)


class Startup(QObject):
    ended = Signal(object)      # an Ending

    def __init__(self, database: DatabaseOpener, runner: Runner, *, workstation: str,
                 report_fatal: Callable[[QWidget | None, object], None],
                 idle_ms: int | None = None, passphrase: str | None = None,
                 report_notice: Callable[[QWidget | None, str], None] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._database = database
        self._runner = runner
        self._workstation = workstation
        self._report_fatal = report_fatal
        self._report_notice = report_notice
        self._idle_ms = idle_ms
        self._passphrase = passphrase
        self.ending: Ending | None = None
        self.services: Services | None = None
        self.sign_in: SignIn | None = None
        self.passphrase_dialog: PassphraseDialog | None = None
        self.wizard: SetupWizard | None = None
        self.progress: QProgressDialog | None = None
        self.manager: SessionManager | None = None
        self._session_windows_loading = False

    def begin(self) -> None:
        if self._passphrase is None and self._database.looks_encrypted():
            self._ask_passphrase()
            return
        self._show_log_in()
        # The database opens on a worker while the user types, from the moment the log-in
        # window is drawn: the worker's imports (SQLAlchemy, the models) would otherwise
        # hold the GIL while the window is being shown and delay it.
        _WhenPainted(self.sign_in.dialog, lambda: self._open(self._passphrase), self)

    # -- opening --------------------------------------------------------------------------

    def _open(self, passphrase: str | None) -> None:
        database = self._database
        self._runner.submit(lambda: database.open(passphrase), self._opened,
                            self._open_failed)

    def _opened(self, opened: Opened) -> None:
        self.services = opened.services
        if self.passphrase_dialog is not None:
            self.passphrase_dialog.opened()
            self.passphrase_dialog.deleteLater()
            self.passphrase_dialog = None
        if opened.needs_setup:
            self._drop_log_in()
            self._run_wizard(opened.services)
        elif self.sign_in is None:
            self._show_log_in(opened.services)
        else:
            self.sign_in.set_services(opened.services)
        if opened.notices and self._report_notice is not None:
            parent = self.sign_in.dialog if self.sign_in is not None else self.wizard
            self._report_notice(parent, "\n".join(opened.notices))

    def _open_failed(self, error: object) -> None:
        if isinstance(error, NoDatabase):       # the first run: the wizard creates it
            self._drop_log_in()
            self._run_wizard(None)
            return
        if not isinstance(error, PassphraseRequired | WrongPassphrase):
            self._fatal(error)
            return
        self._drop_log_in()
        if self.passphrase_dialog is None:
            self._ask_passphrase()
        if isinstance(error, WrongPassphrase):
            self.passphrase_dialog.refused(self.tr("The passphrase does not open this "
                                                   "database."))

    def _ask_passphrase(self) -> None:
        from iopdesk.ui.passphrase_dialog import PassphraseDialog

        dialog = PassphraseDialog(self._database.label)
        dialog.submitted.connect(self._open)
        dialog.rejected.connect(lambda: self._end(Ending.NO_PASSPHRASE))
        self.passphrase_dialog = dialog
        dialog.show()

    # -- the first run --------------------------------------------------------------------

    def _run_wizard(self, services: Services | None) -> None:
        """The first-run wizard, over the open database's `services`, or with None when
        there is no database yet: the wizard's Finish creates it."""
        from iopdesk.ui.setup_wizard import SetupWizard

        database = self._database
        wizard = SetupWizard(services, self._runner,
                             min_passphrase=database.min_passphrase,
                             create=lambda: database.create().services)
        wizard.accepted.connect(self._set_up)
        wizard.rejected.connect(lambda: self._end(Ending.QUIT))
        self.wizard = wizard
        wizard.show()

    def _set_up(self) -> None:
        wizard, self.wizard = self.wizard, None
        wizard.deleteLater()
        self.services = wizard.services         # made by the wizard when there were none
        username, passphrase = wizard.admin_username, wizard.passphrase
        if passphrase is None:
            self._show_log_in(self.services, username)
            return
        self.progress = QProgressDialog(self.tr("Encrypting the database…"), "", 0, 0)
        self.progress.setCancelButton(None)
        self.progress.setWindowTitle(self.tr("IOPDesk"))
        self.progress.show()
        database = self._database
        self._runner.submit(lambda: database.encrypt(passphrase),
                            lambda opened: self._encrypted(opened, username), self._fatal)

    def _encrypted(self, opened: Opened, username: str) -> None:
        self._close_progress()
        self.services = opened.services
        self._show_log_in(opened.services, username)

    # -- logging in -----------------------------------------------------------------------

    def _show_log_in(self, services: Services | None = None, username: str = "") -> None:
        sign_in = SignIn(self._runner, services=services, username=username, parent=self)
        sign_in.dialog.checking.connect(self._load_session_windows)
        sign_in.signed_in.connect(self._signed_in)
        sign_in.cancelled.connect(self._log_in_cancelled)
        self.sign_in = sign_in
        sign_in.show()

    def _log_in_cancelled(self) -> None:
        self.sign_in = None                 # it deletes itself: nothing left to take away
        self._end(Ending.QUIT)

    def _drop_log_in(self) -> None:
        if self.sign_in is not None:
            self.sign_in.discard()
            self.sign_in = None

    def _load_session_windows(self) -> None:
        """While the password is checked (on a worker; tenths of a second), import the main
        window and all it holds, once: it is then built as soon as the user is let in."""
        if not self._session_windows_loading:
            self._session_windows_loading = True
            QTimer.singleShot(0, self, _import_session_windows)   # after "Checking…" shows

    def _signed_in(self, actor: Actor) -> None:
        from iopdesk.ui.main_window import MainWindow, SessionInfo
        from iopdesk.ui.session import SessionManager

        services, runner = self.services, self._runner
        info = SessionInfo(practice_name=self.sign_in.practice_name or "",
                           workstation=self._workstation, database=self._database.label)
        self.sign_in = None
        self.manager = SessionManager(
            services, runner, lambda who: MainWindow(services, who, runner, info),
            idle_ms=self._idle_ms, parent=self)
        self.manager.finished.connect(lambda: self._end(Ending.QUIT))
        self.manager.start_session(actor)

    # -- the end --------------------------------------------------------------------------

    def _fatal(self, error: object) -> None:
        self._close_progress()
        parent = self.sign_in.dialog if self.sign_in is not None else self.passphrase_dialog
        self._report_fatal(parent, error)
        self._end(Ending.DATABASE)

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.hide()
            self.progress.deleteLater()
            self.progress = None

    def _end(self, ending: Ending) -> None:
        if self.ending is None:
            self.ending = ending
            self.ended.emit(ending)

    def close(self) -> None:
        """Take every window of this start away (after the event loop ended)."""
        if self.manager is not None:
            self.manager.close_all()
        self._drop_log_in()
        self._close_progress()
        for widget in (self.passphrase_dialog, self.wizard):
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.passphrase_dialog = self.wizard = None
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
