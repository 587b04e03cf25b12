"""Co-signature: the supervisor's queue of signed work awaiting them, and the co-signature
itself, for every kind of signed document (the intake today; plans, notes and discharge
summaries add their query and their co-sign call to the two tables below).

A co-signature, like a signature, asks the co-signer's password (services.signing)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from iopdesk.db.models import Episode, IntakeAssessment, Participant, Signature, StaffUser
from iopdesk.domain.clinical import AwaitingCosign
from iopdesk.domain.enums import NoteStatus, SignatureKind
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.names import list_name
from iopdesk.services.context import Actor, ServiceContext
from iopdesk.services.intake import cosign_intake
from iopdesk.services.permissions import Permission, requires
from iopdesk.services.signing import SignerCheck


def _queue_intakes(session: Session, supervisor_id: int) -> list[AwaitingCosign]:
    author = aliased(StaffUser)
    signed = (select(Signature.intake_id.label("intake_id"),
                     Signature.signer_user_id.label("author_id"),
                     Signature.signer_name.label("author_name"),
                     Signature.signed_at.label("signed_at"))
              .where(Signature.kind == SignatureKind.AUTHOR,
                     Signature.intake_id.is_not(None)).subquery())
    rows = session.execute(
        select(IntakeAssessment.id, IntakeAssessment.version, Participant.id,
               Participant.last_name, Participant.first_name, Participant.preferred_name,
               Participant.chart_number,
               signed.c.author_name, signed.c.signed_at)
        .join(Episode, Episode.id == IntakeAssessment.episode_id)
        .join(Participant, Participant.id == Episode.participant_id)
        .join(signed, signed.c.intake_id == IntakeAssessment.id)
        .join(author, author.id == signed.c.author_id)
        .where(IntakeAssessment.status == NoteStatus.AWAITING_COSIGN,
               author.id != supervisor_id,
               or_(author.supervisor_id == supervisor_id, author.supervisor_id.is_(None)))
        .order_by(signed.c.signed_at, IntakeAssessment.id))
    return [AwaitingCosign("intake", intake_id, version, pid, list_name(last, first, preferred),
                           chart, author_name, at)
            for intake_id, version, pid, last, first, preferred, chart, author_name, at in rows]


# Each kind of signed document: its queue query, and its co-signature.
_QUEUES: tuple[Callable[[Session, int], list[AwaitingCosign]], ...] = (_queue_intakes,)
_COSIGN = {"intake": cosign_intake}


class CosignService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    @requires(Permission.COSIGN, "cosign.queue")
    def queue(self, actor: Actor) -> tuple[AwaitingCosign, ...]:
        """What waits for this supervisor's co-signature, oldest signature first. Audited:
        it names participants and what was written about them."""
        with self._ctx.unit_of_work() as session:
            items = [item for query in _QUEUES for item in query(session, actor.user_id)]
            items.sort(key=lambda item: (item.signed_at is None, item.signed_at))
            self._ctx.audit(session, actor, "cosign.queue", detail={"count": len(items)})
            return tuple(items)

    @requires(Permission.COSIGN, "cosign.sign")
    def cosign(self, actor: Actor, document: str, record_id: int, expected_version: int,
               password: str) -> object:
        """Co-sign the `document` ("intake") `record_id` at the version the queue showed,
        with the co-signer's password; its read model as stored. Only the author's
        supervisor (any supervisor when the author has none) may, never the author."""
        cosign = _COSIGN.get(document)
        if cosign is None:
            raise ValidationError({"document": f"“{document}” is not a document that is "
                                               "co-signed"})
        check = SignerCheck(self._ctx, actor, password)
        with self._ctx.unit_of_work() as session:
            view = cosign(self._ctx, session, actor, record_id, expected_version, check)
        check.raise_refusal()
        return view
