"""Registering, updating, viewing and finding participants through the service."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from iopdesk.db.models import AuditEvent, Participant
from iopdesk.domain.errors import NotFound, StaleVersion, ValidationError
from iopdesk.domain.validation import ParticipantInput

LAN = ParticipantInput(first_name="Thị Lan", last_name="Nguyễn", date_of_birth=date(1988, 3, 14),
                       phone="555-201-3344", email="lan@example.org", postal_code="97205")


def _count(session_factory, model) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(model))


def _events(session_factory, action: str) -> list[AuditEvent]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_register_assigns_a_chart_number_and_audits(services, actors, session_factory):
    lan = services.participants.register(actors["front_desk"], LAN)
    other = services.participants.register(
        actors["front_desk"], replace(LAN, first_name="Bjørn", last_name="Østergaard"))
    assert (lan.chart_number, other.chart_number) == ("1001", "1002")
    assert lan.phone == "(555) 201-3344" and lan.version == 1
    [event] = _events(session_factory, "participant.register")[:1]
    assert (event.participant_id, event.username, event.workstation) == (
        lan.id, "frontdesk", "test-station")


def test_view_is_audited(services, actors, session_factory):
    lan = services.participants.register(actors["front_desk"], LAN)
    seen = services.participants.get(actors["clinician"], lan.id)
    assert seen.last_name == "Nguyễn"
    [event] = _events(session_factory, "participant.view")
    assert (event.participant_id, event.username) == (lan.id, "clinician")


@pytest.mark.parametrize("change, field", [
    ({"first_name": "   "}, "first_name"),
    ({"last_name": ""}, "last_name"),
    ({"date_of_birth": None}, "date_of_birth"),
    ({"date_of_birth": date(2027, 1, 1)}, "date_of_birth"),
    ({"date_of_birth": date(1850, 1, 1)}, "date_of_birth"),
    ({"phone": "12345"}, "phone"),
    ({"email": "not-an-email"}, "email"),
    ({"postal_code": "9720"}, "postal_code"),
    ({"chart_number": "has space"}, "chart_number"),
    ({"last_name": "x" * 10_000}, "last_name"),
])
def test_bad_input_is_refused_at_its_field_and_nothing_is_stored(
        services, actors, session_factory, change, field):
    with pytest.raises(ValidationError) as refused:
        services.participants.register(actors["front_desk"], replace(LAN, **change))
    assert field in refused.value.fields
    assert _count(session_factory, Participant) == 0


def test_a_duplicate_chart_number_is_refused(services, actors, session_factory):
    services.participants.register(actors["front_desk"], replace(LAN, chart_number="A-77"))
    with pytest.raises(ValidationError) as refused:
        services.participants.register(
            actors["front_desk"], replace(LAN, first_name="José", chart_number="A-77"))
    assert "already belongs" in refused.value.fields["chart_number"]
    assert _count(session_factory, Participant) == 1


def test_update_with_a_stale_version_is_refused_and_nothing_overwritten(services, actors):
    lan = services.participants.register(actors["front_desk"], LAN)
    mine = replace(LAN, chart_number=lan.chart_number, phone="555-201-9999")
    theirs = replace(LAN, chart_number=lan.chart_number, email="new@example.org")
    saved = services.participants.update(actors["clinician"], lan.id, lan.version, theirs)
    assert saved.version == 2
    with pytest.raises(StaleVersion, match="changed by someone else"):
        services.participants.update(actors["front_desk"], lan.id, lan.version, mine)
    stored = services.participants.get(actors["front_desk"], lan.id)
    assert (stored.email, stored.phone, stored.version) == ("new@example.org",
                                                            "(555) 201-3344", 2)


def test_unknown_participant(services, actors):
    with pytest.raises(NotFound):
        services.participants.get(actors["front_desk"], 424242)


def test_emoji_and_right_to_left_text_are_kept_intact(services, actors):
    saved = services.participants.register(
        actors["front_desk"], replace(LAN, first_name="مريم", preferred_name="Mimi 🌻"))
    stored = services.participants.get(actors["front_desk"], saved.id)
    assert (stored.first_name, stored.preferred_name) == ("مريم", "Mimi 🌻")


@pytest.fixture
def registry(services, actors):
    people = [("Nguyễn", "Thị Lan", date(1988, 3, 14), "555-201-3344"),
              ("Nguyen", "Minh", date(1990, 1, 2), "555-201-1111"),
              ("Wiśniewski", "Łukasz", date(1979, 7, 30), "555-202-2222"),
              ("Østergaard", "Bjørn", date(1985, 12, 1), "555-203-3333"),
              ("Núñez", "José", date(2009, 6, 6), "555-204-4444")]
    for last, first, dob, phone in people:
        services.participants.register(actors["front_desk"], ParticipantInput(
            first_name=first, last_name=last, date_of_birth=dob, phone=phone))
    return people


def _names(page) -> list[str]:
    return [row.last_name for row in page.rows]


@pytest.mark.parametrize("typed, expected", [
    ("ngu", ["Nguyen", "Nguyễn"]),
    ("NGUY", ["Nguyen", "Nguyễn"]),
    ("wis", ["Wiśniewski"]),
    ("luk", ["Wiśniewski"]),
    ("oster", ["Østergaard"]),
    ("nunez, jo", ["Núñez"]),
    ("thi nguy", ["Nguyễn"]),
    ("1003", ["Wiśniewski"]),
    ("555-203", ["Østergaard"]),
    ("12/01/1985", ["Østergaard"]),
    ("1985-12-01", ["Østergaard"]),
    ("02/30/1985", []),
    ("zzz", []),
    ("", ["Nguyen", "Nguyễn", "Núñez", "Østergaard", "Wiśniewski"]),
])
def test_search_as_typed(services, actors, registry, typed, expected):
    page = services.participants.search(actors["front_desk"], typed)
    assert sorted(_names(page)) == sorted(expected)


def test_keyset_pages_cover_everyone_once_in_name_order(services, actors, registry):
    seen, after = [], None
    while True:
        page = services.participants.search(actors["front_desk"], "", after=after, limit=2)
        seen += [row.id for row in page.rows]
        if page.next_after is None:
            break
        after = page.next_after
    assert len(seen) == len(set(seen)) == len(registry)
    everyone = services.participants.search(actors["front_desk"], "", limit=50)
    assert [row.id for row in everyone.rows] == seen


def test_the_episodes_carry_their_referral_date(demo, people):
    """The referral date of each episode reaches the read model (the face sheet shows the
    current episode's); a participant only registered has no episode, so none."""
    from iopdesk.db.models import Episode

    services, factory = demo
    with factory() as s:
        row = s.scalar(select(Episode).where(Episode.referral_date.is_not(None))
                       .order_by(Episode.id).limit(1))
        participant_id, episode_id, referred = row.participant_id, row.id, row.referral_date
    person = services.participants.get(people["frontdesk"], participant_id)
    assert {e.id: e.referral_date for e in person.episodes}[episode_id] == referred
    new = services.participants.register(people["frontdesk"], LAN)
    assert new.current_episode is None


def test_the_referral_date_of_registration_goes_to_the_first_episode(services, actors,
                                                                     track_id):
    person = services.participants.register(
        actors["front_desk"], replace(LAN, referral_date=date(2026, 11, 9)))
    clinician = actors["clinician"]
    episode = services.episodes.admit(clinician, person.id, track_id, date(2026, 11, 16),
                                      clinician.user_id)
    assert episode.referral_date == date(2026, 11, 9)
