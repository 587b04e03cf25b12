"""The audit trail: one row per view, change, print, login or refusal (append-only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from iopdesk.db.base import Base, enum_column, utcnow
from iopdesk.domain.enums import AuditOutcome


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_participant_time", "participant_id", "occurred_at"),
        Index("ix_audit_events_user_time", "user_id", "occurred_at"),
        Index("ix_audit_events_action_time", "action", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # No foreign keys: the trail outlives and never blocks what it describes.
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64))
    workstation: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[AuditOutcome] = mapped_column(enum_column(AuditOutcome))
    participant_id: Mapped[int | None] = mapped_column(Integer)
    entity: Mapped[str] = mapped_column(String(60), default="")
    entity_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")


class AuditChainHead(Base):
    """The one row that ends the audit chain: the last event's id and hash.

    Every audit write locks and moves it in the action's own transaction, so the events are
    numbered without gaps and a deleted tail is as visible as a deleted middle. It is signed
    with the audit key and protected by triggers (no delete, no second head, no rewinding).
    """

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    last_hash: Mapped[str] = mapped_column(String(64), default="")
    # Events up to this id were written before the chain began (none in a new database).
    chained_after: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    key_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    # Which trail this is (a high-water mark outside the database names it), and the HMAC of
    # the head's fields with the audit key: a head rewound by hand no longer matches it.
    chain_id: Mapped[str] = mapped_column(String(32), default="", server_default="")
    signature: Mapped[str] = mapped_column(String(64), default="", server_default="")
