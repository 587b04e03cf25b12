"""domain/icd10.py: the pure rules of looking up an ICD-10-CM code — keys and dots, what looks
like a code, how typed words become a search, the order of results, the heading message.
(tests/services/test_icd10.py covers the code table built from the library.)"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopdesk.domain.icd10 import (MAX_WORDS, IcdCode, code_key, dotted, fts_query,
                                  indexed_text, looks_like_code, not_billable_message,
                                  search_order, search_words)


@pytest.mark.parametrize("typed, key", [
    ("F10.20", "F1020"), (" f10.20 ", "F1020"), ("f 10 . 2 0", "F1020"), ("F10", "F10"),
    ("", ""),
])
def test_the_key_of_a_code_is_upper_case_without_dot_or_spaces(typed, key):
    assert code_key(typed) == key


@pytest.mark.parametrize("key, shown", [
    ("F1020", "F10.20"), ("f10.20", "F10.20"), ("F10", "F10"), ("F1", "F1"), ("", ""),
    ("F102", "F10.2"), ("T401X1A", "T40.1X1A"), ("F32A", "F32.A"),
])
def test_the_dot_goes_after_the_third_character(key, shown):
    assert dotted(key) == shown


@given(st.from_regex(r"[A-Z][0-9][0-9A-Z]{1,5}", fullmatch=True))
def test_dotted_and_code_key_undo_each_other(key):
    assert code_key(dotted(key)) == key
    assert dotted(dotted(key)) == dotted(key)


@pytest.mark.parametrize("text", ["F1", "F10", "f10.2", "F1020", " F10.20 ", "T40.1X1A",
                                  "T401X1A", "F32.A", "F10."])
def test_what_can_only_be_a_code(text):
    assert looks_like_code(text)


@pytest.mark.parametrize("text", ["", "F", "10.2", "FF10", "F10.20.1", "F10..2", "T401X1AB",
                                  "alcohol", "F10 20", "1F10"])
def test_what_is_not_a_code(text):
    assert not looks_like_code(text)


@pytest.mark.parametrize("typed, words", [
    ("Alcohol-dependence, ALCOHOL; Sézary", ["alcohol", "dependence", "sezary"]),
    ("PTSD", ["post", "traumatic", "stress"]),
    ("gad and GAD", ["generalized", "anxiety", "and"]),
    ("snake_case", ["snake", "case"]),
    ("", []), ("  ,;-  ", []),
])
def test_typed_words_become_folded_words_once_each(typed, words):
    assert search_words(typed) == words


def test_a_long_paste_searches_its_first_words_only():
    typed = " ".join(f"word{n}" for n in range(MAX_WORDS + 5))
    assert search_words(typed) == [f"word{n}" for n in range(MAX_WORDS)]


def test_every_word_must_match_as_a_prefix_and_quotes_are_escaped():
    assert fts_query(["alcohol", "dep"]) == '"alcohol"* "dep"*'
    assert fts_query(['say"what']) == '"say""what"*'
    assert fts_query([]) == ""


def test_a_code_is_found_by_its_description_and_terms_folded():
    assert indexed_text("Alcohol dependence, uncomplicated", ("Alcohol use disorder",)) == (
        "alcohol dependence, uncomplicated alcohol use disorder")
    assert indexed_text("Sézary disease") == "sezary disease"


def test_billable_codes_of_chapter_f_with_short_descriptions_come_first():
    codes = [("C8410", "Sézary disease", True), ("F10", "Alcohol related disorders", False),
             ("F1020", "Alcohol dependence, uncomplicated", True),
             ("F411", "Generalized anxiety disorder", True), ("F32A", "Depression", True)]
    ordered = sorted(codes, key=lambda c: search_order(*c))
    assert [c[0] for c in ordered] == ["F32A", "F411", "F1020", "C8410", "F10"]
    # same length: by code
    assert search_order("F411", "x", True) < search_order("F412", "x", True)


def test_the_label_is_the_code_then_its_description():
    assert IcdCode("F10.20", "Alcohol dependence, uncomplicated").label == (
        "F10.20 Alcohol dependence, uncomplicated")
    assert IcdCode("F10", "Alcohol related disorders", billable=False).billable is False


def test_a_heading_names_a_billable_code_to_choose_instead():
    heading = IcdCode("F10.2", "Alcohol dependence", billable=False)
    example = IcdCode("F10.20", "Alcohol dependence, uncomplicated")
    start = "F10.2 (Alcohol dependence) is a heading, not a billable code"
    assert not_billable_message(heading, None, 0) == start
    assert not_billable_message(heading, example, 1) == (
        f"{start}: choose a more specific code such as F10.20 Alcohol dependence, "
        "uncomplicated")
    assert not_billable_message(heading, example, 12).endswith(
        " — 12 billable codes start with F10.2")
