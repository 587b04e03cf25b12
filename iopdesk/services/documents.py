"""Printed documents: gather the read model, check permission, render it (reports/), and
record it in the audit trail.

Each document is read in one read transaction, rendered with no database lock held, and
audited ("document.generate") before its bytes are handed back: no PDF leaves this service
unrecorded. Where the bytes then go (a printer, a file) is recorded by `record_export`.

ReportLab takes about 0.3 s to import, so the reports are imported on the first document,
not when the app starts.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from iopdesk.db.models import (Consent, Contact, Coverage, Episode, IntakeAssessment,
                               ProgramTrack)
from iopdesk.db.models import Participant as ParticipantRow
from iopdesk.domain.clinical import ASAM_DIMENSIONS, INTAKE_TEXT_FIELDS, LEVEL_NAMES
from iopdesk.domain.documents import (ConsentForm, ConsentState, ConsentSummary, DocumentFrame,
                                      FaceSheet, FaceSheetContact,
                                      FaceSheetCoverage, FaceSheetEpisode, IntakeDimension,
                                      IntakeDocument, IntakeTextSection, PrintedAddendum, age_on, consent_state, part2_notice)
from iopdesk.domain.enums import NoteStatus
from iopdesk.domain.errors import NotFound, ValidationError
from iopdesk.domain.time import practice_time
from iopdesk.services.attendance_rows import read_clock
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.document_heads import PART2_FOCUS, header, letterhead, printed_now
from iopdesk.services.intake import _view as intake_view
from iopdesk.services.participants import load_episodes
from iopdesk.services.permissions import Permission, requires
from iopdesk.services.stored_settings import load_settings, load_time_zone

FACE_SHEET, CONSENT_FORM = "face_sheet", "consent_form"
INTAKE_ASSESSMENT = "intake_assessment"
KINDS = (FACE_SHEET, CONSENT_FORM, INTAKE_ASSESSMENT)
# The attendance documents (services.attendance_documents); the first two are about a group,
# not one participant, and record their export with no participant.
SIGN_IN_SHEET, HOURS_REPORT = "sign_in_sheet", "hours_report"
ATTENDANCE_HISTORY = "attendance_history"
GROUP_KINDS = (SIGN_IN_SHEET, HOURS_REPORT)
EXPORT_KINDS = KINDS + GROUP_KINDS + (ATTENDANCE_HISTORY,)
HOURS_FORMATS = ("pdf", "csv")
WHERE_MAX = 500
# A consent that may not be used prints with its state across every page.
_MARKS = {ConsentState.REVOKED: "REVOKED", ConsentState.EXPIRED: "EXPIRED"}
# Tracks whose records are substance-use disorder records (42 CFR Part 2): their clinical
# documents carry the practice's § 2.32 notice.
def legal_name(person: ParticipantRow) -> str:
    return " ".join(x for x in (person.first_name, person.middle_name, person.last_name) if x)


def _address(person: ParticipantRow) -> tuple[str, ...]:
    street = ", ".join(x for x in (person.address_line1, person.address_line2) if x)
    place = " ".join(x for x in (person.state, person.postal_code) if x)
    city = ", ".join(x for x in (person.city, place) if x)
    return tuple(x for x in (street, city) if x)


def load_face_sheet(session: Session, participant_id: int, today: date, *,
                    printed_at: datetime, printed_by: str = "") -> FaceSheet:
    """The face sheet's read model (no permission check, no audit: see DocumentService)."""
    person = get_or_404(session, ParticipantRow, participant_id, "Participant")
    episodes = load_episodes(session, participant_id)
    current = next((e for e in episodes if e.counts), None)    # never one entered in error
    contacts = session.scalars(
        select(Contact).where(Contact.participant_id == participant_id, Contact.active.is_(True))
        .order_by(Contact.is_guardian.desc(), Contact.is_emergency.desc(), Contact.name,
                  Contact.id)).all()
    coverages = session.scalars(
        select(Coverage).where(
            Coverage.participant_id == participant_id,
            or_(Coverage.effective_date.is_(None), Coverage.effective_date <= today),
            or_(Coverage.termination_date.is_(None), Coverage.termination_date >= today))
        .order_by(Coverage.priority, Coverage.id)).all()
    consents = session.scalars(
        select(Consent).where(
            Consent.participant_id == participant_id, Consent.revoked_on.is_(None),
            Consent.effective_date <= today,
            or_(Consent.expiry_date.is_(None), Consent.expiry_date >= today))
        .order_by(Consent.id)).all()
    frame = DocumentFrame(letterhead=letterhead(session), header=header(person),
                          title="Face Sheet", printed_at=printed_at, printed_by=printed_by)
    return FaceSheet(
        frame=frame, legal_name=legal_name(person), preferred_name=person.preferred_name,
        pronouns=person.pronouns, date_of_birth=person.date_of_birth,
        age=age_on(person.date_of_birth, today), sex_at_birth=person.sex_at_birth,
        gender_identity=person.gender_identity, phone=person.phone,
        phone_ok_to_leave_message=person.phone_ok_to_leave_message, alt_phone=person.alt_phone,
        email=person.email, address_lines=_address(person),
        preferred_contact=person.preferred_contact, referral_source=person.referral_source,
        episode=None if current is None else FaceSheetEpisode(
            track_name=current.track_name, admission_date=current.admission_date,
            status=str(current.status), primary_clinician=current.primary_clinician_name,
            discharge_date=current.discharge_date,
            referral_date=current.referral_date or person.referral_date),
        contacts=tuple(FaceSheetContact(
            name=c.name, relationship=c.relationship_to_participant, phone=c.phone,
            email=c.email, is_guardian=c.is_guardian, is_emergency=c.is_emergency,
            may_contact=c.may_contact) for c in contacts),
        coverages=tuple(FaceSheetCoverage(
            priority=c.priority, payer_name=c.payer_name, payer_id=c.payer_id,
            member_number=c.member_number, group_number=c.group_number,
            subscriber_name=c.subscriber_name,
            subscriber_relationship=c.subscriber_relationship) for c in coverages),
        consents=tuple(ConsentSummary(
            id=c.id, recipient=c.recipient_name, purpose=c.purpose, expiry_date=c.expiry_date,
            expiry_event=c.expiry_event, is_part2=c.is_part2) for c in consents))


def load_consent_form(session: Session, consent_id: int, today: date, *,
                      printed_at: datetime, printed_by: str = "") -> ConsentForm:
    """The consent form's read model (no permission check, no audit: see DocumentService)."""
    row = get_or_404(session, Consent, consent_id, "Consent")
    person = get_or_404(session, ParticipantRow, row.participant_id, "Participant")
    practice = letterhead(session)
    state = consent_state(row.effective_date, row.expiry_date, row.revoked_on, today)
    frame = DocumentFrame(
        letterhead=practice, header=header(person), title="Consent to Release Information",
        printed_at=printed_at, printed_by=printed_by, watermark=_MARKS.get(state, ""),
        part2_notice=part2_notice(load_settings(session).part2_notice) if row.is_part2 else "")
    return ConsentForm(
        frame=frame, consent_id=row.id, participant_name=legal_name(person),
        date_of_birth=person.date_of_birth,
        who_may_disclose=row.who_may_disclose or practice.name,
        recipient_name=row.recipient_name, recipient_address=row.recipient_address,
        purpose=row.purpose, information_scope=row.information_scope,
        effective_date=row.effective_date, expiry_date=row.expiry_date,
        expiry_event=row.expiry_event, is_part2=row.is_part2, state=state,
        signed_on=row.signed_on, signed_by=row.signed_by, revoked_on=row.revoked_on,
        revocation_note=row.revocation_note)


def load_intake_document(session: Session, participant_id: int, *, printed_at: datetime,
                         printed_by: str = "") -> IntakeDocument:
    """The intake assessment's read model (no permission check, no audit: see
    DocumentService): the latest signed intake (signed, awaiting co-signature or co-signed) of
    the participant's current (latest) episode. NotFound, saying so, when there is none."""
    person = get_or_404(session, ParticipantRow, participant_id, "Participant")
    who = f"{legal_name(person)} (chart {person.chart_number})"
    current = session.execute(
        select(Episode, ProgramTrack.name, ProgramTrack.focus)
        .join(ProgramTrack, ProgramTrack.id == Episode.track_id)
        .where(Episode.participant_id == participant_id)
        .order_by(Episode.admission_date.desc(), Episode.id.desc()).limit(1)).first()
    if current is None:
        raise NotFound(f"{who} has no episode of care, so no signed intake assessment to "
                       "print; admit them and sign the intake first")
    episode, track_name, focus = current
    row = session.scalar(
        select(IntakeAssessment)
        .where(IntakeAssessment.episode_id == episode.id,
               IntakeAssessment.status != NoteStatus.DRAFT)
        .order_by(IntakeAssessment.id.desc()).limit(1))
    if row is None:
        raise NotFound(f"{who} has no signed intake assessment to print (current episode, "
                       f"admitted {episode.admission_date.isoformat()}); sign it first")
    intake = intake_view(session, row, participant_id)
    zone = load_time_zone(session)

    def local(moment: datetime | None) -> datetime | None:
        return None if moment is None else practice_time(moment, zone)

    notice = (part2_notice(load_settings(session).part2_notice) if focus in PART2_FOCUS
              else "")
    frame = DocumentFrame(letterhead=letterhead(session), header=header(person),
                          title="Intake Assessment", printed_at=printed_at,
                          printed_by=printed_by, part2_notice=notice)
    return IntakeDocument(
        frame=frame, intake_id=row.id, participant_name=legal_name(person),
        date_of_birth=person.date_of_birth, chart_number=person.chart_number,
        track_name=track_name,
        admission_date=episode.admission_date, assessed_on=intake.assessed_on,
        clinician=intake.clinician_name,
        sections=tuple(IntakeTextSection(title, getattr(intake, name))
                       for name, title in INTAKE_TEXT_FIELDS.items()),
        dimensions=tuple(IntakeDimension(number, title, intake.asam[number].rating,
                                         intake.asam[number].note)
                         for number, title in ASAM_DIMENSIONS.items()),
        recommended_level=(LEVEL_NAMES.get(intake.recommended_level,
                                           str(intake.recommended_level))
                           if intake.recommended_level else ""),
        signed_by=intake.signed_by, signed_at=local(intake.signed_at),
        awaiting_cosign=intake.awaiting_cosign, cosigned_by=intake.cosigned_by,
        cosigned_at=local(intake.cosigned_at), content_hash=intake.content_hash,
        addenda=tuple(PrintedAddendum(a.author_name, local(a.written_at), a.text)
                      for a in intake.addenda))


class DocumentService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    def render(self, actor: Actor, document: str, participant_id: int,
               record_id: int | None = None) -> bytes:
        """The chart document `document` (a `PrintCommand.document` of domain.areas) of the
        participant, or of their record `record_id` when the document prints one record."""
        if document == FACE_SHEET:
            return self.face_sheet(actor, participant_id)
        if document == CONSENT_FORM:
            if record_id is None:
                raise ValidationError({"record_id": "Say which consent to print"})
            return self.consent_form(actor, record_id, participant_id=participant_id)
        if document == INTAKE_ASSESSMENT:
            return self.intake_assessment(actor, participant_id)
        if document == ATTENDANCE_HISTORY:
            return self.attendance_history(actor, participant_id)
        raise ValidationError({"document": f"“{document}” is not a document IOPDesk prints; "
                                           f"choose {' or '.join((*KINDS, ATTENDANCE_HISTORY))}"})

    @requires(Permission.VIEW_DEMOGRAPHICS, "document.generate")
    def face_sheet(self, actor: Actor, participant_id: int) -> bytes:
        """The participant's face sheet as PDF bytes (demographics only: the front desk
        prints it)."""
        from iopdesk.reports.face_sheet import render_face_sheet

        with self._ctx.session_factory() as session:
            sheet = load_face_sheet(session, participant_id, self._ctx.today(),
                                    printed_at=printed_now(session, self._ctx.now()),
                                    printed_by=actor.display_name)
        pdf = render_face_sheet(sheet)
        self._printed(actor, FACE_SHEET, participant_id, "participants", participant_id)
        return pdf

    @requires(Permission.VIEW_DEMOGRAPHICS, "document.generate")
    def consent_form(self, actor: Actor, consent_id: int, *,
                     participant_id: int | None = None) -> bytes:
        """The consent to release information, prefilled from the consent on record, as PDF
        bytes; with the practice's 42 CFR Part 2 notice when the consent is a Part 2 one.

        A revoked or expired consent prints marked as such on every page (never as a consent
        in force). `participant_id`, when given, must be the consent's participant."""
        from iopdesk.reports.consent_form import render_consent_form

        with self._ctx.session_factory() as session:
            owner = session.scalar(select(Consent.participant_id)
                                   .where(Consent.id == consent_id))
            if owner is None:
                raise NotFound(f"Consent {consent_id} does not exist")
            if participant_id is not None and owner != participant_id:
                # Said without naming whose it is: the caller asked about someone else.
                raise NotFound(f"Consent {consent_id} is not one of this participant's "
                               "consents")
            form = load_consent_form(session, consent_id, self._ctx.today(),
                                     printed_at=printed_now(session, self._ctx.now()),
                                     printed_by=actor.display_name)
        pdf = render_consent_form(form)
        self._printed(actor, CONSENT_FORM, owner, "consents", consent_id,
                      state=form.state.value, part2_notice=bool(form.frame.part2_notice))
        return pdf

    @requires(Permission.VIEW_CLINICAL, "document.generate")
    def intake_assessment(self, actor: Actor, participant_id: int) -> bytes:
        """The participant's signed intake assessment as PDF bytes: the latest signed one of
        their current episode (clinical content: clinical staff only), with the practice's
        42 CFR Part 2 notice when the episode's track treats substance use. NotFound, saying
        so, when the current episode has no signed intake."""
        from iopdesk.reports.intake_assessment import render_intake_assessment

        with self._ctx.session_factory() as session:
            doc = load_intake_document(session, participant_id,
                                       printed_at=printed_now(session, self._ctx.now()),
                                       printed_by=actor.display_name)
        pdf = render_intake_assessment(doc)
        self._printed(actor, INTAKE_ASSESSMENT, participant_id, "intake_assessments",
                      doc.intake_id)
        return pdf

    @requires(Permission.RECORD_ATTENDANCE, "document.generate")
    def sign_in_sheet(self, actor: Actor, meeting_id: int) -> bytes:
        """The meeting's sign-in sheet as PDF bytes (the front desk prints it): who is
        expected, names as the practice's `sign_in_names` setting shows them, times already
        recorded, blank lines for walk-ins; with the Part 2 notice for a substance-use or
        co-occurring track. Refused for a cancelled meeting; NotFound for an unknown one."""
        from iopdesk.reports.sign_in_sheet import render_sign_in_sheet
        from iopdesk.services.attendance_documents import load_sign_in_sheet

        with self._ctx.session_factory() as session:
            sheet = load_sign_in_sheet(session, read_clock(session, self._ctx), meeting_id,
                                       printed_at=printed_now(session, self._ctx.now()),
                                       printed_by=actor.display_name)
        pdf = render_sign_in_sheet(sheet)
        self._printed(actor, SIGN_IN_SHEET, None, "group_meetings", meeting_id,
                      participants=len(sheet.lines), part2_notice=bool(sheet.part2_notice))
        return pdf

    @requires(Permission.VIEW_DEMOGRAPHICS, "document.generate")
    def hours_report(self, actor: Actor, week_of: date, track_id: int | None = None,
                     format: str = "pdf") -> bytes:
        """The attendance and hours of the week holding `week_of` for every participant with
        an episode open in it (of `track_id` only, when given), as PDF or as CSV bytes
        (`format`): the figures of AttendanceService.hours."""
        if format not in HOURS_FORMATS:
            raise ValidationError({"format": f"“{format}”: the hours report is written as "
                                             f"{' or '.join(HOURS_FORMATS)}"})
        from iopdesk.reports.hours_report import hours_csv, render_hours_report
        from iopdesk.services.attendance_documents import load_hours_report

        with self._ctx.session_factory() as session:
            report = load_hours_report(session, read_clock(session, self._ctx), week_of,
                                       track_id, printed_at=printed_now(session, self._ctx.now()),
                                       printed_by=actor.display_name)
        data = hours_csv(report) if format == "csv" else render_hours_report(report)
        self._printed(actor, HOURS_REPORT, None, "program_tracks", track_id,
                      week=report.week_first.isoformat(), format=format,
                      participants=len(report.rows), part2_notice=bool(report.part2_notice))
        return data

    @requires(Permission.VIEW_DEMOGRAPHICS, "document.generate")
    def attendance_history(self, actor: Actor, participant_id: int) -> bytes:
        """The participant's attendance history as PDF bytes: their last weeks in the program
        against each week's minimum, every meeting's times, credit and status, and the
        corrections made afterwards (who, when, why)."""
        from iopdesk.reports.attendance_history import render_attendance_history
        from iopdesk.services.attendance_documents import load_attendance_history

        with self._ctx.session_factory() as session:
            history = load_attendance_history(
                session, read_clock(session, self._ctx), participant_id,
                printed_at=printed_now(session, self._ctx.now()), printed_by=actor.display_name)
        pdf = render_attendance_history(history)
        self._printed(actor, ATTENDANCE_HISTORY, participant_id, "participants", participant_id,
                      weeks=len(history.weeks))
        return pdf

    @requires(Permission.VIEW_DEMOGRAPHICS, "document.export")
    def record_export(self, actor: Actor, kind: str, participant_id: int | None, path_name: str,
                      how: str = "save") -> None:
        """Record that a document of `kind` was printed (`how="print"`, `path_name` the
        printer's name) or saved as a file (`how="save"`, `path_name` the file's name).
        `participant_id` is None for a document about a group (a sign-in sheet, an hours
        report), and required for any other."""
        if how not in ("print", "save"):
            raise ValidationError({"how": f"“{how}”: a document is printed or saved"})
        if kind not in EXPORT_KINDS:
            raise ValidationError({"kind": f"“{kind}” is not a document IOPDesk prints; "
                                           f"choose {' or '.join(EXPORT_KINDS)}"})
        if participant_id is None and kind not in GROUP_KINDS:
            raise ValidationError({"participant_id": "Say whose document it is"})
        where = " ".join(str(path_name).split())
        if not where:
            raise ValidationError({"path_name": "Say where the document went"})
        with self._ctx.unit_of_work() as session:
            if participant_id is not None:
                get_or_404(session, ParticipantRow, participant_id, "Participant")
            self._ctx.audit(session, actor, "document.export", participant_id=participant_id,
                            entity="participants" if participant_id is not None else "",
                            entity_id=participant_id,
                            detail={"document": kind, "how": how, "to": where[:WHERE_MAX]})

    def _printed(self, actor: Actor, kind: str, participant_id: int | None, entity: str,
                 entity_id: int | None, **detail: object) -> None:
        with self._ctx.unit_of_work() as session:
            self._ctx.audit(session, actor, "document.generate", participant_id=participant_id,
                            entity=entity, entity_id=entity_id,
                            detail={"document": kind, **detail})
