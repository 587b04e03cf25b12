"""The program schedule through its service: weekly blocks and the meetings made from them
ahead, closures that cancel and reinstate a day's meetings, meetings moved, cancelled and
given another facilitator one by one, the week view; bad input refused at its field with
nothing stored, administrators alone editing, every change audited and no read."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from schedule_support import add_staff, add_track, make_block, meetings_on
from sqlalchemy import delete, event, func, select

from iopdesk.db.models import (Attendance, AuditEvent, Closure, GroupMeeting, GroupSchedule,
                               ProgramTrack, StaffUser)
from iopdesk.domain.enums import AttendanceStatus, AuditOutcome, Role
from iopdesk.domain.errors import (Conflict, NotFound, PermissionDenied, StaleVersion,
                                   ValidationError)
from iopdesk.domain.schedule import BlockInput, ClosureInput
from iopdesk.services import build_services
from iopdesk.services.schedule import ensure_meetings

from support import AUDIT_KEY, TODAY

NINE, NOON, ONE = time(9), time(12), time(13)
NEXT_MONDAY = TODAY + timedelta(days=7)
MONDAYS_AHEAD = 9          # TODAY through TODAY + 8 weeks, both Mondays


def _count(session_factory, model, *where) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _events(session_factory, action: str) -> list[AuditEvent]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def _meeting(session_factory, meeting_id: int) -> GroupMeeting:
    with session_factory() as s:
        return s.get(GroupMeeting, meeting_id)


def _block_meetings(session_factory, block_id: int) -> list[GroupMeeting]:
    with session_factory() as s:
        return list(s.scalars(select(GroupMeeting).where(GroupMeeting.schedule_id == block_id)
                              .order_by(GroupMeeting.meeting_date)))


def _attend(services, actors, lan, track_id, session_factory, meeting_id: int,
            status: AttendanceStatus = AttendanceStatus.PRESENT) -> None:
    """Lan's attendance at the meeting, stored as the attendance service stores it."""
    clinician = actors["clinician"]
    episodes = services.episodes.list(clinician, lan.id)
    episode = episodes[0] if episodes else services.episodes.admit(
        clinician, lan.id, track_id, TODAY - timedelta(days=14), clinician.user_id)
    with session_factory.begin() as s:
        s.add(Attendance(meeting_id=meeting_id, episode_id=episode.id, status=status,
                         check_in_at=datetime(2026, 11, 16, 17, tzinfo=UTC)
                         if status != AttendanceStatus.ABSENT else None))


# ---- blocks and the meetings made from them --------------------------------------------------

def test_a_block_makes_its_meetings_ahead_once(services, actors, track_id, session_factory):
    admin, clinician = actors["admin"], actors["clinician"]
    block = make_block(services, admin, track_id, 0, NINE, NOON, title="Relapse prevention",
                       facilitator_id=clinician.user_id)
    assert (block.weekday_name, block.facilitator_name, block.version) == (
        "Monday", "Clinician", 1)
    meetings = _block_meetings(session_factory, block.id)
    assert [m.meeting_date for m in meetings] == [TODAY + timedelta(weeks=n)
                                                  for n in range(MONDAYS_AHEAD)]
    [monday] = meetings_on(services, actors["front_desk"], track_id, TODAY)
    assert (monday.title, monday.window, monday.facilitator_name, monday.cancelled) == (
        "Relapse prevention", "09:00-12:00", "Clinician", False)
    [added] = _events(session_factory, "schedule.add_block")
    [made] = _events(session_factory, "schedule.generate")
    assert (added.entity_id, added.outcome) == (block.id, AuditOutcome.OK)
    assert made.detail["made"] == MONDAYS_AHEAD
    # made again: nothing new, and no event saying nothing happened
    assert services.schedule.generate(admin) == 0
    assert len(_events(session_factory, "schedule.generate")) == 1
    assert services.schedule.generate(admin, TODAY + timedelta(weeks=10)) == 2
    assert _events(session_factory, "schedule.generate")[-1].detail["made"] == 2
    assert _count(session_factory, GroupMeeting) == MONDAYS_AHEAD + 2
    assert services.schedule.blocks(actors["front_desk"], track_id) == (block,)


def test_meetings_start_at_the_later_of_today_and_the_first_date(services, actors, track_id,
                                                                  session_factory):
    block = make_block(services, actors["admin"], track_id, 2, NINE, NOON,
                       effective_from=TODAY - timedelta(days=30),
                       effective_to=TODAY + timedelta(days=16))
    assert [m.meeting_date for m in _block_meetings(session_factory, block.id)] == [
        date(2026, 11, 18), date(2026, 11, 25), date(2026, 12, 2)]
    later = make_block(services, actors["admin"], track_id, 4, NINE, NOON,
                       effective_from=date(2027, 1, 1))
    assert [m.meeting_date for m in _block_meetings(session_factory, later.id)] == [
        date(2027, 1, 1), date(2027, 1, 8)]


def test_ensure_meetings_is_one_query_when_nothing_is_missing(services, actors, track_id,
                                                              session_factory, issuer):
    make_block(services, actors["admin"], track_id, 0, NINE, NOON)
    make_block(services, actors["admin"], track_id, 3, NINE, NOON)
    statements = []
    engine = session_factory.kw["bind"]
    listener = lambda *args: statements.append(args[2])
    event.listen(engine, "before_cursor_execute", listener)
    try:
        with session_factory.begin() as s:
            assert ensure_meetings(s, issuer, actors["front_desk"], TODAY) == 0
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len([q for q in statements if q.lstrip().upper().startswith("SELECT")]) == 1
    assert not [q for q in statements if "INSERT" in q.upper()]


@pytest.mark.postgresql_only(reason="SQLite lets one workstation write at a time: no race")
def test_meetings_made_meanwhile_elsewhere_are_not_made_twice(services, actors, track_id,
                                                              session_factory, issuer):
    """Two workstations opening the day at once (a database server; SQLite has one writer
    at a time): the second makes only what the first did not."""
    block = make_block(services, actors["admin"], track_id, 0, NINE, NOON)
    with session_factory.begin() as s:
        s.execute(delete(GroupMeeting))
    first = []

    def elsewhere(session, _context, _instances):
        """Just before this session writes: another workstation commits today's meeting."""
        if not first:
            with session_factory.begin() as other:
                other.add(GroupMeeting(schedule_id=block.id, track_id=track_id,
                                       meeting_date=TODAY, start_time=NINE, end_time=NOON,
                                       title="Process group"))
            first.append(TODAY)

    with session_factory.begin() as s:
        event.listen(s, "before_flush", elsewhere)
        made = ensure_meetings(s, issuer, actors["front_desk"], TODAY + timedelta(weeks=8))
    assert (first, made) == ([TODAY], MONDAYS_AHEAD - 1)
    assert len(_block_meetings(session_factory, block.id)) == MONDAYS_AHEAD


def test_editing_a_block_moves_the_meetings_to_come_only(services, actors, track_id, lan,
                                                         session_factory):
    admin, clinician, supervisor = actors["admin"], actors["clinician"], actors["supervisor"]
    earlier = build_services(session_factory, "test-station", audit_key=AUDIT_KEY,
                             today=lambda: TODAY - timedelta(weeks=1))
    past_admin = earlier.staff._ctx.issue_actor(user_id=admin.user_id, username=admin.username,
                                                display_name=admin.display_name,
                                                roles=admin.roles)
    block = make_block(earlier, past_admin, track_id, 0, NINE, NOON, title="Process group",
                       facilitator_id=clinician.user_id,
                       effective_from=TODAY - timedelta(weeks=1))
    held, today_m, attended, changed_by_hand, *rest = _block_meetings(session_factory,
                                                                      block.id)
    _attend(services, actors, lan, track_id, session_factory, attended.id)
    services.schedule.update_meeting(admin, changed_by_hand.id, changed_by_hand.version,
                                     supervisor.user_id, "Anger")
    edited = services.schedule.update_block(
        admin, block.id, block.version,
        replace(block.as_input(), start_time=time(10), end_time=ONE, title="Coping skills",
                facilitator_id=supervisor.user_id))
    assert (edited.start_time, edited.title, edited.version) == (time(10), "Coping skills", 2)
    after = {m.id: m for m in _block_meetings(session_factory, block.id)}
    assert (after[held.id].start_time, after[held.id].title) == (NINE, "Process group")
    assert (after[attended.id].start_time, after[attended.id].title) == (NINE, "Process group")
    assert (after[today_m.id].start_time, after[today_m.id].end_time,
            after[today_m.id].title, after[today_m.id].facilitator_id) == (
        time(10), ONE, "Coping skills", supervisor.user_id)
    assert after[changed_by_hand.id].start_time == time(10)
    assert after[changed_by_hand.id].topic == "Anger"
    assert all(after[m.id].start_time == time(10) for m in rest)
    [update] = _events(session_factory, "schedule.update_block")
    assert update.detail["fields"] == ["end_time", "facilitator_id", "start_time", "title"]


def test_another_weekday_remakes_the_meetings_to_come(services, actors, track_id, lan,
                                                      session_factory):
    admin = actors["admin"]
    block = make_block(services, admin, track_id, 0, NINE, NOON)
    first, *_ = _block_meetings(session_factory, block.id)
    _attend(services, actors, lan, track_id, session_factory, first.id)
    services.schedule.update_block(admin, block.id, block.version,
                                   replace(block.as_input(), weekday=2))
    dates = [m.meeting_date for m in _block_meetings(session_factory, block.id)]
    assert dates[0] == TODAY                                  # attended: kept
    assert all(d.weekday() == 2 for d in dates[1:]) and len(dates) == 1 + 8
    assert services.schedule.generate(admin) == 0


def test_a_stale_block_edit_is_refused(services, actors, track_id, session_factory):
    admin = actors["admin"]
    block = make_block(services, admin, track_id, 0, NINE, NOON)
    services.schedule.update_block(admin, block.id, block.version,
                                   replace(block.as_input(), title="Coping skills"))
    with pytest.raises(StaleVersion) as refused:
        services.schedule.update_block(admin, block.id, block.version,
                                       replace(block.as_input(), start_time=time(8)))
    message = str(refused.value)
    assert "The block Coping skills was changed by someone else" in message
    assert "Admin (admin)" in message and "(changed: title)" in message
    with session_factory() as s:
        stored = s.get(GroupSchedule, block.id)
        assert (stored.title, stored.start_time, stored.version) == ("Coping skills", NINE, 2)


def test_ending_a_block_cancels_its_later_meetings(services, actors, track_id, lan,
                                                   session_factory):
    admin = actors["admin"]
    block = make_block(services, admin, track_id, 0, NINE, NOON)
    meetings = _block_meetings(session_factory, block.id)
    _attend(services, actors, lan, track_id, session_factory, meetings[4].id)
    last = TODAY + timedelta(weeks=2)
    ended = services.schedule.end_block(admin, block.id, block.version, last)
    assert (ended.effective_to, ended.version) == (last, 2)
    after = _block_meetings(session_factory, block.id)
    assert [m.cancelled for m in after[:3]] == [False] * 3
    assert after[4].cancelled is False                        # attendance recorded: kept
    assert {m.cancel_reason for i, m in enumerate(after[3:], 3) if i != 4} == {"Schedule ended"}
    assert services.schedule.generate(admin) == 0
    [end] = _events(session_factory, "schedule.end_block")
    assert end.detail["cancelled"] == MONDAYS_AHEAD - 4
    # going on after all: what its end cancelled is back
    services.schedule.update_block(admin, block.id, ended.version,
                                   replace(ended.as_input(), effective_to=None))
    assert not [m for m in _block_meetings(session_factory, block.id) if m.cancelled]
    ended = services.schedule.blocks(admin, track_id)[0]
    with pytest.raises(ValidationError) as refused:
        services.schedule.end_block(admin, block.id, ended.version, TODAY - timedelta(days=1))
    assert "before the block starts" in refused.value.fields["effective_to"]


# ---- bad input -------------------------------------------------------------------------------

GOOD = BlockInput(weekday=0, start_time=NINE, end_time=NOON, title="Process group",
                  facilitator_id=None, effective_from=TODAY)


@pytest.mark.parametrize("change, field, words", [
    ({"end_time": time(8)}, "end_time", "not after the start time"),
    ({"end_time": NINE}, "end_time", "not after the start time"),
    ({"start_time": None}, "start_time", "required"),
    ({"weekday": 7}, "weekday", "0 (Monday) to 6 (Sunday)"),
    ({"weekday": -1}, "weekday", "0 (Monday) to 6 (Sunday)"),
    ({"title": "   "}, "title", "Title is required"),
    ({"title": "t" * 121}, "title", "longer than 120"),
    ({"effective_to": TODAY - timedelta(days=1)}, "effective_to", "before the first date"),
    ({"effective_from": None}, "effective_from", "required"),
    ({"facilitator_id": 424242}, "facilitator_id", "does not exist"),
])
def test_a_bad_block_is_refused_at_its_field(services, actors, track_id, session_factory,
                                             change, field, words):
    with pytest.raises(ValidationError) as refused:
        services.schedule.add_block(actors["admin"], track_id, replace(GOOD, **change))
    assert words in refused.value.fields[field]
    assert _count(session_factory, GroupSchedule) == _count(session_factory, GroupMeeting) == 0
    assert not _events(session_factory, "schedule.add_block")


@pytest.mark.parametrize("role, active, words", [
    (Role.FRONT_DESK, True, "is not a clinician or supervisor"),
    (Role.ADMIN, True, "is not a clinician or supervisor"),
    (Role.CLINICIAN, False, "is no longer an active user"),
])
def test_a_facilitator_must_be_an_active_clinician(services, actors, track_id, session_factory,
                                                   role, active, words):
    user_id = add_staff(session_factory, "someone", role, active=active)
    with pytest.raises(ValidationError) as refused:
        services.schedule.add_block(actors["admin"], track_id,
                                    replace(GOOD, facilitator_id=user_id))
    assert words in refused.value.fields["facilitator_id"]
    assert _count(session_factory, GroupSchedule) == 0
    supervisor = add_staff(session_factory, "onlysup", Role.SUPERVISOR)
    assert services.schedule.add_block(actors["admin"], track_id, replace(
        GOOD, facilitator_id=supervisor)).facilitator_name == "Onlysup"


def test_an_unknown_track_is_refused(services, actors, track_id, session_factory):
    with pytest.raises(ValidationError) as refused:
        services.schedule.add_block(actors["admin"], 424242, GOOD)
    assert "does not exist" in refused.value.fields["track_id"]
    with pytest.raises(ValidationError) as refused:
        services.schedule.add_closure(actors["admin"], ClosureInput(TODAY, "Training", 424242))
    assert "does not exist" in refused.value.fields["track_id"]
    assert _count(session_factory, GroupSchedule) == _count(session_factory, Closure) == 0


# ---- closures --------------------------------------------------------------------------------

def test_a_practice_closure_cancels_every_track_and_removing_it_reinstates(
        services, actors, track_id, session_factory):
    admin = actors["admin"]
    teens = add_track(session_factory, track_id, "Adolescent IOP")
    make_block(services, admin, track_id, 0, NINE, NOON)
    make_block(services, admin, teens, 0, time(15), time(18))
    [own] = meetings_on(services, admin, track_id, NEXT_MONDAY)
    services.schedule.cancel_meeting(admin, own.id, own.version, "Facilitator ill")
    closure = services.schedule.add_closure(admin, ClosureInput(NEXT_MONDAY, " Staff  training "))
    assert (closure.reason, closure.scope) == ("Staff training", "Whole practice")
    [own] = meetings_on(services, admin, track_id, NEXT_MONDAY)
    [theirs] = meetings_on(services, admin, teens, NEXT_MONDAY)
    assert own.cancel_reason == "Facilitator ill"             # cancelled before: stays so
    assert (theirs.cancelled, theirs.cancel_reason) == (True, "Closed: Staff training")
    assert meetings_on(services, admin, teens, TODAY)[0].cancelled is False
    week = services.schedule.week(actors["front_desk"], teens, NEXT_MONDAY + timedelta(days=2))
    assert week.days[0].closures == (closure,)
    assert services.schedule.closures(actors["front_desk"], TODAY, NEXT_MONDAY) == (closure,)
    assert services.schedule.remove_closure(admin, closure.id, closure.version) == 1
    [own] = meetings_on(services, admin, track_id, NEXT_MONDAY)
    [theirs] = meetings_on(services, admin, teens, NEXT_MONDAY)
    assert (own.cancelled, own.cancel_reason) == (True, "Facilitator ill")
    assert (theirs.cancelled, theirs.cancel_reason) == (False, "")
    assert _count(session_factory, Closure) == 0
    [added] = _events(session_factory, "schedule.add_closure")
    [removed] = _events(session_factory, "schedule.remove_closure")
    assert (added.detail["cancelled"], removed.detail["reinstated"]) == (1, 1)
    assert removed.entity_id == closure.id


def test_a_track_closure_touches_that_track_alone(services, actors, track_id, session_factory):
    admin = actors["admin"]
    teens = add_track(session_factory, track_id, "Adolescent IOP")
    make_block(services, admin, track_id, 0, NINE, NOON)
    make_block(services, admin, teens, 0, time(15), time(18))
    track_closed = services.schedule.add_closure(
        admin, ClosureInput(NEXT_MONDAY, "Retreat", track_id))
    assert track_closed.scope == "Adult SUD IOP"
    assert meetings_on(services, admin, track_id, NEXT_MONDAY)[0].cancel_reason == \
        "Closed: Retreat"
    assert meetings_on(services, admin, teens, NEXT_MONDAY)[0].cancelled is False
    assert services.schedule.week(admin, teens, NEXT_MONDAY).days[0].closures == ()
    # the practice closes too; opening the track again leaves the practice's reason
    services.schedule.add_closure(admin, ClosureInput(NEXT_MONDAY, "Snow"))
    assert services.schedule.remove_closure(admin, track_closed.id, track_closed.version) == 0
    [own] = meetings_on(services, admin, track_id, NEXT_MONDAY)
    assert (own.cancelled, own.cancel_reason) == (True, "Closed: Snow")


def test_meetings_made_later_on_a_closed_day_are_made_cancelled(services, actors, track_id,
                                                                session_factory):
    admin = actors["admin"]
    far = TODAY + timedelta(weeks=9)
    services.schedule.add_closure(admin, ClosureInput(far, "Holiday"))
    make_block(services, admin, track_id, 0, NINE, NOON)
    assert meetings_on(services, admin, track_id, far) == ()
    assert services.schedule.generate(admin, far) == 1
    [made] = meetings_on(services, admin, track_id, far)
    assert (made.cancelled, made.cancel_reason) == (True, "Closed: Holiday")


def test_bad_closures_are_refused(services, actors, track_id, lan, session_factory):
    admin = actors["admin"]
    make_block(services, admin, track_id, 0, NINE, NOON)
    services.schedule.add_closure(admin, ClosureInput(NEXT_MONDAY, "Holiday"))
    cases = [(ClosureInput(NEXT_MONDAY, "   "), "reason", "Reason is required"),
             (ClosureInput(None, "Holiday"), "closure_date", "Date is required"),
             (ClosureInput(NEXT_MONDAY, "Again"), "closure_date", "already closed")]
    [today_m] = meetings_on(services, admin, track_id, TODAY)
    _attend(services, actors, lan, track_id, session_factory, today_m.id,
            AttendanceStatus.ABSENT)
    cases += [(ClosureInput(TODAY, "Power cut"), "closure_date", "Attendance is already"),
              (ClosureInput(TODAY, "Power cut", track_id), "closure_date",
               "Attendance is already")]
    for data, field, words in cases:
        with pytest.raises(ValidationError) as refused:
            services.schedule.add_closure(admin, data)
        assert words in refused.value.fields[field], data
    assert _count(session_factory, Closure) == 1
    assert meetings_on(services, admin, track_id, TODAY)[0].cancelled is False
    assert len(_events(session_factory, "schedule.add_closure")) == 1


# ---- meetings one by one ---------------------------------------------------------------------

def test_moving_a_meeting(services, actors, track_id, lan, session_factory):
    admin = actors["admin"]
    make_block(services, admin, track_id, 0, NINE, NOON)
    make_block(services, admin, track_id, 1, NINE, NOON, title="Family group")
    [monday] = meetings_on(services, admin, track_id, NEXT_MONDAY)
    tuesday = NEXT_MONDAY + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.schedule.move_meeting(admin, monday.id, monday.version, tuesday, time(11), ONE)
    assert "overlap Family group (09:00-12:00)" in refused.value.fields["start_time"]
    wednesday = tuesday + timedelta(days=1)
    services.schedule.add_closure(admin, ClosureInput(wednesday, "Inservice"))
    with pytest.raises(ValidationError) as refused:
        services.schedule.move_meeting(admin, monday.id, monday.version, wednesday, NINE, NOON)
    assert "is closed (Inservice)" in refused.value.fields["meeting_date"]
    with pytest.raises(ValidationError) as refused:
        services.schedule.move_meeting(admin, monday.id, monday.version, tuesday, ONE, NOON)
    assert "end_time" in refused.value.fields
    assert _meeting(session_factory, monday.id).meeting_date == NEXT_MONDAY
    assert not _events(session_factory, "meeting.move")

    moved = services.schedule.move_meeting(admin, monday.id, monday.version, tuesday,
                                           time(12, 30), time(15))
    assert (moved.id, moved.meeting_date, moved.window, moved.schedule_id, moved.version) == (
        monday.id, tuesday, "12:30-15:00", None, 2)
    [left] = meetings_on(services, admin, track_id, NEXT_MONDAY)
    assert (left.cancelled, left.cancel_reason) == (True, f"Moved to {tuesday.isoformat()}")
    assert services.schedule.generate(admin) == 0            # not made again on Monday
    assert [m.title for m in meetings_on(services, admin, track_id, tuesday)] == [
        "Family group", "Process group"]
    [move] = _events(session_factory, "meeting.move")
    assert (move.entity_id, move.detail["from"], move.detail["to"]) == (
        monday.id, NEXT_MONDAY.isoformat(), tuesday.isoformat())
    with pytest.raises(StaleVersion):
        services.schedule.move_meeting(admin, monday.id, monday.version, tuesday, NINE, NOON)

    [today_m] = meetings_on(services, admin, track_id, TODAY)
    _attend(services, actors, lan, track_id, session_factory, today_m.id,
            AttendanceStatus.ABSENT)
    with pytest.raises(Conflict, match="attendance recorded"):
        services.schedule.move_meeting(admin, today_m.id, today_m.version, TODAY, time(10), ONE)
    assert _meeting(session_factory, today_m.id).start_time == NINE


def test_cancelling_a_meeting(services, actors, track_id, lan, session_factory):
    admin = actors["admin"]
    make_block(services, admin, track_id, 0, NINE, NOON)
    [today_m] = meetings_on(services, admin, track_id, TODAY)
    with pytest.raises(ValidationError) as refused:
        services.schedule.cancel_meeting(admin, today_m.id, today_m.version, "  ")
    assert refused.value.fields["reason"] == "Reason is required"
    _attend(services, actors, lan, track_id, session_factory, today_m.id, AttendanceStatus.LATE)
    with pytest.raises(Conflict, match="1 person is checked in"):
        services.schedule.cancel_meeting(admin, today_m.id, today_m.version, "Flood")
    assert _meeting(session_factory, today_m.id).cancelled is False
    [next_m] = meetings_on(services, admin, track_id, NEXT_MONDAY)
    cancelled = services.schedule.cancel_meeting(admin, next_m.id, next_m.version, "Flood")
    assert (cancelled.cancelled, cancelled.cancel_reason, cancelled.version) == (
        True, "Flood", 2)
    [event_] = _events(session_factory, "meeting.cancel")
    assert (event_.entity_id, event_.detail["reason"]) == (next_m.id, "Flood")
    assert not _events(session_factory, "schedule.week")    # reads are not audited
    with pytest.raises(NotFound):
        services.schedule.cancel_meeting(admin, 424242, 1, "Flood")


def test_another_facilitator_or_topic_for_one_meeting(services, actors, track_id,
                                                      session_factory):
    admin, supervisor = actors["admin"], actors["supervisor"]
    make_block(services, admin, track_id, 0, NINE, NOON, facilitator_id=actors["clinician"].user_id)
    [meeting] = meetings_on(services, admin, track_id, TODAY)
    with pytest.raises(ValidationError) as refused:
        services.schedule.update_meeting(admin, meeting.id, meeting.version,
                                         actors["front_desk"].user_id, "Anger")
    assert "is not a clinician" in refused.value.fields["facilitator_id"]
    changed = services.schedule.update_meeting(admin, meeting.id, meeting.version,
                                               supervisor.user_id, "  Anger   management ")
    assert (changed.facilitator_name, changed.topic, changed.version) == (
        "Supervisor", "Anger management", 2)
    [update] = _events(session_factory, "meeting.update")
    assert update.detail["fields"] == ["facilitator_id", "topic"]
    with session_factory.begin() as s:
        s.get(StaffUser, supervisor.user_id).active = False   # has left: kept where stored
    changed = services.schedule.update_meeting(admin, meeting.id, changed.version,
                                               supervisor.user_id, "Grief")
    assert (changed.facilitator_name, changed.topic) == ("Supervisor", "Grief")
    with pytest.raises(StaleVersion):
        services.schedule.update_meeting(admin, meeting.id, meeting.version, None, "")


# ---- the week, and who may do what -----------------------------------------------------------

def test_the_week_follows_the_tracks_week_start(services, actors, track_id, session_factory):
    make_block(services, actors["admin"], track_id, 2, NINE, NOON)
    with session_factory.begin() as s:
        s.get(ProgramTrack, track_id).week_start = 6           # weeks from Sunday
    week = services.schedule.week(actors["front_desk"], track_id, TODAY)
    assert (week.first, week.last, week.track_name) == (
        date(2026, 11, 15), date(2026, 11, 21), "Adult SUD IOP")
    assert [len(d.meetings) for d in week.days] == [0, 0, 0, 1, 0, 0, 0]
    assert [d.day.weekday() for d in week.days] == [6, 0, 1, 2, 3, 4, 5]


def test_only_administrators_edit_the_schedule(services, actors, track_id, session_factory):
    for who in ("front_desk", "clinician", "supervisor"):
        with pytest.raises(PermissionDenied):
            services.schedule.add_block(actors[who], track_id, GOOD)
    refusals = _events(session_factory, "schedule.add_block")
    assert [(e.username, e.outcome) for e in refusals] == [
        ("frontdesk", AuditOutcome.REFUSED), ("clinician", AuditOutcome.REFUSED),
        ("supervisor", AuditOutcome.REFUSED)]
    assert _count(session_factory, GroupSchedule) == 0
    with pytest.raises(PermissionDenied):
        services.schedule.generate(actors["front_desk"])
    block = make_block(services, actors["admin"], track_id, 0, NINE, NOON)
    assert services.schedule.blocks(actors["front_desk"], track_id) == (block,)
    assert not [e for e in _events(session_factory, "schedule.blocks")]
