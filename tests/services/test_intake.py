"""The intake assessment: drafts, stale saves, what signing needs, the lock after signing, the
signature's content hash, text kept exactly as typed, front desk refused and audited."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date

import pytest
from clinical_support import complete_intake
from sqlalchemy import select
from support import TODAY

from iopdesk.db.models import AuditEvent, Episode, IntakeAssessment, Signature
from iopdesk.domain.clinical import TEXT_LIMIT, AsamRating, IntakeInput, intake_content
from iopdesk.domain.demo_accounts import DEMO_PASSWORD
from iopdesk.domain.enums import AuditOutcome, LevelOfCare, NoteStatus, SignatureKind
from iopdesk.domain.errors import (Conflict, NotFound, PermissionDenied, StaleVersion,
                                   ValidationError)
from iopdesk.domain.validation import ParticipantInput


@pytest.fixture
def new_episode(demo, people) -> int:
    """A participant registered and admitted today: an episode without an intake."""
    services, factory = demo
    person = services.participants.register(
        people["frontdesk"], ParticipantInput(first_name="Amaru", last_name="Quispe",
                                              date_of_birth=date(1990, 4, 4)))
    with factory() as s:
        track_id = s.scalar(select(Episode.track_id).order_by(Episode.id).limit(1))
    return services.episodes.admit(people["clinician"], person.id, track_id, date(2026, 11, 2),
                                   people["clinician"].user_id).id


def _events(factory, action: str) -> list[AuditEvent]:
    with factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def test_no_intake_yet_reads_as_none_and_the_look_is_audited(demo, people, new_episode):
    services, factory = demo
    assert services.intake.get(people["clinician"], new_episode) is None
    assert _events(factory, "intake.view")[-1].outcome == AuditOutcome.OK


def test_the_demo_intakes_are_signed(demo, people):
    services, factory = demo
    with factory() as s:
        episode_id = s.scalar(select(IntakeAssessment.episode_id)
                              .order_by(IntakeAssessment.id).limit(1))
    intake = services.intake.get(people["supervisor"], episode_id)
    assert intake.signed and intake.signed_by and len(intake.content_hash) == 64
    assert sorted(intake.asam) == [1, 2, 3, 4, 5, 6]
    assert intake.recommended_level == LevelOfCare.IOP


def test_complete_an_intake_draft_then_sign(demo, people, new_episode):
    services, factory = demo
    clinician = people["clinician"]
    first = services.intake.save_draft(clinician, new_episode,
                                       IntakeInput(presenting_problem="Drinking daily."), None)
    assert (first.status, first.version, first.assessed_on) == (NoteStatus.DRAFT, 1, TODAY)
    assert first.asam[3] == AsamRating() and first.recommended_level is None
    assert first.clinician_name == "Dana Whitfield" and first.signed_by == ""
    draft = services.intake.save_draft(clinician, new_episode, complete_intake(), first.version)
    assert draft.version == 2 and draft.id == first.id
    assert draft.as_input() == complete_intake()
    assert _events(factory, "intake.save_draft")[-1].detail["new"] is False

    signed = services.intake.sign(clinician, draft.id, draft.version, DEMO_PASSWORD)
    assert signed.status == NoteStatus.SIGNED and signed.signed_at is not None
    assert signed.signed_by == "Dana Whitfield, LCSW"
    expected = hashlib.sha256(json.dumps(
        intake_content(new_episode, complete_intake()), sort_keys=True, ensure_ascii=False,
        separators=(",", ":")).encode()).hexdigest()
    assert signed.content_hash == expected
    with factory() as s:
        signature = s.scalar(select(Signature).where(Signature.intake_id == draft.id))
    assert (signature.kind, signature.signer_user_id, signature.content_hash) == (
        SignatureKind.AUTHOR, clinician.user_id, expected)
    assert _events(factory, "intake.sign")[-1].detail == {"content_hash": expected,
                                                          "status": "signed"}
    assert services.intake.get(clinician, new_episode) == signed


def test_a_signed_intake_is_locked(demo, people, new_episode):
    services, factory = demo
    clinician = people["clinician"]
    draft = services.intake.save_draft(clinician, new_episode, complete_intake(), None)
    signed = services.intake.sign(clinician, draft.id, draft.version, DEMO_PASSWORD)
    for attempt in (lambda: services.intake.save_draft(
                        clinician, new_episode, complete_intake(medications="None."),
                        signed.version),
                    lambda: services.intake.sign(people["supervisor"], signed.id, signed.version,
                                                 DEMO_PASSWORD)):
        with pytest.raises(Conflict, match="was signed by Dana Whitfield, LCSW on .* and is "
                                           "locked: a signed intake cannot be changed"):
            attempt()
    assert services.intake.get(clinician, new_episode) == signed
    with factory() as s:
        assert len(s.scalars(select(Signature).where(Signature.intake_id == draft.id)).all()) == 1
    # a new assessment may be started; the signed one stays as it was
    again = services.intake.save_draft(clinician, new_episode,
                                       IntakeInput(presenting_problem="Relapse after a month."),
                                       None)
    assert again.id != signed.id and services.intake.get(clinician, new_episode) == again


def test_only_one_draft_at_a_time(demo, people, new_episode):
    services, _ = demo
    services.intake.save_draft(people["clinician"], new_episode, IntakeInput(), None)
    with pytest.raises(Conflict, match="already has a draft intake"):
        services.intake.save_draft(people["supervisor"], new_episode, IntakeInput(), None)


def test_a_stale_draft_is_refused_and_nothing_is_overwritten(demo, people, new_episode):
    services, _ = demo
    clinician, supervisor = people["clinician"], people["supervisor"]
    draft = services.intake.save_draft(clinician, new_episode, complete_intake(), None)
    services.intake.save_draft(supervisor, new_episode,
                               complete_intake(medications="Naltrexone 50 mg."), draft.version)
    with pytest.raises(StaleVersion, match="changed by someone else"):
        services.intake.save_draft(clinician, new_episode,
                                   complete_intake(medications="None."), draft.version)
    with pytest.raises(StaleVersion):
        services.intake.sign(clinician, draft.id, draft.version, DEMO_PASSWORD)
    assert services.intake.get(clinician, new_episode).medications == "Naltrexone 50 mg."


def test_saving_over_a_missing_intake_is_reported(demo, people, new_episode):
    services, _ = demo
    with pytest.raises(NotFound, match="no intake assessment"):
        services.intake.save_draft(people["clinician"], new_episode, IntakeInput(), 1)
    with pytest.raises(NotFound, match="Episode 99999"):
        services.intake.save_draft(people["clinician"], 99999, IntakeInput(), None)
    with pytest.raises(NotFound):
        services.intake.sign(people["clinician"], 99999, 1, DEMO_PASSWORD)


def test_signing_needs_the_essentials(demo, people, new_episode):
    services, _ = demo
    clinician = people["clinician"]
    draft = services.intake.save_draft(
        clinician, new_episode,
        IntakeInput(presenting_problem="  ", asam={1: AsamRating(2), 4: AsamRating(1, "ok")}),
        None)
    with pytest.raises(ValidationError) as refused:
        services.intake.sign(clinician, draft.id, draft.version, DEMO_PASSWORD)
    assert refused.value.fields == {
        "presenting_problem": "Presenting problem is needed before signing",
        "risk_screening": "Risk screening is needed before signing",
        "asam_2": "Dimension 2 (Biomedical conditions and complications) needs a rating to sign",
        "asam_3": "Dimension 3 (Emotional, behavioral, or cognitive conditions and "
                  "complications) needs a rating to sign",
        "asam_5": "Dimension 5 (Relapse, continued use, or continued problem potential) needs "
                  "a rating to sign",
        "asam_6": "Dimension 6 (Recovery/living environment) needs a rating to sign",
        "recommended_level": "A recommended level of care is needed before signing",
    }
    assert services.intake.get(clinician, new_episode).status == NoteStatus.DRAFT


@pytest.mark.parametrize("changes, field, message", [
    ({"asam": {1: AsamRating(5)}}, "asam_1", "Dimension 1 is rated 0–4 (got 5)"),
    ({"asam": {2: AsamRating(-1)}}, "asam_2", "Dimension 2 is rated 0–4 (got -1)"),
    ({"asam": {3: AsamRating(True)}}, "asam_3", "Dimension 3 is rated 0–4 (got True)"),
    ({"asam": {4: AsamRating("2")}}, "asam_4", "Dimension 4 is rated 0–4 (got '2')"),
    ({"asam": {7: AsamRating(1)}}, "asam", "ASAM dimensions are numbered 1–6 (got 7)"),
    ({"asam": {5: AsamRating(1, "n" * (TEXT_LIMIT + 1))}}, "asam_5",
     "The note of dimension 5 is longer than 10,000 characters"),
    ({"recommended_level": "3.7"}, "recommended_level",
     "Recommended level of care is one of 1, 2.1, 2.5"),
    ({"assessed_on": date(2026, 11, 17)}, "assessed_on",
     "Assessment date 2026-11-17 is in the future"),
    ({"medications": "x" * (TEXT_LIMIT + 1)}, "medications",
     "Medications is 10,001 characters long; the limit is 10,000"),
])
def test_bad_input_is_refused_field_by_field(demo, people, new_episode, changes, field,
                                             message):
    services, factory = demo
    with pytest.raises(ValidationError) as refused:
        services.intake.save_draft(people["clinician"], new_episode,
                                   replace(complete_intake(), **changes), None)
    assert refused.value.fields == {field: message}
    with factory() as s:
        assert s.scalars(select(IntakeAssessment.id)
                         .where(IntakeAssessment.episode_id == new_episode)).all() == []


def test_dimensions_and_levels_given_as_text_are_understood(demo, people, new_episode):
    services, _ = demo
    saved = services.intake.save_draft(
        people["clinician"], new_episode,
        replace(complete_intake(), asam={"1": AsamRating(0), " 2": AsamRating(4)},
                recommended_level="2.5"), None)
    assert saved.asam[1].rating == 0 and saved.asam[2].rating == 4 and saved.asam[3].rating is None
    assert saved.recommended_level == LevelOfCare.PHP


def test_ten_thousand_character_pastes_emoji_and_rtl_are_stored_intact(demo, people,
                                                                         new_episode):
    services, _ = demo
    clinician = people["clinician"]
    paste = ("Line one\r\n\tindented — “quoted” " * 400)[:TEXT_LIMIT]
    mixed = ("Patient says: 😔💊 \u200f\u05d0\u05e0\u05d9 \u05e2\u05d9\u05d9\u05e3\u200e "
             "(tired) and العائلة تدعمني; family 👨‍👩‍👧 supports.\n  ")
    data = complete_intake(presenting_problem=paste, strengths_supports=mixed,
                           asam={n: AsamRating(1, mixed) for n in range(1, 7)})
    saved = services.intake.save_draft(clinician, new_episode, data, None)
    signed = services.intake.sign(clinician, saved.id, saved.version, DEMO_PASSWORD)
    again = services.intake.get(clinician, new_episode)
    assert len(again.presenting_problem) == TEXT_LIMIT and again.presenting_problem == paste
    assert again.strengths_supports == mixed and again.asam[6].note == mixed
    assert again == signed


def test_front_desk_is_refused_every_intake_function_and_each_refusal_is_audited(
        demo, people, new_episode):
    services, factory = demo
    desk = people["frontdesk"]
    draft = services.intake.save_draft(people["clinician"], new_episode, complete_intake(), None)
    calls = {
        "intake.view": lambda: services.intake.get(desk, new_episode),
        "intake.save_draft": lambda: services.intake.save_draft(desk, new_episode,
                                                                complete_intake(), draft.version),
        "intake.sign": lambda: services.intake.sign(desk, draft.id, draft.version,
                                                    DEMO_PASSWORD),
    }
    with factory() as s:
        participant_id = s.get(Episode, new_episode).participant_id
    for action, call in calls.items():
        with pytest.raises(PermissionDenied):
            call()
        refusal = _events(factory, action)[-1]
        assert (refusal.outcome, refusal.username) == (AuditOutcome.REFUSED, "frontdesk")
        if action != "intake.sign":
            assert refusal.participant_id == participant_id
    for admin_call in (lambda: services.intake.get(people["admin"], new_episode),):
        with pytest.raises(PermissionDenied):
            admin_call()
    assert services.intake.get(people["clinician"], new_episode) == draft
