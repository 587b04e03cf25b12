"""`iopdesk demo`, `db backup`, `db encrypt` and `db upgrade` killed with SIGKILL mid-way.

Each command runs as its own process, exactly as `python -m iopdesk ...` runs it (forked from
the fault server, so that several kill moments per command fit in the suite's time), with
IOPDESK_DATA_DIR, IOPDESK_CONFIG_DIR and IOPDESK_DATABASE_URL pointing into the test's folder.
One run to the end measures how long the command takes here; then it is killed at moments
spread over that time (the demo, a long one: a moment after one of its progress lines), each
in a fresh copy of the starting state. After every kill:

- the database either opens — `iopdesk db check` exits 0 and `iopdesk audit verify` too — or
  is refused with one clear line (a non-zero exit, no traceback);
- every file listed as a backup is whole (it verifies), and a copy cut short that is left
  behind is refused by `iopdesk db restore` in one line, the database unchanged;
- running the command again finishes the job (encrypt, upgrade).

What each kill found is printed (`pytest -s`) for the record.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support import AUDIT_KEY, forget_attendance_history

from iopdesk.db.backup import list_backups, verify_database_file
from iopdesk.db.crypto import is_encrypted
from iopdesk.db.engine import sqlite_url
from iopdesk.db.migrate import REVISIONS, run_migrations

PASSPHRASE = "a long fault passphrase"
OLD_REVISION = REVISIONS[-4]
# The kill moments are spread over this share of one run's time (a run timed once may have
# been slow: a moment past the end of the next one is wasted).
SPREAD = 0.8
STAGE_KILL = 0.5          # seconds after a progress line of the demo
DEMO_STAGES = 6           # the demo's progress lines, "preparing staff accounts" to "done"


@dataclass
class Place:
    """A practice's files: its database, data and configuration folders."""

    root: Path
    database: Path
    observed: list[str] = field(default_factory=list)

    @property
    def backups(self) -> Path:
        return self.database.parent / "backups"

    def env(self, *, passphrase: bool = False) -> dict[str, str | None]:
        return {"IOPDESK_DATA_DIR": str(self.root / "data"),
                "IOPDESK_CONFIG_DIR": str(self.root / "config"),
                "IOPDESK_DATABASE_URL": sqlite_url(self.database),
                "IOPDESK_WORKSTATION": "fault-desk",
                "IOPDESK_NEW_PASSPHRASE": PASSPHRASE,
                "IOPDESK_PASSPHRASE": PASSPHRASE if passphrase else None}


def _place(root: Path, source: Path | None) -> Place:
    """A fresh folder holding a copy of `source` (none: no database yet) and the audit key
    the test databases are signed with."""
    root.mkdir(parents=True)
    (root / "config").mkdir(mode=0o700)
    key = root / "config" / "audit-hmac.key"
    key.write_text(AUDIT_KEY.hex() + "\n", encoding="ascii")
    key.chmod(0o600)
    database = root / "practice" / "practice.sqlite3"
    database.parent.mkdir(mode=0o700)
    if source is not None:
        shutil.copyfile(source, database)
        database.chmod(0o600)
    return Place(root, database)


def cli(fork_server, place: Place, *argv: str, kill_after: float | None = None,
        passphrase: bool = False):
    return fork_server.run("cli", kill_after=kill_after, argv=list(argv),
                           env=place.env(passphrase=passphrase))


def one_clear_line(outcome) -> str:
    """A command that failed: a non-zero exit, and one line saying why (no traceback)."""
    assert outcome.exit_code not in (0, None), outcome
    assert "Traceback" not in outcome.err, outcome.err
    lines = outcome.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("iopdesk: error: "), outcome.err
    return lines[0]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def check_after_kill(fork_server, place: Place) -> str:
    """The database opens and verifies, or is refused in one line; listed backups are whole;
    a copy cut short is refused by restore. Returns what was seen."""
    encrypted = place.database.exists() and is_encrypted(place.database)
    check = cli(fork_server, place, "db", "check", passphrase=encrypted)
    if check.exit_code == 0:
        verified = cli(fork_server, place, "audit", "verify", passphrase=encrypted)
        assert verified.exit_code == 0, verified
        seen = "opens, checks and verifies" + (" (encrypted)" if encrypted else "")
    else:
        seen = "refused: " + one_clear_line(check).removeprefix("iopdesk: error: ")
    for backup in list_backups(place.backups, place.database.stem):
        verify_database_file(backup, what="The backup",
                             passphrase=PASSPHRASE if is_encrypted(backup) else None)
    leftovers = [p for p in place.backups.glob(".*")
                 if not p.name.endswith(("-journal", "-wal", "-shm", ".json.tmp"))] \
        if place.backups.exists() else []
    for partial in leftovers:
        before = _digest(place.database)
        restore = cli(fork_server, place, "db", "restore", str(partial), passphrase=encrypted)
        if restore.exit_code == 0:
            # Not cut short after all: the copy was whole (killed before it was renamed).
            seen += f"; a whole unnamed copy {partial.name} restored"
        else:
            one_clear_line(restore)
            assert _digest(place.database) == before
            seen += f"; the copy cut short {partial.name} is refused"
    return seen


def kill_at_moments(fork_server, tmp_path: Path, name: str, source: Path | None,
                    argv: tuple[str, ...], moments: int, seed: int, after=None,
                    stages: int = 0) -> list[str]:
    """Kill the command at `moments` moments, each in a fresh place, and check each;
    `after(place, seen)` runs the command's own follow-up. Returns the observations.

    The moments are spread over the time one run to the end takes here; or, for a command
    that prints `stages` progress lines (the demo), they fall a moment after a line drawn
    from those (no run to the end first: it is a long one)."""
    chance = random.Random(seed)
    duration = 0.0 if stages else _duration(fork_server, _place(tmp_path / f"{name}-whole",
                                                                 source), argv)
    observed = []
    for moment in range(moments):
        place = _place(tmp_path / f"{name}-{moment}", source)
        if stages:
            line = chance.randrange(stages) if moments > stages else \
                chance.sample(range(stages), moments)[moment]
            outcome, when = _kill_after_line(fork_server, place, argv, line, chance)
        else:
            delay = SPREAD * duration * (moment + chance.random()) / moments
            outcome = cli(fork_server, place, *argv, kill_after=delay)
            when = f"{delay:.2f} s of {duration:.2f} s"
        if not outcome.killed:
            assert outcome.exit_code == 0, outcome
        seen = check_after_kill(fork_server, place)
        if after is not None:
            seen = after(place, seen)
        observed.append(f"{name} killed at {when}"
                        f"{'' if outcome.killed else ' (it had finished)'}: {seen}")
    print("\n".join(observed))
    return observed


def _kill_after_line(fork_server, place: Place, argv, line: int, chance: random.Random):
    """Run the command; kill it up to STAGE_KILL seconds after its progress line `line`."""
    started = fork_server.start(("cli", {"argv": list(argv), "env": place.env()}))
    out = started[0][1]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if out.exists() and out.read_bytes().count(b"\n") > line:
            break
        time.sleep(0.002)
    delay = chance.uniform(0, STAGE_KILL)
    [outcome] = fork_server.finish(started, kill_after=delay)
    return outcome, f"{delay:.2f} s after its progress line {line + 1}"


def _duration(fork_server, place: Place, argv) -> float:
    """How long the command takes here, run to its end (which it must reach)."""
    started = time.monotonic()
    outcome = cli(fork_server, place, *argv)
    took = time.monotonic() - started
    assert outcome.exit_code == 0, outcome
    assert check_after_kill(fork_server, place).startswith("opens")
    return took


def _settled(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


# -- the commands ----------------------------------------------------------------------------

def test_kill_during_demo(fork_server, fault_cycles, tmp_path):
    again: list[Place] = []

    def build_again_once(place: Place, seen: str) -> str:
        if again:                # a whole second build is costly: after the first kill only
            return seen
        again.append(place)
        rebuilt = cli(fork_server, place, "demo", "--as-of", "2026-11-16")
        assert rebuilt.exit_code == 0, rebuilt
        assert check_after_kill(fork_server, place).startswith("opens")
        return seen + "; `iopdesk demo` again builds it"

    kill_at_moments(fork_server, tmp_path, "demo", None, ("demo", "--as-of", "2026-11-16"),
                    fault_cycles(3), seed=41, after=build_again_once, stages=DEMO_STAGES)


def test_kill_during_db_backup(fork_server, fault_cycles, demo_db, tmp_path):
    kill_at_moments(fork_server, tmp_path, "backup", _settled(demo_db), ("db", "backup"),
                    fault_cycles(5), seed=42)


def test_kill_during_db_encrypt(fork_server, fault_cycles, demo_db, tmp_path):
    def encrypt_again(place: Place, seen: str) -> str:
        if is_encrypted(place.database):
            return seen
        again = cli(fork_server, place, "db", "encrypt")
        assert again.exit_code == 0, again
        assert is_encrypted(place.database)
        return seen + "; still plain, and `db encrypt` again encrypts it"

    source = _place(tmp_path / "source", _settled(demo_db))
    backed = cli(fork_server, source, "db", "backup")     # a backup to encrypt as well
    assert backed.exit_code == 0, backed
    kill_at_moments(fork_server, tmp_path, "encrypt", source.database, ("db", "encrypt"),
                    fault_cycles(4), seed=43, after=encrypt_again)


@pytest.fixture
def old_database(demo_db) -> Path:
    """The demo practice at an older schema revision."""
    forget_attendance_history(sqlite_url(demo_db))
    run_migrations(sqlite_url(demo_db), OLD_REVISION, downgrade=True)
    return _settled(demo_db)


def test_kill_during_db_upgrade(fork_server, fault_cycles, old_database, tmp_path):
    def upgrade_again(place: Place, seen: str) -> str:
        conn = sqlite3.connect(place.database)
        try:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        finally:
            conn.close()
        seen += f" (at revision {revision})"
        again = cli(fork_server, place, "db", "upgrade")
        assert again.exit_code == 0, again
        verified = cli(fork_server, place, "audit", "verify")
        assert verified.exit_code == 0, verified
        return seen + "; `db upgrade` again finishes it and the trail verifies"

    kill_at_moments(fork_server, tmp_path, "upgrade", old_database, ("db", "upgrade"),
                    fault_cycles(4), seed=44, after=upgrade_again)


def test_kill_during_db_encrypt_right_after_the_database_is_encrypted(fork_server, demo_db,
                                                                      tmp_path):
    """The moment between the database's encryption and its backups': killed there, the
    backups made before must not stay plain for good without a word."""
    place = _place(tmp_path / "targeted", _settled(demo_db))
    backed = cli(fork_server, place, "db", "backup")
    assert backed.exit_code == 0, backed
    [backup] = list_backups(place.backups, place.database.stem)
    started = fork_server.start(("cli", {"argv": ["db", "encrypt"], "env": place.env()}))
    deadline = time.monotonic() + 120
    while not is_encrypted(place.database) and time.monotonic() < deadline:
        time.sleep(0.0005)
    [outcome] = fork_server.finish(started, kill_after=0)
    assert is_encrypted(place.database)
    seen = check_after_kill(fork_server, place)
    assert seen.startswith("opens"), seen
    if outcome.killed and not is_encrypted(backup):
        # BUG (encrypt killed between the database and its backups): the backup stayed
        # plain, and `iopdesk db encrypt` run again only said the database "is already
        # encrypted": the plain copy of the records was left with nothing to say so. Fixed
        # when encrypt, run again, encrypts the backups still plain (see the patch to
        # iopdesk/cli/db_commands.py in the fault-suite report).
        again = cli(fork_server, place, "db", "encrypt", passphrase=True)
        assert again.exit_code == 0, again
        assert is_encrypted(backup), again
        verify_database_file(backup, what="The backup", passphrase=PASSPHRASE)
    print(f"encrypt killed as the database became encrypted: {seen}; the backup "
          f"{'was still plain' if outcome.killed else 'was done'}")
