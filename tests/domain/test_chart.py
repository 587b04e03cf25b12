"""The chart's front-desk sections: contact, consent and coverage input, checked field by field;
consent states and current coverage as of a day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopdesk.domain.chart import (LONG_MAX, ConsentInput, ConsentState, ContactInput,
                                  CoverageInput, check_consent, check_contact, check_coverage,
                                  check_revocation, consent_state, coverage_current, prefixed)
from iopdesk.domain.errors import ValidationError

TODAY = date(2026, 11, 16)
MOTHER = ContactInput(name="Hoa Nguyễn", relationship="Mother", phone="555.201.7788",
                      email="hoa@example.org", is_guardian=True, is_emergency=True)
CONSENT = ConsentInput(recipient_name="Dr. Helen Achebe", purpose="Coordination of care",
                       information_scope="Diagnoses and the discharge summary",
                       effective_date=date(2026, 11, 1), expiry_date=date(2027, 11, 1))
COVERAGE = CoverageInput(payer_name="Cascade Health Plan", member_number="CHP123456789",
                         group_number="GRP-4410", effective_date=date(2025, 1, 1))


def _refused(check, *args) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        check(*args)
    return refused.value.fields


# ---- contacts --------------------------------------------------------------------------------

def test_a_contact_is_cleaned_and_its_phone_written_one_way():
    checked = check_contact(replace(MOTHER, name="  Hoa   Nguyễn ", notes="  line one\nline two "))
    assert checked.name == "Hoa Nguyễn"
    assert checked.phone == "(555) 201-7788"
    assert checked.notes == "line one\nline two"   # long text keeps its lines


@pytest.mark.parametrize("change, field, words", [
    ({"name": "   "}, "name", "required"),
    ({"name": "x" * 151}, "name", "longer than 150"),
    ({"name": "Agent 007"}, "name", "digits"),
    ({"name": "Tab\x07Bell"}, "name", "a control character (U+0007 ALERT) at position 4"),
    ({"name": "Hoa\u202eNguyen"}, "name", "text-direction control (U+202E RIGHT-TO-LEFT"),
    ({"name": "\u200b"}, "name", "nothing visible"),
    ({"relationship": "Mo\tther"}, "relationship", "a tab (U+0009"),
    ({"relationship": "r" * 61}, "relationship", "longer than 60"),
    ({"phone": "12345"}, "phone", "10 digits"),
    ({"phone": "555-CALL-NOW1"}, "phone", "“C” at position 5 is not one of them"),
    ({"phone": "call 555 201 7788 after 5"}, "phone", "“c” at position 1"),
    ({"phone": "555\x00201 7788"}, "phone", "U+0000 NULL"),
    ({"phone": ""}, "phone", "emergency contact needs a phone"),
    ({"email": "hoa at example"}, "email", "not an e-mail"),
    ({"email": "hoa@exam\u200bple.org"}, "email", "U+200B ZERO WIDTH SPACE"),
    ({"address": "12 Elm St\nApt 2"}, "address", "a line break (U+000A LINE FEED)"),
    ({"address": "a" * 10_000}, "address", "longer than 200"),
    ({"notes": "n" * (LONG_MAX + 1)}, "notes", "longer than 10,000"),
    ({"notes": "nul\x00"}, "notes", "a control character (U+0000 NULL) at position 4"),
    ({"notes": "fine\nthen \x1b[2J"}, "notes", "(U+001B ESCAPE) at line 2, position 6"),
    ({"notes": "fine\n\u2067hidden\u2069"}, "notes", "U+2067 RIGHT-TO-LEFT ISOLATE"),
])
def test_bad_contact_input_is_refused_at_its_field(change, field, words):
    fields = _refused(check_contact, replace(MOTHER, **change))
    assert words in fields[field]


def test_a_non_emergency_contact_needs_no_phone():
    assert check_contact(ContactInput(name="Ana", is_emergency=False)).phone == ""


# Letters, punctuation, symbols and spaces of every script: all visible, so all welcome.
_VISIBLE = st.characters(categories=("L", "P", "S", "Zs"),
                         exclude_characters="\u115f\u1160\u3164\uffa0\u2800\ufffc\ufffd")


@given(st.text(_VISIBLE, min_size=1, max_size=60).filter(lambda s: s.strip()))
def test_any_visible_name_is_kept_as_typed_apart_from_white_space(name):
    assert check_contact(ContactInput(name=name)).name == " ".join(name.split())


@pytest.mark.parametrize("text", ["مريم الحسيني", "אבי כהן", "Mimi 🌻", "👩‍👩‍👧 family",
                                  "מרים (Miriam) כהן", "نامه\u200cها", "Nguyễn Thị Hoa"])
def test_emoji_and_right_to_left_text_are_accepted_intact(text):
    checked = check_contact(ContactInput(name=text, notes=f"{text}\n{text}"))
    assert (checked.name, checked.notes) == (text, f"{text}\n{text}")


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u061c"])
def test_invisible_direction_marks_are_refused_in_names_and_notes(mark):
    fields = _refused(check_contact, ContactInput(name=f"{mark}מרים{mark}",
                                                  notes=f"line\n{mark}מרים"))
    assert f"direction mark (U+{ord(mark):04X}" in fields["name"]
    assert "at position 1" in fields["name"]
    assert "at line 2, position 1" in fields["notes"]


# ---- consents --------------------------------------------------------------------------------

@pytest.mark.parametrize("change, field, words", [
    ({"recipient_name": "  "}, "recipient_name", "Recipient is required"),
    ({"purpose": "\n \n"}, "purpose", "Purpose is required"),
    ({"information_scope": ""}, "information_scope", "is required"),
    ({"effective_date": None}, "effective_date", "Effective date is required"),
    ({"expiry_date": date(2026, 10, 1)}, "expiry_date", "before the effective date"),
    ({"expiry_date": None}, "expiry_date", "expiry date or the event"),
    ({"signed_on": date(2026, 11, 17)}, "signed_on", "in the future"),
    ({"recipient_name": "r" * 201}, "recipient_name", "longer than 200"),
    ({"purpose": "p" * 10_001}, "purpose", "longer than 10,000"),
    ({"effective_date": date(1899, 12, 31)}, "effective_date", "before 1900"),
    ({"recipient_name": "Dr. Helen\x1b[8m Achebe"}, "recipient_name", "U+001B ESCAPE"),
    ({"recipient_address": "410 Main St\nMillbrook"}, "recipient_address", "a line break"),
    ({"purpose": "Care\n\u202eeracv"}, "purpose", "U+202E RIGHT-TO-LEFT OVERRIDE) at line 2"),
    ({"information_scope": "\ufeff"}, "information_scope", "nothing visible"),
    ({"signed_by": "Lan \u0301"}, "signed_by", "combining mark with no letter"),
    ({"expiry_date": None, "expiry_event": "upon discharge\u2028"}, "expiry_event",
     "U+2028 LINE SEPARATOR"),
])
def test_bad_consent_input_is_refused_at_its_field(change, field, words):
    fields = _refused(check_consent, replace(CONSENT, **change), TODAY)
    assert words in fields[field]


def test_an_expiry_event_may_stand_for_the_date_and_long_text_keeps_its_lines():
    scope = "Dates of attendance\nTreatment plan 📋\n" + "x" * (LONG_MAX - 40)
    checked = check_consent(replace(CONSENT, expiry_date=None, expiry_event="upon discharge",
                                    information_scope=scope), TODAY)
    assert checked.expiry_event == "upon discharge" and checked.information_scope == scope


def test_every_bad_field_is_named_at_once():
    fields = _refused(check_consent, ConsentInput(recipient_name="", purpose="",
                                                  information_scope="", effective_date=None),
                      TODAY)
    assert set(fields) == {"recipient_name", "purpose", "information_scope", "effective_date"}


@pytest.mark.parametrize("effective, expiry, revoked, state", [
    (date(2026, 11, 1), date(2027, 1, 1), None, ConsentState.ACTIVE),
    (date(2026, 11, 1), TODAY, None, ConsentState.ACTIVE),            # through its last day
    (date(2026, 1, 1), date(2026, 11, 15), None, ConsentState.EXPIRED),
    (date(2026, 11, 17), date(2027, 1, 1), None, ConsentState.NOT_YET_EFFECTIVE),
    (date(2026, 11, 1), date(2027, 1, 1), date(2026, 11, 10), ConsentState.REVOKED),
    (date(2026, 1, 1), date(2026, 2, 1), date(2026, 1, 10), ConsentState.REVOKED),
    (date(2026, 11, 1), None, None, ConsentState.ACTIVE),             # ends on an event
])
def test_consent_state_as_of_today(effective, expiry, revoked, state):
    assert consent_state(effective, expiry, revoked, TODAY) is state


@pytest.mark.parametrize("revoked_on, note, field", [
    (None, "", "revoked_on"),
    (date(2026, 11, 17), "", "revoked_on"),
    (date(2026, 10, 1), "", "revoked_on"),          # before it was signed
    (TODAY, "n" * 201, "revocation_note"),
    (TODAY, "by phone\x00", "revocation_note"),
    (TODAY, "by \u2066phone", "revocation_note"),
])
def test_a_revocation_needs_a_real_date_and_a_short_note(revoked_on, note, field):
    assert field in _refused(check_revocation, revoked_on, note, TODAY, date(2026, 11, 1))


def test_a_revocation_note_is_cleaned():
    assert check_revocation(TODAY, "  by  phone ", TODAY, None) == "by phone"


def test_every_text_field_of_the_chart_forms_is_checked():
    """A control character in any text field is refused at that field (none slips through
    because a new field was not given a rule)."""
    for check, base, args in ((check_contact, MOTHER, ()), (check_consent, CONSENT, (TODAY,)),
                              (check_coverage, COVERAGE, (TODAY,))):
        for name, value in vars(base).items():
            if isinstance(value, str):
                fields = _refused(check, replace(base, **{name: "Ok\x1bNot"}), *args)
                assert "U+001B ESCAPE" in fields[name], (check.__name__, name)


# ---- coverage --------------------------------------------------------------------------------

@pytest.mark.parametrize("change, field, words", [
    ({"payer_name": " "}, "payer_name", "Payer is required"),
    ({"member_number": ""}, "member_number", "required"),
    ({"member_number": "ABC 123"}, "member_number", "letters, digits or hyphens"),
    ({"member_number": "A" * 31}, "member_number", "1–30"),
    ({"member_number": "-123"}, "member_number", "1–30"),
    ({"member_number": "123💥"}, "member_number", "1–30"),
    ({"group_number": "G/1"}, "group_number", "1–30"),
    ({"payer_id": "x" * 10_000}, "payer_id", "1–30"),
    ({"priority": 4}, "priority", "primary"),
    ({"subscriber_name": "Sub 2"}, "subscriber_name", "digits"),
    ({"subscriber_name": "Ana\u202dSmith"}, "subscriber_name", "U+202D LEFT-TO-RIGHT OVERRIDE"),
    ({"payer_name": "Cascade\x7f"}, "payer_name", "U+007F DELETE) at position 8"),
    ({"payer_name": "\u3164"}, "payer_name", "nothing visible"),
    ({"member_number": "CHP\u200b123"}, "member_number", "U+200B ZERO WIDTH SPACE"),
    ({"subscriber_relationship": "child\x85"}, "subscriber_relationship", "U+0085 NEXT LINE"),
    ({"subscriber_date_of_birth": date(2030, 1, 1)}, "subscriber_date_of_birth", "future"),
    ({"termination_date": date(2024, 12, 31)}, "termination_date", "before the effective"),
])
def test_bad_coverage_input_is_refused_at_its_field(change, field, words):
    fields = _refused(check_coverage, replace(COVERAGE, **change), TODAY)
    assert words in fields[field]


@given(st.text(alphabet="ABCXYZabc0123456789-", min_size=1, max_size=30).filter(
    lambda s: s[0] != "-"))
def test_member_numbers_of_letters_digits_and_hyphens_are_accepted(number):
    assert check_coverage(replace(COVERAGE, member_number=number), TODAY).member_number == number


@pytest.mark.parametrize("effective, termination, current", [
    (None, None, True), (date(2026, 11, 17), None, False), (date(2026, 1, 1), TODAY, True),
    (date(2026, 1, 1), date(2026, 11, 15), False),
])
def test_coverage_is_current_from_its_start_through_its_last_day(effective, termination,
                                                                   current):
    assert coverage_current(effective, termination, TODAY) is current


def test_errors_of_a_part_of_a_form_are_prefixed():
    with pytest.raises(ValidationError) as refused:
        check_coverage(replace(COVERAGE, member_number=""), TODAY)
    assert prefixed(refused.value, "coverage") == {
        "coverage.member_number": "Member number is required"}
