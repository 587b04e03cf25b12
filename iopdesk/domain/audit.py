"""Read models of the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from iopdesk.domain.enums import AuditOutcome


@dataclass(frozen=True)
class AuditEntry:
    id: int
    occurred_at: datetime
    username: str
    workstation: str
    action: str
    outcome: AuditOutcome
    participant_id: int | None
    entity: str
    entity_id: int | None
    detail: str


@dataclass(frozen=True)
class AuditFilter:
    """What the audit screen and the CSV export select; None means any."""

    username: str | None = None
    participant_id: int | None = None
    action: str | None = None
    start: date | None = None     # from this day (inclusive, UTC)
    end: date | None = None       # to this day (inclusive, UTC)


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    problem: str | None = None
    event_id: int | None = None        # the first event found wrong

    @property
    def ok(self) -> bool:
        return self.problem is None
