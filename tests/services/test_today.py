"""Today: the front desk's meetings and who is expected; a clinician's caseload."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from support import TODAY

from iopdesk.db.models import (Attendance, AuditEvent, Episode, GroupMeeting, Participant,
                               ProgramTrack)
from iopdesk.domain.enums import AttendanceStatus, AuditOutcome, EpisodeStatus
from iopdesk.domain.errors import PermissionDenied


def _expected_episodes(factory, track_id) -> set[int]:
    with factory() as s:
        return set(s.scalars(select(Episode.id).where(
            Episode.track_id == track_id, Episode.status == EpisodeStatus.ACTIVE,
            Episode.admission_date <= TODAY)))


def test_todays_meetings_and_who_is_expected(demo, people):
    services, factory = demo
    meetings = services.today.front_desk(people["frontdesk"], TODAY)
    with factory() as s:
        stored = s.scalars(select(GroupMeeting).where(GroupMeeting.meeting_date == TODAY,
                                                      GroupMeeting.cancelled.is_(False))).all()
    assert {m.meeting_id for m in meetings} == {m.id for m in stored} and meetings
    assert [m.start_time for m in meetings] == sorted(m.start_time for m in meetings)
    for meeting in meetings:
        assert meeting.title and meeting.facilitator_name and meeting.track_name
        assert meeting.start_time < meeting.end_time
        assert {p.episode_id for p in meeting.expected} == _expected_episodes(factory,
                                                                              meeting.track_id)
        names = [(p.last_name, p.first_name) for p in meeting.expected]
        assert len(names) > 5 and all(p.attendance is None for p in meeting.expected)
    # the default day is today
    assert services.today.front_desk(people["frontdesk"]) == meetings


def test_recorded_attendance_shows_and_a_cancelled_meeting_does_not(demo, people):
    services, factory = demo
    first, *others = services.today.front_desk(people["frontdesk"], TODAY)
    someone = first.expected[0]
    with factory.begin() as s:
        s.add(Attendance(meeting_id=first.meeting_id, episode_id=someone.episode_id,
                         status=AttendanceStatus.LATE,
                         check_in_at=datetime.combine(TODAY, time(18, 10)).astimezone(),
                         minutes_credited=50))
        s.get(GroupMeeting, others[0].meeting_id).cancelled = True
    again = services.today.front_desk(people["frontdesk"], TODAY)
    assert [m.meeting_id for m in again] == [first.meeting_id] + [m.meeting_id
                                                                  for m in others[1:]]
    marked = next(p for p in again[0].expected if p.episode_id == someone.episode_id)
    assert marked.attendance == AttendanceStatus.LATE and marked.attendance_id is not None


def test_someone_discharged_after_checking_in_still_shows_at_that_meeting(demo, people):
    services, factory = demo
    first = services.today.front_desk(people["frontdesk"], TODAY)[0]
    leaving = first.expected[0]
    with factory.begin() as s:
        s.add(Attendance(meeting_id=first.meeting_id, episode_id=leaving.episode_id,
                         status=AttendanceStatus.PRESENT, minutes_credited=60))
        episode = s.get(Episode, leaving.episode_id)
        episode.status, episode.discharge_date = EpisodeStatus.DISCHARGED, TODAY
    meetings = services.today.front_desk(people["frontdesk"], TODAY)
    assert leaving.episode_id in {p.episode_id for p in meetings[0].expected}
    assert all(leaving.episode_id not in {p.episode_id for p in m.expected} for m in meetings[1:])


def test_a_day_without_groups_is_empty(demo, people):
    services, _ = demo
    assert services.today.front_desk(people["frontdesk"], TODAY + timedelta(days=400)) == ()


def test_a_clinicians_caseload(demo, people):
    services, factory = demo
    clinician = people["clinician"]
    rows = services.today.caseload(clinician)
    with factory() as s:
        mine = s.execute(select(Episode.id, Episode.admission_date, ProgramTrack.name)
                         .join(ProgramTrack, ProgramTrack.id == Episode.track_id)
                         .where(Episode.primary_clinician_id == clinician.user_id,
                                Episode.status == EpisodeStatus.ACTIVE)).all()
        last = dict(s.execute(
            select(Attendance.episode_id, func.max(GroupMeeting.meeting_date))
            .join(GroupMeeting, GroupMeeting.id == Attendance.meeting_id)
            .where(Attendance.status.in_(["present", "late", "left_early"]))
            .group_by(Attendance.episode_id)).all())
        keys = {p.id: (p.last_name_key, p.first_name_key) for p in s.scalars(select(Participant))}
    assert {(r.episode_id, r.admission_date, r.track_name) for r in rows} == set(mine)
    assert rows and all(r.last_attended == last.get(r.episode_id) for r in rows)
    assert any(r.last_attended is not None for r in rows)
    assert [keys[r.participant_id] for r in rows] == sorted(keys[r.participant_id] for r in rows)


def test_a_supervisor_may_see_another_clinicians_caseload_a_clinician_may_not(demo, people):
    services, factory = demo
    clinician, supervisor = people["clinician"], people["supervisor"]
    assert services.today.caseload(supervisor, clinician.user_id) == \
        services.today.caseload(clinician)
    assert services.today.caseload(clinician, clinician.user_id) == \
        services.today.caseload(clinician)
    with pytest.raises(PermissionDenied, match="another clinician's caseload"):
        services.today.caseload(people["associate"], clinician.user_id)
    with factory() as s:
        refusal = s.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert (refusal.action, refusal.outcome, refusal.username) == (
        "today.caseload", AuditOutcome.REFUSED, "associate")


def test_front_desk_has_no_caseload_and_clinicians_see_the_meetings(demo, people):
    services, _ = demo
    with pytest.raises(PermissionDenied):
        services.today.caseload(people["frontdesk"])
    with pytest.raises(PermissionDenied):
        services.today.caseload(people["admin"])
    assert services.today.front_desk(people["clinician"], TODAY)
