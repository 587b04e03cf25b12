"""Registering, finding and updating participants (demographics: front desk and clinicians)."""

from __future__ import annotations

from dataclasses import asdict, fields, replace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from iopdesk.db.models import Episode as EpisodeRow
from iopdesk.db.models import Participant as ParticipantRowModel
from iopdesk.db.models import PracticeSetting, ProgramTrack, StaffUser
from iopdesk.domain.chart import (ContactInput, CoverageInput, check_contact, check_coverage,
                                  prefixed)
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.names import search_key
from iopdesk.domain.readmodels import Episode, Page, Participant, ParticipantRow
from iopdesk.domain.validation import (ParticipantInput, check_participant, format_phone,
                                       phone_digits)
from iopdesk.services.changes import saving
from iopdesk.services.contacts import insert_contact
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.coverage import insert_coverage
from iopdesk.services.permissions import Permission, requires
from iopdesk.services.registry import (CONTAINS_MARK, FIRST_PAGE_FLAG, contains_plan,
                                       contains_query, duplicates_query, first_page_plan,
                                       participant_row, prefix_plan, row_key, search_condition,
                                       search_query)

# The statements live in registry.py; these names stay importable from here.
__all__ = ["ParticipantService", "contains_query", "search_condition", "search_query"]

FIRST_CHART_NUMBER = 1001
PAGE_SIZE = 100
_INPUT_FIELDS = [f.name for f in fields(ParticipantInput)]


def episode_view(row: EpisodeRow, track_name: str, clinician_name: str,
                 marked_by_name: str = "") -> Episode:
    return Episode(
        id=row.id, participant_id=row.participant_id, track_id=row.track_id,
        track_name=track_name, admission_date=row.admission_date,
        primary_clinician_id=row.primary_clinician_id, primary_clinician_name=clinician_name,
        status=row.status, discharge_date=row.discharge_date, version=row.version,
        referral_date=row.referral_date,
        entered_in_error_reason=row.entered_in_error_reason or "",
        entered_in_error_by_name=marked_by_name, entered_in_error_at=row.entered_in_error_at)


_MARKED_BY = aliased(StaffUser)


def load_episodes(session: Session, participant_id: int) -> tuple[Episode, ...]:
    """Every episode of the participant, latest first, those entered in error too (the
    chart's Episodes tab shows them, marked); `Participant.current_episode` skips them."""
    rows = session.execute(
        select(EpisodeRow, ProgramTrack.name, StaffUser.display_name, _MARKED_BY.display_name)
        .join(ProgramTrack, ProgramTrack.id == EpisodeRow.track_id)
        .outerjoin(StaffUser, StaffUser.id == EpisodeRow.primary_clinician_id)
        .outerjoin(_MARKED_BY, _MARKED_BY.id == EpisodeRow.entered_in_error_by_id)
        .where(EpisodeRow.participant_id == participant_id)
        .order_by(EpisodeRow.admission_date.desc(), EpisodeRow.id.desc())
    ).all()
    return tuple(episode_view(e, track, clinician or "", marked_by or "")
                 for e, track, clinician, marked_by in rows)


def record_of(row: ParticipantRowModel) -> str:
    """How a stale-save refusal names a participant's record."""
    return f"The record of {row.first_name} {row.last_name}"


def participant_view(row: ParticipantRowModel, episodes: tuple[Episode, ...]) -> Participant:
    values = {name: getattr(row, name) for name in _INPUT_FIELDS}
    return Participant(id=row.id, version=row.version, created_at=row.created_at,
                       episodes=episodes, **values)


def _apply(row: ParticipantRowModel, data: ParticipantInput) -> None:
    for name, value in asdict(data).items():
        setattr(row, name, value)
    row.phone = format_phone(data.phone) if data.phone else ""
    row.alt_phone = format_phone(data.alt_phone) if data.alt_phone else ""
    row.phone_digits = phone_digits(row.phone)        # the number without its extension
    row.first_name_key = search_key(data.first_name)
    row.last_name_key = search_key(data.last_name)
    row.preferred_name_key = search_key(data.preferred_name)


def _next_chart_number(session: Session) -> str:
    # Locked until the registration commits (PostgreSQL: two workstations registering at
    # once take the next numbers in turn; SQLite has one writer at a time anyway).
    setting = session.get(PracticeSetting, "next_chart_number", with_for_update=True)
    if setting is None:                 # the practice's first registration
        try:
            with session.begin_nested():
                session.add(PracticeSetting(key="next_chart_number", value=FIRST_CHART_NUMBER))
        except IntegrityError:          # another workstation's first registration made it
            pass
        setting = session.get(PracticeSetting, "next_chart_number", with_for_update=True,
                              populate_existing=True)
    number = int(setting.value)
    while session.scalar(select(ParticipantRowModel.id)
                         .where(ParticipantRowModel.chart_number == str(number))) is not None:
        number += 1
    setting.value = number + 1
    return str(number)


def _refuse_duplicate_chart(session: Session, chart_number: str, own_id: int | None) -> None:
    other = session.scalar(select(ParticipantRowModel.id)
                           .where(ParticipantRowModel.chart_number == chart_number))
    if other is not None and other != own_id:
        raise ValidationError(
            {"chart_number": f"Chart number {chart_number} already belongs to another participant"})


class ParticipantService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    def _insert(self, session: Session, actor: Actor,
                data: ParticipantInput) -> ParticipantRowModel:
        if data.chart_number:
            _refuse_duplicate_chart(session, data.chart_number, None)
        row = ParticipantRowModel()
        _apply(row, data)
        # The next chart number is a row every registration saves over.
        with saving(session, None, "The next chart number"):
            row.chart_number = data.chart_number or _next_chart_number(session)
            session.add(row)
        self._ctx.audit(session, actor, "participant.register", participant_id=row.id,
                        entity="participants", entity_id=row.id)
        return row

    @requires(Permission.EDIT_DEMOGRAPHICS, "participant.register")
    def register(self, actor: Actor, data: ParticipantInput) -> Participant:
        data = check_participant(data, self._ctx.today())
        with self._ctx.unit_of_work() as session:
            return participant_view(self._insert(session, actor, data), ())

    @requires(Permission.EDIT_DEMOGRAPHICS, "participant.register")
    def register_with(self, actor: Actor, data: ParticipantInput, *,
                      coverage: CoverageInput | None = None,
                      emergency_contact: ContactInput | None = None) -> Participant:
        """Register with the form's insurance and emergency contact: all saved, or nothing.

        Every field is checked first; a ValidationError names the participant's fields as
        `register` does, and the others as `coverage.<field>` and `emergency_contact.<field>`.
        The contact is stored as an emergency contact whatever its flag said.
        """
        today = self._ctx.today()
        errors: dict[str, str] = {}
        try:
            data = check_participant(data, today)
        except ValidationError as refused:
            errors.update(refused.fields)
        if coverage is not None:
            try:
                coverage = check_coverage(coverage, today)
            except ValidationError as refused:
                errors.update(prefixed(refused, "coverage"))
        if emergency_contact is not None:
            try:
                emergency_contact = check_contact(replace(emergency_contact, is_emergency=True))
            except ValidationError as refused:
                errors.update(prefixed(refused, "emergency_contact"))
        if errors:
            raise ValidationError(errors)
        with self._ctx.unit_of_work() as session:
            row = self._insert(session, actor, data)
            if coverage is not None:
                added = insert_coverage(session, row.id, coverage)
                self._ctx.audit(session, actor, "coverage.add", participant_id=row.id,
                                entity="coverages", entity_id=added.id)
            if emergency_contact is not None:
                contact = insert_contact(session, row.id, emergency_contact)
                self._ctx.audit(session, actor, "contacts.add", participant_id=row.id,
                                entity="contacts", entity_id=contact.id)
            return participant_view(row, ())

    @requires(Permission.VIEW_DEMOGRAPHICS, "participant.duplicates")
    def possible_duplicates(self, actor: Actor, data: ParticipantInput, *,
                            exclude_id: int | None = None) -> tuple[ParticipantRow, ...]:
        """Who the form may describe again: the same first and last name (accents and case
        aside) and birth date, or the same phone number. Shown before saving; the input need
        not be complete or valid. `exclude_id`: the participant being edited."""
        query = duplicates_query(data.cleaned(), exclude_id)
        if query is None:
            return ()
        with self._ctx.session_factory() as session:
            return tuple(participant_row(r) for r in session.execute(query))

    @requires(Permission.EDIT_DEMOGRAPHICS, "participant.update")
    def update(self, actor: Actor, participant_id: int, expected_version: int,
               data: ParticipantInput) -> Participant:
        """Save an edit; over a newer save it is refused with StaleVersion, whose message says
        who saved, where, when and which fields."""
        data = check_participant(data, self._ctx.today())
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, ParticipantRowModel, participant_id, "Participant")
            with saving(session, row, record_of(row), expected=expected_version):
                if not data.chart_number:
                    raise ValidationError({"chart_number": "Chart number is required"})
                _refuse_duplicate_chart(session, data.chart_number, row.id)
                before = {name: getattr(row, name) for name in _INPUT_FIELDS}
                _apply(row, data)
                changed = sorted(name for name in _INPUT_FIELDS
                                 if getattr(row, name) != before[name])
                self._ctx.audit(session, actor, "participant.update", participant_id=row.id,
                                entity="participants", entity_id=row.id,
                                detail={"fields": changed})
            return participant_view(row, load_episodes(session, row.id))

    @requires(Permission.VIEW_DEMOGRAPHICS, "participant.view")
    def get(self, actor: Actor, participant_id: int) -> Participant:
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, ParticipantRowModel, participant_id, "Participant")
            self._ctx.audit(session, actor, "participant.view", participant_id=row.id,
                            entity="participants", entity_id=row.id)
            return participant_view(row, load_episodes(session, row.id))

    @requires(Permission.VIEW_DEMOGRAPHICS, "participant.search")
    def search(self, actor: Actor, text: str = "", *, status=None, track_id: int | None = None,
               after: tuple | None = None, limit: int = PAGE_SIZE,
               primary_clinician_id: int | None = None,
               contains: bool = True) -> Page[ParticipantRow]:
        """A page of participants matching `text`, in name order; `after` continues a page.

        Those whose name, chart or phone starts with the text come first; with `contains`,
        they are followed by those in whom every typed word of three or more characters
        appears anywhere (see registry.py). Filters: status, track, primary clinician.
        """
        limit = max(1, min(limit, 500))
        filters = {"status": status, "track_id": track_id,
                   "primary_clinician_id": primary_clinician_id}
        in_contains = bool(after) and after[0] == CONTAINS_MARK
        rows: list = []
        with self._ctx.session_factory() as session:
            dialect_name = session.get_bind().dialect.name
            first = None if after or not contains else first_page_plan(
                text, limit=limit + 1, dialect_name=dialect_name, **filters)
            if first is not None:
                return _first_page(session.execute(*first).all(), limit)
            if not in_contains:
                statement, params = prefix_plan(
                    text, after=after, limit=limit + 1,
                    dialect_name=dialect_name, **filters)
                rows = session.execute(statement, params).all()
                if len(rows) > limit:
                    return _page(rows[:limit], row_key(rows[limit - 1]))
            plan = contains_plan(text, after=after[1:] if in_contains else None,
                                 limit=limit - len(rows) + 1,
                                 dialect_name=dialect_name, **filters) if contains else None
            if plan is not None:
                room = limit - len(rows)
                more = session.execute(*plan).all()
                if len(more) > room:
                    start = (CONTAINS_MARK, *row_key(more[room - 1])) if room else (
                        CONTAINS_MARK,)
                    return _page(rows + more[:room], start)
                rows += more
        return _page(rows, None)


def _first_page(rows: list, limit: int) -> Page[ParticipantRow]:
    """The page of `first_page_plan`'s rows (at most limit + 1, prefix rows first), with the
    `next_after` the two parts would have given: the prefix part's key while prefix rows go
    on, the contains part's start when they end exactly at the page's end, else its key."""
    if len(rows) <= limit:
        return _page(rows, None)
    last, following = rows[limit - 1], rows[limit]
    if not last[FIRST_PAGE_FLAG]:
        return _page(rows[:limit], (CONTAINS_MARK, *row_key(last)))
    return _page(rows[:limit], row_key(last) if following[FIRST_PAGE_FLAG] else (
        CONTAINS_MARK,))


def _page(rows: list, next_after: tuple | None) -> Page[ParticipantRow]:
    return Page(rows=tuple(participant_row(r) for r in rows), next_after=next_after)
