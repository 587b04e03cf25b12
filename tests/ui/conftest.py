"""UI fixtures: a background runner, the demo practice opened through the services, and
QSettings kept out of the real user's configuration."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from support import ADMIN_PASSWORD, AUDIT_KEY, STAFF_PASSWORD  # noqa: F401 - re-exported

from iopdesk.db.engine import make_session_factory, sqlite_url
from iopdesk.db.migrate import open_database
from iopdesk.services import Actor, Services, build_services
from iopdesk.ui.main_window import SessionInfo
from iopdesk.ui.operations import Runner


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path, monkeypatch):
    """Window geometry and other QSettings go to the test's own folder."""
    folder = tmp_path / "qsettings"
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder


GIVE_UP_MS = 20_000


@pytest.fixture
def fatal_errors(monkeypatch):
    """The messages run_app would have shown in a (blocking) message box."""
    from iopdesk import app as app_module

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


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "iopdesk-test.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def runner(qtbot):
    runner = Runner()
    yield runner
    runner.wait_for_done(10_000)


@dataclass
class DemoPractice:
    services: Services
    runner: Runner

    def log_in(self, username: str = "frontdesk") -> Actor:
        from iopdesk.demo import DEMO_PASSWORD

        return self.services.staff.log_in(username, DEMO_PASSWORD)


@pytest.fixture
def demo(demo_db, runner) -> DemoPractice:
    """The demo practice's services; the runner's workers finish before the engine goes."""
    engine = open_database(sqlite_url(demo_db))
    services = build_services(make_session_factory(engine), "test-station", audit_key=AUDIT_KEY)
    yield DemoPractice(services=services, runner=runner)
    runner.wait_for_done(10_000)
    engine.dispose()


@pytest.fixture
def session_info() -> SessionInfo:
    return SessionInfo(practice_name="Demo Practice", workstation="test-station",
                       database="/tmp/demo.sqlite3")


@pytest.fixture
def open_window(qtbot, demo, settings, session_info):
    """`open_window(username)`: the demo's main window for that user, shown, with its Today as
    of TODAY (the demo's date). `services` stands in for the demo's (a build without some);
    `active` waits until it is the active window (for its shortcuts), `loaded` until the
    participant list shows its first page; other keywords go to MainWindow (`page_size`)."""
    from support import TODAY

    from iopdesk.ui.main_window import MainWindow

    def open_(username: str = "frontdesk", services: Services | None = None, *,
              active: bool = False, loaded: bool = False, **options):
        actor = demo.log_in(username)
        options.setdefault("today", lambda: TODAY)
        window = MainWindow(services or demo.services, actor, demo.runner, session_info,
                            settings=settings, **options)
        qtbot.addWidget(window)
        window.show()
        if active:
            window.activateWindow()
            qtbot.waitUntil(window.isActiveWindow, timeout=GIVE_UP_MS)
        if loaded:
            model = window.participant_model
            qtbot.waitUntil(lambda: not model.loading and model.rowCount() > 0,
                            timeout=GIVE_UP_MS)
        return window
    return open_



# -- a real (non-demo) practice set up through the services ------------------------------------



@dataclass
class SetUpPractice:
    """A practice made by the first-run service, with an administrator logged in as `admin`."""

    services: Services
    runner: Runner
    admin: Actor

    def add_user(self, username: str, *roles, password: str = STAFF_PASSWORD,
                 temporary: bool = False) -> Actor:
        """A user with `roles`; logged in once and given `password` unless `temporary`
        (then `password` is the temporary one, to be changed at the first log-in)."""
        from iopdesk.domain.accounts import NewUserInput

        temp = password if temporary else "temporary-pass-9"
        self.services.users.add_user(
            self.admin, NewUserInput(username=username, display_name=username.title(),
                                     roles=frozenset(roles)), temp)
        actor = self.services.staff.log_in(username, temp)
        if temporary:
            return actor
        return self.services.users.change_own_password(actor, temp, password)


@pytest.fixture
def practice(services, runner) -> SetUpPractice:
    from iopdesk.domain.accounts import NewUserInput, PracticeInput
    from iopdesk.domain.enums import Role

    admin = services.setup.initialize(
        PracticeInput(name="Riverside IOP", city="Portland", state="OR"),
        NewUserInput(username="admin", display_name="Ada Admin", roles=frozenset({Role.ADMIN})),
        ADMIN_PASSWORD)
    return SetUpPractice(services=services, runner=runner, admin=admin)


@pytest.fixture
def practice_info() -> SessionInfo:
    return SessionInfo(practice_name="Riverside IOP", workstation="test-station",
                       database="/tmp/riverside.sqlite3")
