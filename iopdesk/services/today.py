"""The Today lists: for the front desk, the day's group meetings and who is expected at each;
for a clinician, their caseload and the groups they lead that day. Each is a few bounded,
indexed queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, select

from iopdesk.db.models import (Attendance, Episode, GroupMeeting, Participant, ProgramTrack,
                               StaffUser)
from iopdesk.domain.clinical import ATTENDED, CaseloadRow, ExpectedParticipant, MeetingToday
from iopdesk.domain.enums import EpisodeStatus, Role
from iopdesk.domain.errors import PermissionDenied
from iopdesk.domain.readmodels import LedGroup
from iopdesk.services.context import Actor, ServiceContext
from iopdesk.services.permissions import Permission, requires

_PERSON = (Participant.id, Participant.chart_number, Participant.last_name,
           Participant.first_name, Participant.preferred_name)


class TodayService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    @requires(Permission.VIEW_DEMOGRAPHICS, "today.front_desk")
    def front_desk(self, actor: Actor, day: date | None = None) -> tuple[MeetingToday, ...]:
        """The day's (default today's) group meetings that are not cancelled, in time order,
        each with who is expected: the active episodes of its track admitted on or before the
        day, plus anyone whose attendance is already recorded at it (a person discharged
        since still shows there), with that attendance. Not audited: a list, like search."""
        day = day or self._ctx.today()
        with self._ctx.session_factory() as session:
            meetings = session.execute(
                select(GroupMeeting, ProgramTrack.name, StaffUser.display_name)
                .join(ProgramTrack, ProgramTrack.id == GroupMeeting.track_id)
                .outerjoin(StaffUser, StaffUser.id == GroupMeeting.facilitator_id)
                .where(GroupMeeting.meeting_date == day, GroupMeeting.cancelled.is_(False))
                .order_by(GroupMeeting.start_time, ProgramTrack.name, GroupMeeting.id)).all()
            if not meetings:
                return ()
            meeting_ids = [m.id for m, _, _ in meetings]
            track_ids = sorted({m.track_id for m, _, _ in meetings})
            recorded = session.execute(
                select(Attendance.meeting_id, Attendance.episode_id, Attendance.id,
                       Attendance.status)
                .where(Attendance.meeting_id.in_(meeting_ids))).all()
            attendance = {(r.meeting_id, r.episode_id): (r.id, r.status) for r in recorded}
            columns = (Episode.id.label("episode_id"), Episode.track_id, Episode.status,
                       Participant.last_name_key, Participant.first_name_key, *_PERSON)
            people = session.execute(
                select(*columns).join(Participant, Participant.id == Episode.participant_id)
                .where(Episode.status == EpisodeStatus.ACTIVE, Episode.track_id.in_(track_ids),
                       Episode.admission_date <= day)).all()
            missing = sorted({e for _, e in attendance} - {p.episode_id for p in people})
            if missing:
                people += session.execute(   # an episode entered in error: no one's
                    select(*columns).join(Participant, Participant.id == Episode.participant_id)
                    .where(Episode.id.in_(missing),
                           Episode.status != EpisodeStatus.ENTERED_IN_ERROR)).all()
        people.sort(key=lambda p: (p.last_name_key, p.first_name_key, p.id))
        result = []
        for meeting, track_name, facilitator in meetings:
            expected = []
            for p in people:
                mark = attendance.get((meeting.id, p.episode_id))
                if mark is None and (p.status != EpisodeStatus.ACTIVE
                                     or p.track_id != meeting.track_id):
                    continue
                expected.append(ExpectedParticipant(
                    participant_id=p.id, episode_id=p.episode_id, chart_number=p.chart_number,
                    last_name=p.last_name, first_name=p.first_name,
                    preferred_name=p.preferred_name,
                    attendance_id=mark[0] if mark else None,
                    attendance=mark[1] if mark else None))
            result.append(MeetingToday(
                meeting_id=meeting.id, meeting_date=meeting.meeting_date,
                track_id=meeting.track_id, track_name=track_name,
                start_time=meeting.start_time, end_time=meeting.end_time, title=meeting.title,
                facilitator_name=facilitator or "", expected=tuple(expected)))
        return tuple(result)

    @requires(Permission.VIEW_DEMOGRAPHICS, "today.my_groups")
    def my_groups(self, actor: Actor, day: date | None = None) -> tuple[LedGroup, ...]:
        """The group meetings the actor facilitates on the day (default today) that are not
        cancelled, in time order: their own schedule only, with how many are expected at each
        — counted as `front_desk` lists them — and how many are recorded. Not audited: a
        list, like `front_desk`."""
        day = day or self._ctx.today()
        with self._ctx.session_factory() as session:
            meetings = session.execute(
                select(GroupMeeting, ProgramTrack.name)
                .join(ProgramTrack, ProgramTrack.id == GroupMeeting.track_id)
                .where(GroupMeeting.meeting_date == day, GroupMeeting.cancelled.is_(False),
                       GroupMeeting.facilitator_id == actor.user_id)
                .order_by(GroupMeeting.start_time, ProgramTrack.name, GroupMeeting.id)).all()
            if not meetings:
                return ()
            enrolled = dict(session.execute(
                select(Episode.track_id, func.count(Episode.id))
                .where(Episode.status == EpisodeStatus.ACTIVE, Episode.admission_date <= day,
                       Episode.track_id.in_(sorted({m.track_id for m, _ in meetings})))
                .group_by(Episode.track_id)).all())
            enrolled_here = and_(Episode.status == EpisodeStatus.ACTIVE,
                                 Episode.track_id == GroupMeeting.track_id,
                                 Episode.admission_date <= day)
            marks = {row.meeting_id: row for row in session.execute(
                select(Attendance.meeting_id, func.count(Attendance.id).label("recorded"),
                       func.sum(case((enrolled_here, 0), else_=1)).label("others"))
                .join(Episode, Episode.id == Attendance.episode_id)
                .join(GroupMeeting, GroupMeeting.id == Attendance.meeting_id)
                .where(Attendance.meeting_id.in_([m.id for m, _ in meetings]))
                .group_by(Attendance.meeting_id))}
        result = []
        for meeting, track_name in meetings:
            mark = marks.get(meeting.id)
            result.append(LedGroup(
                meeting_id=meeting.id, meeting_date=meeting.meeting_date,
                start_time=meeting.start_time, end_time=meeting.end_time, title=meeting.title,
                topic=meeting.topic, track_id=meeting.track_id, track_name=track_name,
                expected_count=enrolled.get(meeting.track_id, 0) + (mark.others if mark else 0),
                recorded_count=mark.recorded if mark else 0))
        return tuple(result)

    @requires(Permission.VIEW_CLINICAL, "today.caseload")
    def caseload(self, actor: Actor, clinician_id: int | None = None) -> tuple[CaseloadRow, ...]:
        """The active participants whose primary clinician is the actor (a supervisor may ask
        for another clinician's), by name: track, admission date, last group attended."""
        wanted = actor.user_id if clinician_id is None else clinician_id
        if wanted != actor.user_id and Role.SUPERVISOR not in self._ctx.current_roles(actor):
            self._ctx.record_refusal(actor, "today.caseload", Role.SUPERVISOR,
                                     {"clinician_id": wanted})
            raise PermissionDenied(f"{actor.display_name} may not see another clinician's "
                                   "caseload: it needs the supervisor role")
        with self._ctx.session_factory() as session:
            rows = session.execute(
                select(Episode.id.label("episode_id"), Episode.admission_date,
                       ProgramTrack.name.label("track_name"), *_PERSON)
                .join(Participant, Participant.id == Episode.participant_id)
                .join(ProgramTrack, ProgramTrack.id == Episode.track_id)
                .where(Episode.primary_clinician_id == wanted,
                       Episode.status == EpisodeStatus.ACTIVE)
                .order_by(Participant.last_name_key, Participant.first_name_key,
                          Participant.id)).all()
            last = dict(session.execute(
                select(Attendance.episode_id, func.max(GroupMeeting.meeting_date))
                .join(GroupMeeting, GroupMeeting.id == Attendance.meeting_id)
                .where(Attendance.episode_id.in_([r.episode_id for r in rows]),
                       Attendance.status.in_(sorted(ATTENDED)))
                .group_by(Attendance.episode_id)).all()) if rows else {}
        return tuple(CaseloadRow(participant_id=r.id, episode_id=r.episode_id,
                                 chart_number=r.chart_number, last_name=r.last_name,
                                 first_name=r.first_name, preferred_name=r.preferred_name,
                                 track_name=r.track_name, admission_date=r.admission_date,
                                 last_attended=last.get(r.episode_id)) for r in rows)
