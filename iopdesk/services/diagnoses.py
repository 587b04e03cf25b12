"""Diagnoses of an episode: ICD-10-CM billable codes from the offline code table, one primary,
onset and resolution dates. Nothing is ever deleted: a diagnosis is resolved."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from iopdesk.db.models import Diagnosis as DiagnosisRow
from iopdesk.db.models import Episode, StaffUser
from iopdesk.domain.clinical import Diagnosis
from iopdesk.domain.errors import Conflict, ValidationError
from iopdesk.domain.icd10 import NOT_BUILT, CodeTableNotReady, IcdCode, not_billable_message
from iopdesk.services.changes import saving
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.icd10 import CodeTable
from iopdesk.services.permissions import Permission, requires


def _view(row: DiagnosisRow, added_by: str) -> Diagnosis:
    return Diagnosis(id=row.id, episode_id=row.episode_id, icd10_code=row.icd10_code,
                     description=row.description, is_primary=row.is_primary,
                     onset_date=row.onset_date, resolved_date=row.resolved_date,
                     added_by_name=added_by, added_at=row.created_at, version=row.version)


def load_diagnoses(session: Session, episode_id: int) -> tuple[Diagnosis, ...]:
    """An episode's diagnoses: primary first, then current before resolved, then as added."""
    rows = session.execute(
        select(DiagnosisRow, StaffUser.display_name)
        .outerjoin(StaffUser, StaffUser.id == DiagnosisRow.added_by_id)
        .where(DiagnosisRow.episode_id == episode_id)
        .order_by(DiagnosisRow.is_primary.desc(), DiagnosisRow.resolved_date.is_not(None),
                  DiagnosisRow.id)).all()
    return tuple(_view(row, name or "") for row, name in rows)


def _check_dates(onset: date | None, resolved: date | None, today: date) -> None:
    errors = {}
    if onset is not None and onset > today:
        errors["onset_date"] = f"Onset date {onset.isoformat()} is in the future"
    if resolved is not None:
        if resolved > today:
            errors["resolved_date"] = f"Resolved date {resolved.isoformat()} is in the future"
        elif onset is not None and resolved < onset:
            errors["resolved_date"] = (f"Resolved date {resolved.isoformat()} is before the "
                                       f"onset date {onset.isoformat()}")
    if errors:
        raise ValidationError(errors)


def _demote_others(session: Session, row: DiagnosisRow) -> list[str]:
    """Make `row` the episode's only primary diagnosis; the codes that stopped being primary."""
    others = session.scalars(select(DiagnosisRow).where(
        DiagnosisRow.episode_id == row.episode_id, DiagnosisRow.is_primary.is_(True),
        DiagnosisRow.id != row.id)).all()
    for other in others:
        other.is_primary = False
    row.is_primary = True
    return [other.icd10_code for other in others]


class DiagnosisService:
    """`code_table` may be None (every code look-up then says the table is not built).

    A look-up before the table is built raises CodeTableNotReady saying so; nothing here
    starts a build, or a thread. `build_code_table` builds it, blocking: the UI runs it on its
    runner's worker when a search says the table is not built, then searches again."""

    def __init__(self, ctx: ServiceContext, code_table: CodeTable | None = None):
        self._ctx = ctx
        self.code_table = code_table

    def _table(self) -> CodeTable:
        table = self.code_table
        if table is None:
            raise CodeTableNotReady(NOT_BUILT)
        table.require()
        return table

    def build_code_table(self) -> bool:
        """Build the ICD-10-CM code table now unless it is built: blocking, seconds (in a
        child process), once per installation and library version. A call made while
        another runs waits for that build instead of starting a second. True when this call
        built it. A failed build raises CodeTableNotReady saying why. Unguarded (see
        permissions.UNGUARDED): the table is the published classification, no one's record,
        and every look-up in it is guarded."""
        table = self.code_table
        if table is None:
            raise CodeTableNotReady(f"{NOT_BUILT}: this installation has no place for it")
        return table.build()

    @requires(Permission.VIEW_CLINICAL, "diagnosis.search_codes")
    def search_codes(self, actor: Actor, text: str, limit: int = 30) -> tuple[IcdCode, ...]:
        """Billable ICD-10-CM codes by code ("F10.2", "f102") or words ("alcohol depend").
        Not audited: the code table holds no one's record."""
        return self._table().search(text, limit)

    @requires(Permission.VIEW_CLINICAL, "diagnosis.view")
    def list(self, actor: Actor, episode_id: int) -> tuple[Diagnosis, ...]:
        with self._ctx.unit_of_work() as session:
            episode = get_or_404(session, Episode, episode_id, "Episode")
            result = load_diagnoses(session, episode_id)
            self._ctx.audit(session, actor, "diagnosis.view",
                            participant_id=episode.participant_id, entity="episodes",
                            entity_id=episode_id)
            return result

    @requires(Permission.EDIT_CLINICAL, "diagnosis.add")
    def add(self, actor: Actor, episode_id: int, code: str, *, is_primary: bool = False,
            onset_date: date | None = None) -> Diagnosis:
        """Add a billable code to the episode; a new primary demotes the old one."""
        found = self._billable(code)
        _check_dates(onset_date, None, self._ctx.today())
        with self._ctx.unit_of_work() as session:
            episode = get_or_404(session, Episode, episode_id, "Episode")
            same = session.scalar(select(DiagnosisRow).where(
                DiagnosisRow.episode_id == episode_id, DiagnosisRow.icd10_code == found.code,
                DiagnosisRow.resolved_date.is_(None)))
            if same is not None:
                raise Conflict(f"{found.code} is already a current diagnosis of this episode "
                               f"(added {same.created_at.date().isoformat()})")
            row = DiagnosisRow(episode_id=episode_id, icd10_code=found.code,
                               description=found.description, is_primary=False,
                               onset_date=onset_date, added_by_id=actor.user_id)
            session.add(row)
            session.flush()
            # A new primary demotes the old one: a save over a row another may be saving too.
            with saving(session, None, "The primary diagnosis of this episode"):
                demoted = _demote_others(session, row) if is_primary else []
                detail = {"code": found.code, "primary": bool(is_primary)}
                if demoted:
                    detail["demoted"] = demoted
                self._ctx.audit(session, actor, "diagnosis.add",
                                participant_id=episode.participant_id, entity="diagnoses",
                                entity_id=row.id, detail=detail)
            return _view(row, session.get(StaffUser, actor.user_id).display_name)

    @requires(Permission.EDIT_CLINICAL, "diagnosis.update")
    def update(self, actor: Actor, diagnosis_id: int, expected_version: int, *,
               is_primary: bool, onset_date: date | None,
               resolved_date: date | None) -> Diagnosis:
        """Change the primary flag and the dates (the code itself never changes: add the right
        one and resolve the wrong one). Making it primary demotes the old primary."""
        return self._change(actor, diagnosis_id, expected_version, "diagnosis.update",
                            is_primary=is_primary, onset_date=onset_date,
                            resolved_date=resolved_date)

    @requires(Permission.EDIT_CLINICAL, "diagnosis.resolve")
    def resolve(self, actor: Actor, diagnosis_id: int, expected_version: int,
                resolved_date: date | None = None) -> Diagnosis:
        """Mark the diagnosis resolved on `resolved_date` (today when not given)."""
        return self._change(actor, diagnosis_id, expected_version, "diagnosis.resolve",
                            resolved_date=resolved_date or self._ctx.today(), resolving=True)

    def _change(self, actor: Actor, diagnosis_id: int, expected_version: int, action: str, *,
                resolving: bool = False, **wanted) -> Diagnosis:
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, DiagnosisRow, diagnosis_id, "Diagnosis")
            with saving(session, row, f"The diagnosis {row.icd10_code}",
                        expected=expected_version):
                if resolving and row.resolved_date is not None:
                    raise Conflict(f"{row.icd10_code} was already resolved on "
                                   f"{row.resolved_date.isoformat()}")
                detail = self._apply(session, row, wanted)
                episode = session.get(Episode, row.episode_id)
                self._ctx.audit(session, actor, action, participant_id=episode.participant_id,
                                entity="diagnoses", entity_id=row.id, detail=detail)
            added_by = session.get(StaffUser, row.added_by_id) if row.added_by_id else None
            return _view(row, added_by.display_name if added_by else "")

    def _apply(self, session: Session, row: DiagnosisRow, wanted: dict) -> dict:
        """Set the wanted dates and primary flag on `row`; the audit detail of the change."""
        onset = wanted.get("onset_date", row.onset_date)
        resolved = wanted.get("resolved_date", row.resolved_date)
        _check_dates(onset, resolved, self._ctx.today())
        before = {"is_primary": row.is_primary, "onset_date": row.onset_date,
                  "resolved_date": row.resolved_date}
        row.onset_date, row.resolved_date = onset, resolved
        demoted: list[str] = []
        if "is_primary" in wanted:
            if wanted["is_primary"] and not row.is_primary:
                demoted = _demote_others(session, row)
            elif not wanted["is_primary"]:
                row.is_primary = False
        changed = sorted(name for name, value in before.items() if getattr(row, name) != value)
        detail: dict = {"code": row.icd10_code, "fields": changed}
        if demoted:
            detail["demoted"] = demoted
        return detail

    def _billable(self, code: str) -> IcdCode:
        typed = (code or "").strip()
        if not typed:
            raise ValidationError({"code": "An ICD-10-CM code is required"})
        table = self._table()
        found = table.get(typed)
        if found is None:
            raise ValidationError({"code": f"“{typed}” is not an ICD-10-CM code"})
        if not found.billable:
            examples = table.billable_under(found.code, 1)
            raise ValidationError({"code": not_billable_message(
                found, examples[0] if examples else None,
                table.count_billable_under(found.code))})
        return found
