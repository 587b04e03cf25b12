"""domain/text.py on its own: naming a character, the limits of what a text may hold (at their
boundaries), single- and multi-line differences, cleaning, and `check_texts` over a form.
(tests/domain/test_validation.py drives the same rules through a participant's fields.)"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopdesk.domain.text import (MAX_MARKS, TEXT_MAX, TextRule, character_name, check_texts,
                                 clean_text, text_problem)


@dataclass(frozen=True)
class Form:
    name: str = ""
    note: str = ""
    count: int = 0              # not a text: no rule needed


RULES = {"name": TextRule("Name", required=True),
         "note": TextRule("Note", limit=20, multiline=True)}


# ---- naming a character -----------------------------------------------------------------------

@pytest.mark.parametrize("char, name", [
    ("\x00", "U+0000 NULL"),
    ("\x1f", "U+001F INFORMATION SEPARATOR ONE"),
    ("\x7f", "U+007F DELETE"),
    ("\x80", "U+0080 PADDING CHARACTER"),
    ("\x9f", "U+009F APPLICATION PROGRAM COMMAND"),
    ("\xa0", "U+00A0 NO-BREAK SPACE"),
    ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\ue000", "U+E000"),                        # private use: no name, no trailing space
    ("\U0001F33B", "U+1F33B SUNFLOWER"),         # beyond the BMP: five hex digits
])
def test_a_character_is_named_by_code_point_and_name(char, name):
    assert character_name(char) == name


# ---- what a text may hold ---------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "Ana", "O'Brien-Smith", "~!@#$%^&*()_+{}|:<>?", " ",
                                  "Zoë", "محمد", "👍🏽", "❤\ufe0f"])
def test_plain_text_has_no_problem(text):
    assert text_problem(text, "Name") is None


def test_combining_marks_are_allowed_up_to_the_limit_on_one_character():
    assert text_problem("a" + "\u0301" * MAX_MARKS, "Name") is None
    assert text_problem("a" + "\u0301" * (MAX_MARKS + 1), "Name") == (
        f"Name contains more than {MAX_MARKS} combining marks on one character "
        f"(U+0301 COMBINING ACUTE ACCENT) at position {MAX_MARKS + 2}")
    # the count starts again at every letter
    assert text_problem(("a" + "\u0301" * MAX_MARKS) * 3, "Name") is None


def test_a_variation_selector_alone_shows_nothing():
    assert text_problem("\ufe0f", "Name").startswith("Name has nothing visible")


def test_tabs_and_line_breaks_belong_to_multi_line_fields_only():
    assert text_problem("one\ttwo", "Name") == (
        "Name contains a tab (U+0009 CHARACTER TABULATION) at position 4")
    assert text_problem("one\ttwo\r\nthree", "Note", multiline=True) is None
    assert text_problem("one\ntwo", "Name").startswith("Name contains a line break")


def test_unicode_line_separators_are_refused_in_multi_line_fields_too():
    assert text_problem("one\u2028two", "Note", multiline=True) == (
        "Note contains a line separator other than Enter (U+2028 LINE SEPARATOR) "
        "at position 4")


def test_white_space_around_a_single_line_text_is_not_a_problem_but_inside_it_is():
    assert text_problem("\t\u00a0Ana\u3000\n", "Name") is None
    assert text_problem("Ana\nMaria", "Name") is not None


def test_a_multi_line_position_names_the_line_and_the_column():
    assert text_problem("first\nsecond\nth\u202eird", "Note", multiline=True).endswith(
        "at line 3, position 3")


@given(st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Cc",))))
def test_printable_ascii_is_never_a_problem(text):
    assert text_problem(text, "Name") is None


@given(st.text())
def test_a_problem_names_the_field_first(text):
    problem = text_problem(text, "Field label")
    assert problem is None or problem.startswith("Field label ")


# ---- cleaning ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, single, multi", [
    ("  Ana   Maria ", "Ana Maria", "Ana   Maria"),
    ("\tone\n\ntwo\n", "one two", "one\n\ntwo"),
    ("", "", ""),
    ("\u3000", "", ""),
])
def test_cleaning_folds_single_lines_and_only_trims_multi_line_text(text, single, multi):
    assert clean_text(text) == single
    assert clean_text(text, multiline=True) == multi


# ---- check_texts ------------------------------------------------------------------------------

def test_every_text_is_cleaned_and_other_fields_are_left_alone():
    errors: dict[str, str] = {}
    checked = check_texts(Form(name="  Ana  Maria ", note=" line\nline ", count=3), RULES,
                          errors)
    assert checked == Form(name="Ana Maria", note="line\nline", count=3) and errors == {}


def test_the_limit_counts_the_cleaned_text_and_is_inclusive():
    errors: dict[str, str] = {}
    check_texts(Form(name="A", note="x" * 20 + "   "), RULES, errors)
    assert errors == {}
    check_texts(Form(name="A", note="x" * 21), RULES, errors)
    assert errors == {"note": "Note is longer than 20 characters (21)"}


def test_the_default_limit_and_a_field_s_own_message():
    rules = {"name": TextRule("Name"), "note": TextRule("Note", limit=5, too_long="Too long")}
    errors: dict[str, str] = {}
    check_texts(Form(name="n" * TEXT_MAX, note="123456"), rules, errors)
    assert errors == {"note": "Too long"}
    check_texts(Form(name="n" * (TEXT_MAX + 1000)), rules, errors)
    assert errors["name"] == f"Name is longer than {TEXT_MAX} characters ({TEXT_MAX + 1000:,})"


def test_no_limit_leaves_the_length_to_another_check():
    errors: dict[str, str] = {}
    check_texts(Form(name="A", note="x" * 50_000), {**RULES, "note": TextRule("Note", None)},
                errors)
    assert errors == {}


def test_a_required_text_of_only_white_space_is_missing():
    errors: dict[str, str] = {}
    assert check_texts(Form(name=" \t "), RULES, errors).name == ""
    assert errors == {"name": "Name is required"}


def test_a_field_already_refused_keeps_its_message_and_is_still_cleaned():
    errors = {"name": "Name is taken"}
    checked = check_texts(Form(name=" Ana\x1b "), RULES, errors)
    assert errors == {"name": "Name is taken"}
    assert checked.name == "Ana\x1b"


def test_a_long_text_is_told_by_its_length_before_its_characters():
    errors: dict[str, str] = {}
    check_texts(Form(name="A", note="\x1b" * 30), RULES, errors)
    assert errors == {"note": "Note is longer than 20 characters (30)"}


def test_a_misleading_character_is_named_at_its_field():
    errors: dict[str, str] = {}
    check_texts(Form(name="Co\u202ehen"), RULES, errors)
    assert errors == {"name": "Name contains a text-direction control "
                              "(U+202E RIGHT-TO-LEFT OVERRIDE) at position 3"}


def test_every_text_field_needs_a_rule():
    with pytest.raises(TypeError, match="Form: no text rule for note"):
        check_texts(Form(), {"name": TextRule("Name")}, {})
