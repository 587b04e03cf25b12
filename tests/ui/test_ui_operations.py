"""The background runner: answers come back on the GUI thread, and so does the release of
the submitted function (a closure may be the last holder of a window); Python's cyclic
garbage collector never runs on a worker (it would destroy Qt objects there)."""

from __future__ import annotations

import threading

import pytest

WAIT_MS = 10_000


class Tracked:
    """A callable that notes the thread on which it is destroyed."""

    def __init__(self, died_on: list, result=None, error: Exception | None = None):
        self._died_on, self._result, self._error = died_on, result, error

    def __call__(self):
        if self._error is not None:
            raise self._error
        return self._result

    def __del__(self):
        self._died_on.append(threading.current_thread())


@pytest.mark.parametrize("fails", [False, True])
def test_the_function_is_released_on_the_gui_thread(qtbot, runner, fails):
    died_on, answers = [], []
    for n in range(40):                  # many, so that a worker could win the race
        runner.submit(Tracked(died_on, result=n, error=ValueError(n) if fails else None),
                      answers.append, answers.append)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT_MS)
    runner.wait_for_done(WAIT_MS)
    assert len(answers) == 40
    if fails:
        assert all(isinstance(a, ValueError) for a in answers)
    else:
        assert sorted(answers) == list(range(40))
    assert len(died_on) == 40
    assert set(died_on) == {threading.main_thread()}


def test_an_answer_for_a_deleted_owner_is_dropped(qtbot, runner):
    import shiboken6
    from PySide6.QtCore import QObject

    owner, answers, go = QObject(), [], threading.Event()
    runner.submit(lambda: go.wait(WAIT_MS / 1000) and 42, answers.append, owner=owner)
    shiboken6.delete(owner)          # the window closed while its work ran
    go.set()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT_MS)
    assert answers == []


class Cycle:
    """Garbage only the cyclic collector can free; notes the thread that frees it."""

    def __init__(self, died_on: list):
        self.me, self._died_on = self, died_on

    def __del__(self):
        self._died_on.append(threading.current_thread())


def test_the_garbage_collector_runs_only_from_the_gui_thread_s_timer(qtbot, runner):
    import gc

    from iopdesk.ui.operations import install_collector

    collector = install_collector()
    assert install_collector() is collector                 # once for the application
    assert not gc.isenabled()                               # never automatically
    gc.collect()
    died_on, seen = [], []
    Cycle(died_on)                                  # garbage now, freed at the next collection

    def allocate():                                 # far past the collector's threshold
        seen.append(gc.isenabled())
        return len([[n] for n in range(50 * gc.get_threshold()[0])])

    for _ in range(4):
        runner.submit(allocate)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT_MS)
    runner.wait_for_done(WAIT_MS)
    assert seen == [False] * 4                      # the workers never collected
    assert died_on in ([], [threading.main_thread()])   # (the GUI thread's timer may have)
    junk = [Cycle([]) for _ in range(2 * gc.get_threshold()[0])]   # past the threshold here
    del junk
    before = collector.collections
    qtbot.waitUntil(lambda: collector.collections > before, timeout=WAIT_MS)  # the timer
    assert died_on == [threading.main_thread()]             # collected it, on this thread


def test_the_collector_leaves_young_garbage_until_the_threshold(qtbot):
    import gc

    from iopdesk.ui.operations import install_collector

    collector = install_collector()
    gc.collect()
    assert collector.collect_due() == -1                    # nothing due after a collection
    died_on = []
    Cycle(died_on)
    assert collector.collect_due() == -1 and died_on == []


def test_changes_run_one_after_the_other_while_queries_go_on_beside_them(qtbot, runner):
    import time

    release, running, order, answers = threading.Event(), [], [], []

    def change(name):
        def work():
            running.append(name)
            overlap = len(running) > 1
            if name == "first":
                release.wait(WAIT_MS / 1000)
            time.sleep(0.01)
            running.remove(name)
            order.append(name)
            return overlap
        return work

    runner.change(change("first"), answers.append)
    runner.change(change("second"), answers.append)
    query_done = []
    runner.submit(lambda: "a query", query_done.append)
    qtbot.waitUntil(lambda: query_done == ["a query"], timeout=WAIT_MS)   # while 1st holds
    assert order == []
    release.set()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT_MS)
    assert order == ["first", "second"] and answers == [False, False]    # never together
