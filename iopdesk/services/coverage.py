"""Insurance coverage of a participant: payer, member and group numbers, the subscriber.

Coverage that ends is given an end date, never deleted (authorizations and claims refer to
it).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from iopdesk.db.models import Coverage as CoverageRow
from iopdesk.db.models import Participant
from iopdesk.domain.chart import CoverageInput, CoverageView, check_coverage, coverage_current
from iopdesk.domain.errors import ValidationError
from iopdesk.services.changes import apply_changes, saving
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.permissions import Permission, requires

_FIELDS = ("priority", "payer_name", "payer_id", "member_number", "group_number",
           "subscriber_name", "subscriber_relationship", "subscriber_date_of_birth",
           "effective_date", "termination_date")


def coverage_view(row: CoverageRow, today: date) -> CoverageView:
    return CoverageView(
        id=row.id, participant_id=row.participant_id, priority=row.priority,
        payer_name=row.payer_name, payer_id=row.payer_id, member_number=row.member_number,
        group_number=row.group_number, subscriber_name=row.subscriber_name,
        subscriber_relationship=row.subscriber_relationship,
        subscriber_date_of_birth=row.subscriber_date_of_birth,
        effective_date=row.effective_date, termination_date=row.termination_date,
        is_current=coverage_current(row.effective_date, row.termination_date, today),
        version=row.version, updated_at=row.updated_at)


def insert_coverage(session: Session, participant_id: int, data: CoverageInput) -> CoverageRow:
    """Add checked coverage to `session` (also used by a registration in one transaction)."""
    row = CoverageRow(participant_id=participant_id,
                      **{name: getattr(data, name) for name in _FIELDS})
    session.add(row)
    session.flush()
    return row


def _what(row: CoverageRow) -> str:
    return f"The {row.payer_name} coverage"


def _check_end(row: CoverageRow, termination_date: date | None) -> None:
    if termination_date is None:
        raise ValidationError({"termination_date": "End date is required"})
    if row.effective_date is not None and termination_date < row.effective_date:
        raise ValidationError({"termination_date": (
            f"End date {termination_date.isoformat()} is before the effective date "
            f"{row.effective_date.isoformat()}")})


class CoverageService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    @requires(Permission.VIEW_DEMOGRAPHICS, "coverage.view")
    def list(self, actor: Actor, participant_id: int, *,
             include_ended: bool = True) -> tuple[CoverageView, ...]:
        """The participant's coverage: current first, by priority, then ended, newest first."""
        today = self._ctx.today()
        with self._ctx.unit_of_work() as session:
            get_or_404(session, Participant, participant_id, "Participant")
            rows = session.scalars(select(CoverageRow)
                                   .where(CoverageRow.participant_id == participant_id)
                                   .order_by(CoverageRow.priority, CoverageRow.id.desc()))
            views = [coverage_view(row, today) for row in rows]
            self._ctx.audit(session, actor, "coverage.view", participant_id=participant_id,
                            entity="coverages")
        current = [v for v in views if v.is_current]
        ended = sorted((v for v in views if not v.is_current),
                       key=lambda v: (v.termination_date or date.max), reverse=True)
        return tuple(current + (ended if include_ended else []))

    @requires(Permission.EDIT_DEMOGRAPHICS, "coverage.add")
    def add(self, actor: Actor, participant_id: int, data: CoverageInput) -> CoverageView:
        today = self._ctx.today()
        data = check_coverage(data, today)
        with self._ctx.unit_of_work() as session:
            get_or_404(session, Participant, participant_id, "Participant")
            row = insert_coverage(session, participant_id, data)
            self._ctx.audit(session, actor, "coverage.add", participant_id=participant_id,
                            entity="coverages", entity_id=row.id)
            return coverage_view(row, today)

    @requires(Permission.EDIT_DEMOGRAPHICS, "coverage.update")
    def update(self, actor: Actor, coverage_id: int, expected_version: int,
               data: CoverageInput) -> CoverageView:
        """Save an edit; refused (StaleVersion, the other change named) over a newer save."""
        today = self._ctx.today()
        data = check_coverage(data, today)
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, CoverageRow, coverage_id, "Coverage")
            with saving(session, row, _what(row), expected=expected_version):
                changed = apply_changes(row, {name: getattr(data, name) for name in _FIELDS})
                self._ctx.audit(session, actor, "coverage.update",
                                participant_id=row.participant_id, entity="coverages",
                                entity_id=row.id, detail={"fields": changed})
            return coverage_view(row, today)

    @requires(Permission.EDIT_DEMOGRAPHICS, "coverage.end")
    def end(self, actor: Actor, coverage_id: int, expected_version: int,
            termination_date: date) -> CoverageView:
        """The coverage ends on `termination_date` (its last covered day); kept on record."""
        today = self._ctx.today()
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, CoverageRow, coverage_id, "Coverage")
            with saving(session, row, _what(row), expected=expected_version):
                _check_end(row, termination_date)
                row.termination_date = termination_date
                self._ctx.audit(session, actor, "coverage.end",
                                participant_id=row.participant_id, entity="coverages",
                                entity_id=row.id,
                                detail={"fields": ["termination_date"],
                                        "termination_date": termination_date.isoformat()})
            return coverage_view(row, today)
