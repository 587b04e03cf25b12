"""Payers' authorizations of an episode: units (days) authorized over a date range, the units
used by days of IOP attendance at or above the per-diem threshold, and the warnings before
they run out (issue 13).

A day's minutes are the episode's credited group attendance at that day's meetings plus its
documented individual, family and intake sessions that day; they are read with two grouped
queries per call (one per source), never one per day. Authorizations are health information
(42 CFR Part 2: being in the program is itself protected): every read and change is audited
in its transaction, naming whose record it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import Session, aliased

from iopdesk.db.models import (Attendance, ClinicalSession, Coverage, Episode, GroupMeeting,
                               Participant)
from iopdesk.db.models import Authorization as AuthorizationRow
from iopdesk.domain.attendance import AttendancePolicy, authorization_warnings, units_used
from iopdesk.domain.authorizations import (AuthorizationAlert, AuthorizationInput,
                                           AuthorizationView, check_authorization)
from iopdesk.domain.enums import EpisodeStatus, SessionKind
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.names import list_name
from iopdesk.services.changes import apply_changes, saving
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.permissions import Permission, requires
from iopdesk.services.stored_settings import load_settings

# The sessions of one participant whose documented minutes count toward the day (a group's
# clinical session belongs to no episode: its attendance rows count instead).
COUNTED_SESSIONS = (SessionKind.INTAKE, SessionKind.INDIVIDUAL, SessionKind.FAMILY)
_PERSON = (Participant.id, Participant.chart_number, Participant.last_name,
           Participant.first_name, Participant.preferred_name)
_FIELDS = {"payer": "payer", "number": "number", "level_of_care": "level_of_care",
           "units": "units", "first_date": "start_date", "last_date": "end_date",
           "notes": "notes", "coverage_id": "coverage_id"}


def day_minutes(session: Session, episode_ids: Iterable[int], first: date,
                last: date) -> dict[int, dict[date, int]]:
    """{episode id: {day: minutes}} over [first, last]: credited group attendance of the
    day's meetings plus the documented minutes of the counted sessions, one grouped query
    for each."""
    ids = sorted(set(episode_ids))
    found: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    if not ids:
        return found
    groups = (select(Attendance.episode_id, GroupMeeting.meeting_date,
                     func.sum(Attendance.minutes_credited))
              .join(GroupMeeting, GroupMeeting.id == Attendance.meeting_id)
              .where(Attendance.episode_id.in_(ids),
                     GroupMeeting.meeting_date.between(first, last))
              .group_by(Attendance.episode_id, GroupMeeting.meeting_date))
    sessions = (select(ClinicalSession.episode_id, ClinicalSession.session_date,
                       func.sum(ClinicalSession.minutes))
                .where(ClinicalSession.episode_id.in_(ids),
                       ClinicalSession.kind.in_(COUNTED_SESSIONS),
                       ClinicalSession.session_date.between(first, last))
                .group_by(ClinicalSession.episode_id, ClinicalSession.session_date))
    for query in (groups, sessions):
        for episode_id, day, minutes in session.execute(query):
            found[episode_id][day] += int(minutes or 0)
    return found


def _policy(session: Session) -> AttendancePolicy:
    return AttendancePolicy.from_settings(load_settings(session))


def _views(session: Session, rows: Sequence[tuple[AuthorizationRow, int]],
           today: date) -> list[AuthorizationView]:
    """The read models of (authorization, participant id) pairs, their units used counted
    from one read of the days' minutes of their episodes."""
    if not rows:
        return []
    policy = _policy(session)
    minutes = day_minutes(session, (row.episode_id for row, _ in rows),
                          min(row.start_date for row, _ in rows),
                          max(row.end_date for row, _ in rows))
    views = []
    for row, participant_id in rows:
        used = units_used(minutes.get(row.episode_id, {}), row.start_date, row.end_date, policy)
        views.append(AuthorizationView(
            id=row.id, version=row.version, episode_id=row.episode_id,
            participant_id=participant_id, payer=row.payer, number=row.number,
            level_of_care=row.level_of_care, units=row.units, used=used,
            remaining=max(row.units - used, 0), first=row.start_date, last=row.end_date,
            warnings=authorization_warnings(row.units, used, row.start_date, row.end_date,
                                            today, policy),
            notes=row.notes, coverage_id=row.coverage_id))
    return views


def _check_episode(session: Session, episode: Episode, data: AuthorizationInput) -> None:
    """Refuse an episode entered in error, and coverage that is not the same person's."""
    errors = {}
    if episode.status == EpisodeStatus.ENTERED_IN_ERROR:
        errors["episode_id"] = ("This episode was entered in error: it takes no "
                                "authorizations")
    if data.coverage_id is not None:
        coverage = session.get(Coverage, data.coverage_id)
        if coverage is None or coverage.participant_id != episode.participant_id:
            errors["coverage_id"] = "The coverage is not this participant's"
    if errors:
        raise ValidationError(errors)


def _what(row: AuthorizationRow) -> str:
    """How a stale-save refusal names the authorization."""
    payer = f"{row.payer} " if row.payer else ""
    return f"The {payer}authorization {row.number}"


class AuthorizationService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    @requires(Permission.VIEW_DEMOGRAPHICS, "authorization.view")
    def list(self, actor: Actor, participant_id: int) -> tuple[AuthorizationView, ...]:
        """Every authorization of the participant's episodes, the newest range first, each
        with its units used and remaining and its warnings as of today."""
        today = self._ctx.today()
        with self._ctx.unit_of_work() as session:
            get_or_404(session, Participant, participant_id, "Participant")
            rows = session.execute(
                select(AuthorizationRow, Episode.participant_id)
                .join(Episode, Episode.id == AuthorizationRow.episode_id)
                .where(Episode.participant_id == participant_id)
                .order_by(AuthorizationRow.start_date.desc(), AuthorizationRow.end_date.desc(),
                          AuthorizationRow.id.desc())).all()
            views = _views(session, rows, today)
            self._ctx.audit(session, actor, "authorization.view", participant_id=participant_id,
                            entity="authorizations", detail={"shown": len(views)})
        return tuple(views)

    @requires(Permission.EDIT_DEMOGRAPHICS, "authorization.add")
    def add(self, actor: Actor, episode_id: int,
            data: AuthorizationInput) -> AuthorizationView:
        """Record a payer's authorization of the episode (not one entered in error)."""
        data = check_authorization(data)
        today = self._ctx.today()
        with self._ctx.unit_of_work() as session:
            episode = get_or_404(session, Episode, episode_id, "Episode")
            _check_episode(session, episode, data)
            row = AuthorizationRow(episode_id=episode_id, unit_kind="day",
                                   **{column: getattr(data, name)
                                      for name, column in _FIELDS.items()})
            session.add(row)
            session.flush()
            self._ctx.audit(session, actor, "authorization.add",
                            participant_id=episode.participant_id, entity="authorizations",
                            entity_id=row.id, detail={"episode_id": episode_id})
            [view] = _views(session, [(row, episode.participant_id)], today)
        return view

    @requires(Permission.EDIT_DEMOGRAPHICS, "authorization.update")
    def update(self, actor: Actor, authorization_id: int, version: int,
               data: AuthorizationInput) -> AuthorizationView:
        """Save an edit; refused (StaleVersion, the other change named) over a newer save. The
        units may be lowered below those used: allowed, and the warning says they are used
        up."""
        data = check_authorization(data)
        today = self._ctx.today()
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, AuthorizationRow, authorization_id, "Authorization")
            episode = session.get(Episode, row.episode_id)
            _check_episode(session, episode, data)
            with saving(session, row, _what(row), expected=version):
                changed = apply_changes(row, {column: getattr(data, name)
                                              for name, column in _FIELDS.items()})
                self._ctx.audit(session, actor, "authorization.update",
                                participant_id=episode.participant_id, entity="authorizations",
                                entity_id=row.id, detail={"fields": changed})
            [view] = _views(session, [(row, episode.participant_id)], today)
        return view

    @requires(Permission.VIEW_DEMOGRAPHICS, "authorization.warnings")
    def warnings(self, actor: Actor,
                 clinician_id: int | None = None) -> tuple[AuthorizationAlert, ...]:
        """For Today: the authorizations of active episodes (of that primary clinician, when
        given) with at least one warning, the soonest to end first.

        Per episode only the authorizations not yet ended count, or, when all have ended, the
        last one (the episode goes on without a current authorization): an old range that a
        newer one followed is no longer anyone's concern."""
        today = self._ctx.today()
        later = aliased(AuthorizationRow)
        latest = (select(func.max(later.end_date))
                  .where(later.episode_id == AuthorizationRow.episode_id).scalar_subquery())
        query = (select(AuthorizationRow, *_PERSON)
                 .join(Episode, Episode.id == AuthorizationRow.episode_id)
                 .join(Participant, Participant.id == Episode.participant_id)
                 .where(Episode.status == EpisodeStatus.ACTIVE,
                        or_(AuthorizationRow.end_date >= today,
                            AuthorizationRow.end_date == latest)))
        if clinician_id is not None:
            query = query.where(Episode.primary_clinician_id == clinician_id)
        with self._ctx.unit_of_work() as session:
            found = session.execute(query).all()      # (authorization, *the person)
            people = {r.id: r for r in found}
            views = _views(session, [(r[0], r.id) for r in found], today)
            alerts = sorted(
                (_alert(view, people[view.participant_id]) for view in views if view.warnings),
                key=lambda a: (a.last, a.remaining, a.participant_name, a.authorization_id))
            self._audit_alerts(session, actor, alerts, clinician_id)
        return tuple(alerts)

    def _audit_alerts(self, session: Session, actor: Actor,
                      alerts: Sequence[AuthorizationAlert], clinician_id: int | None) -> None:
        """One event per participant shown (whose record was read), or one naming nobody when
        the list is empty (the look was made)."""
        shown: dict[int, list[int]] = defaultdict(list)
        for alert in alerts:
            shown[alert.participant_id].append(alert.authorization_id)
        for participant_id, ids in shown.items():
            self._ctx.audit(session, actor, "authorization.warnings",
                            participant_id=participant_id, entity="authorizations",
                            detail={"authorizations": ids, "clinician_id": clinician_id})
        if not shown:
            self._ctx.audit(session, actor, "authorization.warnings", entity="authorizations",
                            detail={"authorizations": [], "clinician_id": clinician_id})


def _alert(view: AuthorizationView, person: Row) -> AuthorizationAlert:
    return AuthorizationAlert(
        authorization_id=view.id, participant_id=person.id, episode_id=view.episode_id,
        participant_name=list_name(person.last_name, person.first_name, person.preferred_name),
        chart_number=person.chart_number, payer=view.payer, number=view.number,
        remaining=view.remaining, last=view.last, warnings=view.warnings)
