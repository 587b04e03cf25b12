"""What the attendance service hands the screens and reports: the front desk's day, one
attendance with its flags, its recorded steps, and a participant's week against the minimum.

Plain frozen values: the rules (domain.attendance) have already been applied to them, so a
screen shows them as they are and never recomputes a credit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from iopdesk.domain.attendance import WeekStatus
from iopdesk.domain.enums import AttendanceStatus


@dataclass(frozen=True)
class AttendanceView:
    """One participant's attendance of one meeting (a recorded row)."""

    id: int
    version: int
    meeting_id: int
    episode_id: int
    participant_id: int
    status: AttendanceStatus     # expected (a check-in undone), present, late, left early...
    time_in: datetime | None
    time_out: datetime | None
    minutes: int                 # credited minutes, as the rules count them now
    late: bool
    left_early: bool
    no_checkout: bool            # no time out and the day is over: to be reviewed
    here: bool                   # in the room now (checked in, not out, the day not over)
    walk_in: bool                # checked into a meeting of another track than their own
    absence_reason: str


@dataclass(frozen=True)
class DayMeeting:
    """A meeting of the day with its counts: expected (enrolled and walk-ins), here now, with
    a time in; `missing` are the expected participants neither checked in nor marked absent."""

    id: int
    track_id: int
    track_name: str
    title: str
    start: datetime
    end: datetime
    cancelled: bool
    cancel_reason: str
    running: bool
    next: bool                   # the first of its track still to come (none running)
    expected_count: int
    here_count: int
    attended_count: int
    missing: tuple[int, ...]     # participant ids
    facilitator_name: str = ""   # who leads it ("" when nobody is named)


@dataclass(frozen=True)
class DayRow:
    """A participant expected that day (an episode open in a meeting's track) or checked in
    as a walk-in, with their attendance of the day's meetings."""

    participant_id: int
    name: str                    # as listed: "Nguyễn, Thị Lan (Lan)"
    chart_number: str
    episode_id: int
    track_id: int
    track_name: str
    walk_in: bool                # not enrolled in the track of a meeting they attend
    attendance: tuple[AttendanceView, ...]

    def at(self, meeting_id: int) -> AttendanceView | None:
        """The attendance of that meeting, or None when nothing was recorded."""
        return next((a for a in self.attendance if a.meeting_id == meeting_id), None)

    def status_at(self, meeting_id: int) -> AttendanceStatus:
        """Expected until something is recorded."""
        found = self.at(meeting_id)
        return found.status if found is not None else AttendanceStatus.EXPECTED


@dataclass(frozen=True)
class DayView:
    day: date
    meetings: tuple[DayMeeting, ...]
    rows: tuple[DayRow, ...]     # in name order


@dataclass(frozen=True)
class FoundParticipant:
    """A match of the check-in search: today's expected participants come first."""

    participant_id: int
    name: str
    chart_number: str
    expected: bool
    row: DayRow | None           # their row of the day (expected ones)


@dataclass(frozen=True)
class AttendanceChangeView:
    """One recorded step of an attendance row, with who made it."""

    id: int
    action: str                  # checked_in, checked_out, check_in_undone, ... corrected
    status_before: str | None
    status_after: str
    in_before: datetime | None
    in_after: datetime | None
    out_before: datetime | None
    out_after: datetime | None
    reason: str
    changed_by: str
    changed_at: datetime


@dataclass(frozen=True)
class WeekMeeting:
    """A meeting of the participant's week: their own track's, or one they walked into."""

    meeting_id: int
    day: date
    title: str
    start: datetime
    end: datetime
    cancelled: bool
    closed: bool                 # on a closure day of the practice or the track
    attendance: AttendanceView | None


@dataclass(frozen=True)
class WeekHours:
    """One participant's week against the track's minimum (minutes throughout)."""

    participant_id: int
    name: str
    chart_number: str
    episode_id: int
    track_id: int
    track_name: str
    week_first: date
    meetings: tuple[WeekMeeting, ...]
    credited_minutes: int        # of the groups
    session_minutes: int         # individual, family and intake sessions
    minimum_minutes: int         # the track's, lowered by closures
    possible_minutes: int        # still to be attended this week
    status: WeekStatus
    excused: int
    unexcused: int

    @property
    def total_minutes(self) -> int:
        return self.credited_minutes + self.session_minutes
