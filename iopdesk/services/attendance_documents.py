"""The read models of the attendance documents (domain.attendance_documents): a meeting's
sign-in sheet, the week's attendance and hours report, and one participant's attendance
history. No permission check and no audit here: DocumentService checks, renders and records.

The credits, minimums and statuses are those of the attendance service's own reads
(attendance_day, attendance_hours), so a document never says other than the screens. Attendance
at a substance-use or co-occurring track is itself 42 CFR Part 2 information: a document that
lists any carries the practice's § 2.32 notice, as the intake assessment does.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from iopdesk.db.models import AttendanceChange, Episode, GroupMeeting, Participant, ProgramTrack
from iopdesk.db.models import StaffUser
from iopdesk.domain.attendance_documents import (ALL_TRACKS, AttendanceHistory,
                                                 HistoryCorrection, HistoryMeeting, HistoryWeek,
                                                 HoursReport, HoursRow, SignInLine, SignInSheet,
                                                 sign_in_name)
from iopdesk.domain.attendance_views import AttendanceView, WeekHours, WeekMeeting
from iopdesk.domain.documents import DocumentFrame, part2_notice
from iopdesk.domain.enums import AttendanceStatus
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.names import search_key
from iopdesk.domain.time import practice_time
from iopdesk.services.attendance_day import load_day
from iopdesk.services.attendance_hours import everyone_in_week, participant_weeks
from iopdesk.services.attendance_rows import Clock
from iopdesk.services.context import get_or_404
from iopdesk.services.document_heads import PART2_FOCUS, header, letterhead
from iopdesk.services.stored_settings import load_settings

HISTORY_WEEKS = 26           # the weeks an attendance history prints: about six months
_SHOWN = {AttendanceStatus.LATE: "late", AttendanceStatus.LEFT_EARLY: "left early",
          AttendanceStatus.ABSENT: "absent", AttendanceStatus.EXCUSED: "absent (excused)"}


def _notice(session: Session, focuses) -> str:
    return (part2_notice(load_settings(session).part2_notice)
            if any(f in PART2_FOCUS for f in focuses) else "")


def _local(clock: Clock, moment: datetime | None) -> time | None:
    return None if moment is None else practice_time(moment, clock.zone).time()


def status_text(view: AttendanceView | None) -> str:
    """How a document words a recorded attendance: "late", "absent (excused)", "walk-in"…;
    "" for one present (the times say it) or not recorded yet."""
    if view is None:
        return ""
    words = [_SHOWN[view.status]] if view.status in _SHOWN else []
    if view.no_checkout:
        words.append("no check-out")
    if view.walk_in:
        words.append("walk-in")
    return ", ".join(words)


def week_status_text(status) -> str:
    """"on_track" as the documents print it: "on track"."""
    return str(status).replace("_", " ")


# ---- the sign-in sheet ----------------------------------------------------------------------

def load_sign_in_sheet(session: Session, clock: Clock, meeting_id: int, *,
                       printed_at: datetime, printed_by: str = "") -> SignInSheet:
    """The meeting's sheet: everyone expected (an episode of its track open that day) and the
    walk-ins checked into it, names in the practice's `sign_in_names` style (with the
    preferred first name when there is one) and in that name's order, with the times already
    recorded. A cancelled meeting has no sheet."""
    meeting = get_or_404(session, GroupMeeting, meeting_id, "Meeting")
    track = session.get(ProgramTrack, meeting.track_id)
    if meeting.cancelled:
        raise ValidationError({"meeting_id": (
            f"The {meeting.title} meeting of {meeting.meeting_date.isoformat()} is cancelled: "
            "there is no one to sign in")})
    day = load_day(session, clock, meeting.meeting_date, meeting.track_id)
    rows = [r for r in day.rows if r.track_id == meeting.track_id or r.at(meeting.id)]
    names = {pid: (first, last, preferred) for pid, first, last, preferred in session.execute(
        select(Participant.id, Participant.first_name, Participant.last_name,
               Participant.preferred_name)
        .where(Participant.id.in_([r.participant_id for r in rows])))} if rows else {}
    style = load_settings(session).sign_in_names
    lines = []
    for row in rows:
        first, last, preferred = names[row.participant_id]
        view = row.at(meeting.id)
        lines.append(SignInLine(
            name=sign_in_name(preferred or first, last, style), chart_number=row.chart_number,
            time_in=_local(clock, view.time_in) if view else None,
            time_out=_local(clock, view.time_out) if view else None,
            status=status_text(view)))
    lines.sort(key=lambda line: (search_key(line.name), line.chart_number))
    facilitator = (session.scalar(select(StaffUser.display_name)
                                  .where(StaffUser.id == meeting.facilitator_id))
                   if meeting.facilitator_id is not None else "")
    return SignInSheet(
        letterhead=letterhead(session), track_name=track.name, meeting_date=meeting.meeting_date,
        start=meeting.start_time, end=meeting.end_time, title=meeting.title,
        printed_at=printed_at, topic=meeting.topic or "", facilitator=facilitator or "",
        lines=tuple(lines), printed_by=printed_by, part2_notice=_notice(session, [track.focus]))


# ---- the week's hours -----------------------------------------------------------------------

def week_hours(session: Session, clock: Clock, week_of: date,
               track_id: int | None) -> tuple[date, list[WeekHours]]:
    """(the week's first day, the WeekHours of every episode open in it), as
    AttendanceService.hours reads them, ordered by track then name."""
    first, found = everyone_in_week(session, clock, week_of, track_id)
    found.sort(key=lambda w: (w.track_name.casefold(), search_key(w.name), w.participant_id))
    return first, found


def _flags(week: WeekHours) -> tuple[str, ...]:
    return tuple(f"no check-out {m.day.isoformat()}" for m in week.meetings
                 if m.attendance is not None and m.attendance.no_checkout)


def load_hours_report(session: Session, clock: Clock, week_of: date, track_id: int | None, *,
                      printed_at: datetime, printed_by: str = "") -> HoursReport:
    """The week holding `week_of`: a row per participant with an episode open in it (of
    `track_id` only, when given: NotFound for a track that does not exist)."""
    track = get_or_404(session, ProgramTrack, track_id, "Track") if track_id is not None \
        else None
    first, weeks = week_hours(session, clock, week_of, track_id)
    focuses = ([track.focus] if track is not None else session.scalars(
        select(ProgramTrack.focus).where(ProgramTrack.id.in_({w.track_id for w in weeks}))))
    return HoursReport(
        letterhead=letterhead(session), week_first=first, week_last=first + timedelta(days=6),
        printed_at=printed_at, track_name=track.name if track is not None else ALL_TRACKS,
        rows=tuple(HoursRow(
            participant_name=w.name, chart_number=w.chart_number, track_name=w.track_name,
            minimum_minutes=w.minimum_minutes, group_minutes=w.credited_minutes,
            session_minutes=w.session_minutes, total_minutes=w.total_minutes,
            status=week_status_text(w.status), excused=w.excused, unexcused=w.unexcused,
            flags=_flags(w)) for w in weeks),
        printed_by=printed_by, part2_notice=_notice(session, list(focuses)))


# ---- a participant's attendance history -----------------------------------------------------

def _meeting_status(clock: Clock, m: WeekMeeting) -> str:
    if m.cancelled:
        return "cancelled"
    if m.closed:
        return "closed"
    if m.attendance is None or m.attendance.status == AttendanceStatus.EXPECTED:
        return "absent" if m.end <= clock.now else "scheduled"
    return _SHOWN.get(m.attendance.status, "present")


def _corrections(session: Session, clock: Clock,
                 attendance_ids: list[int]) -> dict[int, list[HistoryCorrection]]:
    """The corrections of those attendances, oldest first: each changed time, who, why."""
    found: dict[int, list[HistoryCorrection]] = {}
    if not attendance_ids:
        return found

    def shown(moment: datetime | None) -> str:
        return clock.clock_time(moment) if moment is not None else "none"

    for change, who in session.execute(
            select(AttendanceChange, StaffUser.display_name)
            .join(StaffUser, StaffUser.id == AttendanceChange.changed_by_id)
            .where(AttendanceChange.attendance_id.in_(attendance_ids),
                   AttendanceChange.action == "corrected")
            .order_by(AttendanceChange.id)):
        parts = [f"{what} {shown(before)} → {shown(after)}" for what, before, after in (
            ("time in", change.in_before, change.in_after),
            ("time out", change.out_before, change.out_after)) if before != after]
        found.setdefault(change.attendance_id, []).append(HistoryCorrection(
            changed_at=practice_time(change.changed_at, clock.zone), changed_by=who,
            change="; ".join(parts) or "status confirmed", reason=change.reason))
    return found


def load_attendance_history(session: Session, clock: Clock, participant_id: int, *,
                            printed_at: datetime, printed_by: str = "",
                            count: int = HISTORY_WEEKS) -> AttendanceHistory:
    """The participant's last `count` weeks in the program (each episode's, up to today),
    oldest first: each meeting with its times, credit, status and corrections."""
    person = get_or_404(session, Participant, participant_id, "Participant")
    weeks = sorted(participant_weeks(session, clock, participant_id, count),
                   key=lambda w: (w.week_first, w.episode_id))
    changes = _corrections(session, clock, [m.attendance.id for w in weeks for m in w.meetings
                                            if m.attendance is not None])
    shown = tuple(HistoryWeek(
        first_day=w.week_first, minimum_minutes=w.minimum_minutes,
        total_minutes=w.total_minutes, status=week_status_text(w.status),
        session_minutes=w.session_minutes, track_name=w.track_name,
        meetings=tuple(HistoryMeeting(
            day=m.day, title=m.title, start=_local(clock, m.start), end=_local(clock, m.end),
            status=_meeting_status(clock, m),
            credited_minutes=m.attendance.minutes if m.attendance else 0,
            time_in=_local(clock, m.attendance.time_in) if m.attendance else None,
            time_out=_local(clock, m.attendance.time_out) if m.attendance else None,
            flags=tuple(f for f, on in (("no check-out", m.attendance.no_checkout),
                                        ("walk-in", m.attendance.walk_in)) if on)
            if m.attendance else (),
            corrections=tuple(changes.get(m.attendance.id, ()) if m.attendance else ()))
            for m in w.meetings)) for w in weeks)
    focuses = set(session.scalars(
        select(ProgramTrack.focus).join(Episode, Episode.track_id == ProgramTrack.id)
        .where(Episode.participant_id == participant_id)))
    frame = DocumentFrame(letterhead=letterhead(session), header=header(person),
                          title="Attendance History", printed_at=printed_at,
                          printed_by=printed_by, part2_notice=_notice(session, focuses))
    return AttendanceHistory(frame=frame, weeks=shown)
