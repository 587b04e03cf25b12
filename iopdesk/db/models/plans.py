"""Treatment plans (versioned) with problems, goals, objectives and interventions; reviews."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from iopdesk.db.base import Base, EditableMixin, IdMixin, enum_column
from iopdesk.domain.enums import ObjectiveStatus, PlanStatus, ReviewDecision


class TreatmentPlan(IdMixin, EditableMixin, Base):
    """One version of an episode's plan; a modified plan is a new row superseding this one."""

    __tablename__ = "treatment_plans"
    __table_args__ = (UniqueConstraint("episode_id", "plan_number"),)

    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    plan_number: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_plans.id"))
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus), default=PlanStatus.DRAFT)
    effective_date: Mapped[date] = mapped_column(Date)
    next_review_due: Mapped[date | None] = mapped_column(Date, index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    participant_statement: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime | None]


class Problem(IdMixin, EditableMixin, Base):
    __tablename__ = "plan_problems"

    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plans.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    statement: Mapped[str] = mapped_column(Text)
    diagnosis_id: Mapped[int | None] = mapped_column(ForeignKey("diagnoses.id"))


class Goal(IdMixin, EditableMixin, Base):
    __tablename__ = "plan_goals"

    problem_id: Mapped[int] = mapped_column(ForeignKey("plan_problems.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    statement: Mapped[str] = mapped_column(Text)   # in the participant's words where possible


class Objective(IdMixin, EditableMixin, Base):
    __tablename__ = "plan_objectives"

    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goals.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    statement: Mapped[str] = mapped_column(Text)
    target_date: Mapped[date] = mapped_column(Date)
    status: Mapped[ObjectiveStatus] = mapped_column(
        enum_column(ObjectiveStatus), default=ObjectiveStatus.NOT_STARTED)


class Intervention(IdMixin, EditableMixin, Base):
    __tablename__ = "plan_interventions"

    objective_id: Mapped[int] = mapped_column(ForeignKey("plan_objectives.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    modality: Mapped[str] = mapped_column(String(80), default="")
    frequency: Mapped[str] = mapped_column(String(80), default="")
    responsible_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class PlanReview(IdMixin, EditableMixin, Base):
    __tablename__ = "plan_reviews"

    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plans.id"), index=True)
    review_date: Mapped[date] = mapped_column(Date)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    participant_view: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[ReviewDecision] = mapped_column(enum_column(ReviewDecision))
    next_review_date: Mapped[date | None] = mapped_column(Date)
    signed_at: Mapped[datetime | None]


class ObjectiveRating(IdMixin, EditableMixin, Base):
    """A review's rating of one objective."""

    __tablename__ = "objective_ratings"
    __table_args__ = (UniqueConstraint("review_id", "objective_id"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("plan_reviews.id"))
    objective_id: Mapped[int] = mapped_column(ForeignKey("plan_objectives.id"), index=True)
    status: Mapped[ObjectiveStatus] = mapped_column(enum_column(ObjectiveStatus))
    comment: Mapped[str] = mapped_column(Text, default="")
