"""Opening a participant's chart: the banner everyone sees, the alerts, and which tabs the
acting user may open. Front desk (and administrators) see the face sheet, contacts and
consents; clinicians and supervisors see every tab."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from iopdesk.db.models import Consent, Episode, IntakeAssessment, MeasureResult, Participant
from iopdesk.db.models import ProgramTrack, StaffUser
from iopdesk.domain.areas import tabs_for
from iopdesk.domain.clinical import (ChartAlert, ChartSummary,
                                     age_on)
from iopdesk.domain.enums import EpisodeStatus, Instrument, NoteStatus
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.permissions import Permission, permissions_of, requires

CONSENT_WARNING_DAYS = 30
SUICIDE_FLAG = "suicide_risk"      # MeasureResult.flags of a PHQ-9 with item 9 above 0
_MEASURES_READ = 500               # bound on the PHQ-9 results read for one episode


def _suicide_alert(session: Session, episode_id: int) -> ChartAlert | None:
    """The latest PHQ-9 of the current episode whose item 9 was above 0 (it stays on the
    banner for the whole episode: a later negative screen does not hide it)."""
    results = session.execute(
        select(MeasureResult.administered_on, MeasureResult.flags)
        .where(MeasureResult.episode_id == episode_id,
               MeasureResult.instrument == Instrument.PHQ9)
        .order_by(MeasureResult.administered_on.desc()).limit(_MEASURES_READ)).all()
    for administered_on, flags in results:
        if SUICIDE_FLAG in (flags or ()):
            return ChartAlert("suicide_risk",
                              f"PHQ-9 item 9 positive on {administered_on.isoformat()}",
                              "danger")
    return None


def _intake_alert(session: Session, episode: Episode) -> ChartAlert | None:
    if episode.status == EpisodeStatus.DISCHARGED:
        return None
    signed = session.scalar(select(IntakeAssessment.id).where(
        IntakeAssessment.episode_id == episode.id,
        IntakeAssessment.status != NoteStatus.DRAFT).limit(1))
    if signed is not None:
        return None
    return ChartAlert("no_signed_intake", "No signed intake assessment", "warning")


def _consent_alerts(session: Session, participant_id: int, today: date) -> list[ChartAlert]:
    rows = session.execute(
        select(Consent.recipient_name, Consent.expiry_date)
        .where(Consent.participant_id == participant_id, Consent.revoked_on.is_(None),
               Consent.expiry_date >= today,
               Consent.expiry_date <= today + timedelta(days=CONSENT_WARNING_DAYS))
        .order_by(Consent.expiry_date)).all()
    return [ChartAlert("consent_expiring",
                       f"Consent to disclose to {recipient} expires on {expiry.isoformat()}",
                       "info") for recipient, expiry in rows]


class ChartService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    @requires(Permission.VIEW_DEMOGRAPHICS, "chart.open")
    def open(self, actor: Actor, participant_id: int) -> ChartSummary:
        """The chart's banner: names, age, chart number, the current episode's (the latest
        one not entered in error) track, status and primary clinician, alerts, and the tabs
        this user may open. Alerts:
        consents expiring within 30 days (everyone); for clinical users also a positive PHQ-9
        item 9 in the current episode and a current episode without a signed intake."""
        granted = permissions_of(self._ctx.current_roles(actor))
        clinical = Permission.VIEW_CLINICAL in granted
        today = self._ctx.today()
        with self._ctx.unit_of_work() as session:
            person = get_or_404(session, Participant, participant_id, "Participant")
            current = session.execute(
                select(Episode, ProgramTrack.name, StaffUser.display_name)
                .join(ProgramTrack, ProgramTrack.id == Episode.track_id)
                .outerjoin(StaffUser, StaffUser.id == Episode.primary_clinician_id)
                .where(Episode.participant_id == participant_id,
                       Episode.status != EpisodeStatus.ENTERED_IN_ERROR)   # counted nowhere
                .order_by(Episode.admission_date.desc(), Episode.id.desc()).limit(1)).first()
            episode, track_name, clinician_name = current if current else (None, "", "")
            alerts: list[ChartAlert] = []
            if clinical and episode is not None:
                alerts += [a for a in (_suicide_alert(session, episode.id),
                                       _intake_alert(session, episode)) if a]
            alerts += _consent_alerts(session, participant_id, today)
            self._ctx.audit(session, actor, "chart.open", participant_id=participant_id,
                            entity="participants", entity_id=participant_id)
            return ChartSummary(
                participant_id=person.id, chart_number=person.chart_number,
                first_name=person.first_name, middle_name=person.middle_name,
                last_name=person.last_name, preferred_name=person.preferred_name,
                pronouns=person.pronouns, date_of_birth=person.date_of_birth,
                age=age_on(person.date_of_birth, today),
                current_episode_id=episode.id if episode else None,
                track_name=track_name or "", status=episode.status if episode else None,
                admission_date=episode.admission_date if episode else None,
                discharge_date=episode.discharge_date if episode else None,
                primary_clinician_name=clinician_name or "", alerts=tuple(alerts),
                tabs=tabs_for(frozenset(granted)), version=person.version)
