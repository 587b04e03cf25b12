"""domain/icd10.py: the pure rules of looking up an ICD-10-CM code — keys and dots, what looks
like a code, how typed words become a search, the order of results, the heading message.
(tests/services/test_icd10.py covers the code table built from the library.)"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopdesk.domain.icd10 import (MAX_WORDS, IcdCode, code_key, dotted, fts_query,
                                  indexed_text, looks_like_code, not_billable_message,
                                  result_rank, search_order, search_words)


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
    ("PTSD", ["post", "traumatic", "stress", "disorder"]),
    ("gad and GAD", ["generalized", "anxiety", "disorder", "and"]),
    ("OUD severe", ["opioid", "use", "disorder", "severe"]),
    ("ptsdx gadget", ["ptsdx", "gadget"]),                  # whole words only
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


def _ranked(typed: str, codes: list[tuple[str, str]]) -> list[str]:
    words = search_words(typed)
    return [key for key, _ in sorted(codes, key=lambda c: result_rank(words, *c))]


def test_results_whose_description_has_every_word_come_first():
    codes = [("F1011", "Alcohol abuse, in remission"),          # "use" only in its terms
             ("F1090", "Alcohol use, unspecified, uncomplicated")]
    assert _ranked("alcohol use", codes) == ["F1090", "F1011"]
    # at the start of a word, not inside one: "use" is not in "abuse"
    assert _ranked("use", [("F1010", "Alcohol abuse"), ("F1190", "Opioid use")]) == [
        "F1190", "F1010"]


def test_general_codes_come_before_particular_ones():
    codes = [("F10120", "Alcohol abuse with intoxication, uncomplicated"),
             ("F1014", "Alcohol abuse with alcohol-induced mood disorder"),
             ("F1011", "Alcohol abuse, in remission"),
             ("F1010", "Alcohol abuse, uncomplicated")]
    assert _ranked("alcohol abuse", codes) == ["F1010", "F1011", "F1014", "F10120"]
    ptsd = [("F4311", "Post-traumatic stress disorder, acute"),
            ("F4312", "Post-traumatic stress disorder, chronic"),
            ("F4310", "Post-traumatic stress disorder, unspecified")]
    assert _ranked("PTSD", ptsd) == ["F4310", "F4311", "F4312"]
    # "unspecified" counts where it qualifies the code (after the last comma), not inside
    dementia = ("Unspecified dementia, mild, without behavioral disturbance, psychotic "
                "disturbance, mood disturbance, and anxiety")
    anxiety = [("F03A0", dementia),
               ("F411", "Generalized anxiety disorder"), ("F419", "Anxiety disorder, unspecified")]
    assert _ranked("anxiety", anxiety) == ["F419", "F411", "F03A0"]


def test_chapter_f_first_then_shorter_codes_and_descriptions_then_the_code():
    codes = [("Z1331", "Encounter for screening for depression"),
             ("F32A", "Depression, unspecified"), ("F530", "Postpartum depression")]
    assert _ranked("depression", codes) == ["F32A", "F530", "Z1331"]
    # a shorter code, then a shorter description, then the code
    same = [("F412", "x y"), ("F411", "x y"), ("F4110", "x"), ("F41", "x y z"), ("F413", "x")]
    assert _ranked("x", same) == ["F41", "F413", "F411", "F412", "F4110"]


@given(st.lists(st.text(max_size=12), max_size=5), st.text(max_size=10), st.text(max_size=80))
def test_any_description_can_be_ranked(words, key, description):
    assert isinstance(result_rank(words, key, description), tuple)


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
