"""The front desk's day through the attendance service: who is expected, the check-in search,
check-in and check-out (one and all), absences, undo kept in history, walk-ins; each bad
input refused at its field with nothing stored; reads and steps audited."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from attendance_support import LAST_WEEK, ad_hoc_meeting, local
from attendance_support import (  # noqa: F401 - the fixtures wall, services and program
    program_fixture, services_fixture, wall_fixture)
from sqlalchemy import func, select
from support import TODAY

from iopdesk.db.models import Attendance, AttendanceChange, AuditEvent, GroupMeeting
from iopdesk.domain.enums import AttendanceStatus
from iopdesk.domain.errors import StaleVersion, ValidationError


def _stored(session_factory) -> tuple[int, int]:
    """(attendance rows, history rows)."""
    with session_factory() as s:
        return (s.scalar(select(func.count()).select_from(Attendance)),
                s.scalar(select(func.count()).select_from(AttendanceChange)))


def _events(session_factory, action: str) -> list[AuditEvent]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def test_the_day_lists_the_meetings_and_who_is_expected(services, actors, program, wall,
                                                        session_factory):
    view = services.attendance.day(actors["front_desk"])
    assert view.day == TODAY
    adult, teen = view.meetings
    assert (adult.id, adult.start, adult.end) == (program.meeting(), local(9), local(12))
    assert adult.next and not adult.running and teen.next
    # Dan was discharged on Friday, Eve is admitted from Wednesday: neither is expected.
    assert [r.name for r in view.rows] == ["Lindqvist, Cara", "Nguyễn, Thị Lan", "Okafor, Ben"]
    assert (adult.expected_count, teen.expected_count) == (2, 1)
    assert set(adult.missing) == {program.people["lan"], program.people["ben"]}
    wall.set(9, 30)
    assert services.attendance.day(actors["front_desk"]).meetings[0].running
    [event] = _events(session_factory, "attendance.day")[:1]
    assert event.detail["day"] == TODAY.isoformat()


def test_a_cancelled_meeting_is_shown_cancelled(services, actors, program, session_factory):
    with session_factory.begin() as s:
        meeting = s.get(GroupMeeting, program.meeting())
        meeting.cancelled, meeting.cancel_reason = True, "Facilitator ill"
    adult = services.attendance.day(actors["front_desk"], track_id=program.adult).meetings[0]
    assert adult.cancelled and adult.cancel_reason == "Facilitator ill"
    assert not adult.next and not adult.running


def test_the_search_shows_the_day_first_then_the_others(services, actors, program,
                                                       session_factory):
    desk = actors["front_desk"]
    [lan] = services.attendance.find(desk, "NG")       # Nguyễn, folded
    assert (lan.participant_id, lan.expected) == (program.people["lan"], True)
    assert lan.row.track_id == program.adult
    [lan_again] = services.attendance.find(desk, "la")  # the second word of "Thị Lan"
    assert lan_again.participant_id == program.people["lan"]
    [dan] = services.attendance.find(desk, "ru")
    assert (dan.participant_id, dan.expected, dan.row) == (program.people["dan"], False, None)
    chart = services.attendance.find(desk, "ben")[0].chart_number
    assert [f.participant_id for f in services.attendance.find(desk, chart)] == [
        program.people["ben"]]
    assert services.attendance.find(desk, "   ") == ()
    assert len(_events(session_factory, "attendance.find")) == 6


def test_check_in_goes_to_the_meeting_running_or_next(services, actors, program,
                                                      session_factory, wall):
    desk = actors["front_desk"]
    wall.set(8, 55)
    lan = services.attendance.check_in(desk, program.people["lan"])
    assert (lan.meeting_id, lan.status, lan.time_in, lan.here) == (
        program.meeting(), AttendanceStatus.PRESENT, local(8, 55), True)
    assert not lan.walk_in
    wall.set(9, 25)
    ben = services.attendance.check_in(desk, program.people["ben"])
    assert (ben.status, ben.late, ben.minutes) == (AttendanceStatus.LATE, True, 0)
    wall.set(10, 0)
    day = services.attendance.day(desk)
    adult = day.meetings[0]
    assert (adult.here_count, adult.attended_count, adult.missing) == (2, 2, ())
    lan_row = next(r for r in day.rows if r.participant_id == program.people["lan"])
    assert lan_row.at(adult.id).minutes == 60           # 09:00 to now (10:00)
    [event] = _events(session_factory, "attendance.check_in")[:1]
    assert (event.participant_id, event.entity_id) == (program.people["lan"], lan.id)
    with session_factory() as s:
        assert s.get(Attendance, lan.id).recorded_by_id == desk.user_id


def test_a_walk_in_is_allowed_and_flagged(services, actors, program, wall):
    wall.set(9, 5)
    cara = services.attendance.check_in(actors["front_desk"], program.people["cara"],
                                        program.meeting())
    assert cara.walk_in and cara.status == AttendanceStatus.PRESENT
    day = services.attendance.day(actors["front_desk"], track_id=program.adult)
    [row] = [r for r in day.rows if r.participant_id == program.people["cara"]]
    assert row.walk_in and row.at(program.meeting()).walk_in
    assert day.meetings[0].expected_count == 3


@pytest.mark.parametrize("who, meeting, at, field, words", [
    ("dan", None, None, "participant_id", "Discharged on 2026-11-13"),
    ("eve", None, None, "participant_id", "Not yet admitted"),
    ("lan", ("adult", LAST_WEEK), None, "meeting_id", "not today's"),
    ("lan", ("adult", TODAY + timedelta(days=2)), None, "meeting_id", "not happened yet"),
    ("lan", ("adult", TODAY), local(23, 30, TODAY - timedelta(days=1)), "at",
     "not on the meeting's day"),
])
def test_bad_check_ins_are_refused_at_the_field_and_nothing_stored(
        services, actors, program, session_factory, who, meeting, at, field, words):
    with pytest.raises(ValidationError) as refused:
        services.attendance.check_in(actors["front_desk"], program.people[who],
                                     program.meetings[meeting] if meeting else None, at)
    assert words in refused.value.fields[field]
    assert _stored(session_factory) == (0, 0)


def test_a_check_in_to_a_cancelled_meeting_is_refused(services, actors, program,
                                                      session_factory):
    with session_factory.begin() as s:
        meeting = s.get(GroupMeeting, program.meeting())
        meeting.cancelled, meeting.cancel_reason = True, "Snow"
    for chosen in (program.meeting(), None):
        with pytest.raises(ValidationError) as refused:
            services.attendance.check_in(actors["front_desk"], program.people["lan"], chosen)
        assert "cancelled (Snow)" in refused.value.fields["meeting_id"]
    assert _stored(session_factory) == (0, 0)


def test_a_second_check_in_is_refused(services, actors, program, session_factory):
    services.attendance.check_in(actors["front_desk"], program.people["lan"])
    with pytest.raises(ValidationError) as refused:
        services.attendance.check_in(actors["clinician"], program.people["lan"],
                                     program.meeting())
    assert "already checked in to Recovery skills (at 08:50)" in \
        refused.value.fields["participant_id"]
    assert _stored(session_factory) == (1, 1)


def test_a_clinician_may_record_an_earlier_day(services, actors, program):
    view = services.attendance.check_in(actors["clinician"], program.people["lan"],
                                        program.meeting(LAST_WEEK), local(9, 0, LAST_WEEK))
    assert (view.minutes, view.no_checkout) == (180, True)    # no check-out: to the end


def test_check_out_one_and_refusals(services, actors, program, session_factory, wall):
    desk = actors["front_desk"]
    wall.set(9, 0)
    lan = services.attendance.check_in(desk, program.people["lan"])
    with pytest.raises(ValidationError) as refused:
        services.attendance.check_out(desk, lan.id, lan.version, local(8, 45))
    assert "before Thị Lan Nguyễn's check-in at 09:00" in refused.value.fields["at"]
    with pytest.raises(ValidationError) as refused:
        services.attendance.check_out(desk, lan.id, lan.version, local(1, 0, TODAY +
                                                                        timedelta(days=1)))
    assert "not on the meeting's day" in refused.value.fields["at"]
    assert _stored(session_factory) == (1, 1)
    wall.set(11, 30)
    out = services.attendance.check_out(desk, lan.id, lan.version)
    assert (out.status, out.minutes, out.left_early, out.here) == (
        AttendanceStatus.LEFT_EARLY, 150, True, False)
    with session_factory() as s:
        assert s.get(Attendance, lan.id).minutes_credited == 150
    with pytest.raises(StaleVersion):
        services.attendance.check_out(desk, lan.id, lan.version)
    with pytest.raises(ValidationError) as refused:
        services.attendance.check_out(desk, lan.id, out.version)
    assert "already checked out (at 11:30)" in refused.value.fields["attendance_id"]
    assert _stored(session_factory) == (1, 2)


def test_check_out_all_checks_out_everyone_here(services, actors, program, session_factory,
                                                wall):
    desk = actors["front_desk"]
    wall.set(9, 0)
    for name in ("lan", "ben"):
        services.attendance.check_in(desk, program.people[name])
    services.attendance.check_in(desk, program.people["cara"], program.meeting())
    wall.set(12, 5)
    views = services.attendance.check_out_all(desk, program.meeting())
    assert sorted((v.participant_id, v.minutes, v.time_out) for v in views) == sorted(
        (program.people[n], 180, local(12, 5)) for n in ("lan", "ben", "cara"))
    assert {e.participant_id for e in _events(session_factory, "attendance.check_out_all")} \
        == {program.people[n] for n in ("lan", "ben", "cara")}
    assert services.attendance.check_out_all(desk, program.meeting()) == ()
    assert services.attendance.day(desk).meetings[0].here_count == 0


def test_check_out_all_before_someones_check_in_changes_nothing(services, actors, program,
                                                                session_factory, wall):
    desk = actors["front_desk"]
    wall.set(9, 0)
    services.attendance.check_in(desk, program.people["lan"])
    wall.set(9, 40)
    services.attendance.check_in(desk, program.people["ben"])
    with pytest.raises(ValidationError) as refused:
        services.attendance.check_out_all(desk, program.meeting(), local(9, 30))
    assert "Ben Okafor's check-in at 09:40" in refused.value.fields["at"]
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Attendance)
                        .where(Attendance.check_out_at.is_not(None))) == 0


def test_absent_and_excused_with_a_reason(services, actors, program, session_factory):
    desk = actors["front_desk"]
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            services.attendance.mark_absent(desk, program.people["ben"], program.meeting(),
                                            False, reason)
        assert "reason" in refused.value.fields
    assert _stored(session_factory) == (0, 0)
    ben = services.attendance.mark_absent(desk, program.people["ben"], program.meeting(),
                                          True, "Court date")
    assert (ben.status, ben.absence_reason) == (AttendanceStatus.EXCUSED, "Court date")
    services.attendance.check_in(desk, program.people["lan"])
    with pytest.raises(ValidationError) as refused:
        services.attendance.mark_absent(desk, program.people["lan"], program.meeting(),
                                        False, "No show")
    assert "undo the check-in first" in refused.value.fields["participant_id"]
    day = services.attendance.day(desk)
    ben_row = next(r for r in day.rows if r.participant_id == program.people["ben"])
    assert ben_row.status_at(program.meeting()) == AttendanceStatus.EXCUSED
    assert day.meetings[0].missing == ()
    [event] = _events(session_factory, "attendance.mark_absent")
    assert (event.participant_id, event.detail["excused"]) == (program.people["ben"], True)


def test_undo_keeps_the_row_and_its_history(services, actors, program, session_factory,
                                            wall):
    desk = actors["front_desk"]
    wall.set(9, 0)
    ben = services.attendance.check_in(desk, program.people["ben"])   # the wrong person
    undone = services.attendance.undo_check_in(desk, ben.id, ben.version)
    assert (undone.status, undone.time_in, undone.minutes) == (AttendanceStatus.EXPECTED,
                                                               None, 0)
    with pytest.raises(ValidationError) as refused:
        services.attendance.check_out(desk, ben.id, undone.version)
    assert "not checked in" in refused.value.fields["attendance_id"]
    again = services.attendance.check_in(desk, program.people["ben"])
    assert again.id == ben.id
    wall.set(12, 0)
    out = services.attendance.check_out(desk, ben.id, again.version)
    back = services.attendance.undo_check_out(desk, ben.id, out.version)
    assert back.time_out is None and back.here
    steps = services.attendance.history(desk, ben.id)
    assert [s.action for s in steps] == ["checked_in", "check_in_undone", "checked_in",
                                         "checked_out", "check_out_undone"]
    assert steps[1].in_before == local(9) and steps[1].in_after is None
    assert {s.changed_by for s in steps} == {"Frontdesk"}
    assert _stored(session_factory) == (1, 5)
    for action in ("attendance.undo_check_in", "attendance.undo_check_out",
                   "attendance.history"):
        assert [e.participant_id for e in _events(session_factory, action)] == [
            program.people["ben"]]


def test_undo_after_the_day_is_refused(services, actors, program, session_factory, wall):
    desk = actors["front_desk"]
    lan = services.attendance.check_in(desk, program.people["lan"])
    wall.set(9, 0, TODAY + timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        services.attendance.undo_check_in(desk, lan.id, lan.version)
    assert "only on its day (2026-11-16)" in refused.value.fields["attendance_id"]
    assert _stored(session_factory) == (1, 1)


def test_an_undone_walk_in_leaves_the_day(services, actors, program, wall):
    wall.set(9, 5)
    cara = services.attendance.check_in(actors["front_desk"], program.people["cara"],
                                        program.meeting())
    services.attendance.undo_check_in(actors["front_desk"], cara.id, cara.version)
    day = services.attendance.day(actors["front_desk"], track_id=program.adult)
    assert program.people["cara"] not in {r.participant_id for r in day.rows}


def test_an_ad_hoc_meeting_today_can_be_chosen(services, actors, program, session_factory,
                                               wall):
    extra_id = ad_hoc_meeting(session_factory, program.adult, time(13), time(14), "Family night")
    wall.set(12, 30)            # the morning meeting is over: the next is the ad hoc one
    view = services.attendance.check_in(actors["front_desk"], program.people["lan"])
    assert view.meeting_id == extra_id
    wall.set(14, 30)
    with pytest.raises(ValidationError) as refused:
        services.attendance.check_in(actors["front_desk"], program.people["ben"])
    assert "No meeting of Adult SUD IOP" in refused.value.fields["meeting_id"]
    assert date(2026, 11, 16) == TODAY


def test_the_day_makes_the_meetings_of_the_weeks_ahead(services, actors, track_id,
                                                       session_factory):
    """A block whose meetings were never made (nobody opened the schedule): the desk's day
    makes them, through the weeks ahead the practice sets, and audits that it did."""
    from sqlalchemy import func, select

    from iopdesk.db.models import AuditEvent, GroupMeeting, GroupSchedule

    sf = session_factory
    today = services.settings.clock().today()
    with sf.begin() as s:
        s.add(GroupSchedule(track_id=track_id, weekday=today.weekday(), start_time=time(9),
                            end_time=time(12), title="Skills group", effective_from=today,
                            facilitator_id=actors["clinician"].user_id))
    view = services.attendance.day(actors["front_desk"])
    assert [(m.title, m.facilitator_name) for m in view.meetings] == [
        ("Skills group", actors["clinician"].display_name)]
    with sf() as s:
        made = s.scalar(select(func.count()).select_from(GroupMeeting))
        generated = s.scalars(select(AuditEvent.action).where(
            AuditEvent.action == "schedule.generate")).all()
    assert made == 9                 # today and each week of the eight ahead
    assert generated == ["schedule.generate"]
    services.attendance.day(actors["front_desk"])          # nothing missing: nothing made
    with sf() as s:
        assert s.scalar(select(func.count()).select_from(GroupMeeting)) == 9
