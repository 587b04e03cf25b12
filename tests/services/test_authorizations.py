"""Authorizations through the service: added, listed (newest range first), edited; the units
used counted from the days' attendance and sessions at the per-diem threshold; the warnings
(units low, used up, ending, ended) and Today's list of them; bad input refused at its field
with nothing stored; every read and change audited with whose record it is.

The days' attendance is written straight into the database (meetings, attendance rows,
sessions), so these tests do not depend on the schedule and attendance services."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from chart_support import COVERAGE
from sqlalchemy import func, select

from iopdesk.db.models import (Attendance, AuditEvent, Authorization, ClinicalSession, Episode,
                               GroupMeeting)
from iopdesk.domain.authorizations import AuthorizationInput
from iopdesk.domain.enums import AttendanceStatus, EpisodeStatus, SessionKind
from iopdesk.domain.errors import NotFound, StaleVersion, ValidationError
from iopdesk.domain.validation import ParticipantInput

from support import TODAY

ADMITTED = date(2026, 11, 2)
NOVEMBER = AuthorizationInput(payer="Cascade Health Plan", number="CHP-2026-0042", units=20,
                              first_date=date(2026, 11, 2), last_date=date(2026, 12, 31))
OMAR = ParticipantInput(first_name="Omar", last_name="Haddad", date_of_birth=date(1979, 6, 1))


@pytest.fixture
def episode(services, actors, lan, track_id):
    clinician = actors["clinician"]
    return services.episodes.admit(clinician, lan.id, track_id, ADMITTED, clinician.user_id)


def _other(services, actors, track_id, first_name: str = "Omar"):
    """Another participant (Omar Haddad), admitted on the same day under the supervisor as
    primary clinician."""
    person = services.participants.register(actors["front_desk"],
                                            replace(OMAR, first_name=first_name))
    episode = services.episodes.admit(actors["clinician"], person.id, track_id, ADMITTED,
                                      actors["supervisor"].user_id)
    return person, episode


def _day(session_factory, episode_id: int, day: date, *groups: int,
         sessions: tuple[tuple[SessionKind, int], ...] = (), clinician_id: int) -> None:
    """The episode's day: a meeting with its attendance row per credited minutes in
    `groups`, and the documented sessions."""
    with session_factory.begin() as s:
        track_id = s.get(Episode, episode_id).track_id
        for n, minutes in enumerate(groups):
            meeting = GroupMeeting(track_id=track_id, meeting_date=day, start_time=time(9 + 4 * n),
                                   end_time=time(12 + 4 * n), title="Process group")
            s.add(meeting)
            s.flush()
            s.add(Attendance(meeting_id=meeting.id, episode_id=episode_id,
                             status=AttendanceStatus.PRESENT, minutes_credited=minutes))
        for kind, minutes in sessions:
            s.add(ClinicalSession(kind=kind, episode_id=episode_id, clinician_id=clinician_id,
                                  session_date=day, minutes=minutes))


def _attended(session_factory, episode_id: int, clinician_id: int, days: int) -> None:
    """Full days (180 minutes of group) from the admission on, one per weekday."""
    day = ADMITTED
    for _ in range(days):
        _day(session_factory, episode_id, day, 180, clinician_id=clinician_id)
        day += timedelta(days=3 if day.weekday() == 4 else 1)


def _count(session_factory) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(Authorization))


def _events(session_factory, action: str) -> list[AuditEvent]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def _kinds(view) -> set[str]:
    return {w.kind for w in view.warnings}


def test_add_list_update_by_the_front_desk_audited(services, actors, lan, episode,
                                                    session_factory):
    desk = actors["front_desk"]
    october = services.authorizations.add(desk, episode.id, replace(
        NOVEMBER, number="CHP-2026-0041", first_date=date(2026, 10, 1),
        last_date=date(2026, 11, 1), units=12, notes="Requested at intake"))
    november = services.authorizations.add(desk, episode.id, NOVEMBER)
    assert (november.payer, november.number, november.units, november.used, november.remaining,
            november.first, november.last, november.level_of_care, november.version) == (
        "Cascade Health Plan", "CHP-2026-0042", 20, 0, 20, date(2026, 11, 2),
        date(2026, 12, 31), "2.1", 1)
    assert (november.episode_id, november.participant_id) == (episode.id, lan.id)
    assert services.authorizations.list(desk, lan.id) == (november, october)   # newest first
    edited = services.authorizations.update(desk, november.id, november.version,
                                            replace(NOVEMBER, units=24, notes="Extended"))
    assert (edited.units, edited.remaining, edited.notes, edited.version) == (
        24, 24, "Extended", 2)
    assert services.authorizations.list(desk, lan.id)[0] == edited
    assert _count(session_factory) == 2
    for action in ("authorization.view", "authorization.add", "authorization.update"):
        events = _events(session_factory, action)
        assert events and {e.participant_id for e in events} == {lan.id}, action
        assert {e.username for e in events} == {"frontdesk"}, action
    [update] = _events(session_factory, "authorization.update")
    assert (update.entity, update.entity_id, update.detail) == (
        "authorizations", november.id, {"fields": ["notes", "units"]})
    assert [e.entity_id for e in _events(session_factory, "authorization.add")] == [
        october.id, november.id]


def test_units_used_are_days_at_the_per_diem_threshold(services, actors, lan, episode,
                                                       track_id, session_factory):
    who = actors["clinician"].user_id
    _day(session_factory, episode.id, date(2026, 11, 1), 240, clinician_id=who)  # before
    _day(session_factory, episode.id, date(2026, 11, 2), 180, clinician_id=who)   # counts
    _day(session_factory, episode.id, date(2026, 11, 3), 179, clinician_id=who)   # a minute short
    _day(session_factory, episode.id, date(2026, 11, 4), 120, clinician_id=who,   # counts
         sessions=((SessionKind.INDIVIDUAL, 60),))
    _day(session_factory, episode.id, date(2026, 11, 5), 120, clinician_id=who,
         sessions=((SessionKind.FAMILY, 59),))                                    # 179
    _day(session_factory, episode.id, date(2026, 11, 6), 90, 90, clinician_id=who)  # counts
    _day(session_factory, episode.id, date(2026, 11, 9), clinician_id=who,         # counts
         sessions=((SessionKind.INTAKE, 100), (SessionKind.INDIVIDUAL, 80)))
    _day(session_factory, episode.id, date(2026, 11, 10), 120, clinician_id=who,
         sessions=((SessionKind.GROUP, 60),))     # a group's session: its attendance counts
    _day(session_factory, episode.id, date(2027, 1, 1), 240, clinician_id=who)    # after
    _, other = _other(services, actors, track_id)
    _day(session_factory, other.id, date(2026, 11, 3), 240, clinician_id=who)    # not hers
    desk = actors["front_desk"]
    november = services.authorizations.add(desk, episode.id, NOVEMBER)
    week = services.authorizations.add(desk, episode.id, replace(
        NOVEMBER, number="CHP-2026-0043", first_date=date(2026, 11, 3),
        last_date=date(2026, 11, 5)))
    assert (november.used, november.remaining) == (4, 16)
    assert (week.used, week.remaining) == (1, 19)
    listed = {v.id: v for v in services.authorizations.list(desk, lan.id)}
    assert (listed[november.id].used, listed[week.id].used) == (4, 1)
    current = services.settings.get()
    services.settings.update(actors["admin"], replace(current, per_diem_minutes=120))
    listed = {v.id: v for v in services.authorizations.list(desk, lan.id)}
    assert (listed[november.id].used, listed[week.id].used) == (7, 3)     # the setting counts


def test_warnings_when_few_units_remain_and_when_used_up(services, actors, lan, episode,
                                                         session_factory):
    _attended(session_factory, episode.id, actors["clinician"].user_id, 4)
    desk = actors["front_desk"]
    plenty = services.authorizations.add(desk, episode.id, replace(NOVEMBER, units=8))
    assert (plenty.used, plenty.remaining, plenty.warnings) == (4, 4, ())
    low = services.authorizations.update(desk, plenty.id, plenty.version,
                                         replace(NOVEMBER, units=7))
    assert (low.remaining, _kinds(low)) == (3, {"units_low"})
    assert low.warnings[0].message == "3 of 7 units remain"
    # lowered below the units already used: allowed, and used up
    lowered = services.authorizations.update(desk, low.id, low.version,
                                             replace(NOVEMBER, units=2))
    assert (lowered.units, lowered.used, lowered.remaining, _kinds(lowered)) == (
        2, 4, 0, {"used_up"})
    exactly = services.authorizations.update(desk, low.id, lowered.version,
                                             replace(NOVEMBER, units=4))
    assert (exactly.remaining, _kinds(exactly)) == (0, {"used_up"})


def test_the_units_warning_follows_the_setting(services, actors, lan, episode,
                                               session_factory):
    _attended(session_factory, episode.id, actors["clinician"].user_id, 4)
    view = services.authorizations.add(actors["front_desk"], episode.id,
                                       replace(NOVEMBER, units=9))
    assert view.warnings == ()                                   # 5 remain
    services.settings.update(actors["admin"], replace(services.settings.get(),
                                                      authorization_units_warning=5))
    [listed] = services.authorizations.list(actors["front_desk"], lan.id)
    assert _kinds(listed) == {"units_low"}


@pytest.mark.parametrize("last, kinds", [
    (TODAY + timedelta(days=8), set()), (TODAY + timedelta(days=7), {"ends_soon"}),
    (TODAY, {"ends_soon"}), (TODAY - timedelta(days=1), {"ended"}),
])
def test_warnings_as_the_range_ends(services, actors, episode, last, kinds):
    view = services.authorizations.add(actors["front_desk"], episode.id,
                                       replace(NOVEMBER, last_date=last))
    assert _kinds(view) == kinds


def test_warnings_for_today_of_active_episodes(services, actors, lan, episode, track_id,
                                               session_factory):
    desk, clinician = actors["front_desk"], actors["clinician"]
    _attended(session_factory, episode.id, clinician.user_id, 5)
    # an old range a newer one followed is nobody's concern any more; the newer one is low
    services.authorizations.add(desk, episode.id, replace(
        NOVEMBER, number="OLD-1", first_date=date(2026, 10, 1), last_date=date(2026, 11, 1)))
    hers = services.authorizations.add(desk, episode.id, replace(NOVEMBER, units=7))
    omar, his_episode = _other(services, actors, track_id)
    his = services.authorizations.add(desk, his_episode.id, replace(
        NOVEMBER, payer="Oregon Health Plan", number="OHP-77",
        last_date=TODAY + timedelta(days=3)))
    _, calm_episode = _other(services, actors, track_id, "Karim")
    services.authorizations.add(desk, calm_episode.id, replace(NOVEMBER, number="FINE-1"))
    _, gone_episode = _other(services, actors, track_id, "Samir")
    services.authorizations.add(desk, gone_episode.id, replace(NOVEMBER, units=1,
                                                               number="GONE-1"))
    with session_factory.begin() as s:       # discharged: none of Today's business
        s.get(Episode, gone_episode.id).status = EpisodeStatus.DISCHARGED

    alerts = services.authorizations.warnings(desk)
    assert [a.authorization_id for a in alerts] == [his.id, hers.id]   # the soonest end first
    first, second = alerts
    assert (first.participant_id, first.chart_number, first.participant_name, first.payer,
            first.number, first.remaining, first.last, [w.kind for w in first.warnings]) == (
        omar.id, omar.chart_number, "Haddad, Omar", "Oregon Health Plan", "OHP-77", 20,
        TODAY + timedelta(days=3), ["ends_soon"])
    assert (second.participant_name, second.chart_number, second.remaining,
            [w.kind for w in second.warnings]) == ("Nguyễn, Thị Lan", lan.chart_number, 2,
                                                   ["units_low"])
    mine = services.authorizations.warnings(clinician, clinician.user_id)
    assert [a.authorization_id for a in mine] == [hers.id]
    assert services.authorizations.warnings(clinician, actors["admin"].user_id) == ()
    events = _events(session_factory, "authorization.warnings")
    assert [(e.username, e.participant_id) for e in events] == [
        ("frontdesk", omar.id), ("frontdesk", lan.id), ("clinician", lan.id),
        ("clinician", None)]
    assert events[0].detail == {"authorizations": [his.id], "clinician_id": None}


def test_an_ended_authorization_warns_while_no_newer_one_follows(services, actors, episode):
    desk = actors["front_desk"]
    ended = services.authorizations.add(desk, episode.id, replace(
        NOVEMBER, first_date=date(2026, 10, 1), last_date=date(2026, 11, 10)))
    [alert] = services.authorizations.warnings(desk)
    assert (alert.authorization_id, [w.kind for w in alert.warnings]) == (ended.id, ["ended"])
    services.authorizations.add(desk, episode.id, replace(
        NOVEMBER, number="CHP-2026-0050", first_date=date(2026, 11, 11)))
    assert services.authorizations.warnings(desk) == ()


@pytest.mark.parametrize("change, field", [
    ({"last_date": date(2026, 11, 1)}, "last_date"),
    ({"first_date": None}, "first_date"), ({"last_date": None}, "last_date"),
    ({"units": 0}, "units"), ({"units": -3}, "units"), ({"units": 1001}, "units"),
    ({"units": True}, "units"),
    ({"number": ""}, "number"), ({"number": "   "}, "number"), ({"number": "CHP 42"}, "number"),
    ({"number": "9" * 61}, "number"), ({"payer": ""}, "payer"),
    ({"level_of_care": "3.7"}, "level_of_care"), ({"notes": "bad\x07bell"}, "notes"),
])
def test_bad_input_is_refused_at_the_field_and_nothing_stored(
        services, actors, episode, session_factory, change, field):
    with pytest.raises(ValidationError) as refused:
        services.authorizations.add(actors["front_desk"], episode.id,
                                    replace(NOVEMBER, **change))
    assert field in refused.value.fields
    assert _count(session_factory) == 0


def test_last_date_before_first_date_message(services, actors, episode):
    with pytest.raises(ValidationError) as refused:
        services.authorizations.add(actors["front_desk"], episode.id,
                                    replace(NOVEMBER, last_date=date(2026, 11, 1)))
    assert refused.value.fields["last_date"] == (
        "Last date 2026-11-01 is before the first date 2026-11-02")


def test_a_bad_edit_leaves_the_stored_authorization(services, actors, lan, episode):
    desk = actors["front_desk"]
    view = services.authorizations.add(desk, episode.id, NOVEMBER)
    with pytest.raises(ValidationError) as refused:
        services.authorizations.update(desk, view.id, view.version, replace(NOVEMBER, units=0))
    assert "units" in refused.value.fields
    assert services.authorizations.list(desk, lan.id) == (view,)


def test_an_episode_entered_in_error_takes_no_authorization(services, actors, lan, episode,
                                                            session_factory):
    desk = actors["front_desk"]
    view = services.authorizations.add(desk, episode.id, NOVEMBER)
    services.episodes.enter_in_error(actors["supervisor"], episode.id, episode.version,
                                     "Admitted to the wrong chart")
    with pytest.raises(ValidationError) as refused:
        services.authorizations.add(desk, episode.id, NOVEMBER)
    assert "entered in error" in refused.value.fields["episode_id"]
    with pytest.raises(ValidationError) as refused:
        services.authorizations.update(desk, view.id, view.version, replace(NOVEMBER, units=9))
    assert "episode_id" in refused.value.fields
    assert _count(session_factory) == 1
    [stored] = services.authorizations.list(desk, lan.id)
    assert (stored.units, stored.version) == (20, 1)


def test_unknown_episode_and_authorization(services, actors, session_factory):
    with pytest.raises(NotFound):
        services.authorizations.add(actors["front_desk"], 424242, NOVEMBER)
    with pytest.raises(NotFound):
        services.authorizations.update(actors["front_desk"], 424242, 1, NOVEMBER)
    with pytest.raises(NotFound):
        services.authorizations.list(actors["front_desk"], 424242)
    assert _count(session_factory) == 0


def test_coverage_must_be_the_participant_s_own(services, actors, lan, episode, track_id,
                                                session_factory):
    desk = actors["front_desk"]
    own = services.coverage.add(desk, lan.id, COVERAGE)
    omar, _ = _other(services, actors, track_id)
    theirs = services.coverage.add(desk, omar.id, COVERAGE)
    for coverage_id in (theirs.id, 424242):
        with pytest.raises(ValidationError) as refused:
            services.authorizations.add(desk, episode.id,
                                        replace(NOVEMBER, coverage_id=coverage_id))
        assert "coverage_id" in refused.value.fields
    assert _count(session_factory) == 0
    view = services.authorizations.add(desk, episode.id, replace(NOVEMBER, coverage_id=own.id))
    assert view.coverage_id == own.id
    with pytest.raises(ValidationError) as refused:
        services.authorizations.update(desk, view.id, view.version,
                                       replace(NOVEMBER, coverage_id=theirs.id))
    assert "coverage_id" in refused.value.fields
    assert services.authorizations.list(desk, lan.id)[0].coverage_id == own.id


def test_a_stale_save_is_refused_naming_the_other_change(services, actors, lan, episode):
    desk = actors["front_desk"]
    view = services.authorizations.add(desk, episode.id, NOVEMBER)
    services.authorizations.update(actors["clinician"], view.id, view.version,
                                   replace(NOVEMBER, units=30))
    with pytest.raises(StaleVersion) as refused:
        services.authorizations.update(desk, view.id, view.version, replace(NOVEMBER, units=5))
    message = str(refused.value)
    assert "The Cascade Health Plan authorization CHP-2026-0042 was changed" in message
    assert "Clinician (clinician)" in message and "changed: units" in message
    [stored] = services.authorizations.list(desk, lan.id)
    assert (stored.units, stored.version) == (30, 2)


def test_as_input_round_trips(services, actors, episode):
    view = services.authorizations.add(actors["front_desk"], episode.id, replace(
        NOVEMBER, notes="Two lines\nof notes", level_of_care="2.5"))
    again = services.authorizations.update(actors["front_desk"], view.id, view.version,
                                           view.as_input())
    assert again == view                      # nothing changed: no new version


@pytest.mark.parametrize("who", ["front_desk", "clinician", "supervisor", "admin"])
def test_every_role_reads_and_records_authorizations(services, actors, lan, episode, who):
    actor = actors[who]
    view = services.authorizations.add(actor, episode.id, NOVEMBER)
    edited = services.authorizations.update(actor, view.id, view.version,
                                            replace(NOVEMBER, units=7))
    assert services.authorizations.list(actor, lan.id) == (edited,)
    assert services.authorizations.warnings(actor) == ()     # 7 remain, far from the end
