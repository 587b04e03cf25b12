"""The work-arounds of iopdesk.ui.pyside_fixes: with the installed PySide6's reference leaks,
`True`, `False` and `None` must outlive any number of calls (else the process aborts with
"Fatal Python error: bool_dealloc" / "none_dealloc" in a long session)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject

import iopdesk.ui  # noqa: F401 - importing the UI applies the work-arounds
from iopdesk.ui import pyside_fixes


def test_none_outlives_any_number_of_calls_that_return_nothing():
    if sys.version_info >= (3, 12):
        assert not pyside_fixes.protect_none()        # immortal there already
        return
    leaking = pyside_fixes.void_calls_drop_none()
    assert (sys.getrefcount(None) > pyside_fixes._IMMORTAL // 2) == leaking
    probe, before = QObject(), sys.getrefcount(None)
    for _ in range(10_000):
        probe.setObjectName("probe")
    assert sys.getrefcount(None) > pyside_fixes._IMMORTAL // 2 or not leaking
    assert before - sys.getrefcount(None) <= 10_000
    assert pyside_fixes.protect_none() == leaking       # a second call changes nothing


def test_true_outlives_any_number_of_signals():
    if sys.version_info >= (3, 12):
        assert not pyside_fixes.protect_bools()
        return
    leaking = pyside_fixes.emit_drops_references()
    assert (sys.getrefcount(True) > pyside_fixes._IMMORTAL // 2) == leaking
    assert pyside_fixes.protect_bools() == leaking
