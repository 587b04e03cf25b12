"""Signing, one flow for every signed document (the intake first): the signer's password is
asked again (after the content is checked), work of a clinician who needs co-signature waits
in the supervisor's queue, and the supervisor co-signs it with their own password."""

from __future__ import annotations

from datetime import date

import pytest
from clinical_support import complete_intake
from sqlalchemy import select

from iopdesk.db.models import AuditEvent, Episode, IntakeAssessment, Signature, StaffUser
from iopdesk.domain.changes import RecordKind
from iopdesk.domain.demo_accounts import DEMO_PASSWORD
from iopdesk.domain.enums import AuditOutcome, NoteStatus, SignatureKind
from iopdesk.domain.errors import (AccountLocked, Conflict, PermissionDenied, StaleVersion,
                                   ValidationError)
from iopdesk.domain.validation import ParticipantInput


@pytest.fixture
def episode_of(demo, people):
    """An episode admitted today for a new participant, with `who` as its clinician."""
    services, factory = demo

    def make(who: str, first: str = "Amaru") -> int:
        person = services.participants.register(
            people["frontdesk"], ParticipantInput(first_name=first, last_name="Quispe",
                                                  date_of_birth=date(1990, 4, 4)))
        with factory() as s:
            track_id = s.scalar(select(Episode.track_id).order_by(Episode.id).limit(1))
        return services.episodes.admit(people[who], person.id, track_id, date(2026, 11, 2),
                                       people[who].user_id).id
    return make


def _draft(services, actor, episode_id, **changes):
    return services.intake.save_draft(actor, episode_id, complete_intake(**changes), None)


def _events(factory, action: str) -> list[AuditEvent]:
    with factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def _failures(factory, username: str) -> int:
    with factory() as s:
        return s.scalar(select(StaffUser.failed_logins).where(StaffUser.username == username))


def test_a_wrong_password_signs_nothing_and_is_counted(demo, people, episode_of):
    services, factory = demo
    draft = _draft(services, people["clinician"], episode_of("clinician"))
    with pytest.raises(ValidationError) as refused:
        services.intake.sign(people["clinician"], draft.id, draft.version, "not-my-password")
    assert refused.value.fields == {"password": "That is not your password; nothing was signed"}
    assert services.intake.get(people["clinician"], draft.episode_id) == draft
    assert _failures(factory, "clinician") == 1
    [failed] = _events(factory, "intake.sign")
    assert (failed.outcome, failed.detail["reason"]) == (AuditOutcome.FAILED, "wrong password")
    with factory() as s:
        assert s.scalars(select(Signature).where(Signature.intake_id == draft.id)).all() == []


def test_an_empty_password_is_asked_for_and_not_counted(demo, people, episode_of):
    services, factory = demo
    draft = _draft(services, people["clinician"], episode_of("clinician"))
    with pytest.raises(ValidationError, match="Enter your password"):
        services.intake.sign(people["clinician"], draft.id, draft.version, "")
    assert _failures(factory, "clinician") == 0 and _events(factory, "intake.sign") == []


def test_the_content_is_checked_before_the_password(demo, people, episode_of):
    """An incomplete intake is refused at its fields whatever the password: a clinician never
    types their password only to be told a field is missing."""
    services, factory = demo
    draft = _draft(services, people["clinician"], episode_of("clinician"), risk_screening="")
    with pytest.raises(ValidationError) as refused:
        services.intake.sign(people["clinician"], draft.id, draft.version, "not-my-password")
    assert "risk_screening" in refused.value.fields and "password" not in refused.value.fields
    assert _failures(factory, "clinician") == 0


def test_wrong_passwords_at_signing_lock_the_account_like_log_ins(demo, people, episode_of):
    services, factory = demo
    draft = _draft(services, people["clinician"], episode_of("clinician"))
    threshold = services.settings.get().lockout_threshold
    for _ in range(threshold - 1):
        with pytest.raises(ValidationError):
            services.intake.sign(people["clinician"], draft.id, draft.version, "wrong-wrong")
    with pytest.raises(AccountLocked):
        services.intake.sign(people["clinician"], draft.id, draft.version, "wrong-wrong")
    with pytest.raises(AccountLocked):                      # the right one too, for now
        services.intake.sign(people["clinician"], draft.id, draft.version, DEMO_PASSWORD)


def test_the_associate_s_intake_awaits_the_supervisor_who_co_signs_it(demo, people,
                                                                      episode_of):
    services, factory = demo
    associate, supervisor = people["associate"], people["supervisor"]
    draft = _draft(services, associate, episode_of("associate"))
    announced = []
    services.changes.subscribe(announced.append)
    signed = services.intake.sign(associate, draft.id, draft.version, DEMO_PASSWORD)
    assert signed.status == NoteStatus.AWAITING_COSIGN and signed.awaiting_cosign
    assert signed.signed and signed.cosigned_by == ""

    queue = services.cosign.queue(supervisor)
    mine = [item for item in queue if item.record_id == signed.id]
    assert len(mine) == 1
    item = mine[0]
    assert (item.document, item.version, item.chart_number != "", item.author_name) == (
        "intake", signed.version, True, "Jamie Tran")
    assert item.participant_name == "Quispe, Amaru"

    cosigned = services.cosign.cosign(supervisor, "intake", item.record_id, item.version,
                                      DEMO_PASSWORD)
    assert cosigned.status == NoteStatus.COSIGNED and not cosigned.awaiting_cosign
    assert cosigned.cosigned_by.startswith("Samuel Okafor") and cosigned.cosigned_at
    assert signed.id not in {i.record_id for i in services.cosign.queue(supervisor)}
    with factory() as s:
        kinds = [sig.kind for sig in s.scalars(select(Signature).where(
            Signature.intake_id == signed.id).order_by(Signature.id))]
        assert kinds == [SignatureKind.AUTHOR, SignatureKind.COSIGNER]
    [event] = _events(factory, "intake.cosign")
    assert (event.outcome, event.username, event.entity_id) == (
        AuditOutcome.OK, "supervisor", signed.id)
    assert announced[-1].touches(RecordKind.INTAKE, record_id=signed.id)
    assert services.intake.get(supervisor, draft.episode_id) == cosigned


def test_a_clinician_without_co_signature_signs_outright(demo, people, episode_of):
    services, _ = demo
    draft = _draft(services, people["clinician"], episode_of("clinician"))
    signed = services.intake.sign(people["clinician"], draft.id, draft.version, DEMO_PASSWORD)
    assert signed.status == NoteStatus.SIGNED
    assert signed.id not in {i.record_id for i in services.cosign.queue(people["supervisor"])}


def test_only_supervisors_have_a_queue_and_may_co_sign(demo, people, episode_of):
    services, factory = demo
    associate = people["associate"]
    draft = _draft(services, associate, episode_of("associate"))
    signed = services.intake.sign(associate, draft.id, draft.version, DEMO_PASSWORD)
    for who in ("clinician", "associate", "frontdesk"):
        with pytest.raises(PermissionDenied):
            services.cosign.queue(people[who])
        with pytest.raises(PermissionDenied):
            services.cosign.cosign(people[who], "intake", signed.id, signed.version,
                                   DEMO_PASSWORD)
    refusals = [e for e in _events(factory, "cosign.sign") if e.outcome == AuditOutcome.REFUSED]
    assert len(refusals) == 3
    with factory() as s:
        assert s.get(IntakeAssessment, signed.id).status == NoteStatus.AWAITING_COSIGN


def test_a_co_signature_is_refused_on_a_wrong_password_a_stale_copy_or_a_bad_document(
        demo, people, episode_of):
    services, factory = demo
    associate, supervisor = people["associate"], people["supervisor"]
    draft = _draft(services, associate, episode_of("associate"))
    signed = services.intake.sign(associate, draft.id, draft.version, DEMO_PASSWORD)
    with pytest.raises(ValidationError, match="not your password"):
        services.cosign.cosign(supervisor, "intake", signed.id, signed.version, "nope-nope")
    with pytest.raises(StaleVersion):
        services.cosign.cosign(supervisor, "intake", signed.id, signed.version - 1,
                               DEMO_PASSWORD)
    with pytest.raises(ValidationError) as refused:
        services.cosign.cosign(supervisor, "discharge letter", signed.id, signed.version,
                               DEMO_PASSWORD)
    assert "document" in refused.value.fields
    with factory() as s:
        assert s.get(IntakeAssessment, signed.id).status == NoteStatus.AWAITING_COSIGN


def test_only_an_intake_awaiting_co_signature_can_be_co_signed(demo, people, episode_of):
    services, _ = demo
    draft = _draft(services, people["clinician"], episode_of("clinician"))
    with pytest.raises(Conflict, match="still a draft"):
        services.cosign.cosign(people["supervisor"], "intake", draft.id, draft.version,
                               DEMO_PASSWORD)
    signed = services.intake.sign(people["clinician"], draft.id, draft.version, DEMO_PASSWORD)
    with pytest.raises(Conflict, match="not awaiting a co-signature"):
        services.cosign.cosign(people["supervisor"], "intake", signed.id, signed.version,
                               DEMO_PASSWORD)


def _signed(services, people, episode_of, who="clinician"):
    draft = _draft(services, people[who], episode_of(who))
    return services.intake.sign(people[who], draft.id, draft.version, DEMO_PASSWORD)


def test_a_signed_intake_is_corrected_by_an_addendum_only(demo, people, episode_of):
    services, factory = demo
    signed = _signed(services, people, episode_of)
    after = services.intake.add_addendum(people["supervisor"], signed.id,
                                         "  Medication dose corrected to 8 mg daily.  ",
                                         DEMO_PASSWORD)
    [addendum] = after.addenda
    assert addendum.text == "Medication dose corrected to 8 mg daily."
    assert addendum.author_name.startswith("Samuel Okafor") and addendum.written_at  # (anyone
    # who edits clinical records may add one: a supervisor here, to a clinician's intake)
    # what was signed is untouched: same content, version and signature
    assert (after.presenting_problem, after.version, after.content_hash, after.status) == (
        signed.presenting_problem, signed.version, signed.content_hash, signed.status)
    [event] = _events(factory, "intake.addendum")
    assert (event.outcome, event.entity_id, event.detail["addendum_id"]) == (
        AuditOutcome.OK, signed.id, addendum.id)
    assert services.intake.get(people["clinician"], signed.episode_id).addenda == (addendum,)


@pytest.mark.parametrize("text, password, field", [
    ("", DEMO_PASSWORD, "text"), ("   \n ", DEMO_PASSWORD, "text"),
    ("x" * 10_001, DEMO_PASSWORD, "text"), ("Corrected.", "wrong-password", "password"),
    ("Corrected.", "", "password")])
def test_a_bad_addendum_adds_nothing(demo, people, episode_of, text, password, field):
    services, factory = demo
    signed = _signed(services, people, episode_of)
    with pytest.raises(ValidationError) as refused:
        services.intake.add_addendum(people["clinician"], signed.id, text, password)
    assert field in refused.value.fields
    assert services.intake.get(people["clinician"], signed.episode_id).addenda == ()
    assert [e for e in _events(factory, "intake.addendum")
            if e.outcome == AuditOutcome.OK] == []


def test_a_draft_takes_no_addendum_and_the_front_desk_none_at_all(demo, people, episode_of):
    services, _ = demo
    draft = _draft(services, people["clinician"], episode_of("clinician"))
    with pytest.raises(Conflict, match="still a draft"):
        services.intake.add_addendum(people["clinician"], draft.id, "More.", DEMO_PASSWORD)
    with pytest.raises(PermissionDenied):
        services.intake.add_addendum(people["frontdesk"], draft.id, "More.", DEMO_PASSWORD)
