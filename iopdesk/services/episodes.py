"""Admission to a program track (an episode of care; a readmission is a new episode) and the
list of a participant's episodes."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from iopdesk.db.models import Episode as EpisodeRow
from iopdesk.db.models import Participant, ProgramTrack, StaffUser
from iopdesk.domain.enums import EpisodeStatus, Role
from iopdesk.domain.errors import Conflict, ValidationError
from iopdesk.domain.readmodels import Episode
from iopdesk.services.changes import saving
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.participants import episode_view, load_episodes, record_of
from iopdesk.services.permissions import Permission, requires

MAX_ADMISSION_AHEAD = timedelta(days=60)


class EpisodeService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    @requires(Permission.EDIT_CLINICAL, "episode.admit")
    def admit(self, actor: Actor, participant_id: int, track_id: int, admission_date: date,
              primary_clinician_id: int | None = None) -> Episode:
        """Admit to `track_id`: a referred participant's episode becomes active; otherwise a
        new episode opens (a readmission), and an active one must be discharged first."""
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
            if errors:
                raise ValidationError(errors)
            open_episode = session.scalar(
                select(EpisodeRow).where(EpisodeRow.participant_id == participant_id,
                                         EpisodeRow.status != EpisodeStatus.DISCHARGED))
            referral = open_episode is not None and open_episode.status == EpisodeStatus.REFERRED
            if open_episode is not None and not referral:
                raise Conflict(f"{person.first_name} {person.last_name} is already admitted "
                               f"(since {open_episode.admission_date.isoformat()}); discharge "
                               "that episode before a readmission")
            # The participant's row (and a referral's episode) are saved over, so another
            # workstation saving either meanwhile refuses this admission, naming that save.
            with saving(session, person, record_of(person)):
                if referral:        # the referral's episode is the one that starts now
                    row = open_episode
                    row.track_id, row.admission_date = track_id, admission_date
                    row.status = EpisodeStatus.ACTIVE
                    row.primary_clinician_id = primary_clinician_id
                else:
                    row = EpisodeRow(participant_id=participant_id, track_id=track_id,
                                     admission_date=admission_date,
                                     status=EpisodeStatus.ACTIVE,
                                     primary_clinician_id=primary_clinician_id)
                    session.add(row)
                person.current_status = EpisodeStatus.ACTIVE
                person.current_track_id = track_id
                person.primary_clinician_id = primary_clinician_id
                session.flush()       # a new episode's id, for its audit event
                self._ctx.audit(session, actor, "episode.admit", participant_id=participant_id,
                                entity="episodes", entity_id=row.id,
                                detail={"track": track.name,
                                        "admission_date": admission_date.isoformat(),
                                        "from_referral": referral})
            return episode_view(row, track.name, clinician.display_name if clinician else "")

    @requires(Permission.VIEW_DEMOGRAPHICS, "episode.list")
    def list(self, actor: Actor, participant_id: int) -> tuple[Episode, ...]:
        """The participant's episodes, latest first: track, dates, status and primary
        clinician, which the front desk needs too (no clinical content)."""
        with self._ctx.unit_of_work() as session:
            get_or_404(session, Participant, participant_id, "Participant")
            result = load_episodes(session, participant_id)
            self._ctx.audit(session, actor, "episode.list", participant_id=participant_id,
                            entity="participants", entity_id=participant_id)
            return result
