"""The meetings of the program schedule as stored: made ahead from the weekly blocks, the
closures of a day, and whether a meeting has been held (for the schedule service, and for the
front desk's day, which makes today's meetings when it opens).

`ensure_meetings` makes what is missing, one meeting per block and date
(UniqueConstraint(schedule_id, meeting_date)), so running it again, or on two workstations at
once, makes nothing twice. On a closed day the meeting is made cancelled ("Closed: <reason>").
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from iopdesk.db.models import (
    Attendance,
    ClinicalSession,
    Closure,
    GroupMeeting,
    GroupSchedule,
    ProgramTrack,
)
from iopdesk.domain.schedule import block_dates, closed_reason
from iopdesk.services.context import Actor, ServiceContext
from iopdesk.services.stored_settings import load_settings

ClosedDays = dict[tuple[date, int | None], str]
# What a meeting is made from: the block's plain columns (no ORM entity, read on every day).
_BLOCK_COLUMNS = (GroupSchedule.id, GroupSchedule.track_id, GroupSchedule.weekday,
                  GroupSchedule.start_time, GroupSchedule.end_time, GroupSchedule.title,
                  GroupSchedule.facilitator_id, GroupSchedule.effective_from,
                  GroupSchedule.effective_to)


def attendance_recorded(meeting_id):
    """SQL: the meeting has an attendance row (any status, an undone check-in's too)."""
    return exists().where(Attendance.meeting_id == meeting_id)


def held(meeting_id):
    """SQL: the meeting has attendance recorded, or its group session documented."""
    return or_(attendance_recorded(meeting_id),
               exists().where(ClinicalSession.meeting_id == meeting_id))


def ensure_meetings(session: Session, ctx: ServiceContext, actor: Actor | None,
                    through: date) -> int:
    """Make the missing meetings of every active block of an active track, from
    max(effective_from, today) through `through` (closed days: made cancelled); how many were
    made. One query of the active blocks' plain columns, each with its count of meetings made,
    when none is missing (every day at the desk but the first): nothing written then; audited
    ("schedule.generate") only when some were made."""
    today = ctx.today()
    if through < today:
        return 0
    made = (select(func.count(GroupMeeting.id))
            .where(GroupMeeting.schedule_id == GroupSchedule.id,
                   GroupMeeting.meeting_date.between(today, through),
                   GroupMeeting.meeting_date >= GroupSchedule.effective_from,
                   or_(GroupSchedule.effective_to.is_(None),
                       GroupMeeting.meeting_date <= GroupSchedule.effective_to))
            .scalar_subquery())
    rows = session.execute(
        select(*_BLOCK_COLUMNS, made.label("made"))
        .join(ProgramTrack, ProgramTrack.id == GroupSchedule.track_id)
        .where(GroupSchedule.active.is_(True), ProgramTrack.active.is_(True),
               GroupSchedule.effective_from <= through,
               or_(GroupSchedule.effective_to.is_(None), GroupSchedule.effective_to >= today))
    ).all()
    wanted = {block.id: block_dates(block.weekday, max(block.effective_from, today),
                                    min(block.effective_to or through, through))
              for block in rows}
    short = [block for block in rows if block.made < len(wanted[block.id])]
    if not short:
        return 0
    closed = closed_days(session, today, through)
    for attempt in (1, 2):
        existing = set(session.execute(
            select(GroupMeeting.schedule_id, GroupMeeting.meeting_date)
            .where(GroupMeeting.schedule_id.in_([b.id for b in short]),
                   GroupMeeting.meeting_date.between(today, through))).all())
        new = [_meeting_of(block, day, closed) for block in short for day in wanted[block.id]
               if (block.id, day) not in existing]
        try:
            with session.begin_nested():
                session.add_all(new)
            break
        except IntegrityError:
            # another workstation made some of them meanwhile (its commit is seen now)
            if attempt == 2:
                raise
    if new:
        ctx.audit(session, actor, "schedule.generate", entity="group_meetings",
                  detail={"made": len(new), "through": through.isoformat()})
    return len(new)


def closed_days(session: Session, first: date, last: date) -> ClosedDays:
    """(date, track id or None for the practice) -> the reason, of the closures in range."""
    return {(day, track_id): reason for day, track_id, reason in session.execute(
        select(Closure.closure_date, Closure.track_id, Closure.reason)
        .where(Closure.closure_date.between(first, last)))}


def closure_on(closed: ClosedDays, day: date, track_id: int) -> str | None:
    """The reason `track_id` does not meet on `day` (the practice's closure first), or None."""
    return closed.get((day, None), closed.get((day, track_id)))


def _meeting_of(block, day: date, closed: ClosedDays) -> GroupMeeting:
    """The block's (a row of _BLOCK_COLUMNS) meeting of `day`, cancelled when the day is
    closed."""
    reason = closure_on(closed, day, block.track_id)
    return GroupMeeting(schedule_id=block.id, track_id=block.track_id, meeting_date=day,
                        start_time=block.start_time, end_time=block.end_time, title=block.title,
                        facilitator_id=block.facilitator_id, cancelled=reason is not None,
                        cancel_reason=closed_reason(reason) if reason is not None else "")


def day_meetings(session: Session, day: date, track_id: int | None) -> list[GroupMeeting]:
    """The meetings of `day`: of one track, or (None) of every track."""
    query = select(GroupMeeting).where(GroupMeeting.meeting_date == day)
    if track_id is not None:
        query = query.where(GroupMeeting.track_id == track_id)
    return list(session.scalars(query.order_by(GroupMeeting.id)))


def meetings_ahead(session: Session, today: date) -> date:
    """How far ahead meetings are made: today + the practice's meetings_ahead_weeks."""
    return today + timedelta(weeks=load_settings(session).meetings_ahead_weeks)


def moved_away(row: GroupMeeting, new_date: date) -> GroupMeeting:
    """The cancelled meeting a move leaves on its block's date."""
    return GroupMeeting(schedule_id=row.schedule_id, track_id=row.track_id,
                        meeting_date=row.meeting_date, start_time=row.start_time,
                        end_time=row.end_time, title=row.title, topic=row.topic,
                        facilitator_id=row.facilitator_id, cancelled=True,
                        cancel_reason=f"Moved to {new_date.isoformat()}")
