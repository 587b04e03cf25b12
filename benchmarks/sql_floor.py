"""Floors made of IOPDesk's own SQL: record the statements a service call sends to the driver
(with its commits and rollbacks), then send the same statements, with the same values, on a
bare `sqlite3` or `psycopg` connection, without SQLAlchemy, the ORM or the services.

What a floor keeps of the audit: one INSERT of the event (IOPDesk's own statement), where the
service audits, and the commit. The chain's bookkeeping around it (the head read, locked,
signed and moved, the highest id looked up) is IOPDesk's work, measured on its side only.
The floor's events get ids below zero, so they never take an id the chain hands out next; they
land in the run's copy of the database, never in the built demo.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

AUDIT_TABLES = ("audit_events", "audit_chain_head")
_INSERT = re.compile(r"^\s*INSERT INTO (\w+)\s*\(([^)]*)\)\s*VALUES\s*\((.*)\)", re.I | re.S)
_NAMED = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Step:
    kind: str                 # "sql", "commit" or "rollback"
    statement: str = ""
    params: Any = None

    @property
    def table(self) -> str | None:
        """The table an INSERT writes, else None."""
        found = _INSERT.match(self.statement) if self.kind == "sql" else None
        return found.group(1).lower() if found else None

    @property
    def audit(self) -> bool:
        lowered = self.statement.lower()
        return self.kind == "sql" and any(table in lowered for table in AUDIT_TABLES)

    @property
    def begin(self) -> bool:
        return self.kind == "sql" and self.statement.upper().startswith("BEGIN")


class Recorder:
    """Listens to an engine; `record(call)` runs `call` and returns what it sent."""

    def __init__(self, engine: Engine):
        self._steps: list[Step] | None = None
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", lambda _conn: self._add(Step("commit")))
        event.listen(engine, "rollback", lambda _conn: self._add(Step("rollback")))

    def _add(self, step: Step) -> None:
        if self._steps is not None:
            self._steps.append(step)

    def _statement(self, _conn, _cursor, statement, parameters, _context, executemany) -> None:
        if executemany:
            raise AssertionError("a floor cannot replay an executemany")
        self._add(Step("sql", statement, parameters))

    def record(self, call: Callable[[], object]) -> list[Step]:
        self._steps = []
        try:
            call()
            return self._steps
        finally:
            self._steps = None


def with_value(step: Step, column: str, value: object) -> Step:
    """The INSERT `step` with `column`'s value replaced (qmark tuples and pyformat dicts)."""
    found = _INSERT.match(step.statement)
    if found is None:
        raise ValueError(f"not an INSERT with a column list: {step.statement[:80]}")
    columns = [c.strip().strip('"') for c in found.group(2).split(",")]
    index = columns.index(column)
    if isinstance(step.params, dict):
        tokens = [t.strip() for t in found.group(3).split(",")]
        name = _NAMED.search(tokens[index])
        if name is None:
            raise ValueError(f"no bound value for {column} in {step.statement[:80]}")
        return Step("sql", step.statement, {**step.params, name.group(1): value})
    params = list(step.params)
    params[index] = value
    return Step("sql", step.statement, tuple(params))


class FloorAudit:
    """The audit INSERT of a recorded call, again with a new id each time (below zero)."""

    def __init__(self, start: int = -1):
        self._ids = itertools.count(start, -1)

    def again(self, insert: Step) -> Step:
        return with_value(insert, "id", next(self._ids))


def read_floor(steps: list[Step], audit: FloorAudit) -> Callable[[], list[Step]]:
    """What the floor of an audited read sends: the recorded steps, the chain's bookkeeping
    left out and each audit INSERT kept with a new id (a function: new ids at each call)."""
    kept = [s for s in steps if not s.audit or s.table == "audit_events"]

    def fresh() -> list[Step]:
        return [audit.again(s) if s.table == "audit_events" else s for s in kept]

    return fresh


def replay(conn: Any, steps: list[Step]) -> None:
    """Send `steps` on a bare DB-API connection, reading every row as the service would."""
    cursor = conn.cursor()
    try:
        for step in steps:
            if step.kind == "commit":
                conn.commit()
            elif step.kind == "rollback":
                conn.rollback()
            else:
                cursor.execute(step.statement, step.params)
                if cursor.description is not None:
                    cursor.fetchall()
    finally:
        cursor.close()


@contextmanager
def bare_sqlite(path: str) -> Iterator[sqlite3.Connection]:
    """A bare `sqlite3` connection with IOPDesk's pragmas (WAL, synchronous FULL, foreign keys)
    and its transaction handling (none implicit: the recorded BEGIN is sent as it was)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("busy_timeout = 5000", "foreign_keys = ON", "synchronous = FULL"):
            conn.execute(f"PRAGMA {pragma}")
        yield conn
    finally:
        conn.close()


@contextmanager
def bare_psycopg(url: str) -> Iterator[Any]:
    """A bare `psycopg` connection to the database of an SQLAlchemy URL (transactions begin
    at the first statement, as SQLAlchemy's do)."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    conn = psycopg.connect(host=parsed.query.get("host"), user=parsed.username,
                           dbname=parsed.database)
    try:
        yield conn
    finally:
        conn.close()
