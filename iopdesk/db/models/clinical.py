"""Clinical content of an episode: diagnoses, intake, attendance, sessions and notes, measures,
safety and relapse-prevention plans."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String,
                        Text, Time, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from iopdesk.db.base import Base, CreatedMixin, EditableMixin, IdMixin, enum_column
from iopdesk.domain.enums import (AttendanceStatus, Instrument, LevelOfCare, NoteFormat,
                                  NoteStatus, SessionKind, SignatureKind)


class Diagnosis(IdMixin, EditableMixin, Base):
    __tablename__ = "diagnoses"

    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    icd10_code: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(300))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    onset_date: Mapped[date | None] = mapped_column(Date)
    resolved_date: Mapped[date | None] = mapped_column(Date)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class IntakeAssessment(IdMixin, EditableMixin, Base):
    __tablename__ = "intake_assessments"

    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    assessed_on: Mapped[date] = mapped_column(Date)
    presenting_problem: Mapped[str] = mapped_column(Text, default="")
    substance_use_history: Mapped[str] = mapped_column(Text, default="")
    mental_health_history: Mapped[str] = mapped_column(Text, default="")
    medical_history: Mapped[str] = mapped_column(Text, default="")
    medications: Mapped[str] = mapped_column(Text, default="")
    risk_screening: Mapped[str] = mapped_column(Text, default="")
    strengths_supports: Mapped[str] = mapped_column(Text, default="")
    # The six ASAM dimensions: a risk rating 0-4 and a note each, stored as
    # {"1": {"rating": 2, "note": "..."}, ... "6": {...}}.
    asam_dimensions: Mapped[dict] = mapped_column(JSON, default=dict)
    recommended_level: Mapped[LevelOfCare | None] = mapped_column(enum_column(LevelOfCare))
    status: Mapped[NoteStatus] = mapped_column(enum_column(NoteStatus), default=NoteStatus.DRAFT)
    signed_at: Mapped[datetime | None]


class ClinicalSession(IdMixin, EditableMixin, Base):
    """A service delivered: intake, individual, family, or the group meeting's clinical side."""

    __tablename__ = "clinical_sessions"
    __table_args__ = (
        Index("ix_clinical_sessions_episode_date", "episode_id", "session_date"),
        Index("ix_clinical_sessions_clinician_date", "clinician_id", "session_date"),
    )

    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind))
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id"))  # None for group
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("group_meetings.id"), unique=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    session_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time | None] = mapped_column(Time)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    modality: Mapped[str] = mapped_column(String(80), default="")  # CBT, DBT, MI, ...
    cpt_code: Mapped[str] = mapped_column(String(10), default="")
    participant_present: Mapped[bool] = mapped_column(Boolean, default=True)  # family sessions
    topic: Mapped[str] = mapped_column(default="")
    shared_narrative: Mapped[str] = mapped_column(Text, default="")   # group: the whole session


class SessionContact(Base):
    """A family member or collateral contact who attended a family session."""

    __tablename__ = "session_contacts"

    session_id: Mapped[int] = mapped_column(ForeignKey("clinical_sessions.id"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)


class Attendance(IdMixin, EditableMixin, Base):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "episode_id"),
        Index("ix_attendance_episode_meeting", "episode_id", "meeting_id"),
    )

    meeting_id: Mapped[int] = mapped_column(ForeignKey("group_meetings.id"))
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    check_in_at: Mapped[datetime | None]
    check_out_at: Mapped[datetime | None]
    minutes_credited: Mapped[int] = mapped_column(Integer, default=0)
    absence_reason: Mapped[str] = mapped_column(default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    # Checked into a meeting of a track the episode is not enrolled in (warned, allowed).
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class AttendanceChange(IdMixin, Base):
    """One recorded step of an attendance row: a check-in or check-out, its undo, an absence,
    a correction of times (with its reason). Written with the change, never updated or
    deleted: the row's history, shown with the meeting in the chart."""

    __tablename__ = "attendance_changes"
    __table_args__ = (Index("ix_attendance_changes_attendance", "attendance_id", "id"),)

    attendance_id: Mapped[int] = mapped_column(ForeignKey("attendance.id"))
    # checked_in, checked_out, check_in_undone, check_out_undone, marked_absent,
    # marked_excused, corrected
    action: Mapped[str] = mapped_column(String(30))
    status_before: Mapped[str | None] = mapped_column(String(18))
    status_after: Mapped[str] = mapped_column(String(18))
    in_before: Mapped[datetime | None]
    in_after: Mapped[datetime | None]
    out_before: Mapped[datetime | None]
    out_after: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    changed_at: Mapped[datetime]


class Note(IdMixin, EditableMixin, Base):
    """The note of one participant for one session (group notes: the individualized part)."""

    __tablename__ = "notes"
    __table_args__ = (
        UniqueConstraint("session_id", "episode_id"),
        Index("ix_notes_episode_created", "episode_id", "created_at"),
        Index("ix_notes_author_status", "author_id", "status"),
    )

    session_id: Mapped[int] = mapped_column(ForeignKey("clinical_sessions.id"))
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    format: Mapped[NoteFormat] = mapped_column(enum_column(NoteFormat))
    # Sections by the format's keys: {"data": ..., "assessment": ..., "plan": ...}.
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[NoteStatus] = mapped_column(enum_column(NoteStatus), default=NoteStatus.DRAFT)
    signed_at: Mapped[datetime | None]


class Addendum(IdMixin, CreatedMixin, Base):
    """A correction or addition to exactly one signed document (a note, an intake), with its
    own author and time."""

    __tablename__ = "addenda"
    __table_args__ = (
        CheckConstraint("(CASE WHEN note_id IS NULL THEN 0 ELSE 1 END)"
                        " + (CASE WHEN intake_id IS NULL THEN 0 ELSE 1 END) = 1",
                        name="one_document"),
    )

    note_id: Mapped[int | None] = mapped_column(ForeignKey("notes.id"), index=True)
    intake_id: Mapped[int | None] = mapped_column(ForeignKey("intake_assessments.id"),
                                                  index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    text: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime | None]


class Signature(IdMixin, CreatedMixin, Base):
    """A signature on exactly one signed document (note, plan, review, discharge, intake)."""

    __tablename__ = "signatures"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN note_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN plan_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN review_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN discharge_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN intake_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_document"),
    )

    note_id: Mapped[int | None] = mapped_column(ForeignKey("notes.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_plans.id"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("plan_reviews.id"), index=True)
    discharge_id: Mapped[int | None] = mapped_column(ForeignKey("discharges.id"), index=True)
    intake_id: Mapped[int | None] = mapped_column(ForeignKey("intake_assessments.id"), index=True)
    kind: Mapped[SignatureKind] = mapped_column(enum_column(SignatureKind))
    signer_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    signer_name: Mapped[str] = mapped_column(String(150))
    signer_credentials: Mapped[str] = mapped_column(String(50), default="")
    signed_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64), default="")


class MeasureResult(IdMixin, EditableMixin, Base):
    __tablename__ = "measure_results"
    __table_args__ = (
        Index("ix_measure_results_episode_instrument", "episode_id", "instrument",
              "administered_on"),
    )

    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    instrument: Mapped[Instrument] = mapped_column(enum_column(Instrument))
    administered_on: Mapped[date] = mapped_column(Date)
    items: Mapped[list] = mapped_column(JSON)
    total: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(40), default="")
    subscores: Mapped[dict] = mapped_column(JSON, default=dict)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class SafetyPlan(IdMixin, EditableMixin, Base):
    """Stanley–Brown safety plan of an episode."""

    __tablename__ = "safety_plans"

    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), unique=True)
    warning_signs: Mapped[str] = mapped_column(Text, default="")
    internal_coping: Mapped[str] = mapped_column(Text, default="")
    social_distractions: Mapped[str] = mapped_column(Text, default="")
    people_to_ask: Mapped[str] = mapped_column(Text, default="")
    professionals: Mapped[str] = mapped_column(Text, default="")
    environment_safety: Mapped[str] = mapped_column(Text, default="")
    reasons_for_living: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class RelapsePreventionPlan(IdMixin, EditableMixin, Base):
    __tablename__ = "relapse_prevention_plans"

    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), unique=True)
    triggers: Mapped[str] = mapped_column(Text, default="")
    coping_responses: Mapped[str] = mapped_column(Text, default="")
    supports: Mapped[str] = mapped_column(Text, default="")
    early_warning_signs: Mapped[str] = mapped_column(Text, default="")
    after_a_lapse: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
