"""The program schedule: each track's weekly group blocks, closures and holidays, and the group
meetings made from them ahead of time (issue 13).

Administrators edit it (MANAGE_PRACTICE); everyone reads it. A schedule is no one's health
information, so reads are not audited; every change is, in its own transaction.

How the meetings follow the blocks:
- A block's meetings are made ahead (`ensure_meetings`, in services.schedule_meetings:
  through today + the practice's `meetings_ahead_weeks`), one per date, so making them
  again makes nothing twice. On a closed day a meeting is made cancelled.
- Editing a block changes its meetings still to come (today on) that have no attendance
  recorded: times, title, and the facilitator where it was still the block's default. Those
  that no longer fall on the block (another weekday, outside its dates) are taken away and
  made anew. Meetings held, or with attendance, keep what they were.
- Ending a block cancels its attendance-free meetings after the last date ("Schedule ended").
- A closure cancels its day's meetings ("Closed: <reason>"); removing it reinstates those
  still cancelled for it (or names another closure of the day that still holds).
- A meeting moved to another date leaves its block (it keeps its own times from then on); a
  cancelled "Moved to …" meeting stays on the old date so the block does not make it again.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from iopdesk.db.models import (Attendance, Closure, GroupMeeting, GroupSchedule, Practice,
                               ProgramTrack)
from iopdesk.domain.enums import AttendanceStatus
from iopdesk.domain.errors import Conflict, ValidationError
from iopdesk.domain.schedule import (SCHEDULE_ENDED, BlockInput, BlockView, ClosureInput,
                                     ClosureView, DayView, MeetingChange, MeetingMove, MeetingView,
                                     WeekView, check_block, check_block_end, check_closure,
                                     check_meeting_change, check_move, check_reason, closed_reason,
                                     week_of)
from iopdesk.services.changes import apply_changes, saving
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.permissions import Permission, requires
from iopdesk.services.schedule_meetings import (attendance_recorded, closed_days, closure_on,
                                               day_meetings, ensure_meetings, held,
                                               meetings_ahead, moved_away)
from iopdesk.services.schedule_rows import (block_view, check_facilitator, check_track,
                                           closure_view, closures_between, meeting_view,
                                           meeting_what, refuse_if_attended, staff_names)

_ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY)
_BLOCK_FIELDS = ("weekday", "start_time", "end_time", "title", "facilitator_id",
                 "effective_from", "effective_to")


class ScheduleService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    # ---- blocks ------------------------------------------------------------------------------

    @requires(Permission.VIEW_DEMOGRAPHICS, "schedule.blocks")
    def blocks(self, actor: Actor, track_id: int) -> tuple[BlockView, ...]:
        """The track's weekly blocks, ended ones too, by weekday and start."""
        with self._ctx.unit_of_work() as session:
            get_or_404(session, ProgramTrack, track_id, "Track")
            rows = session.scalars(select(GroupSchedule).where(GroupSchedule.track_id == track_id)
                                   .order_by(GroupSchedule.weekday, GroupSchedule.start_time,
                                             GroupSchedule.id)).all()
            names = staff_names(session, {r.facilitator_id for r in rows})
            return tuple(block_view(row, names) for row in rows)

    @requires(Permission.MANAGE_PRACTICE, "schedule.add_block")
    def add_block(self, actor: Actor, track_id: int, data: BlockInput) -> BlockView:
        """A new weekly block; its meetings are made ahead at once."""
        data = check_block(data)
        today = self._ctx.today()
        with self._ctx.unit_of_work() as session:
            check_track(session, track_id)
            check_facilitator(session, data.facilitator_id)
            row = GroupSchedule(track_id=track_id,
                                **{name: getattr(data, name) for name in _BLOCK_FIELDS})
            session.add(row)
            session.flush()
            self._ctx.audit(session, actor, "schedule.add_block", entity="group_schedules",
                            entity_id=row.id, detail={"track_id": track_id})
            ensure_meetings(session, self._ctx, actor, meetings_ahead(session, today))
            return block_view(row, staff_names(session, {row.facilitator_id}))

    @requires(Permission.MANAGE_PRACTICE, "schedule.update_block")
    def update_block(self, actor: Actor, block_id: int, expected_version: int,
                     data: BlockInput) -> BlockView:
        """Save an edit of a block; its meetings to come without attendance follow it."""
        data = check_block(data)
        today = self._ctx.today()
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, GroupSchedule, block_id, "Schedule block")
            check_facilitator(session, data.facilitator_id, row.facilitator_id)
            with saving(session, row, f"The block {row.title}", expected=expected_version):
                before = {name: getattr(row, name) for name in _BLOCK_FIELDS}
                changed = apply_changes(row, {name: getattr(data, name)
                                              for name in _BLOCK_FIELDS})
                refitted = self._refit(session, row, before, today)
                self._ctx.audit(session, actor, "schedule.update_block",
                                entity="group_schedules", entity_id=row.id,
                                detail={"fields": changed, "meetings": refitted})
            ensure_meetings(session, self._ctx, actor, meetings_ahead(session, today))
            return block_view(row, staff_names(session, {row.facilitator_id}))

    def _refit(self, session: Session, row: GroupSchedule, before: dict, today: date) -> int:
        """Bring the block's meetings to come (no attendance, no session) in line with it:
        those no longer on its days are taken away (made anew by ensure_meetings), the others
        take its times, title and (where it was the default) facilitator; those its end had
        cancelled are reinstated when it goes on again. How many changed."""
        meetings = session.scalars(
            select(GroupMeeting).where(GroupMeeting.schedule_id == row.id,
                                       GroupMeeting.meeting_date >= today,
                                       ~held(GroupMeeting.id))).all()
        gone = [m.id for m in meetings
                if m.meeting_date.weekday() != row.weekday
                or m.meeting_date < row.effective_from
                or (row.effective_to is not None and m.meeting_date > row.effective_to)]
        if gone:
            session.execute(delete(GroupMeeting).where(GroupMeeting.id.in_(gone)))
        count = len(gone)
        for meeting in meetings:
            if meeting.id in gone:
                continue
            values = {"start_time": row.start_time, "end_time": row.end_time}
            if meeting.title == before["title"]:
                values["title"] = row.title
            if meeting.facilitator_id == before["facilitator_id"]:
                values["facilitator_id"] = row.facilitator_id
            if meeting.cancelled and meeting.cancel_reason == SCHEDULE_ENDED:
                values.update(cancelled=False, cancel_reason="")    # its block goes on again
            count += bool(apply_changes(meeting, values))
        return count

    @requires(Permission.MANAGE_PRACTICE, "schedule.end_block")
    def end_block(self, actor: Actor, block_id: int, expected_version: int,
                  last: date) -> BlockView:
        """The block meets for the last time on `last`; its later meetings without
        attendance are cancelled ("Schedule ended"), those with attendance kept."""
        today = self._ctx.today()
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, GroupSchedule, block_id, "Schedule block")
            last = check_block_end(last, row.effective_from)
            with saving(session, row, f"The block {row.title}", expected=expected_version):
                row.effective_to = last
                later = session.scalars(
                    select(GroupMeeting).where(GroupMeeting.schedule_id == row.id,
                                               GroupMeeting.meeting_date > last,
                                               GroupMeeting.meeting_date >= today,
                                               GroupMeeting.cancelled.is_(False),
                                               ~held(GroupMeeting.id))).all()
                for meeting in later:
                    meeting.cancelled, meeting.cancel_reason = True, SCHEDULE_ENDED
                self._ctx.audit(session, actor, "schedule.end_block", entity="group_schedules",
                                entity_id=row.id,
                                detail={"fields": ["effective_to"], "last": last.isoformat(),
                                        "cancelled": len(later)})
            return block_view(row, staff_names(session, {row.facilitator_id}))

    # ---- closures ----------------------------------------------------------------------------

    @requires(Permission.VIEW_DEMOGRAPHICS, "schedule.closures")
    def closures(self, actor: Actor, first: date, last: date) -> tuple[ClosureView, ...]:
        """Every closure from `first` through `last`, of the practice and of each track."""
        with self._ctx.unit_of_work() as session:
            return tuple(closures_between(session, first, last))

    @requires(Permission.MANAGE_PRACTICE, "schedule.add_closure")
    def add_closure(self, actor: Actor, data: ClosureInput) -> ClosureView:
        """Close a day (the practice, or one track): its meetings are cancelled, the reason
        shown. Refused on a day with attendance recorded, and twice for the same day."""
        data = check_closure(data)
        with self._ctx.unit_of_work() as session:
            track = None if data.track_id is None else check_track(session, data.track_id)
            day = data.closure_date
            twin = session.scalar(select(Closure.reason).where(
                Closure.closure_date == day,
                Closure.track_id.is_(None) if track is None else Closure.track_id == track.id))
            if twin is not None:
                raise ValidationError({"closure_date": (
                    f"{track.name if track else 'The practice'} is already closed on "
                    f"{day.isoformat()} ({twin})")})
            refuse_if_attended(session, day, data.track_id)
            practice_id = track.practice_id if track else session.scalar(
                select(Practice.id).order_by(Practice.id).limit(1))
            row = Closure(practice_id=practice_id, track_id=data.track_id, closure_date=day,
                          reason=data.reason)
            session.add(row)
            cancelled = 0
            for meeting in day_meetings(session, day, data.track_id):
                if not meeting.cancelled:
                    meeting.cancelled, meeting.cancel_reason = True, closed_reason(data.reason)
                    cancelled += 1
            session.flush()
            self._ctx.audit(session, actor, "schedule.add_closure", entity="closures",
                            entity_id=row.id,
                            detail={"date": day.isoformat(), "track_id": data.track_id,
                                    "reason": data.reason, "cancelled": cancelled})
            return closure_view(row, track.name if track else None)

    @requires(Permission.MANAGE_PRACTICE, "schedule.remove_closure")
    def remove_closure(self, actor: Actor, closure_id: int, expected_version: int) -> int:
        """Open a closed day again: the meetings cancelled for this closure are reinstated
        (or keep being cancelled for another closure of the day). How many were reinstated."""
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, Closure, closure_id, "Closure")
            day, track_id, reason = row.closure_date, row.track_id, row.reason
            with saving(session, row, f"The closure of {day.isoformat()}",
                        expected=expected_version):
                session.delete(row)
                session.flush()
                others = closed_days(session, day, day)
                reinstated = 0
                for meeting in day_meetings(session, day, track_id):
                    if not meeting.cancelled or meeting.cancel_reason != closed_reason(reason):
                        continue
                    still = closure_on(others, day, meeting.track_id)
                    if still is None:
                        meeting.cancelled, meeting.cancel_reason = False, ""
                        reinstated += 1
                    else:
                        meeting.cancel_reason = closed_reason(still)
                self._ctx.audit(session, actor, "schedule.remove_closure", entity="closures",
                                entity_id=closure_id,
                                detail={"date": day.isoformat(), "track_id": track_id,
                                        "reason": reason, "reinstated": reinstated})
            return reinstated

    # ---- meetings ----------------------------------------------------------------------------

    @requires(Permission.MANAGE_PRACTICE, "schedule.generate")
    def generate(self, actor: Actor, through: date | None = None) -> int:
        """Make the missing meetings through `through` (default: today + the practice's
        meetings_ahead_weeks); how many were made."""
        with self._ctx.unit_of_work() as session:
            return ensure_meetings(session, self._ctx, actor,
                                   through or meetings_ahead(session, self._ctx.today()))

    @requires(Permission.MANAGE_PRACTICE, "meeting.move")
    def move_meeting(self, actor: Actor, meeting_id: int, expected_version: int,
                     new_date: date | None, start: time | None, end: time | None) -> MeetingView:
        """Move one meeting to another date or window. Refused onto a closed day, over another
        meeting of the track, and for a meeting with attendance recorded."""
        move = check_move(MeetingMove(new_date, start, end))
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, GroupMeeting, meeting_id, "Meeting")
            what = meeting_what(row)
            with saving(session, row, what, expected=expected_version):
                if session.scalar(select(attendance_recorded(row.id))):
                    raise Conflict(f"{what} has attendance recorded: it cannot be moved")
                self._check_landing(session, row, move)
                old_date = row.meeting_date
                if move.meeting_date != old_date and row.schedule_id is not None:
                    # the block would make its meeting of that date again: a cancelled one
                    # stands there, saying where it went
                    session.add(moved_away(row, move.meeting_date))
                    row.schedule_id = None
                changed = apply_changes(row, {"meeting_date": move.meeting_date,
                                              "start_time": move.start_time,
                                              "end_time": move.end_time})
                self._ctx.audit(session, actor, "meeting.move", entity="group_meetings",
                                entity_id=row.id,
                                detail={"fields": changed, "from": old_date.isoformat(),
                                        "to": move.meeting_date.isoformat()})
            return meeting_view(row, staff_names(session, {row.facilitator_id}))

    def _check_landing(self, session: Session, row: GroupMeeting, move: MeetingMove) -> None:
        day = move.meeting_date
        closed = closure_on(closed_days(session, day, day), day, row.track_id)
        if closed is not None:
            raise ValidationError({"meeting_date": (
                f"{day.isoformat()} is closed ({closed}): choose another day")})
        other = session.scalar(
            select(GroupMeeting).where(GroupMeeting.track_id == row.track_id,
                                       GroupMeeting.meeting_date == day,
                                       GroupMeeting.id != row.id,
                                       GroupMeeting.cancelled.is_(False),
                                       GroupMeeting.start_time < move.end_time,
                                       GroupMeeting.end_time > move.start_time).limit(1))
        if other is not None:
            raise ValidationError({"start_time": (
                f"It would overlap {other.title} ({other.start_time:%H:%M}-"
                f"{other.end_time:%H:%M}) of the same track that day")})

    @requires(Permission.MANAGE_PRACTICE, "meeting.cancel")
    def cancel_meeting(self, actor: Actor, meeting_id: int, expected_version: int,
                       reason: str) -> MeetingView:
        """Cancel one meeting, with the reason shown; refused once someone is checked in."""
        reason = check_reason(reason)
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, GroupMeeting, meeting_id, "Meeting")
            what = meeting_what(row)
            with saving(session, row, what, expected=expected_version):
                attended = session.scalar(select(func.count(Attendance.id)).where(
                    Attendance.meeting_id == row.id, Attendance.status.in_(_ATTENDED)))
                if attended:
                    raise Conflict(f"{what} cannot be cancelled: {attended} "
                                   f"{'person is' if attended == 1 else 'people are'} "
                                   "checked in")
                row.cancelled, row.cancel_reason = True, reason
                self._ctx.audit(session, actor, "meeting.cancel", entity="group_meetings",
                                entity_id=row.id,
                                detail={"fields": ["cancelled", "cancel_reason"],
                                        "reason": reason})
            return meeting_view(row, staff_names(session, {row.facilitator_id}))

    @requires(Permission.MANAGE_PRACTICE, "meeting.update")
    def update_meeting(self, actor: Actor, meeting_id: int, expected_version: int,
                       facilitator_id: int | None, topic: str) -> MeetingView:
        """Another facilitator or topic for one meeting."""
        data = check_meeting_change(MeetingChange(facilitator_id, topic))
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, GroupMeeting, meeting_id, "Meeting")
            check_facilitator(session, data.facilitator_id, row.facilitator_id)
            with saving(session, row, meeting_what(row), expected=expected_version):
                changed = apply_changes(row, {"facilitator_id": data.facilitator_id,
                                              "topic": data.topic})
                self._ctx.audit(session, actor, "meeting.update", entity="group_meetings",
                                entity_id=row.id, detail={"fields": changed})
            return meeting_view(row, staff_names(session, {row.facilitator_id}))

    # ---- the week ----------------------------------------------------------------------------

    @requires(Permission.VIEW_DEMOGRAPHICS, "schedule.week")
    def week(self, actor: Actor, track_id: int, any_day: date) -> WeekView:
        """The track's week holding `any_day`: each day's meetings (cancelled ones with their
        reason) and closures. No participant is named or counted in it."""
        with self._ctx.unit_of_work() as session:
            track = get_or_404(session, ProgramTrack, track_id, "Track")
            first = week_of(any_day, track.week_start)
            last = first + timedelta(days=6)
            meetings = session.scalars(
                select(GroupMeeting).where(GroupMeeting.track_id == track_id,
                                           GroupMeeting.meeting_date.between(first, last))
                .order_by(GroupMeeting.meeting_date, GroupMeeting.start_time,
                          GroupMeeting.cancelled, GroupMeeting.id)).all()
            names = staff_names(session, {m.facilitator_id for m in meetings})
            views = [meeting_view(m, names) for m in meetings]
            closures = closures_between(session, first, last, track_id)
            days = tuple(DayView(day=first + timedelta(days=n),
                                 meetings=tuple(v for v in views
                                                if v.meeting_date == first + timedelta(days=n)),
                                 closures=tuple(c for c in closures
                                                if c.closure_date == first + timedelta(days=n)))
                         for n in range(7))
            return WeekView(track_id=track_id, track_name=track.name, first=first, days=days)
