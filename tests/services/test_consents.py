"""Consents through the service: recorded, read with their state as of the services' today,
corrected while not revoked, revoked once and for good; every read and change audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from iopdesk.db.models import AuditEvent
from iopdesk.domain.chart import ConsentInput, ConsentState
from iopdesk.domain.errors import Conflict, NotFound, StaleVersion, ValidationError
from iopdesk.services import build_services

from support import AUDIT_KEY, TODAY

PCP = ConsentInput(recipient_name="Dr. Helen Achebe, Millbrook Family Medicine",
                   purpose="Coordination of care",
                   information_scope="Diagnoses, medications and the discharge summary",
                   effective_date=date(2026, 11, 1), expiry_date=date(2027, 11, 1),
                   signed_on=date(2026, 11, 1), signed_by="Thị Lan Nguyễn")


def _events(session_factory, action: str) -> list[AuditEvent]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def test_add_get_and_list_with_state_audited(services, actors, lan, session_factory):
    desk = actors["front_desk"]
    consent = services.consents.add(desk, lan.id, PCP)
    assert consent.state is ConsentState.ACTIVE and consent.is_active
    assert consent.recorded_by_name == "Frontdesk" and consent.version == 1
    assert consent.state_text == "Active until 2027-11-01"
    later = services.consents.add(desk, lan.id, replace(
        PCP, recipient_name="Cedar Bend High School", effective_date=date(2026, 12, 1)))
    assert later.state is ConsentState.NOT_YET_EFFECTIVE and not later.is_active
    assert services.consents.list(desk, lan.id) == (later, consent)   # the newest first
    assert services.consents.get(desk, consent.id) == consent
    views = _events(session_factory, "consents.view")
    assert [(e.participant_id, e.entity_id) for e in views] == [(lan.id, None),
                                                                (lan.id, consent.id)]
    [added, _] = _events(session_factory, "consents.add")
    assert (added.participant_id, added.entity_id, added.detail) == (lan.id, consent.id,
                                                                     {"part2": True})


def test_the_state_follows_the_services_today(session_factory, actors, lan, services):
    consent = services.consents.add(actors["front_desk"], lan.id, PCP)
    later = build_services(session_factory, "test-station", audit_key=AUDIT_KEY,
                           today=lambda: date(2027, 11, 2))
    desk = actors["front_desk"]     # logged in again: an Actor is valid only where issued
    desk = later.staff._ctx.issue_actor(user_id=desk.user_id, username=desk.username,
                                        display_name=desk.display_name, roles=desk.roles)
    expired = later.consents.get(desk, consent.id)
    assert expired.state is ConsentState.EXPIRED and not expired.is_active
    assert expired.state_text == "Expired on 2027-11-01"


def test_revoke_is_final_and_audited(services, actors, lan, session_factory):
    consent = services.consents.add(actors["front_desk"], lan.id, PCP)
    revoked = services.consents.revoke(actors["clinician"], consent.id, consent.version,
                                       TODAY - timedelta(days=1), "  Revoked  in writing ")
    assert revoked.state is ConsentState.REVOKED and not revoked.is_active
    assert (revoked.revoked_on, revoked.revocation_note, revoked.version) == (
        TODAY - timedelta(days=1), "Revoked in writing", 2)
    assert revoked.state_text == f"Revoked on {(TODAY - timedelta(days=1)).isoformat()}"
    with pytest.raises(Conflict, match="already revoked"):
        services.consents.revoke(actors["clinician"], consent.id, revoked.version, TODAY)
    with pytest.raises(Conflict, match="cannot be changed"):
        services.consents.update(actors["front_desk"], consent.id, revoked.version,
                                 replace(PCP, expiry_date=date(2028, 1, 1)))
    stored = services.consents.get(actors["front_desk"], consent.id)
    assert stored.state is ConsentState.REVOKED and stored.expiry_date == date(2027, 11, 1)
    [event] = _events(session_factory, "consents.revoke")
    assert (event.participant_id, event.entity_id, event.username) == (lan.id, consent.id,
                                                                       "clinician")
    assert event.detail["revoked_on"] == (TODAY - timedelta(days=1)).isoformat()


@pytest.mark.parametrize("revoked_on, field", [
    (TODAY + timedelta(days=1), "revoked_on"), (date(2026, 10, 31), "revoked_on"),
])
def test_a_revocation_with_a_bad_date_is_refused_and_nothing_changes(
        services, actors, lan, revoked_on, field):
    consent = services.consents.add(actors["front_desk"], lan.id, PCP)
    with pytest.raises(ValidationError) as refused:
        services.consents.revoke(actors["front_desk"], consent.id, consent.version, revoked_on)
    assert field in refused.value.fields
    assert services.consents.get(actors["front_desk"], consent.id).is_active


def test_update_while_not_revoked_and_a_stale_save_names_the_other_change(
        services, actors, lan, session_factory):
    consent = services.consents.add(actors["front_desk"], lan.id, PCP)
    theirs = services.consents.update(actors["clinician"], consent.id, consent.version,
                                      replace(PCP, is_part2=False, purpose="Care coordination"))
    assert (theirs.is_part2, theirs.purpose, theirs.version) == (False, "Care coordination", 2)
    [event] = _events(session_factory, "consents.update")
    assert event.detail == {"fields": ["is_part2", "purpose"]}
    with pytest.raises(StaleVersion) as refused:
        services.consents.update(actors["front_desk"], consent.id, consent.version,
                                 replace(PCP, expiry_date=date(2027, 6, 1)))
    assert "Clinician (clinician) saved it" in str(refused.value)
    assert "changed: is part2, purpose" in str(refused.value)
    with pytest.raises(StaleVersion):
        services.consents.revoke(actors["front_desk"], consent.id, consent.version, TODAY)
    assert services.consents.get(actors["front_desk"], consent.id) == theirs


@pytest.mark.parametrize("change, field", [
    ({"recipient_name": " "}, "recipient_name"), ({"purpose": ""}, "purpose"),
    ({"information_scope": ""}, "information_scope"),
    ({"expiry_date": date(2026, 10, 1)}, "expiry_date"),
    ({"purpose": "x" * 10_001}, "purpose"),
])
def test_bad_input_is_refused_at_the_field(services, actors, lan, change, field):
    with pytest.raises(ValidationError) as refused:
        services.consents.add(actors["front_desk"], lan.id, replace(PCP, **change))
    assert field in refused.value.fields
    assert services.consents.list(actors["front_desk"], lan.id) == ()


def test_long_right_to_left_text_and_emoji_are_stored_intact(services, actors, lan):
    scope = "תוכנית טיפול 📋\nסיכום שחרור\n" + "א" * 9_000
    saved = services.consents.add(actors["front_desk"], lan.id,
                                  replace(PCP, recipient_name="מרפאת השרון 🏥",
                                          information_scope=scope))
    stored = services.consents.get(actors["front_desk"], saved.id)
    assert (stored.recipient_name, stored.information_scope) == ("מרפאת השרון 🏥", scope)


def test_unknown_consent(services, actors):
    with pytest.raises(NotFound):
        services.consents.get(actors["front_desk"], 424242)
    with pytest.raises(NotFound):
        services.consents.revoke(actors["front_desk"], 424242, 1, TODAY)
