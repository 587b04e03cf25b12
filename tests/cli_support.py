"""What the command tests share: run `iopdesk …` in-process, and read a database file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from iopdesk.cli import main


def query(db: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def run(capsys, *args) -> tuple[int, str, str]:
    """`iopdesk ARGS`: (exit code, what it printed, what it said on stderr)."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err
