"""The demo's attendance, produced through the practice's attendance rules: check-in and
check-out times made up per participant and day (early, on time, within the grace, late, left
early, no check-out), then credited and given their status by `iopdesk.domain.attendance` with
the practice's default policy, exactly as the attendance service settles a row.

The recent weeks also get their history rows (check-ins, check-outs, absences, a few
corrections with their reasons and one same-day undo), and this week has one adult participant
at risk of missing the week's hours (`plan_week`). Called by `iopdesk.demo.groups`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from iopdesk.db.models import Attendance, AttendanceChange
from iopdesk.demo.records import EpisodePlan, Slot, TrackInfo
from iopdesk.domain.accounts import PracticeSettings
from iopdesk.domain.attendance import (AttendancePolicy, Credit, WeekStatus, credited,
                                       status_of, week_days, week_minimum, week_start_of,
                                       week_status)
from iopdesk.domain.enums import AttendanceStatus

if TYPE_CHECKING:
    from iopdesk.demo.base import Ctx

ST = AttendanceStatus
POLICY = AttendancePolicy.from_settings(PracticeSettings())   # a new practice's defaults
HISTORY_WEEKS = 4          # history rows for this week and the four before it
CORRECTED_EVERY = 80       # one attended row in this many of the history weeks is corrected
OFF_DAY_SHARE = 0.5       # the share of meeting days missed in a week with absences
EXCUSES = ("Illness", "Medical appointment", "Work schedule (called ahead)",
           "Family emergency", "Court date")


@dataclass(frozen=True)
class Shape:
    """How a participant's day goes: the intended status, minutes after the first meeting's
    start they arrive (negative: early) and after the last one's end they leave."""

    status: AttendanceStatus
    arrive: int = 0
    leave: int = 0
    no_checkout: bool = False


@dataclass
class Week:
    """This week's story and the state of the history writer."""

    first: date                                   # the first day of the week of as_of
    history_from: date
    calm: bool                                    # small demo: everyone else attends fully
    at_risk: EpisodePlan | None = None
    # (episode id, day) -> (status, reason, the day the absence was recorded)
    planned: dict[tuple[int, date], tuple[AttendanceStatus, str, date]] = field(
        default_factory=dict)
    # (episode id, first day of a week) -> whether it is one of their weeks with absences
    off_weeks: dict[tuple[int, date], bool] = field(default_factory=dict)
    attended_rows: int = 0
    corrections: int = 0
    undone: bool = False


def plan_week(ctx: Ctx, episodes: list[EpisodePlan], track: TrackInfo,
              slots: list[tuple[int, Slot]], closed: dict[date, str], calm: bool) -> Week:
    """Choose this week's participant at risk (adult track `track`, in the program for three
    weeks at least) and the absences that put them there: the week's earliest meeting days
    already past, else days still ahead that they called about (never today's, which the
    front desk has not recorded yet). Each absence is added until the rules say at risk."""
    first = week_start_of(ctx.as_of, 0)
    week = Week(first=first, history_from=week_start_of(
        ctx.as_of - timedelta(weeks=HISTORY_WEEKS), 0), calm=calm)
    chosen = next((e for e in episodes if e.track.id == track.id and e.end is None
                   and e.admission <= first - timedelta(days=21) and not e.flags
                   and e.last_seen is None), None)
    if chosen is None:
        return week
    length = {day: sum(_length(s) for w, s in slots if w == day.weekday())
              for day in week_days(first)}
    scheduled = sum(length.values())
    minimum = week_minimum(track.minimum, scheduled,
                           sum(m for day, m in length.items() if day in closed), POLICY)
    open_days = [d for d in week_days(first) if length[d] and d not in closed]
    candidates = ([d for d in open_days if d < ctx.as_of]
                  or [d for d in open_days if d > ctx.as_of])
    sessions = sum(m for d, m in chosen.minutes.items() if first <= d < ctx.as_of)
    missed: list[date] = []
    for day in candidates:
        if _projected(ctx.as_of, open_days, missed, length, sessions, minimum) \
                == WeekStatus.AT_RISK:
            break
        missed.append(day)
    if _projected(ctx.as_of, open_days, missed, length, sessions, minimum) != WeekStatus.AT_RISK:
        return week
    week.at_risk = chosen
    told = ctx.as_of - timedelta(days=3 if ctx.as_of.weekday() == 0 else 1)
    for n, day in enumerate(missed):
        if day < ctx.as_of:
            reason = ("Called in sick: stomach flu" if n == 0
                      else "Still sick (called in); doctor's note to follow")
            week.planned[chosen.id, day] = (ST.EXCUSED, reason, day)
        else:
            reason = (f"Called {told:%A}: jury duty summons for {day:%A}, {day:%B} {day.day}; "
                      "asked about making up the hours")
            week.planned[chosen.id, day] = (ST.EXCUSED, reason, told)
    return week


def _length(slot: Slot) -> int:
    return (slot.end.hour - slot.start.hour) * 60 + slot.end.minute - slot.start.minute


def _projected(as_of: date, open_days: list[date], missed: list[date],
               length: dict[date, int], sessions: int, minimum: int) -> WeekStatus:
    """The week's status if every other meeting day is attended in full."""
    done = sum(length[d] for d in open_days if d < as_of and d not in missed) + sessions
    ahead = sum(length[d] for d in open_days if d >= as_of and d not in missed)
    return week_status(done, minimum, ahead, False)


def day_shape(rng: random.Random, week: Week, ep: EpisodePlan, day: date) -> Shape:
    """How `ep`'s day goes (drawn once a day: the same for each of the day's meetings)."""
    arrive, leave, r = rng.randint(-12, 0), rng.randint(0, 6), rng.random()
    planned = week.planned.get((ep.id, day))
    if planned is not None:
        return Shape(planned[0])
    if day >= week.first and (week.calm or ep is week.at_risk):
        return Shape(ST.PRESENT, arrive, leave)      # this week: every minute, so far
    if ep.last_seen is not None and day > ep.last_seen:
        return Shape(ST.ABSENT)
    if _off_week(rng, week, ep, day) and r < OFF_DAY_SHARE:
        return Shape(ST.EXCUSED if rng.random() < 0.55 else ST.ABSENT)
    r = rng.random()
    if r < 0.05:
        return Shape(ST.PRESENT, rng.randint(11, 25), leave)            # late
    if r < 0.08:
        return Shape(ST.PRESENT, arrive, -rng.randint(11, 35))          # left early
    if r < 0.11:
        return Shape(ST.PRESENT, rng.randint(1, 10), leave)             # within the grace
    return Shape(ST.PRESENT, arrive, leave, no_checkout=r < 0.13)


def _off_week(rng: random.Random, week: Week, ep: EpisodePlan, day: date) -> bool:
    """Whether `day`'s week is one in which `ep` misses days: absences come together (an
    illness, a court date, a bad week), so a week has some with a chance of twice the
    participant's absence rate, and each of its days is missed with OFF_DAY_SHARE — as many
    missed days as independent days would give, in fewer weeks."""
    key = (ep.id, week_start_of(day, 0))
    if key not in week.off_weeks:
        week.off_weeks[key] = rng.random() < ep.absent_rate / OFF_DAY_SHARE
    return week.off_weeks[key]


def write_attendance(ctx: Ctx, week: Week, meeting_id: int, day: date, slot: Slot, index: int,
                     count: int, ep: EpisodePlan, shape: Shape, corrector: int) -> bool:
    """One attendance row of `ep` at a meeting held on a past day (its history rows in the
    recent weeks); True when they attended."""
    begin = ctx.at(day, slot.start.hour, slot.start.minute)
    finish = ctx.at(day, slot.end.hour, slot.end.minute)
    if shape.status in (ST.ABSENT, ST.EXCUSED):
        planned = week.planned.get((ep.id, day))
        reason = (planned[1] if planned else ctx.rng.choice(EXCUSES)
                  if shape.status == ST.EXCUSED else "No call, no show"
                  if ctx.rng.random() < .7 else "Transportation")
        _absence(ctx, week, meeting_id, day, ep, shape.status, reason, begin, finish)
        return False
    check_in = begin + timedelta(minutes=shape.arrive) if index == 0 else begin
    check_out: datetime | None = finish
    if index == count - 1:
        check_out = None if shape.no_checkout else finish + timedelta(minutes=shape.leave)
    credit = _credit(begin, finish, check_in, check_out)
    status = status_of(credit)
    ep.count(day, credit.minutes)
    row_id = ctx.sink.add(Attendance, check_in, meeting_id=meeting_id, episode_id=ep.id,
                          status=status, check_in_at=check_in, check_out_at=check_out,
                          minutes_credited=credit.minutes, recorded_by_id=ctx.frontdesk_id,
                          updated_at=check_out or finish)
    if day >= week.history_from:
        week.attended_rows += 1
        story = (_corrected(ctx, begin, finish, check_in, check_out, index, count)
                 if week.attended_rows % CORRECTED_EVERY == 0 else None)
        if story is None:
            _steps(ctx, row_id, credit, status, check_in, check_out)
        else:
            week.corrections += 1
            _correction(ctx, row_id, day, begin, finish, check_in, check_out, story, corrector)
    return True


def _credit(begin: datetime, finish: datetime, time_in: datetime,
            time_out: datetime | None) -> Credit:
    return credited(begin, finish, time_in, time_out, now=finish, day_over=True, policy=POLICY)


def _steps(ctx: Ctx, row_id: int, credit: Credit, status: AttendanceStatus,
           check_in: datetime, check_out: datetime | None) -> None:
    """The front desk's check-in and, when made, check-out of the row."""
    on_arrival = ST.LATE if credit.late else ST.PRESENT
    _change(ctx, row_id, "checked_in", None, on_arrival, (None, check_in), (None, None),
            check_in)
    if check_out is not None:
        _change(ctx, row_id, "checked_out", on_arrival, status, (check_in, check_in),
                (None, check_out), check_out)


def _clock(ctx: Ctx, moment: datetime) -> str:
    local = moment.astimezone(ctx.zone)
    return f"{local.hour % 12 or 12}:{local.minute:02d} {'am' if local.hour < 12 else 'pm'}"


def _corrected(ctx: Ctx, begin: datetime, finish: datetime, check_in: datetime,
               check_out: datetime | None, index: int, count: int
               ) -> tuple[datetime, datetime | None, str] | None:
    """What the desk recorded before a correction set the row's (true) times, and why:
    (recorded time in, recorded time out, reason); None when the row suits no story."""
    if index == 0 and check_out is not None and check_in <= begin + timedelta(minutes=10):
        desk = begin + timedelta(minutes=ctx.rng.randint(18, 30))
        return desk, check_out, (f"Signed in on paper; arrived {_clock(ctx, check_in)} "
                                 "(checked in at the desk later)")
    if index == count - 1 and check_out is not None and index > 0:
        return check_in, None, ("Check-out missed at the desk; left at "
                                f"{_clock(ctx, check_out)} (sign-out sheet)")
    if 0 < index < count - 1:
        early = finish - timedelta(minutes=25)
        return check_in, early, ("Checked out with the previous group by mistake; stayed "
                                 "to the end")
    return None


def _correction(ctx: Ctx, row_id: int, day: date, begin: datetime, finish: datetime,
                check_in: datetime, check_out: datetime | None,
                story: tuple[datetime, datetime | None, str], corrector: int) -> None:
    """The desk's steps with the recorded times, then the correction to the row's times: by
    the clinician the next morning, or by the front desk the same evening when the next
    morning is not past yet."""
    desk_in, desk_out, reason = story
    desk_credit = _credit(begin, finish, desk_in, desk_out)
    _steps(ctx, row_id, desk_credit, status_of(desk_credit), desk_in, desk_out)
    final = status_of(_credit(begin, finish, check_in, check_out))
    next_morning = ctx.at(day + timedelta(days=1), 9, 20)
    if day + timedelta(days=1) < ctx.as_of:
        who, at = corrector, next_morning
    else:
        who, at = ctx.frontdesk_id, finish + timedelta(minutes=25)
    _change(ctx, row_id, "corrected", status_of(desk_credit), final, (desk_in, check_in),
            (desk_out, check_out), at, reason, who)


def _absence(ctx: Ctx, week: Week, meeting_id: int, day: date, ep: EpisodePlan,
             status: AttendanceStatus, reason: str, begin: datetime, finish: datetime) -> None:
    """An absence, excused (called ahead) or not (marked after the group); in the recent
    weeks with its history, and once a check-in made by mistake and undone first."""
    planned = week.planned.get((ep.id, day))
    excused = status == ST.EXCUSED
    marked = (ctx.at(planned[2], 10, 15) if planned else begin - timedelta(hours=2) if excused
              else finish + timedelta(minutes=5))
    row_id = ctx.sink.add(Attendance, marked, meeting_id=meeting_id, episode_id=ep.id,
                          status=status, absence_reason=reason,
                          recorded_by_id=ctx.frontdesk_id, updated_at=marked)
    if day < week.history_from:
        return
    before = None
    if not excused and not week.undone:
        week.undone = True        # someone else with the same first name was meant
        wrong = begin + timedelta(minutes=3)
        _change(ctx, row_id, "checked_in", None, ST.PRESENT, (None, wrong), (None, None), wrong)
        _change(ctx, row_id, "check_in_undone", ST.PRESENT, ST.EXPECTED, (wrong, None),
                (None, None), wrong + timedelta(minutes=2))
        before = ST.EXPECTED
    _change(ctx, row_id, "marked_excused" if excused else "marked_absent", before, status,
            (None, None), (None, None), marked, reason)


def write_ahead(ctx: Ctx, week: Week, meeting_id: int, day: date, episodes: list[EpisodePlan]
                ) -> None:
    """The absences called in ahead for a meeting still to come (this week's story)."""
    for ep in episodes:
        planned = week.planned.get((ep.id, day))
        if planned is None:
            continue
        status, reason, told = planned
        marked = ctx.at(told, 10, 15)
        row_id = ctx.sink.add(Attendance, marked, meeting_id=meeting_id, episode_id=ep.id,
                              status=status, absence_reason=reason,
                              recorded_by_id=ctx.frontdesk_id, updated_at=marked)
        _change(ctx, row_id, "marked_excused", None, status, (None, None), (None, None), marked,
                reason)


def _change(ctx: Ctx, row_id: int, action: str, before: AttendanceStatus | None,
            after: AttendanceStatus, times_in: tuple, times_out: tuple, at: datetime,
            reason: str = "", by: int | None = None) -> None:
    ctx.sink.add(AttendanceChange, None, attendance_id=row_id, action=action,
                 status_before=None if before is None else str(before), status_after=str(after),
                 in_before=times_in[0], in_after=times_in[1], out_before=times_out[0],
                 out_after=times_out[1], reason=reason,
                 changed_by_id=ctx.frontdesk_id if by is None else by, changed_at=at)
