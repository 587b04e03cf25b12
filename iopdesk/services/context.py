"""What every service shares: the acting user, the unit of work, the clock, the audit writer."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from iopdesk.db.engine import WRITE
from iopdesk.db.models import (Consent, Contact, Coverage, Diagnosis, Episode,
                               IntakeAssessment, StaffRole, StaffUser)
from iopdesk.services import audit_chain
from iopdesk.domain.enums import AuditOutcome, Role
from iopdesk.domain.errors import NotFound, StaleVersion


# For a refused call naming a record by id: its table, and how to find whose record it is.
_OWNER_OF = {
    "episode_id": ("episodes", select(Episode.participant_id)
                   .where(Episode.id == bindparam("id"))),
    "contact_id": ("contacts", select(Contact.participant_id)
                   .where(Contact.id == bindparam("id"))),
    "consent_id": ("consents", select(Consent.participant_id)
                   .where(Consent.id == bindparam("id"))),
    "coverage_id": ("coverages", select(Coverage.participant_id)
                    .where(Coverage.id == bindparam("id"))),
    "diagnosis_id": ("diagnoses", select(Episode.participant_id)
                     .join(Diagnosis, Diagnosis.episode_id == Episode.id)
                     .where(Diagnosis.id == bindparam("id"))),
    "intake_id": ("intake_assessments", select(Episode.participant_id)
                  .join(IntakeAssessment, IntakeAssessment.episode_id == Episode.id)
                  .where(IntakeAssessment.id == bindparam("id"))),
}

_CURRENT_ROLES = (select(StaffRole.role).join(StaffUser, StaffUser.id == StaffRole.user_id)
                  .where(StaffUser.id == bindparam("user_id"), StaffUser.active.is_(True)))


@dataclass(frozen=True)
class Actor:
    """The person acting, as the services see them; made only by log-in."""

    user_id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    workstation: str
    must_change_password: bool = False

    def has(self, role: Role) -> bool:
        return role in self.roles


class ServiceContext:
    def __init__(self, session_factory: sessionmaker[Session], workstation: str, *,
                 audit_key: bytes, today: Callable[[], date] = date.today):
        if len(audit_key) < 16:
            raise ValueError("the audit key must be at least 16 bytes")
        self.session_factory = session_factory
        self.workstation = workstation
        self.audit_key = audit_key
        self.today = today

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self.session_factory() as session, session.begin():
            session.connection(execution_options=WRITE)
            yield session

    def audit(self, session: Session, actor: Actor | None, action: str, *,
              participant_id: int | None = None, entity: str = "", entity_id: int | None = None,
              detail: Mapping[str, Any] | None = None,
              outcome: AuditOutcome = AuditOutcome.OK, username: str | None = None) -> None:
        """Add an audit event to `session`: it commits or rolls back with the action."""
        audit_chain.append(
            session, self.audit_key,
            user_id=actor.user_id if actor else None,
            username=username or (actor.username if actor else "-"),
            workstation=self.workstation,
            action=action,
            outcome=outcome,
            participant_id=participant_id,
            entity=entity,
            entity_id=entity_id,
            detail=dict(detail or {}),
        )

    def current_roles(self, actor: Actor) -> frozenset[Role]:
        """The actor's roles as stored now; none once the account is disabled."""
        # Core, not a Session: this runs before every guarded call, the search's keystrokes too.
        with self.session_factory.kw["bind"].connect() as conn:
            rows = conn.execute(_CURRENT_ROLES, {"user_id": actor.user_id}).scalars()
            return frozenset(rows) & actor.roles

    def record_refusal(self, actor: Actor, action: str, permission: Any,
                       arguments: Mapping[str, Any]) -> None:
        """Audit a refused call in a transaction of its own, naming whose record it aimed at."""
        participant_id = arguments.get("participant_id")
        target = next(((name, value) for name, value in arguments.items()
                       if name in _OWNER_OF and isinstance(value, int)), None)
        with self.unit_of_work() as session:
            if not isinstance(participant_id, int) and target is not None:
                participant_id = session.scalar(_OWNER_OF[target[0]][1], {"id": target[1]})
            self.audit(session, actor, action,
                       participant_id=participant_id if isinstance(participant_id, int) else None,
                       entity=_OWNER_OF[target[0]][0] if target else "",
                       entity_id=target[1] if target else None,
                       outcome=AuditOutcome.REFUSED,
                       detail={"needs": str(permission), "roles": sorted(actor.roles)})


def get_or_404(session: Session, model: type, row_id: int, what: str):
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"{what} {row_id} does not exist")
    return row


def check_version(row: Any, expected: int, what: str) -> None:
    """Refuse to save over a row someone else saved since it was loaded."""
    if row.version != expected:
        raise StaleVersion(
            f"{what} was changed by someone else after you opened it (your copy is version "
            f"{expected}, the saved one is version {row.version}). Nothing was overwritten: "
            "reopen it to see their change, then make yours again.")
