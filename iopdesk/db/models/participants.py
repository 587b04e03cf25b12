"""Participants, their family and collateral contacts, consents, coverage and episodes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iopdesk.db.base import Base, CreatedMixin, EditableMixin, IdMixin, enum_column
from iopdesk.domain.enums import EpisodeStatus


class Participant(IdMixin, EditableMixin, Base):
    __tablename__ = "participants"
    __table_args__ = (
        Index("ix_participants_last_key", "last_name_key", "first_name_key", "id"),
        Index("ix_participants_first_key", "first_name_key", "id"),
        Index("ix_participants_preferred_key", "preferred_name_key", "id"),
        Index("ix_participants_dob", "date_of_birth", "id"),
        Index("ix_participants_phone", "phone_digits"),
        Index("ix_participants_status_track", "current_status", "current_track_id"),
    )

    chart_number: Mapped[str] = mapped_column(String(20), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str] = mapped_column(String(100), default="")
    # Folded search keys (lower case, accents removed): see iopdesk.domain.names.search_key.
    first_name_key: Mapped[str] = mapped_column(String(100))
    last_name_key: Mapped[str] = mapped_column(String(100))
    preferred_name_key: Mapped[str] = mapped_column(String(100), default="")
    pronouns: Mapped[str] = mapped_column(String(40), default="")
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex_at_birth: Mapped[str] = mapped_column(String(40), default="")
    gender_identity: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    phone_digits: Mapped[str] = mapped_column(String(15), default="")
    phone_ok_to_leave_message: Mapped[bool] = mapped_column(Boolean, default=False)
    alt_phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(default="")
    address_line1: Mapped[str] = mapped_column(default="")
    address_line2: Mapped[str] = mapped_column(default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    preferred_contact: Mapped[str] = mapped_column(String(40), default="")
    referral_source: Mapped[str] = mapped_column(default="")
    referral_date: Mapped[date | None] = mapped_column(Date)     # the day the referral came
    # Denormalised from the latest episode, so lists filter without a join per row.
    current_status: Mapped[EpisodeStatus | None] = mapped_column(enum_column(EpisodeStatus))
    current_track_id: Mapped[int | None] = mapped_column(ForeignKey("program_tracks.id"))
    primary_clinician_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id"), index=True)

    episodes: Mapped[list[Episode]] = relationship(
        back_populates="participant", order_by="desc(Episode.admission_date), desc(Episode.id)")


class Contact(IdMixin, EditableMixin, Base):
    """A family member or collateral contact of a participant."""

    __tablename__ = "contacts"

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    name: Mapped[str] = mapped_column(String(150))
    relationship_to_participant: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(default="")
    address: Mapped[str] = mapped_column(default="")
    is_guardian: Mapped[bool] = mapped_column(Boolean, default=False)
    is_emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    may_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Consent(IdMixin, EditableMixin, Base):
    """A written consent to disclose (42 CFR Part 2 §2.31 elements)."""

    __tablename__ = "consents"

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    recipient_name: Mapped[str]
    recipient_address: Mapped[str] = mapped_column(default="")
    purpose: Mapped[str] = mapped_column(Text)
    information_scope: Mapped[str] = mapped_column(Text)
    who_may_disclose: Mapped[str] = mapped_column(default="")
    is_part2: Mapped[bool] = mapped_column(Boolean, default=True)
    effective_date: Mapped[date] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    expiry_event: Mapped[str] = mapped_column(default="")
    signed_on: Mapped[date | None] = mapped_column(Date)
    signed_by: Mapped[str] = mapped_column(default="")   # participant or guardian, by name
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revocation_note: Mapped[str] = mapped_column(default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class Disclosure(IdMixin, CreatedMixin, Base):
    """What was disclosed under a consent, to whom, when and by whom (never edited)."""

    __tablename__ = "disclosures"

    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    disclosed_at: Mapped[datetime]
    disclosed_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    recipient: Mapped[str]
    description: Mapped[str] = mapped_column(Text)


class Coverage(IdMixin, EditableMixin, Base):
    __tablename__ = "coverages"

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    priority: Mapped[int] = mapped_column(Integer, default=1)    # 1 primary, 2 secondary
    payer_name: Mapped[str]
    payer_id: Mapped[str] = mapped_column(String(40), default="")
    member_number: Mapped[str] = mapped_column(String(40), default="")
    group_number: Mapped[str] = mapped_column(String(40), default="")
    subscriber_name: Mapped[str] = mapped_column(default="")
    subscriber_relationship: Mapped[str] = mapped_column(String(40), default="self")
    subscriber_date_of_birth: Mapped[date | None] = mapped_column(Date)
    effective_date: Mapped[date | None] = mapped_column(Date)
    termination_date: Mapped[date | None] = mapped_column(Date)


class Episode(IdMixin, EditableMixin, Base):
    """One stay in the program; a readmission is a new episode."""

    __tablename__ = "episodes"
    __table_args__ = (
        Index("ix_episodes_participant_admission", "participant_id", "admission_date"),
        Index("ix_episodes_status_track", "status", "track_id"),
        # the episodes open on a day: never discharged, or discharged on or after it
        Index("ix_episodes_status_discharge", "status", "discharge_date"),
        Index("ix_episodes_clinician_status", "primary_clinician_id", "status"),
    )

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    track_id: Mapped[int] = mapped_column(ForeignKey("program_tracks.id"))
    referral_date: Mapped[date | None] = mapped_column(Date)
    admission_date: Mapped[date] = mapped_column(Date)
    primary_clinician_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    status: Mapped[EpisodeStatus] = mapped_column(enum_column(EpisodeStatus))
    discharge_date: Mapped[date | None] = mapped_column(Date)
    certification_date: Mapped[date | None] = mapped_column(Date)
    # Marked entered in error (status ENTERED_IN_ERROR): why, by whom, when. Kept, never
    # deleted; counted nowhere (see iopdesk.domain.admission).
    entered_in_error_reason: Mapped[str | None] = mapped_column(Text)
    entered_in_error_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    entered_in_error_at: Mapped[datetime | None]

    participant: Mapped[Participant] = relationship(back_populates="episodes")


class Authorization(IdMixin, EditableMixin, Base):
    """A payer's authorization of units for an episode."""

    __tablename__ = "authorizations"

    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    coverage_id: Mapped[int | None] = mapped_column(ForeignKey("coverages.id"), index=True)
    number: Mapped[str] = mapped_column(String(60))
    payer: Mapped[str] = mapped_column(String(120), default="", server_default="")
    level_of_care: Mapped[str] = mapped_column(String(20), default="", server_default="")
    units: Mapped[int] = mapped_column(Integer)
    unit_kind: Mapped[str] = mapped_column(String(20), default="day")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
