"""`python -m benchmarks [--quick] [--rebuild]`: IOPDesk against its floors, on the large demo
(log-in and the encrypted database on the small one).

Every case runs many times in this one (warm) process, IOPDesk and floor interleaved, and
reports medians of `time.perf_counter` differences. Imports are done before timing: the cost of
starting the interpreter and importing is measured elsewhere (see DESIGN §10).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from iopdesk.db.crypto import is_encrypted, remove_with_sidecars
from iopdesk.db.encryption import encrypt_database
from iopdesk.db.engine import make_session_factory, sqlite_url
from iopdesk.db.migrate import open_database
from iopdesk.services import build_services
from iopdesk.services.demo import DEMO_PASSWORD, build_demo
from iopdesk.services.participants import search_query

DATA_DIR = Path(__file__).resolve().parent / ".data"
DATABASE = DATA_DIR / "large.sqlite3"
MARKER = DATA_DIR / "large.json"      # written after a complete build
SEED, SIZE, AS_OF = 1, "large", date(2026, 11, 16)
DATA_FORMAT = 1                       # bump when the demo generator changes the data
BENCH_KEY = bytes(32)                  # the audit key of the benchmark runs
PAGE = 100                            # the participant list's page size
SMALL = DATA_DIR / "small.sqlite3"               # the small demo, plain …
SMALL_ENCRYPTED = DATA_DIR / "small-encrypted.sqlite3"   # … and the same, encrypted
SMALL_MARKER = DATA_DIR / "small.json"
BENCH_PASSPHRASE = "benchmark passphrase, not a secret"


@dataclass(frozen=True)
class Result:
    case: str
    ours: float          # median seconds
    floor: float
    runs: int

    @property
    def ratio(self) -> float:
        return self.ours / self.floor if self.floor else float("inf")


def _say(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _expected_marker() -> dict:
    return {"seed": SEED, "size": SIZE, "as_of": AS_OF.isoformat(), "format": DATA_FORMAT}


def _complete() -> bool:
    if not (DATABASE.exists() and MARKER.exists()):
        return False
    try:
        marker = json.loads(MARKER.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if {k: marker.get(k) for k in _expected_marker()} != _expected_marker():
        return False
    with sqlite3.connect(f"file:{DATABASE}?mode=ro", uri=True) as conn:
        try:
            count = conn.execute("SELECT count(*) FROM participants").fetchone()[0]
        except sqlite3.DatabaseError:
            return False
    return count == marker.get("counts", {}).get("participants")


def ensure_database(rebuild: bool) -> float | None:
    """Build the large demo unless a complete one is there; the build's seconds, or None."""
    if not rebuild and _complete():
        return None
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
    MARKER.unlink(missing_ok=True)
    print(f"Building the large demo database at {DATABASE} (a few minutes)…", file=sys.stderr)
    started = time.perf_counter()
    engine = open_database(sqlite_url(DATABASE))
    try:
        summary = build_demo(engine, seed=SEED, size=SIZE, as_of=AS_OF, progress=_say)
    finally:
        engine.dispose()
    seconds = time.perf_counter() - started
    MARKER.write_text(json.dumps({**_expected_marker(), "counts": summary.counts,
                                  "build_seconds": round(seconds, 1)}, indent=2),
                      encoding="utf-8")
    return seconds


def _small_marker() -> dict:
    return {"seed": SEED, "size": "small", "as_of": AS_OF.isoformat(), "format": DATA_FORMAT}


def ensure_small(rebuild: bool) -> None:
    """The small demo, plain and encrypted with BENCH_PASSPHRASE (seconds to build)."""
    try:
        marker = json.loads(SMALL_MARKER.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        marker = None
    if (not rebuild and marker == _small_marker() and SMALL.exists()
            and is_encrypted(SMALL_ENCRYPTED)):
        return
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    SMALL_MARKER.unlink(missing_ok=True)
    for path in (SMALL, SMALL_ENCRYPTED):
        remove_with_sidecars(path)
    print(f"Building the small demo at {SMALL} and an encrypted copy…", file=sys.stderr)
    engine = open_database(sqlite_url(SMALL))
    try:
        build_demo(engine, seed=SEED, size="small", as_of=AS_OF)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    shutil.copyfile(SMALL, SMALL_ENCRYPTED)
    encrypt_database(sqlite_url(SMALL_ENCRYPTED), BENCH_PASSPHRASE, DATA_DIR / "backups")
    SMALL_MARKER.write_text(json.dumps(_small_marker(), indent=2), encoding="utf-8")


def measure(ours: Callable[[], object], floor: Callable[[], object], runs: int,
            case: str) -> Result:
    ours(), floor()   # warm both paths (statement caches, page cache)
    ours_times, floor_times = [], []
    for _ in range(runs):
        for fn, times in ((ours, ours_times), (floor, floor_times)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return Result(case, statistics.median(ours_times), statistics.median(floor_times), runs)


def bench_open(url: str, runs: int) -> Result:
    def ours() -> None:
        engine = open_database(url)
        try:
            build_services(make_session_factory(engine), "bench",
                           audit_key=BENCH_KEY).staff.practice_name()
        finally:
            engine.dispose()

    def floor() -> None:
        conn = sqlite3.connect(DATABASE)
        conn.execute("SELECT name FROM practices LIMIT 1").fetchone()
        conn.close()

    return measure(ours, floor, runs, "open database at start")


def bench_login(runs: int) -> Result:
    """The log-in service (user look-up, argon2 verify, lockout bookkeeping, audit event in
    the same transaction) against argon2's verify of the same stored hash."""
    from argon2 import PasswordHasher

    engine = open_database(sqlite_url(SMALL))
    services = build_services(make_session_factory(engine), "bench", audit_key=BENCH_KEY,
                              today=lambda: AS_OF)
    with engine.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT password_hash FROM staff_users WHERE username = 'frontdesk'").scalar_one()
    hasher = PasswordHasher()

    def ours() -> None:
        services.staff.log_in("frontdesk", DEMO_PASSWORD)

    def floor() -> None:
        hasher.verify(stored, DEMO_PASSWORD)

    try:
        return measure(ours, floor, runs, "log-in (argon2 verify)")
    finally:
        engine.dispose()


def bench_open_encrypted(runs: int) -> Result:
    """Opening the encrypted small demo and its first query, against the same on the plain
    copy: the ratio is what encryption costs at start (mostly SQLCipher's key derivation,
    PBKDF2-HMAC-SHA512 with 256 000 iterations, once per connection)."""
    def open_and_ask(url: str, passphrase: str | None) -> None:
        engine = open_database(url, passphrase=passphrase)
        try:
            build_services(make_session_factory(engine), "bench",
                           audit_key=BENCH_KEY).staff.practice_name()
        finally:
            engine.dispose()

    encrypted, plain = sqlite_url(SMALL_ENCRYPTED), sqlite_url(SMALL)
    return measure(lambda: open_and_ask(encrypted, BENCH_PASSPHRASE),
                   lambda: open_and_ask(plain, None), runs,
                   "open encrypted database (floor: the same, plain)")


def prefixes(count: int) -> list[str]:
    """2–3 letter prefixes of the demo's last names (accent-free keys), drawn with a fixed seed."""
    with sqlite3.connect(DATABASE) as conn:
        keys = sorted({row[0] for row in conn.execute("SELECT last_name_key FROM participants")})
    found = sorted({key[:n] for key in keys for n in (2, 3) if len(key) >= n})
    return random.Random(SEED).sample(found, min(count, len(found)))


def bench_search(url: str, runs: int, words: list[str]) -> Result:
    engine = open_database(url)
    services = build_services(make_session_factory(engine), "bench", audit_key=BENCH_KEY,
                              today=lambda: AS_OF)
    actor = services.staff.log_in("frontdesk", DEMO_PASSWORD)
    # The floor runs the very statement the service builds, compiled with its values inline.
    statements = {}
    for word in words:
        query = search_query(word).limit(PAGE + 1)
        statements[word] = str(query.compile(dialect=engine.dialect,
                                             compile_kwargs={"literal_binds": True}))
    bare = sqlite3.connect(DATABASE)
    rotation = itertools.cycle(words)
    current = [words[0]]

    def ours() -> None:
        current[0] = next(rotation)
        services.participants.search(actor, current[0])

    def floor() -> None:   # the same word as the IOPDesk run just before it
        bare.execute(statements[current[0]]).fetchall()

    try:
        return measure(ours, floor, runs * len(words), "participant search, name prefix")
    finally:
        bare.close()
        engine.dispose()


def row_counts() -> dict[str, int]:
    with sqlite3.connect(DATABASE) as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("participants", "episodes", "attendance", "notes")}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def render(results: list[Result], counts: dict[str, int], markdown: bool) -> str:
    header = ("case", "IOPDesk median", "floor median", "ratio")
    rows = [(r.case, _ms(r.ours), _ms(r.floor), f"{r.ratio:.1f}×") for r in results]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|---|---:|---:|---:|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.append("")
        lines.append(f"Large demo: {counts['participants']:,} participants, "
                     f"{counts['attendance']:,} attendance rows (log-in and the encrypted "
                     f"database: the small demo); {_machine()}.")
        return "\n".join(lines)
    widths = [max(len(x) for x in column) for column in zip(header, *rows, strict=True)]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    return "\n".join([fmt.format(*header), fmt.format(*("-" * w for w in widths))]
                     + [fmt.format(*row) for row in rows])


def _machine() -> str:
    return (f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"{os.cpu_count()} CPUs, {platform.system()} {platform.machine()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument("--rebuild", action="store_true", help="build the large demo again")
    args = parser.parse_args(argv)
    built = ensure_database(args.rebuild)
    ensure_small(args.rebuild)
    url = sqlite_url(DATABASE)
    counts = row_counts()
    open_runs, search_runs, words = (20, 5, 6) if args.quick else (200, 40, 12)
    login_runs, encrypted_runs = (5, 5) if args.quick else (30, 30)
    chosen = prefixes(words)
    results = [bench_open(url, open_runs), bench_search(url, search_runs, chosen),
               bench_login(login_runs), bench_open_encrypted(encrypted_runs)]
    print(f"IOPDesk benchmarks — {_machine()}")
    if built is not None:
        print(f"Built the large demo in {built:.0f} s")
    print(f"Data: {counts['participants']:,} participants, {counts['episodes']:,} episodes, "
          f"{counts['attendance']:,} attendance rows, {counts['notes']:,} notes")
    print(f"Search prefixes: {', '.join(chosen)}")
    print()
    print(render(results, counts, markdown=False))
    table = render(results, counts, markdown=True)
    (DATA_DIR / "results.md").write_text(table + "\n", encoding="utf-8")
    print()
    print(f"Markdown (also in {DATA_DIR / 'results.md'}):")
    print()
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
