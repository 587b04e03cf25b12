"""The engine factory: built by the composition root, never at import."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from iopdesk.db.urls import is_sqlite, sqlite_path, sqlite_url
from iopdesk.domain.errors import DatabaseUnusable, StorageFailure

BUSY_TIMEOUT_MS = 5000
IDLE_PING_SECONDS = 2.0     # a server's pooled connection idle longer is tested before use
BEGIN_OPTION = "iopdesk_begin"
WRITE = {BEGIN_OPTION: "IMMEDIATE"}

# SQLite's primary result codes for a disk that refuses (the extended codes keep them in
# their low byte): SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN.
SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN = 8, 10, 13, 14
# An I/O error on a disk with less room than this is taken for the full disk it most likely
# is (SQLite reports a -shm file it cannot grow as an I/O error, not as a full disk).
ALMOST_FULL_BYTES = 1 << 20


# -- a disk that refuses ---------------------------------------------------------------------

def _existing_folder(path: Path) -> Path | None:
    folder = path.parent
    while not folder.exists():
        if folder.parent == folder:
            return None
        folder = folder.parent
    return folder


def free_bytes(path: Path | None) -> int | None:
    """The bytes free on the disk holding `path` (or the nearest folder above it that
    exists), or None when that cannot be told."""
    folder = None if path is None else _existing_folder(Path(path))
    if folder is None:
        return None
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def read_only_reason(path: Path | None) -> str | None:
    """Why `path` cannot be written, in words ("is on a disk mounted read-only", …), or None
    when nothing says it cannot."""
    folder = None if path is None else _existing_folder(Path(path))
    if folder is None:
        return None
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "is on a disk mounted read-only"
    except (OSError, AttributeError):         # AttributeError: no statvfs (Windows)
        pass
    if path.exists() and not os.access(path, os.W_OK):
        return "may not be written by this user"
    if not os.access(folder, os.W_OK):
        return ("is in a folder this user may not write to (SQLite writes its -wal and -shm "
                "files beside the database, even to read it)")
    return None


def storage_failure(error: BaseException, path: Path | None) -> StorageFailure | None:
    """The StorageFailure that `error` means — an sqlite3 or sqlcipher3 error ("attempt to
    write a readonly database", "database or disk is full", "disk I/O error", "unable to open
    database file") on the database at `path`, or an OSError of a full, read-only or failing
    disk — or None when `error` is about something else."""
    if isinstance(error, StorageFailure):
        return error
    if isinstance(error, OSError):
        target = Path(error.filename) if isinstance(error.filename, str | os.PathLike) else None
        return StorageFailure.from_os_error(error, free_bytes(target))
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(error).lower()
    where = path if path is not None else "the database"
    if primary == SQLITE_FULL or "database or disk is full" in text:
        return StorageFailure.disk_full(where, free_bytes(path))
    if primary == SQLITE_READONLY or "readonly database" in text:
        return StorageFailure.database_read_only(
            where, read_only_reason(path) or f"cannot be written ({error})")
    cannot_open = primary == SQLITE_CANTOPEN or "unable to open database file" in text
    if cannot_open or primary == SQLITE_IOERR or "disk i/o error" in text:
        reason = read_only_reason(path)
        if reason is not None:
            return StorageFailure.database_read_only(where, reason)
        free = free_bytes(path)
        if free is not None and free < ALMOST_FULL_BYTES:
            return StorageFailure.disk_full(where, free)
        if cannot_open:
            return StorageFailure.cannot_open(where, str(error))
        return StorageFailure.io_error(where, str(error))
    return None


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


def _server_engine(url: str) -> Engine:
    """A database server's engine whose pooled connections are tested before use when they
    have lain idle (IDLE_PING_SECONDS): a server restarted or a connection cut while the
    workstation sat idle is then replaced unseen. One used a moment ago is not tested again:
    the search runs per keystroke, and a test before each of its statements was a round trip
    to the server each time."""
    engine = create_engine(url)

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:
        record.info["idle_from"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _test_if_idle(dbapi_connection, record, _proxy) -> None:
        idle_from = record.info.get("idle_from")
        if idle_from is None or time.monotonic() - idle_from < IDLE_PING_SECONDS:
            return      # new, or used a moment ago
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as gone:  # noqa: BLE001 - any failure: the pool connects anew
            raise DisconnectionError(f"an idle connection to the server is gone: {gone}"
                                     ) from gone

    return engine


def make_engine(url: str, *, foreign_keys: bool = True, pooled: bool = True,
                passphrase: str | None = None) -> Engine:
    """An engine whose every SQLite connection has the pragmas of DESIGN §5.

    `foreign_keys=False` is for migrations only (batch table rebuilds must not cascade);
    they end with `PRAGMA foreign_key_check` instead.

    With a `passphrase` the file is an SQLCipher database: every connection is made by the
    sqlcipher3 driver, its first statement is `PRAGMA key`, and the key is checked before
    anything else runs (a wrong one raises WrongPassphrase; an empty file becomes a new
    encrypted database).

    Nothing is created here: no folder, and a file only by SQLite itself when it is missing
    (`migrate.open_database` decides whether a database may be created, and creates its file
    owner-only first). A file that is not known to be an IOPDesk database is not switched to
    WAL (see `_on_connect`). A disk that refuses — read-only, full, failing — ends every
    statement, commit and connection in a StorageFailure that says so, not in a driver error.
    """
    if not is_sqlite(url):
        if passphrase is not None:
            raise DatabaseUnusable("a passphrase is for an encrypted SQLite database file; a "
                                   "database server is protected by its own means")
        return _server_engine(url)
    path = sqlite_path(url)
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
            _write_ahead(cursor)
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    if path is not None:
        @event.listens_for(engine, "handle_error")
        def _on_error(context) -> None:
            # Raised here, the StorageFailure replaces SQLAlchemy's OperationalError wherever
            # the driver failed: a statement, BEGIN, COMMIT, or making the connection.
            failure = storage_failure(context.original_exception, path)
            if failure is not None:
                raise failure from context.original_exception

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A unit of work that writes asks for IMMEDIATE: it waits (busy_timeout) for the
        # write lock up front instead of failing later when its read snapshot went stale.
        mode = connection.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _write_ahead(cursor) -> None:
    """WAL for an IOPDesk database (it holds `alembic_version`) and for a brand-new one (no
    pages yet); any other file — another program's database, opened only to be refused —
    keeps its journal mode, and its bytes, as they are. WAL is stored in the file, so this
    asks only once per database; later connections find it set."""
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    new = cursor.execute("PRAGMA page_count").fetchone()[0] == 0
    if new or cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                             "AND name = 'alembic_version'").fetchone():
        cursor.execute("PRAGMA journal_mode = WAL")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


__all__ = ["BEGIN_OPTION", "WRITE", "free_bytes", "is_sqlite", "make_engine",
           "make_session_factory", "sqlite_path", "sqlite_url", "storage_failure"]
