"""What the attendance service's reads and steps share: a meeting's window in the practice's
zone, the rules' view of a stored attendance, the episode open on a day, and the history row
every step writes.

The reads (attendance_day, attendance_hours) select the plain columns below, not ORM
entities: a day or a week of everyone is hundreds of rows, and the rules only need these
fields (a Core row and a mapped object answer the same attribute names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from iopdesk.db.models import Attendance, AttendanceChange, Episode, GroupMeeting
from iopdesk.domain.accounts import PracticeSettings
from iopdesk.domain.attendance import AttendancePolicy, credited, status_of
from iopdesk.domain.attendance_views import AttendanceView
from iopdesk.domain.enums import AttendanceStatus, EpisodeStatus
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.time import as_utc, practice_time, zone_info
from iopdesk.services.stored_settings import load_settings

REASON_MAX = 500
# Statuses that hold no time in: nothing to credit.
NOT_ATTENDED = (AttendanceStatus.EXPECTED, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED)
# Episodes that may have been open on a past day (a discharged one, up to its discharge).
COUNTED = (EpisodeStatus.ACTIVE, EpisodeStatus.DISCHARGED)

# What the rules and the views read of a meeting and of an attendance: the columns a read
# selects first, and the plain tuples it keeps them in (a named tuple's fields are read many
# times per row, far cheaper than a result row's attributes).
MEETING_COLUMNS = (GroupMeeting.id, GroupMeeting.schedule_id, GroupMeeting.track_id,
                   GroupMeeting.meeting_date, GroupMeeting.start_time, GroupMeeting.end_time,
                   GroupMeeting.title, GroupMeeting.cancelled, GroupMeeting.cancel_reason)
ATTENDANCE_COLUMNS = (Attendance.id, Attendance.version, Attendance.meeting_id,
                      Attendance.episode_id, Attendance.status, Attendance.check_in_at,
                      Attendance.check_out_at, Attendance.walk_in, Attendance.absence_reason)


class MeetingRow(NamedTuple):
    """A meeting as MEETING_COLUMNS select it."""

    id: int
    schedule_id: int | None
    track_id: int
    meeting_date: date
    start_time: time
    end_time: time
    title: str
    cancelled: bool
    cancel_reason: str


class AttendanceRow(NamedTuple):
    """An attendance as ATTENDANCE_COLUMNS select it."""

    id: int
    version: int
    meeting_id: int
    episode_id: int
    status: AttendanceStatus
    check_in_at: datetime | None
    check_out_at: datetime | None
    walk_in: bool
    absence_reason: str


def meeting_row(row) -> MeetingRow:
    """The meeting of a result row that selects MEETING_COLUMNS first."""
    return MeetingRow(*row[:len(MEETING_COLUMNS)])


def attendance_row(row) -> AttendanceRow:
    """The attendance of a result row that selects ATTENDANCE_COLUMNS first."""
    return AttendanceRow(*row[:len(ATTENDANCE_COLUMNS)])


def open_between(first: date, last: date):
    """SQL: the episode is counted and open at some moment of [first, last].

    Written as two arms (never discharged; discharged on or after `first`) so that each can
    be an index range on (status, discharge_date): the thousands of episodes discharged
    before are then never read."""
    return and_(Episode.admission_date <= last,
                or_(and_(Episode.status.in_(COUNTED), Episode.discharge_date.is_(None)),
                    and_(Episode.status.in_(COUNTED), Episode.discharge_date >= first)))


@dataclass(frozen=True)
class Clock:
    """The moment and the practice's day, zone and attendance policy, read once per call."""

    now: datetime
    today: date
    zone: object
    policy: AttendancePolicy
    week_start: int

    def window(self, meeting: GroupMeeting) -> tuple[datetime, datetime]:
        """The meeting's (start, end) as aware UTC moments."""
        return (self.moment(meeting.meeting_date, meeting.start_time),
                self.moment(meeting.meeting_date, meeting.end_time))

    def moment(self, day: date, at) -> datetime:
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)

    def local_day(self, moment: datetime) -> date:
        return practice_time(moment, self.zone).date()

    def clock_time(self, moment: datetime) -> str:
        return practice_time(moment, self.zone).strftime("%H:%M")

    def day_over(self, day: date) -> bool:
        return self.today > day


def read_clock(session: Session, ctx, settings: PracticeSettings | None = None) -> Clock:
    """The clock of a service call: now, the practice's day and zone, the attendance policy
    (from `settings` when the caller has read them already)."""
    settings = settings or load_settings(session)
    return Clock(now=as_utc(ctx.now()), today=ctx.today(),
                 zone=zone_info(settings.time_zone),
                 policy=AttendancePolicy.from_settings(settings),
                 week_start=settings.week_start)


def attendance_view(row: Attendance, meeting: GroupMeeting, participant_id: int,
                    clock: Clock, window: tuple[datetime, datetime] | None = None
                    ) -> AttendanceView:
    """The row (an Attendance, or an AttendanceRow) as the rules see it now:
    credit and flags computed, not read back stored. `window`: the meeting's, when the
    caller has it already (a list reuses one per meeting)."""
    start, end = window or clock.window(meeting)
    time_in = as_utc(row.check_in_at) if row.check_in_at else None
    time_out = as_utc(row.check_out_at) if row.check_out_at else None
    credit = credited(start, end, time_in, time_out, now=clock.now,
                      day_over=clock.day_over(meeting.meeting_date), policy=clock.policy)
    status = row.status if time_in is None else status_of(credit)
    return AttendanceView(
        id=row.id, version=row.version, meeting_id=row.meeting_id, episode_id=row.episode_id,
        participant_id=participant_id, status=status, time_in=time_in, time_out=time_out,
        minutes=credit.minutes, late=credit.late, left_early=credit.left_early,
        no_checkout=credit.no_checkout, here=credit.here, walk_in=row.walk_in,
        absence_reason=row.absence_reason)


def settle(row: Attendance, meeting: GroupMeeting, clock: Clock) -> None:
    """Keep the stored status and credited minutes in step with the row's times."""
    if row.check_in_at is None:
        row.minutes_credited = 0
        return
    start, end = clock.window(meeting)
    credit = credited(start, end, as_utc(row.check_in_at),
                      as_utc(row.check_out_at) if row.check_out_at else None, now=clock.now,
                      day_over=clock.day_over(meeting.meeting_date), policy=clock.policy)
    row.minutes_credited = credit.minutes
    row.status = status_of(credit)


class Step:
    """The before of an attendance row, to write its history row once it has changed."""

    def __init__(self, row: Attendance | None):
        self.status = str(row.status) if row is not None and row.id is not None else None
        self.time_in = row.check_in_at if row is not None else None
        self.time_out = row.check_out_at if row is not None else None

    def record(self, session: Session, row: Attendance, action: str, user_id: int,
               at: datetime, reason: str = "") -> None:
        session.flush()
        session.add(AttendanceChange(
            attendance_id=row.id, action=action, status_before=self.status,
            status_after=str(row.status), in_before=self.time_in, in_after=row.check_in_at,
            out_before=self.time_out, out_after=row.check_out_at, reason=reason,
            changed_by_id=user_id, changed_at=at))


def check_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Say why ({what} needs a reason)"})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"The reason is over {REASON_MAX} characters"})
    return reason


def check_on_day(field: str, moment: datetime, meeting: GroupMeeting, clock: Clock) -> datetime:
    """`moment` (aware) if it lies on the meeting's day at the practice."""
    if moment.tzinfo is None:
        raise ValidationError({field: "The time has no time zone"})
    moment = as_utc(moment)
    if clock.local_day(moment) != meeting.meeting_date:
        raise ValidationError({field: (
            f"{practice_time(moment, clock.zone):%Y-%m-%d %H:%M} is not on the meeting's day "
            f"({meeting.meeting_date.isoformat()})")})
    return moment


def open_episode(session: Session, participant_id: int, day: date) -> Episode:
    """The participant's episode open on `day`, or a ValidationError saying why there is none:
    discharged before it, admitted after it, or never admitted."""
    episodes = session.scalars(select(Episode).where(
        Episode.participant_id == participant_id, Episode.status.in_(COUNTED))
        .order_by(Episode.admission_date.desc(), Episode.id.desc())).all()
    for episode in episodes:
        if episode.admission_date <= day and (episode.discharge_date is None
                                              or episode.discharge_date >= day):
            return episode
    later = [e for e in episodes if e.admission_date > day]
    if later:
        message = (f"Not yet admitted on {day.isoformat()}: admitted from "
                   f"{later[-1].admission_date.isoformat()}")
    elif episodes and episodes[0].discharge_date is not None:
        message = f"Discharged on {episodes[0].discharge_date.isoformat()}"
    else:
        message = "Not admitted to a track (no episode is open)"
    raise ValidationError({"participant_id": message})



def insert_once(session: Session, row: Attendance, taken: str) -> None:
    """Store a new attendance row; another workstation's row for the same meeting and episode
    stored meanwhile (the unique constraint) refuses this one with `taken`."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise ValidationError({"participant_id": taken}) from None
