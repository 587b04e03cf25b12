"""The attendance rules (DOMAIN.md, "Program intensity"): how much of a meeting a check-in and
check-out credit, whether the participant came late or left early, a week's minimum hours and
whether it is met, and the authorized units a stretch of days uses up.

Pure functions of their arguments: the services read the rows, the practice's settings and the
clock, and pass them in. Every datetime is timezone-aware; minutes are whole minutes (the floor
of an overlap in seconds), so a participant is never credited a minute not fully attended.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from iopdesk.domain.accounts import NO_CHECKOUT_CREDITS, PracticeSettings
from iopdesk.domain.enums import AttendanceStatus

__all__ = ["AttendancePolicy", "AuthorizationWarning", "Credit", "WeekStatus",
           "authorization_warnings", "credited", "overlap_minutes", "status_of",
           "still_possible", "units_used", "week_days", "week_minimum", "week_start_of",
           "week_status"]


class WeekStatus(enum.StrEnum):
    """Where a participant's week stands against its minimum hours."""

    MET = "met"              # credited minutes reached the minimum
    ON_TRACK = "on_track"    # not yet, but the meetings still ahead can reach it
    AT_RISK = "at_risk"      # the meetings still ahead cannot reach it any more
    NOT_MET = "not_met"      # the week is over below the minimum


@dataclass(frozen=True)
class AttendancePolicy:
    """The practice's attendance settings the rules depend on (PracticeSettings' values)."""

    late_grace_minutes: int = 10
    no_checkout_credit: str = "to_end"        # or "nothing"
    closure_reduces_minimum: bool = True
    per_diem_minutes: int = 180
    units_warning: int = 3
    end_warning_days: int = 7

    def __post_init__(self) -> None:
        # Stored settings are checked when saved; an unknown value here is a programming error.
        if self.no_checkout_credit not in NO_CHECKOUT_CREDITS:
            raise ValueError(f"unknown no_checkout_credit {self.no_checkout_credit!r}")

    @classmethod
    def from_settings(cls, settings: PracticeSettings) -> AttendancePolicy:
        """The policy the practice's stored settings describe."""
        return cls(late_grace_minutes=settings.late_grace_minutes,
                   no_checkout_credit=settings.no_checkout_credit,
                   closure_reduces_minimum=settings.closure_reduces_minimum,
                   per_diem_minutes=settings.per_diem_minutes,
                   units_warning=settings.authorization_units_warning,
                   end_warning_days=settings.authorization_end_warning_days)


@dataclass(frozen=True)
class Credit:
    """What one attendance earns of one meeting, and the flags a person reviews."""

    minutes: int          # credited minutes of the meeting, 0 <= minutes <= meeting length
    late: bool            # time in more than the grace after the start
    left_early: bool      # time out more than the grace before the end
    no_checkout: bool     # no time out and the meeting's day is over: flag for review
    here: bool            # checked in, not out, day not over (in the room now)


def overlap_minutes(start: datetime, end: datetime, first: datetime, last: datetime) -> int:
    """Whole minutes [first, last] shares with [start, end]; 0 when they do not meet."""
    seconds = (min(end, last) - max(start, first)).total_seconds()
    return max(0, int(seconds // 60))


def credited(start: datetime, end: datetime, time_in: datetime | None,
             time_out: datetime | None, *, now: datetime, day_over: bool,
             policy: AttendancePolicy) -> Credit:
    """The credit of a meeting [start, end] for a participant in at `time_in`, out at `time_out`.

    Only the time inside the meeting counts: an early check-in is credited from the start, a
    late check-out up to the end. Still in the room (no check-out, the day not over) counts up
    to now (to the end at most). No check-out once the day is over is flagged, and credits the
    rest of the meeting or nothing as the practice chose.
    """
    if time_in is None:
        return Credit(0, False, False, False, False)
    grace = timedelta(minutes=policy.late_grace_minutes)
    late = time_in > start + grace
    if time_out is not None:
        return Credit(overlap_minutes(start, end, time_in, time_out), late,
                      time_out < end - grace, False, False)
    if not day_over:
        return Credit(overlap_minutes(start, end, time_in, now), late, False, False, True)
    to_end = policy.no_checkout_credit == "to_end"
    return Credit(overlap_minutes(start, end, time_in, end) if to_end else 0, late, False, True,
                  False)


def status_of(credit: Credit) -> AttendanceStatus:
    """The attendance status a credit records: late first, then left early, else present."""
    if credit.late:
        return AttendanceStatus.LATE
    if credit.left_early:
        return AttendanceStatus.LEFT_EARLY
    return AttendanceStatus.PRESENT


def week_start_of(day: date, week_start: int) -> date:
    """The first day of the week holding `day`; week_start 0 = Monday .. 6 = Sunday."""
    return day - timedelta(days=(day.weekday() - week_start) % 7)


def week_days(first: date) -> tuple[date, ...]:
    """The 7 dates of the week starting on `first`."""
    return tuple(first + timedelta(days=n) for n in range(7))


def week_minimum(minimum_minutes: int, scheduled_minutes: int, closed_minutes: int,
                 policy: AttendancePolicy, away_minutes: int = 0) -> int:
    """A week's minimum, lowered in proportion to the scheduled minutes the participant could
    not attend: those of closures (unless the practice turned that off) and those of the days
    outside their episode (`away_minutes`: before admission, after discharge).

    The participant is not held to hours the program did not offer them: with 9 scheduled
    hours and a 3-hour day closed, or admitted after a 3-hour day, a 9-hour minimum becomes 6
    (rounded up to the whole minute). Unchanged when nothing was scheduled; never below 0.
    The caller counts a closed day outside the episode as away, not also as closed.
    """
    closed = closed_minutes if policy.closure_reduces_minimum else 0
    lost = max(0, closed) + max(0, away_minutes)
    if scheduled_minutes <= 0 or lost <= 0:
        return max(0, minimum_minutes)
    offered = max(0, scheduled_minutes - lost)
    return max(0, -(-minimum_minutes * offered // scheduled_minutes))


def still_possible(windows: Iterable[tuple[datetime, datetime]], now: datetime) -> int:
    """Minutes still to be attended of the meetings (start, end) not yet over at `now`.

    The caller passes only meetings not cancelled and not already attended or marked absent,
    and the meeting someone is in now (credited up to now: the rest of it is still to come).
    """
    return sum(overlap_minutes(start, end, now, end) for start, end in windows)


def week_status(credited_minutes: int, minimum_minutes: int, possible_minutes: int,
                week_over: bool) -> WeekStatus:
    """Where the week stands: met, not met (over), on track (still reachable) or at risk."""
    if credited_minutes >= minimum_minutes:
        return WeekStatus.MET
    if week_over:
        return WeekStatus.NOT_MET
    if credited_minutes + possible_minutes >= minimum_minutes:
        return WeekStatus.ON_TRACK
    return WeekStatus.AT_RISK


def units_used(day_minutes: Mapping[date, int], first: date, last: date,
               policy: AttendancePolicy) -> int:
    """Authorized per-diem units used: days in [first, last] with at least the day's minutes."""
    return sum(1 for day, minutes in day_minutes.items()
               if first <= day <= last and minutes >= policy.per_diem_minutes)


@dataclass(frozen=True)
class AuthorizationWarning:
    """Something about an authorization that needs a person's attention."""

    kind: str             # "used_up", "units_low", "ends_soon", "ended"
    message: str          # one line a person reads, e.g. "2 of 20 units remain"


def _units(n: int) -> str:
    return f"{n} unit" if n == 1 else f"{n} units"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def authorization_warnings(units: int, used: int, first: date, last: date, today: date,
                           policy: AttendancePolicy) -> tuple[AuthorizationWarning, ...]:
    """The warnings for an authorization of `units` units over [first, last], `used` so far.

    Units: used up, or only a few left (policy.units_warning). Dates: ended before today, or
    ending within policy.end_warning_days (today included). `first` is part of the contract
    the services call with; a range not started yet needs no warning of its own.
    """
    warnings: list[AuthorizationWarning] = []
    remaining = units - used
    if remaining <= 0:
        warnings.append(AuthorizationWarning(
            "used_up", f"All {_units(units)} are used" if used == units
            else f"{used} of {_units(units)} used: {_units(used - units)} over"))
    elif remaining <= policy.units_warning:
        warnings.append(AuthorizationWarning(
            "units_low", f"{remaining} of {_units(units)} remain" if remaining != 1
            else f"1 of {_units(units)} remains"))
    days_left = (last - today).days
    if days_left < 0:
        warnings.append(AuthorizationWarning("ended", f"Ended {last.isoformat()}"))
    elif days_left <= policy.end_warning_days:
        warnings.append(AuthorizationWarning(
            "ends_soon", f"Ends today ({last.isoformat()})" if days_left == 0
            else f"Ends in {_days(days_left)} ({last.isoformat()})"))
    return tuple(warnings)
