"""Validation and search keys: pure rules, checked with examples and generated input."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopdesk.domain.errors import ValidationError
from iopdesk.domain.names import search_key
from iopdesk.domain.validation import ParticipantInput, check_participant, format_phone, parse_date

TODAY = date(2026, 11, 16)


@pytest.mark.parametrize("name, key", [
    ("Nguyễn", "nguyen"), ("Wiśniewski", "wisniewski"), ("Łukasz", "lukasz"),
    ("Østergaard", "ostergaard"), ("Åsa", "asa"), ("Núñez", "nunez"), ("  Peña  ", "pena"),
    ("Straße", "strasse"), ("Thị  Lan", "thi lan"),
])
def test_search_keys_fold_case_and_accents(name, key):
    assert search_key(name) == key


@pytest.mark.parametrize("text, expected", [
    ("2026-02-28", date(2026, 2, 28)), ("02/28/2026", date(2026, 2, 28)),
    (" 1/2/1990 ", date(1990, 1, 2)),
])
def test_dates_parse(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, message", [
    ("2026-02-30", "not a real calendar date"), ("13/01/2020", "not a real calendar date"),
    ("yesterday", "is not a date"), ("", "is required"), ("2026-2-3-4", "is not a date"),
])
def test_bad_dates_get_a_specific_message(text, message):
    with pytest.raises(ValidationError) as refused:
        parse_date(text, "date_of_birth")
    assert message in refused.value.fields["date_of_birth"]


def test_phones_are_stored_one_way():
    assert format_phone("+1 555.201.3344") == "(555) 201-3344"


def test_an_alternate_phone_is_checked_like_the_first():
    base = ParticipantInput(first_name="Ana", last_name="Núñez", date_of_birth=date(1990, 1, 2))
    assert check_participant(replace(base, alt_phone=" 555 201 3344 "), TODAY).alt_phone == \
        "555 201 3344"
    with pytest.raises(ValidationError) as refused:
        check_participant(replace(base, phone="555-201-3344", alt_phone="201-3344"), TODAY)
    assert set(refused.value.fields) == {"alt_phone"}
    assert "10 digits" in refused.value.fields["alt_phone"]


@given(st.text(max_size=300), st.text(max_size=300), st.dates(), st.text(max_size=40))
def test_validation_never_crashes_and_either_accepts_or_names_fields(first, last, born, phone):
    data = ParticipantInput(first_name=first, last_name=last, date_of_birth=born, phone=phone)
    try:
        cleaned = check_participant(data, TODAY)
    except ValidationError as refused:
        assert refused.fields and set(refused.fields) <= {
            "first_name", "last_name", "date_of_birth", "phone"}
    else:
        assert cleaned.first_name.strip() and cleaned.last_name.strip()
        assert date(1900, 1, 1) <= cleaned.date_of_birth <= TODAY


@given(st.text(alphabet=" \t\n\u00a0\u2003", max_size=20))
def test_names_of_only_white_space_are_refused(blank):
    with pytest.raises(ValidationError) as refused:
        check_participant(ParticipantInput(first_name=blank, last_name="Peña",
                                           date_of_birth=date(1990, 1, 1)), TODAY)
    assert refused.value.fields["first_name"] == "First name is required"


@given(st.text(max_size=60))
def test_search_key_is_idempotent(text):
    assert search_key(search_key(text)) == search_key(text)
