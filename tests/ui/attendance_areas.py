"""What the Check-in and Reports areas' tests share: a practice's Monday (checkin_support)
over a fresh database file, the area shown as the main window brings it up, and a key
pressed wherever the keyboard is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from checkin_support import Day, Wall, desk_services, set_up_day
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from iopdesk.db.engine import sqlite_url
from iopdesk.db.migrate import open_database

WAIT_MS = 10_000


@contextmanager
def monday_desk(db_path, runner, wall: Wall) -> Iterator[tuple[object, Day, object]]:
    """(services, the day, engine): checkin_support's Monday in a new database at `db_path`,
    the services on `wall`'s clock. On leaving, the runner's work is waited for (a screen may
    still be reading) before the engine is closed."""
    engine = open_database(sqlite_url(db_path))
    services = desk_services(engine, "desk-1", wall)
    try:
        yield services, set_up_day(services, engine), engine
    finally:
        runner.wait_for_done(WAIT_MS)
        engine.dispose()


def show_area(qtbot, area, loaded, width: int, height: int) -> None:
    """`area` at that size, shown and active, then brought up as the window does it (shown,
    the keyboard on its first field); returns once its `loaded` signal has come."""
    qtbot.addWidget(area)
    area.resize(width, height)
    area.show()
    area.activateWindow()
    qtbot.waitUntil(area.isActiveWindow, timeout=WAIT_MS)
    with qtbot.waitSignal(loaded, timeout=WAIT_MS):
        area.area_shown()
        area.focus_first()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed wherever the keyboard is (once a window has it again)."""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=WAIT_MS)
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def to_line(qtbot, area, name: str, title: str = "Recovery skills") -> None:
    """The keyboard onto `name`'s line of the day's list: Tab there, Ctrl+Home, then Down."""
    if QApplication.focusWidget() is not area.day_table:
        press(qtbot, Qt.Key.Key_Tab)
        press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is area.day_table
    press(qtbot, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(area.day_model.rowCount()):
        line = area.selected_line()
        if (line.row.name, line.meeting.title) == (name, title):
            return
        press(qtbot, Qt.Key.Key_Down)
    raise AssertionError(f"no line of {name} at {title}")


def press_for_dialog(qtbot, area, key, modifier=Qt.KeyboardModifier.NoModifier):
    """`key` pressed, and the dialog it opens once it is up and active."""
    with qtbot.waitSignal(area.dialog_opened, timeout=WAIT_MS) as opened:
        press(qtbot, key, modifier)
    dialog = opened.args[0]
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
    return dialog
