"""The front desk's day: who is expected at today's meetings, check-in and check-out, absences,
undo and corrections of a mistaken step, and the weekly hours against each track's minimum
(issue 13).

Attendance is health information (42 CFR Part 2: being in the program at all is protected):
every read and every step is audited in the same transaction, naming the participant where
one is concerned. Each step also writes an `attendance_changes` row (before and after, who,
when, why), so a mistaken check-in undone or a time corrected stays on record: no attendance
row is ever deleted. Reads and weekly hours are in attendance_day and attendance_hours; the
steps in attendance_steps."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import select

from iopdesk.db.models import (
    Attendance,
    AttendanceChange,
    Episode,
    Participant,
    StaffUser,
)
from iopdesk.domain.attendance import WeekStatus, week_start_of
from iopdesk.domain.attendance_views import (
    AttendanceChangeView,
    AttendanceView,
    DayView,
    FoundParticipant,
    WeekHours,
)
from iopdesk.domain.enums import EpisodeStatus
from iopdesk.domain.names import search_key
from iopdesk.domain.time import as_utc
from iopdesk.services import attendance_steps as steps
from iopdesk.services.attendance_day import find_in, load_day
from iopdesk.services.attendance_hours import (
    EPISODE_ROWS,
    everyone_in_week,
    load_weeks,
    participant_weeks,
)
from iopdesk.services.attendance_rows import read_clock
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.permissions import Permission, requires
from iopdesk.services.schedule_meetings import ensure_meetings
from iopdesk.services.stored_settings import load_settings

FIND_MAX = 50
WEEKS_MAX = 104


class AttendanceService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    # ---- the day --------------------------------------------------------------------------

    @requires(Permission.VIEW_DEMOGRAPHICS, "attendance.day")
    def day(self, actor: Actor, day: date | None = None,
            track_id: int | None = None) -> DayView:
        """The day's meetings (cancelled ones shown as such) with their counts, and everyone
        expected (an episode of the meeting's track open that day) or checked in as a
        walk-in, with their status and times at each meeting. The meetings of the weeks
        ahead (setting) are made first where the schedule has none yet, so the desk never
        finds an empty day because nobody opened the schedule lately."""
        with self._ctx.unit_of_work() as session:
            settings = load_settings(session)
            clock = read_clock(session, self._ctx, settings)
            day = day or clock.today
            ahead = clock.today + timedelta(weeks=settings.meetings_ahead_weeks)
            ensure_meetings(session, self._ctx, actor, max(day, ahead))
            view = load_day(session, clock, day, track_id)
            self._ctx.audit(session, actor, "attendance.day", entity="group_meetings",
                            detail={"day": day.isoformat(), "track_id": track_id,
                                    "participants": len(view.rows)})
            return view

    @requires(Permission.VIEW_DEMOGRAPHICS, "attendance.find")
    def find(self, actor: Actor, text: str, day: date | None = None,
             limit: int = 20) -> tuple[FoundParticipant, ...]:
        """The check-in search: two or three letters of any name (accents and case folded)
        or the start of a chart number. The day's expected participants come first, then
        the others (marked not expected), in name order."""
        limit = max(1, min(int(limit), FIND_MAX))
        with self._ctx.unit_of_work() as session:
            clock = read_clock(session, self._ctx)
            day = day or clock.today
            found = find_in(session, load_day(session, clock, day, None), text or "", limit)
            self._ctx.audit(session, actor, "attendance.find", entity="participants",
                            detail={"day": day.isoformat(), "found": len(found)})
            return found

    @requires(Permission.VIEW_DEMOGRAPHICS, "attendance.history")
    def history(self, actor: Actor, attendance_id: int) -> tuple[AttendanceChangeView, ...]:
        """The recorded steps of one attendance, oldest first, with who made each."""
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, Attendance, attendance_id, "Attendance")
            participant_id = session.scalar(select(Episode.participant_id)
                                            .where(Episode.id == row.episode_id))
            steps = tuple(
                AttendanceChangeView(
                    id=c.id, action=c.action, status_before=c.status_before,
                    status_after=c.status_after, in_before=_aware(c.in_before),
                    in_after=_aware(c.in_after), out_before=_aware(c.out_before),
                    out_after=_aware(c.out_after), reason=c.reason, changed_by=name,
                    changed_at=as_utc(c.changed_at))
                for c, name in session.execute(
                    select(AttendanceChange, StaffUser.display_name)
                    .join(StaffUser, StaffUser.id == AttendanceChange.changed_by_id)
                    .where(AttendanceChange.attendance_id == attendance_id)
                    .order_by(AttendanceChange.id)))
            self._ctx.audit(session, actor, "attendance.history", participant_id=participant_id,
                            entity="attendance", entity_id=attendance_id)
            return steps

    # ---- the steps ------------------------------------------------------------------------

    @requires(Permission.RECORD_ATTENDANCE, "attendance.check_in")
    def check_in(self, actor: Actor, participant_id: int, meeting_id: int | None = None,
                 at: datetime | None = None) -> AttendanceView:
        """Check the participant in (at `at`, by default now) to `meeting_id`, or to the
        meeting of their track running now or next today. Into another track's meeting it
        is a walk-in (allowed; the view says so, for the screen's warning). Refused at the
        field: a cancelled meeting, one not today (earlier days: correctors only), a second
        check-in, no episode open that day (discharged or not yet admitted), a time not on
        the meeting's day."""
        return steps.check_in(self._ctx, actor, participant_id, meeting_id, at)

    @requires(Permission.RECORD_ATTENDANCE, "attendance.check_out")
    def check_out(self, actor: Actor, attendance_id: int, version: int,
                  at: datetime | None = None) -> AttendanceView:
        """Check out (at `at`, by default now). Refused: not checked in, checked out
        already, a time before the check-in or not on the meeting's day; StaleVersion over a
        newer save."""
        return steps.check_out(self._ctx, actor, attendance_id, version, at)

    @requires(Permission.RECORD_ATTENDANCE, "attendance.check_out_all")
    def check_out_all(self, actor: Actor, meeting_id: int,
                      at: datetime | None = None) -> tuple[AttendanceView, ...]:
        """Check out everyone still here in the meeting, in one transaction (all or none)."""
        return steps.check_out_all(self._ctx, actor, meeting_id, at)

    @requires(Permission.RECORD_ATTENDANCE, "attendance.mark_absent")
    def mark_absent(self, actor: Actor, participant_id: int, meeting_id: int, excused: bool,
                    reason: str) -> AttendanceView:
        """Mark the participant absent (or excused) from a meeting of their track, with why
        (required). Refused once they are checked in."""
        return steps.mark_absent(self._ctx, actor, participant_id, meeting_id, excused, reason)

    @requires(Permission.RECORD_ATTENDANCE, "attendance.undo_check_in")
    def undo_check_in(self, actor: Actor, attendance_id: int, version: int) -> AttendanceView:
        """Undo a mistaken check-in, on the meeting's day: the row is kept (expected again)
        and the step recorded in its history."""
        return steps.undo(self._ctx, actor, attendance_id, version, "in")

    @requires(Permission.RECORD_ATTENDANCE, "attendance.undo_check_out")
    def undo_check_out(self, actor: Actor, attendance_id: int, version: int) -> AttendanceView:
        """Undo a mistaken check-out, on the meeting's day: here again, recorded."""
        return steps.undo(self._ctx, actor, attendance_id, version, "out")

    @requires(Permission.RECORD_ATTENDANCE, "attendance.correct")
    def correct(self, actor: Actor, attendance_id: int, version: int,
                time_in: datetime | None, time_out: datetime | None,
                reason: str) -> AttendanceView:
        """Correct the times, with why (required). The front desk on the meeting's day
        only; after it, those who hold CORRECT_ATTENDANCE (a refusal is audited and raised as
        PermissionDenied). Times on the meeting's day, out after in, not overlapping another
        attendance of the episode that day; StaleVersion over a newer save."""
        return steps.correct(self._ctx, actor, attendance_id, version, time_in, time_out,
                             reason)

    # ---- weekly hours ---------------------------------------------------------------------

    @requires(Permission.VIEW_DEMOGRAPHICS, "attendance.weeks")
    def weeks(self, actor: Actor, participant_id: int, count: int = 12) -> tuple[WeekHours, ...]:
        """The participant's weeks in the program (each episode's, newest first, `count` at
        most): meetings with times and credits, session minutes, the week's minimum, status."""
        count = max(1, min(int(count), WEEKS_MAX))
        with self._ctx.unit_of_work() as session:
            get_or_404(session, Participant, participant_id, "Participant")
            clock = read_clock(session, self._ctx)
            found = participant_weeks(session, clock, participant_id, count)
            self._ctx.audit(session, actor, "attendance.weeks", participant_id=participant_id,
                            entity="attendance", detail={"weeks": len(found)})
        return tuple(sorted(found, key=lambda w: (w.week_first, w.episode_id), reverse=True))

    @requires(Permission.VIEW_DEMOGRAPHICS, "attendance.hours")
    def hours(self, actor: Actor, week_of: date,
              track_id: int | None = None) -> tuple[WeekHours, ...]:
        """The week holding `week_of` for every participant with an episode open in it
        (of `track_id` only, when given), in name order."""
        with self._ctx.unit_of_work() as session:
            clock = read_clock(session, self._ctx)
            first, found = everyone_in_week(session, clock, week_of, track_id)
            self._ctx.audit(session, actor, "attendance.hours", entity="attendance",
                            detail={"week": first.isoformat(), "track_id": track_id,
                                    "participants": len(found)})
        return tuple(sorted(found, key=lambda w: (search_key(w.name), w.participant_id)))

    @requires(Permission.VIEW_DEMOGRAPHICS, "attendance.at_risk")
    def at_risk(self, actor: Actor, clinician_id: int,
                today: date | None = None) -> tuple[WeekHours, ...]:
        """The clinician's participants (primary clinician of the active episode) whose week
        is at risk now, or whose last week ended below its minimum: this week's first."""
        with self._ctx.unit_of_work() as session:
            clock = read_clock(session, self._ctx)
            if today is not None:
                clock = replace(clock, today=today)
            this_week = week_start_of(clock.today, clock.week_start)
            last_week = this_week - timedelta(days=7)
            episodes = session.execute(EPISODE_ROWS.where(
                Episode.status == EpisodeStatus.ACTIVE,
                Episode.primary_clinician_id == clinician_id,
                Episode.admission_date <= clock.today)).all()
            wanted = {row[0].id: [w for w in (this_week, last_week)
                                  if row[0].admission_date <= w + timedelta(days=6)]
                      for row in episodes}
            found = [w for w in load_weeks(session, clock, episodes, wanted)
                     if (w.week_first == this_week and w.status == WeekStatus.AT_RISK)
                     or (w.week_first == last_week and w.status == WeekStatus.NOT_MET)]
            self._ctx.audit(session, actor, "attendance.at_risk", entity="attendance",
                            detail={"clinician_id": clinician_id,
                                    "participants": sorted({w.participant_id for w in found})})
        return tuple(sorted(found, key=lambda w: (-w.week_first.toordinal(),
                                                  search_key(w.name))))


def _aware(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None

