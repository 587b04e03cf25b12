"""Account rules: the password policy, user names, the practice's letterhead (NPI check digit
included) and the practice settings."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopdesk.domain.accounts import (NewUserInput, PracticeInput, PracticeSettings,
                                     UserChanges, check_new_user, check_password,
                                     check_practice, check_settings, check_user_changes,
                                     npi_is_valid, settings_from_stored)
from iopdesk.domain.enums import Role
from iopdesk.domain.errors import ValidationError

USER = NewUserInput(username="casey", display_name="Casey Ruiz",
                    roles=frozenset({Role.CLINICIAN}))


def _refusal(call, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        call(*args, **kwargs)
    return refused.value.fields


@pytest.mark.parametrize("password, message", [
    ("", "Enter a password"),
    ("123456789", "at least 10 characters (this one has 9)"),
    ("a" * 1025, "at most 1024 characters (this one has 1,025)"),
    ("€" * 1_048_576, "at most 1024 characters (this one has 1,048,576)"),
    ("          ", "one character repeated"),
    ("..........", "one character repeated"),
    ("Password123", "guessers try first"),
    ("iopdesk-demo", "guessers try first"),
])
def test_passwords_refused_with_a_reason(password, message):
    assert message in _refusal(check_password, password, 10)["password"]


@pytest.mark.parametrize("password", [
    "abcdefghij",                       # exactly the minimum
    "x" * 1024,                         # exactly the maximum... repeated: see below
    "correct horse battery staple",
    "it's \"quoted\"",
    "ñandú-año-über",
    "🔒🔑🐍🎉🦄🌈🍕🚀💡🔥",              # ten emoji: ten characters
    "  leading and trailing  ",
    "日本語のパスワード!",
])
def test_passwords_of_any_characters_are_allowed(password):
    if len(set(password)) == 1:
        password = password[:-1] + "y"
    check_password(password, 10)


def test_the_field_and_the_user_name_rule():
    assert _refusal(check_password, "short", 10, field="admin_password") == {
        "admin_password": "A password needs at least 10 characters (this one has 5)"}
    assert _refusal(check_password, " Casey.Ruiz ", 10, username="casey.ruiz") == {
        "password": "A password may not be the user name"}
    check_password("casey.ruiz!", 10, username="casey.ruiz")


def test_a_shorter_minimum_is_honoured():
    check_password("eight ch", 8)
    assert "at least 12" in _refusal(check_password, "eleven char", 12)["password"]


# ---------------------------------------------------------------- NPI
@pytest.mark.parametrize("npi, valid", [
    ("1234567893", True),               # the CMS example
    ("1234567890", False), ("1234567894", False),
    ("123456789", False), ("12345678931", False), ("123456789X", False), ("", False),
])
def test_npi_check_digit(npi, valid):
    assert npi_is_valid(npi) is valid


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_completes_any_nine_digits(stem):
    assert sum(npi_is_valid(stem + str(d)) for d in range(10)) == 1


@given(st.text(alphabet="0123456789", min_size=10, max_size=10), st.integers(0, 9),
       st.integers(1, 9))
def test_a_single_mistyped_digit_is_caught(npi, position, delta):
    if not npi_is_valid(npi):
        return
    digits = list(npi)
    digits[position] = str((int(digits[position]) + delta) % 10)
    assert not npi_is_valid("".join(digits))


# ---------------------------------------------------------------- practice
def test_the_practice_is_cleaned():
    cleaned = check_practice(PracticeInput(
        name="  Cascade   IOP ", state="or", phone="+1 555 201 3344", fax="555.201.3345",
        npi="123-456-7893", postal_code="97205-1234", city=" Portland "))
    assert (cleaned.name, cleaned.state, cleaned.phone, cleaned.fax, cleaned.npi,
            cleaned.city) == ("Cascade IOP", "OR", "(555) 201-3344", "(555) 201-3345",
                              "1234567893", "Portland")


@pytest.mark.parametrize("change, field, message", [
    ({"name": ""}, "name", "The practice name is required"),
    ({"name": "n" * 201}, "name", "longer than 200"),
    ({"name": "Bad\x00Name"}, "name", "a control character (U+0000 NULL) at position 4"),
    ({"name": "Cascade \u202ePOI"}, "name", "(U+202E RIGHT-TO-LEFT OVERRIDE) at position 9"),
    ({"address_line1": "2140 Alder\tStreet"}, "address_line1", "a tab (U+0009"),
    ({"address_line2": "\u200b"}, "address_line2", "nothing visible"),
    ({"city": "Port\u00adland"}, "city", "U+00AD SOFT HYPHEN"),
    ({"state": "ZZ"}, "state", "ZZ is not a US state"),
    ({"state": "xx"}, "state", "XX is not a US state"),
    ({"phone": "call 555 201 3344 after 5"}, "phone", "“c” at position 1"),
    ({"phone": "\u0665\u0665\u0665 201 3344"}, "phone",
     "(U+0665 ARABIC-INDIC DIGIT FIVE) at position 1"),
    ({"fax": "555 201 3345 x12"}, "fax", "“x” at position 14"),
    ({"npi": "١٢٣٤٥٦٧٨٩٣"}, "npi", "The NPI is 10 digits"),
    ({"city": "c" * 101}, "city", "longer than 100"),
    ({"state": "Ore"}, "state", "two-letter"),
    ({"postal_code": "ABCDE"}, "postal_code", "ZIP code"),
    ({"phone": "555-0100"}, "phone", "Phone number needs 10 digits"),
    ({"fax": "12"}, "fax", "Fax number needs 10 digits"),
    ({"npi": "12345"}, "npi", "The NPI is 10 digits"),
    ({"npi": "1234567890"}, "npi", "check digit"),
    ({"logo_png": b"\xff\xd8\xff\xe0JFIF"}, "logo_png", "PNG"),
    ({"logo_png": b"\x89PNG\r\n\x1a\n" + bytes(2 * 1024 * 1024)}, "logo_png", "largest allowed"),
])
def test_bad_practice_fields(change, field, message):
    fields = _refusal(check_practice, replace(PracticeInput(name="Cascade IOP"), **change))
    assert set(fields) == {field} and message in fields[field]


@pytest.mark.parametrize("state", ["OR", "or", "DC", "PR", "VI", "GU", "AS", "MP", "AE"])
def test_real_state_codes_are_accepted(state):
    assert check_practice(PracticeInput(name="Cascade IOP", state=state)).state == state.upper()


def test_the_practice_phone_may_have_an_extension_and_keeps_it():
    cleaned = check_practice(PracticeInput(name="Cascade IOP", phone="555.201.3344 ext. 12"))
    assert cleaned.phone == "(555) 201-3344 x12"


def test_a_welcome_practice_name_and_address_stay_as_typed():
    cleaned = check_practice(PracticeInput(name="Clínica Ñandú — סיוע & مساعدة",
                                           address_line1="Østergade 4", city="Zürich"))
    assert (cleaned.name, cleaned.address_line1, cleaned.city) == (
        "Clínica Ñandú — סיוע & مساعدة", "Østergade 4", "Zürich")


# ---------------------------------------------------------------- users
def test_a_user_is_cleaned():
    cleaned = check_new_user(replace(USER, username="  casey.r_2-x ",
                                     display_name=" Casey   Ruiz ", email=" c@example.org ",
                                     roles=frozenset({"clinician", Role.FRONT_DESK})))
    assert (cleaned.username, cleaned.display_name, cleaned.email, cleaned.roles) == (
        "casey.r_2-x", "Casey Ruiz", "c@example.org", {Role.CLINICIAN, Role.FRONT_DESK})


def test_a_user_name_with_a_control_character_names_it():
    assert "U+0000 NULL" in _refusal(check_new_user, replace(USER, username="casey\x00"))[
        "username"]


@pytest.mark.parametrize("name", ["Zoë Østergaard", "محمد الحسيني", "דוד כהן", "王小明",
                                  "Sean O'Brien-Smith", "Casey 🌻"])
def test_staff_display_names_of_any_script_are_welcome(name):
    assert check_new_user(replace(USER, display_name=name)).display_name == name


@pytest.mark.parametrize("username, message", [
    ("", "required"), ("ab", "3 to 64 characters (this one has 2)"),
    ("a" * 65, "3 to 64 characters (this one has 65)"),
    ("casey ruiz", "only letters"), ("josé", "only letters"), ("casey@home", "only letters"),
    ("o'brien", "only letters"), ("System", "reserved"),
])
def test_bad_user_names(username, message):
    assert message in _refusal(check_new_user, replace(USER, username=username))["username"]


@pytest.mark.parametrize("change, field, message", [
    ({"display_name": " "}, "display_name", "required"),
    ({"display_name": "n" * 101}, "display_name", "longer than 100"),
    ({"display_name": "Bell\x07Name"}, "display_name",
     "The name contains a control character (U+0007 ALERT) at position 5"),
    ({"display_name": "Casey \u2067Ruiz\u2069"}, "display_name",
     "(U+2067 RIGHT-TO-LEFT ISOLATE) at position 7"),
    ({"display_name": "\u3164"}, "display_name", "nothing visible"),
    ({"credentials": "LCSW\u200b"}, "credentials", "U+200B ZERO WIDTH SPACE"),
    ({"credentials": "LCSW\x9b31m"}, "credentials", "U+009B CONTROL SEQUENCE INTRODUCER"),
    ({"email": "casey@exa\u202emple.org"}, "email", "U+202E"),
    ({"credentials": "c" * 51}, "credentials", "at most 50"),
    ({"email": "casey"}, "email", "not an e-mail address"),
    ({"roles": frozenset()}, "roles", "at least one role"),
    ({"roles": frozenset({"janitor"})}, "roles", "“janitor” is not a role"),
    ({"needs_cosign": True}, "supervisor_id", "needs a supervisor"),
    ({"needs_cosign": True, "supervisor_id": 3,
      "roles": frozenset({Role.SUPERVISOR, Role.CLINICIAN})}, "needs_cosign",
     "supervisor's own work"),
])
def test_bad_user_fields(change, field, message):
    fields = _refusal(check_new_user, replace(USER, **change))
    assert set(fields) == {field} and message in fields[field]
    edit = UserChanges(display_name=USER.display_name, roles=USER.roles)
    fields = _refusal(check_user_changes, replace(edit, **change))
    assert set(fields) == {field}


# ---------------------------------------------------------------- settings
def test_default_settings_are_valid():
    assert check_settings(PracticeSettings()) == PracticeSettings()
    assert PracticeSettings().idle_lock_minutes == 10
    assert PracticeSettings().lockout_threshold == 5
    assert PracticeSettings().password_min_length == 10


def test_stored_settings_fall_back_per_value():
    stored = {"idle_lock_minutes": 3, "lockout_minutes": -5, "part2_notice": "full",
              "week_start": "monday", "review_interval_days": 14.5, "unrelated": 1}
    assert settings_from_stored(stored) == replace(PracticeSettings(), idle_lock_minutes=3,
                                                   part2_notice="full")
