"""The intake assessment of an episode: a draft saved as often as needed, then signed with the
signer's password (services.signing), after which it never changes (a signature row holds the
SHA-256 of what was signed). Signed by a clinician whose work needs co-signature, it awaits a
supervisor's (services.cosign)."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from iopdesk.db.base import utcnow
from iopdesk.db.models import Addendum as AddendumRow
from iopdesk.db.models import Episode, IntakeAssessment, Signature, StaffUser
from iopdesk.domain.clinical import (ASAM_DIMENSIONS, INTAKE_TEXT_FIELDS, Addendum, AsamRating,
                                     Intake, IntakeInput, check_addendum, check_intake,
                                     check_signable, intake_content, signing_status)
from iopdesk.domain.enums import NoteStatus, SignatureKind
from iopdesk.domain.errors import Conflict, NotFound, PermissionDenied
from iopdesk.services.changes import saving
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.permissions import Permission, requires
from iopdesk.services.signing import SignerCheck, add_signature, may_cosign


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


def _signature(session: Session, row: IntakeAssessment, kind: SignatureKind) -> Signature | None:
    if row.status == NoteStatus.DRAFT:
        return None
    return session.scalar(select(Signature).where(Signature.intake_id == row.id,
                                                  Signature.kind == kind)
                          .order_by(Signature.id).limit(1))


def _signed_name(signature: Signature | None) -> str:
    if signature is None:
        return ""
    return signature.signer_name + (f", {signature.signer_credentials}"
                                    if signature.signer_credentials else "")


def _addenda(session: Session, row: IntakeAssessment) -> tuple[Addendum, ...]:
    if row.status == NoteStatus.DRAFT:
        return ()
    rows = session.execute(
        select(AddendumRow, StaffUser.display_name, StaffUser.credentials)
        .join(StaffUser, StaffUser.id == AddendumRow.author_id)
        .where(AddendumRow.intake_id == row.id).order_by(AddendumRow.id)).all()
    return tuple(Addendum(id=a.id, author_name=name + (f", {creds}" if creds else ""),
                          written_at=a.signed_at or a.created_at, text=a.text)
                 for a, name, creds in rows)


def _view(session: Session, row: IntakeAssessment, participant_id: int) -> Intake:
    clinician = session.get(StaffUser, row.clinician_id)
    signature = _signature(session, row, SignatureKind.AUTHOR)
    cosignature = _signature(session, row, SignatureKind.COSIGNER)
    signed_by = _signed_name(signature)
    return Intake(id=row.id, episode_id=row.episode_id, participant_id=participant_id,
                  clinician_id=row.clinician_id,
                  clinician_name=clinician.display_name if clinician else "",
                  assessed_on=row.assessed_on, asam=_stored_asam(row.asam_dimensions),
                  recommended_level=row.recommended_level, status=row.status,
                  signed_at=row.signed_at, signed_by=signed_by,
                  content_hash=signature.content_hash if signature is not None else "",
                  updated_at=row.updated_at, version=row.version,
                  cosigned_by=_signed_name(cosignature),
                  cosigned_at=cosignature.signed_at if cosignature is not None else None,
                  addenda=_addenda(session, row),
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
    def sign(self, actor: Actor, intake_id: int, expected_version: int, password: str) -> Intake:
        """Sign the draft as its author with the author's password: it is complete (see
        check_signable) and then locked, signed or, when the author's work needs
        co-signature, awaiting a supervisor's. A wrong password signs nothing (ValidationError
        at `password`; counted toward the lockout)."""
        check = SignerCheck(self._ctx, actor, password)
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, IntakeAssessment, intake_id, "Intake assessment")
            episode = session.get(Episode, row.episode_id)
            with saving(session, row, _WHAT, expected=expected_version):
                if row.status != NoteStatus.DRAFT:
                    raise _locked(session, row)
                data = _input_of(row)
                check_signable(data)
                signer = check.signer(session, "intake.sign")
                if signer is not None:
                    now = utcnow()
                    digest = content_hash(intake_content(row.episode_id, data))
                    row.status = signing_status(signer.needs_cosign)
                    row.signed_at = now
                    add_signature(session, signer, SignatureKind.AUTHOR, now, digest,
                                  intake_id=row.id)
                    self._ctx.audit(session, actor, "intake.sign",
                                    participant_id=episode.participant_id,
                                    entity="intake_assessments", entity_id=row.id,
                                    detail={"content_hash": digest,
                                            "status": row.status.value})
            view = _view(session, row, episode.participant_id)
        check.raise_refusal()
        return view

    @requires(Permission.EDIT_CLINICAL, "intake.addendum")
    def add_addendum(self, actor: Actor, intake_id: int, text: str, password: str) -> Intake:
        """Correct or add to a signed intake: an addendum with its own author and time,
        signed with the author's password. The intake itself never changes."""
        text = check_addendum(text)
        check = SignerCheck(self._ctx, actor, password)
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, IntakeAssessment, intake_id, "Intake assessment")
            if row.status == NoteStatus.DRAFT:
                raise Conflict("This intake is still a draft: change it and sign it; an "
                               "addendum is for a signed intake")
            episode = session.get(Episode, row.episode_id)
            signer = check.signer(session, "intake.addendum")
            if signer is not None:
                addendum = AddendumRow(intake_id=row.id, author_id=signer.id, text=text,
                                       signed_at=utcnow())
                session.add(addendum)
                session.flush()
                self._ctx.audit(session, actor, "intake.addendum",
                                participant_id=episode.participant_id,
                                entity="intake_assessments", entity_id=row.id,
                                detail={"addendum_id": addendum.id,
                                        "content_hash": content_hash({"text": text})})
            view = _view(session, row, episode.participant_id)
        check.raise_refusal()
        return view


def cosign_intake(ctx: ServiceContext, session: Session, actor: Actor, intake_id: int,
                  expected_version: int, check: SignerCheck) -> Intake | None:
    """Co-sign an intake awaiting it, in `session` (services.cosign calls this): None when
    the password was refused (check.refusal says why)."""
    row = get_or_404(session, IntakeAssessment, intake_id, "Intake assessment")
    episode = session.get(Episode, row.episode_id)
    with saving(session, row, _WHAT, expected=expected_version):
        if row.status != NoteStatus.AWAITING_COSIGN:
            raise Conflict("This intake assessment is not awaiting a co-signature"
                           + (" (it is still a draft)" if row.status == NoteStatus.DRAFT
                              else ""))
        author = _signature(session, row, SignatureKind.AUTHOR)
        if author is None or not may_cosign(session, actor.user_id, author.signer_user_id):
            raise PermissionDenied("Only the author's supervisor may co-sign this intake, and "
                                   "never its author")
        signer = check.signer(session, "intake.cosign")
        if signer is None:
            return None
        now = utcnow()
        digest = content_hash(intake_content(row.episode_id, _input_of(row)))
        if digest != author.content_hash:
            raise Conflict("This intake no longer matches what its author signed; "
                           "it cannot be co-signed. Tell your administrator.")
        row.status = NoteStatus.COSIGNED
        add_signature(session, signer, SignatureKind.COSIGNER, now, digest, intake_id=row.id)
        ctx.audit(session, actor, "intake.cosign", participant_id=episode.participant_id,
                  entity="intake_assessments", entity_id=row.id,
                  detail={"content_hash": digest})
    return _view(session, row, episode.participant_id)
