"""Opening a chart: the banner, alerts for whom they are meant, the tabs each role may open,
the episode list, readmission as a new episode; and the whole first-visit flow (admit to a
track, add a diagnosis found by words, complete and sign the intake)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from clinical_support import complete_intake
from sqlalchemy import select
from support import TODAY

from iopdesk.db.models import AuditEvent, Consent, Episode, MeasureResult, Participant
from iopdesk.db.models import ProgramTrack
from iopdesk.domain.clinical import ALL_TABS, FRONT_DESK_TABS, age_on
from iopdesk.domain.demo_accounts import DEMO_PASSWORD
from iopdesk.domain.enums import AuditOutcome, EpisodeStatus, Instrument
from iopdesk.domain.errors import Conflict, NotFound, PermissionDenied
from iopdesk.domain.validation import ParticipantInput


@pytest.fixture
def demo_code_table(icd10_table):
    """The demo's services search the real ICD-10-CM table (see conftest.py's `demo`)."""
    return icd10_table


def _events(factory, action: str) -> list[AuditEvent]:
    with factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


@pytest.fixture
def flagged(demo) -> tuple[int, date]:
    """A demo participant whose current episode has a PHQ-9 with item 9 positive."""
    _, factory = demo
    with factory() as s:
        for result in s.scalars(select(MeasureResult).where(
                MeasureResult.instrument == Instrument.PHQ9)
                .order_by(MeasureResult.administered_on.desc())):
            if "suicide_risk" not in result.flags:
                continue
            episode = s.get(Episode, result.episode_id)
            latest = s.scalar(select(Episode.id).where(
                Episode.participant_id == episode.participant_id)
                .order_by(Episode.admission_date.desc(), Episode.id.desc()).limit(1))
            if latest == episode.id:
                return episode.participant_id, result.administered_on
    raise AssertionError("the demo has no flagged PHQ-9 in a current episode")


def test_the_banner_of_a_demo_chart(demo, people, flagged):
    services, factory = demo
    participant_id, flagged_on = flagged
    chart = services.chart.open(people["clinician"], participant_id)
    with factory() as s:
        person = s.get(Participant, participant_id)
        episode = s.scalar(select(Episode).where(Episode.participant_id == participant_id)
                           .order_by(Episode.admission_date.desc()).limit(1))
        track = s.get(ProgramTrack, episode.track_id)
    assert (chart.chart_number, chart.last_name, chart.first_name) == (
        person.chart_number, person.last_name, person.first_name)
    assert chart.age == age_on(person.date_of_birth, TODAY)
    assert (chart.current_episode_id, chart.track_name, chart.status, chart.admission_date) == (
        episode.id, track.name, episode.status, episode.admission_date)
    assert chart.primary_clinician_name
    assert chart.tabs == ALL_TABS
    danger = [a for a in chart.alerts if a.severity == "danger"]
    assert [(a.kind, a.message) for a in danger] == [
        ("suicide_risk", f"PHQ-9 item 9 positive on {flagged_on.isoformat()}")]
    event = _events(factory, "chart.open")[-1]
    assert (event.participant_id, event.outcome, event.username) == (
        participant_id, AuditOutcome.OK, "clinician")


def test_front_desk_and_administrators_see_no_clinical_tab_or_alert(demo, people, flagged):
    services, _ = demo
    participant_id, _ = flagged
    for who in ("frontdesk", "admin"):
        chart = services.chart.open(people[who], participant_id)
        assert chart.tabs == FRONT_DESK_TABS == ("face_sheet", "contacts", "consents",
                                                "attendance")
        assert {a.kind for a in chart.alerts} <= {"consent_expiring"}


def test_front_desk_is_refused_every_clinical_tab_and_each_refusal_is_audited(
        demo, people, flagged):
    services, factory = demo
    participant_id, _ = flagged
    desk = people["frontdesk"]
    chart = services.chart.open(desk, participant_id)
    episode_id = chart.current_episode_id
    tabs = {
        "diagnosis.view": lambda: services.diagnoses.list(desk, episode_id),
        "intake.view": lambda: services.intake.get(desk, episode_id),
        "today.caseload": lambda: services.today.caseload(desk),
    }
    for action, open_tab in tabs.items():
        with pytest.raises(PermissionDenied, match="needs the view clinical permission"):
            open_tab()
        refusal = _events(factory, action)[-1]
        assert (refusal.outcome, refusal.username) == (AuditOutcome.REFUSED, "frontdesk")
        if action != "today.caseload":
            assert refusal.participant_id == participant_id
    # what the front desk may see of the episodes: track, dates, status (no clinical content)
    episodes = services.episodes.list(desk, participant_id)
    assert episodes[0].id == episode_id
    assert _events(factory, "episode.list")[-1].participant_id == participant_id


def test_a_consent_about_to_expire_is_shown_to_everyone(demo, people, flagged):
    services, factory = demo
    participant_id, _ = flagged
    with factory.begin() as s:
        for recipient, expiry, revoked in (("Dr. Amara Obi", TODAY + timedelta(days=12), None),
                                           ("Later Clinic", TODAY + timedelta(days=90), None),
                                           ("Gone Clinic", TODAY + timedelta(days=3), TODAY),
                                           ("Past Clinic", TODAY - timedelta(days=1), None)):
            s.add(Consent(participant_id=participant_id, recipient_name=recipient,
                          purpose="Coordination of care", information_scope="Attendance",
                          effective_date=TODAY - timedelta(days=100), expiry_date=expiry,
                          revoked_on=revoked))
    for who in ("frontdesk", "clinician"):
        alerts = services.chart.open(people[who], participant_id).alerts
        assert [(a.kind, a.message) for a in alerts if a.kind == "consent_expiring"] == [
            ("consent_expiring", "Consent to disclose to Dr. Amara Obi expires on 2026-11-28")]


def test_admit_add_a_diagnosis_by_words_complete_an_intake(demo, people):
    services, factory = demo
    desk, clinician = people["frontdesk"], people["clinician"]
    person = services.participants.register(
        desk, ParticipantInput(first_name="Zoë", last_name="Ōtsuka-Ñúñez",
                               date_of_birth=date(2001, 12, 24)))
    assert services.chart.open(desk, person.id).current_episode_id is None
    with factory() as s:
        track_id = s.scalar(select(ProgramTrack.id).where(
            ProgramTrack.name == "Adult Substance Use IOP"))
    episode = services.episodes.admit(clinician, person.id, track_id, TODAY, clinician.user_id)
    chart = services.chart.open(clinician, person.id)
    assert (chart.current_episode_id, chart.track_name, chart.status, chart.age) == (
        episode.id, "Adult Substance Use IOP", EpisodeStatus.ACTIVE, 24)
    assert chart.primary_clinician_name == "Dana Whitfield"
    assert [a.kind for a in chart.alerts] == ["no_signed_intake"]

    code = services.diagnoses.search_codes(clinician, "alcohol dependence uncomplicated")[0]
    services.diagnoses.add(clinician, episode.id, code.code, is_primary=True,
                           onset_date=date(2024, 6, 1))
    draft = services.intake.save_draft(clinician, episode.id,
                                       complete_intake(assessed_on=TODAY), None)
    services.intake.sign(clinician, draft.id, draft.version, DEMO_PASSWORD)

    chart = services.chart.open(clinician, person.id)
    assert chart.alerts == ()
    assert [(d.icd10_code, d.is_primary) for d in services.diagnoses.list(clinician, episode.id)] \
        == [("F10.20", True)]
    assert services.intake.get(clinician, episode.id).signed


def test_a_readmission_opens_a_new_episode(demo, people):
    services, factory = demo
    clinician = people["clinician"]
    with factory() as s:
        episode = s.scalar(select(Episode).where(Episode.status == EpisodeStatus.ACTIVE)
                           .order_by(Episode.id).limit(1))
        participant_id, track_id = episode.participant_id, episode.track_id
    with pytest.raises(Conflict, match="discharge that episode before a readmission"):
        services.episodes.admit(clinician, participant_id, track_id, TODAY)
    with factory.begin() as s:       # a discharge (the discharge service comes later)
        row = s.get(Episode, episode.id)
        row.status, row.discharge_date = EpisodeStatus.DISCHARGED, TODAY - timedelta(days=1)
    again = services.episodes.admit(clinician, participant_id, track_id, TODAY,
                                    clinician.user_id)
    episodes = services.episodes.list(clinician, participant_id)
    assert episodes[0] == again and again.id != episode.id
    assert episodes[1].id == episode.id and episodes[1].status == EpisodeStatus.DISCHARGED
    chart = services.chart.open(clinician, participant_id)
    assert chart.current_episode_id == again.id and chart.status == EpisodeStatus.ACTIVE
    assert services.diagnoses.list(clinician, again.id) == ()    # nothing carried over
    assert services.intake.get(clinician, again.id) is None
    assert "no_signed_intake" in {a.kind for a in chart.alerts}


def test_admitting_a_referral_starts_its_episode_instead_of_a_second_one(demo, people):
    services, factory = demo
    clinician = people["clinician"]
    with factory() as s:
        referral = s.scalar(select(Episode).where(Episode.status == EpisodeStatus.REFERRED)
                            .order_by(Episode.id).limit(1))
        participant_id, track_id = referral.participant_id, referral.track_id
    before = services.episodes.list(clinician, participant_id)
    admitted = services.episodes.admit(clinician, participant_id, track_id, TODAY,
                                       clinician.user_id)
    episodes = services.episodes.list(clinician, participant_id)
    assert len(episodes) == len(before) and admitted.id == referral.id
    assert (episodes[0].status, episodes[0].admission_date) == (EpisodeStatus.ACTIVE, TODAY)
    chart = services.chart.open(clinician, participant_id)
    assert (chart.current_episode_id, chart.status) == (referral.id, EpisodeStatus.ACTIVE)
    assert chart.primary_clinician_name == "Dana Whitfield"
    event = _events(factory, "episode.admit")[-1]
    assert event.participant_id == participant_id and event.detail["from_referral"] is True
    # now admitted: a second admission is refused, nothing changes
    with pytest.raises(Conflict, match="already admitted"):
        services.episodes.admit(clinician, participant_id, track_id, TODAY)
    assert services.episodes.list(clinician, participant_id) == episodes


def test_unknown_participants_are_reported(demo, people):
    services, _ = demo
    for who in ("frontdesk", "clinician"):
        with pytest.raises(NotFound):
            services.chart.open(people[who], 999_999)
        with pytest.raises(NotFound):
            services.episodes.list(people[who], 999_999)
