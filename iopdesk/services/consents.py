"""Consents to disclose (42 CFR Part 2 and HIPAA): record, correct, revoke, and read them with
their state as of today — active, not yet effective, expired or revoked.

A revocation is final: a revoked consent is never edited or revived (a new consent is
recorded instead), and nothing is ever deleted.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from iopdesk.db.models import Consent as ConsentRow
from iopdesk.db.models import Participant, StaffUser
from iopdesk.domain.chart import (ConsentInput, ConsentView, check_consent, check_revocation,
                                  consent_state)
from iopdesk.domain.errors import Conflict
from iopdesk.services.changes import apply_changes, saving
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.permissions import Permission, requires

_FIELDS = ("recipient_name", "recipient_address", "purpose", "information_scope",
           "who_may_disclose", "is_part2", "effective_date", "expiry_date", "expiry_event",
           "signed_on", "signed_by")


def consent_view(row: ConsentRow, recorded_by: str, today: date) -> ConsentView:
    return ConsentView(
        id=row.id, participant_id=row.participant_id, recipient_name=row.recipient_name,
        recipient_address=row.recipient_address, purpose=row.purpose,
        information_scope=row.information_scope, who_may_disclose=row.who_may_disclose,
        is_part2=row.is_part2, effective_date=row.effective_date, expiry_date=row.expiry_date,
        expiry_event=row.expiry_event, signed_on=row.signed_on, signed_by=row.signed_by,
        revoked_on=row.revoked_on, revocation_note=row.revocation_note,
        recorded_by_name=recorded_by,
        state=consent_state(row.effective_date, row.expiry_date, row.revoked_on, today),
        version=row.version, updated_at=row.updated_at)


def _recorder(session: Session, row: ConsentRow) -> str:
    if row.recorded_by_id is None:
        return ""
    return session.scalar(select(StaffUser.display_name)
                          .where(StaffUser.id == row.recorded_by_id)) or ""


class ConsentService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    @requires(Permission.VIEW_DEMOGRAPHICS, "consents.view")
    def list(self, actor: Actor, participant_id: int) -> tuple[ConsentView, ...]:
        """Every consent of the participant, the newest first, each with its state today."""
        today = self._ctx.today()
        with self._ctx.unit_of_work() as session:
            get_or_404(session, Participant, participant_id, "Participant")
            rows = session.execute(
                select(ConsentRow, StaffUser.display_name)
                .outerjoin(StaffUser, StaffUser.id == ConsentRow.recorded_by_id)
                .where(ConsentRow.participant_id == participant_id)
                .order_by(ConsentRow.effective_date.desc(), ConsentRow.id.desc())).all()
            result = tuple(consent_view(row, name or "", today) for row, name in rows)
            self._ctx.audit(session, actor, "consents.view", participant_id=participant_id,
                            entity="consents")
            return result

    @requires(Permission.VIEW_DEMOGRAPHICS, "consents.view")
    def get(self, actor: Actor, consent_id: int) -> ConsentView:
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, ConsentRow, consent_id, "Consent")
            self._ctx.audit(session, actor, "consents.view", participant_id=row.participant_id,
                            entity="consents", entity_id=row.id)
            return consent_view(row, _recorder(session, row), self._ctx.today())

    @requires(Permission.EDIT_DEMOGRAPHICS, "consents.add")
    def add(self, actor: Actor, participant_id: int, data: ConsentInput) -> ConsentView:
        today = self._ctx.today()
        data = check_consent(data, today)
        with self._ctx.unit_of_work() as session:
            get_or_404(session, Participant, participant_id, "Participant")
            row = ConsentRow(participant_id=participant_id, recorded_by_id=actor.user_id,
                             **{name: getattr(data, name) for name in _FIELDS})
            session.add(row)
            session.flush()
            self._ctx.audit(session, actor, "consents.add", participant_id=participant_id,
                            entity="consents", entity_id=row.id,
                            detail={"part2": data.is_part2})
            return consent_view(row, actor.display_name, today)

    @requires(Permission.EDIT_DEMOGRAPHICS, "consents.update")
    def update(self, actor: Actor, consent_id: int, expected_version: int,
               data: ConsentInput) -> ConsentView:
        """Correct a consent that is not revoked; refused over a newer save (StaleVersion)."""
        today = self._ctx.today()
        data = check_consent(data, today)
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, ConsentRow, consent_id, "Consent")
            what = f"The consent to disclose to {row.recipient_name}"
            with saving(session, row, what, expected=expected_version):
                if row.revoked_on is not None:
                    raise Conflict(f"{what} was revoked on {row.revoked_on.isoformat()}: a "
                                   "revoked consent cannot be changed; record a new one instead")
                changed = apply_changes(row, {name: getattr(data, name) for name in _FIELDS})
                self._ctx.audit(session, actor, "consents.update",
                                participant_id=row.participant_id, entity="consents",
                                entity_id=row.id, detail={"fields": changed})
            return consent_view(row, _recorder(session, row), today)

    @requires(Permission.EDIT_DEMOGRAPHICS, "consents.revoke")
    def revoke(self, actor: Actor, consent_id: int, expected_version: int, revoked_on: date,
               note: str = "") -> ConsentView:
        """Record the participant's revocation (irreversible): from `revoked_on` on, nothing
        more may be disclosed under it, and it never prints as active again."""
        today = self._ctx.today()
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, ConsentRow, consent_id, "Consent")
            what = f"The consent to disclose to {row.recipient_name}"
            with saving(session, row, what, expected=expected_version):
                if row.revoked_on is not None:
                    raise Conflict(f"{what} was already revoked on {row.revoked_on.isoformat()}")
                note = check_revocation(revoked_on, note, today, row.signed_on)
                row.revoked_on = revoked_on
                row.revocation_note = note
                self._ctx.audit(session, actor, "consents.revoke",
                                participant_id=row.participant_id, entity="consents",
                                entity_id=row.id,
                                detail={"revoked_on": revoked_on.isoformat(),
                                        "fields": ["revoked_on", "revocation_note"]})
            return consent_view(row, _recorder(session, row), today)
