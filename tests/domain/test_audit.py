"""domain/audit.py: the audit trail's read models — a chain check's verdict, the filter's
"any" defaults, and values that cannot be changed once made."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from iopdesk.domain.audit import AuditEntry, AuditFilter, VerifyReport
from iopdesk.domain.enums import AuditOutcome


def test_a_chain_check_is_ok_only_without_a_problem():
    assert VerifyReport(checked=0).ok                      # an empty trail is intact
    assert VerifyReport(checked=120).ok
    broken = VerifyReport(checked=57, problem="hash mismatch", event_id=57)
    assert not broken.ok and broken.event_id == 57
    assert not VerifyReport(checked=3, problem="").ok      # a problem said in no words is one


def test_a_filter_selects_everything_until_told_otherwise():
    everything = AuditFilter()
    assert dataclasses.astuple(everything) == (None,) * 5
    one_day = AuditFilter(start=date(2026, 11, 16), end=date(2026, 11, 16))
    assert one_day.start == one_day.end
    assert AuditFilter(action="login") == AuditFilter(action="login")
    assert AuditFilter(action="login") != AuditFilter(action="logout")


def test_audit_values_cannot_be_changed():
    entry = AuditEntry(id=1, occurred_at=datetime(2026, 11, 16, 15, tzinfo=UTC),
                       username="admin", workstation="desk-1", action="login",
                       outcome=AuditOutcome.OK, participant_id=None, entity="staff_user",
                       entity_id=1, detail="")
    for value, field in ((entry, "detail"), (AuditFilter(), "username"),
                         (VerifyReport(1), "problem")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, field, "changed")
    assert hash(AuditFilter(username="admin")) == hash(AuditFilter(username="admin"))
