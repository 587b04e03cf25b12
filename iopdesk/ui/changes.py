"""The application-wide change signal: every committed change set, on the GUI thread.

The services announce a change set (domain.changes) on the thread that committed it — a
worker. `change_bus(services)` is the one `ChangeBus` of the application for those services:
it takes each change set over to the GUI thread and emits `changed(change_set)` there. Lists,
tabs, banners and titles connect to it and reload only what a change set touches.

On a database server the other workstations' change sets arrive on a listening connection:
a QSocketNotifier on its socket wakes the event loop as soon as one is committed (no polling
interval), and they are emitted like this workstation's own. A lost connection is tried again
every few seconds; once back, `changed` carries "anything may have changed"
(ChangeSet.everything), so every screen reloads what it shows.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import logging

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier, Qt, QTimer, Signal, Slot

from iopdesk.domain.changes import ChangeSet as _ChangeSet

log = logging.getLogger(__name__)
RETRY_MS = 3000         # between attempts to listen again after the connection was lost

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
        self._remote = None
        self._notifier: QSocketNotifier | None = None
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._listen_again)

    # -- the other workstations (a database server) ------------------------------------------

    def listen(self, connect) -> None:
        """Listen to the other workstations: `connect()` gives a RemoteChanges (or raises
        when the server cannot be reached: tried again every few seconds)."""
        self._connect = connect
        self._gone = False
        try:
            self._watch(connect())
        except Exception as exc:                    # noqa: BLE001 - the server is away
            log.warning("cannot listen to the other workstations yet: %s", exc)
            self._retry.start()

    @property
    def listening(self) -> bool:
        return self._notifier is not None

    def _watch(self, remote) -> None:
        self._remote = remote
        self._notifier = QSocketNotifier(remote.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read_remote)

    @Slot()
    def _read_remote(self) -> None:
        try:
            arrived = self._remote.read()
        except Exception as exc:                    # noqa: BLE001 - the connection is gone
            log.warning("the listening connection was lost: %s", exc)
            self._drop_notifier()
            self._retry.start()
            return
        for change_set in arrived:
            self.changed.emit(change_set)

    def stop_listening(self) -> None:
        """The services are gone: no more listening, no more attempts."""
        self._gone = True
        self._retry.stop()
        self._drop_notifier()
        if self._remote is not None:
            self._remote.close()

    @Slot()
    def _listen_again(self) -> None:
        if getattr(self, "_gone", False):
            return
        try:
            if self._remote is not None:
                self._remote.reconnect()
                self._watch(self._remote)
            else:
                self._watch(self._connect())
        except Exception as exc:                    # noqa: BLE001 - still away
            log.warning("cannot listen to the other workstations yet: %s", exc)
            self._retry.start()
            return
        self.changed.emit(_ChangeSet.anything())    # what was sent meanwhile is lost

    def _drop_notifier(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None


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
        if getattr(feed, "server_url", None):
            bus.listen(feed.remote)
            # the services gone (a session ended, a test done): stop listening for them
            weakref.finalize(feed, _stop_later, weakref.ref(bus)).atexit = False
    return bus


def _stop_later(bus_ref) -> None:
    import shiboken6

    bus = bus_ref()
    if bus is not None and shiboken6.isValid(bus):
        QTimer.singleShot(0, bus, bus.stop_listening)     # on the bus's (GUI) thread
