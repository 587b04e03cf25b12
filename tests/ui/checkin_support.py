"""A practice's Monday for the Check-in area's tests: a practice in Los Angeles, its staff
(stored with a quick hash, their actors issued as tests/conftest.py's `make_actor` does), an
adult track meeting 09:00-12:00 ("Recovery skills") and an adolescent track meeting
15:00-17:00 ("Teen group") made by the schedule service, and participants registered and
admitted through the services: four adults, a teenager, and an adult discharged last Friday.

The services' clock is a `Wall` the test moves (it starts at 08:50 on TODAY, a Monday)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from sqlalchemy import select
from support import AUDIT_KEY, TODAY

from iopdesk.db.engine import make_session_factory
from iopdesk.db.models import (Episode, Practice, PracticeSetting, ProgramTrack, StaffRole,
                               StaffUser)
from iopdesk.domain.enums import AgeGroup, EpisodeStatus, LevelOfCare, Role, TrackFocus
from iopdesk.domain.schedule import BlockInput
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services

ZONE = ZoneInfo("America/Los_Angeles")
PASSWORD = "desk-password-1"
ADMITTED = date(2026, 11, 2)


def local(hour: int, minute: int = 0, day: date = TODAY) -> datetime:
    """That wall-clock time at the practice, as an aware UTC moment."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


class Wall:
    """The services' clock, set by the test."""

    def __init__(self) -> None:
        self.moment = local(8, 50)

    def set(self, hour: int, minute: int = 0) -> None:
        self.moment = local(hour, minute)

    def now(self) -> datetime:
        return self.moment

    def today(self) -> date:
        return self.moment.astimezone(ZONE).date()


def desk_services(engine, name: str, wall: Wall):
    """A workstation's services over `engine`, on the test's clock."""
    return build_services(make_session_factory(engine), name, audit_key=AUDIT_KEY,
                          today=wall.today, now=wall.now)


@dataclass
class Day:
    admin: object
    front_desk: object
    clinician: object
    adult: int
    teen: int
    meetings: dict[str, int] = field(default_factory=dict)    # "adult"/"teen" -> meeting id
    people: dict[str, int] = field(default_factory=dict)      # "ben" -> participant id


def _user(services, engine, username: str, *roles: Role):
    """A staff user stored with a quickly checked hash, and the Actor a log-in would give
    (issued as tests/conftest.py's `make_actor` does: argon2 log-ins would take seconds)."""
    with make_session_factory(engine).begin() as s:
        user = StaffUser(username=username, display_name=username.title(),
                         password_hash=PasswordHasher(time_cost=1, memory_cost=1024,
                                                      parallelism=1).hash(PASSWORD))
        user.roles = [StaffRole(role=r) for r in roles]
        s.add(user)
        s.flush()
        user_id, display_name = user.id, user.display_name
    return services.staff._ctx.issue_actor(user_id=user_id, username=username,
                                           display_name=display_name, roles=frozenset(roles))


def _track(engine, name: str, age_group: AgeGroup, minutes: int) -> int:
    with make_session_factory(engine).begin() as s:
        practice_id = s.scalar(select(Practice.id))
        track = ProgramTrack(practice_id=practice_id, name=name, level_of_care=LevelOfCare.IOP,
                             age_group=age_group, focus=TrackFocus.SUBSTANCE_USE,
                             min_minutes_per_week=minutes)
        s.add(track)
        s.flush()
        return track.id


def set_up_day(services, engine) -> Day:
    """The practice, its staff, tracks, Monday meetings and participants (see the module)."""
    with make_session_factory(engine).begin() as s:
        s.add(Practice(name="Riverside IOP", city="Portland", state="OR", is_demo=False))
        s.add(PracticeSetting(key="time_zone", value="America/Los_Angeles"))
    day = Day(admin=_user(services, engine, "admin", Role.ADMIN),
              front_desk=_user(services, engine, "frontdesk", Role.FRONT_DESK),
              clinician=_user(services, engine, "clinician", Role.CLINICIAN),
              adult=_track(engine, "Adult IOP", AgeGroup.ADULT, 540),
              teen=_track(engine, "Teen IOP", AgeGroup.ADOLESCENT, 360))
    for key, track, start, end, title in (("adult", day.adult, time(9), time(12),
                                           "Recovery skills"),
                                          ("teen", day.teen, time(15), time(17), "Teen group")):
        services.schedule.add_block(day.admin, track, BlockInput(
            weekday=TODAY.weekday(), start_time=start, end_time=end, title=title,
            facilitator_id=None, effective_from=TODAY))
        week = services.schedule.week(day.admin, track, TODAY)
        [meeting] = next(d.meetings for d in week.days if d.day == TODAY)
        day.meetings[key] = meeting.id
    for key, first, last, track, born in (
            ("ben", "Ben", "Okafor", day.adult, date(1985, 6, 1)),
            ("ana", "Ana", "Garcia", day.adult, date(1979, 2, 11)),
            ("lan", "Lan", "Nguyen", day.adult, date(1990, 9, 23)),
            ("bea", "Bea", "Quist", day.adult, date(1988, 12, 5)),
            ("cara", "Cara", "Lindqvist", day.teen, date(2010, 5, 1)),
            ("dan", "Dan", "Ruiz", day.adult, date(1983, 3, 3))):
        person = services.participants.register(day.front_desk, ParticipantInput(
            first_name=first, last_name=last, date_of_birth=born))
        services.episodes.admit(day.clinician, person.id, track, ADMITTED,
                                primary_clinician_id=day.clinician.user_id)
        day.people[key] = person.id
    with make_session_factory(engine).begin() as s:      # no discharge service yet
        dan = s.scalar(select(Episode).where(Episode.participant_id == day.people["dan"]))
        dan.status, dan.discharge_date = EpisodeStatus.DISCHARGED, date(2026, 11, 13)
    return day
