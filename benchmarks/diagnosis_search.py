"""The diagnosis search (the Add diagnosis dialog's code search) against its floor, on the full
ICD-10-CM code table: `python -m benchmarks.diagnosis_search [--quick] [--rebuild]`.

One call of `CodeTable.search` per keystroke, as a clinician types each query letter by letter
("O", "OU", "OUD", "OUD ", "OUD s", …). The floor is the bare word-index statement for the
same keystroke on `sqlite3` (the table's FTS5 MATCH in stored order, first 30 rows; a code
prefix for what looks like a code): no abbreviations, no DSM-5-TR terms, no ranking. The
budget is a frame: well under 16 ms per keystroke.

The table is built once into benchmarks/.data/ (seconds) and reused.
"""

from __future__ import annotations

import argparse
import itertools
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from iopdesk.domain.icd10 import code_key, fts_query, looks_like_code, search_words
from iopdesk.services.icd10 import CodeTable, build_code_table, library_version

DATA_DIR = Path(__file__).resolve().parent / ".data"
FRAME_MS = 16.0
LIMIT = 30                       # the dialog's page of codes (DiagnosisService.search_codes)

# What clinicians type: DSM-5-TR wording, abbreviations, ICD-10-CM wording, codes.
QUERIES = (
    "alcohol use disorder, moderate",
    "OUD severe",
    "opioid use disorder severe",
    "PTSD",
    "alcohol use disorder, mild",
    "cannabis use disorder in sustained remission",
    "major depressive disorder recurrent",
    "generalized anxiety",
    "alcohol dependence",
    "F10.20",
)
QUICK_QUERIES = QUERIES[:4]


def table_path() -> Path:
    return DATA_DIR / f"icd10cm-{library_version()}.sqlite3"


def ensure_table(rebuild: bool) -> CodeTable:
    """The full code table in benchmarks/.data/, built here unless it is there."""
    path = table_path()
    if rebuild:
        path.unlink(missing_ok=True)
    table = CodeTable(path, builder=build_code_table)
    if not table.is_built():
        print(f"Building the ICD-10-CM code table at {path} (seconds)…", file=sys.stderr)
        table.build()
    return table


def keystrokes(queries: tuple[str, ...]) -> list[str]:
    """Every state of the search field while the queries are typed, letter by letter."""
    return [query[:n] for query in queries for n in range(1, len(query) + 1)]


def floor_statement(typed: str) -> tuple[str, tuple] | None:
    """The bare statement for one keystroke: a code prefix, or the word index in stored order."""
    text = " ".join(typed.split())
    if looks_like_code(text):
        key = code_key(text)
        return (("SELECT code_key, description FROM codes WHERE code_key >= ? "
                 "AND code_key < ? AND billable = 1 ORDER BY code_key LIMIT ?"),
                (key, key + "\x7f", LIMIT))
    words = search_words(text)
    if not words:
        return None
    return (("SELECT c.code_key, c.description FROM code_words w "
             "JOIN codes c ON c.id = w.rowid WHERE code_words MATCH ? ORDER BY w.rowid LIMIT ?"),
            (fts_query(words), LIMIT))


def search_cases(table: CodeTable, typed: list[str]) -> tuple[Callable[[], object],
                                                              Callable[[], object],
                                                              Callable[[], None]]:
    """(IOPDesk, floor, close): each call of IOPDesk takes the next keystroke; the floor runs
    the bare statement of the keystroke IOPDesk ran just before it."""
    statements = {t: floor_statement(t) for t in typed}
    bare = sqlite3.connect(table.path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)
    rotation = itertools.cycle(typed)
    current = [typed[0]]

    def ours() -> object:
        current[0] = next(rotation)
        return table.search(current[0], LIMIT)

    def floor() -> object:
        statement = statements[current[0]]
        return bare.execute(*statement).fetchall() if statement is not None else ()

    return ours, floor, bare.close


def _timed(ours: Callable[[], object], floor: Callable[[], object],
           runs: int) -> tuple[list[float], list[float]]:
    ours(), floor()     # warm both paths
    ours_times, floor_times = [], []
    for _ in range(runs):
        for fn, times in ((ours, ours_times), (floor, floor_times)):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return ours_times, floor_times


def _stats(times: list[float]) -> tuple[float, float, float, float]:
    """(min, median, p95, max) in milliseconds."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (ordered[0] * 1000, statistics.median(ordered) * 1000, p95 * 1000,
            ordered[-1] * 1000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.diagnosis_search",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer queries and repetitions")
    parser.add_argument("--rebuild", action="store_true", help="build the code table again")
    args = parser.parse_args(argv)
    table = ensure_table(args.rebuild)
    typed = keystrokes(QUICK_QUERIES if args.quick else QUERIES)
    rounds = 3 if args.quick else 20
    ours, floor, close = search_cases(table, typed)
    try:
        ours_times, floor_times = _timed(ours, floor, rounds * len(typed))
        slowest = max(typed, key=lambda t: _one(table, t))
    finally:
        close()
        table.close()
    ours_ms, floor_ms = _stats(ours_times), _stats(floor_times)
    print(f"Diagnosis search per keystroke — {len(typed)} keystrokes × {rounds}, "
          f"table {table.path.name}, SQLite {sqlite3.sqlite_version}")
    print(f"{'':28}" + "".join(f"{name:>10}" for name in ("min", "median", "p95", "max")))
    for name, values in (("IOPDesk (CodeTable.search)", ours_ms),
                         ("floor (bare statement)", floor_ms)):
        print(f"{name:28}" + "".join(f"{value:>8.3f}ms" for value in values))
    print(f"ratio of medians {ours_ms[1] / floor_ms[1]:.1f}×; slowest keystroke {slowest!r}; "
          f"budget {FRAME_MS:.0f} ms: {'within' if ours_ms[2] < FRAME_MS else 'OVER'}")
    return 0


def _one(table: CodeTable, typed: str) -> float:
    started = time.perf_counter()
    table.search(typed, LIMIT)
    return time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
