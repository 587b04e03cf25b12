"""The Schedule area as its users meet it, on the demo practice as of TODAY: an administrator
at the keyboard adds a weekly block and sees its meetings, closes a day and sees its meetings
cancelled with the reason, cancels, moves and re-staffs single meetings; the front desk reads
the same week with no edit action; bad input is told at its field with nothing stored, and a
refusal names its cause; a change made elsewhere shows up in an open area."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton

from iopdesk.db.engine import make_session_factory, sqlite_url
from iopdesk.db.migrate import open_database
from iopdesk.demo import DEMO_PASSWORD
from iopdesk.domain.schedule import BlockInput
from iopdesk.services import build_services
from iopdesk.ui.areas.schedule import ScheduleArea
from iopdesk.ui.schedule.block_dialogs import BlockDialog
from iopdesk.ui.schedule.closure_dialog import ClosureDialog
from iopdesk.ui.schedule.meeting_dialogs import (CancelMeetingDialog, MeetingChangeDialog,
                                                 MoveMeetingDialog)

from support import AUDIT_KEY, TODAY

WAIT_MS = 10_000
NEXT_MONDAY = TODAY + timedelta(days=7)          # a week with no attendance recorded yet
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def clinic(demo_db, runner):
    """The demo practice's services with the practice's date fixed at TODAY (the demo's)."""
    engine = open_database(sqlite_url(demo_db))
    services = build_services(make_session_factory(engine), "test-station",
                              audit_key=AUDIT_KEY, today=lambda: TODAY)
    yield services
    runner.wait_for_done(WAIT_MS)
    engine.dispose()


def _log_in(services, username: str):
    return services.staff.log_in(username, DEMO_PASSWORD)


def _adult_track(services, actor) -> int:
    return next(t.id for t in services.staff.tracks(actor) if t.name.startswith("Adult"))


def _area(qtbot, services, runner, username: str, *, week: date = TODAY) -> ScheduleArea:
    """The area of `username`, shown and active, on the adult track's week of `week`."""
    actor = _log_in(services, username)
    area = ScheduleArea(services, actor, runner, today=lambda: TODAY)
    qtbot.addWidget(area)
    area.resize(1200, 800)
    area.show()
    area.activateWindow()
    qtbot.waitUntil(area.isActiveWindow, timeout=WAIT_MS)
    with qtbot.waitSignal(area.week_loaded, timeout=WAIT_MS):
        area.area_shown()
    adult = _adult_track(services, actor)
    if area.track_id != adult:
        with qtbot.waitSignal(area.week_loaded, timeout=WAIT_MS):
            area.show_track(adult)
    while area.week.first < week:
        with qtbot.waitSignal(area.week_loaded, timeout=WAIT_MS):
            qtbot.keyClick(area.table, Qt.Key.Key_PageDown)
    area.focus_first()
    return area


def _focus(qtbot):
    """The widget with the keyboard (once a closed dialog has handed it back)."""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=WAIT_MS)
    return QApplication.focusWidget()


def _press(qtbot, area, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A key pressed wherever the keyboard is; the dialog it opened, if any (a button's
    mnemonic clicks it after its short press animation)."""
    with qtbot.waitSignal(area.dialog_opened, timeout=1000, raising=False) as opened:
        qtbot.keyClick(_focus(qtbot), key, modifier)
    if not opened.signal_triggered:
        return None
    dialog = opened.args[0]
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    return dialog


def _type(qtbot, text: str) -> None:
    qtbot.keyClicks(_focus(qtbot), text)      # ASCII only: QTest's key clicks


def _tab(qtbot) -> None:
    qtbot.keyClick(_focus(qtbot), Qt.Key.Key_Tab)


def _enter_saves(qtbot, area, dialog) -> None:
    with qtbot.waitSignal(area.week_loaded, timeout=WAIT_MS):
        qtbot.keyClick(_focus(qtbot), Qt.Key.Key_Return)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()     # closed, saved
    _back(qtbot, area)


def _back(qtbot, area) -> None:
    """The area's window active again once a dialog closed (a window manager's job)."""
    area.activateWindow()
    qtbot.waitUntil(area.isActiveWindow, timeout=WAIT_MS)


def _enter_refused(qtbot, runner, dialog, field: str) -> str:
    qtbot.keyClick(_focus(qtbot), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(dialog.fields.text(field)), timeout=WAIT_MS)
    assert dialog.isVisible() and dialog.fields.label(field).isVisible()
    return dialog.fields.text(field)


def _select(qtbot, area, day: date, title: str) -> None:
    """The keyboard on the meeting `title` of `day` (arrow keys from the week's first cell)."""
    column = (day - area.week.first).days
    rows = [row for row in range(area.table.rowCount())
            if getattr(entry := area.table.entry_at(row, column), "title", None) == title
            and not entry.cancelled]
    area.table.setCurrentCell(0, 0)
    for _ in range(column):
        qtbot.keyClick(area.table, Qt.Key.Key_Right)
    for _ in range(rows[0]):
        qtbot.keyClick(area.table, Qt.Key.Key_Down)
    assert area.selected_meeting().title == title


def _meetings(services, actor, track_id, day):
    week = services.schedule.week(actor, track_id, day)
    return next(d.meetings for d in week.days if d.day == day)


# ---- administrators ----------------------------------------------------------------------------

def test_admin_adds_a_weekly_block_by_keyboard_and_sees_its_meetings(qtbot, clinic, runner):
    area = _area(qtbot, clinic, runner, "admin", week=NEXT_MONDAY)
    saturday = NEXT_MONDAY + timedelta(days=5)
    assert area.table.cells(saturday) == []
    dialog = _press(qtbot, area, Qt.Key.Key_B, ALT)
    assert isinstance(dialog, BlockDialog)
    _type(qtbot, "Family Skills")                           # the title has the keyboard
    _tab(qtbot)
    _type(qtbot, "Sa")                                      # the weekday: Saturday
    _tab(qtbot)
    _type(qtbot, "10:00")
    _tab(qtbot)
    _type(qtbot, "11:30")
    _tab(qtbot)
    _type(qtbot, "Priya")                                   # the default facilitator
    _enter_saves(qtbot, area, dialog)

    assert area.table.cells(saturday) == ["10:00–11:30\nFamily Skills\nPriya Raman"]
    admin = area._actor
    track_id = area.track_id
    [block] = [b for b in clinic.schedule.blocks(admin, track_id) if b.title == "Family Skills"]
    assert (block.weekday_name, block.start_time, block.end_time, block.facilitator_name,
            block.effective_from) == ("Saturday", time(10), time(11, 30), "Priya Raman", TODAY)
    assert [m.title for m in _meetings(clinic, admin, track_id, saturday)] == ["Family Skills"]
    qtbot.waitUntil(lambda: "Family Skills" in [
        area.blocks.tree.topLevelItem(r).text(2)
        for r in range(area.blocks.tree.topLevelItemCount())], timeout=WAIT_MS)
    assert "Family Skills was added" in area.status.text()


def test_admin_closes_a_day_and_its_meetings_show_cancelled_with_the_reason(qtbot, clinic,
                                                                             runner):
    area = _area(qtbot, clinic, runner, "admin", week=NEXT_MONDAY)
    wednesday = NEXT_MONDAY + timedelta(days=2)
    _select(qtbot, area, wednesday, "CBT Skills")
    dialog = _press(qtbot, area, Qt.Key.Key_L, ALT)
    assert isinstance(dialog, ClosureDialog)
    assert dialog.date_edit.text() == wednesday.isoformat()     # the day looked at
    qtbot.keyClick(dialog, Qt.Key.Key_R, ALT)                   # to the reason
    _type(qtbot, "Staff retreat")
    _enter_saves(qtbot, area, dialog)

    cells = area.table.cells(wednesday)
    assert cells[0] == "Closed: Staff retreat\nWhole practice"
    assert len(cells) == 4 and all(c.endswith("\nClosed: Staff retreat") for c in cells[1:])
    stored = _meetings(clinic, area._actor, area.track_id, wednesday)
    assert {(m.cancelled, m.cancel_reason) for m in stored} == {(True, "Closed: Staff retreat")}

    # the closure removed again: its meetings are held again
    area.table.setCurrentCell(0, 2)
    box = _press(qtbot, area, Qt.Key.Key_V, ALT)
    assert isinstance(box, QMessageBox)
    with qtbot.waitSignal(area.week_loaded, timeout=WAIT_MS):
        box.button(QMessageBox.StandardButton.Yes).click()
    assert not any("Closed" in c for c in area.table.cells(wednesday))
    assert "3 meeting(s) held again" in area.status.text()


def test_admin_cancels_moves_and_restaffs_single_meetings(qtbot, clinic, runner):
    area = _area(qtbot, clinic, runner, "admin", week=NEXT_MONDAY)
    admin, track_id = area._actor, area.track_id
    monday, tuesday = NEXT_MONDAY, NEXT_MONDAY + timedelta(days=1)

    _select(qtbot, area, monday, "Process Group")
    dialog = _press(qtbot, area, Qt.Key.Key_C, ALT)
    assert isinstance(dialog, CancelMeetingDialog)
    _type(qtbot, "Facilitator ill")
    _enter_saves(qtbot, area, dialog)
    [cancelled] = [m for m in _meetings(clinic, admin, track_id, monday)
                   if m.title == "Process Group"]
    assert (cancelled.cancelled, cancelled.cancel_reason) == (True, "Facilitator ill")
    assert area.table.cells(monday)[2].endswith("\nCancelled: Facilitator ill")
    area.table.setCurrentCell(2, 0)
    assert not area.cancel_button.isEnabled()                   # cancelled once is enough

    _select(qtbot, area, monday, "CBT Skills")
    dialog = _press(qtbot, area, Qt.Key.Key_M, ALT)
    assert isinstance(dialog, MoveMeetingDialog)
    assert (dialog.date_edit.text(), dialog.start_edit.text()) == (monday.isoformat(), "19:00")
    dialog.date_edit.selectAll()
    _type(qtbot, tuesday.isoformat())
    _tab(qtbot)
    _type(qtbot, "17:00")
    _tab(qtbot)
    _type(qtbot, "18:15")
    _enter_saves(qtbot, area, dialog)
    assert area.table.cells(tuesday)[0].startswith("17:00–18:15\nCBT Skills")
    assert any(c.startswith("19:00–20:00\nCBT Skills") and
               c.endswith(f"Cancelled: Moved to {tuesday.isoformat()}")
               for c in area.table.cells(monday))
    assert [(m.start_time, m.end_time) for m in _meetings(clinic, admin, track_id, tuesday)
            if m.title == "CBT Skills"] == [(time(17), time(18, 15))]

    _select(qtbot, area, monday, "Relapse Prevention")
    before = area.selected_meeting()
    assert before.facilitator_name != "Samuel Okafor"
    dialog = _press(qtbot, area, Qt.Key.Key_Return)             # Enter on a meeting
    assert isinstance(dialog, MeetingChangeDialog)
    _type(qtbot, "Sam")                                         # the facilitator has the keyboard
    _tab(qtbot)
    qtbot.keyClick(_focus(qtbot), Qt.Key.Key_End)
    _type(qtbot, " (Part 2)")                                   # after the topic shown
    _enter_saves(qtbot, area, dialog)
    [after] = [m for m in _meetings(clinic, admin, track_id, monday)
               if m.id == before.id]
    assert (after.facilitator_name, after.topic) == ("Samuel Okafor", before.topic + " (Part 2)")
    assert area.table.cells(monday)[0].endswith("(Part 2)\nSamuel Okafor")


# ---- everyone else reads ---------------------------------------------------------------------

def test_front_desk_reads_the_week_without_edit_actions(qtbot, clinic, runner):
    area = _area(qtbot, clinic, runner, "frontdesk", week=NEXT_MONDAY)
    assert area.table.cells(NEXT_MONDAY)[0].startswith("18:00–19:00\nRelapse Prevention")
    thursday = NEXT_MONDAY + timedelta(days=3)                  # Thanksgiving
    assert area.table.cells(thursday)[0] == "Closed: Thanksgiving Day\nWhole practice"
    assert all(c.endswith("\nClosed: Thanksgiving Day") for c in area.table.cells(thursday)[1:])
    assert area.blocks is None and not area.can_edit
    texts = {b.text().replace("&", "") for b in area.findChildren(QPushButton)}
    assert texts == {"◀ Previous week", "This week", "Next week ▶", "Refresh"}
    area.table.setCurrentCell(0, 0)
    assert _press(qtbot, area, Qt.Key.Key_Return) is None       # Enter opens nothing
    assert _press(qtbot, area, Qt.Key.Key_C, ALT) is None
    # the weeks by keyboard: the week before, and back to this week
    with qtbot.waitSignal(area.week_loaded, timeout=WAIT_MS):
        qtbot.keyClick(area.table, Qt.Key.Key_Left, ALT)
    assert area.week.first == TODAY and "(this week)" in area.heading.text()
    with qtbot.waitSignal(area.week_loaded, timeout=WAIT_MS):
        qtbot.keyClick(area.table, Qt.Key.Key_PageUp)
    assert area.week.first == TODAY - timedelta(days=7)
    with qtbot.waitSignal(area.week_loaded, timeout=WAIT_MS):
        qtbot.keyClick(area.table, Qt.Key.Key_T, ALT)
    assert area.week.first == TODAY


# ---- bad input, refusals ---------------------------------------------------------------------

def test_a_block_ending_before_it_starts_is_told_at_the_field_and_nothing_stored(
        qtbot, clinic, runner):
    area = _area(qtbot, clinic, runner, "admin")
    blocks = clinic.schedule.blocks(area._actor, area.track_id)
    dialog = _press(qtbot, area, Qt.Key.Key_B, ALT)
    _type(qtbot, "Evening Skills")
    _tab(qtbot)
    _tab(qtbot)
    _type(qtbot, "9pm")
    _tab(qtbot)
    _type(qtbot, "8:30 pm")
    assert _enter_refused(qtbot, runner, dialog, "end_time") == (
        "End time 20:30 is not after the start time 21:00")
    assert dialog.title_edit.text() == "Evening Skills"          # what was typed stays
    dialog.start_edit.setFocus()
    dialog.start_edit.selectAll()
    _type(qtbot, "25:00")
    assert "is not a time of day" in _enter_refused(qtbot, runner, dialog, "start_time")
    assert clinic.schedule.blocks(area._actor, area.track_id) == blocks


def test_a_closure_or_a_cancel_without_a_reason_is_refused_at_the_field(qtbot, clinic, runner):
    area = _area(qtbot, clinic, runner, "admin", week=NEXT_MONDAY)
    admin = area._actor
    wednesday = NEXT_MONDAY + timedelta(days=2)
    _select(qtbot, area, wednesday, "Process Group")
    dialog = _press(qtbot, area, Qt.Key.Key_L, ALT)
    assert _enter_refused(qtbot, runner, dialog, "reason") == "Reason is required"
    dialog.reject()
    _back(qtbot, area)
    assert clinic.schedule.closures(admin, wednesday, wednesday) == ()

    dialog = _press(qtbot, area, Qt.Key.Key_C, ALT)
    _type(qtbot, "   ")
    assert _enter_refused(qtbot, runner, dialog, "reason") == "Reason is required"
    meeting = area.selected_meeting()
    [stored] = [m for m in _meetings(clinic, admin, area.track_id, wednesday)
                if m.id == meeting.id]
    assert not stored.cancelled and stored.version == meeting.version


def test_refusals_name_their_cause_and_keep_what_was_typed(qtbot, clinic, runner):
    area = _area(qtbot, clinic, runner, "admin")
    admin = area._actor
    # a meeting with attendance recorded cannot be moved (a Conflict): in the banner
    with qtbot.waitSignal(area.week_loaded, timeout=WAIT_MS):
        qtbot.keyClick(area.table, Qt.Key.Key_PageUp)
    last_monday = TODAY - timedelta(days=7)
    _select(qtbot, area, last_monday, "CBT Skills")
    dialog = _press(qtbot, area, Qt.Key.Key_M, ALT)
    qtbot.keyClick(_focus(qtbot), Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.banner.isVisible, timeout=WAIT_MS)
    assert "has attendance recorded: it cannot be moved" in dialog.banner.text()
    assert dialog.isVisible()
    dialog.done(QDialog.DialogCode.Rejected)
    _back(qtbot, area)

    # someone else changed the meeting meanwhile (StaleVersion): named, the typing kept
    with qtbot.waitSignal(area.week_loaded, timeout=WAIT_MS):
        qtbot.keyClick(area.table, Qt.Key.Key_PageDown)         # faster than weeks load
        qtbot.keyClick(area.table, Qt.Key.Key_PageDown)
    assert area.week.first == NEXT_MONDAY
    _select(qtbot, area, NEXT_MONDAY, "Relapse Prevention")
    dialog = _press(qtbot, area, Qt.Key.Key_C, ALT)
    _type(qtbot, "Room flooded")
    meeting = dialog.meeting
    clinic.schedule.update_meeting(_log_in(clinic, "admin"), meeting.id, meeting.version,
                                   meeting.facilitator_id, "Another topic")
    qtbot.keyClick(_focus(qtbot), Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.banner.isVisible, timeout=WAIT_MS)
    assert "Morgan Ellis" in dialog.banner.text()
    assert dialog.isVisible() and dialog.reason_edit.text() == "Room flooded"
    [stored] = [m for m in _meetings(clinic, admin, area.track_id, NEXT_MONDAY)
                if m.id == meeting.id]
    assert not stored.cancelled


# ---- live ------------------------------------------------------------------------------------

def test_a_change_made_elsewhere_shows_up_in_an_open_area(qtbot, clinic, runner):
    area = _area(qtbot, clinic, runner, "frontdesk", week=NEXT_MONDAY)
    friday = NEXT_MONDAY + timedelta(days=4)
    assert area.table.cells(friday) == []
    admin = _log_in(clinic, "admin")
    clinic.schedule.add_block(admin, area.track_id, BlockInput(
        weekday=4, start_time=time(9), end_time=time(10), title="Friday Check-in",
        facilitator_id=None, effective_from=TODAY))
    qtbot.waitUntil(lambda: area.table.cells(friday) == [
        "09:00–10:00\nFriday Check-in\nNo facilitator yet"], timeout=WAIT_MS)
    [meeting] = _meetings(clinic, admin, area.track_id, friday)
    clinic.schedule.cancel_meeting(admin, meeting.id, meeting.version, "Holiday weekend")
    qtbot.waitUntil(lambda: area.table.cells(friday)[0].endswith(
        "\nCancelled: Holiday weekend"), timeout=WAIT_MS)


def test_a_practice_without_tracks_says_so(qtbot, practice):
    area = ScheduleArea(practice.services, practice.admin, practice.runner, today=lambda: TODAY)
    qtbot.addWidget(area)
    area.show()
    with qtbot.waitSignal(area.week_loaded, timeout=WAIT_MS):
        area.area_shown()
    assert area.heading.text() == "No program track is set up yet."
    assert area.week is None and area.table.rowCount() == 0
    assert not area.bar.next_button.isEnabled() and not area.blocks.add_button.isEnabled()
    area.next_week()                                 # the keys do nothing, and nothing breaks
    assert area.week is None


def test_the_areas_keys_are_its_own(qtbot, clinic, runner):
    """Each Alt+letter of the area opens one thing, and none is taken from the main window's
    menus (File, Go, Participants, Admin)."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QLabel

    from iopdesk.ui.main_window import MENU_MNEMONICS

    area = _area(qtbot, clinic, runner, "admin")
    texts = [w.text() for w in area.findChildren(QPushButton)]
    texts += [w.text() for w in area.findChildren(QLabel) if w.buddy() is not None]
    keys = [QKeySequence.mnemonic(text).toString().lower() for text in texts]
    assert all(keys) and len(set(keys)) == len(keys) == 13
    assert not {key.removeprefix("alt+") for key in keys} & MENU_MNEMONICS


def test_a_hidden_area_reads_no_attendance_until_shown_again(qtbot, clinic, runner,
                                                              monkeypatch):
    """A check-in while the Schedule is not on screen costs it no (audited) read of the day;
    shown again, it reads the week and shows the check-in."""
    area = _area(qtbot, clinic, runner, "frontdesk")
    desk = _log_in(clinic, "frontdesk")
    day = clinic.attendance.day(desk, TODAY, area.track_id)
    meeting = next(m for m in day.meetings if not m.cancelled)
    person = next(r.participant_id for r in day.rows
                  if r.track_id == area.track_id and r.at(meeting.id) is None)
    reads = []
    read_day = clinic.attendance.day
    monkeypatch.setattr(clinic.attendance, "day",
                        lambda *args, **kwargs: reads.append(args) or read_day(*args, **kwargs))
    area.hide()
    clinic.attendance.check_in(desk, person, meeting.id, at=meeting.start)
    qtbot.wait(500)
    runner.wait_for_done(WAIT_MS)
    assert reads == []
    area.show()
    with qtbot.waitSignal(area.week_loaded, timeout=WAIT_MS):
        area.area_shown()
    assert reads
    shown = next(text for text in area.table.cells(TODAY) if meeting.title in text)
    assert f"of {meeting.expected_count}" in shown
