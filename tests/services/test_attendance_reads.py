"""The attendance reads cost a fixed number of statements, however many are in the program:
the front desk's day (read after every check-in) and the weekly hours of everyone are read
set-wise, never per participant; and once the schedule's meetings are made, showing the day
makes none and writes nothing but its audit event.

Counted with SQLAlchemy's `before_cursor_execute` event on the test engine (both engines),
not timed: a query added per participant shows up as a difference in the count."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event, func, select
from support import AUDIT_KEY, TODAY

from iopdesk.db.models import Attendance, GroupMeeting, GroupSchedule, ProgramTrack
from iopdesk.domain.enums import AgeGroup, AttendanceStatus, LevelOfCare, TrackFocus
from iopdesk.domain.time import zone_info
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services
from iopdesk.services.stored_settings import load_time_zone

ADMITTED = TODAY - timedelta(days=14)
_NAMES = ("Ada", "Bea", "Cal", "Dov", "Eli", "Fay", "Gus", "Hal", "Ira", "Jo")


@pytest.fixture(name="services")
def services_fixture(session_factory):
    """The services at 10:00 on TODAY at the practice (in place of the shared fixture's,
    whose clock is the workstation's), which issue the `actors`."""
    with session_factory() as s:
        zone = zone_info(load_time_zone(s))
    now = datetime.combine(TODAY, time(10), tzinfo=zone).astimezone(UTC)
    return build_services(session_factory, "desk-reads", audit_key=AUDIT_KEY,
                          today=lambda: TODAY, now=lambda: now)


@pytest.fixture(name="reads")
def reads_fixture(services, session_factory, actors, track_id):
    """(services, the adult and a second track's ids), both tracks meeting every weekday,
    the adult track 09:00-12:00, the other 13:00-15:00, their meetings made ahead."""
    with session_factory.begin() as s:
        other = ProgramTrack(practice_id=s.get(ProgramTrack, track_id).practice_id,
                             name="Evening IOP", level_of_care=LevelOfCare.IOP,
                             age_group=AgeGroup.ADULT, focus=TrackFocus.MENTAL_HEALTH,
                             min_minutes_per_week=360)
        s.add(other)
        s.flush()
        for weekday in range(5):
            s.add(GroupSchedule(track_id=track_id, weekday=weekday, start_time=time(9),
                                end_time=time(12), title="Skills", effective_from=ADMITTED))
            s.add(GroupSchedule(track_id=other.id, weekday=weekday, start_time=time(13),
                                end_time=time(15), title="Process", effective_from=ADMITTED))
        other_id = other.id
    services.attendance.day(actors["front_desk"])      # the meetings ahead are made
    return services, track_id, other_id


def _meeting(session_factory, track: int, day: date = TODAY) -> int:
    with session_factory() as s:
        return s.scalar(select(GroupMeeting.id).where(GroupMeeting.track_id == track,
                                                      GroupMeeting.meeting_date == day))


def _enrol(services, actors, session_factory, tracks: tuple[int, int], first: int,
           count: int) -> None:
    """`count` more participants, alternately in each track; of every three, one checked in
    to their own track's meeting today, one checked in to the other track's (a walk-in), one
    marked absent."""
    desk, clinician = actors["front_desk"], actors["clinician"]
    for n in range(first, first + count):
        person = services.participants.register(desk, ParticipantInput(
            first_name=_NAMES[n % 10], last_name=f"Reader {_NAMES[n // 10]}",
            date_of_birth=date(1980, 1, 1)))
        own, other = tracks if n % 2 == 0 else tracks[::-1]
        services.episodes.admit(clinician, person.id, own, ADMITTED,
                                primary_clinician_id=clinician.user_id)
        if n % 3 == 0:
            services.attendance.check_in(desk, person.id, _meeting(session_factory, own))
        elif n % 3 == 1:
            services.attendance.check_in(desk, person.id, _meeting(session_factory, other))
        else:
            services.attendance.mark_absent(desk, person.id, _meeting(session_factory, own),
                                            False, "Called in sick")


def _statements(session_factory, call) -> tuple[object, list[str]]:
    """(what `call` returned, the SQL statements it sent)."""
    with session_factory() as s:
        engine = s.get_bind()
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        return call(), sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_day_costs_the_same_statements_for_3_and_30_participants(
        reads, actors, session_factory):
    services, adult, other = reads
    desk = actors["front_desk"]
    _enrol(services, actors, session_factory, (adult, other), 0, 3)
    few, few_sent = _statements(session_factory, lambda: services.attendance.day(desk))
    _enrol(services, actors, session_factory, (adult, other), 3, 27)
    many, many_sent = _statements(session_factory, lambda: services.attendance.day(desk))
    assert (len(few.rows), len(many.rows)) == (3, 30)
    assert sum(m.attended_count for m in many.meetings) == 20
    assert len(many_sent) == len(few_sent)


def test_the_weekly_hours_cost_the_same_statements_for_3_and_30_participants(
        reads, actors, session_factory):
    services, adult, other = reads
    clinician = actors["clinician"]
    _enrol(services, actors, session_factory, (adult, other), 0, 3)
    few, few_sent = _statements(session_factory,
                                lambda: services.attendance.hours(clinician, TODAY))
    _enrol(services, actors, session_factory, (adult, other), 3, 27)
    many, many_sent = _statements(session_factory,
                                  lambda: services.attendance.hours(clinician, TODAY))
    assert (len(few), len(many)) == (3, 30)
    assert sum(1 for w in many for m in w.meetings if m.attendance is not None
               and m.attendance.status == AttendanceStatus.ABSENT) == 10
    assert len(many_sent) == len(few_sent)


def test_the_day_makes_no_meeting_once_they_are_made(reads, actors, session_factory):
    services, adult, _ = reads
    with session_factory() as s:
        made = s.scalar(select(func.count()).select_from(GroupMeeting))
    view, sent = _statements(session_factory,
                             lambda: services.attendance.day(actors["front_desk"]))
    written = [q for q in sent if q.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
               and "audit" not in q]
    assert written == []
    assert sum(1 for q in sent if "FROM group_schedules" in q) == 1
    assert [m.track_id for m in view.meetings] == [adult, reads[2]]
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(GroupMeeting)) == made
        assert s.scalar(select(func.count()).select_from(Attendance)) == 0
