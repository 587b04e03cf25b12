"""Reading database URLs without SQLAlchemy: the same answers SQLAlchemy gives."""

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from iopdesk.db.urls import is_sqlite, sqlite_path, without_password


@pytest.mark.parametrize("url", ["sqlite:///rel/a.sqlite3", "sqlite:////abs/a.sqlite3",
                                 "sqlite+pysqlcipher://:secret@//abs/x.db",
                                 "sqlite:///a.db?timeout=3"])
def test_sqlite_paths_match_sqlalchemy(url):
    assert sqlite_path(url) == Path(make_url(url).database)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:",
                                 "postgresql+psycopg://u:p@db.local/iop"])
def test_no_file(url):
    assert sqlite_path(url) is None


def test_backend_and_passwords():
    assert is_sqlite("sqlite+pysqlcipher://:k@//x") and not is_sqlite("postgresql://h/d")
    assert without_password("postgresql+psycopg://iop:s3cret@db.local/iop") == (
        "postgresql+psycopg://iop:***@db.local/iop")
    assert without_password("sqlite:////a/b.sqlite3") == "sqlite:////a/b.sqlite3"
