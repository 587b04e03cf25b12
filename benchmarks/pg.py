"""A PostgreSQL server for the benchmarks, and the large demo practice built into it once.

The server is the tests' throw-away kind (tests/pg_server.py, loaded by path: the benchmarks
are no package of the tests): the machine's own server programs, a Unix socket only, trust
authentication, `nobody` as the account when we are root, and the tests' settings (fsync,
synchronous_commit and full_page_writes off). Unlike the tests' server, its data folder stays
in benchmarks/.data/pg between runs, so the large demo is built into it only once (it takes
minutes); each run works on a copy of that database made from it as a template, so what a run
registers is gone with the copy.

When no server can be started, `PgUnavailable` says why: the benchmarks then skip their
PostgreSQL half with that reason (benchmarks are no tests).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import ModuleType

FOLDER_NAME = "pg"                      # under the benchmarks' data folder
TEMPLATE = "iopdesk_large"              # the demo, as built; never changed after
WORK = "iopdesk_bench"                  # this run's copy
OPTIONS = ("-c listen_addresses='' -c fsync=off -c synchronous_commit=off "
           "-c full_page_writes=off -c max_connections=50")
_TESTS_SERVER = Path(__file__).resolve().parent.parent / "tests" / "pg_server.py"


def tests_server() -> ModuleType:
    """tests/pg_server.py, loaded from its path."""
    name = "iopdesk_bench_pg_server"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, _TESTS_SERVER)
    if spec is None or spec.loader is None or not _TESTS_SERVER.exists():
        raise RuntimeError(f"{_TESTS_SERVER} is missing: the benchmarks start PostgreSQL "
                           "with the tests' helper")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class BenchServer:
    """A server on the data folder `folder/data` (made by initdb the first time)."""

    def __init__(self, folder: Path):
        pg = tests_server()
        self.unavailable = pg.PgUnavailable
        programs = pg.server_programs()
        as_user = pg.UNPRIVILEGED if os.geteuid() == 0 else None
        if as_user and shutil.which("runuser") is None:
            raise pg.PgUnavailable("running as root, and there is no runuser to start "
                                   "PostgreSQL as an unprivileged account")
        folder.mkdir(parents=True, exist_ok=True)
        copied = None
        if as_user:
            shutil.chown(folder, user=as_user)
            if not pg._reachable_by(as_user, programs):
                copied, programs = pg._copy_for_anyone(programs)
        folder.chmod(0o700)
        self.server = pg.PgServer(folder, programs, as_user, copied)
        self.data = folder / "data"
        self.started_here = False

    def url(self, database: str) -> str:
        return self.server.url(database)

    def version(self) -> str:
        done = self.server._run("postgres", "--version", check=False)
        words = done.stdout.split()      # postgres (PostgreSQL) 15.18 (Debian …)
        return words[2] if done.returncode == 0 and len(words) > 2 else "?"

    def start(self) -> None:
        if not (self.data / "PG_VERSION").exists():
            shutil.rmtree(self.data, ignore_errors=True)
            self.server._run("initdb", "-D", str(self.data), "-A", "trust", "-U",
                             tests_server().USER, "-E", "UTF8", "--locale=C", "--no-sync")
        if self.server._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0:
            return          # left running by a run that was stopped short: use it
        self.server._run("pg_ctl", "-D", str(self.data), "-o",
                         f"-k {self.server.socket_dir} {OPTIONS}", "-l",
                         str(self.server.folder / "server.log"), "-w", "-t", "60", "start")
        self.started_here = True

    def stop(self) -> None:
        """Stop the server (cleanly: its data stays for the next run)."""
        self.server._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop",
                         check=False)
        if self.server.copied is not None:
            shutil.rmtree(self.server.copied, ignore_errors=True)

    def databases(self) -> set[str]:
        import psycopg

        with psycopg.connect(host=str(self.server.socket_dir), user=tests_server().USER,
                             dbname="postgres", autocommit=True) as conn:
            return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}

    def create_database(self, name: str, template: str | None = None) -> str:
        return self.server.create_database(name, template)

    def drop_database(self, name: str) -> None:
        self.server.drop_database(name)


def _marker_path(data_dir: Path) -> Path:
    return data_dir / "pg-large.json"


def ensure_template(server: BenchServer, data_dir: Path, wanted: dict, rebuild: bool,
                    say: Callable[[str], None]) -> float | None:
    """The large demo in database TEMPLATE, built unless a complete one is there (its marker,
    written after the build, says which demo), its schema brought to this IOPDesk's; the
    build's seconds, or None."""
    marker_path = _marker_path(data_dir)
    try:
        marker = json.loads(marker_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        marker = None
    complete = (marker is not None and {k: marker.get(k) for k in wanted} == wanted
                and TEMPLATE in server.databases())
    if complete and not rebuild:
        from iopdesk.db.migrate import run_migrations

        run_migrations(server.url(TEMPLATE))   # built by an older IOPDesk: its schema upgraded
        return None
    from iopdesk.db.migrate import open_database
    from iopdesk.demo import build_demo

    marker_path.unlink(missing_ok=True)
    server.drop_database(TEMPLATE)
    url = server.create_database(TEMPLATE)
    print(f"Building the large demo on PostgreSQL (database {TEMPLATE} in "
          f"{server.server.folder}; minutes)…", file=sys.stderr, flush=True)
    started = time.perf_counter()
    engine = open_database(url, create=True)
    try:
        summary = build_demo(engine, seed=wanted["seed"], size=wanted["size"],
                             as_of=date.fromisoformat(wanted["as_of"]), progress=say)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")    # what autovacuum would do soon
    finally:
        engine.dispose()
    seconds = time.perf_counter() - started
    marker_path.write_text(json.dumps({**wanted, "counts": summary.counts,
                                       "build_seconds": round(seconds, 1)}, indent=2),
                           encoding="utf-8")
    return seconds


def work_copy(server: BenchServer) -> str:
    """A fresh copy of the built demo for this run (a file copy inside the server); its URL."""
    server.drop_database(WORK)
    return server.create_database(WORK, template=TEMPLATE)


def start(data_dir: Path) -> BenchServer:
    """The benchmarks' server, running (PgUnavailable, or another error, when it cannot)."""
    server = BenchServer(data_dir / FOLDER_NAME)
    server.start()
    return server
