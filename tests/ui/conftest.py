"""UI fixtures: a background runner, the demo practice opened through the services, and
QSettings kept out of the real user's configuration."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QSettings

from support import AUDIT_KEY

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
        from iopdesk.services.demo import DEMO_PASSWORD

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

