"""The commands against a PostgreSQL server: `iopdesk db upgrade` is what changes its schema,
and every other command refuses a schema behind this version, saying what to run."""

from __future__ import annotations

from iopdesk.cli import main
from iopdesk.db.engine import make_engine
from iopdesk.db.migrate import HEAD, REVISIONS, run_migrations, stored_revision


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return stored_revision(engine)
    finally:
        engine.dispose()


def test_db_upgrade_changes_a_server_s_schema_and_nothing_else_does(pg_url, capsys):
    run_migrations(pg_url, REVISIONS[-2])
    code = main(["users", "list", "--database", pg_url, "--user", "admin"])
    out, err = capsys.readouterr()
    assert code != 0 and "Traceback" not in err
    assert "iopdesk db upgrade" in err and f"revision {REVISIONS[-2]}" in err
    assert _revision(pg_url) == REVISIONS[-2]                  # nothing changed

    assert main(["db", "upgrade", "--database", pg_url]) == 0
    out, err = capsys.readouterr()
    assert f"schema revision {HEAD}" in out
    assert _revision(pg_url) == HEAD


def test_a_command_on_an_empty_server_database_creates_nothing(pg_url, capsys):
    code = main(["db", "upgrade", "--database", pg_url])
    out, err = capsys.readouterr()
    assert code != 0 and "Traceback" not in err and "no IOPDesk database" in err
    assert _revision(pg_url) is None
