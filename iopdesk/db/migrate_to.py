"""`iopdesk db migrate-to URL`: copy a practice from its SQLite file into an empty PostgreSQL
database, when it grows from one workstation to several.

Everything on the server happens in ONE transaction: the schema is built by the same Alembic
revisions as any new database (PostgreSQL's own included: pg_trgm indexes, the audit trail's
triggers), every table's rows are copied in foreign-key order, in batches, with their ids
(the audit trail keeps its ids, hashes and chain head, so it verifies as it did), the id
sequences are moved past the copied ids, the row counts are compared and the caller's
check (the audit chain's verification) runs. Only then is it committed: a failure anywhere
leaves the target database as empty as it was, so the copy can simply be tried again.

The SQLite file is read in one snapshot through a read-only connection: it is left exactly
as it was (byte for byte), and stays the practice's until the workstations are pointed at
the server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, Integer, bindparam, create_engine, inspect, select, text
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.pool import NullPool

from iopdesk.db.crypto import connect_file
from iopdesk.db.engine import make_engine
from iopdesk.db.migrate import (HEAD, MIGRATIONS_DIR, check_sqlite_file, refuse_if_newer,
                                refuse_old_server, refuse_unless_iopdesk, require_database_file)
from iopdesk.db.models import Base
from iopdesk.db.urls import backend, server_failure, sqlite_path, without_password
from iopdesk.domain.audit import VerifyReport
from iopdesk.domain.errors import (DatabaseBehind, DatabaseUnusable, MigrationFailed,
                                   ServerUnusable)

BATCH = 1000


@dataclass(frozen=True)
class Migrated:
    source: Path
    target: str                       # the target's URL without its password
    counts: dict[str, int]            # rows per table, the same on both sides
    audit: VerifyReport | None        # the audit chain's verification on the target


def refuse_unless_server(url: str) -> None:
    """migrate-to copies into a PostgreSQL database only."""
    if backend(url) != "postgresql":
        raise DatabaseUnusable(f"{without_password(url)} is not a PostgreSQL database: "
                               "migrate-to copies into one (postgresql+psycopg://USER@HOST/"
                               "DATABASE); nothing was changed")


def source_file(url: str) -> Path:
    """The SQLite file to copy (NoDatabase when there is none; nothing is created)."""
    path = sqlite_path(url)
    if path is None:
        raise DatabaseUnusable(f"the configured database {without_password(url)} is not an "
                               "SQLite file: migrate-to copies a practice's SQLite file into "
                               "a server (give the file with --database)")
    require_database_file(path)
    return path


def _read_only(path: Path, passphrase: str | None) -> Engine:
    """An engine that reads the file and can change nothing in it (mode=ro); transactions
    are begun by hand, so the whole copy reads one snapshot."""
    def connect():
        connection = connect_file(path, passphrase, readonly=True)
        connection.isolation_level = None
        return connection
    return create_engine("sqlite://", creator=connect, poolclass=NullPool)


def _source_revision(src: Connection, path: Path) -> str:
    tables = {r[0] for r in src.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    refuse_unless_iopdesk(path, tables)
    revision = src.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    refuse_if_newer(revision, where=f"The database {path}")
    if revision != HEAD:
        raise DatabaseBehind(f"the database {path} is at schema revision {revision}, older "
                             f"than this IOPDesk's ({HEAD}): run `iopdesk db upgrade` on it "
                             "first (it takes a backup), then migrate-to; nothing was copied")
    return revision


def _require_empty(engine: Engine, where: str) -> None:
    try:
        with engine.connect() as conn:
            refuse_old_server(conn, where)
            names = sorted(inspect(conn).get_table_names())
    except SADatabaseError as exc:
        raise ServerUnusable(server_failure(where, str(exc.orig))) from exc
    if names:
        listed = ", ".join(names[:4]) + ("…" if len(names) > 4 else "")
        raise DatabaseUnusable(f"the database {where} holds tables already ({listed}); "
                               "migrate-to copies into an empty database only (create one: "
                               "`createdb iopdesk`); nothing was changed")


def _build_schema(dst: Connection) -> None:
    """The schema at head, by the packaged revisions, inside the caller's transaction."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = dst
    command.upgrade(config, "head")


def _clear_seeded(dst: Connection) -> list[str]:
    """Rows the revisions wrote (the audit chain's head) give way to the practice's own;
    the tables emptied. Their guard triggers are off until `_restore_triggers`, inside the
    transaction: no other connection can see the table meanwhile (ALTER TABLE holds it
    alone until the commit)."""
    seeded = []
    for table in reversed(Base.metadata.sorted_tables):
        if dst.execute(select(table).limit(1)).first() is None:
            continue
        dst.exec_driver_sql(f'ALTER TABLE "{table.name}" DISABLE TRIGGER USER')
        dst.execute(table.delete())
        seeded.append(table.name)
    return seeded


def _restore_triggers(dst: Connection, tables: list[str]) -> None:
    for name in tables:
        dst.exec_driver_sql(f'ALTER TABLE "{name}" ENABLE TRIGGER USER')


def _copy_table(src: Connection, dst: Connection, table) -> int:
    """Copy `table` in batches, ids and all. A column pointing into its own table (a
    supervisor, a superseded plan) is filled in once every row is there."""
    own = [fk.parent.key for fk in table.foreign_keys if fk.column.table is table]
    key = [c.key for c in table.primary_key.columns]
    later: list[dict] = []
    copied = 0
    result = src.execution_options(yield_per=BATCH).execute(
        select(table).order_by(*table.primary_key.columns))
    for part in result.partitions():
        rows = [dict(row._mapping) for row in part]
        for row in rows:
            if any(row[c] is not None for c in own):
                later.append({**{f"_{k}": row[k] for k in key}, **{c: row[c] for c in own}})
                row.update({c: None for c in own})
        dst.execute(table.insert(), rows)
        copied += len(rows)
    if later:
        match = [table.c[k] == bindparam(f"_{k}") for k in key]
        dst.execute(table.update().where(*match).values({c: bindparam(c) for c in own}), later)
    return copied


def _reset_sequences(dst: Connection) -> None:
    """Each id sequence continues after the highest id copied."""
    for table in Base.metadata.sorted_tables:
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or not isinstance(columns[0].type, Integer):
            continue
        sequence = dst.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": table.name, "c": columns[0].name}).scalar()
        if sequence:
            dst.execute(text(f'SELECT setval(:s, coalesce(max("{columns[0].name}"), 0) + 1, '
                             f'false) FROM "{table.name}"'), {"s": sequence})


def _counts(conn: Connection) -> dict[str, int]:
    return {t.name: conn.execute(select(text("count(*)")).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables}


def migrate_to(source_url: str, target_url: str, *, passphrase: str | None = None,
               verify: Callable[[Connection], VerifyReport] | None = None,
               progress: Callable[[str], object] | None = None) -> Migrated:
    """Copy the SQLite practice at `source_url` (encrypted: with `passphrase`) into the empty
    PostgreSQL database at `target_url`, in one transaction that commits only when the row
    counts agree and `verify` (given the target's connection) finds the audit chain whole."""
    refuse_unless_server(target_url)
    path = source_file(source_url)
    check_sqlite_file(path, passphrase=passphrase)
    where = without_password(target_url)
    say = progress or (lambda _message: None)
    source, target = _read_only(path, passphrase), make_engine(target_url)
    try:
        with source.connect() as src:
            src.exec_driver_sql("BEGIN")          # one snapshot of the file for the whole copy
            _source_revision(src, path)
            _require_empty(target, where)
            expected = _counts(src)
            with target.connect() as dst, dst.begin():
                table = None
                try:
                    _build_schema(dst)
                    seeded = _clear_seeded(dst)
                    for table in Base.metadata.sorted_tables:
                        say(f"copying {table.name} ({expected[table.name]:,} rows)")
                        _copy_table(src, dst, table)
                    table = None
                    _restore_triggers(dst, seeded)
                    _reset_sequences(dst)
                    counts = _counts(dst)
                except SADatabaseError as exc:
                    at = f" at table {table.name}" if table is not None else ""
                    detail = " ".join(str(exc.orig).split())[:300]
                    raise MigrationFailed(f"the copy into {where} failed{at} and was rolled "
                                          f"back, the database is empty as it was: {detail}"
                                          ) from exc
                differ = [f"{n} {expected[n]} → {counts[n]}" for n in expected
                          if counts[n] != expected[n]]
                if differ:
                    raise MigrationFailed(f"the copy into {where} was rolled back: the row "
                                          f"counts differ ({', '.join(differ)})")
                report = verify(dst) if verify is not None else None
                if report is not None and not report.ok:
                    raise MigrationFailed(f"the copy into {where} was rolled back: its audit "
                                          f"trail does not verify ({report.problem})")
            src.rollback()
    finally:
        source.dispose()
        target.dispose()
    return Migrated(source=path, target=where, counts=counts, audit=report)


__all__ = ["Migrated", "migrate_to", "refuse_unless_server", "source_file"]
