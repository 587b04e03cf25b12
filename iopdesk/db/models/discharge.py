"""Discharge of an episode and its aftercare plan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from iopdesk.db.base import Base, EditableMixin, IdMixin, enum_column
from iopdesk.domain.enums import DischargeType, LevelOfCare, NoteStatus


class Discharge(IdMixin, EditableMixin, Base):
    __tablename__ = "discharges"

    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), unique=True)
    discharge_date: Mapped[date] = mapped_column(Date)
    discharge_type: Mapped[DischargeType] = mapped_column(enum_column(DischargeType))
    reason: Mapped[str] = mapped_column(Text, default="")
    services_summary: Mapped[str] = mapped_column(Text, default="")
    progress_summary: Mapped[str] = mapped_column(Text, default="")
    condition_at_discharge: Mapped[str] = mapped_column(Text, default="")
    risk_at_discharge: Mapped[str] = mapped_column(Text, default="")
    step_down_level: Mapped[LevelOfCare | None] = mapped_column(enum_column(LevelOfCare))
    medication_followup: Mapped[str] = mapped_column(Text, default="")
    support_groups: Mapped[str] = mapped_column(Text, default="")
    crisis_resources: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    status: Mapped[NoteStatus] = mapped_column(enum_column(NoteStatus), default=NoteStatus.DRAFT)
    signed_at: Mapped[datetime | None]


class AftercareReferral(IdMixin, EditableMixin, Base):
    """A referral, first appointment or support group of an aftercare plan."""

    __tablename__ = "aftercare_referrals"

    discharge_id: Mapped[int] = mapped_column(ForeignKey("discharges.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(30))   # referral / appointment / support_group
    provider: Mapped[str]
    phone: Mapped[str] = mapped_column(String(30), default="")
    appointment_at: Mapped[datetime | None]
    notes: Mapped[str] = mapped_column(Text, default="")
