"""The tamper-evident audit chain: each event signs its content and the previous event's hash.

    hash = HMAC-SHA256(key, prev_hash ‖ canonical(event))

The key lives outside the database (a file readable only by its owner). Event ids are handed
out by the chain head in the action's own transaction, so they run without gaps: an edited
event fails its own HMAC, a deleted one leaves a gap or a broken link, an inserted one a link
or signature that does not match.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from iopdesk.db.base import utcnow
from iopdesk.db.models import AuditChainHead, AuditEvent
from iopdesk.domain.audit import VerifyReport
from iopdesk.domain.enums import AuditOutcome
from iopdesk.domain.errors import IOPDeskError

KEY_BYTES = 32
_FINGERPRINT_LABEL = b"IOPDesk audit key fingerprint"


class AuditKeyProblem(IOPDeskError):
    """The audit key file is unreadable, damaged, or not the key the chain was signed with."""


def load_or_create_key(path: Path) -> bytes:
    """Read the key at `path`, creating it (owner-only) the first time."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return load_or_create_key(path)       # another process made it just now
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.hex() + "\n")
        return key
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise AuditKeyProblem(f"the audit key file {path} is damaged or unreadable ({exc}); "
                              "restore it from the practice's key backup") from exc
    if len(key) != KEY_BYTES:
        raise AuditKeyProblem(f"the audit key file {path} is damaged: it holds {len(key)} bytes, "
                              f"not {KEY_BYTES}; restore it from the practice's key backup")
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        path.chmod(0o600)                          # readable by its owner only
    return key


def fingerprint(key: bytes) -> str:
    return hmac.new(key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def canonical(event_id: int, occurred_at: datetime, fields: Mapping[str, Any]) -> str:
    body = {"id": event_id, "occurred_at": occurred_at.isoformat(), **fields}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def sign(key: bytes, prev_hash: str, text: str) -> str:
    return hmac.new(key, (prev_hash + text).encode("utf-8"), hashlib.sha256).hexdigest()


def _fields(row: AuditEvent) -> dict[str, Any]:
    return {"user_id": row.user_id, "username": row.username, "workstation": row.workstation,
            "action": row.action, "outcome": AuditOutcome(row.outcome).value,
            "participant_id": row.participant_id, "entity": row.entity,
            "entity_id": row.entity_id, "detail": row.detail}


def append(session: Session, key: bytes, **values: Any) -> AuditEvent:
    """Add the next event of the chain to `session` (it commits or rolls back with it)."""
    head = session.get(AuditChainHead, 1, with_for_update=True)
    if head is None:
        raise AuditKeyProblem("the database has no audit chain head; run `iopdesk db upgrade`")
    if not head.key_fingerprint:
        head.key_fingerprint = fingerprint(key)
    values["detail"] = json.loads(json.dumps(values.get("detail") or {}, default=str))
    # Rows slipped in behind IOPDesk's back must not block the practice's work: continue
    # after them (verification names them).
    highest = session.scalar(select(func.max(AuditEvent.id))) or 0
    row = AuditEvent(id=max(head.last_event_id, highest) + 1, occurred_at=utcnow(), **values)
    row.prev_hash = head.last_hash
    row.hash = sign(key, head.last_hash, canonical(row.id, row.occurred_at, _fields(row)))
    session.add(row)
    head.last_event_id, head.last_hash = row.id, row.hash
    return row


def verify(session: Session, key: bytes, batch: int = 5000) -> VerifyReport:
    """Walk the chain from its start; report the first event edited, inserted or deleted."""
    head = session.get(AuditChainHead, 1)
    if head is None:
        return VerifyReport(0, "the database has no audit chain head")
    if head.key_fingerprint and head.key_fingerprint != fingerprint(key):
        return VerifyReport(0, "the audit key file is not the key this audit trail was signed "
                               "with; every event would look forged")
    prev_id, prev_hash, checked = head.chained_after, "", 0
    query = (select(AuditEvent).where(AuditEvent.id > head.chained_after)
             .order_by(AuditEvent.id).execution_options(yield_per=batch))
    for row in session.scalars(query):
        checked += 1
        if row.id != prev_id + 1:
            missing = f"{prev_id + 1}" if row.id == prev_id + 2 else f"{prev_id + 1}–{row.id - 1}"
            return VerifyReport(checked, f"event {missing} is missing: deleted from the trail",
                                prev_id + 1)
        if row.prev_hash != prev_hash:
            return VerifyReport(checked, f"event {row.id} does not follow event {prev_id}: an "
                                         "event was inserted or replaced here", row.id)
        expected = sign(key, prev_hash, canonical(row.id, row.occurred_at, _fields(row)))
        if not hmac.compare_digest(expected, row.hash):
            return VerifyReport(checked, f"event {row.id} was altered after it was written "
                                         "(its signature does not match its content)", row.id)
        prev_id, prev_hash = row.id, row.hash
    if prev_id > head.last_event_id:
        return VerifyReport(checked, f"event {head.last_event_id + 1} was inserted outside "
                                     "IOPDesk (beyond the end of the chain)",
                            head.last_event_id + 1)
    if prev_id < head.last_event_id:
        gone = head.last_event_id - prev_id
        return VerifyReport(checked, f"the last {gone} event(s), {prev_id + 1}–"
                                     f"{head.last_event_id}, were deleted", prev_id + 1)
    if prev_hash != head.last_hash:
        return VerifyReport(checked, f"event {prev_id} was replaced (it differs from the end of "
                                     "the chain)", prev_id)
    return VerifyReport(checked)
