"""Background calls: run a function on a worker thread, get its result back on the GUI thread.

A `Runner` is made by the composition root (or a test) and handed to every window that
needs it. `runner.submit(fn, on_success, on_error)` runs `fn()` on the runner's
`QThreadPool`; the callbacks always run on the GUI thread, never on the worker. An error
without an `on_error` is announced by the runner's `failed` signal, so nothing is swallowed.
Callbacks given an `owner` (the widget or model they update) are dropped if the owner has
been deleted by the time the answer arrives.

Python's cyclic garbage collector is kept off worker threads: it runs on whichever thread
happens to allocate, and there it would destroy Qt objects left in reference cycles (the
wrappers of windows closed earlier) — on the wrong thread, where Qt crashes or deadlocks (seen:
a `~QObject` on a worker waiting for the GIL while the GUI thread, holding it, waited for
Qt's connection lock). While any task is on a worker, automatic collection is off; the last
task to finish turns it back on, and the next collection happens on the GUI thread.

The function itself is released on the GUI thread too: the runner keeps it until its answer
is delivered, and the worker lets go of it before it answers. A closure is often the last
holder of a window (a chart closed while its summary loads), and a Qt object's wrapper must
not be destroyed on a worker thread.
"""

from __future__ import annotations

import gc
import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Callback = Callable[[Any], object]
_Callbacks = tuple[Callback | None, Callback | None, QObject | None]
_NOTHING: tuple = (None, None, None, None)


class _CollectorPause:
    """Automatic garbage collection off while any task is on a worker (see the module's
    doc). `enter` is called on the GUI thread before a task is queued, `leave` by the worker
    as the very last thing it does."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tasks = 0
        self._resume = False        # whether collection was on when the first task came

    def enter(self) -> None:
        with self._lock:
            if self._tasks == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._tasks += 1

    def leave(self) -> None:
        with self._lock:
            self._tasks -= 1
            if self._tasks == 0 and self._resume:
                gc.enable()

    @property
    def tasks(self) -> int:
        return self._tasks


COLLECTOR_PAUSE = _CollectorPause()


class _Relay(QObject):
    """Lives on the GUI thread; a worker emits on it and Qt queues the delivery."""

    succeeded = Signal(int, object)
    failed = Signal(int, object)


class _Task(QRunnable):
    def __init__(self, ticket: int, fn: Callable[[], Any], relay: _Relay):
        super().__init__()
        self._ticket = ticket
        self._fn = fn
        self._relay = relay

    def run(self) -> None:  # on a worker thread
        try:
            self._run()
        finally:
            COLLECTOR_PAUSE.leave()

    def _run(self) -> None:
        fn, self._fn = self._fn, None
        try:
            result = fn()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            fn = None       # before the answer: the runner's reference is then the last one
            traceback.clear_frames(exc.__traceback__)   # the frames' locals too (lines stay)
            self._emit(self._relay.failed, exc)
        else:
            fn = None
            self._emit(self._relay.succeeded, result)

    def _emit(self, signal, value: object) -> None:
        try:
            signal.emit(self._ticket, value)
        except RuntimeError:  # the runner was deleted while this task ran: nobody to tell
            log.debug("background result dropped: its runner is gone")


class Runner(QObject):
    """Runs callables on a thread pool and calls back on the GUI thread."""

    failed = Signal(object)         # an exception that had no on_error handler
    busy_changed = Signal(bool)     # True when the first task starts, False when all are done

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 4):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.succeeded.connect(self._deliver_result)
        self._relay.failed.connect(self._deliver_error)
        self._callbacks: dict[int, tuple] = {}     # ticket: callbacks, owner, the function
        self._next_ticket = 0

    @property
    def pending(self) -> int:
        """Tasks submitted whose callbacks have not run yet."""
        return len(self._callbacks)

    def submit(self, fn: Callable[[], Any], on_success: Callback | None = None,
               on_error: Callback | None = None, *, owner: QObject | None = None) -> int:
        """Run `fn()` on a worker; then `on_success(result)` or `on_error(exception)` here,
        unless `owner` is gone by then."""
        self._next_ticket += 1
        ticket = self._next_ticket
        self._callbacks[ticket] = (on_success, on_error, owner, fn)
        if len(self._callbacks) == 1:
            self.busy_changed.emit(True)
        COLLECTOR_PAUSE.enter()
        try:
            self._pool.start(_Task(ticket, fn, self._relay))
        except BaseException:
            COLLECTOR_PAUSE.leave()
            raise
        return ticket

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until every running task has finished (for shutdown and tests only)."""
        return self._pool.waitForDone(msecs)

    @Slot(int, object)
    def _deliver_result(self, ticket: int, result: object) -> None:
        on_success, _, owner = self._finish(ticket)
        if on_success is not None and _alive(owner):
            on_success(result)

    @Slot(int, object)
    def _deliver_error(self, ticket: int, error: object) -> None:
        _, on_error, owner = self._finish(ticket)
        if not _alive(owner):
            log.warning("background task failed after its window closed: %r", error)
        elif on_error is not None:
            on_error(error)
        else:
            self.failed.emit(error)

    def _finish(self, ticket: int) -> _Callbacks:
        on_success, on_error, owner, _fn = self._callbacks.pop(ticket, _NOTHING)
        if not self._callbacks:
            self.busy_changed.emit(False)
        return on_success, on_error, owner          # `_fn` goes here, on the GUI thread


def _alive(owner: QObject | None) -> bool:
    return owner is None or shiboken6.isValid(owner)
