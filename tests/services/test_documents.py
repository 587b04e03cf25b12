"""The documents service: who may print, what the documents say, what the audit trail keeps."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from iopdesk.db.models import AuditEvent, Consent, Contact, Coverage, Practice, StaffUser
from iopdesk.domain.accounts import PracticeSettings
from iopdesk.domain.areas import print_commands
from iopdesk.domain.documents import PART2_NOTICE_FULL, PART2_NOTICE_SHORT
from iopdesk.domain.enums import AuditOutcome
from iopdesk.domain.errors import NotFound, PermissionDenied, ValidationError
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import Actor
from clinical_support import complete_intake
from support import STAFF_PASSWORD, TODAY

PERSON = ParticipantInput(first_name="Thị Lan", last_name="Nguyễn",
                          date_of_birth=date(1988, 3, 14), preferred_name="Lanie",
                          phone="555 301 2233", phone_ok_to_leave_message=True,
                          city="Cedar Bend", state="OR", postal_code="97991",
                          referral_source="Primary care physician")


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _events(session_factory, action: str) -> list[AuditEvent]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def _add(session_factory, row):
    with session_factory.begin() as s:
        s.add(row)
        s.flush()
        return row.id


def make_actor(issuer, session_factory, username: str) -> Actor:
    """A stored account with no role at all, as its log-in would give it."""
    user_id = _add(session_factory, StaffUser(username=username, display_name=username,
                                              password_hash="not-used-here"))
    return issuer.issue_actor(user_id=user_id, username=username, display_name=username,
                              roles=frozenset())


def _consent(session_factory, participant_id: int, **changes) -> int:
    values = dict(participant_id=participant_id, recipient_name="Dr. Helen Achebe",
                  purpose="Coordination of care", information_scope="Dates of attendance",
                  effective_date=TODAY - timedelta(days=30),
                  expiry_date=TODAY + timedelta(days=335), signed_on=TODAY - timedelta(days=30),
                  signed_by="Lan Nguyễn")
    values.update(changes)
    return _add(session_factory, Consent(**values))


@pytest.fixture
def person(services, actors, track_id, session_factory):
    with session_factory.begin() as s:
        practice = s.get(Practice, 1)
        practice.address_line1, practice.city, practice.state = "2140 Alder St", "Millbrook", "OR"
        practice.phone, practice.npi = "(555) 201-0100", "1234567893"
    registered = services.participants.register(actors["front_desk"], PERSON)
    clinician = actors["clinician"]
    services.episodes.admit(clinician, registered.id, track_id, TODAY - timedelta(days=14),
                            clinician.user_id)
    return registered


def test_the_front_desk_prints_a_face_sheet_and_it_is_audited(services, actors, person,
                                                              session_factory):
    pid = person.id
    _add(session_factory, Contact(participant_id=pid, name="مريم حداد", is_emergency=True,
                                  relationship_to_participant="Aunt", phone="(555) 404-4444"))
    _add(session_factory, Contact(participant_id=pid, name="Old Contact 😀", active=False))
    _add(session_factory, Coverage(participant_id=pid, payer_name="Cascade Health Plan",
                                   member_number="CHP123"))
    _add(session_factory, Coverage(participant_id=pid, payer_name="Ended Plan", priority=2,
                                   termination_date=TODAY - timedelta(days=1)))
    _consent(session_factory, pid, recipient_name="Active Recipient 😀")
    _consent(session_factory, pid, recipient_name="Revoked Recipient", revoked_on=TODAY)
    _consent(session_factory, pid, recipient_name="Expired Recipient",
             expiry_date=TODAY - timedelta(days=1))

    pdf = services.documents.face_sheet(actors["front_desk"], pid)

    printed = _text(pdf)
    for expected in ("Test Practice", "2140 Alder St", "Face Sheet", "Nguyễn, Thị Lan",
                     "Thị Lan Nguyễn", "Lanie", "03/14/1988 (age 38)", "(555) 301-2233",
                     "OK to leave a message: Yes", "Cedar Bend, OR 97991",
                     "Primary care physician", "Adult SUD IOP", "Clinician", "مريم حداد",
                     "Cascade Health Plan", "Active Recipient 😀", f"Chart {person.chart_number}",
                     "Page 1 of 1", "Printed", "by Frontdesk"):
        assert expected in printed, expected
    for absent in ("Old Contact", "Ended Plan", "Revoked Recipient", "Expired Recipient",
                   "DRAFT", "42 CFR"):
        assert absent not in printed, absent
    [event] = _events(session_factory, "document.generate")
    assert (event.username, event.participant_id, event.entity, event.entity_id,
            event.outcome, event.detail) == ("frontdesk", pid, "participants", pid,
                                             AuditOutcome.OK, {"document": "face_sheet"})


def test_an_unknown_participant_is_not_found_and_nothing_is_audited(services, actors,
                                                                    session_factory):
    with pytest.raises(NotFound):
        services.documents.face_sheet(actors["front_desk"], 999)
    assert _events(session_factory, "document.generate") == []


def test_an_account_without_a_role_is_refused_and_the_refusal_audited(services, person,
                                                                      session_factory, issuer):
    nobody = make_actor(issuer, session_factory, "nobody")
    with pytest.raises(PermissionDenied):
        services.documents.face_sheet(nobody, person.id)
    [refusal] = _events(session_factory, "document.generate")
    assert (refusal.outcome, refusal.username, refusal.participant_id) == (
        AuditOutcome.REFUSED, "nobody", person.id)


@pytest.mark.parametrize("who", ["front_desk", "clinician", "supervisor", "admin"])
def test_every_role_may_print_the_front_desk_documents(services, actors, person,
                                                       session_factory, who):
    consent_id = _consent(session_factory, person.id)
    assert services.documents.face_sheet(actors[who], person.id).startswith(b"%PDF")
    assert services.documents.consent_form(actors[who], consent_id).startswith(b"%PDF")


def test_a_part2_consent_carries_the_short_notice_by_default(services, actors, person,
                                                            session_factory):
    consent_id = _consent(session_factory, person.id, recipient_name="Cascade Health Plan",
                          purpose="Payment", information_scope="Dates of attendance only")
    printed = _text(services.documents.consent_form(actors["front_desk"], consent_id))
    for expected in ("Consent to Release Information", f"Consent no. {consent_id}",
                     "I, Thị Lan Nguyễn, born 03/14/1988, authorize Test Practice",
                     "Cascade Health Plan", "Dates of attendance only", "Payment",
                     "Signature of participant", PART2_NOTICE_SHORT):
        assert expected in printed, expected
    assert "REVOKED" not in printed and "EXPIRED" not in printed
    [event] = _events(session_factory, "document.generate")
    assert (event.participant_id, event.entity, event.entity_id, event.detail) == (
        person.id, "consents", consent_id,
        {"document": "consent_form", "state": "active", "part2_notice": True})


def test_the_full_notice_when_the_practice_chose_it(services, actors, person, session_factory):
    services.settings.update(actors["admin"], PracticeSettings(part2_notice="full"))
    consent_id = _consent(session_factory, person.id)
    printed = _text(services.documents.consent_form(actors["front_desk"], consent_id))
    assert PART2_NOTICE_FULL in printed
    assert PART2_NOTICE_SHORT not in printed


def test_a_consent_outside_part2_has_no_notice(services, actors, person, session_factory):
    consent_id = _consent(session_factory, person.id, is_part2=False)
    printed = _text(services.documents.consent_form(actors["front_desk"], consent_id))
    assert "42 CFR" not in printed
    assert _events(session_factory, "document.generate")[0].detail["part2_notice"] is False


def test_a_revoked_consent_cannot_be_printed_as_active(services, actors, person,
                                                      session_factory):
    consent_id = _consent(session_factory, person.id, revoked_on=TODAY - timedelta(days=2),
                          revocation_note="Revoked in writing.")
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(
        services.documents.consent_form(actors["front_desk"], consent_id))).pages]
    assert all("REVOKED" in page for page in pages)
    assert "this consent was revoked on 11/14/2026. It does not authorize any disclosure" in (
        " ".join(pages))
    assert _events(session_factory, "document.generate")[0].detail["state"] == "revoked"


def test_a_consent_past_its_expiry_date_prints_expired(services, actors, person,
                                                      session_factory):
    last_day = _consent(session_factory, person.id, expiry_date=TODAY)
    past = _consent(session_factory, person.id, expiry_date=TODAY - timedelta(days=1))
    assert "EXPIRED" not in _text(services.documents.consent_form(actors["front_desk"],
                                                                  last_day))
    printed = _text(services.documents.consent_form(actors["front_desk"], past))
    assert "EXPIRED — this consent expired on 11/15/2026" in printed


def test_a_consent_must_belong_to_the_participant_named(services, actors, person,
                                                        session_factory):
    other = services.participants.register(
        actors["front_desk"], ParticipantInput(first_name="Ana", last_name="Other",
                                               date_of_birth=date(1990, 1, 1)))
    consent_id = _consent(session_factory, person.id)
    with pytest.raises(NotFound, match="not one of this participant's consents"):
        services.documents.consent_form(actors["front_desk"], consent_id,
                                        participant_id=other.id)
    with pytest.raises(NotFound, match="Consent 999 does not exist"):
        services.documents.consent_form(actors["front_desk"], 999)
    assert services.documents.consent_form(actors["front_desk"], consent_id,
                                           participant_id=person.id).startswith(b"%PDF")


def test_text_in_any_script_and_10000_characters_print_intact(services, actors, person,
                                                             session_factory):
    scope = ("Attendance, plan and progress summaries 😀. " * 240)[:10_000]
    consent_id = _consent(session_factory, person.id, recipient_name="שרה לוי",
                          recipient_address="רחוב הרצל 12\nתל אביב", information_scope=scope)
    pdf = services.documents.consent_form(actors["front_desk"], consent_id)
    printed = _text(pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 3
    assert "שרה לוי" in printed and "😀" in printed
    assert printed.count("summaries") == scope.count("summaries")


def test_exports_are_recorded(services, actors, person, session_factory):
    services.documents.record_export(actors["front_desk"], "face_sheet", person.id,
                                     "/home/rosa/Face sheet 1001.pdf")
    services.documents.record_export(actors["front_desk"], "consent_form", person.id,
                                     "Front desk printer", how="print")
    events = _events(session_factory, "document.export")
    assert [(e.username, e.participant_id, e.detail) for e in events] == [
        ("frontdesk", person.id, {"document": "face_sheet", "how": "save",
                                  "to": "/home/rosa/Face sheet 1001.pdf"}),
        ("frontdesk", person.id, {"document": "consent_form", "how": "print",
                                  "to": "Front desk printer"})]
    with pytest.raises(ValidationError) as refused:
        services.documents.record_export(actors["front_desk"], "face_sheet", person.id,
                                         "x.pdf", how="fax")
    assert "how" in refused.value.fields


def test_an_export_needs_a_known_document_a_destination_and_a_participant(
        services, actors, person, session_factory):
    with pytest.raises(ValidationError) as refused:
        services.documents.record_export(actors["front_desk"], "novel", person.id, "x.pdf")
    assert "kind" in refused.value.fields
    with pytest.raises(ValidationError):
        services.documents.record_export(actors["front_desk"], "face_sheet", person.id, "  ")
    with pytest.raises(NotFound):
        services.documents.record_export(actors["front_desk"], "face_sheet", 999, "x.pdf")
    assert _events(session_factory, "document.export") == []


def test_a_disabled_role_cannot_record_an_export(services, person, session_factory, issuer):
    nobody = make_actor(issuer, session_factory, "nobody2")
    with pytest.raises(PermissionDenied):
        services.documents.record_export(nobody, "face_sheet", person.id, "x.pdf")
    [refusal] = _events(session_factory, "document.export")
    assert refusal.outcome == AuditOutcome.REFUSED



@pytest.mark.parametrize("command", print_commands(), ids=lambda c: c.name)
def test_every_declared_print_command_renders_through_one_call(services, actors, person,
                                                               session_factory, command):
    """`documents.render` is what `iopdesk print` and the screens' print actions call: each
    document the areas declare renders through it, audited as its own call would be."""
    record_id = _consent(session_factory, person.id) if command.record_id else None
    actor = actors["front_desk"]
    if command.document == "intake_assessment":      # clinical: a clinician prints it, signed
        actor = actors["clinician"]
        [episode] = services.episodes.list(actor, person.id)
        draft = services.intake.save_draft(actor, episode.id, complete_intake(), None)
        services.intake.sign(actor, draft.id, draft.version, STAFF_PASSWORD)
    pdf = services.documents.render(actor, command.document, person.id, record_id)
    assert pdf.startswith(b"%PDF")
    [event] = _events(session_factory, "document.generate")
    assert event.detail["document"] == command.document and event.participant_id == person.id


@pytest.mark.parametrize("document, record_id, field", [
    ("intake_letter", None, "document"), ("", None, "document"),
    ("consent_form", None, "record_id")])
def test_render_refuses_an_unknown_document_or_a_missing_record(services, actors, person,
                                                                session_factory, document,
                                                                record_id, field):
    with pytest.raises(ValidationError) as refused:
        services.documents.render(actors["front_desk"], document, person.id, record_id)
    assert field in refused.value.fields
    assert _events(session_factory, "document.generate") == []
