"""Background calls: run a function on a worker thread, get its result back on the GUI thread.

A `Runner` is made by the composition root (or a test) and handed to every window that
needs it. `runner.submit(fn, on_success, on_error)` runs `fn()` on the runner's
`QThreadPool`; the callbacks always run on the GUI thread, never on the worker. An error
without an `on_error` is announced by the runner's `failed` signal, so nothing is swallowed.
Callbacks given an `owner` (the widget or model they update) are dropped if the owner has
been deleted by the time the answer arrives. A change of data goes through
`runner.change(...)` instead: the same, on the one writer thread, changes one after the other
(queries go on beside them).

Python's cyclic garbage collector never runs on its own in the application: it would run on
whichever thread happens to allocate, at whatever moment, and there destroy Qt objects left in
reference cycles (the wrappers of windows closed earlier) — on a worker thread, where Qt
crashes or deadlocks (seen: a `~QObject` on a worker waiting for the GIL while the GUI thread,
holding it, waited for Qt's connection lock), or on the GUI thread in the middle of another
Qt object's destructor, where the inner `~QObject` waits for the lock the outer one holds
(seen: a test hung for ever). `GuiThreadCollector` turns automatic collection off once for
the application and collects from a timer on the GUI thread, at the top of the event loop,
by the same thresholds Python would use.

The function itself is released on the GUI thread too: the runner keeps it until its answer
is delivered, and the worker lets go of it before it answers. A closure is often the last
holder of a window (a chart closed while its summary loads), and a Qt object's wrapper must
not be destroyed on a worker thread.
"""

from __future__ import annotations

import gc
import logging
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import (QCoreApplication, QObject, QRunnable, QThread, QThreadPool, QTimer,
                            Signal, Slot)

log = logging.getLogger(__name__)

Callback = Callable[[Any], object]
_Callbacks = tuple[Callback | None, Callback | None, QObject | None]
_NOTHING: tuple = (None, None, None, None)


class GuiThreadCollector(QObject):
    """Automatic garbage collection off for the whole application; collections by Python's
    own thresholds from a GUI-thread timer instead (see the module's doc)."""

    INTERVAL_MS = 250

    def __init__(self, app: QCoreApplication):
        super().__init__(app)
        gc.disable()
        self.collections = 0
        self._timer = QTimer(self)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    @Slot()
    def collect_due(self) -> int:
        """Collect the oldest generation whose threshold is reached; that generation, or -1."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        generation = -1
        for level in range(3):
            if counts[level] >= thresholds[level] > 0:
                generation = level
        if generation >= 0:
            gc.collect(generation)
            self.collections += 1
        return generation


_COLLECTOR: GuiThreadCollector | None = None


def install_collector(app: QCoreApplication | None = None) -> GuiThreadCollector:
    """The application's collector, made on first call (on the GUI thread); the same after."""
    global _COLLECTOR
    app = app or QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_collector needs the QApplication")
    if _COLLECTOR is not None and shiboken6.isValid(_COLLECTOR) and _COLLECTOR.parent() is app:
        return _COLLECTOR
    if QThread.currentThread() is not app.thread():
        raise RuntimeError("install_collector must be called on the GUI thread")
    _COLLECTOR = GuiThreadCollector(app)
    return _COLLECTOR


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
        install_collector()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._writer = QThreadPool(self)        # change operations, one at a time
        self._writer.setMaxThreadCount(1)
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
        """A query operation: run `fn()` on a worker, beside others; then `on_success(result)`
        or `on_error(exception)` here, unless `owner` is gone by then."""
        return self._start(self._pool, fn, on_success, on_error, owner)

    query = submit

    def change(self, fn: Callable[[], Any], on_success: Callback | None = None,
               on_error: Callback | None = None, *, owner: QObject | None = None) -> int:
        """A change operation: like `submit`, but on the one writer thread, so changes run
        one after the other in the order asked (SQLite has one writer; queries go on beside
        them). What it changed is announced by the services once it commits (ui.changes)."""
        return self._start(self._writer, fn, on_success, on_error, owner)

    def _start(self, pool: QThreadPool, fn: Callable[[], Any], on_success: Callback | None,
               on_error: Callback | None, owner: QObject | None) -> int:
        self._next_ticket += 1
        ticket = self._next_ticket
        self._callbacks[ticket] = (on_success, on_error, owner, fn)
        if len(self._callbacks) == 1:
            self.busy_changed.emit(True)
        pool.start(_Task(ticket, fn, self._relay))
        return ticket

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until every running task has finished (for shutdown and tests only)."""
        return self._writer.waitForDone(msecs) and self._pool.waitForDone(msecs)

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
