"""The way in, step by step: [passphrase] -> database open -> [first-run wizard (-> create)
-> encrypt] -> log-in -> sessions.

Every step is a window shown without blocking; the event loop runs throughout. The database
work itself (opening, creating, encrypting) belongs to the composition root, which hands in a
`DatabaseOpener`; its calls run on a worker. Opening never creates a database: where there is
none (NoDatabase) the wizard runs, and its Finish creates it. `ended` says how the start
ended, once.

Backups belong to the way in and out: the day's backup is made on a worker once the database
is open (and checked hourly while IOPDesk runs, for a workstation never closed), the end of
the last session backs up before the application quits (progress shown; a failure told in one
line, never holding the quit), a restore asked for in Admin ▸ Backups runs once every session
has ended and is followed by the log-in window, and a database file found damaged at opening
(SQLite's quick_check) is offered its newest good backup (ui.damaged_dialog).

Only the log-in dialog is imported with this module: the other steps' windows (the main
window above all, with every area it holds) are imported when they are needed, so that the
log-in dialog is up sooner (DESIGN §10).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from iopdesk.domain.errors import NoDatabase, PassphraseRequired, WrongPassphrase
from iopdesk.ui.errors import describe_error, show_error
from iopdesk.ui.sign_in import SignIn

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.services.backups import DatabaseDamaged, Restored
    from iopdesk.ui.damaged_dialog import DamagedDialog
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
    def open(self, passphrase: str | None) -> Opened: ...   # on a worker; NoDatabase if none,
    #                                                         DatabaseDamaged if it is damaged
    def create(self) -> Opened: ...                         # on a worker: a new database
    def encrypt(self, passphrase: str) -> Opened: ...       # on a worker
    def recover(self, backup: Path, passphrase: str | None) -> Opened: ...  # on a worker:
    #                                      the damaged file set aside, `backup` restored, opened


DAILY_CHECK_MS = 60 * 60_000       # while IOPDesk runs, whether the day's backup is due
QUIT_NOTICE_MS = 60_000             # a failed quit backup's message ends the quit by itself


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
        self.damaged_dialog: DamagedDialog | None = None
        self.backup_problem: QMessageBox | None = None     # the quit's backup failed
        self._session_windows_loading = False
        self._daily = QTimer(self)          # while IOPDesk runs: a backup each new day
        self._daily.setInterval(DAILY_CHECK_MS)
        self._daily.timeout.connect(self._daily_backup)

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
        self._passphrase = passphrase           # kept for a restore's reopening
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
        if not opened.needs_setup:
            self._daily_backup()
            self._daily.start()

    def _open_failed(self, error: object) -> None:
        from iopdesk.services.backups import DatabaseDamaged     # imported by the opening

        if isinstance(error, DatabaseDamaged):
            self._drop_log_in()
            self._offer_backup(error)
            return
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
        self._show_progress(self.tr("Encrypting the database…"))
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
        self.manager.finished.connect(self._sessions_ended)
        self.manager.restore_ready.connect(self._restore)
        self.manager.start_session(actor)

    # -- backups (automatic; a restore from the Backups window; a damaged file) -----------

    def _daily_backup(self) -> None:
        """The day's backup, unless one was made today; quietly, on a worker."""
        services = self.services
        if services is not None and services.backups.runs_automatically:
            self._runner.submit(lambda: services.backups.automatic(daily=True), None,
                                self._daily_backup_failed, owner=self)

    def _daily_backup_failed(self, error: object) -> None:
        show_error(None, self.tr("Automatic backup"), self.tr(
            "The day's backup failed: {error}").format(error=describe_error(error)))

    def _sessions_ended(self) -> None:
        """The last session ended: the automatic backup (progress shown; a failure told in
        one line; "Quit without waiting" ends it), then the end."""
        services = self.services
        self._daily.stop()
        if services is None or not services.backups.runs_automatically:
            self._end(Ending.QUIT)
            return
        self._show_progress(self.tr("Backing up the database before IOPDesk closes…"),
                            cancel=self.tr("Quit without waiting"))
        self.progress.canceled.connect(lambda: self._end(Ending.QUIT))
        self._runner.submit(lambda: services.backups.automatic(),
                            lambda _info: self._backed_up_at_quit(None),
                            self._backed_up_at_quit, owner=self)

    def _backed_up_at_quit(self, error: object | None) -> None:
        self._close_progress()
        if error is None or self.ending is not None:
            self._end(Ending.QUIT)
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("IOPDesk"), self.tr(
            "The automatic backup failed: {error}\nIOPDesk closes anyway; back up when this "
            "is put right (Admin ▸ Backups, or `iopdesk db backup`).").format(
                error=describe_error(error)), QMessageBox.StandardButton.Ok)
        box.setObjectName("backupFailed")
        box.finished.connect(lambda _result: self._end(Ending.QUIT))
        QTimer.singleShot(QUIT_NOTICE_MS, self, lambda: self._end(Ending.QUIT))
        self.backup_problem = box
        box.show()

    def _restore(self, actor: Actor, backup: Path) -> None:
        """Every session ended for a restore: restore (the service checks who may), then
        open the database again and show the log-in window."""
        services, manager, self.manager = self.services, self.manager, None
        if manager is not None:
            manager.deleteLater()
        self._daily.stop()
        self._show_progress(self.tr("Restoring {name}…").format(name=Path(backup).name))
        self._runner.submit(lambda: services.backups.restore(actor, backup),
                            self._restored, self._restore_failed, owner=self)

    def _restored(self, restored: Restored) -> None:
        told = self.tr("Restored the backup {backup}; the database it replaced is kept "
                       "among the backups in {folder}.").format(
            backup=restored.info.path.name, folder=restored.info.path.parent)
        self._reopen("\n".join([told, *([restored.note] if restored.note else [])]))

    def _restore_failed(self, error: object) -> None:
        self._reopen(self.tr("The backup was not restored: {error}").format(
            error=describe_error(error)))

    def _reopen(self, message: str) -> None:
        database, passphrase = self._database, self._passphrase
        self._runner.submit(lambda: database.open(passphrase),
                            lambda opened: self._reopened(opened, message), self._fatal,
                            owner=self)

    def _reopened(self, opened: Opened, message: str) -> None:
        self._close_progress()
        self._opened(replace(opened, notices=(*opened.notices, message)))

    def _offer_backup(self, damaged: DatabaseDamaged) -> None:
        from iopdesk.ui.damaged_dialog import DamagedDialog

        dialog = DamagedDialog(damaged, self._database.label)
        dialog.accepted.connect(lambda: self._recover(damaged))
        dialog.rejected.connect(lambda: self._end(Ending.QUIT if damaged.backup is not None
                                                  else Ending.DATABASE))
        self.damaged_dialog = dialog
        dialog.show()

    def _recover(self, damaged: DatabaseDamaged) -> None:
        dialog, self.damaged_dialog = self.damaged_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self._show_progress(self.tr("Restoring the newest good backup…"))
        database, passphrase, backup = self._database, self._passphrase, damaged.backup.path
        self._runner.submit(lambda: database.recover(backup, passphrase), self._recovered,
                            self._fatal, owner=self)

    def _recovered(self, opened: Opened) -> None:
        self._close_progress()
        self._opened(opened)

    def _show_progress(self, text: str, cancel: str | None = None) -> None:
        self._close_progress()
        self.progress = QProgressDialog(text, cancel or "", 0, 0)
        if cancel is None:
            self.progress.setCancelButton(None)
        self.progress.setWindowTitle(self.tr("IOPDesk"))
        self.progress.setMinimumDuration(0)
        self.progress.show()

    # -- the end --------------------------------------------------------------------------

    def _fatal(self, error: object) -> None:
        self._close_progress()
        self._daily.stop()
        parent = self.sign_in.dialog if self.sign_in is not None else self.passphrase_dialog
        self._report_fatal(parent, error)
        self._end(Ending.DATABASE)

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.blockSignals(True)        # hiding it is no "Quit without waiting"
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
        self._daily.stop()
        for widget in (self.passphrase_dialog, self.wizard, self.damaged_dialog,
                       self.backup_problem):
            if widget is not None and shiboken6.isValid(widget):
                widget.hide()
                widget.deleteLater()
        self.passphrase_dialog = self.wizard = self.damaged_dialog = self.backup_problem = None
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
