"""The chart's Attendance tab as its users meet it, on the demo practice with a participant
admitted to the adult track on the Monday before TODAY and checked into every meeting of
that week and two of TODAY's: the weeks with their hours and status (met; at risk), a
meeting's times; a clinician correcting a time with a reason and seeing the correction and
its reason listed, and refused at the field without a reason (nothing stored); an
authorization added at the keyboard showing its units used and remaining, and one ending
before it starts refused at its field; the front desk offered no correction."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QPushButton
from support import AUDIT_KEY, TODAY

from iopdesk.db.engine import make_session_factory, sqlite_url
from iopdesk.db.migrate import open_database
from iopdesk.demo import DEMO_PASSWORD
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services
from iopdesk.ui.chart.attendance_tab import AttendanceTab, MeetingsModel, WeeksModel

WAIT_MS = 10_000
ZONE = ZoneInfo("America/Los_Angeles")          # the demo practice's
LAST_MONDAY = TODAY - timedelta(days=7)
ALT = Qt.KeyboardModifier.AltModifier


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


NOW = local(TODAY, 21, 30)                      # TODAY's meetings (18:00-21:00) are over


@pytest.fixture
def clinic(demo_db, runner):
    """The demo practice's services at NOW, and a participant ("Wren Attendee") admitted on
    LAST_MONDAY: all nine meetings of that week attended in full; TODAY the first meeting
    from 18:05 and the second in full, the third missed."""
    engine = open_database(sqlite_url(demo_db))
    services = build_services(make_session_factory(engine), "test-station",
                              audit_key=AUDIT_KEY, today=lambda: TODAY, now=lambda: NOW)
    desk = services.staff.log_in("frontdesk", DEMO_PASSWORD)
    clinician = services.staff.log_in("clinician", DEMO_PASSWORD)
    adult = next(t.id for t in services.staff.tracks(clinician) if t.name.startswith("Adult"))
    person = services.participants.register(desk, ParticipantInput(
        first_name="Wren", last_name="Attendee", date_of_birth=date(1984, 6, 2)))
    services.episodes.admit(clinician, person.id, adult, LAST_MONDAY,
                            primary_clinician_id=clinician.user_id)
    for first in (LAST_MONDAY, TODAY):
        for day in services.schedule.week(clinician, adult, first).days:
            for meeting in day.meetings:
                if first == TODAY and (day.day != TODAY or meeting.start_time.hour == 20):
                    continue
                start = meeting.start_time.hour
                arrive = local(day.day, start, 5 if first == TODAY and start == 18 else 0)
                view = services.attendance.check_in(clinician, person.id, meeting.id, arrive)
                services.attendance.check_out(clinician, view.id, view.version,
                                              local(day.day, meeting.end_time.hour))
    yield services, person.id
    runner.wait_for_done(WAIT_MS)
    engine.dispose()


def _tab(qtbot, services, runner, participant_id, username="clinician") -> AttendanceTab:
    actor = services.staff.log_in(username, DEMO_PASSWORD)
    tab = AttendanceTab(services, actor, runner, participant_id, None, None)
    qtbot.addWidget(tab)
    tab.resize(1100, 900)
    tab.show()
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow, timeout=WAIT_MS)
    _idle(qtbot, runner)
    qtbot.waitUntil(lambda: tab.weeks_model.rowCount() > 0, timeout=WAIT_MS)
    return tab


def _idle(qtbot, runner):
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT_MS)


def _cell(model, row: int, header: str) -> str:
    column = [model.headerData(c, Qt.Orientation.Horizontal)
              for c in range(model.columnCount())].index(header)
    return model.data(model.index(row, column))


def _week_rows(tab) -> list[dict[str, str]]:
    model = tab.weeks_model
    return [{h: _cell(model, r, h) for h in ("Week", "Meetings", "Group min", "Total",
                                             "Minimum", "Status")}
            for r in range(model.rowCount())]


def _meeting_row(tab, title: str, day: date) -> int:
    model = tab.meetings_model
    return next(r for r in range(model.rowCount())
                if model.row_at(r).title == title and model.row_at(r).day == day)


def _choose_first_meeting_of_today(qtbot, tab) -> None:
    """Keyboard: the newest week is chosen; Tab to its meetings, the first one chosen."""
    tab.weeks_table.setFocus()
    qtbot.keyClick(tab.weeks_table, Qt.Key.Key_Home)
    row = _meeting_row(tab, "Relapse Prevention", TODAY)
    tab.meetings_table.setFocus()
    with qtbot.waitSignal(tab.history_loaded, timeout=WAIT_MS):
        tab.meetings_table.selectRow(row)


def _press(qtbot, tab, key, modifier=Qt.KeyboardModifier.NoModifier):
    with qtbot.waitSignal(tab.dialog_opened, timeout=2000) as opened:
        qtbot.keyClick(QApplication.focusWidget(), key, modifier)
    dialog = opened.args[0]
    qtbot.waitExposed(dialog)
    return dialog


def _type_into(qtbot, dialog, name: str, text: str) -> None:
    edit = dialog.findChild(QLineEdit, name) or dialog.findChild(QPlainTextEdit, name)
    edit.setFocus()
    if isinstance(edit, QLineEdit):
        edit.selectAll()
        edit.del_()
    qtbot.keyClicks(edit, text)                  # ASCII only: QTest's key clicks


def _refused(qtbot, runner, dialog, field: str) -> str:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, runner)
    qtbot.waitUntil(lambda: bool(dialog.fields.text(field)), timeout=WAIT_MS)
    assert dialog.isVisible() and dialog.fields.label(field).isVisible()
    return dialog.fields.text(field)


def test_the_weeks_show_hours_and_status_and_a_meeting_its_times(qtbot, clinic, runner):
    services, pid = clinic
    tab = _tab(qtbot, services, runner, pid)
    assert _week_rows(tab) == [
        {"Week": f"{TODAY.isoformat()} – 11-22", "Meetings": "2 of 9", "Group min": "115",
         "Total": "1 h 55 min", "Minimum": "9 h", "Status": "At risk"},
        {"Week": f"{LAST_MONDAY.isoformat()} – 11-15", "Meetings": "9 of 9",
         "Group min": "540", "Total": "9 h", "Minimum": "9 h", "Status": "Met"}]
    status = tab.weeks_model.index(0, WeeksModel.STATUS)
    assert status.data(Qt.ItemDataRole.BackgroundRole) is not None     # at risk stands out
    assert "cannot reach" in status.data(Qt.ItemDataRole.ToolTipRole)
    assert tab.weeks_model.index(1, WeeksModel.STATUS).data(
        Qt.ItemDataRole.BackgroundRole) is None
    model = tab.meetings_model
    first = _meeting_row(tab, "Relapse Prevention", TODAY)
    assert [_cell(model, first, h) for h in ("Window", "In", "Out", "Credited min")] == \
        ["18:00–19:00", "18:05", "19:00", "55"]
    missed = _meeting_row(tab, "Process Group", TODAY)
    assert _cell(model, missed, "Status") == "Not recorded"
    assert isinstance(model, MeetingsModel)


def test_a_correction_with_its_reason_is_listed(qtbot, clinic, runner):
    services, pid = clinic
    tab = _tab(qtbot, services, runner, pid)
    _choose_first_meeting_of_today(qtbot, tab)
    assert [tab.steps_model.row_at(r).action
            for r in range(tab.steps_model.rowCount())] == ["checked_in", "checked_out"]
    dialog = _press(qtbot, tab, Qt.Key.Key_T, ALT)
    assert dialog.findChild(QLineEdit, "time_in").text() == "18:05"
    _type_into(qtbot, dialog, "time_in", "18:00")
    _type_into(qtbot, dialog, "reason", "Signed the paper sheet at 18:00")
    with qtbot.waitSignals([dialog.finished, tab.history_loaded], timeout=WAIT_MS):
        qtbot.keyClick(dialog.findChild(QLineEdit, "time_out"), Qt.Key.Key_Return)
    steps = tab.steps_model
    last = steps.rowCount() - 1
    assert [_cell(steps, last, h) for h in ("Step", "Times", "Reason")] == \
        ["Times corrected", "in 18:05 → 18:00; out 19:00", "Signed the paper sheet at 18:00"]
    assert _cell(steps, last, "Who") == services.staff.log_in(
        "clinician", DEMO_PASSWORD).display_name
    row = _meeting_row(tab, "Relapse Prevention", TODAY)
    assert _cell(tab.meetings_model, row, "Credited min") == "60"
    assert _week_rows(tab)[0]["Total"] == "2 h"


def test_a_correction_without_a_reason_is_refused_at_the_field(qtbot, clinic, runner):
    services, pid = clinic
    tab = _tab(qtbot, services, runner, pid)
    _choose_first_meeting_of_today(qtbot, tab)
    dialog = _press(qtbot, tab, Qt.Key.Key_T, ALT)
    _type_into(qtbot, dialog, "time_in", "18:00")
    assert "reason" in _refused(qtbot, runner, dialog, "reason").lower()
    _type_into(qtbot, dialog, "time_out", "7pm")
    _type_into(qtbot, dialog, "reason", "Paper sheet")
    assert "not a time of day" in _refused(qtbot, runner, dialog, "time_out")
    clinician = services.staff.log_in("clinician", DEMO_PASSWORD)
    [week] = [w for w in services.attendance.weeks(clinician, pid) if w.week_first == TODAY]
    meeting = next(m for m in week.meetings if m.title == "Relapse Prevention"
                   and m.day == TODAY)
    assert meeting.attendance.minutes == 55                      # nothing stored
    assert [s.action for s in services.attendance.history(clinician, meeting.attendance.id)] \
        == ["checked_in", "checked_out"]


def test_an_authorization_added_at_the_keyboard_shows_units_used_and_left(
        qtbot, clinic, runner):
    services, pid = clinic
    tab = _tab(qtbot, services, runner, pid, "frontdesk")
    qtbot.waitUntil(lambda: tab.authorizations_message.isVisible(), timeout=WAIT_MS)
    tab.weeks_table.setFocus()
    dialog = _press(qtbot, tab, Qt.Key.Key_A, ALT)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.episode_combo,
                    timeout=WAIT_MS)

    def tab_and_type(text: str) -> None:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        if isinstance(widget, QLineEdit):
            widget.selectAll()
        qtbot.keyClicks(widget, text)

    tab_and_type("Cascade Health")                     # payer
    tab_and_type("AUTH-2211")                          # number
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)      # level: IOP, as it is
    tab_and_type("20")                                 # units
    tab_and_type(LAST_MONDAY.isoformat())              # first day
    tab_and_type("2026-12-31")                         # last day
    with qtbot.waitSignals([dialog.finished, tab.authorizations_loaded], timeout=WAIT_MS):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    model = tab.authorizations_model
    assert [_cell(model, 0, h) for h in ("Payer", "Number", "Level of care", "Units", "Used",
                                         "Remaining", "Range", "Warnings")] == \
        ["Cascade Health", "AUTH-2211", "2.1 Intensive outpatient (IOP)", "20", "3", "17",
         f"{LAST_MONDAY.isoformat()} – 2026-12-31", ""]
    assert not tab.authorizations_message.isVisible()


def test_an_authorization_ending_before_it_starts_is_refused_at_the_field(
        qtbot, clinic, runner):
    services, pid = clinic
    tab = _tab(qtbot, services, runner, pid)
    qtbot.waitUntil(lambda: tab.authorizations_message.isVisible(), timeout=WAIT_MS)
    tab.weeks_table.setFocus()
    dialog = _press(qtbot, tab, Qt.Key.Key_A, ALT)
    for name, text in (("payer", "Cascade Health"), ("number", "AUTH-9"), ("units", "5"),
                       ("first_date", "2026-11-20"), ("last_date", "2026-11-10")):
        _type_into(qtbot, dialog, name, text)
    assert _refused(qtbot, runner, dialog, "last_date") == \
        "Last date 2026-11-10 is before the first date 2026-11-20"
    _type_into(qtbot, dialog, "units", "five")
    assert "whole number" in _refused(qtbot, runner, dialog, "units")
    clinician = services.staff.log_in("clinician", DEMO_PASSWORD)
    assert services.authorizations.list(clinician, pid) == ()          # nothing stored


def test_a_stale_authorization_edit_is_refused_naming_the_other_save(qtbot, clinic, runner):
    from iopdesk.domain.authorizations import AuthorizationInput

    services, pid = clinic
    desk = services.staff.log_in("frontdesk", DEMO_PASSWORD)
    [episode] = services.episodes.list(desk, pid)
    services.authorizations.add(desk, episode.id, AuthorizationInput(
        payer="Cascade Health", number="AUTH-1", units=4, first_date=LAST_MONDAY,
        last_date=TODAY + timedelta(days=3)))
    tab = _tab(qtbot, services, runner, pid, "frontdesk")
    qtbot.waitUntil(lambda: tab.authorizations_model.rowCount() == 1, timeout=WAIT_MS)
    warnings = _cell(tab.authorizations_model, 0, "Warnings")
    assert "1 of 4 units" in warnings and "Ends in 3 days" in warnings
    assert tab.authorizations_model.index(0, 0).data(
        Qt.ItemDataRole.BackgroundRole) is not None                   # highlighted
    tab.authorizations_table.setFocus()
    tab.authorizations_table.selectRow(0)
    dialog = _press(qtbot, tab, Qt.Key.Key_E, ALT)
    view = tab.authorizations_model.row_at(0)
    services.authorizations.update(desk, view.id, view.version, AuthorizationInput(
        payer="Cascade Health", number="AUTH-1", units=8, first_date=LAST_MONDAY,
        last_date=TODAY + timedelta(days=3)))
    _type_into(qtbot, dialog, "units", "6")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, runner)
    qtbot.waitUntil(dialog.banner.isVisible, timeout=WAIT_MS)
    assert "AUTH-1" in dialog.banner.text() and dialog.reload_button.isVisible()
    assert [a.units for a in services.authorizations.list(desk, pid)] == [8]


def test_the_front_desk_is_offered_no_correction(qtbot, clinic, runner):
    services, pid = clinic
    tab = _tab(qtbot, services, runner, pid, "frontdesk")
    assert tab.findChild(QPushButton, "correctTimesButton") is None
    assert not [b for b in tab.findChildren(QPushButton) if "Correct" in b.text()]
    tab.meetings_table.selectRow(_meeting_row(tab, "Relapse Prevention", TODAY))
    assert tab.open_correction() is None
    assert tab.findChild(QPushButton, "addAuthorization").isVisible()


def test_the_chart_window_shows_the_tab_and_follows_a_check_in(qtbot, clinic, runner):
    from iopdesk.ui.chart.window import ChartWindow

    services, pid = clinic
    desk = services.staff.log_in("frontdesk", DEMO_PASSWORD)
    chart = ChartWindow(services, desk, runner, pid)
    qtbot.addWidget(chart)
    with qtbot.waitSignal(chart.loaded, timeout=WAIT_MS):
        chart.show()
    tab = chart.show_tab("attendance")
    assert isinstance(tab, AttendanceTab)
    _idle(qtbot, runner)
    qtbot.waitUntil(lambda: tab.weeks_model.rowCount() == 2, timeout=WAIT_MS)
    assert _week_rows(tab)[0]["Meetings"] == "2 of 9"
    meeting = next(m for m in tab.weeks[0].meetings if m.title == "Process Group"
                   and m.day == TODAY)
    with qtbot.waitSignal(tab.weeks_loaded, timeout=WAIT_MS):       # the change set reloads it
        services.attendance.check_in(desk, pid, meeting.meeting_id, local(TODAY, 20, 0))
    assert _week_rows(tab)[0]["Meetings"] == "3 of 9"


def test_a_meeting_s_status_and_flags_read_as_words(qapp):
    from iopdesk.domain.attendance_views import AttendanceView, WeekMeeting
    from iopdesk.domain.enums import AttendanceStatus
    from iopdesk.ui.chart.attendance_tab import hours_text

    start, end = local(TODAY, 18), local(TODAY, 19)
    late = AttendanceView(id=1, version=1, meeting_id=1, episode_id=1, participant_id=1,
                          status=AttendanceStatus.LATE, time_in=local(TODAY, 18, 20),
                          time_out=None, minutes=40, late=True, left_early=False,
                          no_checkout=True, here=False, walk_in=True, absence_reason="")
    excused = AttendanceView(id=2, version=1, meeting_id=2, episode_id=1, participant_id=1,
                             status=AttendanceStatus.EXCUSED, time_in=None, time_out=None,
                             minutes=0, late=False, left_early=False, no_checkout=False,
                             here=False, walk_in=False, absence_reason="court date")
    model = MeetingsModel(zone="America/Los_Angeles")
    model.set_rows((
        WeekMeeting(1, TODAY, "Relapse Prevention", start, end, False, False, late),
        WeekMeeting(2, TODAY, "CBT Skills", start, end, False, False, excused),
        WeekMeeting(3, TODAY, "Process Group", start, end, True, False, None),
        WeekMeeting(4, TODAY, "Process Group", start, end, False, True, None)))
    assert [(_cell(model, r, "Status"), _cell(model, r, "Flags")) for r in range(4)] == [
        ("Late", "late, no check-out, walk-in"), ("Excused", "reason: court date"),
        ("Cancelled", "cancelled"), ("Closed", "closed")]
    assert [_cell(model, 0, h) for h in ("In", "Out", "Credited min")] == ["18:20", "", "40"]
    assert [hours_text(m) for m in (0, 50, 60, 525, 540)] == \
        ["0 min", "50 min", "1 h", "8 h 45 min", "9 h"]
