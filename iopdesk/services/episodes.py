"""Admission to a program track (an episode of care; a readmission is a new episode), the list
of a participant's episodes, and the correction of an episode admitted in error.

An admission to a track whose age group the participant's age (on the admission date) does
not fit is refused unless the person admitting acknowledged it; the acknowledged mismatch is
kept in the audit event. An episode marked "entered in error" stays in the chart's list and
the audit trail, and counts nowhere else (domain.admission)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from iopdesk.db.models import Episode as EpisodeRow
from iopdesk.db.models import Participant, ProgramTrack, StaffUser
from iopdesk.domain.admission import (
    AgeMismatch,
    age_mismatch,
    check_error_reason,
    current_of,
)
from iopdesk.domain.clinical import age_on
from iopdesk.domain.enums import EpisodeStatus, Role
from iopdesk.domain.errors import Conflict, ValidationError
from iopdesk.domain.readmodels import Episode
from iopdesk.services.changes import saving
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.participants import episode_view, load_episodes, record_of
from iopdesk.services.permissions import Permission, requires

MAX_ADMISSION_AHEAD = timedelta(days=60)
_OPEN = (EpisodeStatus.REFERRED, EpisodeStatus.ACTIVE)


def _follow_current_episode(session: Session, person: Participant) -> None:
    """Set the participant's denormalised status, track and primary clinician from their
    current episode (the latest that counts), after one of their episodes changed."""
    session.flush()
    current = current_of(session.scalars(
        select(EpisodeRow).where(EpisodeRow.participant_id == person.id)).all())
    person.current_status = current.status
    person.current_track_id = current.track_id
    person.primary_clinician_id = current.primary_clinician_id


def _describe(row: EpisodeRow, person: Participant) -> str:
    """How a stale-save refusal names an episode."""
    return (f"The episode of {person.first_name} {person.last_name} admitted on "
            f"{row.admission_date.isoformat()}")


class EpisodeService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    @requires(Permission.EDIT_CLINICAL, "episode.admit")
    def admit(self, actor: Actor, participant_id: int, track_id: int, admission_date: date,
              primary_clinician_id: int | None = None, *,
              acknowledge_age_mismatch: bool = False) -> Episode:
        """Admit to `track_id`: a referred participant's episode becomes active; otherwise a
        new episode opens (a readmission), and an active one must be discharged first.

        A track whose age group the participant's age on `admission_date` does not fit is
        refused (AgeMismatch, a ValidationError at `track_id`) unless
        `acknowledge_age_mismatch`; then the audit event records the mismatch acknowledged."""
        today = self._ctx.today()
        with self._ctx.unit_of_work() as session:
            person = get_or_404(session, Participant, participant_id, "Participant")
            track = get_or_404(session, ProgramTrack, track_id, "Program track")
            errors = {}
            if admission_date < person.date_of_birth:
                errors["admission_date"] = "Admission date is before the date of birth"
            elif admission_date > today + MAX_ADMISSION_AHEAD:
                errors["admission_date"] = (f"Admission date is more than "
                                            f"{MAX_ADMISSION_AHEAD.days} days ahead")
            if not track.active:
                errors["track_id"] = f"The track {track.name} is no longer offered"
            clinician = None
            if primary_clinician_id is not None:
                clinician = session.get(StaffUser, primary_clinician_id)
                if (clinician is None or not clinician.active or not {
                        r.role for r in clinician.roles} & {Role.CLINICIAN, Role.SUPERVISOR}):
                    errors["primary_clinician_id"] = "Primary clinician must be an active clinician"
            mismatch = age_mismatch(track.name, track.age_group, person.date_of_birth,
                                    admission_date)
            if mismatch and not acknowledge_age_mismatch and "track_id" not in errors:
                raise AgeMismatch(mismatch, errors)
            if errors:
                raise ValidationError(errors)
            open_episode = session.scalar(
                select(EpisodeRow).where(EpisodeRow.participant_id == participant_id,
                                         EpisodeRow.status.in_(_OPEN)))
            referral = open_episode is not None and open_episode.status == EpisodeStatus.REFERRED
            if open_episode is not None and not referral:
                raise Conflict(f"{person.first_name} {person.last_name} is already admitted "
                               f"(since {open_episode.admission_date.isoformat()}); discharge "
                               "that episode before a readmission")
            detail = {"track": track.name, "admission_date": admission_date.isoformat(),
                      "from_referral": referral}
            if mismatch:
                detail["age_mismatch_acknowledged"] = {
                    "age": age_on(person.date_of_birth, admission_date),
                    "track_age_group": str(track.age_group), "reason": mismatch}
            # The participant's row (and a referral's episode) are saved over, so another
            # workstation saving either meanwhile refuses this admission, naming that save.
            with saving(session, person, record_of(person)):
                if referral:        # the referral's episode is the one that starts now
                    row = open_episode
                    row.track_id, row.admission_date = track_id, admission_date
                    row.status = EpisodeStatus.ACTIVE
                    row.primary_clinician_id = primary_clinician_id
                else:
                    # the referral recorded at registration is this episode's, unless an
                    # earlier episode already followed it
                    first = session.scalar(select(EpisodeRow.id).where(
                        EpisodeRow.participant_id == participant_id).limit(1)) is None
                    row = EpisodeRow(participant_id=participant_id, track_id=track_id,
                                     admission_date=admission_date,
                                     status=EpisodeStatus.ACTIVE,
                                     primary_clinician_id=primary_clinician_id,
                                     referral_date=person.referral_date if first else None)
                    session.add(row)
                person.current_status = EpisodeStatus.ACTIVE
                person.current_track_id = track_id
                person.primary_clinician_id = primary_clinician_id
                session.flush()       # a new episode's id, for its audit event
                self._ctx.audit(session, actor, "episode.admit", participant_id=participant_id,
                                entity="episodes", entity_id=row.id, detail=detail)
            return episode_view(row, track.name, clinician.display_name if clinician else "")

    @requires(Permission.CORRECT_EPISODES, "episode.enter_in_error")
    def enter_in_error(self, actor: Actor, episode_id: int, expected_version: int,
                       reason: str) -> Episode:
        """Mark an episode admitted in error "entered in error", with why (required). It is
        kept, with the reason, who and when, and shown in the chart's Episodes tab as such;
        lists, caseloads and the chart's current episode leave it out from now on, and the
        participant's current status, track and primary clinician follow their latest
        episode that counts. Over a newer save of the episode: StaleVersion."""
        reason = check_error_reason(reason)
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, EpisodeRow, episode_id, "Episode")
            person = session.get(Participant, row.participant_id)
            with saving(session, row, _describe(row, person), expected=expected_version):
                if row.status == EpisodeStatus.ENTERED_IN_ERROR:
                    raise Conflict(f"{_describe(row, person)} is already marked entered in "
                                   "error")
                before = row.status
                row.status = EpisodeStatus.ENTERED_IN_ERROR
                row.entered_in_error_reason = reason
                row.entered_in_error_by_id = actor.user_id
                row.entered_in_error_at = self._ctx.now()
                _follow_current_episode(session, person)
                track_name = session.scalar(
                    select(ProgramTrack.name).where(ProgramTrack.id == row.track_id))
                self._ctx.audit(session, actor, "episode.enter_in_error",
                                participant_id=row.participant_id, entity="episodes",
                                entity_id=row.id,
                                detail={"reason": reason, "status_before": str(before),
                                        "track": track_name,
                                        "admission_date": row.admission_date.isoformat()})
            clinician = (session.get(StaffUser, row.primary_clinician_id)
                         if row.primary_clinician_id is not None else None)
            marker = session.get(StaffUser, actor.user_id)
            return episode_view(row, track_name or "",
                                clinician.display_name if clinician else "",
                                marker.display_name if marker else actor.display_name)

    @requires(Permission.VIEW_DEMOGRAPHICS, "episode.list")
    def list(self, actor: Actor, participant_id: int) -> tuple[Episode, ...]:
        """The participant's episodes, latest first: track, dates, status and primary
        clinician, which the front desk needs too (no clinical content). Episodes entered in
        error are listed too, with why, by whom and when."""
        with self._ctx.unit_of_work() as session:
            get_or_404(session, Participant, participant_id, "Participant")
            result = load_episodes(session, participant_id)
            self._ctx.audit(session, actor, "episode.list", participant_id=participant_id,
                            entity="participants", entity_id=participant_id)
            return result
