"""The ICD-10-CM code table: built from simple-icd-10-cm once per run (see the `icd10_table`
fixture), searched offline by code or words, never imported by the application at start."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from clinical_support import TINY_CODES, tiny_code_table

from iopdesk.config import load_config
from iopdesk.domain.icd10 import (CodeTableNotReady, IcdCode, code_key, dotted, looks_like_code,
                                  search_words)
from iopdesk.services import icd10
from iopdesk.services.icd10 import (CodeTable, build_code_table, build_in_subprocess,
                                    ensure_code_table, library_version)


def codes(found) -> list[str]:
    return [c.code for c in found]


# ---------------------------------------------------------------- the real classification
def test_the_table_holds_every_billable_code_of_the_library(icd10_table):
    info = icd10_table.info()
    assert info["source"] == "simple-icd-10-cm"
    assert info["library_version"] == library_version()
    assert info["data_release"]              # e.g. "April-2026"
    assert 70_000 < int(info["billable_codes"]) < 80_000
    assert icd10_table.path.stat().st_size < 20 * 1024 * 1024


def test_a_code_is_found_dotted_or_not_in_any_case(icd10_table):
    for typed in ("F10.2", "f10.2", "F102", " f102 "):
        found = icd10_table.search(typed, limit=5)
        assert codes(found)[:2] == ["F10.20", "F10.21"], typed
        assert all(c.billable and c.code.startswith("F10.2") for c in found)
    assert codes(icd10_table.search("T40.1X1A")) == ["T40.1X1A"]
    assert codes(icd10_table.search("F32.A")) == ["F32.A"]


def test_a_heading_is_known_but_never_offered(icd10_table):
    heading = icd10_table.get("f10")
    assert heading == IcdCode("F10", "Alcohol related disorders", billable=False)
    assert not icd10_table.is_billable("F10")
    assert "F10" not in codes(icd10_table.search("F10", limit=200))
    assert codes(icd10_table.billable_under("F10", 2)) == ["F10.10", "F10.11"]
    assert icd10_table.count_billable_under("F10") > 50
    assert icd10_table.get("F10.20") == IcdCode("F10.20", "Alcohol dependence, uncomplicated")
    assert icd10_table.is_billable("f1020")
    assert icd10_table.get("F99.99") is None and icd10_table.get("'; DROP TABLE codes") is None


def test_every_word_must_match_the_start_of_a_word(icd10_table):
    found = icd10_table.search("alcohol dependence")
    assert {"F10.20", "F10.21"} <= set(codes(found))
    assert all({"alcohol", "dependence"} <= set(c.description.lower().replace(",", "").split())
               for c in found)                      # Z81.1 "... alcohol abuse and dependence"
    assert codes(icd10_table.search("alc depend uncompl"))[0] == "F10.20"
    assert "F43.10" in codes(icd10_table.search("post traumatic stress"))
    assert "F43.10" in codes(icd10_table.search("PTSD"))              # spelled out
    # found by an inclusion term
    assert "F10.20" in codes(icd10_table.search("alcohol use disorder, moderate"))
    assert icd10_table.search("alcohol zzyzx") == ()


def test_words_ignore_accents_and_case(icd10_table):
    plain = icd10_table.search("sezary disease")
    assert plain and all("Sézary" in c.description for c in plain)
    assert icd10_table.search("SÉZARY DISEASE") == plain == icd10_table.search("Sézary")


def test_mental_health_codes_come_first(icd10_table):
    found = icd10_table.search("depression", limit=10)
    assert "F32.A" in codes(found)
    assert codes(found)[0].startswith("F")


def test_a_code_followed_by_words_narrows_to_that_code(icd10_table):
    found = icd10_table.search("F10 withdrawal")
    assert found and all(c.code.startswith("F10") and "withdrawal" in c.description.lower()
                         for c in found)


def test_nonsense_finds_nothing_and_never_fails(icd10_table):
    for typed in ("", "   ", "😀🙂", "\"*)(", "NEAR(", "AND OR NOT", "שלום", "x" * 5000,
                  "F" + "1" * 40, "%_"):
        assert isinstance(icd10_table.search(typed), tuple), typed
    assert len(icd10_table.search("a", limit=500)) == 200      # the limit is bounded


def test_searches_are_fast(icd10_table):
    import time

    for typed in ("a", "al", "alcohol dependence", "F1", "depression", "fracture femur"):
        started = time.perf_counter()
        icd10_table.search(typed)
        assert time.perf_counter() - started < 0.25, typed


def test_the_table_can_be_read_from_several_threads(icd10_table):
    results, errors = [], []

    def look() -> None:
        try:
            results.append(codes(icd10_table.search("F10.2", 3)))
        except Exception as exc:   # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=look) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and results == [["F10.20", "F10.21", "F10.220"]] * 4


# ---------------------------------------------------------------- building and not-yet-built
def test_a_missing_table_says_it_is_not_built(tmp_path):
    table = CodeTable(tmp_path / "nowhere.sqlite3")
    assert not table.is_built()
    with pytest.raises(CodeTableNotReady, match="not built yet"):
        table.search("F10")


def test_a_build_replaces_the_file_whole(tmp_path):
    path = tmp_path / "codes.sqlite3"
    assert build_code_table(path, entries=TINY_CODES) == 8
    path.write_bytes(b"garbage, not a table")
    assert not CodeTable(path).is_built()
    build_code_table(path, entries=[*TINY_CODES, TINY_CODES[4]])      # a duplicate is ignored
    table = CodeTable(path)
    # uncomplicated before in remission (domain.icd10.result_rank)
    assert table.is_built() and codes(table.search("alcohol")) == ["F10.10", "F10.20", "F10.21"]
    assert [p.name for p in tmp_path.iterdir()] == ["codes.sqlite3"]   # no temporary left


def test_a_build_is_a_blocking_call_that_reports_failure_and_success(tmp_path):
    outcomes = [OSError(28, "No space left on device"), None]
    calls = []

    def builder(path):
        calls.append(threading.current_thread())
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome
        build_code_table(path, entries=TINY_CODES)

    table = CodeTable(tmp_path / "codes.sqlite3", builder=builder)
    with pytest.raises(CodeTableNotReady, match="building it failed .No space left on device"):
        table.build()
    assert calls == [threading.current_thread()]          # here, on the caller's thread
    with pytest.raises(CodeTableNotReady, match="building it failed .No space left on device"):
        table.require()                                    # said until a build succeeds
    assert not table.building

    assert table.build() is True                           # asked again: tried again
    assert table.build() is False and len(calls) == 2      # built: nothing to do
    assert table.build_error is None and table.build_seconds is not None
    assert codes(table.search("F10.2")) == ["F10.20", "F10.21"]


def test_a_builder_that_leaves_no_table_is_a_failed_build(tmp_path):
    table = CodeTable(tmp_path / "codes.sqlite3", builder=lambda path: None)
    with pytest.raises(CodeTableNotReady, match="building it failed .no usable table"):
        table.build()


@pytest.mark.parametrize("fails", [False, True])
def test_a_second_caller_waits_for_the_build_under_way(tmp_path, monkeypatch, fails):
    waiting = threading.Event()

    class Done(threading.Event):          # says when someone waits for the build to end
        def wait(self, timeout=None):
            waiting.set()
            return super().wait(timeout)

    class Watched(icd10._Build):
        def __init__(self):
            super().__init__()
            self.done = Done()

    monkeypatch.setattr(icd10, "_Build", Watched)
    started, release, calls = threading.Event(), threading.Event(), []

    def slow(path):
        calls.append(path)
        started.set()
        assert release.wait(10)
        if fails:
            raise OSError("disk full")
        build_code_table(path, entries=TINY_CODES)

    table = CodeTable(tmp_path / "codes.sqlite3", builder=slow)
    results: dict[str, object] = {}

    def build(name: str) -> None:
        try:
            results[name] = table.build()
        except CodeTableNotReady as exc:
            results[name] = exc

    first = threading.Thread(target=build, args=("first",))
    second = threading.Thread(target=build, args=("second",))
    first.start()
    try:
        assert started.wait(10) and table.building
        with pytest.raises(CodeTableNotReady, match="being built now"):
            table.search("F10")
        second.start()
        assert waiting.wait(10)                        # the second caller waits for the first
    finally:
        release.set()
    first.join(10)
    if second.ident is not None:
        second.join(10)
    assert len(calls) == 1                             # built once
    if fails:
        assert all(isinstance(r, CodeTableNotReady) and "disk full" in str(r)
                   for r in results.values()), results
    else:
        assert results == {"first": True, "second": False}
        assert codes(table.search("F41")) == ["F41.1"]
    assert not table.building


def test_the_service_builds_only_when_asked(services, actors, tmp_path):
    calls = []

    def builder(path):
        calls.append(path)
        build_code_table(path, entries=TINY_CODES)

    services.diagnoses.code_table = CodeTable(tmp_path / "codes.sqlite3", builder=builder)
    clinician = actors["clinician"]
    with pytest.raises(CodeTableNotReady, match="not built yet$"):
        services.diagnoses.search_codes(clinician, "alcohol")
    assert calls == [] and not services.diagnoses.code_table.building   # no build, no thread
    assert services.diagnoses.build_code_table() is True
    assert services.diagnoses.build_code_table() is False
    assert codes(services.diagnoses.search_codes(clinician, "anxiety")) == ["F41.1"]
    assert len(calls) == 1

    services.diagnoses.code_table = None
    with pytest.raises(CodeTableNotReady, match="no place for it"):
        services.diagnoses.build_code_table()


def test_the_default_build_runs_in_a_child_process(tmp_path):
    path = tmp_path / "child.sqlite3"
    assert build_in_subprocess(path, list(TINY_CODES)) == 8
    assert codes(CodeTable(path).search("generalized anxiety")) == ["F41.1"]
    assert ensure_code_table(path).is_built()          # there: nothing built again


class _EndsTheProcess:
    """Unpickled in the child, it ends the child at once: a build process that dies."""

    def __reduce__(self):
        return os._exit, (3,)


def test_a_child_process_error_or_death_is_raised_not_waited_for(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(OSError):                       # the child's own error, carried over
        build_in_subprocess(tmp_path / "a-file" / "codes.sqlite3", list(TINY_CODES))
    with pytest.raises(RuntimeError, match=r"ended without an answer \(exit code 3\)"):
        build_in_subprocess(tmp_path / "codes.sqlite3", [_EndsTheProcess()])
    table = CodeTable(tmp_path / "codes.sqlite3",
                      builder=lambda path: build_in_subprocess(path, [_EndsTheProcess()]))
    with pytest.raises(CodeTableNotReady, match="building it failed .the build process ended"):
        table.build()


def test_the_file_is_named_after_the_library_version(tmp_path):
    config = load_config(env={"IOPDESK_DATA_DIR": str(tmp_path)})
    assert config.icd10_path == tmp_path / f"icd10cm-{library_version()}.sqlite3"


def test_the_application_never_imports_the_library_at_start(tmp_path):
    code = ("import sys\nimport iopdesk.app, iopdesk.services, iopdesk.cli.main\n"
            "from iopdesk.config import load_config\n"
            f"load_config(env={{'IOPDESK_DATA_DIR': {str(tmp_path)!r}}}).icd10_path\n"
            "print('simple_icd_10_cm' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


# ---------------------------------------------------------------- pure rules
def test_codes_are_normalised():
    assert code_key(" f10.20 ") == "F1020" and dotted("f1020") == "F10.20"
    assert dotted("F10") == "F10" and dotted("T401X1A") == "T40.1X1A"
    assert all(looks_like_code(t) for t in ("F10", "f10.2", "F1020", "T40.1X1A", "F32.A"))
    assert not any(looks_like_code(t) for t in ("alcohol", "F", "10.2", "F10.20.1", "FF10"))
    assert search_words("Alcohol-dependence, ALCOHOL; Sézary") == ["alcohol", "dependence",
                                                                   "sezary"]
    assert search_words("PTSD") == ["post", "traumatic", "stress", "disorder"]


def test_tiny_table_helper(tmp_path):
    assert tiny_code_table(tmp_path).is_billable("F10.20")
