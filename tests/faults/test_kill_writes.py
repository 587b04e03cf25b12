"""A committed write survives a kill -9 of the process that made it.

A writer process opens the practice through the real services (the audit key from its file,
the high-water mark beside it) and writes without end: registrations, contacts, consents,
admissions, intake drafts saved over and over, audit events. It prints each write right after
the service call returned, that is after the commit. It is killed with SIGKILL at a random
moment — while it opens the database, between two writes, in the middle of a commit — and
then, every time: every write it reported is there, the database is whole (`PRAGMA
integrity_check`), and the audit chain verifies, held against its high-water mark.

The writers come from a fork server (fault_server.py): each is a process of its own, started
in a millisecond instead of the second or two Python takes to import the services.
"""

from __future__ import annotations

import random
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from fault_jobs import STAFF, missing_writes, prepare_practice, reported, verify_trail

from iopdesk.db.engine import sqlite_url
from iopdesk.services.audit_chain import load_or_create_key

# The moment of the kill. One writer in OPENING is killed while it opens the database, at a
# moment uniform in its first OPENING_KILL seconds. The others are killed once they have
# reported a number of writes drawn from 0-MOST_WRITES, a moment later drawn uniformly from
# about the time one write takes (as this machine does them now): between writes and inside
# commits alike, whatever the machine's speed.
OPENING = 8
OPENING_KILL = 0.15
MOST_WRITES = 8        # a round of the writer is 8 writes: every kind is reached


@dataclass
class Tally:
    cycles: int = 0
    killed: int = 0
    before_first_write: int = 0
    confirmed: int = 0

    def line(self, engine: str) -> str:
        return (f"{engine}: {self.cycles} kill cycles ({self.killed} killed mid-run, "
                f"{self.before_first_write} before their first write), {self.confirmed} "
                "writes confirmed, none lost (each kill is checked at once)")


def _integrity(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()


class Killer:
    """Picks the moment of each kill, learning how long a write takes here."""

    def __init__(self, chance: random.Random):
        self.chance = chance
        self.write_time = 0.05

    def kill(self, fork_server, started, cycle: int):
        if cycle % OPENING == 0:
            return fork_server.finish(started, kill_after=self.chance.uniform(0, OPENING_KILL))
        out = started[0][1]
        writes = self.chance.randint(0, MOST_WRITES)
        first = last = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            lines = out.read_bytes().count(b"\n") if out.exists() else 0
            if lines >= 1 and first is None:
                first = time.monotonic()
            if lines >= 1 + writes:
                last = time.monotonic()
                break
            time.sleep(0.002)
        if first is not None and last is not None and writes:
            self.write_time = 0.7 * self.write_time + 0.3 * (last - first) / writes
        return fork_server.finish(started,
                                  kill_after=self.chance.uniform(0, 1.5 * self.write_time))


def kill_cycles(fork_server, practice: dict, key_path: Path, cycles: int, *, seed: int,
                db_file: Path | None = None) -> Tally:
    """Run and kill the writer `cycles` times, checking the database after each kill."""
    chance = random.Random(seed)
    killer = Killer(chance)
    tally = Tally()
    for cycle in range(cycles):
        started = fork_server.start(("write", {
            "practice": practice, "key_path": str(key_path), "cycle": cycle,
            "seed": chance.randrange(1 << 30)}))
        [outcome] = killer.kill(fork_server, started, cycle)
        assert outcome.killed, f"the writer ended by itself (exit {outcome.exit_code}):\n" \
                               f"{outcome.err}"
        assert "Traceback" not in outcome.err, outcome.err
        writes = [(kind, value) for kind, value in reported(outcome.out)
                  if kind not in ("open", "done")]
        lost = missing_writes(practice["url"], writes)
        assert lost == [], f"cycle {cycle}: writes reported as committed are gone: {lost}"
        if db_file is not None:
            assert _integrity(db_file) == [("ok",)], f"cycle {cycle}"
        report = verify_trail(practice["url"], str(key_path))
        assert report.problem is None, f"cycle {cycle}: {report.problem}"
        tally.cycles += 1
        tally.killed += outcome.killed
        tally.before_first_write += not writes
        tally.confirmed += len(writes)
    return tally


def _practice(url: str, key_path: Path) -> dict:
    """The practice the writers work in, at `url` (migrated, or empty to be migrated)."""
    load_or_create_key(key_path)
    return prepare_practice(url, STAFF)


def _checked(tally: Tally, engine: str) -> None:
    print(tally.line(engine))
    # Not a test that cannot fail: most kills must have come after writes were made.
    assert tally.confirmed >= tally.cycles, tally.line(engine)
    assert tally.before_first_write < tally.cycles / 2, tally.line(engine)


def test_kill_9_loses_no_committed_write_on_sqlite(fork_server, fault_cycles, db_path,
                                                     tmp_path):
    path = db_path
    key_path = tmp_path / "config" / "audit-hmac.key"
    practice = _practice(sqlite_url(path), key_path)
    tally = kill_cycles(fork_server, practice, key_path, fault_cycles(200), seed=12,
                        db_file=path)
    _checked(tally, "SQLite")


def test_kill_9_loses_no_committed_write_on_postgresql(fork_server, fault_cycles, pg_url,
                                                         tmp_path):
    key_path = tmp_path / "config" / "audit-hmac.key"
    practice = _practice(pg_url, key_path)
    tally = kill_cycles(fork_server, practice, key_path, fault_cycles(20), seed=13)
    _checked(tally, "PostgreSQL")
