"""Today: the groups a clinician leads that day — their own schedule only, in time order, with
how many are expected (as the front desk's list counts them) and how many are recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from support import TODAY

from iopdesk.db.models import Attendance, AuditEvent, Episode, GroupMeeting
from iopdesk.domain.enums import AttendanceStatus, AuditOutcome, EpisodeStatus
from iopdesk.domain.errors import PermissionDenied


def _stored(factory, facilitator_id: int, day) -> list[GroupMeeting]:
    with factory() as s:
        return list(s.scalars(select(GroupMeeting).where(
            GroupMeeting.meeting_date == day, GroupMeeting.facilitator_id == facilitator_id,
            GroupMeeting.cancelled.is_(False)).order_by(GroupMeeting.start_time)))


def _front_desk_counts(services, actor, day) -> dict[int, tuple[int, int]]:
    """(expected, recorded) of each meeting of the day, as the front desk's list has them."""
    return {m.meeting_id: (len(m.expected), sum(p.attendance is not None for p in m.expected))
            for m in services.today.front_desk(actor, day)}


def test_a_clinician_s_groups_today_with_who_is_expected(demo, people):
    services, factory = demo
    clinician = people["clinician"]
    groups = services.today.my_groups(clinician, TODAY)
    stored = _stored(factory, clinician.user_id, TODAY)
    assert groups and [g.meeting_id for g in groups] == [m.id for m in stored]
    counts = _front_desk_counts(services, clinician, TODAY)
    for group, meeting in zip(groups, stored, strict=True):
        assert (group.start_time, group.end_time, group.title, group.topic, group.track_id) == \
            (meeting.start_time, meeting.end_time, meeting.title, meeting.topic,
             meeting.track_id)
        assert group.meeting_date == TODAY and group.track_name
        assert (group.expected_count, group.recorded_count) == counts[group.meeting_id]
        assert group.expected_count > 5 and group.recorded_count == 0
    assert services.today.my_groups(clinician) == groups                  # today by default


def test_only_the_actor_s_own_groups_in_time_order(demo, people):
    services, factory = demo
    day = next(TODAY - timedelta(days=n) for n in range(1, 15)
               if len(_stored(factory, people["supervisor"].user_id,
                              TODAY - timedelta(days=n))) >= 1)
    for name in ("clinician", "supervisor", "associate"):
        actor = people[name]
        groups = services.today.my_groups(actor, day)
        assert [g.meeting_id for g in groups] == [m.id for m in _stored(factory, actor.user_id,
                                                                        day)]
        assert [g.start_time for g in groups] == sorted(g.start_time for g in groups)
    # a past day's groups have their attendance recorded, counted as the front desk counts it
    counts = _front_desk_counts(services, people["supervisor"], day)
    for group in services.today.my_groups(people["supervisor"], day):
        assert (group.expected_count, group.recorded_count) == counts[group.meeting_id]
        assert group.recorded_count > 0
    assert services.today.my_groups(people["frontdesk"], TODAY) == ()     # leads none
    assert services.today.my_groups(people["admin"], TODAY) == ()


def test_recorded_attendance_cancelled_and_other_tracks_count_as_the_front_desk_does(
        demo, people):
    services, factory = demo
    clinician = people["clinician"]
    [group, *_] = services.today.my_groups(clinician, TODAY)
    with factory.begin() as s:
        # someone of another track checks in at this group; someone of its own is late
        stranger = s.scalar(select(Episode).where(Episode.track_id != group.track_id,
                                                  Episode.status == EpisodeStatus.ACTIVE))
        own = s.scalar(select(Episode).where(Episode.track_id == group.track_id,
                                             Episode.status == EpisodeStatus.ACTIVE,
                                             Episode.admission_date <= TODAY))
        for episode, status in ((stranger, AttendanceStatus.PRESENT),
                                (own, AttendanceStatus.LATE)):
            s.add(Attendance(meeting_id=group.meeting_id, episode_id=episode.id, status=status,
                             minutes_credited=50))
    [again, *_] = services.today.my_groups(clinician, TODAY)
    assert (again.expected_count, again.recorded_count) == \
        (group.expected_count + 1, 2) == \
        _front_desk_counts(services, clinician, TODAY)[group.meeting_id]

    with factory.begin() as s:
        s.get(GroupMeeting, group.meeting_id).cancelled = True
    assert group.meeting_id not in {g.meeting_id
                                    for g in services.today.my_groups(clinician, TODAY)}


def test_a_day_without_groups_is_empty(demo, people):
    services, _ = demo
    assert services.today.my_groups(people["clinician"], TODAY + timedelta(days=400)) == ()


def test_a_disabled_account_is_refused_and_the_refusal_audited(demo, people):
    services, factory = demo
    clinician = people["clinician"]
    services.users.disable_user(people["admin"], clinician.user_id, "Left the practice")
    with pytest.raises(PermissionDenied):
        services.today.my_groups(clinician, TODAY)
    with factory() as s:
        refusal = s.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert (refusal.action, refusal.outcome, refusal.username) == (
        "today.my_groups", AuditOutcome.REFUSED, "clinician")


def test_reading_the_groups_writes_no_audit_event(demo, people):
    """A list, like the front desk's: not audited (a refusal is, above)."""
    services, factory = demo
    with factory() as s:
        before = s.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    services.today.my_groups(people["clinician"], TODAY)
    with factory() as s:
        assert s.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) == before
