"""A throw-away PostgreSQL server for the tests: made in a temporary folder with the machine's
own server programs (`initdb`, `pg_ctl`: on PATH, or in /usr/lib/postgresql/<version>/bin),
listening on a Unix socket only, torn down at the end.

PostgreSQL refuses to run as root: as root (CI), the server runs as an unprivileged account
of the system (`nobody`, through `runuser`), in a folder that account owns.

When no server can be started, `PgUnavailable` says why. The tests that need one then fail in
CI (`CI=true`): a missing PostgreSQL must never pass quietly as a skipped half of the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER = "postgres"                   # the server's superuser, trusted on its socket only
UNPRIVILEGED = "nobody"


class PgUnavailable(RuntimeError):
    """No PostgreSQL server could be started here; the message says why."""


def server_programs() -> Path:
    """The folder of `initdb`, `pg_ctl` and `postgres`."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                      else 0)
    if versions:
        return versions[-1].parent
    raise PgUnavailable("no PostgreSQL server programs (pg_ctl) on PATH or in "
                        "/usr/lib/postgresql/*/bin; install the postgresql package")


@dataclass
class PgServer:
    folder: Path                    # holds the data folder, the socket and the log
    programs: Path
    as_user: str | None             # the account the server runs as, when we are root

    @property
    def socket_dir(self) -> Path:
        return self.folder

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@/{database}?host={self.socket_dir}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.programs / args[0]), *args[1:]]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PgUnavailable(f"{args[0]} failed ({done.returncode}): "
                                f"{done.stderr.strip() or done.stdout.strip()}\n{tail}")
        return done

    def start(self) -> None:
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", USER, "-E", "UTF8",
                  "--locale=C", "--no-sync")
        options = (f"-k {self.socket_dir} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(data), "-o", options, "-l",
                  str(self.folder / "server.log"), "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop",
                  check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new, empty database (a copy of `template` when given); its URL."""
        import psycopg

        with psycopg.connect(host=str(self.socket_dir), user=USER, dbname="postgres",
                             autocommit=True) as conn:
            copy = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(host=str(self.socket_dir), user=USER, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server() -> PgServer:
    """A running server in a new temporary folder (PgUnavailable when none can run)."""
    programs = server_programs()
    as_user = UNPRIVILEGED if os.geteuid() == 0 else None
    if as_user and shutil.which("runuser") is None:
        raise PgUnavailable("running as root, and there is no runuser to start PostgreSQL as "
                            "an unprivileged account")
    folder = Path(tempfile.mkdtemp(prefix="iopdesk-pg-"))
    if as_user:
        shutil.chown(folder, user=as_user)
    folder.chmod(0o700)
    server = PgServer(folder, programs, as_user)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server
