"""The engine factory: built by the composition root, never at import."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from iopdesk.db.urls import is_sqlite, sqlite_path, sqlite_url
from iopdesk.domain.errors import DatabaseUnusable

BUSY_TIMEOUT_MS = 5000
BEGIN_OPTION = "iopdesk_begin"
WRITE = {BEGIN_OPTION: "IMMEDIATE"}


def _sqlite_driver_url(url: str) -> str:
    """`sqlite+pysqlcipher://…` read as the plain pysqlite URL of the same file: the
    passphrase is an argument of its own, never part of the URL (where it would be shown,
    logged, and mangled by URL quoting)."""
    parsed = make_url(url)
    if parsed.password:
        raise DatabaseUnusable("the database URL holds a passphrase: give it in "
                               "IOPDESK_PASSPHRASE (or type it when asked) instead, and "
                               "remove it from the URL")
    if parsed.drivername == "sqlite":
        return url
    return parsed.set(drivername="sqlite", username=None).render_as_string(hide_password=False)


def make_engine(url: str, *, foreign_keys: bool = True, pooled: bool = True,
                passphrase: str | None = None) -> Engine:
    """An engine whose every SQLite connection has the pragmas of DESIGN §5.

    `foreign_keys=False` is for migrations only (batch table rebuilds must not cascade);
    they end with `PRAGMA foreign_key_check` instead.

    With a `passphrase` the file is an SQLCipher database: every connection is made by the
    sqlcipher3 driver, its first statement is `PRAGMA key`, and the key is checked before
    anything else runs (a wrong one raises WrongPassphrase; an absent or empty file becomes a
    new encrypted database).
    """
    if not is_sqlite(url):
        if passphrase is not None:
            raise DatabaseUnusable("a passphrase is for an encrypted SQLite database file; a "
                                   "database server is protected by its own means")
        return create_engine(url, pool_pre_ping=True)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict = {}
    if not pooled:
        kwargs["poolclass"] = NullPool
    if passphrase is not None:
        from iopdesk.db.crypto import load_sqlcipher, usable_passphrase

        passphrase = usable_passphrase(passphrase, path)
        kwargs["module"] = load_sqlcipher()
    engine = create_engine(_sqlite_driver_url(url), **kwargs)

    if passphrase is not None:
        @event.listens_for(engine, "do_connect")
        def _keyed_connect(dialect, _record, cargs, cparams):
            from iopdesk.db.crypto import unlock

            connection = dialect.loaded_dbapi.connect(*cargs, **cparams)
            try:
                unlock(connection, passphrase, path)   # PRAGMA key first, then the check
            except BaseException:
                connection.close()
                raise
            return connection

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no branch - tiny
        # Let SQLAlchemy, not the driver, decide where transactions begin (so DDL is
        # transactional and SAVEPOINT works), then set the pragmas outside any transaction.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        if path is not None:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A unit of work that writes asks for IMMEDIATE: it waits (busy_timeout) for the
        # write lock up front instead of failing later when its read snapshot went stale.
        mode = connection.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


__all__ = ["BEGIN_OPTION", "WRITE", "is_sqlite", "make_engine", "make_session_factory",
           "sqlite_path", "sqlite_url"]
