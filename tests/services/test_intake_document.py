"""The intake assessment as a printed document: clinical staff print the signed intake of the
participant's current episode; the front desk is refused (and the refusal audited); a chart
without a signed intake says so and nothing is recorded as printed."""

from __future__ import annotations

import io
from datetime import date

import pytest
from clinical_support import complete_intake
from pypdf import PdfReader
from sqlalchemy import func, select

from iopdesk.db.models import AuditEvent, Episode, IntakeAssessment, Participant, ProgramTrack
from iopdesk.domain.clinical import ASAM_DIMENSIONS, INTAKE_TEXT_FIELDS
from iopdesk.domain.demo_accounts import DEMO_PASSWORD
from iopdesk.domain.documents import PART2_NOTICE_SHORT
from iopdesk.domain.enums import AuditOutcome, NoteStatus, TrackFocus
from iopdesk.domain.errors import NotFound, PermissionDenied
from iopdesk.domain.time import practice_time
from iopdesk.domain.validation import ParticipantInput
from iopdesk.reports.intake_assessment import moment
from iopdesk.services.documents import KINDS


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _events(factory, action: str) -> list[AuditEvent]:
    with factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def _signed_intake(factory, focus: TrackFocus, status: NoteStatus) -> tuple[int, int, str]:
    """(participant id, intake id, chart number) of a demo intake of a current episode."""
    with factory() as s:
        rows = s.execute(
            select(Participant.id, IntakeAssessment.id, Participant.chart_number, Episode.id)
            .join(Episode, Episode.participant_id == Participant.id)
            .join(IntakeAssessment, IntakeAssessment.episode_id == Episode.id)
            .join(ProgramTrack, ProgramTrack.id == Episode.track_id)
            .where(ProgramTrack.focus == focus, IntakeAssessment.status == status)
            .order_by(Participant.id)).all()
        for pid, intake_id, chart, episode_id in rows:
            latest = s.scalar(select(Episode.id).where(Episode.participant_id == pid)
                              .order_by(Episode.admission_date.desc(), Episode.id.desc())
                              .limit(1))
            if latest == episode_id:
                return pid, intake_id, chart
    raise AssertionError(f"the demo has no {status} intake on a {focus} track")


@pytest.fixture
def admitted(demo, people):
    """`admitted(who)`: a participant registered and admitted today by `who`: an episode
    without an intake. (participant id, episode id)."""
    services, factory = demo

    def make(who: str = "clinician") -> tuple[int, int]:
        person = services.participants.register(
            people["frontdesk"], ParticipantInput(first_name="Amaru", last_name="Quispe",
                                                  date_of_birth=date(1990, 4, 4)))
        with factory() as s:
            track_id = s.scalar(select(ProgramTrack.id).where(
                ProgramTrack.focus == TrackFocus.SUBSTANCE_USE).limit(1))
        episode = services.episodes.admit(people[who], person.id, track_id, date(2026, 11, 2),
                                          people[who].user_id)
        return person.id, episode.id
    return make


def test_a_clinician_prints_the_demo_s_co_signed_intake_and_it_is_audited(demo, people):
    services, factory = demo
    pid, intake_id, chart = _signed_intake(factory, TrackFocus.SUBSTANCE_USE,
                                           NoteStatus.COSIGNED)
    with factory() as s:
        episode_id = s.scalar(select(IntakeAssessment.episode_id)
                              .where(IntakeAssessment.id == intake_id))
    intake = services.intake.get(people["clinician"], episode_id)
    zone = services.settings.time_zone()

    pdf = services.documents.intake_assessment(people["clinician"], pid)

    pages = _pages(pdf)
    printed = " ".join(pages)
    for expected in ("Intake Assessment", "Willow Creek Recovery & Wellness (DEMO)",
                     f"Chart {chart}", "by Dana Whitfield", "Adult Substance Use IOP",
                     intake.presenting_problem, intake.risk_screening,
                     "Level 2.1 — intensive outpatient",
                     (f"Electronically signed by {intake.signed_by} on "
                      f"{moment(practice_time(intake.signed_at, zone))}."),
                     (f"Co-signed by {intake.cosigned_by} on "
                      f"{moment(practice_time(intake.cosigned_at, zone))}."),
                     f"Signed content (SHA-256): {intake.content_hash}", PART2_NOTICE_SHORT):
        assert expected in printed, expected
    for title in (*INTAKE_TEXT_FIELDS.values(), *ASAM_DIMENSIONS.values()):
        assert title in printed, title
    assert "Awaiting co-signature" not in printed and "DRAFT" not in printed
    assert all(f"Page {n} of {len(pages)}" in page and f"Chart {chart}" in page
               for n, page in enumerate(pages, 1))
    [event] = _events(factory, "document.generate")
    assert (event.username, event.participant_id, event.entity, event.entity_id,
            event.outcome, event.detail) == ("clinician", pid, "intake_assessments", intake_id,
                                             AuditOutcome.OK, {"document": "intake_assessment"})


def test_a_mental_health_track_s_intake_has_no_part2_notice(demo, people):
    services, factory = demo
    pid, _intake_id, _chart = _signed_intake(factory, TrackFocus.MENTAL_HEALTH,
                                             NoteStatus.SIGNED)
    printed = " ".join(_pages(services.documents.intake_assessment(people["supervisor"], pid)))
    assert "Adolescent Mental Health IOP" in printed
    assert "42 CFR" not in printed


def test_the_front_desk_may_not_print_it_and_the_refusal_is_audited(demo, people):
    services, factory = demo
    pid, _intake_id, _chart = _signed_intake(factory, TrackFocus.SUBSTANCE_USE,
                                             NoteStatus.SIGNED)
    with pytest.raises(PermissionDenied, match="view clinical"):
        services.documents.intake_assessment(people["frontdesk"], pid)
    with pytest.raises(PermissionDenied):
        services.documents.render(people["frontdesk"], "intake_assessment", pid)
    events = _events(factory, "document.generate")
    assert [(e.username, e.outcome, e.participant_id) for e in events] == [
        ("frontdesk", AuditOutcome.REFUSED, pid)] * 2
    assert events[0].detail["needs"] == "view_clinical"


def test_no_signed_intake_is_a_clear_error_and_nothing_is_recorded(demo, people, admitted):
    services, factory = demo
    clinician = people["clinician"]
    pid, episode_id = admitted()
    with pytest.raises(NotFound, match=r"Amaru Quispe \(chart \w+\) has no signed intake "
                                       r"assessment to print .*; sign it first"):
        services.documents.intake_assessment(clinician, pid)
    services.intake.save_draft(clinician, episode_id, complete_intake(), None)   # a draft
    with pytest.raises(NotFound, match="has no signed intake assessment to print"):
        services.documents.intake_assessment(clinician, pid)
    nobody = services.participants.register(people["frontdesk"], ParticipantInput(
        first_name="Never", last_name="Admitted", date_of_birth=date(1991, 1, 1)))
    with pytest.raises(NotFound, match="has no episode of care"):
        services.documents.intake_assessment(clinician, nobody.id)
    with pytest.raises(NotFound):
        services.documents.intake_assessment(clinician, 10 ** 6)
    assert _events(factory, "document.generate") == []


def test_awaiting_co_signature_then_co_signed(demo, people, admitted):
    services, _factory = demo
    associate, supervisor = people["associate"], people["supervisor"]
    pid, episode_id = admitted("associate")
    draft = services.intake.save_draft(associate, episode_id, complete_intake(), None)
    signed = services.intake.sign(associate, draft.id, draft.version, DEMO_PASSWORD)
    printed = " ".join(_pages(services.documents.intake_assessment(supervisor, pid)))
    assert "Electronically signed by Jamie Tran" in printed
    assert "Awaiting co-signature by the author's supervisor." in printed
    assert "Co-signed by" not in printed

    services.cosign.cosign(supervisor, "intake", signed.id, signed.version, DEMO_PASSWORD)
    printed = " ".join(_pages(services.documents.intake_assessment(associate, pid)))
    assert "Co-signed by Samuel Okafor" in printed
    assert "Awaiting co-signature" not in printed


def test_the_current_episode_s_latest_signed_intake_is_the_one_printed(demo, people):
    services, factory = demo
    clinician = people["clinician"]
    with factory() as s:      # a readmitted participant: an intake in each episode
        pid = s.scalar(select(Episode.participant_id)
                       .join(IntakeAssessment, IntakeAssessment.episode_id == Episode.id)
                       .group_by(Episode.participant_id)
                       .having(func.count(func.distinct(Episode.id)) > 1)
                       .order_by(Episode.participant_id).limit(1))
        episodes = s.execute(select(Episode.id, Episode.admission_date)
                             .where(Episode.participant_id == pid)
                             .order_by(Episode.admission_date.desc())).all()
    assert len(episodes) == 2, "the demo's readmitted participant"
    current_id, admitted_on = episodes[0]
    newest = services.intake.get(clinician, current_id)
    # a newer draft of the same episode does not replace the signed one on paper
    services.intake.save_draft(clinician, current_id, complete_intake(
        presenting_problem="An unsigned draft, never printed."), None)
    printed = " ".join(_pages(services.documents.intake_assessment(clinician, pid)))
    assert newest.presenting_problem in printed
    assert f"{admitted_on:%m/%d/%Y}" in printed
    assert "An unsigned draft" not in printed
    [event] = _events(factory, "document.generate")
    assert event.entity_id == newest.id


def test_render_dispatches_it_and_its_exports_are_recorded(demo, people):
    services, factory = demo
    pid, _intake_id, _chart = _signed_intake(factory, TrackFocus.SUBSTANCE_USE,
                                             NoteStatus.SIGNED)
    assert "intake_assessment" in KINDS
    pdf = services.documents.render(people["clinician"], "intake_assessment", pid)
    assert pdf.startswith(b"%PDF")
    services.documents.record_export(people["clinician"], "intake_assessment", pid,
                                     "Clinical printer", how="print")
    [event] = _events(factory, "document.export")
    assert (event.username, event.participant_id, event.detail) == (
        "clinician", pid, {"document": "intake_assessment", "how": "print",
                           "to": "Clinical printer"})
