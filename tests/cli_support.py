"""What the command tests share: run `iopdesk …` in-process, and read a database — an SQLite
file (a Path) or a PostgreSQL database (its URL)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from iopdesk.cli import main


def query(db: Path | str, sql: str, *params) -> list[tuple]:
    """The rows of `sql` (parameters as `?`) in the SQLite file or PostgreSQL database `db`."""
    if isinstance(db, Path):
        conn = sqlite3.connect(db)
        try:
            rows = conn.execute(sql, params).fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(db, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            found = conn.exec_driver_sql(sql.replace("%", "%%").replace("?", "%s"),
                                         tuple(params))
            return [tuple(row) for row in found] if found.returns_rows else []
    finally:
        engine.dispose()


def tamper(db: Path | str, *statements: str) -> None:
    """Change the database behind IOPDesk's back, as someone with the file (SQLite) or the
    server's superuser (PostgreSQL: no trigger stops them) could."""
    if isinstance(db, Path):
        conn = sqlite3.connect(db)
        try:
            for statement in statements:
                conn.execute(statement)
            conn.commit()
        finally:
            conn.close()
        return
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(db, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def as_json(value) -> object:
    """A JSON column as Python: SQLite gives its text, PostgreSQL the value itself."""
    return json.loads(value) if isinstance(value, str) else value


def run(capsys, *args) -> tuple[int, str, str]:
    """`iopdesk ARGS`: (exit code, what it printed, what it said on stderr)."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err
