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
    rest, mark, query = rest.partition("?")
    if query:                         # ?password=… (libpq takes it there too)
        query = "&".join("password=***" if part.lower().startswith("password=") else part
                         for part in query.split("&"))
    if separator and "@" in rest:
        credentials, _, location = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        rest = f"{user + ':***' if ':' in credentials else user}@{location}"
    return f"{scheme}{separator}{rest}{mark}{query}"


# -- a database server that cannot be used, in words -----------------------------------------

# The oldest PostgreSQL this IOPDesk runs on: every statement it sends (pg_trgm's GIN indexes,
# `EXECUTE FUNCTION` triggers, `DROP DATABASE … WITH (FORCE)` in the tests) works from 13 on.
MIN_SERVER_VERSION = 13
_UNREACHABLE = ("connection refused", "no such file or directory", "timeout expired",
                "could not translate host name", "network is unreachable", "no route to host",
                "name or service not known", "connection timed out", "server closed the connection")


def _quoted(text: str, after: str) -> str:
    """The name in quotes after `after` in a server's message (`database "x" does not …`)."""
    rest = text.split(after, 1)[1] if after in text else ""
    return rest.split('"', 2)[1] if rest.count('"') >= 2 else ""


def server_failure(url: str, detail: str) -> str:
    """One line for a failed connection to the server of `url` (the driver's message in
    `detail`): what went wrong, the URL without its password, and what to do."""
    shown = without_password(url)
    text = " ".join(detail.split())
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered \
            or "authentication failed" in lowered:
        user = _quoted(text, "for user ") or "the URL's user"
        return (f"the database server of {shown} refused the password of user {user}: check "
                "the user name and password in the database URL (--database or "
                "IOPDESK_DATABASE_URL); nothing was changed")
    if 'role "' in lowered and "does not exist" in lowered:
        return (f"the database server of {shown} has no user {_quoted(text, 'role ')}: ask "
                "whoever runs the server to create it, or correct the user in the URL; "
                "nothing was changed")
    if 'database "' in lowered and "does not exist" in lowered:
        name = _quoted(text, "database ")
        return (f"the database server of {shown} has no database {name}: create it "
                f"(`createdb {name}`, owned by the user IOPDesk connects as) or correct its "
                "name in the URL; nothing was changed")
    if any(mark in lowered for mark in _UNREACHABLE):
        return (f"cannot reach the database server of {shown}: check that the server is "
                "running and that the host and port in the URL are right (the server said: "
                f"{_first_clause(text)}); nothing was changed")
    return (f"cannot use the database server of {shown}: {_first_clause(text)}; nothing was "
            "changed")


def _first_clause(text: str) -> str:
    """The heart of a libpq message, without its "connection failed: connection to server
    at …" lead (the URL says where) and without its hints."""
    text = text.split(" Is the server running", 1)[0].strip()
    for lead in ("FATAL: ", "failed: "):
        if lead in text:
            text = text.rsplit(lead, 1)[1]
    return text.strip().rstrip(".")


def server_too_old(url: str, version_num: int) -> str | None:
    """The refusal of a server older than MIN_SERVER_VERSION (`version_num` as the server's
    `server_version_num`, 150018 for 15.18), or None when it is new enough."""
    major = version_num // 10000
    if major >= MIN_SERVER_VERSION:
        return None
    shown = (f"{major}.{version_num % 10000}" if major >= 10
             else f"{major}.{version_num // 100 % 100}")
    return (f"the database server of {without_password(url)} runs PostgreSQL {shown}; IOPDesk "
            f"needs PostgreSQL {MIN_SERVER_VERSION} or newer: upgrade the server (or use "
            "another); nothing was changed")
