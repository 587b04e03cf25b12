"""The ICD-10-CM code table: a small SQLite file built once from simple-icd-10-cm, searched
offline by code prefix or by words.

`import simple_icd_10_cm` parses the whole classification at import (about 3 s and 200 MB), so
it is imported only inside `library_entries`, while a table is built — by default in a child
process (`build_in_subprocess`). Nothing here starts a thread: `CodeTable.build` is a plain
blocking call, which the application runs on its UI runner's worker the first time a search
finds no table (a second caller meanwhile waits for that build instead of starting another),
and the command line may call directly. The file holds every category and subcategory code
(billable or not, so a heading can be recognised and refused with an example) and a word index
over the billable ones only: an FTS5 table (unicode61 tokenizer, no diacritics, word-prefix
queries with a 1- and 2-character prefix index) without content of its own, whose rowids are the
codes' positions in the table's stored order (iopdesk.domain.icd10.search_order: chapter F and
short descriptions first), so a search reads only the first RANKED matches and ranks those
(iopdesk.domain.icd10.result_rank), after the codes of a DSM-5-TR substance use disorder named
in the clinician's words (iopdesk.domain.dsm_terms).

The file is written beside its final name and renamed into place, so a reader sees either no
table or a complete one; it is never written again (readers open it immutable).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from iopdesk.db.private_files import create_private_file, ensure_private_dir
from iopdesk.domain.dsm_terms import use_disorder_codes
from iopdesk.domain.icd10 import (NOT_BUILT, SEARCH_LIMIT_MAX, CodeTableNotReady, IcdCode,
                                  code_key, dotted, fts_query, indexed_text, looks_like_code,
                                  result_rank, search_order, search_words)

FORMAT = "1"                     # bump when the file's layout changes: old files are rebuilt
LIBRARY = "simple-icd-10-cm"     # the distribution the table is built from
_KEY_END = "\x7f"                 # sorts after every character of a code key
RANKED = 250                     # word matches read (in stored order) and ranked per search

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    ("CREATE TABLE codes (id INTEGER PRIMARY KEY, code_key TEXT NOT NULL UNIQUE, "
     "description TEXT NOT NULL, billable INTEGER NOT NULL)"),
    ("CREATE VIRTUAL TABLE code_words USING fts5(words, content='', detail=none, columnsize=0, "
     "prefix='1 2', tokenize='unicode61 remove_diacritics 2')"),
)


@dataclass(frozen=True)
class CodeEntry:
    """One code as read from the classification."""

    code: str                    # dotted or not
    description: str
    billable: bool
    terms: tuple[str, ...] = ()  # inclusion terms: found by a word search, not shown


def library_version() -> str:
    """The installed simple-icd-10-cm's version, read without importing it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(LIBRARY)
    except PackageNotFoundError:
        return "unavailable"


def _library():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the library imports the deprecated pkg_resources
        import simple_icd_10_cm

    return simple_icd_10_cm


def library_entries() -> Iterator[CodeEntry]:
    """Every category, subcategory and 7th-character code of the installed classification."""
    cm = _library()
    for code in cm.get_all_codes(True):
        if cm.is_category_or_subcategory(code) or cm.is_extended_subcategory(code):
            yield CodeEntry(code=code, description=cm.get_description(code),
                            billable=cm.is_leaf(code),
                            terms=tuple(cm.get_inclusion_term(code)))


def _data_release() -> str:
    """The release of the classification the library carries ("April-2026"), from its files."""
    data = Path(_library().__file__).parent / "data"
    names = sorted(p.name for p in data.glob("code-list-*.txt"))
    return names[-1].removeprefix("code-list-").removesuffix(".txt") if names else ""


def build_code_table(path: Path | str, *, entries: Iterable[CodeEntry] | None = None) -> int:
    """Write the code table to `path` (replacing any file there); the number of billable codes.

    Without `entries` the classification comes from simple-icd-10-cm, imported here and
    nowhere else. A code listed twice keeps its first entry.
    """
    path = Path(path)
    ensure_private_dir(path.parent)            # 0700 when made here (DESIGN §6)
    meta = {"format": FORMAT, "built_at": datetime.now(UTC).isoformat(timespec="seconds")}
    if entries is None:
        entries = library_entries()
        meta |= {"source": LIBRARY, "library_version": library_version(),
                 "data_release": _data_release()}
    else:
        meta |= {"source": "given entries", "library_version": "", "data_release": ""}
    unique: dict[str, CodeEntry] = {}
    for entry in entries:
        unique.setdefault(code_key(entry.code), entry)
    ordered = sorted(unique.items(),
                     key=lambda item: search_order(item[0], item[1].description, item[1].billable))
    billable = sum(1 for _, e in ordered if e.billable)
    meta["billable_codes"] = str(billable)

    temporary = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    temporary.unlink(missing_ok=True)
    create_private_file(temporary)             # 0600, and so the table renamed from it
    conn = sqlite3.connect(temporary)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        with conn:
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.executemany("INSERT INTO codes VALUES (?, ?, ?, ?)",
                             ((n, key, e.description, int(e.billable))
                              for n, (key, e) in enumerate(ordered, 1)))
            conn.executemany("INSERT INTO code_words (rowid, words) VALUES (?, ?)",
                             ((n, indexed_text(e.description, e.terms))
                              for n, (_, e) in enumerate(ordered, 1) if e.billable))
            conn.execute("INSERT INTO code_words (code_words) VALUES ('optimize')")
            conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        conn.execute("VACUUM")
    except BaseException:
        conn.close()
        temporary.unlink(missing_ok=True)
        raise
    conn.close()
    os.replace(temporary, path)
    return billable


def build_in_subprocess(path: Path | str, entries: list[CodeEntry] | None = None) -> int:
    """`build_code_table` in a child process: the library's import time and memory stay out of
    the application's process (a frozen bundle calls multiprocessing.freeze_support at start).

    One spawned process and a pipe, waited for here: no helper threads in this process (a
    multiprocessing pool runs three), and a child that dies without answering — killed for
    its memory, say — ends this call with an error instead of leaving it waiting for ever.
    The child's error is raised here, as itself when it can be carried across."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_build_in_child, args=(sending, str(path), entries),
                            name="icd10-build", daemon=True)
    try:
        child.start()
    except BaseException:
        receiving.close()
        raise
    finally:
        sending.close()          # the child's end: only the child holds it now
    try:
        try:
            ok, value = receiving.recv()
        except EOFError:
            child.join()
            code = child.exitcode
            how = (f"killed by signal {-code}" if code is not None and code < 0
                   else f"exit code {code}")
            raise RuntimeError(f"the build process ended without an answer ({how})") from None
    finally:
        receiving.close()
        child.join()
    if ok:
        return value
    raise value


def _build_in_child(sending, path: str, entries: list[CodeEntry] | None) -> None:
    import pickle

    try:
        answer: tuple[bool, object] = (True, build_code_table(path, entries=entries))
    except BaseException as exc:  # noqa: BLE001 - carried to the parent, raised there
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # noqa: BLE001 - an error that cannot travel: its words can
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        answer = (False, exc)
    sending.send(answer)
    sending.close()


class _Build:
    """A build under way: whoever asks for the table meanwhile waits for `done`."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.error: BaseException | None = None


def _reason(error: BaseException) -> str:
    return (getattr(error, "strerror", None) if isinstance(error, OSError) else None) \
        or str(error) or type(error).__name__


class CodeTable:
    """Read access to the code table at `path`, which may not exist yet.

    Cheap to make: nothing is opened until the first look-up. Until the file is built every
    look-up raises CodeTableNotReady; `build` builds it (`builder`, by default
    `build_in_subprocess`), blocking, on whichever thread calls it. Safe to share between
    threads (one read-only connection per thread; one build at a time).
    """

    def __init__(self, path: Path | str, *,
                 builder: Callable[[Path], object] | None = None):
        self.path = Path(path)
        self._builder = builder or build_in_subprocess
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._ready = False
        self._running: _Build | None = None
        self.build_error: BaseException | None = None
        self.build_seconds: float | None = None

    # ------------------------------------------------------------------ state and building
    def is_built(self) -> bool:
        """True once a complete table of this program's format is at `path`."""
        if self._ready:
            return True
        try:
            conn = sqlite3.connect(self._uri(), uri=True)
        except sqlite3.Error:
            return False
        try:
            found = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.Error:
            found = None
        finally:
            conn.close()
        self._ready = found is not None and found[0] == FORMAT
        return self._ready

    @property
    def building(self) -> bool:
        """True while a build runs (on any thread)."""
        return self._running is not None

    def build(self) -> bool:
        """Build the table here and now unless it is built: blocking, seconds (in a child
        process by default). True when this call built it; False when it was built already,
        or was being built by another caller, whose build this call waited for instead of
        starting a second one. A build that fails raises CodeTableNotReady saying why (for
        every caller waiting on it), and `require` says so until a later build succeeds."""
        with self._lock:
            if self.is_built():
                return False
            running = self._running
            mine = running is None
            if mine:
                running = self._running = _Build()
                self.build_error = None
        if not mine:
            running.done.wait()
            if running.error is not None:
                raise self._failed(running.error) from running.error
            return False
        started = time.perf_counter()
        try:
            self._builder(self.path)
            if not self.is_built():
                raise RuntimeError(f"no usable table was left at {self.path}")
        except BaseException as exc:  # every waiting caller hears it; require reports it
            running.error = self.build_error = exc
            if not isinstance(exc, Exception):
                raise
            raise self._failed(exc) from exc
        finally:
            self.build_seconds = time.perf_counter() - started
            with self._lock:
                self._running = None
            running.done.set()
        return True

    @staticmethod
    def _failed(error: BaseException) -> CodeTableNotReady:
        return CodeTableNotReady(f"{NOT_BUILT}: building it failed ({_reason(error)})")

    def require(self) -> None:
        """Raise CodeTableNotReady (saying why) unless the table can be read."""
        if self.is_built():
            return
        if self.building:
            raise CodeTableNotReady(f"{NOT_BUILT}: it is being built now; try again in a few "
                                    "seconds")
        if self.build_error is not None:
            raise self._failed(self.build_error)
        raise CodeTableNotReady(NOT_BUILT)

    def info(self) -> dict[str, str]:
        """What the table was built from: source, library_version, data_release, ..."""
        return dict(self._conn().execute("SELECT key, value FROM meta").fetchall())

    # ------------------------------------------------------------------------ look-ups
    def search(self, text: str, limit: int = 30) -> tuple[IcdCode, ...]:
        """Billable codes for what was typed: a code or its start, dotted or not ("F10.2",
        "f102"), optionally followed by words ("F10 withdrawal"); or words, each of which must
        start a word of the description or an inclusion term ("alcohol depend"), ignoring case
        and accents, abbreviations spelled out ("PTSD", "OUD").

        Words naming a DSM-5-TR substance use disorder ("opioid use disorder, severe", "AUD
        mild") put its ICD-10-CM codes first (domain.dsm_terms). The other word matches come
        in domain.icd10.result_rank's order: chapter F, then the codes whose description has
        every word typed, the general before the particular, then the code. Only the first
        RANKED matches in the table's stored order (chapter F and short descriptions first)
        are ranked, so a search reads a bounded number of rows however common its words."""
        limit = max(1, min(int(limit), SEARCH_LIMIT_MAX))
        typed = " ".join(text.split())
        if not typed:
            return ()
        conn = self._conn()
        first, _, rest = typed.partition(" ")
        if looks_like_code(typed):
            found = self._prefix(conn, code_key(typed), limit)
            if found:
                return found
        elif looks_like_code(first):
            words = search_words(rest)
            if words:
                key = code_key(first)
                found = self._ranked(words, conn.execute(
                    "SELECT c.code_key, c.description FROM code_words w "
                    "JOIN codes c ON c.id = w.rowid WHERE code_words MATCH ? "
                    "AND c.code_key >= ? AND c.code_key < ? ORDER BY w.rowid LIMIT ?",
                    (fts_query(words), key, key + _KEY_END, max(RANKED, limit))), (), limit)
                if found:
                    return found
        words = search_words(typed)
        if not words:
            return ()
        named = self._named(conn, use_disorder_codes(typed))
        return self._ranked(words, conn.execute(
            "SELECT c.code_key, c.description FROM code_words w JOIN codes c ON c.id = w.rowid "
            "WHERE code_words MATCH ? ORDER BY w.rowid LIMIT ?",
            (fts_query(words), max(RANKED, limit))), named, limit)

    def get(self, code: str) -> IcdCode | None:
        """The code (billable or a heading), or None when ICD-10-CM has no such code."""
        key = code_key(code)
        if not key.isalnum() or not key.isascii():
            return None
        row = self._conn().execute(
            "SELECT code_key, description, billable FROM codes WHERE code_key = ?",
            (key,)).fetchone()
        return None if row is None else IcdCode(dotted(row[0]), row[1], bool(row[2]))

    def is_billable(self, code: str) -> bool:
        found = self.get(code)
        return found is not None and found.billable

    def billable_under(self, code: str, limit: int = 30) -> tuple[IcdCode, ...]:
        """The billable codes that start with `code`, in code order."""
        return self._prefix(self._conn(), code_key(code), max(1, min(limit, SEARCH_LIMIT_MAX)))

    def count_billable_under(self, code: str) -> int:
        key = code_key(code)
        return self._conn().execute(
            "SELECT count(*) FROM codes WHERE code_key >= ? AND code_key < ? AND billable = 1",
            (key, key + _KEY_END)).fetchone()[0]

    def close(self) -> None:
        """Close every connection this table opened (in any thread)."""
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
            self._local = threading.local()

    # ------------------------------------------------------------------------ internals
    def _uri(self) -> str:
        return self.path.resolve().as_uri() + "?mode=ro&immutable=1"

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.require()
            conn = sqlite3.connect(self._uri(), uri=True, check_same_thread=False)
            with self._lock:
                self._connections.append(conn)
            self._local.conn = conn
        return conn

    @staticmethod
    def _prefix(conn: sqlite3.Connection, key: str, limit: int) -> tuple[IcdCode, ...]:
        return CodeTable._rows(conn.execute(
            "SELECT code_key, description FROM codes WHERE code_key >= ? AND code_key < ? "
            "AND billable = 1 ORDER BY code_key LIMIT ?", (key, key + _KEY_END, limit)))

    @staticmethod
    def _named(conn: sqlite3.Connection, codes: tuple[str, ...]) -> list[tuple[str, str]]:
        """(key, description) of the billable ones of `codes`, in their order."""
        if not codes:
            return []
        keys = [code_key(code) for code in codes]
        found = dict(conn.execute(
            f"SELECT code_key, description FROM codes WHERE billable = 1 AND code_key IN "
            f"({', '.join('?' * len(keys))})", keys).fetchall())
        return [(key, found[key]) for key in keys if key in found]

    @staticmethod
    def _ranked(words: list[str], rows: Iterable[tuple[str, str]],
                first: Iterable[tuple[str, str]], limit: int) -> tuple[IcdCode, ...]:
        """`first` as given, then `rows` in result_rank's order, each code once, `limit` in
        all."""
        first = list(first)
        taken = {key for key, _ in first}
        rest = sorted((row for row in rows if row[0] not in taken),
                      key=lambda row: result_rank(words, row[0], row[1]))
        return CodeTable._rows((first + rest)[:limit])

    @staticmethod
    def _rows(rows: Iterable[tuple[str, str]]) -> tuple[IcdCode, ...]:
        return tuple(IcdCode(dotted(key), description) for key, description in rows)


def ensure_code_table(path: Path | str) -> CodeTable:
    """The table at `path`, built here and now (in this process) when it is missing: for the
    command line, which has no runner and may block."""
    table = CodeTable(path, builder=build_code_table)
    table.build()
    return table
