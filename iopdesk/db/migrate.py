"""Bring a database to the packaged schema: cheap check first, Alembic only when needed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DatabaseError as SADatabaseError

from iopdesk.db.crypto import SQLITE_HEADER  # noqa: F401 - re-exported (it lived here)
from iopdesk.db.crypto import is_encrypted, passphrase_required
from iopdesk.db.engine import is_sqlite, make_engine, sqlite_path, storage_failure
from iopdesk.db.private_files import create_private_file, describe_mode, loose_files, tighten
from iopdesk.db.urls import server_failure, server_too_old, without_password
from iopdesk.domain.errors import (DatabaseBehind, DatabaseTooNew, DatabaseUnusable,
                                   MigrationFailed, NoDatabase, ServerUnusable)

# Every revision shipped, oldest first; a test holds this against the migration scripts.
REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008",
                              "0009", "0010", "0011", "0012")
HEAD = REVISIONS[-1]
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def check_sqlite_file(path: Path, *, passphrase: str | None = None, what: str = "") -> None:
    """Refuse a path that is not an SQLite database, before SQLite gets to touch it.

    A file without the SQLite header is either encrypted or not a database at all; only its
    passphrase can tell, so without one it is refused with PassphraseRequired, and with one
    it is left to SQLCipher (which refuses a wrong key with WrongPassphrase).
    """
    lead = f"{what} {path}" if what else str(path)
    if path.is_dir():
        raise DatabaseUnusable(f"{lead} is a folder, not a database file")
    if not path.exists():
        return
    size = path.stat().st_size
    if size == 0:
        return  # SQLite treats an empty file as a new, empty database
    if is_encrypted(path) and passphrase is None:
        raise passphrase_required(path, what)
    if size < 512:
        raise DatabaseUnusable(f"{lead} is damaged: only {size} bytes long")


CREATED_BY = ("only `iopdesk init` (or the app's first-run wizard) creates a practice's "
              "database, and `iopdesk demo` the demo practice's")


def _has_content(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


def no_database(where: object, why: str = "") -> NoDatabase:
    """The refusal of a command that reads: nothing is created in its place."""
    return NoDatabase(f"there is no IOPDesk database at {where}{why}; nothing was created or "
                      f"changed: {CREATED_BY}")


def another_program(where: object, tables: set[str], hint: str = "") -> DatabaseUnusable:
    listed = ", ".join(sorted(tables)[:4]) + ("…" if len(tables) > 4 else "")
    return DatabaseUnusable(f"{where} holds the tables of another program, not IOPDesk "
                            f"({listed}); nothing was changed{hint}")


SERVER_OF_ITS_OWN = (": give IOPDesk a database of its own on the server (`createdb iopdesk`) "
                     "and point the URL at it")


def refuse_unless_iopdesk(where: object, tables: set[str]) -> None:
    """Refuse a database without `alembic_version`: another program's, or an empty one."""
    if "alembic_version" not in tables:
        raise another_program(where, tables) if tables else no_database(
            where, ": it holds no tables yet")


def refuse_orphan_log(path: Path) -> None:
    """A write-ahead log without its database may hold the last changes of a database that
    was moved or deleted: SQLite would fold it into a new file, or delete it. It is named
    and left alone; nothing is opened or created beside it."""
    log = path.with_name(path.name + "-wal")
    if log.exists() and not _has_content(path):
        state = "is empty" if path.exists() else "is missing"
        raise DatabaseUnusable(
            f"there is no IOPDesk database at {path}, but it has a write-ahead log {log} "
            f"without its database (the database file {state}): the log was left alone and "
            "nothing was created. It may hold the last changes of a database that was moved "
            "or deleted: put that database back beside it, or move the log away.")


def require_database_file(path: Path) -> None:
    """Refuse, without creating anything, a path where there is no database file to read:
    missing, empty, or only a write-ahead log left of one."""
    refuse_orphan_log(path)
    if not _has_content(path):
        raise no_database(path, ": the file is empty" if path.exists() else "")


def make_private(path: Path, notify: Callable[[str], object] | None = None) -> list[Path]:
    """Make the database's files (itself, -wal, -shm) readable by their owner only, telling
    `notify` in one line per database ("made … (and its -wal and -shm) readable by its owner
    only (was 0644)"); the files changed."""
    changed: list[Path] = []
    modes: dict[Path, str] = {}
    for file in loose_files(path):
        modes[file] = describe_mode(file)
        try:
            if tighten([file]):
                changed.append(file)
        except OSError as exc:       # owned by another user, say: the database still opens
            if notify is not None:
                notify(f"could not make {file} readable by its owner only (it is "
                       f"{modes[file]}): {exc.strerror or exc}")
    if notify is not None and changed:
        if path in changed:
            extra = [file.name.removeprefix(path.name) for file in changed if file != path]
            also = f" (and its {' and '.join(extra)})" if extra else ""
            notify(f"made {path}{also} readable by its owner only (was {modes[path]})")
        else:
            for file in changed:
                notify(f"made {file} readable by its owner only (was {modes[file]})")
    return changed


def server_version(conn) -> int:
    """The PostgreSQL server's version as `server_version_num` (150018 for 15.18)."""
    return int(conn.exec_driver_sql("SHOW server_version_num").scalar())


def refuse_old_server(conn, where: str) -> None:
    """Refuse a PostgreSQL server older than the oldest this IOPDesk runs on."""
    refusal = server_too_old(where, server_version(conn))
    if refusal is not None:
        raise ServerUnusable(refusal)


def stored_revision(engine: Engine) -> str | None:
    """The schema revision recorded in the database, or None for an empty one.

    A server that cannot be used — unreachable, refusing the log-in, without the database
    named, older than MIN_SERVER_VERSION — is refused in one line (ServerUnusable) naming the
    URL without its password and what to do."""
    server = engine.dialect.name != "sqlite"
    where = unquote(engine.url.render_as_string(hide_password=True))     # ?host=/run/…
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                refuse_old_server(conn, where)
            names = set(inspect(conn).get_table_names())
            if "alembic_version" not in names:
                if names and server:
                    raise another_program(f"the database {where}", names, SERVER_OF_ITS_OWN)
                if names:
                    raise another_program(engine.url.database or "this database", names)
                return None
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except SADatabaseError as exc:
        if server:
            raise ServerUnusable(server_failure(where, str(exc.orig))) from exc
        raise DatabaseUnusable(f"cannot read the database: {exc.orig}") from exc
    return row[0] if row else None


def _holds_nothing(engine: Engine) -> bool:
    """No table at all (an IOPDesk database taken down to its base revision still holds
    `alembic_version`, and is brought up again)."""
    with engine.connect() as conn:
        return not inspect(conn).get_table_names()


def describe_state(revision: str | None) -> str:
    if revision is None:
        return "empty (no schema yet)"
    if revision == HEAD:
        return f"current (revision {revision})"
    if revision in REVISIONS:
        return f"behind: revision {revision}, this version upgrades it to {HEAD}"
    return f"newer than this IOPDesk: revision {revision} is unknown (newest known {HEAD})"


def refuse_if_newer(revision: str | None, where: str = "The database") -> None:
    if revision is not None and revision not in REVISIONS:
        raise DatabaseTooNew(
            f"{where} was written by a newer version of IOPDesk (schema revision {revision}; "
            f"this version knows up to {HEAD}). Install the newer IOPDesk to open it; nothing "
            "was changed.")


def _alembic_config(connection):
    from alembic.config import Config  # imported only when the schema really changes

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def run_migrations(url: str, target: str = "head", *, downgrade: bool = False,
                   passphrase: str | None = None) -> None:
    """Run Alembic with foreign keys off, in one transaction that ends with a key check."""
    from alembic import command

    engine = make_engine(url, foreign_keys=False, pooled=False, passphrase=passphrase)
    try:
        with engine.connect() as conn, conn.begin():
            config = _alembic_config(conn)
            if downgrade:
                command.downgrade(config, target)
            else:
                command.upgrade(config, target)
            if is_sqlite(url):
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise MigrationFailed(
                        f"the upgrade would leave {len(broken)} rows pointing at missing rows "
                        f"(first: table {broken[0][0]}, row {broken[0][1]}); it was rolled back")
    except SADatabaseError as exc:
        raise MigrationFailed(f"the schema upgrade failed and was rolled back: {exc.orig}") from exc
    finally:
        engine.dispose()


def open_database(url: str, *, backup: Callable[[], object] | None = None,
                  passphrase: str | None = None, create: bool = False, upgrade: bool = False,
                  notify: Callable[[str], object] | None = None) -> Engine:
    """Open the IOPDesk database at `url` at the packaged schema, upgrading an older one after
    `backup()`.

    Only with `create` (`iopdesk init`, `iopdesk demo`, the first-run wizard) is a missing or
    empty database made: its file owner-only (0600) in owner-only folders, before SQLite
    opens it (SQLite gives the -wal and -shm the database file's mode). Without it, a missing
    path, an empty file or an empty database is refused with NoDatabase and nothing is
    created. A write-ahead log without its database is refused and left alone, either way.

    Refuses a file that is not an SQLite database, another program's database and a database
    newer than this version, without changing any of them. An existing database whose files
    others can read is made owner-only, each change told to `notify`. An encrypted file needs
    its `passphrase` (PassphraseRequired without one, WrongPassphrase for a wrong one); a
    plain file is refused with one (it would not be encrypted, whatever the user believes);
    an empty file created with a passphrase becomes a new encrypted database.

    A database server is shared by several workstations: its schema changes only with
    `upgrade` (`iopdesk db upgrade`, run by the schema's owner) or, when it holds nothing
    yet, `create`. Opened otherwise at an older revision it is refused (DatabaseBehind,
    saying what to run), as a newer one is (DatabaseTooNew); nothing is changed.
    """
    path = sqlite_path(url)
    if path is not None:
        check_sqlite_file(path, passphrase=passphrase)
        if not create:
            require_database_file(path)
        refuse_orphan_log(path)
        if not _has_content(path):
            try:
                create_private_file(path)
                make_private(path, notify)     # an empty file given: before SQLite opens it
            except OSError as exc:
                raise (storage_failure(exc, path) or DatabaseUnusable(
                    f"cannot create the database {path}: {exc.strerror or exc}")) from exc
        elif passphrase is not None and not is_encrypted(path):
            raise DatabaseUnusable(f"{path} is not encrypted: open it without a passphrase "
                                   "(or encrypt it with `iopdesk db encrypt`)")
    engine = make_engine(url, passphrase=passphrase)
    try:
        revision = stored_revision(engine)
        if revision is None and not create and _holds_nothing(engine):
            raise no_database(path if path is not None else without_password(url),
                              ": it holds no tables yet")
        if path is not None:
            make_private(path, notify)
        if revision == HEAD:
            return engine
        refuse_if_newer(revision)
        if path is None and revision is not None and not upgrade:
            raise DatabaseBehind(
                f"The database {without_password(url)} is at schema revision {revision}; this "
                f"IOPDesk needs {HEAD}. Whoever owns the schema runs `iopdesk db upgrade` once "
                "(the workstations never change a shared schema); nothing was changed.")
        if revision is not None and backup is not None:
            backup()
        run_migrations(url, passphrase=passphrase)
    except BaseException:
        engine.dispose()
        raise
    return engine
