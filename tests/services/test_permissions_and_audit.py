"""Permissions are enforced in the services, refusals are audited, and an audit event lives
and dies with its action."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from iopdesk.db.models import AuditEvent, Participant
from iopdesk.domain.enums import AuditOutcome, EpisodeStatus, Role
from iopdesk.domain.errors import Conflict, PermissionDenied, ValidationError
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import participants as participants_module
from iopdesk.services.permissions import ROLE_PERMISSIONS, Permission

PERSON = ParticipantInput(first_name="María", last_name="Peña", date_of_birth=date(1992, 2, 2))


def _audit(session_factory) -> list[AuditEvent]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))


@pytest.fixture
def admitted(services, actors, track_id):
    person = services.participants.register(actors["front_desk"], PERSON)
    episode = services.episodes.admit(actors["clinician"], person.id, track_id, date(2026, 11, 2),
                                      actors["clinician"].user_id)
    return person, episode


def test_front_desk_is_refused_clinical_content_and_the_refusal_is_audited(
        services, actors, admitted, session_factory):
    person, episode = admitted
    with pytest.raises(PermissionDenied, match="view clinical"):
        services.diagnoses.list(actors["front_desk"], episode.id)
    refusal = _audit(session_factory)[-1]
    assert (refusal.action, refusal.outcome, refusal.username) == (
        "diagnosis.view", AuditOutcome.REFUSED, "frontdesk")
    assert refusal.detail["needs"] == "view_clinical"
    assert refusal.participant_id == person.id


def test_front_desk_may_not_admit(services, actors, track_id, session_factory):
    person = services.participants.register(actors["front_desk"], PERSON)
    with pytest.raises(PermissionDenied):
        services.episodes.admit(actors["front_desk"], person.id, track_id, date(2026, 11, 2))
    refusal = _audit(session_factory)[-1]
    assert (refusal.action, refusal.outcome, refusal.participant_id) == (
        "episode.admit", AuditOutcome.REFUSED, person.id)
    assert services.participants.get(actors["front_desk"], person.id).episodes == ()


def test_a_clinician_reads_diagnoses_and_the_read_is_audited(
        services, actors, admitted, session_factory):
    person, episode = admitted
    assert services.diagnoses.list(actors["clinician"], episode.id) == ()
    event = _audit(session_factory)[-1]
    assert (event.action, event.outcome, event.participant_id) == (
        "diagnosis.view", AuditOutcome.OK, person.id)


def test_admission_updates_the_participant_and_a_readmission_needs_a_discharge(
        services, actors, admitted, track_id):
    person, episode = admitted
    shown = services.participants.get(actors["front_desk"], person.id)
    assert shown.current_episode == episode
    assert episode.status == EpisodeStatus.ACTIVE and episode.track_name == "Adult SUD IOP"
    with pytest.raises(Conflict, match="discharge that episode"):
        services.episodes.admit(actors["clinician"], person.id, track_id, date(2026, 11, 9))


def test_admission_dates_and_clinicians_are_checked(services, actors, track_id):
    person = services.participants.register(actors["front_desk"], PERSON)
    with pytest.raises(ValidationError) as refused:
        services.episodes.admit(actors["clinician"], person.id, track_id, date(1980, 1, 1),
                                actors["front_desk"].user_id)
    assert set(refused.value.fields) == {"admission_date", "primary_clinician_id"}


def test_an_audit_event_rolls_back_with_its_action(
        services, actors, session_factory, monkeypatch):
    def fail_after_audit(row, episodes):
        raise RuntimeError("disk full")
    monkeypatch.setattr(participants_module, "participant_view", fail_after_audit)
    with pytest.raises(RuntimeError):
        services.participants.register(actors["front_desk"], PERSON)
    with session_factory() as s:
        assert s.scalars(select(Participant)).all() == []
    assert [e.action for e in _audit(session_factory)] == []


def test_front_desk_has_no_clinical_permission():
    assert not {Permission.VIEW_CLINICAL, Permission.EDIT_CLINICAL} & ROLE_PERMISSIONS[
        Role.FRONT_DESK]


def test_a_disabled_or_demoted_user_loses_access_at_the_next_call(
        services, actors, admitted, session_factory):
    person, episode = admitted
    clinician = actors["clinician"]
    assert services.diagnoses.list(clinician, episode.id) == ()
    from iopdesk.db.models import StaffRole, StaffUser
    with session_factory.begin() as s:
        s.query(StaffRole).filter_by(user_id=clinician.user_id).delete()
        s.add(StaffRole(user_id=clinician.user_id, role=Role.FRONT_DESK))
    with pytest.raises(PermissionDenied):
        services.diagnoses.list(clinician, episode.id)     # the old Actor says clinician
    front_desk = actors["front_desk"]
    assert services.participants.get(front_desk, person.id).id == person.id
    with session_factory.begin() as s:
        s.get(StaffUser, front_desk.user_id).active = False
    with pytest.raises(PermissionDenied, match="no role"):
        services.participants.get(front_desk, person.id)


def test_a_refusal_by_record_id_names_whose_record_it_was(
        services, actors, admitted, session_factory):
    from iopdesk.db.models import Diagnosis
    person, episode = admitted
    with session_factory.begin() as s:
        row = Diagnosis(episode_id=episode.id, icd10_code="F10.20",
                        description="Alcohol dependence, uncomplicated")
        s.add(row)
        s.flush()
        diagnosis_id, version = row.id, row.version
    with pytest.raises(PermissionDenied):
        services.diagnoses.resolve(actors["front_desk"], diagnosis_id, version)
    refusal = _audit(session_factory)[-1]
    assert (refusal.outcome, refusal.participant_id, refusal.entity, refusal.entity_id) == (
        AuditOutcome.REFUSED, person.id, "diagnoses", diagnosis_id)
