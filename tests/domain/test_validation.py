"""Validation and search keys: pure rules, checked with examples and generated input."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iopdesk.domain.errors import ValidationError
from iopdesk.domain.names import search_key
from iopdesk.domain.validation import (US_STATES, ParticipantInput, TextRule, character_name,
                                       check_participant, check_texts, format_phone,
                                       parse_date, phone_digits, phone_problem, text_problem)

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


# ---- text that cannot mislead ------------------------------------------------------------------

ANA = ParticipantInput(first_name="Ana", last_name="Núñez", date_of_birth=date(1990, 1, 2))
WELCOME = ["Nguyễn", "Wiśniewski", "Østergaard", "Zoë", "Zoe\u0308", "محمد", "דוד",
           "José María", "O'Brien-Smith", "王小明", "김민준", "देवनागरी", "Ελένη", "Аннa-Мария",
           "Zo 🌻", "👍🏽", "Łucja Żółkiewska", "Thị Lan", "Ngô Bảo Châu", "מרים (Miriam)"]
JOINED = ["نامه\u200cها", "क्\u200dष", "👩\u200d👩\u200d👧", "❤\ufe0f\u200d🔥",
          "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F"]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069"]
CONTROLS = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad", "\u180e", "\u2062",
             "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u034f", "\u17b4", "\U000E0041"]
COMBINING = ["\u0301", "\u0301\u0308", "\u093f", "\u20e3", "\ufe0f", "\u05b8\u05bc"]
NOT_CHARACTERS = ["\u0378", "\ue000", "\U000F0000", "\U0010FFFD", "\ud800", "\udfff",
                  "\ufdd0", "\ufffe", "\U0010FFFF", "\ufffd", "\ufffc", "\u2028", "\u2029"]


def _refused_at(data: ParticipantInput, field: str) -> str:
    with pytest.raises(ValidationError) as refused:
        check_participant(data, TODAY)
    return refused.value.fields[field]


@pytest.mark.parametrize("name", WELCOME + JOINED)
def test_names_of_every_script_with_their_marks_and_joiners_are_welcome(name):
    assert text_problem(name, "Last name") is None
    checked = check_participant(replace(ANA, first_name=name, last_name=name,
                                        preferred_name=name), TODAY)
    assert (checked.first_name, checked.last_name, checked.preferred_name) == (name,) * 3


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_character_is_refused_by_name_and_position(control):
    message = _refused_at(replace(ANA, last_name=f"Núñ{control}ez"), "last_name")
    name = character_name(control)
    assert message.startswith("Last name contains ") and message.endswith(
        f"({name}) at position 4")
    assert unicodedata.lookup(name[7:]) == control     # the name really is that character's


@pytest.mark.parametrize("text, words", [
    ("Ana\x00", "a control character (U+0000 NULL) at position 4"),
    ("Ana\x1b[31mRed", "a control character (U+001B ESCAPE) at position 4"),
    ("Ana\x1b]0;owned\x07", "(U+001B ESCAPE) at position 4"),
    ("Ana\x7f", "a control character (U+007F DELETE) at position 4"),
    ("Ana\x9b31m", "a control character (U+009B CONTROL SEQUENCE INTRODUCER) at position 4"),
    ("Ana\x80", "(U+0080 PADDING CHARACTER)"),
    ("Ana\tMaria", "a tab (U+0009 CHARACTER TABULATION) at position 4"),
    ("Ana\nMaria", "a line break (U+000A LINE FEED) at position 4"),
    ("Ana\r\nMaria", "a line break (U+000D CARRIAGE RETURN) at position 4"),
    ("Ana\x85Maria", "a line break (U+0085 NEXT LINE) at position 4"),
    ("Ana\u2028Maria", "a line break (U+2028 LINE SEPARATOR) at position 4"),
    ("Ana\u2029Maria", "a line break (U+2029 PARAGRAPH SEPARATOR) at position 4"),
    ("Ana\u200fMaria", "an invisible direction mark (U+200F RIGHT-TO-LEFT MARK) at position 4"),
    ("Ana\u200e", "an invisible direction mark (U+200E LEFT-TO-RIGHT MARK)"),
    ("محمد\u061c", "an invisible direction mark (U+061C ARABIC LETTER MARK) at position 5"),
    ("Ana\u200bMaria", "an invisible formatting character (U+200B ZERO WIDTH SPACE)"),
    ("Ana\u00adMaria", "an invisible formatting character (U+00AD SOFT HYPHEN)"),
    ("Ana\ufeff", "(U+FEFF ZERO WIDTH NO-BREAK SPACE) at position 4"),
    ("Ana\u3164", "an invisible character (U+3164 HANGUL FILLER) at position 4"),
    ("Ana\u2800", "an invisible character (U+2800 BRAILLE PATTERN BLANK)"),
    ("Ana\u200d", "an invisible joiner that does not stand between two characters "
                  "(U+200D ZERO WIDTH JOINER) at position 4"),
    ("\u200cAna", "(U+200C ZERO WIDTH NON-JOINER) at position 1"),
    ("Ana \u200dMaria", "(U+200D ZERO WIDTH JOINER) at position 5"),
    ("Ana\u200d\u200dMaria", "(U+200D ZERO WIDTH JOINER) at position 4"),
    ("Ana \u0301Maria", "a combining mark with no letter to combine with "
                        "(U+0301 COMBINING ACUTE ACCENT) at position 5"),
    ("a" + "\u0301" * 9, "more than 8 combining marks on one character "
                         "(U+0301 COMBINING ACUTE ACCENT) at position 10"),
    ("Ana\u0378", "a code point unassigned in Unicode"),
    ("Ana\ue000", "a private-use character (U+E000) at position 4"),
    ("Ana\U000F0000", "a private-use character (U+F0000)"),
    ("Ana\ud800", "a lone surrogate (U+D800) at position 4"),
    ("Ana\ufdd0", "a noncharacter (U+FDD0)"),
    ("Ana\uffff", "a noncharacter (U+FFFF)"),
    ("Ana\ufffd", "a stand-in for a lost character (U+FFFD REPLACEMENT CHARACTER)"),
    ("\U0001F3F4\U000E0067\U000E0062", "(U+E0067 TAG LATIN SMALL LETTER G) at position 2"),
    ("Ana\U000E0067\U000E007F", "(U+E0067 TAG LATIN SMALL LETTER G) at position 4"),
])
def test_misleading_text_is_refused_naming_the_character(text, words):
    message = _refused_at(replace(ANA, first_name=text), "first_name")
    assert message.startswith("First name ") and words in message


@pytest.mark.parametrize("control", BIDI, ids=lambda c: f"U+{ord(c):04X}")
def test_every_direction_override_and_isolate_is_refused(control):
    message = _refused_at(replace(ANA, last_name=f"Co{control}hen"), "last_name")
    assert message == (f"Last name contains a text-direction control ({character_name(control)})"
                       " at position 3")
    assert unicodedata.name(control) in message


@pytest.mark.parametrize("text", INVISIBLE + COMBINING + ["\u200b\u200b", " \u2060 ",
                                                           "\u200c\u0301"])
def test_text_of_only_invisible_or_combining_characters_has_nothing_visible(text):
    message = _refused_at(replace(ANA, last_name=text), "last_name")
    first = text.strip()[0]
    assert message.startswith("Last name has nothing visible: it is made of invisible or "
                              "combining characters")
    assert f"({character_name(first)} at position {text.index(first) + 1})" in message


@pytest.mark.parametrize("text", ["Ana\x1c", "\x1dAna", "Ana\x1eMaria", "Ana\x1f",
                                  "Ana\x85", "\x0bAna", "Ana\x0c"])
def test_controls_that_python_takes_for_white_space_are_refused_not_dropped(text):
    assert " ".join(text.split()) in ("Ana", "Ana Maria")       # what cleaning would make
    control = next(c for c in text if unicodedata.category(c) == "Cc")
    message = _refused_at(replace(ANA, first_name=text), "first_name")
    assert f"({character_name(control)}) at position {text.index(control) + 1}" in message


@pytest.mark.parametrize("text", [" Ana\n", "\tAna\t", "\r\nAna\r\n", "\u00a0Ana\u3000",
                                  "  Ana   Maria  "])
def test_white_space_around_a_single_line_text_is_trimmed(text):
    assert check_participant(replace(ANA, first_name=text), TODAY).first_name in (
        "Ana", "Ana Maria")


def test_position_counts_the_text_as_typed():
    message = _refused_at(replace(ANA, last_name="   Co\u202ehen"), "last_name")
    assert message.endswith("at position 6")


def test_multi_line_text_keeps_its_lines_and_names_the_line():
    assert text_problem("one\r\ntwo\n\tthree", "Notes", multiline=True) is None
    assert text_problem("one\ntwo \x1b[0m", "Notes", multiline=True) == (
        "Notes contains a control character (U+001B ESCAPE) at line 2, position 5")
    assert "line 3, position 1" in text_problem("a\nb\n\u202ec", "Notes", multiline=True)


def test_every_text_field_of_a_participant_is_checked():
    for f in dataclass_fields(ParticipantInput):
        if f.type == "str":
            message = _refused_at(replace(ANA, **{f.name: "Ok\x1bNot"}), f.name)
            assert "(U+001B ESCAPE) at position 3" in message, f.name


def test_a_text_field_without_a_rule_is_a_programming_error():
    @dataclass(frozen=True)
    class Form:
        name: str
        note: str = ""

    with pytest.raises(TypeError, match="no text rule for note"):
        check_texts(Form("Ana"), {"name": TextRule("Name")}, {})


# ---- phones and states -------------------------------------------------------------------------

@pytest.mark.parametrize("phone, words", [
    ("call 555 201 3344 after 5", "“c” at position 1 is not one of them"),
    ("555-CALL-NOW1", "“C” at position 5"),
    ("555 201 3344 (mobile)", "“m” at position 15"),
    ("555 201 3344 x", "“x” at position 14"),
    ("555#201#3344", "“#” at position 4"),
    ("٥٥٥ 201 3344", "“٥” (U+0665 ARABIC-INDIC DIGIT FIVE) at position 1"),
    ("555 201 334", "needs 10 digits"),
    ("555 201 3344 x1234567", "“x” at position 14"),                # 7-digit extension
    ("555\u202e201 3344", "U+202E RIGHT-TO-LEFT OVERRIDE"),
])
def test_a_phone_number_with_words_or_odd_characters_is_refused_not_stripped(phone, words):
    message = _refused_at(replace(ANA, phone=phone), "phone")
    assert message.startswith("Phone number ") and words in message
    assert words in _refused_at(replace(ANA, alt_phone=phone), "alt_phone")


@pytest.mark.parametrize("phone, stored", [
    ("555 201 3344", "(555) 201-3344"), ("+1 (555) 201-3344", "(555) 201-3344"),
    ("555.201.3344", "(555) 201-3344"), ("555–201–3344", "(555) 201-3344"),
    ("555/201-3344", "(555) 201-3344"), ("1-555-201-3344", "(555) 201-3344"),
    ("555-201-3344 x204", "(555) 201-3344 x204"), ("555 201 3344 ext. 12", "(555) 201-3344 x12"),
    ("555 201 3344 EXT 9", "(555) 201-3344 x9"), ("5552013344x7", "(555) 201-3344 x7"),
    ("555 201 3344 extension 42", "(555) 201-3344 x42"),
])
def test_a_phone_number_may_have_separators_and_an_extension(phone, stored):
    assert phone_problem(phone) is None
    checked = check_participant(replace(ANA, phone=phone), TODAY)
    assert format_phone(checked.phone) == stored
    assert phone_digits(stored) == "5552013344"


def test_a_fax_number_has_no_extension():
    assert "“x” at position 14" in phone_problem("555 201 3344 x12", "Fax number",
                                                 extension=False)


@pytest.mark.parametrize("state, stored", [("or", "OR"), ("OR", "OR"), ("DC", "DC"),
                                           ("PR", "PR"), ("vi", "VI"), ("AE", "AE")])
def test_real_state_codes_are_accepted(state, stored):
    assert check_participant(replace(ANA, state=state), TODAY).state == stored


@pytest.mark.parametrize("state, message", [
    ("ZZ", "ZZ is not a US state, territory or military (AA, AE, AP) abbreviation"),
    ("xx", "XX is not a US state, territory or military (AA, AE, AP) abbreviation"),
    ("UK", "UK is not a US state"), ("Oregon", "State is the two-letter abbreviation, e.g. OR"),
    ("O\u0301R", "State is the two-letter abbreviation"),
])
def test_made_up_state_codes_are_refused(state, message):
    assert message in _refused_at(replace(ANA, state=state), "state")


def test_the_state_list_is_the_usps_list():
    assert len(US_STATES) == 50 + 1 + 5 + 3 + 3
    assert {"OR", "DC", "PR", "VI", "GU", "AS", "MP", "AA", "AE", "AP"} <= US_STATES


def test_a_zip_code_is_ascii_digits():
    assert "ZIP code" in _refused_at(replace(ANA, postal_code="٩٧٢٠٥"), "postal_code")


# ---- the same rules, over the whole of Unicode -------------------------------------------------

ANY_CHARACTER = st.characters(exclude_categories=())        # surrogates included
FORBIDDEN = CONTROLS + BIDI + ["\u200e", "\u200f", "\u061c"] + [
    c for c in INVISIBLE if c not in "\u200c\u200d"] + NOT_CHARACTERS


def _named(message: str, text: str) -> str:
    """The character a message names, checked to be at the position it says."""
    match = re.search(r"U\+([0-9A-F]{4,6})\b.* at (?:line (\d+), )?position (\d+)", message)
    assert match, message
    named, line, position = chr(int(match[1], 16)), match[2], int(match[3])
    lines = text.split("\n") if line else [text]
    assert lines[int(line or 1) - 1][position - 1] == named, message
    return named


def _shown_plainly(text: str) -> bool:
    """No character a reader cannot see or that reorders text: the property of accepted text."""
    for i, c in enumerate(text):
        category = unicodedata.category(c)
        if category in ("Cc", "Co", "Cn", "Cs", "Zl", "Zp") or c in BIDI:
            return False
        if category == "Cf" and not (c in "\u200c\u200d" and 0 < i < len(text) - 1
                                     and not text[i - 1].isspace()
                                     and not text[i + 1].isspace()) \
                and not 0xE0020 <= ord(c) <= 0xE007F:
            return False
        if category[0] == "M" and (i == 0 or text[i - 1].isspace()):
            return False
    return not text or any(unicodedata.category(c)[0] in "LNPS" for c in text)


@settings(max_examples=1500, deadline=None)
@given(st.text(ANY_CHARACTER, max_size=24))
def test_any_text_is_either_shown_plainly_or_refused_naming_a_character_in_it(text):
    message = text_problem(text, "First name")
    if message is None:
        assert _shown_plainly(" ".join(text.split()))
    else:
        assert _named(message, text) in text


@settings(max_examples=800, deadline=None)
@given(st.sampled_from(WELCOME), st.sampled_from(FORBIDDEN), st.data())
def test_a_forbidden_character_anywhere_in_a_welcome_name_is_refused_by_name(name, bad, data):
    edges = bad not in "\t\n\r"         # around the text these are white space, trimmed
    at = data.draw(st.integers(0 if edges else 1, len(name) if edges else len(name) - 1))
    text = name[:at] + bad + name[at:]
    message = _refused_at(replace(ANA, last_name=text), "last_name")
    assert f"({character_name(bad)}" in message and f"position {at + 1}" in message


@settings(max_examples=500, deadline=None)
@given(st.text(ANY_CHARACTER, max_size=40))
def test_a_refused_participant_field_names_its_character(text):
    try:
        check_participant(replace(ANA, first_name="Ana" + text, city=text), TODAY)
    except ValidationError as refused:
        for field, value in (("first_name", "Ana" + text), ("city", text)):
            message = refused.fields.get(field, "")
            if "U+" in message:
                _named(message, value)
            elif message:
                assert "digits" in message or "longer than" in message, message
            assert message or _shown_plainly(" ".join(value.split()))


@pytest.mark.parametrize("referred, problem", [
    (date(2026, 11, 16), None), (None, None), (date(1990, 1, 1), None),
    (date(2026, 11, 17), "is in the future"), (date(1989, 12, 31), "before the date of birth")])
def test_a_referral_date_is_a_day_between_birth_and_today(referred, problem):
    data = ParticipantInput(first_name="Ana", last_name="Ruiz", date_of_birth=date(1990, 1, 1),
                            referral_date=referred)
    if problem is None:
        assert check_participant(data, date(2026, 11, 16)).referral_date == referred
    else:
        with pytest.raises(ValidationError) as refused:
            check_participant(data, date(2026, 11, 16))
        assert problem in refused.value.fields["referral_date"]
