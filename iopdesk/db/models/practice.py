"""The practice, its program tracks and schedule, and its staff."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String,
                        Text, Time, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from iopdesk.db.base import Base, EditableMixin, IdMixin, enum_column
from iopdesk.domain.enums import AgeGroup, LevelOfCare, Role, TrackFocus


class Practice(IdMixin, EditableMixin, Base):
    __tablename__ = "practices"

    name: Mapped[str]
    address_line1: Mapped[str] = mapped_column(default="")
    address_line2: Mapped[str] = mapped_column(default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    fax: Mapped[str] = mapped_column(String(30), default="")
    npi: Mapped[str] = mapped_column(String(10), default="")
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class PracticeSetting(EditableMixin, Base):
    """A policy value of the practice (review interval default, idle lock minutes, ...)."""

    __tablename__ = "practice_settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class ProgramTrack(IdMixin, EditableMixin, Base):
    __tablename__ = "program_tracks"

    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    level_of_care: Mapped[LevelOfCare] = mapped_column(enum_column(LevelOfCare))
    age_group: Mapped[AgeGroup] = mapped_column(enum_column(AgeGroup))
    focus: Mapped[TrackFocus] = mapped_column(enum_column(TrackFocus))
    min_minutes_per_week: Mapped[int] = mapped_column(Integer)
    review_interval_days: Mapped[int] = mapped_column(Integer, default=30)
    week_start: Mapped[int] = mapped_column(Integer, default=0)  # 0 = Monday
    per_diem_code: Mapped[str] = mapped_column(String(10), default="")   # S9480 / H0015
    revenue_code: Mapped[str] = mapped_column(String(4), default="")     # 0905 / 0906
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    schedules: Mapped[list[GroupSchedule]] = relationship(back_populates="track")


class StaffUser(IdMixin, EditableMixin, Base):
    __tablename__ = "staff_users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    credentials: Mapped[str] = mapped_column(String(50), default="")  # LCSW, LPC, CADC...
    email: Mapped[str] = mapped_column(default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_cosign: Mapped[bool] = mapped_column(Boolean, default=False)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]

    roles: Mapped[list[StaffRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")


class StaffRole(Base):
    __tablename__ = "staff_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), primary_key=True)

    user: Mapped[StaffUser] = relationship(back_populates="roles")


class GroupSchedule(IdMixin, EditableMixin, Base):
    """A weekly recurring group of a track: every `weekday` from `start_time` to `end_time`."""

    __tablename__ = "group_schedules"

    track_id: Mapped[int] = mapped_column(ForeignKey("program_tracks.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    title: Mapped[str] = mapped_column(String(120))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    track: Mapped[ProgramTrack] = relationship(back_populates="schedules")


class GroupMeeting(IdMixin, EditableMixin, Base):
    """One occurrence of a group on a date (generated from a schedule, or ad hoc)."""

    __tablename__ = "group_meetings"
    __table_args__ = (
        UniqueConstraint("schedule_id", "meeting_date"),
        Index("ix_group_meetings_date_track", "meeting_date", "track_id"),
    )

    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("group_schedules.id"))
    track_id: Mapped[int] = mapped_column(ForeignKey("program_tracks.id"), index=True)
    meeting_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    title: Mapped[str] = mapped_column(String(120))
    topic: Mapped[str] = mapped_column(default="")
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str] = mapped_column(default="")


class Closure(IdMixin, EditableMixin, Base):
    """A day the practice (or one track, when `track_id` is set) does not meet."""

    __tablename__ = "closures"
    __table_args__ = (UniqueConstraint("practice_id", "track_id", "closure_date"),)

    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id"))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("program_tracks.id"), index=True)
    closure_date: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(default="")


class PlanLibraryEntry(IdMixin, EditableMixin, Base):
    """Starting text for plans, editable by the practice."""

    __tablename__ = "plan_library_entries"
    __table_args__ = (Index("ix_plan_library_kind_category", "kind", "category"),)

    kind: Mapped[str] = mapped_column(String(20))   # problem / goal / objective / intervention
    category: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
