"""domain/enums.py: the closed vocabularies are stored by value in the database and in audit
details, so their values are part of the file format: each is listed here, and a value read
back gives the same member while anything else is refused."""

from __future__ import annotations

import enum

import pytest

from iopdesk.domain import enums
from iopdesk.domain.enums import (AgeGroup, AttendanceStatus, AuditOutcome, DischargeType,
                                  EpisodeStatus, Instrument, LevelOfCare, NoteFormat,
                                  NoteStatus, ObjectiveStatus, PlanStatus, ReviewDecision, Role,
                                  SessionKind, SignatureKind, TrackFocus)

STORED = {
    Role: {"front_desk", "clinician", "supervisor", "admin"},
    LevelOfCare: {"1", "2.1", "2.5"},
    AgeGroup: {"adult", "adolescent"},
    TrackFocus: {"mental_health", "substance_use", "co_occurring"},
    EpisodeStatus: {"referred", "active", "discharged", "entered_in_error"},
    AttendanceStatus: {"expected", "present", "late", "left_early", "absent", "excused"},
    SessionKind: {"intake", "individual", "group", "family"},
    NoteFormat: {"dap", "soap", "birp", "narrative"},
    NoteStatus: {"draft", "signed", "awaiting_cosign", "cosigned"},
    SignatureKind: {"author", "cosigner", "participant", "guardian"},
    PlanStatus: {"draft", "signed", "superseded", "closed"},
    ObjectiveStatus: {"not_started", "progressing", "achieved", "revised", "discontinued"},
    ReviewDecision: {"continue", "modify", "resolve"},
    Instrument: {"phq9", "gad7", "auditc", "dast10", "bam"},
    DischargeType: {"completed", "transferred_higher", "against_advice", "administrative",
                    "lost_to_contact", "other"},
    AuditOutcome: {"ok", "refused", "failed"},
}


def test_every_vocabulary_of_the_module_is_listed_here():
    defined = {value for value in vars(enums).values()
               if isinstance(value, type) and issubclass(value, enum.Enum)
               and value.__module__ == enums.__name__}
    assert defined == set(STORED)


@pytest.mark.parametrize("kind", list(STORED), ids=lambda kind: kind.__name__)
def test_the_stored_values_do_not_change(kind):
    assert {member.value for member in kind} == STORED[kind]


@pytest.mark.parametrize("kind", list(STORED), ids=lambda kind: kind.__name__)
def test_a_stored_value_reads_back_as_its_member_and_is_that_string(kind):
    for member in kind:
        assert kind(member.value) is member
        assert member == member.value and str(member) == member.value


@pytest.mark.parametrize("kind, bad", [
    (Role, "Admin"), (Role, "administrator"), (Role, ""), (LevelOfCare, "2"),
    (LevelOfCare, "2.10"), (LevelOfCare, 2.1), (EpisodeStatus, "ACTIVE"),
    (AuditOutcome, " ok"), (Instrument, "PHQ-9"),
])
def test_any_other_value_is_refused(kind, bad):
    with pytest.raises(ValueError):
        kind(bad)


def test_levels_of_care_are_the_asam_level_numbers():
    assert LevelOfCare("2.1") is LevelOfCare.IOP
    assert LevelOfCare("2.5") is LevelOfCare.PHP
    assert LevelOfCare("1") is LevelOfCare.OUTPATIENT
