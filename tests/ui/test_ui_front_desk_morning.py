"""The front desk's morning in the main window, at the keyboard alone (issue 13, "Must show"),
on the practice's Monday of checkin_support (the services' clock a `Wall` the test moves):
Ctrl+2 to Check-in, three people checked in by typing three letters and Enter, one marked
absent with the reason (F7), a mistaken check-in undone (F8), everyone still here checked out
at the end of the meeting (Shift+F6); then Ctrl+4 to the Schedule's week, and Ctrl+3 to each
chart (two Enters on a name's letters), Ctrl+Tab to its Attendance tab: the meeting's times
and the week's minutes of one checked in, the absence with its reason, no credit for the
check-in undone. Every value read from the widgets is cross-checked against the services.
Bad input at the keyboard: Enter with nothing typed, and with letters nobody matches, is
told under the search box and checks nobody in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from attendance_areas import WAIT_MS, press, press_for_dialog, to_line
from checkin_support import Wall, desk_services, local, set_up_day
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from iopdesk.db.engine import sqlite_url
from iopdesk.db.migrate import open_database
from iopdesk.domain.enums import AttendanceStatus
from iopdesk.domain.time import format_time
from iopdesk.ui.areas.checkin import CheckInArea
from iopdesk.ui.areas.schedule import ScheduleArea
from iopdesk.ui.chart.attendance_tab import AttendanceTab
from iopdesk.ui.checkin.dialogs import AbsenceDialog
from iopdesk.ui.checkin.models import DayModel
from iopdesk.ui.main_window import MainWindow

from support import TODAY

CTRL = Qt.KeyboardModifier.ControlModifier
SHOTS = os.environ.get("IOPDESK_SCREENSHOTS", "")   # a folder to keep each step's picture in
MEETING = "Recovery skills"


@pytest.fixture
def wall():
    return Wall()


@pytest.fixture
def desk(db_path, wall, runner):
    """(services, the day) over a fresh database file: the practice's Monday."""
    engine = open_database(sqlite_url(db_path))
    services = desk_services(engine, "desk-1", wall)
    yield services, set_up_day(services, engine)
    runner.wait_for_done(WAIT_MS)
    engine.dispose()


@pytest.fixture
def window(qtbot, desk, runner, settings, session_info):
    """The front desk's main window on TODAY, shown and active (its shortcuts work)."""
    services, day = desk
    window = MainWindow(services, day.front_desk, runner, session_info, settings=settings,
                        today=lambda: TODAY)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    return window


# ---- at the keyboard ---------------------------------------------------------------------------

def _focus():
    return QApplication.focusWidget()


def _shot(widget, name: str) -> None:
    """The step's screen paints; with IOPDESK_SCREENSHOTS set, its picture is kept there to be
    looked at (nothing is written otherwise)."""
    picture = widget.grab()
    assert not picture.isNull()
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        picture.save(str(Path(SHOTS) / f"{name}.png"))


def _to_check_in(qtbot, window) -> CheckInArea:
    """Ctrl+2: the Check-in area, its day loaded, the keyboard in its search box."""
    press(qtbot, Qt.Key.Key_2, CTRL)
    area = window.stack.currentWidget()
    assert isinstance(area, CheckInArea)
    qtbot.waitUntil(lambda: area.view is not None and area._runner.pending == 0,
                    timeout=WAIT_MS)
    assert _focus() is area.search_edit
    return area


def _check_in(qtbot, area, letters: str) -> None:
    """Letters and Enter at once (before the matches come): checked in, shown in the list."""
    with qtbot.waitSignal(area.checked_in, timeout=WAIT_MS) as done:
        qtbot.keyClicks(_focus(), letters)
        press(qtbot, Qt.Key.Key_Return)
    view = done.args[0]

    def shown() -> bool:
        row = area.day_model.row_of((view.participant_id, view.meeting_id))
        return row >= 0 and area.day_model.line_at(row).attendance == view
    qtbot.waitUntil(shown, timeout=WAIT_MS)
    assert area.search_edit.text() == "" and _focus() is area.search_edit


def _desk_lines(area) -> dict[str, tuple[str, str, str, str]]:
    """name -> (status, in, out, note) of the adult meeting, as the day's list shows them."""
    model, shown = area.day_model, {}
    for row in range(model.rowCount()):
        line = model.line_at(row)
        if line.meeting.title == MEETING:
            shown[line.row.name] = tuple(model.index(row, c).data() for c in (
                DayModel.STATUS, DayModel.IN, DayModel.OUT, DayModel.NOTE))
    return shown


def _to_schedule(qtbot, window) -> ScheduleArea:
    """Ctrl+4: the Schedule area on its first track's week (Adult IOP)."""
    press(qtbot, Qt.Key.Key_4, CTRL)
    area = window.stack.currentWidget()
    assert isinstance(area, ScheduleArea)
    qtbot.waitUntil(lambda: area.week is not None and area._runner.pending == 0,
                    timeout=WAIT_MS)
    assert _focus() is area.table
    return area


def _shown_chart(window):
    """The chart window showing (charts closed before may linger until deleted)."""
    shown = [c for c in window.charts.windows() if c.isVisible()]
    assert len(shown) <= 1
    return shown[0] if shown else None


def _open_chart_of(qtbot, window, letters: str):
    """Ctrl+3 (the keyboard in the participant search), the letters, Enter to search at once,
    Enter again on the single match: the chart, then Ctrl+Tab to its Attendance tab."""
    press(qtbot, Qt.Key.Key_3, CTRL)
    search = window.participants.search_edit
    assert _focus() is search
    qtbot.keyClicks(search, letters)
    press(qtbot, Qt.Key.Key_Return)
    model = window.participant_model
    qtbot.waitUntil(lambda: not model.loading and model.text == letters
                    and model.rowCount() == 1, timeout=WAIT_MS)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _shown_chart(window) is not None, timeout=WAIT_MS)
    chart = _shown_chart(window)
    qtbot.waitUntil(lambda: chart.summary is not None and chart.tabs.count() > 0,
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is chart, timeout=WAIT_MS)
    attendance = chart.tab_keys().index("attendance")
    for _ in range(attendance):
        press(qtbot, Qt.Key.Key_Tab, CTRL)
    assert chart.tabs.currentIndex() == attendance
    tab = chart.tab_widget("attendance")
    assert isinstance(tab, AttendanceTab)
    qtbot.waitUntil(lambda: tab.weeks_model.rowCount() > 0 and window.runner.pending == 0,
                    timeout=WAIT_MS)
    return chart, tab


def _close_chart(qtbot, window, chart) -> None:
    """Ctrl+W: the chart closes, the main window has the keyboard again."""
    press(qtbot, Qt.Key.Key_W, CTRL)
    qtbot.waitUntil(lambda: not chart.isVisible(), timeout=WAIT_MS)
    window.activateWindow()             # as the window manager does (offscreen has none)
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def _cells(model, row: int, *headers: str) -> tuple[str, ...]:
    names = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return tuple(model.index(row, names.index(h)).data() for h in headers)


# ---- the morning -------------------------------------------------------------------------------

def test_the_front_desk_s_morning_shows_in_the_week_and_the_charts(qtbot, window, desk, wall):
    services, day = desk
    people, actor = day.people, day.front_desk

    # 1. three people checked in: three letters and Enter each
    area = _to_check_in(qtbot, window)
    _shot(window, "1-check-in-open")
    wall.set(9, 2)
    _check_in(qtbot, area, "oka")
    _check_in(qtbot, area, "gar")
    wall.set(9, 20)                                      # after the 10 minutes' grace
    _check_in(qtbot, area, "ngu")
    _shot(window, "2-three-checked-in")
    assert {name: line[:3] for name, line in _desk_lines(area).items()} == {
        "Garcia, Ana": ("Here", "9:02 AM", ""), "Nguyen, Lan": ("Here, late", "9:20 AM", ""),
        "Okafor, Ben": ("Here", "9:02 AM", ""), "Quist, Bea": ("Expected", "", "")}
    schedule = _to_schedule(qtbot, window)               # a look at the week meanwhile
    assert schedule.table.cells(TODAY) == [
        f"09:00–12:00\n{MEETING}\nNo facilitator yet\nHere now: 3 of 4"]
    area = _to_check_in(qtbot, window)                   # and back to the desk

    # 2. Bea called in sick: F7 on her line, the reason, Enter
    to_line(qtbot, area, "Quist, Bea")
    dialog = press_for_dialog(qtbot, area, Qt.Key.Key_F7)
    assert isinstance(dialog, AbsenceDialog) and _focus() is dialog.reason_edit
    qtbot.keyClicks(_focus(), "Called in sick")
    _shot(dialog, "3-absence-dialog")
    with qtbot.waitSignal(area.day_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    assert not dialog.isVisible()

    # 3. Ana's check-in was a mistake: F8 on her line, Enter to the question
    to_line(qtbot, area, "Garcia, Ana")
    question = press_for_dialog(qtbot, area, Qt.Key.Key_F8)
    assert "Garcia, Ana's check-in at 9:02 AM" in question.text()
    with qtbot.waitSignal(area.day_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)

    # 4. noon, the meeting's end: Shift+F6 checks out everyone still here
    wall.set(12, 0)
    question = press_for_dialog(qtbot, area, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert question.text() == f"Check out the 2 still here in {MEETING} now?"
    with qtbot.waitSignal(area.day_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    _shot(window, "4-everyone-out")
    assert _desk_lines(area) == {
        "Garcia, Ana": ("Expected", "", "", ""),
        "Nguyen, Lan": ("Late, left", "9:20 AM", "12:00 PM", ""),
        "Okafor, Ben": ("Left", "9:02 AM", "12:00 PM", ""),
        "Quist, Bea": ("Absent", "", "", "Called in sick")}
    stored = {row.participant_id: row.at(day.meetings["adult"])
              for row in services.attendance.day(actor, TODAY).rows}
    assert {pid: (a.status, a.time_in, a.time_out, a.minutes, a.absence_reason)
            for pid, a in stored.items() if a is not None} == {
        people["ben"]: (AttendanceStatus.PRESENT, local(9, 2), local(12), 178, ""),
        people["lan"]: (AttendanceStatus.LATE, local(9, 20), local(12), 160, ""),
        people["ana"]: (AttendanceStatus.EXPECTED, None, None, 0, ""),
        people["bea"]: (AttendanceStatus.ABSENT, None, None, 0, "Called in sick")}

    # 5. the Schedule's week: the morning's meeting, held on TODAY, with who came
    schedule = _to_schedule(qtbot, window)
    _shot(window, "5-schedule-week")
    assert schedule.week.track_name == "Adult IOP" and "(this week)" in schedule.heading.text()
    [meeting] = next(d.meetings for d in schedule.week.days if d.day == TODAY)
    assert meeting.id == day.meetings["adult"]
    assert schedule.table.cells(TODAY) == [
        f"09:00–12:00\n{MEETING}\nNo facilitator yet\nAttended: 2 of 4"]
    [counts] = [m for m in services.attendance.day(actor, TODAY).meetings
                if m.id == meeting.id]
    assert (counts.attended_count, counts.expected_count) == (2, 4)

    # 6. the charts' Attendance tab: Ben's times and the week's minutes
    zone = services.settings.clock().zone
    chart, tab = _open_chart_of(qtbot, window, "oka")
    _shot(chart, "6-chart-ben-attendance")
    assert chart.name_label.text() == "Okafor, Ben"
    week = services.attendance.weeks(actor, people["ben"])[0]         # the newest
    assert (week.week_first, week.credited_minutes, week.total_minutes,
            week.minimum_minutes) == (TODAY, 178, 178, 540)
    assert _cells(tab.weeks_model, 0, "Week", "Meetings", "Group min", "Total", "Minimum") == (
        "2026-11-16 – 11-22", "1 of 1", "178", "2 h 58 min", "9 h")
    assert tab.meetings_model.rowCount() == 1
    assert _cells(tab.meetings_model, 0, "Date", "Meeting", "Window", "In", "Out",
                  "Credited min", "Status", "Flags") == (
        "Mon 2026-11-16", MEETING, "09:00–12:00", "09:02", "12:00", "178", "Present", "")
    [shown] = week.meetings
    assert (format_time(shown.attendance.time_in, zone),
            format_time(shown.attendance.time_out, zone)) == ("09:02", "12:00")
    _close_chart(qtbot, window, chart)

    # Bea: absent, with the reason she gave
    chart, tab = _open_chart_of(qtbot, window, "qui")
    _shot(chart, "7-chart-bea-attendance")
    assert chart.name_label.text() == "Quist, Bea"
    assert _cells(tab.weeks_model, 0, "Meetings", "Group min", "Total") == ("0 of 1", "0",
                                                                            "0 min")
    assert _cells(tab.meetings_model, 0, "In", "Out", "Credited min", "Status", "Flags") == (
        "", "", "0", "Absent", "reason: Called in sick")
    week = services.attendance.weeks(actor, people["bea"])[0]
    assert week.meetings[0].attendance.absence_reason == "Called in sick"
    assert week.credited_minutes == 0
    _close_chart(qtbot, window, chart)

    # Ana: the check-in undone gives no credit, and both steps stay on record
    chart, tab = _open_chart_of(qtbot, window, "gar")
    _shot(chart, "8-chart-ana-attendance")
    assert chart.name_label.text() == "Garcia, Ana"
    assert _cells(tab.weeks_model, 0, "Meetings", "Group min", "Total") == ("0 of 1", "0",
                                                                            "0 min")
    assert _cells(tab.meetings_model, 0, "In", "Out", "Credited min", "Status") == (
        "", "", "0", "Expected")
    press(qtbot, Qt.Key.Key_Tab)                          # from the tab bar to the weeks,
    press(qtbot, Qt.Key.Key_Tab)                          # and on to the week's meetings
    assert _focus() is tab.meetings_table
    with qtbot.waitSignal(tab.history_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Space)                    # the meeting chosen: its steps
    steps = [_cells(tab.steps_model, r, "Who", "Step") for r in range(tab.steps_model.rowCount())]
    assert steps == [("Frontdesk", "Checked in"), ("Frontdesk", "Check-in undone")]
    week = services.attendance.weeks(actor, people["ana"])[0]
    assert week.credited_minutes == 0 and week.meetings[0].attendance.minutes == 0
    _close_chart(qtbot, window, chart)


# ---- bad input ---------------------------------------------------------------------------------

def test_enter_with_nobody_matching_checks_nobody_in(qtbot, window, desk, wall):
    services, day = desk
    wall.set(9, 0)
    area = _to_check_in(qtbot, window)
    press(qtbot, Qt.Key.Key_Return)                     # nothing typed
    assert area.search_error.isVisible()
    assert area.search_error.text() == ("Type two or three letters of a name or a chart "
                                        "number, then Enter.")
    with qtbot.waitSignal(area.matches_loaded, timeout=WAIT_MS):
        qtbot.keyClicks(_focus(), "zzq")
    press(qtbot, Qt.Key.Key_Return)
    assert area.search_error.text() == "No one found for “zzq”."
    assert area.search_edit.text() == "zzq" and _focus() is area.search_edit
    qtbot.waitUntil(lambda: area._runner.pending == 0, timeout=WAIT_MS)
    _shot(window, "9-nobody-matches")
    view = services.attendance.day(day.front_desk, TODAY)
    assert all(not row.attendance for row in view.rows)
    assert [m.here_count for m in view.meetings] == [0, 0]
