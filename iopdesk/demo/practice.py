"""The demo practice: a fictional IOP with months (or, `size="large"`, ten years) of history.

`build_demo` fills an empty database at the schema head. It is deterministic for (seed, size,
as_of): the only randomness is `random.Random` seeded from `seed`, and every date and timestamp
is derived from `as_of` (password hashes are the exception: argon2 salts them). Rows are
bulk-inserted with SQLAlchemy Core in one transaction, so a failed build leaves nothing behind.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Engine, func, select

from iopdesk.db.models import (Closure, GroupSchedule, Participant, PlanLibraryEntry,
                               Practice, PracticeSetting, ProgramTrack, StaffRole, StaffUser)
from iopdesk.demo import data
from iopdesk.demo.base import Ctx, Profile, Sink
from iopdesk.demo.attendance import plan_week
from iopdesk.demo.authorizations import write_authorizations
from iopdesk.demo.clinical import write_episode
from iopdesk.demo.groups import write_groups
from iopdesk.demo.people import make_people
from iopdesk.demo.records import Slot, TrackInfo
from iopdesk.domain.accounts import PracticeSettings, check_settings
from iopdesk.domain.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from iopdesk.domain.enums import AgeGroup, LevelOfCare, Role, TrackFocus
from iopdesk.domain.errors import Conflict, ValidationError
from iopdesk.services.accounts import hash_password
from iopdesk.services.participants import FIRST_CHART_NUMBER

_EXTRA_STAFF = (("priya", True), ("lars", False))   # (username, still active)


SIZES = {"small": Profile(40, 183, False, None, 24),
         "large": Profile(20_000, 3652, True, 183, None)}


@dataclass(frozen=True)
class DemoSummary:
    counts: dict[str, int]        # table name -> rows written
    size: str
    seed: int
    as_of: date
    practice_name: str
    accounts: tuple[str, ...] = field(default=tuple(a[0] for a in DEMO_ACCOUNTS))


def build_demo(engine: Engine, *, seed: int = 1, size: str = "small", as_of: date | None = None,
               progress: Callable[[str], None] | None = None,
               participants: int | None = None) -> DemoSummary:
    """Fill the empty database of `engine` with the demo practice; Conflict if it has one.

    `participants` overrides the size's number of participants (tests of the large path).
    """
    if size not in SIZES:
        raise ValidationError({"size": f"unknown demo size “{size}”; choose "
                                        f"{' or '.join(SIZES)}"})
    profile = SIZES[size]
    if participants is not None:
        if participants < 1:
            raise ValidationError({"participants": "at least one participant"})
        profile = Profile(participants, profile.history_days, profile.all_tracks,
                          profile.detail_days,
                          None if profile.active is None else min(profile.active,
                                                                  participants * 3 // 5))
    as_of = as_of or date.today()
    say = progress or (lambda _message: None)
    say("preparing staff accounts")
    hashes = {name: hash_password(DEMO_PASSWORD)
              for name in [a[0] for a in DEMO_ACCOUNTS] + [e[0] for e in _EXTRA_STAFF]}
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        _refuse_if_used(conn)
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar() if sqlite else None
        if sqlite:
            conn.exec_driver_sql("PRAGMA cache_size = -262144")   # 256 MB while building
        try:
            sink = Sink(conn, say)
            ctx = Ctx(sink=sink, rng=random.Random(f"{seed}:clinical"), as_of=as_of,
                      start=as_of - timedelta(days=profile.history_days),
                      detail_from=(as_of - timedelta(days=profile.detail_days)
                                   if profile.detail_days else date.min))
            _build(ctx, profile, seed, hashes, say)
            sink.flush()
            sink.advance_sequences()
        finally:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA cache_size = {cache}")
    if sqlite:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    say("done")
    return DemoSummary(counts=dict(sorted(sink.counts.items())), size=size, seed=seed,
                       as_of=as_of, practice_name=data.PRACTICE["name"])


def _refuse_if_used(conn: Connection) -> None:
    name = conn.scalar(select(Practice.name).limit(1))
    if name is not None:
        raise Conflict(f"This database already holds a practice ({name}); the demo is built "
                       "only into a new, empty database. Nothing was changed.")
    for model, what in ((StaffUser, "staff accounts"), (Participant, "participants")):
        if conn.scalar(select(func.count()).select_from(model)):
            raise Conflict(f"This database already holds {what}; the demo is built only into "
                           "a new, empty database. Nothing was changed.")


# ------------------------------------------------------------------------------ building
def _build(ctx: Ctx, profile: Profile, seed: int, hashes: dict[str, str],
           say: Callable[[str], None]) -> None:
    sink = ctx.sink
    founded = ctx.at(ctx.start - timedelta(days=30), 9)
    say("practice, staff and schedule")
    practice_id = sink.add(Practice, founded, is_demo=True, **data.PRACTICE)
    staff = _staff(ctx, founded, hashes)
    # A new practice's policy (as the set-up writes it), and the chart numbers given so far.
    # the zone the demo's wall-clock times are made in (UTC where there is no tz database)
    zone = getattr(ctx.zone, "key", "UTC")
    settings = {**asdict(check_settings(PracticeSettings(time_zone=zone))),
                "next_chart_number": FIRST_CHART_NUMBER + profile.participants}
    for key, value in settings.items():
        sink.add(PracticeSetting, founded, key=key, value=value)
    for kind, category, text in data.LIBRARY:
        sink.add(PlanLibraryEntry, founded, kind=kind, category=category, text=text)
    tracks, slots = _tracks(ctx, practice_id, staff, profile, founded)
    closed = _closures(ctx, practice_id, tracks)
    say("participants")
    episodes = make_people(ctx, random.Random(f"{seed}:people"), profile, tracks, staff)
    off_day = _last_meeting_day(ctx, tracks[0], closed[0])
    off_slot = [s for weekday, s in slots[0] if weekday == off_day.weekday()][-1]
    cancelled = {(off_slot.schedule_id, off_day)}
    for ep in episodes:
        if ep.track.id == tracks[0].id and ep.admission <= off_day <= ep.last_day(ctx.as_of):
            ep.make_up = off_day
    for done, ep in enumerate(episodes, 1):
        write_episode(ctx, ep)
        sink.maybe_flush()
        if done % 5000 == 0:
            say(f"clinical records {done:,}/{len(episodes):,} episodes")
    week = plan_week(ctx, episodes, tracks[0], slots[0], closed[0],
                     calm=profile.active is not None)
    for index, track in enumerate(tracks):
        say(f"groups and attendance: track {index + 1} of {len(tracks)}")
        mine = [e for e in episodes if e.track.id == track.id]
        write_groups(ctx, track, slots[index], closed[index], mine, cancelled, week)
    say("authorizations")
    write_authorizations(ctx, episodes, tracks[0], week.at_risk)
    sink.flush()


def _staff(ctx: Ctx, founded: datetime, hashes: dict[str, str]) -> dict[str, int]:
    sink, ids = ctx.sink, {}
    roles = {name: r for name, _, r in DEMO_ACCOUNTS}
    roles.update({name: (Role.CLINICIAN,) for name, _ in _EXTRA_STAFF})
    active = dict(_EXTRA_STAFF)
    for username, (display, creds, mail) in data.STAFF_DETAILS.items():
        needs_cosign = username == "associate"
        user_id = sink.add(StaffUser, founded, username=username, display_name=display,
                           credentials=creds, email=f"{mail}@example.org",
                           password_hash=hashes[username], active=active.get(username, True),
                           needs_cosign=needs_cosign,
                           supervisor_id=ids["supervisor"] if needs_cosign else None)
        for role in roles[username]:
            sink.add(StaffRole, None, user_id=user_id, role=role)
        ids[username] = user_id
        ctx.staff_info[user_id] = (display, creds, needs_cosign)
    ctx.supervisor_id, ctx.frontdesk_id = ids["supervisor"], ids["frontdesk"]
    return ids


_FACILITATORS = (("clinician", "priya", "associate"), ("supervisor", "associate"),
                 ("priya", "clinician"), ("clinician", "supervisor"),
                 ("associate", "priya", "supervisor"), ("supervisor", "priya"))


def _tracks(ctx: Ctx, practice_id: int, staff: dict[str, int], profile: Profile,
            founded: datetime) -> tuple[list[TrackInfo], list[list[tuple[int, Slot]]]]:
    """The program tracks and their weekly groups: (track, [(weekday, slot)]) in order."""
    tracks, all_slots = [], []
    for index, (name, age, focus, minutes, review, per_diem, revenue, weekdays, (hour, minute),
                titles, core) in enumerate(data.TRACKS):
        if not (core or profile.all_tracks):
            continue
        track_id = ctx.sink.add(
            ProgramTrack, founded, practice_id=practice_id, name=name,
            level_of_care=LevelOfCare.IOP, age_group=AgeGroup(age), focus=TrackFocus(focus),
            min_minutes_per_week=minutes, review_interval_days=review, week_start=0,
            per_diem_code=per_diem, revenue_code=revenue)
        facilitators = tuple(staff[u] for u in _FACILITATORS[index])
        slots = []
        for weekday in weekdays:
            for position, title in enumerate(titles):
                begin = datetime(2000, 1, 1, hour, minute) + timedelta(hours=position)
                start, end = begin.time(), (begin + timedelta(hours=1)).time()
                schedule_id = ctx.sink.add(
                    GroupSchedule, founded, track_id=track_id, weekday=weekday,
                    start_time=start, end_time=end, title=title,
                    facilitator_id=facilitators[position % len(facilitators)],
                    effective_from=ctx.start)
                slots.append((weekday, Slot(schedule_id, start, end, title)))
        tracks.append(TrackInfo(id=track_id, adolescent=age == "adolescent", focus=focus,
                                review_days=review, weekdays=weekdays, start=(hour, minute),
                                titles=titles, facilitators=facilitators, minimum=minutes))
        all_slots.append(slots)
    return tracks, all_slots


def _closures(ctx: Ctx, practice_id: int, tracks: list[TrackInfo]) -> list[dict[date, str]]:
    """Holidays (every track) and one staff-training day of the adolescent track: each
    track's closed days with their reasons."""
    last = ctx.as_of + timedelta(days=60)
    days: dict[date, str] = {}
    for year in range(ctx.start.year, last.year + 1):
        for day, reason in data.holidays(year):
            if ctx.start <= day <= last:
                days[day] = reason
                noted = min(day - timedelta(days=30), ctx.as_of - timedelta(days=1))
                ctx.sink.add(Closure, ctx.at(noted, 9),
                             practice_id=practice_id, closure_date=day, reason=reason)
    per_track = [dict(days) for _ in tracks]
    training = ctx.as_of - timedelta(days=35)
    while training.weekday() not in tracks[1].weekdays or training in days:
        training -= timedelta(days=1)
    ctx.sink.add(Closure, ctx.at(training - timedelta(days=14), 9), practice_id=practice_id,
                 track_id=tracks[1].id, closure_date=training, reason="Staff training")
    per_track[1][training] = "Staff training"
    return per_track


def _last_meeting_day(ctx: Ctx, track: TrackInfo, closed: dict[date, str]) -> date:
    """A meeting day about three weeks ago: its last group is cancelled (the facilitator fell
    ill) and made up in individual sessions the next day, an open weekday."""
    day = ctx.as_of - timedelta(days=21)
    while (day.weekday() not in track.weekdays or day in closed
           or day.weekday() >= 4 or day + timedelta(days=1) in closed):
        day -= timedelta(days=1)
    return day
