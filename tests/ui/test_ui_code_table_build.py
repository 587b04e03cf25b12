"""A diagnosis search before the ICD-10-CM code table exists builds it through the UI's runner
(once, however many dialogs ask at the same time) and then searches again; a failed build is
said at the search field, in words, without a traceback."""

from __future__ import annotations

import logging
import threading

import pytest
from clinical_support import TINY_CODES

from iopdesk.services.icd10 import CodeTable, build_code_table
from iopdesk.ui.chart.diagnoses_tab import AddDiagnosisDialog

WAIT_MS = 10_000
BUILDING = "Building the ICD-10-CM code table"


class Builds:
    """A builder of the tiny table that waits to be let go, noting the threads it ran on."""

    def __init__(self, error: BaseException | None = None):
        self.threads: list[threading.Thread] = []
        self.release = threading.Event()
        self.error = error

    def __call__(self, path) -> None:
        self.threads.append(threading.current_thread())
        assert self.release.wait(WAIT_MS / 1000), "the test never let the build go on"
        if self.error is not None:
            raise self.error
        build_code_table(path, entries=TINY_CODES)


@pytest.fixture
def clinician(demo):
    return demo.log_in("clinician")


@pytest.fixture
def submitted(demo, monkeypatch) -> list[str]:
    """The names of the functions given to the runner (the build is the service's method)."""
    names: list[str] = []
    real = demo.runner.submit

    def spy(fn, *args, **kwargs):
        names.append(getattr(fn, "__name__", repr(fn)))
        return real(fn, *args, **kwargs)

    monkeypatch.setattr(demo.runner, "submit", spy)
    return names


def _dialog(qtbot, demo, actor) -> AddDiagnosisDialog:
    dialog = AddDiagnosisDialog(demo.services, actor, demo.runner, episode_id=0)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _search(dialog: AddDiagnosisDialog, text: str) -> None:
    dialog.search_edit.setText(text)
    dialog.search_now()


def _results(dialog: AddDiagnosisDialog) -> list[str]:
    return [dialog.results.item(n).text().split()[0] for n in range(dialog.results.count())]


def test_a_search_before_the_table_exists_builds_it_on_the_runner(qtbot, demo, clinician,
                                                                  submitted, tmp_path):
    builds = Builds()
    demo.services.diagnoses.code_table = CodeTable(tmp_path / "icd10.sqlite3", builder=builds)
    dialog = _dialog(qtbot, demo, clinician)
    try:
        _search(dialog, "alcohol dependence")
        qtbot.waitUntil(lambda: BUILDING in dialog.status.text(), timeout=WAIT_MS)
        assert dialog.building and submitted == ["<lambda>", "build_code_table"]
        dialog.search_now()                 # typing meanwhile searches nothing yet
        assert submitted == ["<lambda>", "build_code_table"]
        with qtbot.waitSignal(dialog.searched, timeout=WAIT_MS) as found:
            builds.release.set()
    finally:
        builds.release.set()
    assert found.args == ["2 codes"] and sorted(_results(dialog)) == ["F10.20", "F10.21"]
    assert not dialog.building and dialog.fields.text("search") == ""
    assert len(builds.threads) == 1 and builds.threads[0] is not threading.main_thread()
    assert submitted == ["<lambda>", "build_code_table", "<lambda>"]     # searched again

    # built: the next search just searches
    with qtbot.waitSignal(dialog.searched, timeout=WAIT_MS):
        _search(dialog, "anxiety")
    assert _results(dialog) == ["F41.1"] and submitted.count("build_code_table") == 1


def test_two_dialogs_asking_at_once_build_once(qtbot, demo, clinician, submitted, tmp_path):
    builds = Builds()
    demo.services.diagnoses.code_table = CodeTable(tmp_path / "icd10.sqlite3", builder=builds)
    first, second = _dialog(qtbot, demo, clinician), _dialog(qtbot, demo, clinician)
    try:
        _search(first, "alcohol")
        _search(second, "anxiety")
        qtbot.waitUntil(lambda: first.building and second.building, timeout=WAIT_MS)
        assert submitted.count("build_code_table") == 2      # each asked; one builds
        qtbot.waitUntil(lambda: len(builds.threads) == 1, timeout=WAIT_MS)
    finally:
        builds.release.set()
    qtbot.waitUntil(lambda: bool(_results(first) and _results(second)), timeout=WAIT_MS)
    assert _results(first) == ["F10.10", "F10.20", "F10.21"]   # uncomplicated before in remission
    assert _results(second) == ["F41.1"]
    assert len(builds.threads) == 1                          # built once


def test_a_failed_build_is_said_at_the_search_field(qtbot, demo, clinician, submitted,
                                                    tmp_path, caplog):
    builds = Builds(OSError(28, "No space left on device"))
    builds.release.set()
    demo.services.diagnoses.code_table = CodeTable(tmp_path / "icd10.sqlite3", builder=builds)
    unhandled: list[object] = []
    demo.runner.failed.connect(unhandled.append)
    dialog = _dialog(qtbot, demo, clinician)
    caplog.set_level(logging.ERROR)

    with qtbot.waitSignal(dialog.searched, timeout=WAIT_MS) as said:
        _search(dialog, "alcohol")
    message = dialog.fields.text("search")
    assert said.args == [message]
    assert message == ("the ICD-10-CM code table is not built yet: building it failed "
                       "(No space left on device)")
    assert dialog.fields.label("search").isVisible() and dialog.status.text() == ""
    assert not dialog.building and _results(dialog) == []

    # searching again in this dialog says so again without building again
    with qtbot.waitSignal(dialog.searched, timeout=WAIT_MS) as again:
        _search(dialog, "alcohol dependence")
    assert "building it failed (No space left on device)" in again.args[0]
    assert len(builds.threads) == 1 and submitted.count("build_code_table") == 1

    text = message + dialog.status.text()
    assert "Traceback" not in text and "Something went wrong" not in text
    assert unhandled == [] and [r for r in caplog.records if r.levelno >= logging.ERROR] == []
