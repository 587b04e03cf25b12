"""Weekly hours against hand-computed figures: group credits, session minutes, the minimum
lowered by a closure, the status (met, on track, at risk, not met), absences counted; the
hours of every participant in a fixed number of queries; the clinician's at-risk list."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from attendance_support import LAST_WEEK, monday_morning
from attendance_support import (  # noqa: F401 - the fixtures wall, services and program
    program_fixture, services_fixture, wall_fixture)
from sqlalchemy import event, select
from support import TODAY

from iopdesk.db.models import AuditEvent, ClinicalSession, Closure, ProgramTrack
from iopdesk.domain.attendance import WeekStatus
from iopdesk.domain.enums import SessionKind
from iopdesk.domain.validation import ParticipantInput

WEDNESDAY, THURSDAY = TODAY + timedelta(days=2), TODAY + timedelta(days=3)


@pytest.fixture
def week(services, actors, program, session_factory, wall):
    """This week: the practice closed on Thursday (a holiday); Lan late on Monday (09:15 to
    12:00: 165 min) and 60 min in an individual session on Tuesday; Ben absent Monday."""
    with session_factory.begin() as s:
        practice_id = s.get(ProgramTrack, program.adult).practice_id
        s.add(Closure(practice_id=practice_id, closure_date=THURSDAY, reason="Thanksgiving"))
        s.add(ClinicalSession(kind=SessionKind.INDIVIDUAL, episode_id=program.episodes["lan"],
                              clinician_id=actors["clinician"].user_id,
                              session_date=TODAY + timedelta(days=1), start_time=time(14),
                              minutes=60))
        s.add(ClinicalSession(kind=SessionKind.GROUP, clinician_id=actors["clinician"].user_id,
                              session_date=TODAY, minutes=180))   # a group's: not counted
    monday_morning(services, actors, program, wall)
    return program


def _by_name(found) -> dict:
    return {w.name.split(",")[0]: w for w in found}


def test_this_weeks_figures(services, actors, week, wall, session_factory):
    found = _by_name(services.attendance.hours(actors["front_desk"], WEDNESDAY))
    assert set(found) == {"Nguyễn", "Okafor", "Lindqvist", "Marsh"}   # Dan was discharged
    lan, ben = found["Nguyễn"], found["Okafor"]
    # 540 scheduled, Thursday's 180 closed: the 540 minimum becomes 540 * 360 / 540 = 360.
    assert (lan.week_first, lan.minimum_minutes, lan.credited_minutes, lan.session_minutes,
            lan.possible_minutes, lan.status) == (TODAY, 360, 165, 60, 180, WeekStatus.ON_TRACK)
    assert [(m.day, m.closed) for m in lan.meetings] == [(TODAY, False), (WEDNESDAY, False),
                                                         (THURSDAY, True)]
    assert lan.meetings[0].attendance.late and lan.total_minutes == 225
    assert (ben.credited_minutes, ben.possible_minutes, ben.status, ben.unexcused) == (
        0, 180, WeekStatus.AT_RISK, 1)
    # Eve is admitted on Wednesday: Monday was not hers (nor Thursday, closed), so she is held
    # to 540 * 180 / 540 = 180 minutes, and Wednesday, still to come, can give them.
    eve = found["Marsh"]
    assert (eve.minimum_minutes, eve.possible_minutes, eve.status) == (
        180, 180, WeekStatus.ON_TRACK)
    cara = found["Lindqvist"]          # the adolescent track meets Monday 15:00-17:00
    assert (cara.minimum_minutes, cara.possible_minutes, cara.status) == (
        360, 120, WeekStatus.AT_RISK)
    assert [w.name for w in services.attendance.hours(actors["front_desk"], TODAY,
                                                      track_id=week.teen)] == [cara.name]
    with session_factory() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "attendance.hours"))
        assert [(e.detail["week"], e.detail["participants"]) for e in events] == [
            (TODAY.isoformat(), 4), (TODAY.isoformat(), 1)]
    wall.set(9, 0, WEDNESDAY)
    services.attendance.check_in(actors["front_desk"], week.people["lan"])
    wall.set(11, 30, WEDNESDAY)
    lan = _by_name(services.attendance.hours(actors["front_desk"], TODAY))["Nguyễn"]
    assert (lan.credited_minutes, lan.total_minutes, lan.status) == (
        165 + 150, 375, WeekStatus.MET)


def test_without_the_setting_a_closure_keeps_the_minimum(services, actors, week,
                                                         session_factory):
    from iopdesk.db.models import PracticeSetting

    with session_factory.begin() as s:
        s.add(PracticeSetting(key="closure_reduces_minimum", value=False))
    lan = _by_name(services.attendance.hours(actors["front_desk"], TODAY))["Nguyễn"]
    assert (lan.minimum_minutes, lan.status) == (540, WeekStatus.AT_RISK)


def test_a_closure_without_meetings_still_lowers_the_minimum(services, actors, program,
                                                             session_factory):
    """The schedule made no meeting on the closed day: its block's minutes are lost all
    the same."""
    from iopdesk.db.models import GroupMeeting

    with session_factory.begin() as s:
        s.delete(s.get(GroupMeeting, program.meeting(THURSDAY)))
        practice_id = s.get(ProgramTrack, program.adult).practice_id
        s.add(Closure(practice_id=practice_id, track_id=program.adult, closure_date=THURSDAY))
    ben = _by_name(services.attendance.hours(actors["front_desk"], TODAY))["Okafor"]
    assert ben.minimum_minutes == 360 and len(ben.meetings) == 2


def test_the_participants_weeks_newest_first(services, actors, week, session_factory):
    weeks = services.attendance.weeks(actors["clinician"], week.people["lan"])
    assert [w.week_first for w in weeks] == [TODAY, LAST_WEEK, LAST_WEEK - timedelta(days=7)]
    this, last, first = weeks
    assert (this.status, this.total_minutes) == (WeekStatus.ON_TRACK, 225)
    # Last week: nothing attended, three meetings missed, the week over.
    assert (last.minimum_minutes, last.credited_minutes, last.unexcused, last.status) == (
        540, 0, 3, WeekStatus.NOT_MET)
    # Admitted Monday 2026-11-02, the week had no meeting made: nothing to attend, not met.
    assert (first.week_first, first.meetings, first.status) == (
        date(2026, 11, 2), (), WeekStatus.NOT_MET)
    assert len(services.attendance.weeks(actors["clinician"], week.people["lan"], 1)) == 1
    dan = services.attendance.weeks(actors["clinician"], week.people["dan"])
    assert [w.week_first for w in dan] == [LAST_WEEK, LAST_WEEK - timedelta(days=7)]
    assert services.attendance.weeks(actors["clinician"], week.people["eve"]) == ()
    with session_factory() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "attendance.weeks"))
        assert [e.participant_id for e in events] == [week.people[n]
                                                      for n in ("lan", "lan", "dan", "eve")]


def test_the_hours_cost_no_query_per_participant(services, actors, week, session_factory,
                                                 engine):
    statements = []

    def count(*_):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        services.attendance.hours(actors["front_desk"], TODAY)
        few = len(statements)
        for n in range(4):
            person = services.participants.register(actors["front_desk"], ParticipantInput(
                first_name=f"Extra{'ABCD'[n]}", last_name="Person", date_of_birth=date(1990, 1, 1)))
            services.episodes.admit(actors["clinician"], person.id, week.adult, TODAY)
        statements.clear()
        found = services.attendance.hours(actors["front_desk"], TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(found) == 8 and len(statements) == few


def test_the_clinicians_participants_at_risk(services, actors, week, session_factory):
    found = services.attendance.at_risk(actors["clinician"], actors["clinician"].user_id)
    shown = {(w.name.split(",")[0], w.week_first, w.status) for w in found}
    assert shown == {("Okafor", TODAY, WeekStatus.AT_RISK),
                     ("Lindqvist", TODAY, WeekStatus.AT_RISK),
                     ("Nguyễn", LAST_WEEK, WeekStatus.NOT_MET),
                     ("Okafor", LAST_WEEK, WeekStatus.NOT_MET),
                     ("Lindqvist", LAST_WEEK, WeekStatus.NOT_MET)}
    assert found[0].week_first == TODAY                # this week's first
    assert services.attendance.at_risk(actors["clinician"], actors["admin"].user_id) == ()
    with session_factory() as s:
        [first, _] = s.scalars(select(AuditEvent)
                               .where(AuditEvent.action == "attendance.at_risk"))
    assert first.detail["participants"] == sorted(
        week.people[n] for n in ("lan", "ben", "cara"))     # Eve is not admitted yet


def test_names_sort_as_the_participant_list_sorts_them(services, actors, program):
    """Ávila sorts as "avila" (first), not after every unaccented name."""
    person = services.participants.register(
        actors["front_desk"], ParticipantInput(first_name="Inés", last_name="Ávila",
                                               date_of_birth=date(1990, 3, 4)))
    services.episodes.admit(actors["clinician"], person.id, program.adult, date(2026, 11, 2),
                            primary_clinician_id=actors["clinician"].user_id)
    names = [w.name.split(",")[0]
             for w in services.attendance.hours(actors["front_desk"], WEDNESDAY)]
    assert names == ["Ávila", "Lindqvist", "Marsh", "Nguyễn", "Okafor"]


def test_the_rest_of_the_meeting_someone_is_in_is_still_possible(services, actors, week, wall):
    """Ben, in the room since 09:00 on Wednesday, at 10:00: 60 minutes credited so far and the
    120 to the meeting's end still his to attend (not counted as lost)."""
    wall.set(9, 0, WEDNESDAY)
    services.attendance.check_in(actors["front_desk"], week.people["ben"])
    wall.set(10, 0, WEDNESDAY)
    ben = _by_name(services.attendance.hours(actors["front_desk"], TODAY))["Okafor"]
    assert (ben.credited_minutes, ben.possible_minutes, ben.status) == (
        60, 120, WeekStatus.AT_RISK)
