"""Read models of the attendance documents: a meeting's sign-in sheet, the week's attendance and
hours report, and one participant's attendance history; and how a sign-in sheet shows a name.

Plain data filled by the services and turned into PDF (and CSV) bytes by reports/: the rules
(domain.attendance) have already been applied, so a document prints these values as they are
and never recomputes a credit. Times are the practice's wall-clock times; minutes are whole
minutes. `part2_notice` is the 42 CFR § 2.32 statement when the service prints one (attendance
at a substance-use program is itself Part 2 information), "" otherwise.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time

from iopdesk.domain.documents import DocumentFrame, Letterhead

SIGN_IN_NAME_STYLES = ("full", "first_initial")
ALL_TRACKS = "All tracks"


def _initial(name: str) -> str:
    """The first letter of `name` with its accents ("Ễ" of "Ễn"), upper case, or ""."""
    name = unicodedata.normalize("NFC", name.strip())
    for i, char in enumerate(name):
        if char.isalpha():
            end = i + 1
            while end < len(name) and unicodedata.combining(name[end]):
                end += 1
            return name[i:end].upper()
    return ""


def sign_in_name(first: str, last: str, style: str) -> str:
    """A name as the practice's `sign_in_names` setting shows it on a sign-in sheet, which the
    participants of the group see: "full" gives "Lan Nguyễn", "first_initial" gives "Lan N."
    (the first letter of the last name: "O'Brien" gives "O.", "de la Cruz" gives "D.").
    An unknown style is a programming error (the setting is checked when saved)."""
    if style not in SIGN_IN_NAME_STYLES:
        raise ValueError(f"unknown sign-in name style {style!r}")
    first, last = " ".join(first.split()), " ".join(last.split())
    if style == "first_initial":
        initial = _initial(last)
        last = f"{initial}." if initial else ""
    return " ".join(part for part in (first, last) if part)


@dataclass(frozen=True)
class SignInLine:
    """One expected participant (or walk-in) of the meeting; times empty until recorded."""

    name: str                        # already in the practice's style (sign_in_name)
    chart_number: str
    time_in: time | None = None
    time_out: time | None = None
    status: str = ""                 # "late", "absent (excused)", "walk-in"…; "" while expected


@dataclass(frozen=True)
class SignInSheet:
    """The sheet passed around a group meeting: who is expected, with room to sign in and out,
    and blank lines for walk-ins."""

    letterhead: Letterhead
    track_name: str
    meeting_date: date
    start: time
    end: time
    title: str
    printed_at: datetime
    topic: str = ""
    facilitator: str = ""
    lines: tuple[SignInLine, ...] = ()
    printed_by: str = ""
    part2_notice: str = ""


@dataclass(frozen=True)
class HoursRow:
    """One participant's week against the track's minimum (minutes throughout)."""

    participant_name: str
    chart_number: str
    track_name: str
    minimum_minutes: int             # the track's, lowered by closures
    group_minutes: int               # credited minutes of group meetings
    session_minutes: int             # individual, family and intake sessions
    total_minutes: int
    status: str                      # "met", "on track", "at risk", "not met"
    excused: int = 0                 # excused absences
    unexcused: int = 0               # unexcused absences
    flags: tuple[str, ...] = ()      # "no check-out"…, for review


@dataclass(frozen=True)
class HoursReport:
    """The week's attendance and hours of every participant of one track or of all tracks."""

    letterhead: Letterhead
    week_first: date
    week_last: date
    printed_at: datetime
    track_name: str = ALL_TRACKS
    rows: tuple[HoursRow, ...] = ()
    printed_by: str = ""
    part2_notice: str = ""


@dataclass(frozen=True)
class HistoryCorrection:
    """A recorded change of an attendance after the fact: what changed, who, when, why."""

    changed_at: datetime
    changed_by: str
    change: str                      # "time in 9:20 AM → 9:05 AM"
    reason: str


@dataclass(frozen=True)
class HistoryMeeting:
    """One meeting of the participant's week and what they were credited for it."""

    day: date
    title: str
    start: time
    end: time
    status: str                      # "present", "late", "absent (excused)", "cancelled"…
    credited_minutes: int = 0
    time_in: time | None = None
    time_out: time | None = None
    flags: tuple[str, ...] = ()      # "no check-out", "walk-in"…
    corrections: tuple[HistoryCorrection, ...] = ()


@dataclass(frozen=True)
class HistoryWeek:
    """A week of the participant's attendance against its minimum."""

    first_day: date
    minimum_minutes: int
    total_minutes: int               # groups and sessions
    status: str                      # "met", "on track", "at risk", "not met"
    meetings: tuple[HistoryMeeting, ...] = ()
    session_minutes: int = 0         # of the total: individual, family and intake sessions
    track_name: str = ""


@dataclass(frozen=True)
class AttendanceHistory:
    """A participant's attendance, week by week (the frame names them on every page)."""

    frame: DocumentFrame
    weeks: tuple[HistoryWeek, ...] = ()
