"""The composition root of the GUI: config -> (log-in dialog | database opening) -> sessions.

The log-in dialog is on screen before the heavy parts (SQLAlchemy's ORM, the models, the
services, Alembic when an upgrade is due) are even imported: they are imported and the
database is opened on a worker while the user types (DESIGN §10). An encrypted database asks
for its passphrase first. Where there is no database yet the first-run wizard runs before
anyone logs in, and the database is created (owner-only) only when the wizard is finished
(then encrypted if asked); opening never creates one. After log-in,
`ui.session.SessionManager` holds one session per logged-in user and the automatic lock.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from iopdesk.config import Config
from iopdesk.domain.errors import IOPDeskError
from iopdesk.ui.operations import Runner, install_collector
from iopdesk.ui.startup import Ending, Opened, Startup

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from sqlalchemy import Engine

    from iopdesk.services import Actor, Services
    from iopdesk.services.backups import BackupPlace
    from iopdesk.ui.main_window import MainWindow, SessionInfo

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_DATABASE = 2
EXIT_NO_DISPLAY = 3
EXIT_NO_PASSPHRASE = 4
EXIT_CODES = {Ending.QUIT: EXIT_OK, Ending.DATABASE: EXIT_DATABASE,
              Ending.NO_PASSPHRASE: EXIT_NO_PASSPHRASE}
ORGANIZATION = "IOPDesk"
APPLICATION = "IOPDesk"
SQLITE_HEADER = b"SQLite format 3\x00"      # the first bytes of every plain SQLite file

# What Qt's xcb platform plugin loads, and the Debian/Ubuntu package that provides each.
X_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}
X_PACKAGES_HINT = ("IOPDesk needs these X libraries to open a window on Linux. On Debian or "
                   "Ubuntu install them with:\n    sudo apt install "
                   + " ".join(X_LIBRARIES.values())
                   + "\n(To run without a screen, set QT_QPA_PLATFORM=offscreen.)")


# -- the display (DESIGN §9) -------------------------------------------------------------

def _will_use_xcb(env: Mapping[str, str], argv: Sequence[str]) -> bool:
    if "-platform" in argv:
        return False  # the user chose; Qt explains its own choice
    chosen = env.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    return not (env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE") == "wayland")


def _loads(name: str) -> bool:
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def display_problem(env: Mapping[str, str] | None = None, platform: str | None = None,
                    argv: Sequence[str] = (), loads: Callable[[str], bool] = _loads) -> str | None:
    """Why Qt could not open a window here, checked before Qt tries (and aborts), or None."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux") or not _will_use_xcb(env, argv):
        return None
    if not env.get("DISPLAY"):
        return ("IOPDesk cannot open a window: there is no display (DISPLAY is not set). "
                "Start it from a desktop session, or set QT_QPA_PLATFORM=offscreen to run "
                "without a screen.")
    missing = [package for library, package in X_LIBRARIES.items() if not loads(library)]
    if not missing:
        return None
    return (f"IOPDesk cannot open a window: Qt's xcb platform needs X libraries that are not "
            f"installed here (missing: {', '.join(missing)}).\n" + X_PACKAGES_HINT)


def _create_application(argv: list[str]) -> QApplication:
    """QApplication, with Qt's fatal "no platform plugin" turned into an explanation."""
    held: list[str] = []

    def handler(mode: QtMsgType, _context, message: str) -> None:
        if mode == QtMsgType.QtFatalMsg:
            print("\n".join([*held, message, "", X_PACKAGES_HINT]), file=sys.stderr, flush=True)
            os._exit(EXIT_NO_DISPLAY)  # Qt would abort() next, with a core dump
        held.append(message)

    previous = qInstallMessageHandler(handler)
    try:
        app = QApplication(argv)
    finally:
        qInstallMessageHandler(previous)
    for message in held:
        print(message, file=sys.stderr)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    return app


# -- the database ------------------------------------------------------------------------

def database_label(url: str) -> str:
    """What the user is shown of the database: an SQLite file's path, else the URL with
    no password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return parsed.database
    return parsed._replace(password=None).render_as_string(hide_password=False)


def database_error_message(error: object) -> str:
    if isinstance(error, IOPDeskError):
        return str(error)
    log.debug("opening the database failed", exc_info=error)
    return QCoreApplication.translate("app", "The database could not be opened: {error}").format(
        error=str(error) or type(error).__name__)


class _Database:
    """The engine opened on a worker, kept here so that it is disposed however we leave."""

    def __init__(self, config: Config):
        self.config = config
        self.engine: Engine | None = None
        self.label = str(config.database_path or "")     # the full label once opened

    @property
    def min_passphrase(self) -> int:
        """What encrypt_database accepts (asked by the first-run wizard only)."""
        from iopdesk.db.crypto import MIN_NEW_PASSPHRASE

        return MIN_NEW_PASSPHRASE

    def looks_encrypted(self) -> bool:
        """Whether to ask for the passphrase first: the test of `db.crypto.is_encrypted` (a
        non-empty file without SQLite's header), made here so that neither it nor sqlite3
        is imported on the GUI thread before the first window; the worker's opening tells
        for sure (PassphraseRequired)."""
        path = self.config.database_path
        if path is None:
            return False
        try:
            with path.open("rb") as handle:
                head = handle.read(len(SQLITE_HEADER))
        except OSError:          # missing, a folder, unreadable
            return False
        return bool(head) and head != SQLITE_HEADER

    def open(self, passphrase: str | None = None, *, create: bool = False
             ) -> Opened:  # on a worker
        """The database, or NoDatabase when there is none yet (nothing is created unless
        `create`: the first-run wizard's Finish)."""
        from iopdesk.db.backup import backup_database
        from iopdesk.db.engine import make_session_factory
        from iopdesk.db.migrate import open_database
        from iopdesk.services import build_services_keyed
        from iopdesk.services.backups import DatabaseDamaged, newest_good, quick_check
        from iopdesk.services.icd10 import CodeTable

        config = self.config
        self.label = database_label(config.database_url)
        self.close()
        place = self.backup_place(passphrase)
        problem = quick_check(place)        # a damaged file: the way back is a backup
        if problem is not None:
            raise DatabaseDamaged(config.database_path, problem, newest_good(place),
                                  place.backup_dir)
        notices: list[str] = []
        self.engine = open_database(
            config.database_url, passphrase=passphrase, create=create, notify=notices.append,
            backup=lambda: backup_database(config.database_url, config.backup_dir,
                                           keep=config.backups_kept, passphrase=passphrase))
        # The ICD-10-CM table is built (in a child process) at the first code search.
        services = build_services_keyed(make_session_factory(self.engine), config.workstation,
                                        key_path=config.audit_key_path,
                                        icd10=CodeTable(config.icd10_path), backups=place)
        return Opened(services, services.setup.needs_setup(), tuple(notices))

    def backup_place(self, passphrase: str | None = None) -> BackupPlace:
        from iopdesk.services.backups import BackupPlace

        config = self.config
        return BackupPlace(config.database_url, config.backup_dir, keep=config.backups_kept,
                           automatic=config.automatic_backups,
                           audit_key_path=config.audit_key_path,
                           workstation=config.workstation, passphrase=passphrase)

    def recover(self, backup: Path, passphrase: str | None = None) -> Opened:  # on a worker
        """Set the damaged database aside, restore `backup` in its place, and open it."""
        from iopdesk.services.backups import recover_damaged

        self.close()
        restored = recover_damaged(self.backup_place(passphrase), backup)
        opened = self.open(passphrase)
        told = QCoreApplication.translate(
            "app", "The damaged database was moved to {aside}; the backup {backup} was "
                   "restored in its place.").format(aside=restored.set_aside,
                                                    backup=restored.info.path)
        return replace(opened, notices=(*opened.notices, told,
                                        *([restored.note] if restored.note else [])))

    def create(self) -> Opened:  # on a worker
        """A new database (owner-only, in owner-only folders made for it): the first-run
        wizard's, made only when its Finish is pressed."""
        return self.open(create=True)

    def encrypt(self, passphrase: str) -> Opened:  # on a worker
        """Encrypt the (just set up) database in place, then open it with `passphrase`."""
        from iopdesk.db.encryption import encrypt_database

        self.close()
        encrypt_database(self.config.database_url, passphrase, self.config.backup_dir)
        return self.open(passphrase)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None


# -- windows -----------------------------------------------------------------------------

def build_main_window(services: Services, actor: Actor, runner: Runner, info: SessionInfo, *,
                      settings: QSettings | None = None, page_size: int | None = None
                      ) -> MainWindow:
    """The main window for a logged-in `actor` (tests build it here, without logging in)."""
    from iopdesk.ui.main_window import MainWindow

    extra = {} if page_size is None else {"page_size": page_size}
    return MainWindow(services, actor, runner, info, settings=settings, **extra)


def show_fatal_error(parent: QWidget | None, title: str, message: str) -> None:
    """Tell the user why IOPDesk has to stop (blocking: nothing else happens after it)."""
    QMessageBox.critical(parent, title, message)


def show_notice(parent: QWidget | None, title: str, message: str) -> None:
    """Tell the user, once, of something done on the side (the database's files made
    owner-only); it does not block, and goes away with `parent`."""
    box = QMessageBox(QMessageBox.Icon.Information, title, message,
                      QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.show()


def _report_notice(parent: QWidget | None, message: str) -> None:
    show_notice(parent, QCoreApplication.translate("app", "IOPDesk"), message)


def _report_fatal(database: _Database, config: Config
                  ) -> Callable[[QWidget | None, object], None]:
    """How the start tells why it has to stop (through show_fatal_error, patched in tests)."""
    def report(parent: QWidget | None, error: object) -> None:
        label = database.label or database_label(config.database_url)
        show_fatal_error(parent, QCoreApplication.translate("app", "IOPDesk"),
                         QCoreApplication.translate(
                             "app", "IOPDesk cannot open the database {label}.\n\n{reason}"
                         ).format(label=label, reason=database_error_message(error)))
    return report


def run_app(config: Config, argv: list[str] | None = None, *, idle_ms: int | None = None,
            passphrase: str | None = None) -> int:
    """Start the GUI: the log-in dialog at once (the database opens meanwhile), or the
    passphrase dialog for an encrypted database, or the first-run wizard for a new one; then
    a session per logged-in user until File ▸ Quit ends them all (or the last one closes).

    Returns the process exit code: 0 after a normal quit, EXIT_DATABASE when the database
    cannot be opened, EXIT_NO_PASSPHRASE when its passphrase was not given, EXIT_NO_DISPLAY
    when no window can be shown. `idle_ms` overrides the practice's idle-lock setting (tests).
    """
    argv = list(sys.argv[:1] if argv is None else argv) or ["iopdesk"]
    problem = display_problem(argv=argv)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_NO_DISPLAY
    app = QApplication.instance() or _create_application(argv)
    quit_on_last = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)        # the sessions decide when it is over
    install_collector(app)                      # garbage collection on the GUI thread only
    runner = Runner()
    database = _Database(config)
    startup = Startup(database, runner, workstation=config.workstation,
                      report_fatal=_report_fatal(database, config), idle_ms=idle_ms,
                      passphrase=passphrase, report_notice=_report_notice)
    startup.ended.connect(lambda ending: QApplication.exit(EXIT_CODES[ending]))
    startup.begin()
    try:
        code = app.exec()
        return EXIT_CODES[startup.ending] if startup.ending is not None else code
    finally:
        startup.close()
        runner.wait_for_done()
        database.close()
        startup.deleteLater()
        app.setQuitOnLastWindowClosed(quit_on_last)
