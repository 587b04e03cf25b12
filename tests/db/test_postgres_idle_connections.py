"""A server's pooled connections: one the server dropped while it lay idle is replaced before
use, unseen; one used a moment ago is not tested again (the search's keystrokes)."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from iopdesk.db import engine as engine_module
from iopdesk.db.engine import make_engine


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(pg_url: str, pid: int) -> None:
    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_connection_dropped_while_idle_is_replaced_unseen(pg_url, monkeypatch):
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)
    engine = make_engine(pg_url)
    try:
        first = _backend_pid(engine)
        _terminate(pg_url, first)          # as a server restart would
        second = _backend_pid(engine)      # no error: tested, found gone, connected anew
        assert second != first
    finally:
        engine.dispose()


def test_a_connection_used_a_moment_ago_is_not_tested_again(pg_url, monkeypatch):
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 3600.0)
    engine = make_engine(pg_url)
    statements: list[str] = []
    try:
        _backend_pid(engine)
        @event.listens_for(engine, "before_cursor_execute")
        def _seen(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement)

        _backend_pid(engine)
        assert statements == ["SELECT pg_backend_pid()"]     # no test before it
        _terminate(pg_url, _backend_pid(engine))
        with pytest.raises(OperationalError):   # within the window a dropped one fails once…
            _backend_pid(engine)
        assert _backend_pid(engine) > 0   # …and the pool has replaced it for the next call
    finally:
        engine.dispose()
