"""The closed vocabularies of the domain, shared by every layer."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    FRONT_DESK = "front_desk"
    CLINICIAN = "clinician"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class LevelOfCare(enum.StrEnum):
    OUTPATIENT = "1"          # ASAM level 1
    IOP = "2.1"               # ASAM level 2.1, intensive outpatient
    PHP = "2.5"               # ASAM level 2.5, partial hospitalization


class AgeGroup(enum.StrEnum):
    ADULT = "adult"
    ADOLESCENT = "adolescent"


class TrackFocus(enum.StrEnum):
    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_USE = "substance_use"
    CO_OCCURRING = "co_occurring"


class EpisodeStatus(enum.StrEnum):
    REFERRED = "referred"
    ACTIVE = "active"
    DISCHARGED = "discharged"
    ENTERED_IN_ERROR = "entered_in_error"   # admitted in error: kept, left out of counts


class AttendanceStatus(enum.StrEnum):
    EXPECTED = "expected"      # recorded, not here (yet): a check-in undone
    PRESENT = "present"
    LATE = "late"
    LEFT_EARLY = "left_early"
    ABSENT = "absent"
    EXCUSED = "excused"


class SessionKind(enum.StrEnum):
    INTAKE = "intake"
    INDIVIDUAL = "individual"
    GROUP = "group"
    FAMILY = "family"


class NoteFormat(enum.StrEnum):
    DAP = "dap"
    SOAP = "soap"
    BIRP = "birp"
    NARRATIVE = "narrative"


class NoteStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    AWAITING_COSIGN = "awaiting_cosign"     # signed by a clinician whose work needs co-signing
    COSIGNED = "cosigned"


class SignatureKind(enum.StrEnum):
    AUTHOR = "author"
    COSIGNER = "cosigner"
    PARTICIPANT = "participant"
    GUARDIAN = "guardian"


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    SUPERSEDED = "superseded"
    CLOSED = "closed"


class ObjectiveStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    PROGRESSING = "progressing"
    ACHIEVED = "achieved"
    REVISED = "revised"
    DISCONTINUED = "discontinued"


class ReviewDecision(enum.StrEnum):
    CONTINUE = "continue"
    MODIFY = "modify"
    RESOLVE = "resolve"


class Instrument(enum.StrEnum):
    PHQ9 = "phq9"
    GAD7 = "gad7"
    AUDITC = "auditc"
    DAST10 = "dast10"
    BAM = "bam"


class DischargeType(enum.StrEnum):
    COMPLETED = "completed"
    TRANSFERRED_HIGHER = "transferred_higher"
    AGAINST_ADVICE = "against_advice"
    ADMINISTRATIVE = "administrative"
    LOST_TO_CONTACT = "lost_to_contact"
    OTHER = "other"


class AuditOutcome(enum.StrEnum):
    OK = "ok"
    REFUSED = "refused"
    FAILED = "failed"
