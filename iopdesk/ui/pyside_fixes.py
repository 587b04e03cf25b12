"""Work-arounds for defects of the installed PySide6, applied once when `iopdesk.ui` loads.

PySide6 6.12.0 returns `True` from `SignalInstance.emit()` (and `False` from a failed
`disconnect()`) without taking a new reference. Each emit from Python therefore drops one
reference to `True`; on Python 3.11, whose `True` and `False` are ordinary objects, the
interpreter aborts with "Fatal Python error: bool_dealloc" once a few thousand signals have
been emitted (a long working day of the app, or one test run). Python 3.12 made `True` and
`False` immortal, which hides the defect; `protect_bools()` does the same on 3.11 when (and
only when) it sees the defect.

The same PySide6 returns `None` from every wrapped method that returns nothing (`setText`,
`setObjectName`, `QTimer.setInterval`…) without taking a reference either: each such call
drops one reference to `None`, and the process aborts with "Fatal Python error:
none_dealloc" after enough of them (a long session, a long test run). `protect_none()`
makes `None` practically immortal too, when it sees that defect.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

_PROBES = 64
_IMMORTAL = 1 << 40     # far more references than a process can ever drop


class _Probe(QObject):
    ping = Signal()


def emit_drops_references() -> bool:
    """True when emitting a signal takes a reference from `True` (the PySide6 defect)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.ping.emit()
    return before - sys.getrefcount(True) >= _PROBES // 2


def void_calls_drop_none() -> bool:
    """True when a wrapped method returning nothing takes a reference from `None`."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(_PROBES):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= _PROBES // 2


def _refcount_cell(value: object) -> ctypes.c_ssize_t | None:
    cell = ctypes.c_ssize_t.from_address(id(value))
    # getrefcount() counts its own argument; the cell must agree, else the layout is unknown
    if abs(cell.value - (sys.getrefcount(value) - 1)) > 2:
        return None
    return cell


def protect_bools() -> bool:
    """Make `True` and `False` practically immortal if signals leak references to them.

    Returns whether they are protected now (calling it again changes nothing)."""
    if sys.version_info >= (3, 12):
        return False
    if sys.getrefcount(True) > _IMMORTAL // 2:
        return True
    if not emit_drops_references():
        return False
    cells = [_refcount_cell(value) for value in (True, False)]
    if any(cell is None for cell in cells):
        log.warning("PySide6 drops references to True on every signal; cannot work around it "
                    "on this Python build")
        return False
    for cell in cells:
        cell.value += _IMMORTAL
    return True


def protect_none() -> bool:
    """Make `None` practically immortal if wrapped calls leak references to it (see above).

    Returns whether it is protected now (calling it again changes nothing)."""
    if sys.version_info >= (3, 12):
        return False
    if sys.getrefcount(None) > _IMMORTAL // 2:
        return True
    if not void_calls_drop_none():
        return False
    cell = _refcount_cell(None)
    if cell is None:
        log.warning("PySide6 drops references to None on every call that returns nothing; "
                    "cannot work around it on this Python build")
        return False
    cell.value += _IMMORTAL
    return True
