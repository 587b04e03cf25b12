"""The application-wide change signal: every committed change set, on the GUI thread.

The services announce a change set (domain.changes) on the thread that committed it — a
worker. `change_bus(services)` is the one `ChangeBus` of the application for those services:
it takes each change set over to the GUI thread and emits `changed(change_set)` there. Lists,
tabs, banners and titles connect to it and reload only what a change set touches. Change sets
of another workstation are given to `announce` as they arrive (in-process on SQLite).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot

if TYPE_CHECKING:
    from iopdesk.domain.changes import ChangeSet
    from iopdesk.services import Services


class ChangeBus(QObject):
    changed = Signal(object)        # a ChangeSet, emitted on the GUI thread
    _arrived = Signal(object)       # from any thread

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = None

    def announce(self, change_set: ChangeSet) -> None:
        """Deliver `change_set` on the GUI thread, after what is already queued there.
        Safe from any thread."""
        self._arrived.emit(change_set)

    @Slot(object)
    def _deliver(self, change_set: ChangeSet) -> None:
        self.changed.emit(change_set)


_BUSES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def change_bus(services: Services) -> ChangeBus:
    """The application's bus for `services`, made (on the GUI thread) at the first call."""
    feed = services.changes
    bus = _BUSES.get(feed)
    if bus is None:
        bus = ChangeBus(QCoreApplication.instance())
        feed.subscribe(bus.announce)
        _BUSES[feed] = bus
    return bus
