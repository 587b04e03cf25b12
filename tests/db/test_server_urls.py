"""A PostgreSQL URL that cannot be used is refused in ONE line that names the URL without its
password and says what to do: a wrong password, a server that cannot be reached, a database
that does not exist or is another program's, a server older than IOPDesk supports. Nothing
stored is changed; the app's error dialog shows the same line."""

from __future__ import annotations

import os
import re

import psycopg
import pytest
from sqlalchemy.engine import make_url

from cli_support import run
from iopdesk.db import migrate
from iopdesk.db.migrate import REVISIONS, open_database, run_migrations, stored_revision
from iopdesk.db.engine import make_engine
from iopdesk.db.urls import MIN_SERVER_VERSION, server_failure, without_password
from iopdesk.domain.errors import ServerUnusable

COMMANDS = [("db", "check"), ("audit", "verify"), ("db", "upgrade"), ("db", "backup")]
ROLE, PASSWORD = "iop_pw", "right-horse"


@pytest.fixture(autouse=True)
def _server_programs(pg_server, monkeypatch):
    """`db backup` finds pg_dump where the test server's programs are."""
    monkeypatch.setenv("IOPDESK_PG_BIN", str(pg_server.programs))


def _refused_in_one_line(capsys, url: str, command: tuple[str, ...]) -> str:
    code, out, err = run(capsys, *command, "--database", url)
    assert code == 1, out + err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    password = make_url(url).password
    assert password is None or password not in out + err
    return err


def _pg(url: str):
    parsed = make_url(url)
    return psycopg.connect(host=parsed.query["host"], user=parsed.username,
                           dbname=parsed.database, autocommit=True)


@pytest.fixture(scope="module")
def password_role(pg_server):
    """A role that must give its password (the test server trusts every other one on its
    socket): a line for it alone at the top of pg_hba.conf, taken away afterwards."""
    hba = pg_server.folder / "data" / "pg_hba.conf"
    original = hba.read_text()
    owner = hba.stat()
    with _pg(pg_server.url()) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {ROLE}")
        conn.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'")
        hba.write_text(f"local all {ROLE} scram-sha-256\n" + original)
        os.chown(hba, owner.st_uid, owner.st_gid)
        conn.execute("SELECT pg_reload_conf()")
    yield ROLE
    hba.write_text(original)
    with _pg(pg_server.url()) as conn:
        conn.execute("SELECT pg_reload_conf()")
        conn.execute(f"DROP ROLE IF EXISTS {ROLE}")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_wrong_password(pg_url, password_role, capsys, command):
    url = pg_url.replace("postgres@", f"{password_role}:not-the-password@")
    err = _refused_in_one_line(capsys, url, command)
    assert f"refused the password of user {password_role}" in err
    assert f"{password_role}:***@" in err and "check the user name and password" in err


def test_the_right_password_gets_in(pg_url, password_role, capsys):
    url = pg_url.replace("postgres@", f"{password_role}:{PASSWORD}@")
    err = _refused_in_one_line(capsys, url, ("db", "check"))
    assert "no IOPDesk database" in err            # past the log-in: an empty database


@pytest.mark.parametrize("command", COMMANDS)
def test_a_server_that_cannot_be_reached(capsys, command):
    url = "postgresql+psycopg://clinic:s3cret@127.0.0.1:1/iopdesk"
    err = _refused_in_one_line(capsys, url, command)
    assert "cannot reach the database server of postgresql+psycopg://clinic:***@127.0.0.1:1/" \
           "iopdesk" in err
    assert "check that the server is running" in err and "Connection refused" in err


@pytest.mark.parametrize("command", COMMANDS)
def test_a_database_that_does_not_exist(pg_server, capsys, command):
    err = _refused_in_one_line(capsys, pg_server.url("no_such_practice"), command)
    assert "has no database no_such_practice" in err
    assert "createdb no_such_practice" in err
    assert f"?host={pg_server.socket_dir}" in err           # the URL as it was given


@pytest.mark.parametrize("command", COMMANDS)
def test_another_program_s_database(pg_url, capsys, command):
    with _pg(pg_url) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    err = _refused_in_one_line(capsys, pg_url, command)
    assert "holds the tables of another program, not IOPDesk (invoices)" in err
    assert "give IOPDesk a database of its own" in err
    with _pg(pg_url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    assert tables == ["invoices"]


def test_a_server_older_than_supported(pg_url, capsys, monkeypatch):
    run_migrations(pg_url, REVISIONS[-2])
    monkeypatch.setattr(migrate, "server_version", lambda conn: 120011)
    for command in (("db", "upgrade"), ("db", "check"), ("audit", "verify")):
        err = _refused_in_one_line(capsys, pg_url, command)
        assert "runs PostgreSQL 12.11" in err
        assert f"IOPDesk needs PostgreSQL {MIN_SERVER_VERSION} or newer" in err
    monkeypatch.undo()
    engine = make_engine(pg_url)
    try:
        assert stored_revision(engine) == REVISIONS[-2]          # nothing was changed
    finally:
        engine.dispose()


def test_the_server_of_the_tests_is_supported(pg_url):
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert migrate.server_version(conn) // 10000 >= MIN_SERVER_VERSION
    finally:
        engine.dispose()


def test_the_app_s_error_dialog_shows_the_same_line(pg_server):
    """The app opens its database with open_database; its dialog shows the error's text."""
    from iopdesk.app import database_error_message

    url = pg_server.url("no_such_practice").replace("postgres@", "postgres:pw@")
    with pytest.raises(ServerUnusable) as refused:
        open_database(url)
    message = database_error_message(refused.value)
    assert message == str(refused.value) and "\n" not in message
    assert "has no database no_such_practice" in message and ":pw@" not in message


@pytest.mark.parametrize(("detail", "says"), [
    ('connection failed: connection to server at "db.local" (10.0.0.5), port 5432 failed: '
     'FATAL:  password authentication failed for user "iop"', "refused the password of user iop"),
    ("connection failed: fe_sendauth: no password supplied", "refused the password"),
    ('connection failed: could not translate host name "db.lcoal" to address: Name or service '
     "not known", "cannot reach the database server"),
    ('connection to server at "10.0.0.9", port 5432 failed: timeout expired',
     "cannot reach the database server"),
    ('FATAL:  role "iop" does not exist', "has no user iop"),
    ("something nobody expected", "cannot use the database server"),
])
def test_each_driver_complaint_becomes_one_line(detail, says):
    message = server_failure("postgresql+psycopg://iop:pw@db.local/iopdesk", detail)
    assert says in message and "iop:***@db.local" in message and ":pw@" not in message
    assert "\n" not in message and re.search(r"nothing was changed$", message)


def test_a_password_in_the_query_is_hidden_too():
    assert without_password("postgresql://iop@h/d?password=pw&sslmode=require") == (
        "postgresql://iop@h/d?password=***&sslmode=require")
