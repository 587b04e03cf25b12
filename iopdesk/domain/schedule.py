"""The program schedule: each track's weekly group blocks, the days the practice or a track is
closed, and the group meetings made from the blocks. Their inputs, the checks (a message at
each field that is wrong) and the read models the schedule service returns.

A block is a weekly pattern ("Monday 09:00-12:00, Relapse prevention, Dana Cole"), effective
from a date, optionally to a last date. Meetings are the dated occurrences made from it ahead
of time; each can then be moved, cancelled or given another facilitator or topic on its own.
A closure (a holiday, a training day) cancels the meetings of its day, with the reason shown:
"Closed: Thanksgiving".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from iopdesk.domain.errors import ValidationError
from iopdesk.domain.text import TextRule, check_texts

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TITLE_MAX = 120
CLOSED_PREFIX = "Closed: "
SCHEDULE_ENDED = "Schedule ended"

__all__ = ["CLOSED_PREFIX", "SCHEDULE_ENDED", "WEEKDAYS", "BlockInput", "BlockView", "ClosureInput",
           "ClosureView", "DayView", "MeetingChange", "MeetingMove", "MeetingView", "WeekView",
           "block_dates", "check_block", "check_block_end", "check_closure", "check_meeting_change",
           "check_move", "check_reason", "closed_reason", "week_of"]


# ---- inputs ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class BlockInput:
    """A weekly group block as the form supplies it. `weekday`: 0 = Monday .. 6 = Sunday; the
    facilitator is the meetings' default (an active clinician or supervisor, checked by the
    service, which knows the staff)."""

    weekday: int
    start_time: time | None
    end_time: time | None
    title: str
    facilitator_id: int | None
    effective_from: date | None
    effective_to: date | None = None


@dataclass(frozen=True)
class ClosureInput:
    """A day closed: the whole practice (`track_id` None) or one track."""

    closure_date: date | None
    reason: str
    track_id: int | None = None


@dataclass(frozen=True)
class MeetingMove:
    """Where and when one meeting is to take place instead."""

    meeting_date: date | None
    start_time: time | None
    end_time: time | None


@dataclass(frozen=True)
class MeetingChange:
    """Who leads one meeting, and on what topic."""

    facilitator_id: int | None
    topic: str = ""


BLOCK_TEXT = {"title": TextRule("Title", TITLE_MAX, required=True)}
CLOSURE_TEXT = {"reason": TextRule("Reason", 200, required=True)}
CHANGE_TEXT = {"topic": TextRule("Topic", 200)}


def _window(errors: dict[str, str], start: time | None, end: time | None) -> None:
    if start is None:
        errors["start_time"] = "Start time is required"
    if end is None:
        errors["end_time"] = "End time is required"
    elif start is not None and end <= start:
        errors["end_time"] = (f"End time {end:%H:%M} is not after the start time "
                              f"{start:%H:%M}")


def check_block(data: BlockInput) -> BlockInput:
    """The cleaned input (title's white space folded) or ValidationError naming every bad
    field."""
    errors: dict[str, str] = {}
    data = check_texts(data, BLOCK_TEXT, errors)
    if type(data.weekday) is not int or not 0 <= data.weekday <= 6:
        errors["weekday"] = (f"Weekday {data.weekday!r} is not one of 0 (Monday) to "
                             "6 (Sunday)")
    _window(errors, data.start_time, data.end_time)
    if data.effective_from is None:
        errors["effective_from"] = "Effective from is required"
    elif data.effective_to is not None and data.effective_to < data.effective_from:
        errors["effective_to"] = (f"Last date {data.effective_to.isoformat()} is before the "
                                  f"first date {data.effective_from.isoformat()}")
    if errors:
        raise ValidationError(errors)
    return data


def check_block_end(last: date | None, effective_from: date) -> date:
    """The last date of a block being ended, or ValidationError at `effective_to`."""
    if last is None:
        raise ValidationError({"effective_to": "Last date is required"})
    if last < effective_from:
        raise ValidationError({"effective_to": (
            f"Last date {last.isoformat()} is before the block starts "
            f"({effective_from.isoformat()})")})
    return last


def check_closure(data: ClosureInput) -> ClosureInput:
    """The cleaned input or ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    data = check_texts(data, CLOSURE_TEXT, errors)
    if data.closure_date is None:
        errors["closure_date"] = "Date is required"
    if errors:
        raise ValidationError(errors)
    return data


def check_move(data: MeetingMove) -> MeetingMove:
    """The new date and window of a meeting, or ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    if data.meeting_date is None:
        errors["meeting_date"] = "Date is required"
    _window(errors, data.start_time, data.end_time)
    if errors:
        raise ValidationError(errors)
    return data


def check_meeting_change(data: MeetingChange) -> MeetingChange:
    """The cleaned topic or ValidationError at `topic`."""
    errors: dict[str, str] = {}
    data = check_texts(data, CHANGE_TEXT, errors)
    if errors:
        raise ValidationError(errors)
    return data


@dataclass(frozen=True)
class _Reason:
    reason: str


def check_reason(reason: str, field: str = "reason") -> str:
    """A required one-line reason (a cancellation's), cleaned, or ValidationError at `field`."""
    errors: dict[str, str] = {}
    cleaned = check_texts(_Reason(reason), {"reason": TextRule("Reason", 200, required=True)},
                          errors).reason
    if errors:
        raise ValidationError({field: errors["reason"]})
    return cleaned


def closed_reason(reason: str) -> str:
    """A meeting's cancel reason on a closed day: "Closed: Thanksgiving"."""
    return f"{CLOSED_PREFIX}{reason}"


# ---- dates -----------------------------------------------------------------------------------

def week_of(any_day: date, week_start: int) -> date:
    """The first day of the week holding `any_day`, weeks starting on `week_start` (0 =
    Monday)."""
    return any_day - timedelta(days=(any_day.weekday() - week_start) % 7)


def block_dates(weekday: int, first: date, last: date) -> list[date]:
    """Every date from `first` through `last` falling on `weekday`."""
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    found = []
    while day <= last:
        found.append(day)
        day += timedelta(days=7)
    return found


# ---- read models -----------------------------------------------------------------------------

@dataclass(frozen=True)
class BlockView:
    id: int
    track_id: int
    weekday: int
    start_time: time
    end_time: time
    title: str
    facilitator_id: int | None
    facilitator_name: str
    effective_from: date
    effective_to: date | None
    active: bool
    version: int

    @property
    def weekday_name(self) -> str:
        return WEEKDAYS[self.weekday]

    def as_input(self) -> BlockInput:
        """What the edit form starts from."""
        return BlockInput(weekday=self.weekday, start_time=self.start_time,
                          end_time=self.end_time, title=self.title,
                          facilitator_id=self.facilitator_id,
                          effective_from=self.effective_from, effective_to=self.effective_to)


@dataclass(frozen=True)
class ClosureView:
    id: int
    closure_date: date
    track_id: int | None        # None: the whole practice
    track_name: str             # "" for the whole practice
    reason: str
    version: int

    @property
    def scope(self) -> str:
        return self.track_name or "Whole practice"


@dataclass(frozen=True)
class MeetingView:
    id: int
    schedule_id: int | None     # None: moved off its block, or made by hand
    track_id: int
    meeting_date: date
    start_time: time
    end_time: time
    title: str
    topic: str
    facilitator_id: int | None
    facilitator_name: str
    cancelled: bool
    cancel_reason: str
    version: int

    @property
    def window(self) -> str:
        return f"{self.start_time:%H:%M}-{self.end_time:%H:%M}"


@dataclass(frozen=True)
class DayView:
    day: date
    meetings: tuple[MeetingView, ...]
    closures: tuple[ClosureView, ...]


@dataclass(frozen=True)
class WeekView:
    """One track's week: seven days from the track's week start, with no participant in it."""

    track_id: int
    track_name: str
    first: date
    days: tuple[DayView, ...]

    @property
    def last(self) -> date:
        return self.days[-1].day
