"""Bring a database to the packaged schema: cheap check first, Alembic only when needed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DatabaseError as SADatabaseError

from iopdesk.db.crypto import SQLITE_HEADER  # noqa: F401 - re-exported (it lived here)
from iopdesk.db.crypto import is_encrypted, passphrase_required
from iopdesk.db.engine import is_sqlite, make_engine, sqlite_path
from iopdesk.domain.errors import DatabaseTooNew, DatabaseUnusable, MigrationFailed

# Every revision shipped, oldest first; a test holds this against the migration scripts.
REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004")
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


def stored_revision(engine: Engine) -> str | None:
    """The schema revision recorded in the database, or None for an empty one."""
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            if "alembic_version" not in names:
                if names:
                    raise DatabaseUnusable(
                        "this database holds tables of something else, not IOPDesk "
                        f"({', '.join(sorted(names)[:4])}…)")
                return None
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except SADatabaseError as exc:
        raise DatabaseUnusable(f"cannot read the database: {exc.orig}") from exc
    return row[0] if row else None


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
                  passphrase: str | None = None) -> Engine:
    """Open `url` at the packaged schema: create it, or upgrade it after `backup()`.

    Refuses a file that is not an SQLite database and a database newer than this version,
    without changing either. An encrypted file needs its `passphrase` (PassphraseRequired
    without one, WrongPassphrase for a wrong one); a plain file is refused with one (it would
    not be encrypted, whatever the user believes); an absent or empty file given a passphrase
    becomes a new encrypted database.
    """
    path = sqlite_path(url)
    if path is not None:
        check_sqlite_file(path, passphrase=passphrase)
        if passphrase is not None and path.exists() and path.stat().st_size \
                and not is_encrypted(path):
            raise DatabaseUnusable(f"{path} is not encrypted: open it without a passphrase "
                                   "(or encrypt it with `iopdesk db encrypt`)")
    engine = make_engine(url, passphrase=passphrase)
    try:
        revision = stored_revision(engine)
        if revision == HEAD:
            return engine
        refuse_if_newer(revision)
        if revision is not None and backup is not None:
            backup()
        run_migrations(url, passphrase=passphrase)
    except BaseException:
        engine.dispose()
        raise
    return engine
