"""Saving over a row: apply the changed fields, and refuse a stale save naming the other change.

`refuse_stale` is `context.check_version` with the other change shown: who saved the row
after it was loaded here, from which workstation, when, and which fields — read from the
audit trail (every change is audited in its own transaction), or the row's `updated_at` when
the trail has nothing to say.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from iopdesk.db.models import AuditEvent, StaffUser
from iopdesk.domain.enums import AuditOutcome
from iopdesk.domain.errors import StaleVersion


def apply_changes(row: Any, values: Mapping[str, Any]) -> list[str]:
    """Set `values` on `row`; the sorted names of those that really changed."""
    changed = []
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return sorted(changed)


def _when(moment) -> str:
    return moment.astimezone().strftime("%Y-%m-%d at %H:%M")


def describe_last_change(session: Session, row: Any, entity: str,
                         participant_id: int | None) -> str:
    """'Dana Cole (dcole) saved it on workstation desk-2 on 2026-11-16 at 09:14 (changed:
    phone, email)', or '' when nothing tells."""
    query = (select(AuditEvent.username, AuditEvent.workstation, AuditEvent.occurred_at,
                    AuditEvent.detail, StaffUser.display_name)
             .outerjoin(StaffUser, StaffUser.id == AuditEvent.user_id)
             .where(AuditEvent.entity == entity, AuditEvent.entity_id == row.id,
                    AuditEvent.outcome == AuditOutcome.OK,
                    AuditEvent.action.not_like("%.view"))
             .order_by(AuditEvent.id.desc()).limit(1))
    if participant_id is not None:   # the indexed way to the few events of one chart
        query = query.where(AuditEvent.participant_id == participant_id)
    event = session.execute(query).first()
    if event is None:
        updated = getattr(row, "updated_at", None)
        return f"it was saved on {_when(updated)}" if updated is not None else ""
    who = f"{event.display_name} ({event.username})" if event.display_name else event.username
    text = f"{who} saved it on workstation {event.workstation} on {_when(event.occurred_at)}"
    fields = (event.detail or {}).get("fields")
    if fields:
        text += f" (changed: {', '.join(str(f).replace('_', ' ') for f in fields)})"
    return text


def refuse_stale(session: Session, row: Any, expected: int, what: str, *, entity: str,
                 participant_id: int | None) -> None:
    """Refuse to save over a row someone else saved since it was loaded; nothing is written."""
    if row.version == expected:
        return
    other = describe_last_change(session, row, entity, participant_id)
    raise StaleVersion(
        f"{what} was changed by someone else after you opened it{': ' + other if other else ''}"
        f". Your copy is version {expected}, the saved one is version {row.version}. "
        "Nothing was overwritten: reopen it to see their change, then make yours again.")


def flush_or_stale(session: Session, what: str) -> None:
    """Flush a checked save. On a database server another workstation may save the same row
    between the check and the write: the row's version (SQLAlchemy's version_id_col) makes
    that UPDATE match nothing, and it is refused like any stale save."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleVersion(
            f"{what} was changed by someone else while you were saving it. Nothing was "
            "overwritten: reopen it to see their change, then make yours again.") from exc
