"""Family and collateral contacts through the service: listed, added, edited, deactivated
(never deleted); every read and change audited with the participant; stale saves refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from iopdesk.db.models import AuditEvent, Contact
from iopdesk.domain.chart import ContactInput
from iopdesk.domain.errors import (Conflict, NotFound, PermissionDenied, StaleVersion,
                                   ValidationError)
from iopdesk.domain.validation import ParticipantInput

LAN = ParticipantInput(first_name="Thị Lan", last_name="Nguyễn", date_of_birth=date(2009, 3, 14))
MOTHER = ContactInput(name="Hoa Nguyễn", relationship="Mother", phone="555-201-7788",
                      is_guardian=True, is_emergency=True, may_contact=True)
UNCLE = ContactInput(name="Bảo Trần", relationship="Uncle", phone="555 201 9900")


@pytest.fixture
def lan(services, actors):
    """Thị Lan Nguyễn as a minor (her mother is her guardian): not conftest.py's adult."""
    return services.participants.register(actors["front_desk"], LAN)


def _events(session_factory, action: str) -> list[AuditEvent]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def test_add_and_list_in_order_audited(services, actors, lan, session_factory):
    desk = actors["front_desk"]
    uncle = services.contacts.add(desk, lan.id, UNCLE)
    mother = services.contacts.add(desk, lan.id, MOTHER)
    assert (mother.phone, mother.version, mother.active) == ("(555) 201-7788", 1, True)
    listed = services.contacts.list(desk, lan.id)
    assert [c.id for c in listed] == [mother.id, uncle.id]   # the emergency contact first
    assert listed[0] == mother
    [view] = _events(session_factory, "contacts.view")
    assert (view.participant_id, view.username) == (lan.id, "frontdesk")
    added = _events(session_factory, "contacts.add")
    assert [(e.participant_id, e.entity_id) for e in added] == [(lan.id, uncle.id),
                                                                (lan.id, mother.id)]


def test_update_saves_and_audits_the_changed_fields(services, actors, lan, session_factory):
    mother = services.contacts.add(actors["front_desk"], lan.id, MOTHER)
    saved = services.contacts.update(actors["clinician"], mother.id, mother.version,
                                     replace(mother.as_input(), phone="(555) 201-0000",
                                             may_contact=False))
    assert (saved.phone, saved.may_contact, saved.version) == ("(555) 201-0000", False, 2)
    [event] = _events(session_factory, "contacts.update")
    assert event.detail == {"fields": ["may_contact", "phone"]}
    assert event.participant_id == lan.id


def test_a_stale_save_is_refused_naming_the_other_change(services, actors, lan):
    mother = services.contacts.add(actors["front_desk"], lan.id, MOTHER)
    services.contacts.update(actors["clinician"], mother.id, mother.version,
                             replace(mother.as_input(), email="hoa@example.org"))
    with pytest.raises(StaleVersion) as refused:
        services.contacts.update(actors["front_desk"], mother.id, mother.version,
                                 replace(mother.as_input(), phone="555-201-1212"))
    message = str(refused.value)
    assert "The contact Hoa Nguyễn was changed by someone else" in message
    assert "Clinician (clinician) saved it on workstation test-station" in message
    assert "(changed: email)" in message and "Nothing was overwritten" in message
    [stored] = services.contacts.list(actors["front_desk"], lan.id)
    assert (stored.email, stored.phone, stored.version) == ("hoa@example.org",
                                                            "(555) 201-7788", 2)


def test_a_save_raced_between_the_check_and_the_write_is_refused(services, actors, lan,
                                                                  session_factory):
    """On a database server two saves may pass the version check together: the row's
    version in the UPDATE refuses the second one all the same."""
    from iopdesk.services.changes import flush_or_stale

    mother = services.contacts.add(actors["front_desk"], lan.id, MOTHER)
    with session_factory(expire_on_commit=False) as s:
        row = s.get(Contact, mother.id)
        s.commit()    # loaded and checked; now another workstation saves first
        services.contacts.update(actors["clinician"], mother.id, mother.version,
                                 replace(MOTHER, relationship="Stepmother"))
        row.relationship_to_participant = "Aunt"
        with pytest.raises(StaleVersion, match="while you were saving it"):
            flush_or_stale(s, "The contact Hoa Nguyễn")
    [stored] = services.contacts.list(actors["front_desk"], lan.id)
    assert (stored.relationship, stored.version) == ("Stepmother", 2)


def test_deactivate_keeps_the_row_and_hides_it_from_the_default_list(
        services, actors, lan, session_factory):
    mother = services.contacts.add(actors["front_desk"], lan.id, MOTHER)
    gone = services.contacts.deactivate(actors["front_desk"], mother.id, mother.version)
    assert (gone.active, gone.version) == (False, 2)
    assert services.contacts.list(actors["front_desk"], lan.id) == ()
    assert services.contacts.list(actors["front_desk"], lan.id, include_inactive=True) == (gone,)
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 1
    with pytest.raises(Conflict, match="already inactive"):
        services.contacts.deactivate(actors["front_desk"], mother.id, gone.version)
    with pytest.raises(StaleVersion):
        services.contacts.deactivate(actors["front_desk"], mother.id, mother.version)
    [event] = _events(session_factory, "contacts.deactivate")
    assert (event.participant_id, event.entity_id) == (lan.id, mother.id)


def test_bad_input_is_refused_at_the_field_and_nothing_is_stored(
        services, actors, lan, session_factory):
    with pytest.raises(ValidationError) as refused:
        services.contacts.add(actors["front_desk"], lan.id,
                              replace(MOTHER, name="   ", phone="123", email="nope"))
    assert set(refused.value.fields) == {"name", "phone", "email"}
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 0
    assert _events(session_factory, "contacts.add") == []


def test_emoji_right_to_left_and_a_long_note_are_stored_intact(services, actors, lan):
    note = ("يتحدث العربية فقط 🌙\n" * 500)[:10_000]
    saved = services.contacts.add(actors["front_desk"], lan.id,
                                  ContactInput(name="مريم الحسيني 🌻", relationship="Aunt",
                                               notes=note))
    [stored] = services.contacts.list(actors["front_desk"], lan.id)
    assert stored == saved
    assert (stored.name, stored.notes) == ("مريم الحسيني 🌻", note.strip())


def test_unknown_participant_and_contact(services, actors):
    with pytest.raises(NotFound):
        services.contacts.list(actors["front_desk"], 424242)
    with pytest.raises(NotFound):
        services.contacts.add(actors["front_desk"], 424242, MOTHER)
    with pytest.raises(NotFound):
        services.contacts.update(actors["front_desk"], 424242, 1, MOTHER)


def test_a_disabled_account_is_refused(services, actors, lan, session_factory):
    from iopdesk.db.models import StaffUser

    with session_factory.begin() as s:
        s.get(StaffUser, actors["front_desk"].user_id).active = False
    with pytest.raises(PermissionDenied):
        services.contacts.list(actors["front_desk"], lan.id)
