"""Registering, finding and updating participants (demographics: front desk and clinicians)."""

from __future__ import annotations

import re
from dataclasses import asdict, fields

from sqlalchemy import Select, and_, or_, select, tuple_
from sqlalchemy.orm import Session

from iopdesk.db.models import Episode as EpisodeRow
from iopdesk.db.models import Participant as ParticipantRowModel
from iopdesk.db.models import PracticeSetting, ProgramTrack, StaffUser
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.names import digits_only, prefix_upper_bound, search_key
from iopdesk.domain.readmodels import Episode, Page, Participant, ParticipantRow
from iopdesk.domain.validation import ParticipantInput, check_participant, format_phone, parse_date
from iopdesk.services.context import Actor, ServiceContext, check_version, get_or_404
from iopdesk.services.permissions import Permission, requires

FIRST_CHART_NUMBER = 1001
PAGE_SIZE = 100
_INPUT_FIELDS = [f.name for f in fields(ParticipantInput)]


def episode_view(row: EpisodeRow, track_name: str, clinician_name: str) -> Episode:
    return Episode(
        id=row.id, participant_id=row.participant_id, track_id=row.track_id,
        track_name=track_name, admission_date=row.admission_date,
        primary_clinician_id=row.primary_clinician_id, primary_clinician_name=clinician_name,
        status=row.status, discharge_date=row.discharge_date, version=row.version)


def load_episodes(session: Session, participant_id: int) -> tuple[Episode, ...]:
    rows = session.execute(
        select(EpisodeRow, ProgramTrack.name, StaffUser.display_name)
        .join(ProgramTrack, ProgramTrack.id == EpisodeRow.track_id)
        .outerjoin(StaffUser, StaffUser.id == EpisodeRow.primary_clinician_id)
        .where(EpisodeRow.participant_id == participant_id)
        .order_by(EpisodeRow.admission_date.desc(), EpisodeRow.id.desc())
    ).all()
    return tuple(episode_view(e, track, clinician or "") for e, track, clinician in rows)


def participant_view(row: ParticipantRowModel, episodes: tuple[Episode, ...]) -> Participant:
    values = {name: getattr(row, name) for name in _INPUT_FIELDS}
    return Participant(id=row.id, version=row.version, created_at=row.created_at,
                       episodes=episodes, **values)


def _apply(row: ParticipantRowModel, data: ParticipantInput) -> None:
    for name, value in asdict(data).items():
        setattr(row, name, value)
    row.phone = format_phone(data.phone) if data.phone else ""
    row.phone_digits = digits_only(row.phone)[-10:]
    row.first_name_key = search_key(data.first_name)
    row.last_name_key = search_key(data.last_name)
    row.preferred_name_key = search_key(data.preferred_name)


def _next_chart_number(session: Session) -> str:
    setting = session.get(PracticeSetting, "next_chart_number")
    if setting is None:
        setting = PracticeSetting(key="next_chart_number", value=FIRST_CHART_NUMBER)
        session.add(setting)
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


_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}/\d{1,2}/\d{4}$")


def search_condition(text: str):
    """The WHERE clause for what was typed: a date of birth, a chart or phone number, or names."""
    typed = text.strip()
    if not typed:
        return None
    if _DATE_LIKE.match(typed):
        try:
            return ParticipantRowModel.date_of_birth == parse_date(typed)
        except ValidationError:
            return ParticipantRowModel.id.is_(None)  # nothing matches an impossible date
    digits = digits_only(typed)
    if digits and re.fullmatch(r"[\d\s()+.-]+", typed):
        conditions = [_prefix(ParticipantRowModel.chart_number, typed.replace(" ", ""))]
        if len(digits) >= 3:
            conditions.append(_prefix(ParticipantRowModel.phone_digits, digits))
        return or_(*conditions)
    words = search_key(typed.replace(",", " ")).split()
    if not words:
        return None
    columns = (ParticipantRowModel.last_name_key, ParticipantRowModel.first_name_key,
               ParticipantRowModel.preferred_name_key)
    per_word = [or_(*(_prefix(column, word) for column in columns)) for word in words]
    if len(words) == 1 and re.fullmatch(r"[A-Za-z0-9-]+", typed):
        per_word[0] = or_(per_word[0], _prefix(ParticipantRowModel.chart_number, typed))
    return and_(*per_word)


def _prefix(column, prefix: str):
    return and_(column >= prefix, column < prefix_upper_bound(prefix))


class ParticipantService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    @requires(Permission.EDIT_DEMOGRAPHICS, "participant.register")
    def register(self, actor: Actor, data: ParticipantInput) -> Participant:
        data = check_participant(data, self._ctx.today())
        with self._ctx.unit_of_work() as session:
            if data.chart_number:
                _refuse_duplicate_chart(session, data.chart_number, None)
            row = ParticipantRowModel()
            _apply(row, data)
            row.chart_number = data.chart_number or _next_chart_number(session)
            session.add(row)
            session.flush()
            self._ctx.audit(session, actor, "participant.register", participant_id=row.id,
                            entity="participants", entity_id=row.id)
            return participant_view(row, ())

    @requires(Permission.EDIT_DEMOGRAPHICS, "participant.update")
    def update(self, actor: Actor, participant_id: int, expected_version: int,
               data: ParticipantInput) -> Participant:
        data = check_participant(data, self._ctx.today())
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, ParticipantRowModel, participant_id, "Participant")
            check_version(row, expected_version, f"The record of {row.first_name} {row.last_name}")
            if not data.chart_number:
                raise ValidationError({"chart_number": "Chart number is required"})
            _refuse_duplicate_chart(session, data.chart_number, row.id)
            before = {name: getattr(row, name) for name in _INPUT_FIELDS}
            _apply(row, data)
            changed = sorted(name for name in _INPUT_FIELDS if getattr(row, name) != before[name])
            session.flush()
            self._ctx.audit(session, actor, "participant.update", participant_id=row.id,
                            entity="participants", entity_id=row.id, detail={"fields": changed})
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
               after: tuple | None = None, limit: int = PAGE_SIZE) -> Page[ParticipantRow]:
        """A page of participants matching `text`, in name order; `after` continues a page."""
        limit = max(1, min(limit, 500))
        query = search_query(text, status, track_id, after).limit(limit + 1)
        with self._ctx.session_factory() as session:
            rows = session.execute(query).all()
        more = len(rows) > limit
        rows = rows[:limit]
        page_rows = tuple(ParticipantRow(
            id=r.id, chart_number=r.chart_number, last_name=r.last_name,
            first_name=r.first_name, preferred_name=r.preferred_name,
            date_of_birth=r.date_of_birth, phone=r.phone, status=r.current_status,
            track_name=r.track_name or "") for r in rows)
        next_after = (rows[-1].last_name_key, rows[-1].first_name_key, rows[-1].id) if more else None
        return Page(rows=page_rows, next_after=next_after)


def search_query(text: str, status=None, track_id: int | None = None,
                 after: tuple | None = None) -> Select:
    """The participant-list statement (also run bare by the benchmarks as its floor)."""
    p = ParticipantRowModel
    query = (select(p.id, p.chart_number, p.last_name, p.first_name, p.preferred_name,
                    p.date_of_birth, p.phone, p.current_status, p.last_name_key,
                    p.first_name_key, ProgramTrack.name.label("track_name"))
             .outerjoin(ProgramTrack, ProgramTrack.id == p.current_track_id)
             .order_by(p.last_name_key, p.first_name_key, p.id))
    condition = search_condition(text)
    if condition is not None:
        query = query.where(condition)
    if status is not None:
        query = query.where(p.current_status == status)
    if track_id is not None:
        query = query.where(p.current_track_id == track_id)
    if after is not None:
        query = query.where(tuple_(p.last_name_key, p.first_name_key, p.id) > tuple(after))
    return query

