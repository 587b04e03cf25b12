"""Admission to a track that fits the participant's age, an acknowledged mismatch kept in the
audit trail, and an episode entered in error: kept and audited, shown in the chart's list,
and left out of every other list and count."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from support import TODAY

from iopdesk.db.models import AuditEvent, Episode, Participant, ProgramTrack
from iopdesk.domain.admission import AgeMismatch
from iopdesk.domain.changes import ChangeSet, RecordChange, RecordKind
from iopdesk.domain.enums import (
    AgeGroup,
    AuditOutcome,
    EpisodeStatus,
    LevelOfCare,
    TrackFocus,
)
from iopdesk.domain.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationError,
)
from iopdesk.domain.validation import ParticipantInput

# 41 on TODAY (2026-11-16); 15 on TODAY; 17 on TODAY and 18 on 2026-11-20.
ADULT = ParticipantInput(first_name="Marcus", last_name="Bell", date_of_birth=date(1985, 3, 2))
TEEN = ParticipantInput(first_name="Ava", last_name="Lindqvist", date_of_birth=date(2011, 5, 9))
ALMOST = ParticipantInput(first_name="Noor", last_name="Haddad", date_of_birth=date(2008, 11, 20))
REASON = "Admitted to the wrong chart: meant for Marcus Bellamy"


@pytest.fixture
def teen_track(session_factory, track_id) -> int:
    """An adolescent track beside the adult one of `track_id`."""
    with session_factory.begin() as s:
        adult = s.get(ProgramTrack, track_id)
        track = ProgramTrack(practice_id=adult.practice_id, name="Adolescent MH IOP",
                             level_of_care=LevelOfCare.IOP, age_group=AgeGroup.ADOLESCENT,
                             focus=TrackFocus.MENTAL_HEALTH, min_minutes_per_week=360)
        s.add(track)
        s.flush()
        return track.id


def _events(session_factory, action: str) -> list[AuditEvent]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def _register(services, actors, person: ParticipantInput):
    return services.participants.register(actors["front_desk"], person)


# -- the age fits the track -----------------------------------------------------------------

def test_an_adult_is_admitted_to_an_adult_track_without_a_word(
        services, actors, track_id, session_factory):
    person = _register(services, actors, ADULT)
    episode = services.episodes.admit(actors["clinician"], person.id, track_id, TODAY)
    assert episode.status is EpisodeStatus.ACTIVE
    [event] = _events(session_factory, "episode.admit")
    assert "age_mismatch_acknowledged" not in event.detail


def test_an_adult_in_an_adolescent_track_is_refused_at_the_track_until_acknowledged(
        services, actors, teen_track, session_factory):
    person = _register(services, actors, ADULT)
    with pytest.raises(ValidationError) as refused:
        services.episodes.admit(actors["clinician"], person.id, teen_track, TODAY)
    assert isinstance(refused.value, AgeMismatch)
    assert set(refused.value.fields) == {"track_id"}
    assert refused.value.reason == ("41 years old on 2026-11-16; Adolescent MH IOP is an "
                                    "adolescent track (under 18)")
    assert refused.value.reason in refused.value.fields["track_id"]
    # nothing was saved
    assert services.episodes.list(actors["clinician"], person.id) == ()
    assert services.participants.get(actors["clinician"], person.id).current_episode is None
    assert _events(session_factory, "episode.admit") == []

    episode = services.episodes.admit(actors["clinician"], person.id, teen_track, TODAY,
                                      acknowledge_age_mismatch=True)
    assert episode.track_name == "Adolescent MH IOP" and episode.status is EpisodeStatus.ACTIVE
    [event] = _events(session_factory, "episode.admit")
    assert event.outcome == AuditOutcome.OK and event.entity_id == episode.id
    assert event.detail["age_mismatch_acknowledged"] == {
        "age": 41, "track_age_group": "adolescent", "reason": refused.value.reason}


def test_an_adolescent_in_an_adult_track_is_refused_too(services, actors, track_id, teen_track):
    person = _register(services, actors, TEEN)
    with pytest.raises(AgeMismatch, match="15 years old on 2026-11-16; Adult SUD IOP is an "
                                          r"adult track \(18 and over\)"):
        services.episodes.admit(actors["clinician"], person.id, track_id, TODAY)
    assert services.episodes.admit(actors["clinician"], person.id, teen_track, TODAY).id


def test_the_age_is_the_age_on_the_admission_date(services, actors, track_id, teen_track):
    """17 today, 18 on the day of admission: the adult track fits, the adolescent one not."""
    person = _register(services, actors, ALMOST)
    with pytest.raises(AgeMismatch, match="17 years old"):
        services.episodes.admit(actors["clinician"], person.id, track_id, TODAY)
    with pytest.raises(AgeMismatch, match="18 years old on 2026-11-20"):
        services.episodes.admit(actors["clinician"], person.id, teen_track, date(2026, 11, 20))
    episode = services.episodes.admit(actors["clinician"], person.id, track_id,
                                      date(2026, 11, 20))
    assert episode.admission_date == date(2026, 11, 20)


def test_a_mismatch_is_told_with_the_other_refused_fields(services, actors, teen_track):
    person = _register(services, actors, ADULT)
    with pytest.raises(AgeMismatch) as refused:
        services.episodes.admit(actors["clinician"], person.id, teen_track,
                                TODAY + timedelta(days=90), actors["front_desk"].user_id)
    assert set(refused.value.fields) == {"track_id", "admission_date", "primary_clinician_id"}


def test_an_acknowledgement_without_a_mismatch_records_nothing(
        services, actors, track_id, session_factory):
    person = _register(services, actors, ADULT)
    services.episodes.admit(actors["clinician"], person.id, track_id, TODAY,
                            acknowledge_age_mismatch=True)
    [event] = _events(session_factory, "episode.admit")
    assert "age_mismatch_acknowledged" not in event.detail


def test_a_track_no_longer_offered_is_refused_for_that_whatever_the_age(
        services, actors, teen_track, session_factory):
    with session_factory.begin() as s:
        s.get(ProgramTrack, teen_track).active = False
    person = _register(services, actors, ADULT)
    with pytest.raises(ValidationError, match="no longer offered") as refused:
        services.episodes.admit(actors["clinician"], person.id, teen_track, TODAY,
                                acknowledge_age_mismatch=True)
    assert not isinstance(refused.value, AgeMismatch)


# -- entered in error -----------------------------------------------------------------------

@pytest.fixture
def admitted(services, actors, track_id):
    """An adult admitted by the clinician, who is their primary clinician."""
    person = _register(services, actors, ADULT)
    episode = services.episodes.admit(actors["clinician"], person.id, track_id, TODAY,
                                      actors["clinician"].user_id)
    return person, episode


def _listed(services, actor, person):
    [row] = [r for r in services.participants.search(actor, "Bell").rows if r.id == person.id]
    return row


@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_a_supervisor_or_administrator_marks_an_episode_entered_in_error(
        services, actors, admitted, session_factory, who):
    person, episode = admitted
    clinician, marker = actors["clinician"], actors[who]
    assert _listed(services, clinician, person).status is EpisodeStatus.ACTIVE
    assert [r.episode_id for r in services.today.caseload(clinician)] == [episode.id]

    marked = services.episodes.enter_in_error(marker, episode.id, episode.version,
                                              f"  {REASON}\n")
    assert marked.status is EpisodeStatus.ENTERED_IN_ERROR and marked.entered_in_error
    assert not marked.counts and marked.version > episode.version
    assert (marked.entered_in_error_reason, marked.entered_in_error_by_name) == (
        REASON, marker.display_name)
    assert marked.entered_in_error_at is not None

    # left out of every list and count ...
    row = _listed(services, clinician, person)
    assert (row.status, row.track_name) == (None, "")
    assert services.participants.search(clinician, "", status=EpisodeStatus.ACTIVE).rows == ()
    assert services.participants.search(clinician, "", track_id=episode.track_id).rows == ()
    assert services.participants.search(
        clinician, "", primary_clinician_id=clinician.user_id).rows == ()
    assert services.today.caseload(clinician) == ()
    chart = services.chart.open(clinician, person.id)
    assert (chart.current_episode_id, chart.status, chart.track_name) == (None, None, "")
    assert services.participants.get(clinician, person.id).current_episode is None
    # ... but kept in the chart's list, with why, by whom and when ...
    [listed] = services.episodes.list(clinician, person.id)
    assert listed == marked
    # ... and in the audit trail
    [event] = _events(session_factory, "episode.enter_in_error")
    assert (event.outcome, event.username, event.participant_id, event.entity,
            event.entity_id) == (AuditOutcome.OK, marker.username, person.id, "episodes",
                                 episode.id)
    assert event.detail == {"reason": REASON, "status_before": "active",
                            "track": "Adult SUD IOP", "admission_date": TODAY.isoformat()}
    with session_factory() as s:
        stored = s.get(Episode, episode.id)
        assert (stored.status, stored.entered_in_error_reason, stored.entered_in_error_by_id) \
            == (EpisodeStatus.ENTERED_IN_ERROR, REASON, marker.user_id)


def test_marking_announces_a_change_of_the_episode(services, actors, admitted):
    """The chart's banner and tabs, the participant list and Today reload from it. (Needs
    `episode.enter_in_error` among the change actions of domain.areas.)"""
    person, episode = admitted
    seen: list[ChangeSet] = []
    services.changes.subscribe(seen.append)
    services.episodes.enter_in_error(actors["supervisor"], episode.id, episode.version, REASON)
    [change_set] = seen
    assert change_set.changes == (RecordChange(RecordKind.EPISODE, episode.id, person.id),)
    assert change_set.username == "supervisor"


def test_a_clinician_may_not_and_the_refusal_is_audited(
        services, actors, admitted, session_factory):
    person, episode = admitted
    with pytest.raises(PermissionDenied, match="correct episodes"):
        services.episodes.enter_in_error(actors["clinician"], episode.id, episode.version,
                                         REASON)
    [refusal] = _events(session_factory, "episode.enter_in_error")
    assert (refusal.outcome, refusal.username, refusal.participant_id) == (
        AuditOutcome.REFUSED, "clinician", person.id)
    assert refusal.detail["needs"] == "correct_episodes"
    assert services.episodes.list(actors["clinician"], person.id) == (episode,)
    assert _listed(services, actors["clinician"], person).status is EpisodeStatus.ACTIVE


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_a_reason_is_required_and_nothing_is_saved_without_one(
        services, actors, admitted, session_factory, reason):
    person, episode = admitted
    with pytest.raises(ValidationError) as refused:
        services.episodes.enter_in_error(actors["supervisor"], episode.id, episode.version,
                                         reason)
    assert set(refused.value.fields) == {"reason"}
    assert services.episodes.list(actors["clinician"], person.id) == (episode,)
    assert _events(session_factory, "episode.enter_in_error") == []


def test_a_stale_version_is_refused(services, actors, admitted):
    person, episode = admitted
    with pytest.raises(StaleVersion, match="was changed by someone else"):
        services.episodes.enter_in_error(actors["supervisor"], episode.id, episode.version - 1,
                                         REASON)
    assert services.episodes.list(actors["clinician"], person.id) == (episode,)


def test_an_episode_is_entered_in_error_once(services, actors, admitted):
    _person, episode = admitted
    marked = services.episodes.enter_in_error(actors["supervisor"], episode.id,
                                              episode.version, REASON)
    with pytest.raises(Conflict, match="already marked entered in error"):
        services.episodes.enter_in_error(actors["supervisor"], episode.id, marked.version,
                                         "again")


def test_the_participant_may_be_admitted_again_after_an_episode_in_error(
        services, actors, admitted, teen_track, track_id):
    person, episode = admitted
    services.episodes.enter_in_error(actors["supervisor"], episode.id, episode.version, REASON)
    again = services.episodes.admit(actors["clinician"], person.id, track_id, TODAY)
    assert again.id != episode.id
    assert services.chart.open(actors["clinician"], person.id).current_episode_id == again.id
    assert [e.status for e in services.episodes.list(actors["clinician"], person.id)] == [
        EpisodeStatus.ACTIVE, EpisodeStatus.ENTERED_IN_ERROR]
    assert _listed(services, actors["clinician"], person).status is EpisodeStatus.ACTIVE


def test_the_current_status_goes_back_to_the_latest_episode_that_counts(
        services, actors, admitted, session_factory, teen_track):
    """A discharged stay, then a readmission in error: the participant is discharged again,
    from the earlier stay's track, with its clinician."""
    person, first = admitted
    with session_factory.begin() as s:           # a discharge (its service comes later)
        row = s.get(Episode, first.id)
        row.status, row.discharge_date = EpisodeStatus.DISCHARGED, TODAY
    wrong = services.episodes.admit(actors["supervisor"], person.id, teen_track,
                                    TODAY + timedelta(days=1), actors["supervisor"].user_id,
                                    acknowledge_age_mismatch=True)
    assert _listed(services, actors["clinician"], person).track_name == "Adolescent MH IOP"
    services.episodes.enter_in_error(actors["supervisor"], wrong.id, wrong.version, REASON)
    row = _listed(services, actors["clinician"], person)
    assert (row.status, row.track_name) == (EpisodeStatus.DISCHARGED, "Adult SUD IOP")
    assert services.participants.search(
        actors["clinician"], "", primary_clinician_id=actors["clinician"].user_id).rows == (row,)
    chart = services.chart.open(actors["clinician"], person.id)
    assert (chart.current_episode_id, chart.status) == (first.id, EpisodeStatus.DISCHARGED)


def test_a_referral_entered_in_error_leaves_no_status(services, actors, track_id,
                                                      session_factory):
    person = _register(services, actors, ADULT)
    with session_factory.begin() as s:           # a referral (its service comes later)
        s.add(Episode(participant_id=person.id, track_id=track_id, referral_date=TODAY,
                      admission_date=TODAY + timedelta(days=7),
                      status=EpisodeStatus.REFERRED))
        s.get(Participant, person.id).current_status = EpisodeStatus.REFERRED
    [referral] = services.episodes.list(actors["clinician"], person.id)
    marked = services.episodes.enter_in_error(actors["admin"], referral.id, referral.version,
                                              "Referred twice")
    assert replace(marked, entered_in_error_at=None, version=0) == replace(
        referral, status=EpisodeStatus.ENTERED_IN_ERROR, entered_in_error_reason="Referred twice",
        entered_in_error_by_name="Admin", version=0)
    assert _listed(services, actors["clinician"], person).status is None


def test_an_unknown_episode_is_reported(services, actors):
    with pytest.raises(NotFound, match="Episode 4242"):
        services.episodes.enter_in_error(actors["supervisor"], 4242, 1, REASON)


def test_an_episode_in_error_is_expected_at_no_group_today(demo, people):
    services, _factory = demo
    first = services.today.front_desk(people["frontdesk"], TODAY)[0]
    someone = first.expected[0]
    [episode] = [e for e in services.episodes.list(people["supervisor"], someone.participant_id)
                 if e.id == someone.episode_id]
    services.episodes.enter_in_error(people["supervisor"], episode.id, episode.version, REASON)
    for meeting in services.today.front_desk(people["frontdesk"], TODAY):
        assert someone.episode_id not in {p.episode_id for p in meeting.expected}
    assert someone.participant_id not in {
        r.participant_id for who in ("clinician", "supervisor", "associate")
        for r in services.today.caseload(people[who])}
