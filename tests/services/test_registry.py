"""The registry behind the front desk: possible duplicates before saving, a registration with
its insurance and emergency contact in one transaction, search filters, the "contains" search
after the prefix one, and stale saves refused with the other change named."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from iopdesk.db.models import AuditEvent, Contact, Coverage, Participant
from iopdesk.demo import DEMO_PASSWORD
from iopdesk.domain.chart import ContactInput, CoverageInput
from iopdesk.domain.enums import EpisodeStatus
from iopdesk.domain.errors import StaleVersion, ValidationError
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import participants as participants_module
from iopdesk.services.registry import CONTAINS_MARK

LAN = ParticipantInput(first_name="Thị Lan", last_name="Nguyễn", date_of_birth=date(1988, 3, 14),
                       phone="555-201-3344")
CASCADE = CoverageInput(payer_name="Cascade Health Plan", member_number="CHP123456789",
                        group_number="GRP-4410")
MOTHER = ContactInput(name="Hoa Nguyễn", relationship="Mother", phone="555-201-7788")


def _count(session_factory, model) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(model))


def _register(services, actor, last, first, dob=date(1990, 1, 1), phone="", **more):
    return services.participants.register(actor, ParticipantInput(
        first_name=first, last_name=last, date_of_birth=dob, phone=phone, **more))


# ---- possible duplicates ---------------------------------------------------------------------

def test_possible_duplicates_by_folded_name_and_birth_date_or_by_phone(services, actors):
    desk = actors["front_desk"]
    lan = services.participants.register(desk, LAN)
    same_phone = _register(services, desk, "Trần", "Minh", phone="1 (555) 201-3344")
    _register(services, desk, "Nguyen", "Thi Lan", dob=date(1988, 3, 15))   # another day
    typed = ParticipantInput(first_name="thi  lan", last_name="NGUYEN",
                             date_of_birth=date(1988, 3, 14), phone="")
    assert [r.id for r in services.participants.possible_duplicates(desk, typed)] == [lan.id]
    by_phone = ParticipantInput(first_name="Other", last_name="Person",
                                date_of_birth=date(2000, 1, 1), phone="555.201.3344")
    found = services.participants.possible_duplicates(desk, by_phone)
    assert sorted(r.id for r in found) == sorted([lan.id, same_phone.id])
    editing = services.participants.possible_duplicates(desk, LAN, exclude_id=lan.id)
    assert [r.id for r in editing] == [same_phone.id]     # not the one being edited
    with_extension = replace(by_phone, phone="(555) 201-3344 ext. 12")
    found = services.participants.possible_duplicates(desk, with_extension)
    assert sorted(r.id for r in found) == sorted([lan.id, same_phone.id])


def test_an_incomplete_form_is_checked_for_what_it_has(services, actors):
    desk = actors["front_desk"]
    services.participants.register(desk, LAN)
    assert services.participants.possible_duplicates(
        desk, ParticipantInput(first_name="", last_name="", date_of_birth=None)) == ()
    assert services.participants.possible_duplicates(
        desk, ParticipantInput(first_name="X", last_name="Y", date_of_birth=None,
                               phone="555-201")) == ()


# ---- registration in one transaction ---------------------------------------------------------

def test_register_with_saves_all_three_and_audits_each(services, actors, session_factory):
    lan = services.participants.register_with(actors["front_desk"], LAN, coverage=CASCADE,
                                              emergency_contact=MOTHER)
    [contact] = services.contacts.list(actors["front_desk"], lan.id)
    assert contact.is_emergency and contact.phone == "(555) 201-7788"
    [coverage] = services.coverage.list(actors["front_desk"], lan.id)
    assert coverage.member_number == "CHP123456789"
    with session_factory() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.participant_id == lan.id)
                            .order_by(AuditEvent.id)).all()
    assert actions[:3] == ["participant.register", "coverage.add", "contacts.add"]


def test_register_with_refuses_every_bad_field_at_once_and_stores_nothing(
        services, actors, session_factory):
    with pytest.raises(ValidationError) as refused:
        services.participants.register_with(
            actors["front_desk"], replace(LAN, email="nope"),
            coverage=replace(CASCADE, member_number="CHP 12"),
            emergency_contact=replace(MOTHER, phone=""))
    assert set(refused.value.fields) == {"email", "coverage.member_number",
                                         "emergency_contact.phone"}
    assert _count(session_factory, Participant) == 0


def test_register_with_is_all_or_nothing(services, actors, session_factory, monkeypatch):
    def broken(*_args):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(participants_module, "insert_contact", broken)
    with pytest.raises(RuntimeError):
        services.participants.register_with(actors["front_desk"], LAN, coverage=CASCADE,
                                            emergency_contact=MOTHER)
    for model in (Participant, Coverage, Contact):
        assert _count(session_factory, model) == 0, model
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "participant.register")) == 0


# ---- filters ---------------------------------------------------------------------------------

def test_filters_status_track_and_primary_clinician(services, actors, track_id):
    desk, clinician, supervisor = actors["front_desk"], actors["clinician"], actors["supervisor"]
    mine = _register(services, desk, "Nguyen", "Minh")
    theirs = _register(services, desk, "Nguyen", "Anh")
    waiting = _register(services, desk, "Nguyen", "Bao")
    services.episodes.admit(clinician, mine.id, track_id, date(2026, 11, 2), clinician.user_id)
    services.episodes.admit(clinician, theirs.id, track_id, date(2026, 11, 2),
                            supervisor.user_id)

    def ids(**filters) -> set[int]:
        return {r.id for r in services.participants.search(desk, "nguy", **filters).rows}

    assert ids() == {mine.id, theirs.id, waiting.id}
    assert ids(primary_clinician_id=clinician.user_id) == {mine.id}
    assert ids(primary_clinician_id=supervisor.user_id, status=EpisodeStatus.ACTIVE,
               track_id=track_id) == {theirs.id}
    assert ids(status=EpisodeStatus.DISCHARGED) == set()
    assert ids(track_id=track_id) == {mine.id, theirs.id}


# ---- "contains" ------------------------------------------------------------------------------

@pytest.fixture
def sons(services, actors):
    """Two whose last name starts with "son", four who have it inside, one without."""
    desk = actors["front_desk"]
    people = {}
    for last, first, phone in [("Sonders", "Ada", "555-300-0001"),
                               ("Sóndergaard", "Bo", "555-300-0002"),
                               ("Anderson", "Cy", "555-300-0003"),
                               ("Johnson", "Di", "555-300-0004"),
                               ("Bronson", "Ed", "555-300-3344"),
                               ("Lee", "Jason", "555-300-0006"),
                               ("Nguyễn", "Thị Lan", "555-300-0007")]:
        people[last] = _register(services, desk, last, first, phone=phone).id
    return people


def _last_names(page) -> list[str]:
    return [row.last_name for row in page.rows]


def test_prefix_rows_come_first_then_those_that_contain_the_text(services, actors, sons):
    page = services.participants.search(actors["front_desk"], "son")
    assert _last_names(page) == ["Sóndergaard", "Sonders",        # prefix, in name order
                                 "Anderson", "Bronson", "Johnson", "Lee"]
    assert page.next_after is None


@pytest.mark.parametrize("typed, expected", [
    ("uyen", ["Nguyễn"]),            # diacritics and case folded: "uyen" finds Nguyễn
    ("UYỄN", ["Nguyễn"]),
    ("ị la", []),                     # "la" is too short to look inside names: a prefix
    ("thi uyen", ["Nguyễn"]),
    ("th uyen", ["Nguyễn"]),          # a short word still starts a name, wherever it is
    ("uyen xy", []),
    ("ndergaard", ["Sóndergaard"]),
    ("3344", ["Bronson"]),            # the end of a phone number
    ("300-3344", ["Bronson"]),
    ("ers", ["Anderson", "Sonders"]),
    ("ders son", ["Anderson", "Sonders"]),   # two words inside: both in each
    ("on", []),                       # two letters: prefix only
    ("zzz", []),
])
def test_contains_search(services, actors, sons, typed, expected):
    page = services.participants.search(actors["front_desk"], typed)
    assert _last_names(page) == expected


def test_contains_on_postgresql_is_one_like_over_the_narrow_key_table():
    from sqlalchemy.dialects import postgresql

    from iopdesk.services.registry import contains_query

    sql = str(contains_query("th uyen", dialect_name="postgresql").compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    assert "participant_search_keys.words LIKE '%%uyen%%' ESCAPE" in sql
    assert "UNION" not in sql and "ILIKE" not in sql      # one index, one scan
    assert "MATCH" not in sql and "'th'" in sql
    number = str(contains_query("3344", dialect_name="postgresql").compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    assert "participant_search_keys.numbers LIKE '%%3344%%'" in number


def test_contains_can_be_turned_off(services, actors, sons):
    page = services.participants.search(actors["front_desk"], "son", contains=False)
    assert _last_names(page) == ["Sóndergaard", "Sonders"]


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 6, 7])
def test_pages_run_through_both_parts_once_in_order(services, actors, sons, limit):
    seen, after = [], None
    while True:
        page = services.participants.search(actors["front_desk"], "son", after=after,
                                            limit=limit)
        assert len(page.rows) <= limit
        seen += _last_names(page)
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == ["Sóndergaard", "Sonders", "Anderson", "Bronson", "Johnson", "Lee"]


@pytest.mark.parametrize("limit", [1, 2, 3, 10])
def test_a_word_starting_first_names_and_last_names_pages_in_name_order(services, actors,
                                                                        limit):
    """One word typed starts last names of some and first names of others (on PostgreSQL
    each column's matches are paged on their own, then merged): one list in name order."""
    desk = actors["front_desk"]
    for last, first in [("Zimmer", "Reza"), ("Reyes", "Ana"), ("Adams", "Rebecca"),
                        ("Moss", "Ken"), ("Rhee", "Jo"), ("Brandt", "Renée")]:
        _register(services, desk, last, first)
    seen, after = [], None
    while True:
        page = services.participants.search(desk, "re", after=after, limit=limit)
        assert len(page.rows) <= limit
        seen += _last_names(page)
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == ["Adams", "Brandt", "Reyes", "Zimmer"]


def test_a_page_that_ends_with_the_prefix_rows_continues_with_the_contains_part(
        services, actors, sons):
    first = services.participants.search(actors["front_desk"], "son", limit=2)
    assert _last_names(first) == ["Sóndergaard", "Sonders"]
    assert first.next_after == (CONTAINS_MARK,)
    second = services.participants.search(actors["front_desk"], "son", limit=2,
                                          after=first.next_after)
    assert _last_names(second) == ["Anderson", "Bronson"]
    assert second.next_after[0] == CONTAINS_MARK


def test_filters_apply_to_the_contains_part_too(services, actors, sons, track_id):
    clinician = actors["clinician"]
    services.episodes.admit(clinician, sons["Johnson"], track_id, date(2026, 11, 2),
                            clinician.user_id)
    page = services.participants.search(actors["front_desk"], "son",
                                        primary_clinician_id=clinician.user_id)
    assert _last_names(page) == ["Johnson"]


def test_the_search_index_follows_registration_and_edits(services, actors, sons):
    desk = actors["front_desk"]
    lee = services.participants.get(desk, sons["Lee"])
    services.participants.update(desk, lee.id, lee.version, ParticipantInput(
        first_name="Jay", last_name="Lee", date_of_birth=lee.date_of_birth,
        chart_number=lee.chart_number))
    assert "Lee" not in _last_names(services.participants.search(desk, "son"))
    assert _last_names(services.participants.search(desk, "jay")) == ["Lee"]
    _register(services, desk, "Dawson", "Flo")
    assert "Dawson" in _last_names(services.participants.search(desk, "wso"))


def test_contains_on_the_demo_database(demo_services):
    """The demo's bulk-inserted participants are in the index (filled by the triggers)."""
    actor = demo_services.staff.log_in("frontdesk", DEMO_PASSWORD)
    rows = demo_services.participants.search(actor, "uyen", limit=500).rows
    assert rows and all("uyen" in (r.last_name + r.first_name + r.preferred_name).lower()
                        .replace("ễ", "e").replace("ê", "e") for r in rows)
    assert "Nguyễn" in {r.last_name for r in rows}


@pytest.fixture
def demo_services(demo_url):
    from iopdesk.db.engine import make_session_factory
    from iopdesk.db.migrate import open_database
    from iopdesk.services import build_services

    from support import AUDIT_KEY, TODAY

    engine = open_database(demo_url)
    yield build_services(make_session_factory(engine), "test-station", audit_key=AUDIT_KEY,
                         today=lambda: TODAY)
    engine.dispose()


# ---- stale saves -----------------------------------------------------------------------------

def test_a_stale_participant_save_names_who_changed_it_where_and_when(
        services, actors, session_factory):
    lan = services.participants.register(actors["front_desk"], LAN)
    services.participants.update(actors["clinician"], lan.id, lan.version,
                                 replace(LAN, chart_number=lan.chart_number,
                                         email="lan@example.org", postal_code="97205"))
    with session_factory() as s:
        when = s.scalar(select(AuditEvent.occurred_at)
                        .where(AuditEvent.action == "participant.update"))
    with pytest.raises(StaleVersion) as refused:
        services.participants.update(actors["front_desk"], lan.id, lan.version,
                                     replace(LAN, chart_number=lan.chart_number, phone=""))
    message = str(refused.value)
    assert message.startswith("The record of Thị Lan Nguyễn was changed by someone else after "
                              "you opened it: Clinician (clinician) saved it on workstation "
                              "test-station on "
                              f"{when.astimezone().strftime('%Y-%m-%d at %H:%M')} "
                              "(changed: email, postal code).")
    assert "your copy is version 1, the saved one is version 2" in message.lower()
    stored = services.participants.get(actors["front_desk"], lan.id)
    assert (stored.phone, stored.email) == ("(555) 201-3344", "lan@example.org")
