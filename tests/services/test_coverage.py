"""Insurance coverage through the service: added, listed (current first), edited, ended (kept
on record); member and group numbers checked; every read and change audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from iopdesk.db.models import AuditEvent, Coverage
from iopdesk.domain.chart import CoverageInput
from iopdesk.domain.errors import NotFound, StaleVersion, ValidationError

from support import TODAY

CASCADE = CoverageInput(payer_name="Cascade Health Plan", payer_id="CHP01",
                        member_number="CHP123456789", group_number="GRP-4410",
                        effective_date=date(2025, 1, 1))
MEDICAID = CoverageInput(payer_name="Oregon Health Plan (Medicaid)", member_number="OHP55501",
                         priority=2, effective_date=date(2026, 1, 1))


def _events(session_factory, action: str) -> list[AuditEvent]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_add_list_update_and_end(services, actors, lan, session_factory):
    desk = actors["front_desk"]
    medicaid = services.coverage.add(desk, lan.id, MEDICAID)
    cascade = services.coverage.add(desk, lan.id, CASCADE)
    assert cascade.is_current and cascade.priority_text == "primary"
    assert services.coverage.list(desk, lan.id) == (cascade, medicaid)
    edited = services.coverage.update(desk, cascade.id, cascade.version,
                                      replace(cascade.as_input(), group_number="GRP-4411"))
    assert (edited.group_number, edited.version) == ("GRP-4411", 2)
    ended = services.coverage.end(desk, cascade.id, edited.version, date(2026, 10, 31))
    assert (ended.termination_date, ended.is_current, ended.version) == (
        date(2026, 10, 31), False, 3)
    assert services.coverage.list(desk, lan.id) == (medicaid, ended)   # ended ones last
    assert services.coverage.list(desk, lan.id, include_ended=False) == (medicaid,)
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Coverage)) == 2
    for action in ("coverage.view", "coverage.add", "coverage.update", "coverage.end"):
        events = _events(session_factory, action)
        assert events and {e.participant_id for e in events} == {lan.id}, action
    [update] = _events(session_factory, "coverage.update")
    assert update.detail == {"fields": ["group_number"]}


@pytest.mark.parametrize("change, field", [
    ({"member_number": "CHP 1234"}, "member_number"), ({"member_number": ""}, "member_number"),
    ({"member_number": "9" * 31}, "member_number"), ({"group_number": "GRP#1"}, "group_number"),
    ({"payer_name": "   "}, "payer_name"), ({"payer_name": "p" * 10_000}, "payer_name"),
    ({"termination_date": date(2024, 1, 1)}, "termination_date"),
])
def test_bad_input_is_refused_at_the_field_and_nothing_stored(
        services, actors, lan, session_factory, change, field):
    with pytest.raises(ValidationError) as refused:
        services.coverage.add(actors["front_desk"], lan.id, replace(CASCADE, **change))
    assert field in refused.value.fields
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Coverage)) == 0


def test_end_before_the_start_is_refused(services, actors, lan):
    cascade = services.coverage.add(actors["front_desk"], lan.id, CASCADE)
    with pytest.raises(ValidationError) as refused:
        services.coverage.end(actors["front_desk"], cascade.id, cascade.version,
                              date(2024, 12, 31))
    assert "before the effective date" in refused.value.fields["termination_date"]


def test_a_stale_save_is_refused_naming_the_other_change(services, actors, lan):
    cascade = services.coverage.add(actors["front_desk"], lan.id, CASCADE)
    services.coverage.end(actors["clinician"], cascade.id, cascade.version, TODAY)
    with pytest.raises(StaleVersion) as refused:
        services.coverage.update(actors["front_desk"], cascade.id, cascade.version,
                                 replace(CASCADE, member_number="CHP999"))
    message = str(refused.value)
    assert "The Cascade Health Plan coverage was changed by someone else" in message
    assert "Clinician (clinician)" in message and "changed: termination date" in message
    [stored] = services.coverage.list(actors["front_desk"], lan.id)
    assert (stored.member_number, stored.termination_date) == ("CHP123456789", TODAY)


def test_unknown_coverage(services, actors):
    with pytest.raises(NotFound):
        services.coverage.end(actors["front_desk"], 424242, 1, TODAY)
