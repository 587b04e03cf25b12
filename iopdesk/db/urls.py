"""Database URLs, read without importing SQLAlchemy (the log-in window must not wait for it)."""

from __future__ import annotations

from pathlib import Path


def backend(url: str) -> str:
    scheme, separator, _ = url.partition("://")
    return scheme.split("+", 1)[0] if separator else ""


def is_sqlite(url: str) -> bool:
    return backend(url) == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL (as SQLAlchemy reads it), or None for memory or a server."""
    if not is_sqlite(url):
        return None
    rest = url.partition("://")[2].split("?", 1)[0]
    if "@" in rest:                       # sqlite+pysqlcipher://:passphrase@/path
        rest = rest.rsplit("@", 1)[1]
    path = rest[1:] if rest.startswith("/") else rest
    if path in ("", ":memory:"):
        return None
    return Path(path)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def without_password(url: str) -> str:
    """The URL as it may be shown on screen or in a log."""
    scheme, separator, rest = url.partition("://")
    if not separator or "@" not in rest:
        return url
    credentials, _, location = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user + ':***' if ':' in credentials else user}@{location}"
