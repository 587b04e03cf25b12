"""The audit trail is append-only by privilege on PostgreSQL: the schema's owner runs `iopdesk
db upgrade` and `iopdesk db grant ROLE`; the workstations' role does the practice's work,
appends to the trail, and may neither change, delete nor truncate it, nor change the schema.

The roles are the server's (cluster-wide): each test makes its own, with names of its own,
and drops them (and its database) at the end.
"""

from __future__ import annotations

import uuid
from datetime import date

import psycopg
import pytest
from cli_support import run
from sqlalchemy.engine import make_url

from iopdesk.cli import acting_user
from iopdesk.db.engine import make_engine, make_session_factory
from iopdesk.db.migrate import run_migrations
from iopdesk.domain.errors import DatabaseBehind
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services_keyed
from iopdesk.db.migrate import open_database

PASSWORD = "admin-password-1"
INIT = ("init", "--practice-name", "Riverside IOP", "--admin-username", "alex",
        "--admin-name", "Alex Admin")
INSUFFICIENT_PRIVILEGE = "42501"


@pytest.fixture(autouse=True)
def as_a_script(fast_hashing, monkeypatch):
    monkeypatch.setattr(acting_user, "interactive", lambda: False)
    monkeypatch.setenv("IOPDESK_PASSWORD", PASSWORD)


class Server:
    """The test database, its owner role and the workstations' role, and URLs for each."""

    def __init__(self, pg_server, pg_url: str):
        self.server = pg_server
        self.database = make_url(pg_url).database
        suffix = uuid.uuid4().hex[:10]
        self.owner, self.app = f"iop_owner_{suffix}", f"iop_app_{suffix}"

    def url(self, role: str) -> str:
        return f"postgresql+psycopg://{role}@/{self.database}?host={self.server.socket_dir}"

    def as_postgres(self, *statements: str, database: str = "postgres") -> None:
        with psycopg.connect(host=str(self.server.socket_dir), user="postgres",
                             dbname=database, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def as_role(self, role: str, statement: str) -> None:
        """Run one statement as `role` (the error it raises, if any, passes through)."""
        with psycopg.connect(host=str(self.server.socket_dir), user=role,
                             dbname=self.database) as conn:
            conn.execute(statement)
            conn.rollback()


@pytest.fixture
def server(pg_server, pg_url):
    here = Server(pg_server, pg_url)
    here.as_postgres(f"CREATE ROLE {here.owner} LOGIN", f"CREATE ROLE {here.app} LOGIN",
                     f'ALTER DATABASE "{here.database}" OWNER TO {here.owner}')
    yield here
    pg_server.drop_database(here.database)
    here.as_postgres(f"DROP ROLE IF EXISTS {here.app}", f"DROP ROLE IF EXISTS {here.owner}")


@pytest.fixture
def practice(server, capsys):
    """The practice made by the owner (`iopdesk init`), its workstations' role granted."""
    code, _, err = run(capsys, *INIT, "--database", server.url(server.owner))
    assert code == 0, err
    code, out, err = run(capsys, "db", "grant", server.app, "--database", server.url(server.owner))
    assert code == 0, err
    assert f"Granted {server.app} what a workstation needs" in out
    assert "sets the same privileges each time" in out and "db upgrade" in out
    return server


def work_as(url: str, key_path):
    """A workstation's services over `url` (the practice's key: the one `init` made)."""
    engine = make_engine(url)
    return engine, build_services_keyed(make_session_factory(engine), "desk-2",
                                        key_path=key_path)


def test_the_workstations_role_does_the_practices_work(practice, tmp_path):
    from iopdesk.config import load_config

    engine, services = work_as(practice.url(practice.app), load_config().audit_key_path)
    try:
        admin = services.staff.log_in("alex", PASSWORD)
        person = services.participants.register(admin, ParticipantInput(
            first_name="Ama", last_name="Owusu", date_of_birth=date(1990, 4, 4)))
        assert person.id > 0
        report = services.audit.verify(admin)
        assert report.problem is None and report.checked >= 3
    finally:
        engine.dispose()


REFUSED = (
    "UPDATE audit_events SET action = 'nothing'", "DELETE FROM audit_events",
    "TRUNCATE audit_events", "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update",
    "DROP TABLE audit_events", "DELETE FROM audit_chain_head", "TRUNCATE audit_chain_head",
    "UPDATE audit_chain_head SET chain_id = 'another'",
    "ALTER TABLE audit_chain_head DISABLE TRIGGER audit_chain_head_no_rewind",
    "UPDATE alembic_version SET version_num = '0001'", "DELETE FROM alembic_version",
    "CREATE TABLE notes_of_mine (id integer)")


def test_the_workstations_role_may_not_change_the_trail_or_the_schema(practice):
    """Each refused by privilege (SQLSTATE 42501), before any trigger is asked."""
    for statement in REFUSED:
        with pytest.raises(psycopg.Error) as refused:
            practice.as_role(practice.app, statement)
        assert refused.value.sqlstate == INSUFFICIENT_PRIVILEGE, (statement, refused.value)
    practice.as_role(practice.owner, "SELECT count(*) FROM audit_events")   # the owner reads


def test_granting_again_sets_the_same_privileges(practice, capsys):
    """A privilege given by hand is taken back by the next grant, which changes nothing else."""
    practice.as_postgres(f"GRANT UPDATE, TRUNCATE ON audit_events TO {practice.app}",
                         database=practice.database)
    code, out, err = run(capsys, "db", "grant", practice.app, "--database",
                         practice.url(practice.owner))
    assert code == 0, err
    with pytest.raises(psycopg.Error) as refused:
        practice.as_role(practice.app, "TRUNCATE audit_events")
    assert refused.value.sqlstate == INSUFFICIENT_PRIVILEGE


def test_the_workstations_role_cannot_upgrade_grant_or_open_an_old_schema(practice, capsys):
    app_url, owner_url = practice.url(practice.app), practice.url(practice.owner)
    code, _, err = run(capsys, "db", "upgrade", "--database", app_url)
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1, err
    assert (f"run `iopdesk db upgrade` as the database's owner ({practice.owner})" in lines[0]
            and f"as {practice.app}" in lines[0] and "nothing was changed" in lines[0])
    code, _, err = run(capsys, "db", "grant", practice.app, "--database", app_url)
    assert code == 1 and f"as the database's owner ({practice.owner})" in err

    run_migrations(owner_url, "0002", downgrade=True)      # an old schema, before the head
    with pytest.raises(DatabaseBehind, match="owns the schema runs `iopdesk db upgrade`"):
        open_database(app_url)
    code, _, err = run(capsys, "users", "list", "--user", "alex", "--database", app_url)
    assert code == 1 and "owns the schema runs `iopdesk db upgrade`" in err
    code, _, err = run(capsys, "db", "upgrade", "--database", app_url)
    assert code == 1 and f"as the database's owner ({practice.owner})" in err

    code, out, err = run(capsys, "db", "upgrade", "--database", owner_url)
    assert code == 0, err
    assert f"Granted {practice.app} the workstations' privileges on every table again" in out
    code, out, err = run(capsys, "users", "list", "--user", "alex", "--database", app_url)
    assert code == 0 and "alex" in out, err          # a log-in: the new head table appends
    code, out, err = run(capsys, "audit", "verify", "--database", app_url)
    assert code == 0 and "intact" in out, err


def test_a_role_that_could_change_the_trail_is_not_granted(practice, capsys):
    practice.as_postgres(f"CREATE ROLE {practice.app}_member LOGIN IN ROLE {practice.owner}")
    try:
        for role, expected in (("nobody_here_" + uuid.uuid4().hex[:6], "there is no role"),
                               (practice.owner, "the schema's owner"),
                               ("postgres", "is a superuser"),
                               (f"{practice.app}_member", "or a member of it")):
            code, _, err = run(capsys, "db", "grant", role, "--database",
                               practice.url(practice.owner))
            lines = err.strip().splitlines()
            assert code == 1 and len(lines) == 1 and expected in lines[0], (role, err)
    finally:
        practice.as_postgres(f"DROP ROLE {practice.app}_member")


def test_grant_is_for_a_server(capsys, tmp_path):
    code, _, err = run(capsys, "db", "grant", "someone", "--database", tmp_path / "x.sqlite3")
    assert code == 1 and "is for a PostgreSQL server" in err
    assert not (tmp_path / "x.sqlite3").exists()


def test_db_check_names_who_may_change_the_trail(practice, capsys):
    owner_url = practice.url(practice.owner)
    code, out, err = run(capsys, "db", "check", "--database", owner_url)
    line = next(x for x in out.splitlines() if "audit roles" in x)
    assert code == 0 and " ok " in line, out + err
    assert f"{practice.owner} (owner)" in line and "postgres (superuser)" in line
    assert practice.app not in line
    practice.as_postgres(f"GRANT DELETE ON audit_events TO {practice.app}",
                         database=practice.database)
    code, out, _ = run(capsys, "db", "check", "--database", owner_url)
    line = next(x for x in out.splitlines() if "audit roles" in x)
    assert code == 1 and "BAD" in line
    assert f"{practice.app} (may DELETE audit_events, a workstations' role)" in line
