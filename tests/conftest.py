"""Shared fixtures: a migrated template database copied per test, actors of every role,
and a small demo practice built once per run — on SQLite and on PostgreSQL.

Every test of the services, db and CLI suites that asks for `backend` (through `engine`,
`services`, `actors`, `database_url`, `demo` …) runs twice, `test_x[sqlite]` and
`test_x[postgresql]`: a feature counts as done only when it works on both. A test is about SQLite files, and runs on SQLite only, when it
asks for one of SQLITE_FILE_FIXTURES (`db_path`, `demo_db` …, directly or through fixtures of
its own) or carries `@pytest.mark.sqlite_only(reason)`. The PostgreSQL half is never skipped
quietly: without a server it fails in CI (see `pg_server`). Each PostgreSQL test gets a
database of its own from a pool of template copies reset between tests (tests/pg_pool.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from iopdesk.db.engine import make_session_factory, sqlite_url  # noqa: E402
from iopdesk.db.migrate import open_database  # noqa: E402
from iopdesk.db.models import ProgramTrack, StaffRole, StaffUser  # noqa: E402
from iopdesk.domain.enums import AgeGroup, LevelOfCare, Role, TrackFocus  # noqa: E402
from iopdesk.services import Actor, build_services  # noqa: E402
from iopdesk.services.context import ServiceContext  # noqa: E402

from support import AUDIT_KEY, DEMO_SEED, STAFF_PASSWORD, TODAY  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """No test reads or writes the real user's data directory or database."""
    monkeypatch.setenv("IOPDESK_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("IOPDESK_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    monkeypatch.delenv("IOPDESK_DATABASE_URL", raising=False)
    monkeypatch.setenv("IOPDESK_WORKSTATION", "test-station")


@pytest.fixture
def fast_hashing(monkeypatch):
    """Argon2 with small parameters, for tests whose rules do not depend on its cost. Asked
    for, not automatic: a log-in rehashes a stored hash made with other parameters (the
    demo's, say). A module asks with `pytestmark = pytest.mark.usefixtures("fast_hashing")`."""
    from argon2 import PasswordHasher

    from iopdesk.services import accounts

    monkeypatch.setattr(accounts, "_hasher",
                        lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = open_database(sqlite_url(path), create=True)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def db_path(template_db, tmp_path) -> Path:
    """A fresh, migrated, empty database file for one test."""
    path = tmp_path / "iopdesk.sqlite3"
    shutil.copyfile(template_db, path)
    return path


BACKENDS = ("sqlite", "postgresql")
# The suites that run on both engines; the others (the UI's, the reports', the fault
# injection's) keep to SQLite: what they test sits above the database.
BOTH_ENGINES_SUITES = frozenset({"services", "db", "cli"})
# Fixtures that hand a test an SQLite file (or its path): a test asking for one is about files.
SQLITE_FILE_FIXTURES = frozenset({"db_path", "template_db", "demo_db", "demo_template"})


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only(reason): the test is about SQLite files "
                                       "(paths, PRAGMAs, file modes): it runs on SQLite only")
    config.addinivalue_line("markers", "postgresql_only(reason): the test is about what only a "
                                       "database server allows (concurrent writers): it runs "
                                       "on PostgreSQL only")


def sqlite_only_reason(metafunc) -> str | None:
    """Why the test of `metafunc` runs on SQLite only, or None when it runs on both."""
    marker = metafunc.definition.get_closest_marker("sqlite_only")
    if marker is not None:
        return marker.kwargs.get("reason") or (marker.args[0] if marker.args else "marked")
    files = SQLITE_FILE_FIXTURES.intersection(metafunc.fixturenames)
    return f"uses the SQLite file fixture {sorted(files)[0]}" if files else None


def pytest_generate_tests(metafunc):
    """`backend` takes both engines, or SQLite alone for a test about SQLite files; outside
    BOTH_ENGINES_SUITES it is not parametrized at all (SQLite, ids unchanged)."""
    suite = Path(str(metafunc.definition.path)).parent.name
    if "backend" in metafunc.fixturenames and suite in BOTH_ENGINES_SUITES:
        engines = (["sqlite"] if sqlite_only_reason(metafunc) else ["postgresql"]
                   if metafunc.definition.get_closest_marker("postgresql_only")
                   else list(BACKENDS))
        metafunc.parametrize("backend", engines, indirect=True)


@pytest.fixture
def backend(request) -> str:
    """The database engine of this test: "sqlite" or "postgresql" (see pytest_generate_tests)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_pools(pg_server) -> dict:
    """Template name -> the pool of its copies (tests/pg_pool.py), one per template."""
    pools: dict = {}
    yield pools
    for pool in pools.values():
        pool.close()


def pg_copy(request, template_fixture: str) -> str:
    """The URL of a database on the test server holding what the template of
    `template_fixture` holds, for this test alone (put back as it was after it)."""
    from pg_pool import DatabasePool

    server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue(template_fixture)
    pool = request.getfixturevalue("pg_pools").setdefault(template,
                                                          DatabasePool(server, template))
    name = pool.acquire()
    request.addfinalizer(lambda: pool.release(name))
    return server.url(name)


@pytest.fixture(scope="session")
def pg_template(pg_server) -> str:
    """A migrated, empty database on the test server that each test's database copies."""
    from iopdesk.db.migrate import run_migrations

    name = "template_empty"
    run_migrations(pg_server.create_database(name))
    return name


@pytest.fixture(scope="session")
def pg_demo_template(pg_server) -> str:
    """The small demo practice on the test server (seed DEMO_SEED, as of TODAY), built once."""
    from iopdesk.demo import build_demo

    name = "template_demo"
    engine = open_database(pg_server.create_database(name), create=True)
    try:
        build_demo(engine, seed=DEMO_SEED, size="small", as_of=TODAY)
    finally:
        engine.dispose()
    return name


@pytest.fixture
def database_url(backend, request) -> str:
    """The URL of a fresh, migrated, empty database of this test's `backend`."""
    if backend == "sqlite":
        return sqlite_url(request.getfixturevalue("db_path"))
    return pg_copy(request, "pg_template")


@pytest.fixture
def demo_url(backend, request) -> str:
    """The URL of a private copy of the small demo practice on this test's `backend`."""
    if backend == "sqlite":
        return sqlite_url(request.getfixturevalue("demo_db"))
    return pg_copy(request, "pg_demo_template")


@pytest.fixture
def database(backend, request) -> Path | str:
    """What `--database` names for a command test: a fresh, migrated, empty database — its
    SQLite file, or its PostgreSQL URL."""
    if backend == "sqlite":
        return request.getfixturevalue("db_path")
    return request.getfixturevalue("database_url")


@pytest.fixture
def demo_database(backend, request) -> Path | str:
    """What `--database` names for a command test on the demo practice: a private copy — its
    SQLite file, or its PostgreSQL URL."""
    if backend == "sqlite":
        return request.getfixturevalue("demo_db")
    return request.getfixturevalue("demo_url")


@pytest.fixture
def new_database(backend, request, tmp_path) -> Path | str:
    """Where `iopdesk init` or `iopdesk demo` makes a practice: a new SQLite file, or a
    database the server's owner made and `iopdesk db upgrade` brought to the schema (empty)."""
    if backend == "sqlite":
        return tmp_path / "practice.sqlite3"
    return request.getfixturevalue("database_url")


@pytest.fixture
def engine(database_url):
    engine = open_database(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine):
    return make_session_factory(engine)


@pytest.fixture
def services(session_factory):
    return build_services(session_factory, "test-station", audit_key=AUDIT_KEY,
                          today=lambda: TODAY)


@pytest.fixture
def track_id(session_factory) -> int:
    from iopdesk.db.models import Practice

    with session_factory.begin() as s:
        practice = Practice(name="Test Practice")
        s.add(practice)
        s.flush()
        track = ProgramTrack(practice_id=practice.id, name="Adult SUD IOP",
                             level_of_care=LevelOfCare.IOP, age_group=AgeGroup.ADULT,
                             focus=TrackFocus.SUBSTANCE_USE, min_minutes_per_week=540)
        s.add(track)
        s.flush()
        return track.id


@pytest.fixture
def issuer(services) -> ServiceContext:
    """What issues the actors of `services` at log-in: tests get actors of any role from it
    without an argon2 log-in (the one place tests reach inside the services)."""
    return services.staff._ctx


def cheap_hash(password: str) -> str:
    """An argon2 hash of `password` with small parameters (checked in a millisecond)."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(password)


def make_actor(issuer: ServiceContext, session_factory, username: str, *roles: Role) -> Actor:
    """A staff user stored in the database, and the Actor a log-in would give; their
    password (asked again when they sign) is STAFF_PASSWORD."""
    with session_factory.begin() as s:
        user = StaffUser(username=username, display_name=username.title(),
                         password_hash=cheap_hash(STAFF_PASSWORD))
        user.roles = [StaffRole(role=r) for r in roles]
        s.add(user)
        s.flush()
        user_id, display_name = user.id, user.display_name
    return issuer.issue_actor(user_id=user_id, username=username, display_name=display_name,
                              roles=frozenset(roles))


@pytest.fixture
def actors(issuer, session_factory) -> dict[str, Actor]:
    return {
        "front_desk": make_actor(issuer, session_factory, "frontdesk", Role.FRONT_DESK),
        "clinician": make_actor(issuer, session_factory, "clinician", Role.CLINICIAN),
        "supervisor": make_actor(issuer, session_factory, "supervisor", Role.CLINICIAN,
                                 Role.SUPERVISOR),
        "admin": make_actor(issuer, session_factory, "admin", Role.ADMIN),
    }


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The small demo practice, built once per run (seed DEMO_SEED, as of TODAY)."""
    from iopdesk.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    engine = open_database(sqlite_url(path), create=True)
    build_demo(engine, seed=DEMO_SEED, size="small", as_of=TODAY)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def demo_db(demo_template, tmp_path) -> Path:
    """A private copy of the demo database for one test."""
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture(scope="session")
def icd10_table(tmp_path_factory):
    """The real ICD-10-CM code table, built once per run from simple-icd-10-cm (seconds)."""
    from iopdesk.services.icd10 import CodeTable, build_code_table

    path = tmp_path_factory.mktemp("icd10") / "icd10cm.sqlite3"
    build_code_table(path)
    table = CodeTable(path)
    yield table
    table.close()


@pytest.fixture
def workstation_in_tokyo():
    """This computer's zone is Tokyo for the test (TZ and tzset), then what it was: what the
    app shows must be in the practice's zone instead."""
    import time
    from datetime import UTC, datetime

    from iopdesk.domain.time import workstation_zone

    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset (POSIX)")
    workstation_zone()          # the zone a new practice starts with: read before the change
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "Asia/Tokyo")
        time.tzset()
        assert datetime(2026, 11, 17, 0, 30, tzinfo=UTC).astimezone().hour == 9   # Tokyo
        yield
    time.tzset()


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server of this test run (tests/pg_server.py), started on first use and
    stopped at the end. Without one, a PostgreSQL test fails in CI (CI=true) and is skipped,
    with the reason, elsewhere."""
    from pg_server import PgUnavailable, start_server

    try:
        server = start_server()
    except PgUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL could not be started: {exc}")
        pytest.skip(f"PostgreSQL could not be started: {exc}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server, request) -> str:
    """The URL of a new, empty PostgreSQL database for one test (dropped after it)."""
    import re

    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    pg_server.drop_database(name)
    url = pg_server.create_database(name)
    yield url
    pg_server.drop_database(name)
