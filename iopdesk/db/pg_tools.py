"""Backups and restores of a PostgreSQL database with the server's own programs.

A server is backed up with `pg_dump --format=custom` and restored with `pg_restore`: they
know every object of the schema (the pg_trgm extension, the audit trail's triggers and their
functions) without IOPDesk having to list them. They are found in IOPDESK_PG_BIN, on PATH, or
in /usr/lib/postgresql/<newest>/bin; when missing, the refusal names what to install.

As with SQLite backups (db.backup), a dump is written under a hidden temporary name and takes
its backup's name only after pg_dump succeeded and pg_restore read the whole archive back;
beside it a record (`<backup>.json`) keeps the schema revision, the row counts and where the
audit trail ended, all read in the very snapshot pg_dump copied (an exported snapshot), so a
restore can hold the archive against its record. A restore runs in one transaction
(`--single-transaction`): it either replaces everything or leaves the database as it was, and
the database is dumped first, as a backup of its own.

The URL's password never reaches a command line (every user of the machine can read those):
the programs get it in PGPASSWORD.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from iopdesk.db.audit_protection import PG_TRIGGER_QUERY, pg_protection_problems
from iopdesk.db.backup_files import (DUMP_SUFFIX, HEAD_COLUMNS, PARTIAL_MARK, BackupInfo,
                                     check_against_record, is_pg_archive, process_alive,
                                     record_path, rotate_backups, store_record)
from iopdesk.db.engine import make_engine
from iopdesk.db.migrate import no_database, refuse_if_newer, stored_revision
from iopdesk.db.models import Base
from iopdesk.db.private_files import create_private_file, ensure_private_dir, flush_to_disk
from iopdesk.db.urls import server_failure, without_password
from iopdesk.domain.errors import DatabaseUnusable, ToolMissing

PG_BIN_ENV = "IOPDESK_PG_BIN"
DEBIAN_PROGRAMS = Path("/usr/lib/postgresql")     # <version>/bin of Debian's packages
LOCK_WAIT_MS = 30_000               # a backup waits this long for workstations' locks
INSTALL = ("install the PostgreSQL client programs of the server's version or newer "
           "(Debian/Ubuntu: apt install postgresql-client; macOS: brew install libpq; Windows: "
           f"the PostgreSQL installer's command line tools), or name their folder in {PG_BIN_ENV}")


# -- the programs ----------------------------------------------------------------------------

def _major(program: Path) -> int:
    name = program.parent.parent.name
    return int(name) if name.isdigit() else 0


def find_program(name: str) -> Path:
    """`pg_dump` or `pg_restore`: in IOPDESK_PG_BIN when set, else on PATH, else in the
    newest /usr/lib/postgresql/<version>/bin; ToolMissing, naming what to install, if none."""
    exe = name + (".exe" if os.name == "nt" else "")
    chosen = os.environ.get(PG_BIN_ENV)
    if chosen:
        if (Path(chosen) / exe).is_file():
            return Path(chosen) / exe
        raise ToolMissing(f"{name} is not in {chosen} (named by {PG_BIN_ENV}): {INSTALL}; "
                          "nothing was changed")
    found = shutil.which(name)
    if found:
        return Path(found)
    versions = sorted(DEBIAN_PROGRAMS.glob(f"*/bin/{exe}"), key=_major)
    if versions:
        return versions[-1]
    raise ToolMissing(f"{name} was not found on PATH or in /usr/lib/postgresql/*/bin; backups "
                      f"of a PostgreSQL database need it: {INSTALL}; nothing was changed")


def _connection(url: str) -> tuple[list[str], dict[str, str]]:
    """The `--dbname` arguments (a conninfo without the password) and the environment (the
    password in PGPASSWORD, a lock timeout in PGOPTIONS) for a program to reach `url`."""
    from psycopg.conninfo import make_conninfo

    parsed = make_url(url)
    query = {k: v for k, v in parsed.query.items() if isinstance(v, str)}
    password = parsed.password or query.pop("password", None)
    info = {"dbname": parsed.database, "user": parsed.username, "host": parsed.host,
            "port": parsed.port, **query}
    conninfo = make_conninfo(**{k: str(v) for k, v in info.items() if v not in (None, "")})
    env = dict(os.environ)
    # (pg_restore sets its own lock_timeout of 0: it is kept from others by
    # _refuse_while_in_use)
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={LOCK_WAIT_MS}".strip()
    if password:
        env["PGPASSWORD"] = str(password)
    return ["--dbname", conninfo], env


def _run(program: Path, args: list[str], env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([str(program), *args], env=env, capture_output=True, text=True,
                              errors="replace", stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise ToolMissing(f"{program} cannot be run ({exc.strerror or exc}): {INSTALL}; "
                          "nothing was changed") from exc


def _failure(program: Path, url: str, stderr: str) -> str:
    """What a program's complaint means, in one line."""
    text = " ".join(stderr.split())
    for lead in (f"{program.name}: error: ", f"{program.name}: "):
        text = text.removeprefix(lead)
    if "server version mismatch" in text:
        return f"{program} is older than the database server ({text}): {INSTALL}"
    if "connection to server" in text or "could not connect" in text:
        return server_failure(url, text)
    if "lock timeout" in text:
        return ("other workstations are using the database (a lock was not given up within "
                f"{LOCK_WAIT_MS // 1000} seconds): close IOPDesk on them and try again")
    return f"{program.name} failed: {text[:300] or 'no message'}"


# -- what a database holds, read in one snapshot ---------------------------------------------

@dataclass(frozen=True)
class ServerState:
    revision: str
    audit_head: dict | None
    unprotected: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)


def server_stem(url: str) -> str:
    """The name a server database's backups begin with: the database's name."""
    return Path(make_url(url).database or "iopdesk").stem


def read_state(conn) -> ServerState:
    """Revision, audit head, audit protection and row counts, as `conn` sees them."""
    revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    names = set(inspect(conn).get_table_names())
    head = None
    if "audit_chain_head" in names and set(HEAD_COLUMNS) <= {
            c["name"] for c in inspect(conn).get_columns("audit_chain_head")}:
        row = conn.exec_driver_sql(f"SELECT {', '.join(HEAD_COLUMNS)} FROM audit_chain_head "
                                   "WHERE id = 1").first()
        head = dict(zip(HEAD_COLUMNS, row)) if row else None
    problems = pg_protection_problems(conn.exec_driver_sql(PG_TRIGGER_QUERY).all(), revision)
    counts = {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
              for name, table in Base.metadata.tables.items() if name in names}
    return ServerState(revision, head, tuple(problems), counts)


@contextmanager
def _snapshot(url: str) -> Iterator[tuple[str, ServerState]]:
    """An exported snapshot of the IOPDesk database at `url` (for `pg_dump --snapshot`), held
    while the block runs, and what it holds."""
    engine = make_engine(url)
    try:
        if stored_revision(engine) is None:       # a server that cannot be used is told here
            raise no_database(without_password(url), ": it holds no tables yet")
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
                yield snapshot, read_state(conn)
    finally:
        engine.dispose()


# -- backup ----------------------------------------------------------------------------------

def _remove_abandoned(backup_dir: Path) -> None:
    for partial in backup_dir.glob(f".*{DUMP_SUFFIX}{PARTIAL_MARK}*"):
        pid = partial.name.rsplit(PARTIAL_MARK, 1)[-1]
        if not (pid.isdigit() and int(pid) != os.getpid() and process_alive(int(pid))):
            partial.unlink(missing_ok=True)


def backup_server(url: str, backup_dir: Path, *, keep: int = 10, label: str = "") -> BackupInfo:
    """Dump the database at `url` to a timestamped, verified, owner-only archive in
    `backup_dir` with its record beside it; keep the newest `keep` dumps of it."""
    dump, restore = find_program("pg_dump"), find_program("pg_restore")
    stem = server_stem(url)
    ensure_private_dir(backup_dir)
    _remove_abandoned(backup_dir)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    target = backup_dir / f"{stem}-{stamp}{'-' + label if label else ''}{DUMP_SUFFIX}"
    partial = backup_dir / f".{target.name}{PARTIAL_MARK}{os.getpid()}"
    dbname, env = _connection(url)
    try:
        create_private_file(partial)
        with _snapshot(url) as (snapshot, state):
            done = _run(dump, ["--format=custom", "--no-password", f"--snapshot={snapshot}",
                               f"--file={partial}", *dbname], env)
        if done.returncode != 0:
            raise DatabaseUnusable(f"the backup was not made: {_failure(dump, url, done.stderr)}")
        read_archive(partial, restore, what="The new backup")
        flush_to_disk(partial)
        info = BackupInfo(path=target, revision=state.revision, size=partial.stat().st_size,
                          audit_head=state.audit_head, unprotected=state.unprotected)
        store_record(target, {
            "format": 1, "kind": "pg_dump", "database": without_password(url),
            "revision": info.revision, "size": info.size, "encrypted": False,
            "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "audit_head": info.audit_head, "audit_unprotected": list(info.unprotected),
            "rows": state.counts})
        os.replace(partial, target)
        flush_to_disk(backup_dir)
    except BaseException:
        partial.unlink(missing_ok=True)
        if not target.exists():
            record_path(target).unlink(missing_ok=True)
        raise
    rotate_backups(backup_dir, stem, keep, suffix=DUMP_SUFFIX)
    return info


# -- reading an archive ----------------------------------------------------------------------

def read_archive(path: Path, restore: Path, *, what: str = "The file") -> BackupInfo:
    """Check that `path` is a whole pg_dump custom archive of an IOPDesk database this
    version can restore (pg_restore reads all of it), and what its data says: revision and
    the end of its audit trail."""
    lead = f"{what} {path}"
    if not path.is_file():
        raise DatabaseUnusable(f"{lead} does not exist" if not path.exists()
                               else f"{lead} is a folder, not a backup file")
    size = path.stat().st_size
    if size == 0:
        raise DatabaseUnusable(f"{lead} is empty")
    if not is_pg_archive(path):
        raise DatabaseUnusable(f"{lead} is not a pg_dump archive (the backups of a PostgreSQL "
                               "database are; an SQLite backup goes into an SQLite database, "
                               "or to a server with `iopdesk db migrate-to`); nothing was "
                               "changed")
    whole = _run(restore, [f"--file={os.devnull}", str(path)])
    if whole.returncode != 0:
        detail = " ".join(whole.stderr.split())[:300]
        raise DatabaseUnusable(f"{lead} is damaged or incomplete (pg_restore cannot read it: "
                               f"{detail}); nothing was changed")
    data = _run(restore, ["--data-only", "--table=alembic_version",
                          "--table=audit_chain_head", "--file=-", str(path)])
    tables = _copied_rows(data.stdout)
    revision = next((row["version_num"] for row in tables.get("alembic_version", [])), None)
    if revision is None:
        raise DatabaseUnusable(f"{lead} is not a backup of an IOPDesk database (it holds no "
                               "schema revision); nothing was changed")
    refuse_if_newer(revision, where=lead)
    heads = tables.get("audit_chain_head", [])
    head = None
    if heads and set(HEAD_COLUMNS) <= set(heads[0]):
        head = {c: heads[0][c] for c in HEAD_COLUMNS}
        for number in ("last_event_id", "chained_after"):
            head[number] = int(head[number])
    return BackupInfo(path=path, revision=revision, size=size, audit_head=head)


def _copied_rows(script: str) -> dict[str, list[dict[str, str | None]]]:
    """The rows of each `COPY table (columns) FROM stdin;` block of a pg_restore script."""
    tables: dict[str, list[dict[str, str | None]]] = {}
    lines = iter(script.splitlines())
    for line in lines:
        if not line.startswith("COPY ") or "FROM stdin" not in line:
            continue
        table = line[5:].split(" ", 1)[0].split(".")[-1].strip('"')
        columns = [c.strip().strip('"') for c in line.split("(", 1)[1].split(")", 1)[0].split(",")]
        rows = tables.setdefault(table, [])
        for row in lines:
            if row == "\\.":
                break
            values = [None if v == "\\N" else v.replace("\\t", "\t").replace("\\\\", "\\")
                      for v in row.split("\t")]
            rows.append(dict(zip(columns, values)))
    return tables


# -- restore ---------------------------------------------------------------------------------

def _refuse_while_in_use(engine, url: str) -> None:
    """A restore replaces every table: not under workstations that have the database open
    (pg_restore would wait for their locks as long as they keep them)."""
    with engine.connect() as conn:
        others = conn.exec_driver_sql(
            "SELECT coalesce(nullif(application_name, ''), host(client_addr), 'local') "
            "FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'").scalars().all()
    if others:
        names = ", ".join(sorted(set(others))[:4])
        count = f"{len(others)} other connection" + (" has" if len(others) == 1 else "s have")
        raise DatabaseUnusable(f"{count} {without_password(url)} open ({names}): close "
                               "IOPDesk on the other workstations, then restore; nothing was "
                               "changed")


def restore_server(url: str, backup_file: Path, backup_dir: Path, *, keep: int = 10
                   ) -> BackupInfo:
    """Replace the database at `url` with the pg_dump archive `backup_file` after checking it
    (and its record); the database is dumped first (label before-restore). One transaction:
    a restore that fails leaves the database as it was."""
    restore = find_program("pg_restore")
    info = read_archive(backup_file, restore, what="The backup")
    check_against_record(info)
    engine = make_engine(url)
    try:
        current = stored_revision(engine)      # refuses another program's, and bad URLs
        _refuse_while_in_use(engine, url)
    finally:
        engine.dispose()
    if current is not None:
        backup_server(url, backup_dir, keep=keep + 1, label="before-restore")
    dbname, env = _connection(url)
    done = _run(restore, ["--clean", "--if-exists", "--no-owner", "--single-transaction",
                          "--exit-on-error", "--no-password", *dbname, str(backup_file)], env)
    if done.returncode != 0:
        raise DatabaseUnusable(f"the restore failed and was rolled back, the database is as it "
                               f"was: {_failure(restore, url, done.stderr)}")
    return info


__all__ = ["PG_BIN_ENV", "ServerState", "backup_server", "find_program", "read_archive",
           "read_state", "restore_server", "server_stem"]
