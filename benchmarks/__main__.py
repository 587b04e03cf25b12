"""`python -m benchmarks [--quick] [--rebuild] [--only GROUP ...]`: IOPDesk against its floors,
on the large demo (log-in and the encrypted database on the small one).

Every case but the start-up rows runs many times in this one (warm) process, IOPDesk and floor
interleaved, and reports medians of `time.perf_counter` differences; imports are done before
timing. The start-up rows ("startup") are whole processes, launched again for every run, so the
interpreter's start and every import are in them (benchmarks/startup.py, DESIGN §10). The
"engines" group prints a table of its own: SQLite and PostgreSQL side by side, with 99th
percentiles (benchmarks/engines.py).
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

from benchmarks import interleaved
from iopdesk.db.crypto import is_encrypted, remove_with_sidecars
from iopdesk.db.encryption import encrypt_database
from iopdesk.db.engine import make_session_factory, sqlite_url
from iopdesk.db.migrate import open_database
from iopdesk.demo import DEMO_PASSWORD, build_demo
from iopdesk.services import build_services
from iopdesk.services.audit_mark import HighWaterMarks
from iopdesk.services.participants import search_query

DATA_DIR = Path(__file__).resolve().parent / ".data"
DATABASE = DATA_DIR / "large.sqlite3"
MARKER = DATA_DIR / "large.json"      # written after a complete build
SEED, SIZE, AS_OF = 1, "large", date(2026, 11, 16)
DATA_FORMAT = 2                       # bump when the demo generator changes the data
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
    engine = open_database(sqlite_url(DATABASE), create=True)
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
    engine = open_database(sqlite_url(SMALL), create=True)
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
    ours_times, floor_times = interleaved(ours, floor, runs)
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

    engine = open_database(sqlite_url(SMALL), create=True)
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
        services.participants.search(actor, current[0], contains=False)   # the prefix part

    def floor() -> None:   # the same word as the IOPDesk run just before it
        bare.execute(statements[current[0]]).fetchall()

    try:
        return measure(ours, floor, runs * len(words), "participant search, name prefix")
    finally:
        bare.close()
        engine.dispose()


def typed_names(count: int) -> list[str]:
    """Names of the demo as the front desk types them, surname then first name (folded keys),
    drawn with a fixed seed; a Nguyen among them (many share the surname, accents folded)."""
    with sqlite3.connect(DATABASE) as conn:
        people = conn.execute("SELECT last_name_key, first_name_key FROM participants "
                              "ORDER BY id").fetchall()
    rng = random.Random(SEED + 1)
    nguyen = rng.choice([p for p in people if p[0] == "nguyen"] or people)
    return [f"{last} {first}" for last, first in [nguyen, *rng.sample(people, count - 1)]]


def bench_typing(url: str, runs: int, names: list[str]) -> Result:
    """The participant search as the front desk types names: one call per keystroke ("n",
    "ng", "ngu", … "nguyen minh"): the prefix part and, when it found less than a page and a
    word has three characters or more, the contains part (FTS5 trigram). The floor runs the
    same statements on bare `sqlite3`, the second one under the same condition."""
    from iopdesk.services.registry import contains_query

    engine = open_database(url)
    services = build_services(make_session_factory(engine), "bench", audit_key=BENCH_KEY,
                              today=lambda: AS_OF)
    actor = services.staff.log_in("frontdesk", DEMO_PASSWORD)
    keystrokes = [name[:n] for name in names for n in range(1, len(name) + 1)
                  if not name[:n].endswith(" ")]

    def sql(query) -> str:
        return str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))

    statements = {}
    for typed in keystrokes:
        second = contains_query(typed)
        statements[typed] = (sql(search_query(typed)),
                             sql(second) if second is not None else None)
    bare = sqlite3.connect(DATABASE)
    rotation = itertools.cycle(keystrokes)
    current = [keystrokes[0]]

    def ours() -> None:
        current[0] = next(rotation)
        services.participants.search(actor, current[0], limit=PAGE)

    def floor() -> None:   # the same keystroke as the IOPDesk run just before it
        prefix, contains = statements[current[0]]
        found = bare.execute(f"{prefix} LIMIT {PAGE + 1}").fetchall()
        if len(found) <= PAGE and contains is not None:
            bare.execute(f"{contains} LIMIT {PAGE - len(found) + 1}").fetchall()

    try:
        return measure(ours, floor, runs * len(keystrokes), "search while typing (per keystroke)")
    finally:
        bare.close()
        engine.dispose()


def chart_participant() -> int:
    """The participant of the large demo whose episodes span two years or more and who has
    the most attendance rows (the longest chart)."""
    with sqlite3.connect(DATABASE) as conn:
        return conn.execute(
            "SELECT e.participant_id FROM episodes e GROUP BY e.participant_id "
            "HAVING julianday(max(coalesce(e.discharge_date, ?))) "
            "- julianday(min(e.admission_date)) >= 730 "
            "ORDER BY (SELECT count(*) FROM attendance a JOIN episodes x ON x.id = a.episode_id "
            "WHERE x.participant_id = e.participant_id) DESC, e.participant_id LIMIT 1",
            (AS_OF.isoformat(),)).fetchone()[0]


# The SELECTs of a chart open (banner and alerts), its episode list and its diagnoses.
_CHART_FLOOR = (
    "SELECT * FROM participants WHERE id = :p",
    "SELECT e.*, t.name, s.display_name FROM episodes e JOIN program_tracks t ON t.id = "
    "e.track_id LEFT JOIN staff_users s ON s.id = e.primary_clinician_id WHERE "
    "e.participant_id = :p ORDER BY e.admission_date DESC, e.id DESC LIMIT 1",
    "SELECT administered_on, flags FROM measure_results WHERE episode_id = :e AND "
    "instrument = 'phq9' ORDER BY administered_on DESC LIMIT 500",
    "SELECT id FROM intake_assessments WHERE episode_id = :e AND status != 'draft' LIMIT 1",
    "SELECT recipient_name, expiry_date FROM consents WHERE participant_id = :p AND "
    "revoked_on IS NULL AND expiry_date >= :today AND expiry_date <= :soon "
    "ORDER BY expiry_date",
    "SELECT e.*, t.name, s.display_name FROM episodes e JOIN program_tracks t ON t.id = "
    "e.track_id LEFT JOIN staff_users s ON s.id = e.primary_clinician_id WHERE "
    "e.participant_id = :p ORDER BY e.admission_date DESC, e.id DESC",
    "SELECT d.*, s.display_name FROM diagnoses d LEFT JOIN staff_users s ON s.id = "
    "d.added_by_id WHERE d.episode_id = :e ORDER BY d.is_primary DESC, "
    "d.resolved_date IS NOT NULL, d.id",
)


class BareAuditedRead:
    """What every audited read does, on bare sqlite3: look up the user's roles, then in one
    write transaction (same pragmas as IOPDesk's: WAL, synchronous=FULL) read the chain
    head, append one HMAC-signed event and move the head, and commit. The events go to a
    scratch file beside the benchmark database, so the demo's own trail stays intact."""

    SCHEMA = ("CREATE TABLE IF NOT EXISTS head (id INTEGER PRIMARY KEY, last_id INTEGER, "
              "last_hash TEXT, signature TEXT)",
              "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, occurred_at TEXT, "
              "user_id INTEGER, action TEXT, participant_id INTEGER, detail TEXT, "
              "prev_hash TEXT, hash TEXT)",
              "INSERT OR IGNORE INTO head VALUES (1, 0, '', '')")
    ROLES = ("SELECT r.role FROM staff_roles r JOIN staff_users u ON u.id = r.user_id "
             "WHERE u.id = ? AND u.active = 1")

    def __init__(self, data: sqlite3.Connection, scratch: Path, user_id: int):
        self.data, self.user_id = data, user_id
        self.path = scratch
        self.mark = scratch.with_name("floor-high-water.json")
        remove_with_sidecars(scratch)
        self.log = sqlite3.connect(scratch, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            self.log.execute(f"PRAGMA {pragma}")
        for statement in self.SCHEMA:
            self.log.execute(statement)

    def __call__(self, action: str, participant_id: int) -> None:
        import hashlib
        import hmac
        from datetime import datetime, timezone

        self.data.execute(self.ROLES, (self.user_id,)).fetchall()
        log = self.log
        log.execute("BEGIN IMMEDIATE")
        last_id, last_hash = log.execute("SELECT last_id, last_hash FROM head "
                                         "WHERE id = 1").fetchone()
        highest = log.execute("SELECT max(id) FROM events").fetchone()[0] or 0
        event_id, at = max(last_id, highest) + 1, datetime.now(timezone.utc).isoformat()
        body = json.dumps({"id": event_id, "occurred_at": at, "user_id": self.user_id,
                           "action": action, "participant_id": participant_id},
                          sort_keys=True, separators=(",", ":"))
        signed = hmac.new(BENCH_KEY, (last_hash + body).encode(), hashlib.sha256).hexdigest()
        log.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, '{}', ?, ?)",
                    (event_id, at, self.user_id, action, participant_id, last_hash, signed))
        head = hmac.new(BENCH_KEY, json.dumps(["head", event_id, signed]).encode(),
                        hashlib.sha256).hexdigest()
        log.execute("UPDATE head SET last_id = ?, last_hash = ?, signature = ? WHERE id = 1",
                    (event_id, signed, head))
        log.execute("COMMIT")
        # the high-water mark outside the database: read, signed, written beside, renamed
        if self.mark.exists():
            json.loads(self.mark.read_text())
        staged = self.mark.with_name(self.mark.name + ".tmp")
        mark = hmac.new(BENCH_KEY, f"{event_id}|{signed}".encode(), hashlib.sha256).hexdigest()
        staged.write_text(json.dumps({"chains": {"bench": {"event_id": event_id,
                                                           "event_hash": signed,
                                                           "signature": mark}}}))
        os.replace(staged, self.mark)

    def close(self) -> None:
        self.log.close()
        remove_with_sidecars(self.path)


def bench_chart(url: str, runs: int) -> Result:
    """A clinician opens the longest chart: `chart.open` + `episodes.list` + `diagnoses.list`
    of the current episode (three permission checks and three audited transactions, each
    committed, the signed chain end and the high-water mark file moved after each), against
    the same SELECTs, role look-ups, audit appends and mark writes on bare sqlite3 and json
    (`BareAuditedRead`)."""
    from datetime import timedelta

    engine = open_database(url)
    marks = HighWaterMarks(DATA_DIR / "bench-high-water.json", BENCH_KEY)   # as the app has
    services = build_services(make_session_factory(engine), "bench", audit_key=BENCH_KEY,
                              today=lambda: AS_OF, audit_marks=marks)
    actor = services.staff.log_in("clinician", DEMO_PASSWORD)
    participant_id = chart_participant()
    episode_id = services.chart.open(actor, participant_id).current_episode_id
    bare = sqlite3.connect(DATABASE)
    audited = BareAuditedRead(bare, DATA_DIR / "floor-audit.sqlite3", actor.user_id)
    values = {"p": participant_id, "e": episode_id, "today": AS_OF.isoformat(),
              "soon": (AS_OF + timedelta(days=30)).isoformat()}

    def ours() -> None:
        chart = services.chart.open(actor, participant_id)
        services.episodes.list(actor, participant_id)
        services.diagnoses.list(actor, chart.current_episode_id)

    def floor() -> None:
        for statement in _CHART_FLOOR[:5]:             # the chart's banner and alerts
            bare.execute(statement, values).fetchall()
        audited("chart.open", participant_id)
        bare.execute(_CHART_FLOOR[5], values).fetchall()     # the episodes tab
        audited("episode.list", participant_id)
        bare.execute(_CHART_FLOOR[6], values).fetchall()     # the diagnoses tab
        audited("diagnosis.view", participant_id)

    try:
        return measure(ours, floor, runs,
                       "chart open and two clinical tabs, audited (two years of history)")
    finally:
        audited.close()
        bare.close()
        engine.dispose()


def bench_face_sheet(url: str, runs: int) -> Result:
    """The face sheet of a full chart as PDF bytes (read, permission, render, audit) against
    the same flowables on bare ReportLab (benchmarks/documents.py)."""
    from benchmarks.documents import face_sheet_cases

    ours, floor, close = face_sheet_cases(url, str(DATABASE), audit_key=BENCH_KEY, as_of=AS_OF)
    try:
        return measure(ours, floor, runs, "face-sheet PDF (floor: same flowables, bare ReportLab)")
    finally:
        close()


def bench_intake_assessment(url: str, runs: int) -> Result:
    """The signed intake assessment of a demo participant as PDF bytes (read, permission,
    render, audit) against the same flowables on bare ReportLab (benchmarks/documents.py)."""
    from benchmarks.documents import intake_assessment_cases

    ours, floor, close = intake_assessment_cases(url, str(DATABASE), audit_key=BENCH_KEY,
                                                 as_of=AS_OF)
    try:
        return measure(ours, floor, runs,
                       "intake assessment PDF (floor: same flowables, bare ReportLab)")
    finally:
        close()


def bench_diagnosis_search(runs: int, quick: bool) -> Result:
    """The Add diagnosis dialog's code search, one call per keystroke of clinicians' queries
    ("OUD severe", "alcohol use disorder, moderate", …) on the full ICD-10-CM table, against
    the bare word-index statement (benchmarks/diagnosis_search.py)."""
    from benchmarks.diagnosis_search import (QUERIES, QUICK_QUERIES, ensure_table, keystrokes,
                                             search_cases)

    table = ensure_table(False)
    typed = keystrokes(QUICK_QUERIES if quick else QUERIES)
    ours, floor, close = search_cases(table, typed)
    try:
        return measure(ours, floor, runs * len(typed),
                       "diagnosis search per keystroke (floor: bare FTS5 statement)")
    finally:
        close()
        table.close()


def bench_startup(runs: int) -> list[Result]:
    """Whole processes: the log-in window from launch, the main window from the verified
    password, each against a bare PySide6 process (benchmarks/startup.py)."""
    from benchmarks.startup import startup_rows

    return [Result(case, ours, floor, count)
            for case, ours, floor, count in startup_rows(runs, _say)]


def run_engines(quick: bool, rebuild: bool) -> tuple[str, str]:
    """Search while typing, a chart opened, a registration and the front desk's day (check-in,
    weekly hours, sign-in sheet: benchmarks/attendance.py) on SQLite and PostgreSQL, with 99th
    percentiles (benchmarks/engines.py): the plain table and the Markdown one."""
    from benchmarks.attendance import attendance_rows
    from benchmarks.engines import Setup, engine_rows, render as render_engines, verdict

    setup = Setup(DATABASE, DATA_DIR, _expected_marker(), BENCH_KEY, AS_OF, SEED,
                  more_cases=(attendance_rows,))
    rows, note = engine_rows(setup, quick=quick, rebuild=rebuild, say=_say)
    closing = f"{verdict(rows)} {note}; {_machine()}."
    return (f"{render_engines(rows, markdown=False)}\n\n{closing}",
            f"{render_engines(rows, markdown=True)}\n\n{closing}")


def row_counts() -> dict[str, int]:
    with sqlite3.connect(DATABASE) as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("participants", "episodes", "attendance", "notes")}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def render(results: list[Result], counts: dict[str, int] | None, markdown: bool) -> str:
    header = ("case", "IOPDesk median", "floor median", "ratio")
    rows = [(r.case, _ms(r.ours), _ms(r.floor), f"{r.ratio:.1f}×") for r in results]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|---|---:|---:|---:|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.append("")
        if counts is None:
            lines.append(f"{_machine()}.")
            return "\n".join(lines)
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


# The groups of cases `--only` can choose; "large" ones need the large demo.
GROUPS = ("open", "search", "typing", "login", "encrypted", "chart", "face-sheet", "intake",
          "diagnosis-search", "startup", "engines")
LARGE = frozenset({"open", "search", "typing", "chart", "face-sheet", "intake", "engines"})
SMALL_GROUPS = frozenset({"login", "encrypted"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument("--rebuild", action="store_true",
                        help="build the large demo again (with engines: on PostgreSQL too)")
    parser.add_argument("--only", nargs="+", choices=GROUPS, metavar="GROUP",
                        help=f"run only these groups of cases ({', '.join(GROUPS)})")
    args = parser.parse_args(argv)
    chosen_groups = set(args.only or GROUPS)
    needs_large = bool(chosen_groups & LARGE)
    built = ensure_database(args.rebuild) if needs_large else None
    if chosen_groups & SMALL_GROUPS:
        ensure_small(args.rebuild)
    url = sqlite_url(DATABASE)
    counts = row_counts() if needs_large else None
    open_runs, search_runs, words = (20, 5, 6) if args.quick else (200, 40, 12)
    login_runs, encrypted_runs = (5, 5) if args.quick else (30, 30)
    startup_runs = 3 if args.quick else 7
    chosen = prefixes(words) if "search" in chosen_groups else []
    typed = typed_names(3 if args.quick else 6) if "typing" in chosen_groups else []
    cases: dict[str, Callable[[], list[Result]]] = {
        "open": lambda: [bench_open(url, open_runs)],
        "search": lambda: [bench_search(url, search_runs, chosen)],
        "typing": lambda: [bench_typing(url, search_runs, typed)],
        "login": lambda: [bench_login(login_runs)],
        "encrypted": lambda: [bench_open_encrypted(encrypted_runs)],
        "chart": lambda: [bench_chart(url, 5 if args.quick else 40)],
        "face-sheet": lambda: [bench_face_sheet(url, 5 if args.quick else 30)],
        "intake": lambda: [bench_intake_assessment(url, 5 if args.quick else 30)],
        "diagnosis-search": lambda: [bench_diagnosis_search(3 if args.quick else 20,
                                                            args.quick)],
        "startup": lambda: bench_startup(startup_runs),
        "engines": lambda: [],      # a table of its own, below
    }
    results = [result for group in GROUPS if group in chosen_groups
               for result in cases[group]()]
    engines = run_engines(args.quick, args.rebuild) if "engines" in chosen_groups else None
    print(f"IOPDesk benchmarks — {_machine()}")
    if built is not None:
        print(f"Built the large demo in {built:.0f} s")
    if counts is not None:
        print(f"Data: {counts['participants']:,} participants, {counts['episodes']:,} episodes, "
              f"{counts['attendance']:,} attendance rows, {counts['notes']:,} notes")
    if chosen:
        print(f"Search prefixes: {', '.join(chosen)}")
    if typed:
        print(f"Typed letter by letter: {', '.join(typed)}")
    print()
    table = ""
    if results:
        print(render(results, counts, markdown=False))
        table = render(results, counts, markdown=True)
    if engines is not None:
        print(engines[0])
        table = f"{table}\n\n{engines[1]}" if table else engines[1]
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    (DATA_DIR / "results.md").write_text(table + "\n", encoding="utf-8")
    print()
    print(f"Markdown (also in {DATA_DIR / 'results.md'}):")
    print()
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
