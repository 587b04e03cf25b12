"""The intake assessment of an episode: a draft saved as often as needed, then signed, after
which it never changes (a signature row holds the SHA-256 of what was signed)."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from iopdesk.db.base import utcnow
from iopdesk.db.models import Episode, IntakeAssessment, Signature, StaffUser
from iopdesk.domain.clinical import (ASAM_DIMENSIONS, INTAKE_TEXT_FIELDS, AsamRating, Intake,
                                     IntakeInput, check_intake, check_signable, intake_content)
from iopdesk.domain.enums import NoteStatus, SignatureKind
from iopdesk.domain.errors import Conflict, NotFound
from iopdesk.services.changes import saving
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.permissions import Permission, requires


_WHAT = "The intake assessment"   # how a stale-save refusal names it


def content_hash(content: dict) -> str:
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stored_asam(raw: dict | None) -> dict[int, AsamRating]:
    raw = raw or {}
    result = {}
    for number in ASAM_DIMENSIONS:
        entry = raw.get(str(number)) or {}
        result[number] = AsamRating(rating=entry.get("rating"), note=entry.get("note", ""))
    return result


def _input_of(row: IntakeAssessment) -> IntakeInput:
    return IntakeInput(assessed_on=row.assessed_on, asam=_stored_asam(row.asam_dimensions),
                       recommended_level=row.recommended_level,
                       **{name: getattr(row, name) for name in INTAKE_TEXT_FIELDS})


def _apply(row: IntakeAssessment, data: IntakeInput) -> list[str]:
    """Write the checked input onto the row; the names of the fields that changed."""
    changed = []
    values = {name: getattr(data, name) for name in INTAKE_TEXT_FIELDS}
    values["assessed_on"] = data.assessed_on
    values["recommended_level"] = data.recommended_level
    values["asam_dimensions"] = {str(n): {"rating": r.rating, "note": r.note}
                                 for n, r in sorted(data.asam.items())}
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed


def _view(session: Session, row: IntakeAssessment, participant_id: int) -> Intake:
    clinician = session.get(StaffUser, row.clinician_id)
    signature = session.scalar(
        select(Signature).where(Signature.intake_id == row.id,
                                Signature.kind == SignatureKind.AUTHOR)
        .order_by(Signature.id).limit(1)) if row.status != NoteStatus.DRAFT else None
    signed_by = ""
    if signature is not None:
        signed_by = signature.signer_name + (f", {signature.signer_credentials}"
                                             if signature.signer_credentials else "")
    return Intake(id=row.id, episode_id=row.episode_id, participant_id=participant_id,
                  clinician_id=row.clinician_id,
                  clinician_name=clinician.display_name if clinician else "",
                  assessed_on=row.assessed_on, asam=_stored_asam(row.asam_dimensions),
                  recommended_level=row.recommended_level, status=row.status,
                  signed_at=row.signed_at, signed_by=signed_by,
                  content_hash=signature.content_hash if signature is not None else "",
                  updated_at=row.updated_at, version=row.version,
                  **{name: getattr(row, name) for name in INTAKE_TEXT_FIELDS})


def _latest(session: Session, episode_id: int) -> IntakeAssessment | None:
    return session.scalar(select(IntakeAssessment)
                          .where(IntakeAssessment.episode_id == episode_id)
                          .order_by(IntakeAssessment.id.desc()).limit(1))


def _locked(session: Session, row: IntakeAssessment) -> Conflict:
    view = _view(session, row, 0)
    when = row.signed_at.date().isoformat() if row.signed_at else "earlier"
    by = f" by {view.signed_by}" if view.signed_by else ""
    return Conflict(f"The intake assessment of {row.assessed_on.isoformat()} was signed{by} on "
                    f"{when} and is locked: a signed intake cannot be changed. Record a new "
                    "assessment to document a change.")


class IntakeService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    @requires(Permission.VIEW_CLINICAL, "intake.view")
    def get(self, actor: Actor, episode_id: int) -> Intake | None:
        """The episode's latest intake assessment (draft or signed), or None."""
        with self._ctx.unit_of_work() as session:
            episode = get_or_404(session, Episode, episode_id, "Episode")
            row = _latest(session, episode_id)
            self._ctx.audit(session, actor, "intake.view", participant_id=episode.participant_id,
                            entity="intake_assessments" if row else "episodes",
                            entity_id=row.id if row else episode_id)
            return _view(session, row, episode.participant_id) if row else None

    @requires(Permission.EDIT_CLINICAL, "intake.save_draft")
    def save_draft(self, actor: Actor, episode_id: int, data: IntakeInput,
                   expected_version: int | None) -> Intake:
        """Start the episode's intake (`expected_version` None) or save over its draft (the
        version that was loaded). A signed intake is never changed; a new one may be started."""
        data = check_intake(data, self._ctx.today())
        with self._ctx.unit_of_work() as session:
            episode = get_or_404(session, Episode, episode_id, "Episode")
            latest = _latest(session, episode_id)
            if expected_version is None:
                if latest is not None and latest.status == NoteStatus.DRAFT:
                    raise Conflict(
                        f"This episode already has a draft intake assessment (started "
                        f"{latest.created_at.date().isoformat()}); open it and save over it "
                        "instead of starting another")
                row = IntakeAssessment(episode_id=episode_id, clinician_id=actor.user_id,
                                       status=NoteStatus.DRAFT)
                session.add(row)
            elif latest is None:
                raise NotFound("This episode has no intake assessment to save over")
            else:
                row = latest
            # A save over a copy signed since it was opened is refused as stale, naming the
            # signature; over the signed copy itself, as locked.
            with saving(session, row, _WHAT, expected=expected_version):
                if row.status != NoteStatus.DRAFT:
                    raise _locked(session, row)
                changed = _apply(row, data)
                session.flush()           # a new draft's id, for its audit event
                self._ctx.audit(session, actor, "intake.save_draft",
                                participant_id=episode.participant_id,
                                entity="intake_assessments", entity_id=row.id,
                                detail={"new": expected_version is None, "fields": changed})
            return _view(session, row, episode.participant_id)

    @requires(Permission.EDIT_CLINICAL, "intake.sign")
    def sign(self, actor: Actor, intake_id: int, expected_version: int) -> Intake:
        """Sign the draft as its author: it is complete (see check_signable) and then locked."""
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, IntakeAssessment, intake_id, "Intake assessment")
            with saving(session, row, _WHAT, expected=expected_version):
                if row.status != NoteStatus.DRAFT:
                    raise _locked(session, row)
                data = _input_of(row)
                check_signable(data)
                signer = session.get(StaffUser, actor.user_id)
                now = utcnow()
                digest = content_hash(intake_content(row.episode_id, data))
                row.status = NoteStatus.SIGNED
                row.signed_at = now
                session.add(Signature(intake_id=row.id, kind=SignatureKind.AUTHOR,
                                      signer_user_id=signer.id, signer_name=signer.display_name,
                                      signer_credentials=signer.credentials, signed_at=now,
                                      content_hash=digest))
                episode = session.get(Episode, row.episode_id)
                self._ctx.audit(session, actor, "intake.sign",
                                participant_id=episode.participant_id,
                                entity="intake_assessments", entity_id=row.id,
                                detail={"content_hash": digest})
            return _view(session, row, episode.participant_id)
