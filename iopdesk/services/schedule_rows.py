"""The schedule service's reading and checking of stored rows: views of blocks, meetings and
closures, and the checks a change makes against what is stored (the track, the facilitator,
attendance already recorded on a day)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from iopdesk.db.models import (Attendance, Closure, GroupMeeting, GroupSchedule, ProgramTrack,
                               StaffUser)
from iopdesk.domain.enums import Role
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.schedule import BlockView, ClosureView, MeetingView

FACILITATORS = frozenset({Role.CLINICIAN, Role.SUPERVISOR})


# ---- reading ---------------------------------------------------------------------------------

def staff_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    ids.discard(None)
    if not ids:
        return {}
    return dict(session.execute(select(StaffUser.id, StaffUser.display_name)
                                .where(StaffUser.id.in_(ids))).all())


def block_view(row: GroupSchedule, names: dict[int, str]) -> BlockView:
    return BlockView(id=row.id, track_id=row.track_id, weekday=row.weekday,
                     start_time=row.start_time, end_time=row.end_time, title=row.title,
                     facilitator_id=row.facilitator_id,
                     facilitator_name=names.get(row.facilitator_id, ""),
                     effective_from=row.effective_from, effective_to=row.effective_to,
                     active=row.active, version=row.version)


def meeting_view(row: GroupMeeting, names: dict[int, str]) -> MeetingView:
    return MeetingView(id=row.id, schedule_id=row.schedule_id, track_id=row.track_id,
                       meeting_date=row.meeting_date, start_time=row.start_time,
                       end_time=row.end_time, title=row.title, topic=row.topic,
                       facilitator_id=row.facilitator_id,
                       facilitator_name=names.get(row.facilitator_id, ""),
                       cancelled=row.cancelled, cancel_reason=row.cancel_reason,
                       version=row.version)


def closure_view(row: Closure, track_name: str | None) -> ClosureView:
    return ClosureView(id=row.id, closure_date=row.closure_date, track_id=row.track_id,
                       track_name=track_name or "", reason=row.reason, version=row.version)


def closures_between(session: Session, first: date, last: date,
              track_id: int | None = None) -> list[ClosureView]:
    """The closures from `first` through `last` (of the practice and of `track_id`, when it
    is given; else of every track), by date, the whole practice's first."""
    query = (select(Closure, ProgramTrack.name)
             .outerjoin(ProgramTrack, ProgramTrack.id == Closure.track_id)
             .where(Closure.closure_date.between(first, last))
             .order_by(Closure.closure_date, Closure.track_id.is_not(None), Closure.id))
    if track_id is not None:
        query = query.where(or_(Closure.track_id.is_(None), Closure.track_id == track_id))
    return [closure_view(row, name) for row, name in session.execute(query)]


# ---- checks against what is stored -----------------------------------------------------------

def check_track(session: Session, track_id: int) -> ProgramTrack:
    track = session.get(ProgramTrack, track_id) if type(track_id) is int else None
    if track is None:
        raise ValidationError({"track_id": f"Track {track_id!r} does not exist"})
    if not track.active:
        raise ValidationError({"track_id": f"Track {track.name} is no longer active"})
    return track


def check_facilitator(session: Session, facilitator_id: int | None,
                       stored: int | None = None) -> None:
    """None (no default facilitator yet), or an active clinician or supervisor. The one
    already `stored` stays acceptable (someone who has left does not block a topic edit)."""
    if facilitator_id is None or facilitator_id == stored:
        return
    user = session.get(StaffUser, facilitator_id) if type(facilitator_id) is int else None
    if user is None:
        problem = f"Staff member {facilitator_id!r} does not exist"
    elif not user.active:
        problem = f"{user.display_name} is no longer an active user"
    elif not {r.role for r in user.roles} & FACILITATORS:
        problem = f"{user.display_name} is not a clinician or supervisor"
    else:
        return
    raise ValidationError({"facilitator_id": problem})


def refuse_if_attended(session: Session, day: date, track_id: int | None) -> None:
    query = (select(func.count(Attendance.id))
             .join(GroupMeeting, GroupMeeting.id == Attendance.meeting_id)
             .where(GroupMeeting.meeting_date == day))
    if track_id is not None:
        query = query.where(GroupMeeting.track_id == track_id)
    if session.scalar(query):
        raise ValidationError({"closure_date": (
            f"Attendance is already recorded on {day.isoformat()}: a day with attendance "
            "cannot be closed (cancel its other meetings one by one)")})


def meeting_what(row: GroupMeeting) -> str:
    return f"The meeting {row.title} of {row.meeting_date.isoformat()}"
