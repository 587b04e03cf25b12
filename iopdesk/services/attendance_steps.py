"""The attendance steps behind AttendanceService's guarded methods: check-in and check-out,
an absence, the undo of a mistaken step, a correction of times. Each is one transaction that
changes the attendance row (versioned, through `saving`), writes its history row and its
audit event, or refuses with a ValidationError at the field before anything is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from iopdesk.db.models import (
    Attendance,
    Episode,
    GroupMeeting,
    Participant,
    ProgramTrack,
)
from iopdesk.domain.attendance_views import AttendanceView
from iopdesk.domain.enums import AttendanceStatus
from iopdesk.domain.errors import PermissionDenied, ValidationError
from iopdesk.domain.time import as_utc
from iopdesk.services.attendance_rows import (
    Clock,
    Step,
    attendance_view,
    check_on_day,
    check_reason,
    insert_once,
    open_episode,
    read_clock,
    settle,
)
from iopdesk.services.changes import saving
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.permissions import Permission, allowed


def _name(person: Participant) -> str:
    return f"{person.first_name} {person.last_name}"


def _what(meeting: GroupMeeting, person: Participant) -> str:
    """How a stale-save refusal names an attendance."""
    return (f"The attendance of {_name(person)} at {meeting.title} on "
            f"{meeting.meeting_date.isoformat()}")


def _later_allowed(ctx: ServiceContext, actor: Actor) -> bool:
    """May the actor (roles as stored now) record attendance after the meeting's day?"""
    return allowed(ctx.current_roles(actor), Permission.CORRECT_ATTENDANCE)


def _load(session: Session, attendance_id: int):
    row = get_or_404(session, Attendance, attendance_id, "Attendance")
    meeting = session.get(GroupMeeting, row.meeting_id)
    person = session.scalar(select(Participant).join(
        Episode, Episode.participant_id == Participant.id).where(Episode.id == row.episode_id))
    return row, meeting, person


def _check_meeting(meeting: GroupMeeting, clock: Clock, later_allowed: bool) -> None:
    """A meeting one may record attendance of: not cancelled, not ahead, today's (or, for
    those who correct attendance after the day, an earlier one)."""
    when = f"{meeting.title} on {meeting.meeting_date.isoformat()}"
    if meeting.cancelled:
        reason = f" ({meeting.cancel_reason})" if meeting.cancel_reason else ""
        raise ValidationError({"meeting_id": f"{when} was cancelled{reason}"})
    if meeting.meeting_date > clock.today:
        raise ValidationError({"meeting_id": f"{when} has not happened yet"})
    if meeting.meeting_date < clock.today and not later_allowed:
        raise ValidationError({"meeting_id": (
            f"{when} is not today's: attendance of an earlier day is corrected by a "
            "clinician or an administrator")})


def _current_meeting(session: Session, clock: Clock, episode: Episode) -> GroupMeeting:
    """The meeting of the episode's track running now, else the next one today."""
    meetings = session.scalars(select(GroupMeeting).where(
        GroupMeeting.track_id == episode.track_id, GroupMeeting.meeting_date == clock.today)
        .order_by(GroupMeeting.start_time, GroupMeeting.id)).all()
    later = [m for m in meetings if clock.now < clock.window(m)[1]]
    chosen = next((m for m in later if not m.cancelled), None)
    if chosen is not None:
        return chosen
    track = session.get(ProgramTrack, episode.track_id)
    if later:
        raise ValidationError({"meeting_id": (
            f"Today's {later[0].title} of {track.name} was cancelled"
            + (f" ({later[0].cancel_reason})" if later[0].cancel_reason else ""))})
    raise ValidationError({"meeting_id": f"No meeting of {track.name} is running or still to "
                                         "come today: choose the meeting"})


def check_in(ctx: ServiceContext, actor: Actor, participant_id: int, meeting_id: int | None,
             at: datetime | None) -> AttendanceView:
    with ctx.unit_of_work() as session:
        clock = read_clock(session, ctx)
        person = get_or_404(session, Participant, participant_id, "Participant")
        if meeting_id is None:
            episode = open_episode(session, participant_id, clock.today)
            meeting = _current_meeting(session, clock, episode)
        else:
            meeting = get_or_404(session, GroupMeeting, meeting_id, "Meeting")
            _check_meeting(meeting, clock, _later_allowed(ctx, actor))
            episode = open_episode(session, participant_id, meeting.meeting_date)
        moment = check_on_day("at", at or clock.now, meeting, clock)
        row = session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                      Attendance.episode_id == episode.id))
        if row is not None and row.check_in_at is not None:
            raise ValidationError({"participant_id": (
                f"{_name(person)} is already checked in to {meeting.title} (at "
                f"{clock.clock_time(as_utc(row.check_in_at))})")})
        step = Step(row)
        walk_in = episode.track_id != meeting.track_id
        if row is None:
            row = Attendance(meeting_id=meeting.id, episode_id=episode.id, walk_in=walk_in,
                             status=AttendanceStatus.PRESENT, absence_reason="")
            insert_once(session, row, f"{_name(person)} was just checked in to "
                                      f"{meeting.title} at another workstation")
        with saving(session, row, _what(meeting, person)):
            row.check_in_at, row.check_out_at = moment, None
            row.walk_in, row.absence_reason, row.recorded_by_id = walk_in, "", actor.user_id
            settle(row, meeting, clock)
            step.record(session, row, "checked_in", actor.user_id, clock.now)
            ctx.audit(session, actor, "attendance.check_in", participant_id=participant_id,
                      entity="attendance", entity_id=row.id,
                      detail={"meeting_id": meeting.id, "walk_in": walk_in,
                              "at": moment.isoformat()})
        return attendance_view(row, meeting, participant_id, clock)


def _check_out_time(row: Attendance, meeting: GroupMeeting, person: Participant,
                    moment: datetime, clock: Clock) -> datetime:
    moment = check_on_day("at", moment, meeting, clock)
    if moment < as_utc(row.check_in_at):
        raise ValidationError({"at": (
            f"Check-out at {clock.clock_time(moment)} is before {_name(person)}'s check-in at "
            f"{clock.clock_time(as_utc(row.check_in_at))}")})
    return moment


def check_out(ctx: ServiceContext, actor: Actor, attendance_id: int, version: int,
              at: datetime | None) -> AttendanceView:
    with ctx.unit_of_work() as session:
        clock = read_clock(session, ctx)
        row, meeting, person = _load(session, attendance_id)
        with saving(session, row, _what(meeting, person), expected=version):
            if row.check_in_at is None:
                raise ValidationError({"attendance_id": f"{_name(person)} is not checked in"})
            if row.check_out_at is not None:
                raise ValidationError({"attendance_id": (
                    f"{_name(person)} is already checked out (at "
                    f"{clock.clock_time(as_utc(row.check_out_at))})")})
            moment = _check_out_time(row, meeting, person, at or clock.now, clock)
            step = Step(row)
            row.check_out_at = moment
            settle(row, meeting, clock)
            step.record(session, row, "checked_out", actor.user_id, clock.now)
            ctx.audit(session, actor, "attendance.check_out", participant_id=person.id,
                      entity="attendance", entity_id=row.id, detail={"at": moment.isoformat()})
        return attendance_view(row, meeting, person.id, clock)


def check_out_all(ctx: ServiceContext, actor: Actor, meeting_id: int,
                  at: datetime | None) -> tuple[AttendanceView, ...]:
    with ctx.unit_of_work() as session:
        clock = read_clock(session, ctx)
        meeting = get_or_404(session, GroupMeeting, meeting_id, "Meeting")
        moment = check_on_day("at", at or clock.now, meeting, clock)
        here = session.execute(
            select(Attendance, Participant)
            .join(Episode, Episode.id == Attendance.episode_id)
            .join(Participant, Participant.id == Episode.participant_id)
            .where(Attendance.meeting_id == meeting_id, Attendance.check_in_at.is_not(None),
                   Attendance.check_out_at.is_(None))
            .order_by(Participant.last_name_key, Participant.first_name_key)).all()
        for row, person in here:
            _check_out_time(row, meeting, person, moment, clock)
        views = []
        for row, person in here:
            with saving(session, row, _what(meeting, person)):
                step = Step(row)
                row.check_out_at = moment
                settle(row, meeting, clock)
                step.record(session, row, "checked_out", actor.user_id, clock.now)
                ctx.audit(session, actor, "attendance.check_out_all", participant_id=person.id,
                          entity="attendance", entity_id=row.id,
                          detail={"meeting_id": meeting_id, "at": moment.isoformat()})
            views.append(attendance_view(row, meeting, person.id, clock))
        if not here:
            ctx.audit(session, actor, "attendance.check_out_all", entity="attendance",
                      detail={"meeting_id": meeting_id, "checked_out": 0})
        return tuple(views)


def mark_absent(ctx: ServiceContext, actor: Actor, participant_id: int, meeting_id: int,
                excused: bool, reason: str) -> AttendanceView:
    reason = check_reason(reason, "an absence")
    with ctx.unit_of_work() as session:
        clock = read_clock(session, ctx)
        person = get_or_404(session, Participant, participant_id, "Participant")
        meeting = get_or_404(session, GroupMeeting, meeting_id, "Meeting")
        _check_meeting(meeting, clock, _later_allowed(ctx, actor))
        episode = open_episode(session, participant_id, meeting.meeting_date)
        if episode.track_id != meeting.track_id:
            raise ValidationError({"meeting_id": (
                f"{meeting.title} is not a meeting of {_name(person)}'s track")})
        row = session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                      Attendance.episode_id == episode.id))
        if row is not None and row.check_in_at is not None:
            raise ValidationError({"participant_id": (
                f"{_name(person)} is checked in (at {clock.clock_time(as_utc(row.check_in_at))})"
                ": undo the check-in first")})
        step = Step(row)
        if row is None:
            row = Attendance(meeting_id=meeting.id, episode_id=episode.id, walk_in=False,
                             status=AttendanceStatus.ABSENT, absence_reason=reason)
            insert_once(session, row, f"{_name(person)}'s attendance of {meeting.title} was "
                                      "just recorded at another workstation")
        with saving(session, row, _what(meeting, person)):
            row.status = AttendanceStatus.EXCUSED if excused else AttendanceStatus.ABSENT
            row.absence_reason, row.minutes_credited = reason, 0
            row.recorded_by_id = actor.user_id
            step.record(session, row, "marked_excused" if excused else "marked_absent",
                        actor.user_id, clock.now, reason)
            ctx.audit(session, actor, "attendance.mark_absent", participant_id=participant_id,
                      entity="attendance", entity_id=row.id,
                      detail={"meeting_id": meeting.id, "excused": bool(excused)})
        return attendance_view(row, meeting, participant_id, clock)


def undo(ctx: ServiceContext, actor: Actor, attendance_id: int, version: int,
         which: str) -> AttendanceView:
    """Undo the check-in (`which` "in") or the check-out ("out"), on the meeting's day."""
    with ctx.unit_of_work() as session:
        clock = read_clock(session, ctx)
        row, meeting, person = _load(session, attendance_id)
        with saving(session, row, _what(meeting, person), expected=version):
            step_name = "check-in" if which == "in" else "check-out"
            if meeting.meeting_date != clock.today:
                raise ValidationError({"attendance_id": (
                    f"A {step_name} is undone only on its day "
                    f"({meeting.meeting_date.isoformat()}): correct the times instead")})
            if row.check_in_at is None:
                raise ValidationError({"attendance_id": f"{_name(person)} is not checked in"})
            if which == "in" and row.check_out_at is not None:
                raise ValidationError({"attendance_id": (
                    f"{_name(person)} is checked out: undo the check-out first")})
            if which == "out" and row.check_out_at is None:
                raise ValidationError({"attendance_id": f"{_name(person)} is not checked out"})
            step = Step(row)
            if which == "in":
                row.check_in_at, row.status = None, AttendanceStatus.EXPECTED
            row.check_out_at = None
            settle(row, meeting, clock)
            step.record(session, row, f"check_{which}_undone", actor.user_id, clock.now)
            ctx.audit(session, actor, f"attendance.undo_check_{which}",
                      participant_id=person.id, entity="attendance", entity_id=row.id)
        return attendance_view(row, meeting, person.id, clock)


def refuse_late_correction(ctx: ServiceContext, actor: Actor, attendance_id: int) -> None:
    """The front desk corrects times on the meeting's day only; after it, the correction
    needs CORRECT_ATTENDANCE. A refusal is audited like any other and raised."""
    with ctx.unit_of_work() as session:
        clock = read_clock(session, ctx)
        row = get_or_404(session, Attendance, attendance_id, "Attendance")
        meeting_date = session.scalar(select(GroupMeeting.meeting_date)
                                      .where(GroupMeeting.id == row.meeting_id))
    if meeting_date >= clock.today or _later_allowed(ctx, actor):
        return
    permission = Permission.CORRECT_ATTENDANCE
    ctx.record_refusal(actor, "attendance.correct", permission,
                       {"attendance_id": attendance_id})
    roles = ", ".join(sorted(ctx.current_roles(actor))) or "no role"
    raise PermissionDenied(
        f"{actor.display_name} ({roles}) may not correct attendance after the meeting's day "
        f"({meeting_date.isoformat()}): it needs the "
        f"{permission.value.replace('_', ' ')} permission")


def _overlapping(session: Session, row: Attendance, meeting: GroupMeeting, time_in: datetime,
                 time_out: datetime | None, clock: Clock) -> str | None:
    """Another attendance of the same episode that day whose times meet [time_in, time_out]
    (an open end runs to its meeting's end), described; None when there is none."""
    others = session.execute(
        select(Attendance, GroupMeeting).join(GroupMeeting,
                                              GroupMeeting.id == Attendance.meeting_id)
        .where(Attendance.episode_id == row.episode_id, Attendance.id != row.id,
               GroupMeeting.meeting_date == meeting.meeting_date,
               Attendance.check_in_at.is_not(None))).all()
    end = time_out or clock.window(meeting)[1]
    for other, other_meeting in others:
        other_in = as_utc(other.check_in_at)
        other_out = as_utc(other.check_out_at) if other.check_out_at else \
            clock.window(other_meeting)[1]
        if max(time_in, other_in) < min(end, other_out):
            return (f"Overlaps the attendance at {other_meeting.title} "
                    f"({clock.clock_time(other_in)}–{clock.clock_time(other_out)})")
    return None


def correct(ctx: ServiceContext, actor: Actor, attendance_id: int, version: int,
            time_in: datetime | None, time_out: datetime | None,
            reason: str) -> AttendanceView:
    reason = check_reason(reason, "a correction")
    refuse_late_correction(ctx, actor, attendance_id)
    with ctx.unit_of_work() as session:
        clock = read_clock(session, ctx)
        row, meeting, person = _load(session, attendance_id)
        with saving(session, row, _what(meeting, person), expected=version):
            if time_in is None:
                raise ValidationError({"time_in": (
                    "Time in is required (a check-in made by mistake is undone instead)")})
            time_in = check_on_day("time_in", time_in, meeting, clock)
            if time_out is not None:
                time_out = check_on_day("time_out", time_out, meeting, clock)
                if time_out <= time_in:
                    raise ValidationError({"time_out": (
                        f"Time out {clock.clock_time(time_out)} must be after time in "
                        f"{clock.clock_time(time_in)}")})
            overlap = _overlapping(session, row, meeting, time_in, time_out, clock)
            if overlap:
                raise ValidationError({"time_in": overlap})
            step = Step(row)
            row.check_in_at, row.check_out_at, row.absence_reason = time_in, time_out, ""
            settle(row, meeting, clock)
            step.record(session, row, "corrected", actor.user_id, clock.now, reason)
            ctx.audit(session, actor, "attendance.correct", participant_id=person.id,
                      entity="attendance", entity_id=row.id,
                      detail={"reason": reason,
                              "in": [_iso(step.time_in), time_in.isoformat()],
                              "out": [_iso(step.time_out), _iso(time_out)]})
        return attendance_view(row, meeting, person.id, clock)


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None
