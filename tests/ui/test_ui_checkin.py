"""The Check-in area as the front desk at the keyboard alone (no mouse), on a practice's
Monday (checkin_support): three letters and Enter check three people in, one is marked
absent with the reason, a mistaken check-in is undone, everyone is checked out; a walk-in is
warned of; bad input (a correction without a reason, a time out before the time in, a
discharged participant's check-in) is told where it was typed with nothing stored."""

from __future__ import annotations

import pytest
from attendance_areas import (WAIT_MS, monday_desk, press, press_for_dialog, show_area,
                              to_line)
from checkin_support import Wall, local
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from iopdesk.domain.enums import AttendanceStatus
from iopdesk.ui.areas.checkin import CheckInArea
from iopdesk.ui.checkin.dialogs import AbsenceDialog, CorrectTimesDialog
from iopdesk.ui.checkin.models import DayModel

from support import TODAY


@pytest.fixture
def wall():
    return Wall()


@pytest.fixture
def desk(db_path, wall, runner):
    """(services, the day) over a fresh database file."""
    with monday_desk(db_path, runner, wall) as (services, day, _engine):
        yield services, day


@pytest.fixture
def area(qtbot, desk, runner):
    services, day = desk
    area = CheckInArea(services, day.front_desk, runner, today=lambda: TODAY)
    show_area(qtbot, area, area.day_loaded, 1100, 700)
    assert QApplication.focusWidget() is area.search_edit
    return area


def _check_in(qtbot, area, letters: str) -> None:
    """Type `letters` and Enter at once (before the matches come): checked in, shown in the
    day's list, the search box empty and ready."""
    with qtbot.waitSignal(area.checked_in, timeout=WAIT_MS) as done:
        qtbot.keyClicks(QApplication.focusWidget(), letters)
        press(qtbot, Qt.Key.Key_Return)
    view = done.args[0]

    def shown() -> bool:
        row = area.day_model.row_of((view.participant_id, view.meeting_id))
        return row >= 0 and area.day_model.line_at(row).attendance == view
    qtbot.waitUntil(shown, timeout=WAIT_MS)
    assert area.search_edit.text() == ""
    assert QApplication.focusWidget() is area.search_edit


def _lines(area) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(name, meeting title) -> (status, in, out), as the day's list shows them."""
    model = area.day_model
    shown = {}
    for row in range(model.rowCount()):
        def cell(column, row=row):
            return model.index(row, column).data()
        line = model.line_at(row)
        shown[line.row.name, line.meeting.title] = (cell(DayModel.STATUS), cell(DayModel.IN),
                                                   cell(DayModel.OUT))
    return shown


def _counts(area) -> dict[str, tuple[str, str]]:
    model = area.meetings_model
    return {model.row_at(r).title: (model.index(r, model.HERE).data(),
                                    model.index(r, model.EXPECTED).data())
            for r in range(model.rowCount())}


def _stored(services, actor) -> dict[int, tuple]:
    """participant id -> (status, time in, time out) of the adult meeting, as stored."""
    view = services.attendance.day(actor, TODAY)
    meeting = next(m for m in view.meetings if m.title == "Recovery skills")
    return {row.participant_id: (a.status, a.time_in, a.time_out)
            for row in view.rows if (a := row.at(meeting.id)) is not None}


def test_the_front_desk_checks_people_in_and_out_at_the_keyboard(qtbot, area, desk, wall):
    services, day = desk
    wall.set(9, 2)
    _check_in(qtbot, area, "oka")
    assert area.status_label.text() == "Checked in: Okafor, Ben, Recovery skills at 9:02 AM"
    _check_in(qtbot, area, "gar")
    wall.set(9, 20)                                          # after the 10 minutes' grace
    _check_in(qtbot, area, "ngu")
    assert area.status_label.text() == "Checked in: Nguyen, Lan, Recovery skills at 9:20 AM"
    assert not area.warning_label.isVisible()
    qtbot.waitUntil(lambda: _counts(area)["Recovery skills"] == ("3", "4"), timeout=WAIT_MS)
    assert _lines(area) == {
        ("Garcia, Ana", "Recovery skills"): ("Here", "9:02 AM", ""),
        ("Nguyen, Lan", "Recovery skills"): ("Here, late", "9:20 AM", ""),
        ("Okafor, Ben", "Recovery skills"): ("Here", "9:02 AM", ""),
        ("Quist, Bea", "Recovery skills"): ("Expected", "", ""),
        ("Lindqvist, Cara", "Teen group"): ("Expected", "", "")}

    # Bea called in sick: absent, and the reason is required
    to_line(qtbot, area, "Quist, Bea")
    dialog = press_for_dialog(qtbot, area, Qt.Key.Key_F7)
    assert isinstance(dialog, AbsenceDialog)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(dialog.fields.text("reason")), timeout=WAIT_MS)
    assert dialog.fields.text("reason") == "Say why (an absence needs a reason)"
    assert day.people["bea"] not in _stored(services, day.front_desk)
    qtbot.keyClicks(dialog.reason_edit, "Called in sick")
    with qtbot.waitSignal(area.day_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert _lines(area)["Quist, Bea", "Recovery skills"] == ("Absent", "", "")
    row = area.day_model.row_of((day.people["bea"], day.meetings["adult"]))
    assert area.day_model.index(row, DayModel.NOTE).data() == "Called in sick"

    # Ana was checked in by mistake (it was her sister): undone, kept as expected
    to_line(qtbot, area, "Garcia, Ana")
    question = press_for_dialog(qtbot, area, Qt.Key.Key_F8)
    assert "Garcia, Ana's check-in at 9:02 AM" in question.text()
    with qtbot.waitSignal(area.day_loaded, timeout=WAIT_MS):
        qtbot.keyClick(question, Qt.Key.Key_Return)
    assert _lines(area)["Garcia, Ana", "Recovery skills"] == ("Expected", "", "")

    # the end of the meeting: everyone still here checked out at once
    wall.set(12, 0)
    to_line(qtbot, area, "Okafor, Ben")
    question = press_for_dialog(qtbot, area, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert question.text() == "Check out the 2 still here in Recovery skills now?"
    with qtbot.waitSignal(area.day_loaded, timeout=WAIT_MS):
        qtbot.keyClick(question, Qt.Key.Key_Return)
    assert area.status_label.text() == "Checked out 2 from Recovery skills"
    assert _lines(area) == {
        ("Garcia, Ana", "Recovery skills"): ("Expected", "", ""),
        ("Nguyen, Lan", "Recovery skills"): ("Late, left", "9:20 AM", "12:00 PM"),
        ("Okafor, Ben", "Recovery skills"): ("Left", "9:02 AM", "12:00 PM"),
        ("Quist, Bea", "Recovery skills"): ("Absent", "", ""),
        ("Lindqvist, Cara", "Teen group"): ("Expected", "", "")}
    assert _counts(area)["Recovery skills"] == ("0", "4")
    model = area.meetings_model
    came = {model.row_at(r).title: (model.index(r, model.CAME).data(),
                                    model.index(r, model.MISSING).data())
            for r in range(model.rowCount())}
    # over: two came (Ana's check-in undone, Bea absent), nobody left unaccounted but Ana;
    # the teen group has not begun: nobody came yet, and nothing is said
    assert came == {"Recovery skills": ("2", "1"), "Teen group": ("", "1")}
    people = day.people
    assert _stored(services, day.front_desk) == {
        people["ben"]: (AttendanceStatus.PRESENT, local(9, 2), local(12)),
        people["lan"]: (AttendanceStatus.LATE, local(9, 20), local(12)),
        people["ana"]: (AttendanceStatus.EXPECTED, None, None),
        people["bea"]: (AttendanceStatus.ABSENT, None, None)}
    [attendance] = [a for r in services.attendance.day(day.front_desk, TODAY).rows
                    for a in r.attendance if r.participant_id == people["ana"]]
    steps = [s.action for s in services.attendance.history(day.front_desk, attendance.id)]
    assert steps == ["checked_in", "check_in_undone"]           # recorded, never deleted


def test_a_check_out_of_one_and_its_undo(qtbot, area, desk, wall):
    services, day = desk
    wall.set(8, 55)
    _check_in(qtbot, area, "qui")
    wall.set(11, 0)
    to_line(qtbot, area, "Quist, Bea")
    press(qtbot, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: _lines(area)["Quist, Bea", "Recovery skills"] == (
        "Left early", "8:55 AM", "11:00 AM"), timeout=WAIT_MS)
    assert area.status_label.text() == "Checked out: Quist, Bea, Recovery skills at 11:00 AM"
    question = press_for_dialog(qtbot, area, Qt.Key.Key_F8)
    assert "Quist, Bea's check-out at 11:00 AM" in question.text()
    qtbot.keyClick(question, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _lines(area)["Quist, Bea", "Recovery skills"] == (
        "Here", "8:55 AM", ""), timeout=WAIT_MS)
    assert _stored(services, day.front_desk)[day.people["bea"]] == (
        AttendanceStatus.PRESENT, local(8, 55), None)


def test_escape_keeps_what_the_question_would_undo(qtbot, area, desk, wall):
    services, day = desk
    wall.set(9, 0)
    _check_in(qtbot, area, "oka")
    to_line(qtbot, area, "Okafor, Ben")
    question = press_for_dialog(qtbot, area, Qt.Key.Key_F8)
    qtbot.keyClick(question, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not question.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: area._runner.pending == 0, timeout=WAIT_MS)
    assert _stored(services, day.front_desk)[day.people["ben"]][0] == AttendanceStatus.PRESENT


def test_a_walk_in_is_checked_in_with_a_warning(qtbot, area, desk, wall):
    services, day = desk
    wall.set(9, 5)
    press(qtbot, Qt.Key.Key_Tab)                        # to "Check into"
    assert QApplication.focusWidget() is area.meeting_combo
    press(qtbot, Qt.Key.Key_Down)                       # the first meeting: Recovery skills
    assert area.meeting_combo.currentData() == day.meetings["adult"]
    assert QApplication.focusWidget() is area.search_edit      # back for the name
    _check_in(qtbot, area, "lind")
    assert area.status_label.text() == "Checked in: Lindqvist, Cara, Recovery skills at 9:05 AM"
    assert area.warning_label.isVisible()
    assert area.warning_label.text().startswith(
        "Walk-in: Lindqvist, Cara is enrolled in Teen IOP, not in the track of Recovery skills.")
    qtbot.waitUntil(lambda: ("Lindqvist, Cara", "Recovery skills") in _lines(area),
                    timeout=WAIT_MS)
    row = area.day_model.row_of((day.people["cara"], day.meetings["adult"]))
    assert area.day_model.index(row, DayModel.NOTE).data() == "Walk-in (enrolled in Teen IOP)"
    [view] = [a for r in services.attendance.day(day.front_desk, TODAY).rows
              for a in r.attendance if r.participant_id == day.people["cara"]]
    assert view.walk_in and view.meeting_id == day.meetings["adult"]


def test_the_newest_keystroke_s_matches_win(qtbot, area, desk, wall):
    services, day = desk
    wall.set(9, 0)
    with qtbot.waitSignal(area.matches_loaded, timeout=WAIT_MS):
        qtbot.keyClicks(area.search_edit, "gar")
    assert area.highlighted().name == "Garcia, Ana"
    press(qtbot, Qt.Key.Key_Down)                       # one match: the highlight stays
    assert area.highlighted().name == "Garcia, Ana"
    for _ in range(3):
        press(qtbot, Qt.Key.Key_Backspace)
    _check_in(qtbot, area, "oka")                      # typed on before "ga", "g" answered
    assert set(_stored(services, day.front_desk)) == {day.people["ben"]}
    with qtbot.waitSignal(area.matches_loaded, timeout=WAIT_MS):
        qtbot.keyClicks(area.search_edit, "b")         # too short: no search
        assert not area.matches.isVisible()
        qtbot.keyClicks(area.search_edit, "e")
    names = [area.matches_model.row_at(r).name for r in range(area.matches_model.rowCount())]
    assert names == ["Okafor, Ben", "Quist, Bea"]
    assert area.highlighted().name == "Okafor, Ben"
    press(qtbot, Qt.Key.Key_Down)
    assert area.highlighted().name == "Quist, Bea"
    _check_in(qtbot, area, "")                         # Enter: the highlighted one
    assert set(_stored(services, day.front_desk)) == {day.people["ben"], day.people["bea"]}


# ---- bad input ---------------------------------------------------------------------------------

def test_a_discharged_participant_is_not_checked_in(qtbot, area, desk, wall):
    services, day = desk
    wall.set(9, 0)
    with qtbot.waitSignal(area.matches_loaded, timeout=WAIT_MS):
        qtbot.keyClicks(area.search_edit, "rui")
    assert area.matches_model.index(0, area.matches_model.TODAY).data() == "Not expected today"
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: area.search_error.isVisible(), timeout=WAIT_MS)
    assert area.search_error.text() == "Ruiz, Dan: Discharged on 2026-11-13"
    assert area.search_edit.text() == "rui"            # kept: nothing typed is lost
    assert QApplication.focusWidget() is area.search_edit
    assert _stored(services, day.front_desk) == {}


def test_a_correction_needs_a_reason_and_a_time_out_after_the_time_in(qtbot, area, desk, wall):
    services, day = desk
    wall.set(9, 2)
    _check_in(qtbot, area, "oka")
    to_line(qtbot, area, "Okafor, Ben")
    dialog = press_for_dialog(qtbot, area, Qt.Key.Key_F9)
    assert isinstance(dialog, CorrectTimesDialog)
    assert dialog.in_edit.text() == "9:02 AM" and QApplication.focusWidget() is dialog.in_edit
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.out_edit, "8:30")
    press(qtbot, Qt.Key.Key_Return)                     # no reason
    qtbot.waitUntil(lambda: bool(dialog.fields.text("reason")), timeout=WAIT_MS)
    assert dialog.fields.text("reason") == "Say why (a correction needs a reason)"
    qtbot.keyClicks(dialog.reason_edit, "Paper sign-in sheet")
    press(qtbot, Qt.Key.Key_Return)                     # out before in
    qtbot.waitUntil(lambda: bool(dialog.fields.text("time_out")), timeout=WAIT_MS)
    assert dialog.fields.text("time_out") == "Time out 08:30 must be after time in 09:02"
    assert dialog.isVisible() and dialog.reason_edit.text() == "Paper sign-in sheet"
    assert _stored(services, day.front_desk)[day.people["ben"]] == (
        AttendanceStatus.PRESENT, local(9, 2), None)
    dialog.out_edit.setFocus()
    press(qtbot, Qt.Key.Key_End)
    for _ in range(4):
        press(qtbot, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.out_edit, "11:45 am")
    with qtbot.waitSignal(area.day_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert _lines(area)["Okafor, Ben", "Recovery skills"] == ("Left early", "9:02 AM",
                                                              "11:45 AM")
    assert _stored(services, day.front_desk)[day.people["ben"]] == (
        AttendanceStatus.LEFT_EARLY, local(9, 2), local(11, 45))


def test_a_time_that_cannot_be_read_is_told_at_its_field(qtbot, area, desk, wall):
    services, day = desk
    wall.set(9, 2)
    _check_in(qtbot, area, "oka")
    to_line(qtbot, area, "Okafor, Ben")
    dialog = press_for_dialog(qtbot, area, Qt.Key.Key_F9)
    dialog.in_edit.selectAll()
    qtbot.keyClicks(dialog.in_edit, "nine")
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.fields.text("time_in").startswith("“nine” is not a time of day")
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: area._runner.pending == 0, timeout=WAIT_MS)
    assert _stored(services, day.front_desk)[day.people["ben"]][1] == local(9, 2)


def test_actions_without_a_check_in_say_why_under_the_list(qtbot, area, desk, wall):
    wall.set(9, 0)
    to_line(qtbot, area, "Quist, Bea")
    for key in (Qt.Key.Key_F6, Qt.Key.Key_F8, Qt.Key.Key_F9):
        press(qtbot, key)
        assert area.list_error.text() == "Quist, Bea is not checked in to Recovery skills."
    press(qtbot, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert area.list_error.text() == "No one is here in Recovery skills."


def test_someone_else_s_newer_save_is_told_and_what_was_typed_stays(qtbot, area, desk, wall):
    services, day = desk
    wall.set(9, 2)
    _check_in(qtbot, area, "oka")
    to_line(qtbot, area, "Okafor, Ben")
    dialog = press_for_dialog(qtbot, area, Qt.Key.Key_F9)
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.out_edit, "11:30")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.reason_edit, "Left at 11:30 per the sheet")
    attendance = area.selected_line().attendance
    services.attendance.correct(day.clinician, attendance.id, attendance.version, local(9, 0),
                                None, "Came at nine")                # meanwhile, elsewhere
    qtbot.waitUntil(dialog.banner.isVisible, timeout=WAIT_MS)
    warned = dialog.banner.text()
    assert "Clinician" in warned
    press(qtbot, Qt.Key.Key_Return)                     # saved anyway: refused, naming them
    qtbot.waitUntil(lambda: dialog.banner.isVisible() and dialog.banner.text() != warned,
                    timeout=WAIT_MS)
    assert "Clinician" in dialog.banner.text()
    assert dialog.isVisible()
    assert (dialog.out_edit.text(), dialog.reason_edit.text()) == (
        "11:30", "Left at 11:30 per the sheet")
    assert _stored(services, day.front_desk)[day.people["ben"]] == (
        AttendanceStatus.PRESENT, local(9, 0), None)


def test_alt_enter_opens_the_meeting_chooser(qtbot, area, desk):
    _services, day = desk
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.AltModifier)
    popup = area.meeting_combo.view()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT_MS)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not popup.isVisible(), timeout=WAIT_MS)
    assert area.meeting_combo.currentData() == day.meetings["adult"]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is area.search_edit, timeout=WAIT_MS)


def test_every_action_has_its_own_mnemonic_apart_from_the_menus(area):
    from PySide6.QtWidgets import QLabel, QPushButton

    from iopdesk.ui.main_window import MENU_MNEMONICS

    texts = [w.text() for w in area.findChildren(QPushButton)]
    texts += [w.text() for w in area.findChildren(QLabel) if w.buddy() is not None]
    letters = [t[t.index("&") + 1].lower() for t in texts if "&" in t]
    assert len(letters) == len(texts) == 9          # with Print sign-in &sheet… (F10)
    assert len(set(letters)) == len(letters)
    assert not set(letters) & MENU_MNEMONICS


def test_the_demo_practice_s_day_opens_with_its_people(qtbot, demo):
    actor = demo.log_in("frontdesk")
    area = CheckInArea(demo.services, actor, demo.runner, today=lambda: TODAY)
    qtbot.addWidget(area)
    area.show()
    with qtbot.waitSignal(area.day_loaded, timeout=WAIT_MS):
        area.area_shown()
        area.focus_first()          # as the window does when it brings the area up
    assert area.meetings_model.rowCount() > 0 and area.day_model.rowCount() > 0
    first = area.day_model.line_at(0).row
    with qtbot.waitSignal(area.matches_loaded, timeout=WAIT_MS):
        qtbot.keyClicks(area.search_edit, first.chart_number[:4])
    assert first.participant_id in {area.matches_model.row_at(r).participant_id
                                    for r in range(area.matches_model.rowCount())}
