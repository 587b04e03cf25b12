"""Every model, imported here so the metadata (and Alembic's autogenerate) sees them all."""

from iopdesk.db.base import Base
from iopdesk.db.models.audit import AuditChainHead, AuditEvent
from iopdesk.db.models.clinical import (Addendum, Attendance, AttendanceChange,
                                        ClinicalSession, Diagnosis, IntakeAssessment, MeasureResult, Note,
                                        RelapsePreventionPlan, SafetyPlan, SessionContact,
                                        Signature)
from iopdesk.db.models.discharge import AftercareReferral, Discharge
from iopdesk.db.models.participants import (Authorization, Consent, Contact, Coverage,
                                            Disclosure, Episode, Participant)
from iopdesk.db.models.plans import (Goal, Intervention, Objective, ObjectiveRating, PlanReview,
                                     Problem, TreatmentPlan)
from iopdesk.db.models.practice import (Closure, GroupMeeting, GroupSchedule, PlanLibraryEntry,
                                        Practice, PracticeSetting, ProgramTrack, StaffRole,
                                        StaffUser)

__all__ = [
    "Addendum", "AftercareReferral", "Attendance", "AttendanceChange", "AuditChainHead", "AuditEvent", "Authorization", "Base",
    "ClinicalSession", "Closure", "Consent", "Contact", "Coverage", "Diagnosis", "Disclosure",
    "Discharge", "Episode", "Goal", "GroupMeeting", "GroupSchedule", "IntakeAssessment",
    "Intervention", "MeasureResult", "Note", "Objective", "ObjectiveRating", "Participant",
    "PlanLibraryEntry", "PlanReview", "Practice", "PracticeSetting", "Problem", "ProgramTrack",
    "RelapsePreventionPlan", "SafetyPlan", "SessionContact", "Signature", "StaffRole",
    "StaffUser", "TreatmentPlan",
]
