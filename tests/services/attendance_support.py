"""A small program for the attendance service tests, made without the schedule service: an
adult track meeting Monday, Wednesday and Thursday 09:00-12:00 (9 h, its minimum), an
adolescent track meeting Monday 15:00-17:00, the meetings of the week of TODAY (Monday
2026-11-16) and the week before, and participants admitted, discharged or admitted later.

The practice is in Los Angeles; the services' clock is a `Wall` a test moves, and their
"today" is the practice's date by it, so a test can step past the meeting's day.

A test module takes the fixtures `wall`, `services` (in place of the shared one, whose day is
fixed) and `program` by importing `wall_fixture`, `services_fixture` and `program_fixture`:
pytest knows them by their `name`, so a test's parameters do not shadow the imports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from support import AUDIT_KEY, TODAY

from iopdesk.db.models import (
    Episode,
    GroupMeeting,
    GroupSchedule,
    PracticeSetting,
    ProgramTrack,
)
from iopdesk.domain.enums import AgeGroup, EpisodeStatus, LevelOfCare, TrackFocus
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services

ZONE = ZoneInfo("America/Los_Angeles")
LAST_WEEK = TODAY - timedelta(days=7)
ADULT_DAYS = (0, 2, 3)           # Monday, Wednesday, Thursday


def local(hour: int, minute: int = 0, day: date = TODAY) -> datetime:
    """That wall-clock time at the practice, as the aware UTC moment the services take."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


class Wall:
    """The services' clock, set by the test (it starts Monday 08:50 at the practice)."""

    def __init__(self) -> None:
        self.moment = local(8, 50)

    def set(self, hour: int, minute: int = 0, day: date = TODAY) -> None:
        self.moment = local(hour, minute, day)

    def now(self) -> datetime:
        return self.moment

    def today(self) -> date:
        return self.moment.astimezone(ZONE).date()


def attendance_services(session_factory, wall: Wall):
    with session_factory.begin() as s:
        s.add(PracticeSetting(key="time_zone", value="America/Los_Angeles"))
    return build_services(session_factory, "desk-1", audit_key=AUDIT_KEY, today=wall.today,
                          now=wall.now)


@dataclass
class Program:
    adult: int
    teen: int
    people: dict[str, int] = field(default_factory=dict)      # name -> participant id
    episodes: dict[str, int] = field(default_factory=dict)    # name -> episode id
    meetings: dict[tuple[str, date], int] = field(default_factory=dict)  # (track, day) -> id

    def meeting(self, day: date = TODAY, track: str = "adult") -> int:
        return self.meetings[track, day]


def _block(s, track_id: int, weekday: int, start: time, end: time, title: str) -> int:
    block = GroupSchedule(track_id=track_id, weekday=weekday, start_time=start, end_time=end,
                          title=title, effective_from=LAST_WEEK - timedelta(days=30))
    s.add(block)
    s.flush()
    return block.id


def make_program(services, actors, session_factory, adult_track: int) -> Program:
    """The tracks, blocks and meetings (two weeks), and five participants:
    Lan and Ben (adults, admitted 2026-11-02), Cara (the adolescent track), Dan (discharged
    2026-11-13), Eve (admitted from 2026-11-18)."""
    with session_factory.begin() as s:
        practice_id = s.get(ProgramTrack, adult_track).practice_id
        teen = ProgramTrack(practice_id=practice_id, name="Adolescent IOP",
                            level_of_care=LevelOfCare.IOP, age_group=AgeGroup.ADOLESCENT,
                            focus=TrackFocus.SUBSTANCE_USE, min_minutes_per_week=360)
        s.add(teen)
        s.flush()
        program = Program(adult=adult_track, teen=teen.id)
        adult_blocks = {d: _block(s, adult_track, d, time(9), time(12), "Recovery skills")
                        for d in ADULT_DAYS}
        teen_block = _block(s, teen.id, 0, time(15), time(17), "Teen group")
        for first in (LAST_WEEK, TODAY):
            for weekday, block_id in adult_blocks.items():
                day = first + timedelta(days=weekday)
                m = GroupMeeting(schedule_id=block_id, track_id=adult_track, meeting_date=day,
                                 start_time=time(9), end_time=time(12),
                                 title="Recovery skills")
                s.add(m)
                s.flush()
                program.meetings["adult", day] = m.id
            m = GroupMeeting(schedule_id=teen_block, track_id=teen.id, meeting_date=first,
                             start_time=time(15), end_time=time(17), title="Teen group")
            s.add(m)
            s.flush()
            program.meetings["teen", first] = m.id
    clinician = actors["clinician"]
    for name, first, last, track, admitted in (
            ("lan", "Thị Lan", "Nguyễn", adult_track, date(2026, 11, 2)),
            ("ben", "Ben", "Okafor", adult_track, date(2026, 11, 2)),
            ("cara", "Cara", "Lindqvist", teen.id, date(2026, 11, 2)),
            ("dan", "Dan", "Ruiz", adult_track, date(2026, 11, 2)),
            ("eve", "Eve", "Marsh", adult_track, date(2026, 11, 18))):
        born = date(2010, 5, 1) if name == "cara" else date(1985, 6, 1)
        person = services.participants.register(
            actors["front_desk"], ParticipantInput(first_name=first, last_name=last,
                                                   date_of_birth=born))
        episode = services.episodes.admit(clinician, person.id, track, admitted,
                                          primary_clinician_id=clinician.user_id)
        program.people[name] = person.id
        program.episodes[name] = episode.id
    with session_factory.begin() as s:
        dan = s.get(Episode, program.episodes["dan"])
        dan.status, dan.discharge_date = EpisodeStatus.DISCHARGED, date(2026, 11, 13)
    return program


def ad_hoc_meeting(session_factory, track_id: int, start: time, end: time, title: str) -> int:
    """A meeting of the track today outside its weekly blocks (stored directly); its id."""
    with session_factory.begin() as s:
        meeting = GroupMeeting(track_id=track_id, meeting_date=TODAY, start_time=start,
                               end_time=end, title=title)
        s.add(meeting)
        s.flush()
        return meeting.id


def monday_morning(services, actors, program: Program, wall: Wall) -> None:
    """This Monday's adult meeting as the front desk records it: Lan in late (09:15) and out
    at 12:00 (165 min), Ben absent (no call, no show); the clock left at 12:30."""
    desk = actors["front_desk"]
    wall.set(9, 15)
    lan = services.attendance.check_in(desk, program.people["lan"])
    services.attendance.mark_absent(desk, program.people["ben"], program.meeting(), False,
                                    "No call, no show")
    wall.set(12, 0)
    services.attendance.check_out(desk, lan.id, lan.version)
    wall.set(12, 30)


@pytest.fixture(name="wall")
def wall_fixture() -> Wall:
    """The services' clock: Monday 08:50 at the practice until the test moves it."""
    return Wall()


@pytest.fixture(name="services")
def services_fixture(session_factory, wall):
    """The services of the test database on `wall`'s clock."""
    return attendance_services(session_factory, wall)


@pytest.fixture(name="program")
def program_fixture(services, actors, session_factory, track_id) -> Program:
    """The program of `make_program`, on the test database's adult track."""
    return make_program(services, actors, session_factory, track_id)
