"""domain/dsm_terms.py: the clinician's words in ICD-10-CM's — abbreviations spelled out, and the
DSM-5-TR substance use disorders as the codes DSM-5-TR gives them. (That every code named here
is a billable code of the real table: tests/services/test_diagnosis_search_terms.py.)"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopdesk.domain.dsm_terms import (ABBREVIATIONS, SUBSTANCE_WORDS, USE_DISORDERS,
                                      fold_words, typed_words, use_disorder_codes)


# ------------------------------------------------------------------ abbreviations
@pytest.mark.parametrize("typed, words", [
    ("PTSD", ["post", "traumatic", "stress", "disorder"]),
    ("ptsd", ["post", "traumatic", "stress", "disorder"]),
    ("GAD", ["generalized", "anxiety", "disorder"]),
    ("MDD, recurrent", ["major", "depressive", "disorder", "recurrent"]),
    ("ADHD", ["attention", "deficit", "hyperactivity", "disorder"]),
    ("OUD severe", ["opioid", "use", "disorder", "severe"]),
    ("aud; mild", ["alcohol", "use", "disorder", "mild"]),
    ("OCD", ["obsessive", "compulsive", "disorder"]),
])
def test_abbreviations_are_spelled_out(typed, words):
    assert typed_words(typed) == words


@pytest.mark.parametrize("typed", ["PTSDs", "gadget", "audit", "mudd", "OUDE", "add", "sud",
                                   "cud", "asd", "bpd"])
def test_only_whole_known_abbreviations_are_spelled_out(typed):
    assert typed_words(typed) == fold_words(typed) == [typed.lower()]


def test_every_abbreviation_is_one_folded_word_and_spells_out_words():
    for abbreviation, words in ABBREVIATIONS.items():
        assert fold_words(abbreviation) == [abbreviation]
        assert len(fold_words(words)) >= 2 and abbreviation not in fold_words(words)


def test_words_are_folded_and_split_at_anything_not_a_letter_or_digit():
    assert fold_words("Post-traumatic STRESS_disorder, Sézary (F43.10)") == [
        "post", "traumatic", "stress", "disorder", "sezary", "f43", "10"]
    assert fold_words("") == fold_words(" ,;- ") == []


# ------------------------------------------------------------ substance use disorders
@pytest.mark.parametrize("typed, codes", [
    # the required ones (issue 11 item 6)
    ("alcohol use disorder, moderate", ("F10.20",)),
    ("alcohol use disorder, mild", ("F10.10",)),
    ("OUD severe", ("F11.20",)),
    ("opioid use disorder severe", ("F11.20",)),
    # severity and remission: mild is abuse, moderate or severe dependence
    ("alcohol use disorder, severe", ("F10.20",)),
    ("alcohol use disorder, mild, in early remission", ("F10.11",)),
    ("alcohol use disorder, moderate, in sustained remission", ("F10.21",)),
    ("alcohol use disorder, severe, in early remission", ("F10.21",)),
    ("Alcohol use disorder in remission", ("F10.11", "F10.21")),
    ("alcohol use disorder", ("F10.10", "F10.20")),
    ("alcohol use", ("F10.10", "F10.20")),                      # "disorder" is optional
    ("severe opioid use disorder", ("F11.20",)),                # any order
    ("AUD moderate", ("F10.20",)),
    ("OUD, mild, in sustained remission", ("F11.11",)),
    # each substance
    ("cannabis use disorder, moderate", ("F12.20",)),
    ("cannabis use disorder, mild", ("F12.10",)),
    ("sedative, hypnotic, or anxiolytic use disorder, severe", ("F13.20",)),
    ("sedative use disorder mild", ("F13.10",)),
    ("benzodiazepine use disorder, moderate, in early remission", ("F13.21",)),
    ("cocaine use disorder, severe", ("F14.20",)),
    ("stimulant use disorder, mild", ("F15.10",)),
    ("amphetamine-type substance use disorder, moderate", ("F15.20",)),
    ("other stimulant use disorder, severe, in sustained remission", ("F15.21",)),
    ("other or unspecified stimulant use disorder, mild", ("F15.10",)),
    ("methamphetamine use disorder severe", ("F15.20",)),
    ("hallucinogen use disorder, mild", ("F16.10",)),
    ("other hallucinogen use disorder, moderate", ("F16.20",)),
    ("phencyclidine use disorder, mild, in early remission", ("F16.11",)),
    ("inhalant use disorder, severe", ("F18.20",)),
    ("inhalant use disorder, mild, in sustained remission", ("F18.11",)),
    ("other (or unknown) substance use disorder, mild", ("F19.10",)),
    ("unknown substance use disorder, severe", ("F19.20",)),
    # tobacco: DSM-5-TR codes mild Z72.0; ICD-10-CM lists mild under F17.200 too
    ("tobacco use disorder, mild", ("Z72.0", "F17.200")),
    ("tobacco use disorder, moderate", ("F17.200",)),
    ("tobacco use disorder, severe", ("F17.200",)),
    ("tobacco use disorder, severe, in sustained remission", ("F17.201",)),
    ("tobacco use disorder, mild, in early remission", ("F17.201",)),
    ("tobacco use disorder", ("Z72.0", "F17.200")),
    # two substances: each one's codes, in the order typed
    ("alcohol and cannabis use disorder, mild", ("F10.10", "F12.10")),
])
def test_a_dsm_substance_use_disorder_names_its_codes(typed, codes):
    assert use_disorder_codes(typed) == codes


@pytest.mark.parametrize("typed, codes", [
    ("alcohol use disorder, mod", ("F10.20",)),
    ("alcohol use disorder, m", ("F10.10", "F10.20")),       # mild or moderate
    ("alcohol use disorder, mi", ("F10.10",)),
    ("alcohol use disorder, moderate, in e", ("F10.21",)),   # early: in remission
    ("alcohol use disorder, s", ("F10.10", "F10.20")),       # severe or sustained: not yet
    ("alcohol use d", ("F10.10", "F10.20")),
    ("alcohol us", ("F10.10", "F10.20")),
    ("opioid use disorder se", ("F11.20",)),
    ("use disorder, mild, opi", ("F11.10",)),                 # the substance last
])
def test_the_last_word_may_be_unfinished(typed, codes):
    assert use_disorder_codes(typed) == codes


@pytest.mark.parametrize("typed", [
    "", "   ", ",;-", "alcohol", "alcohol dependence", "alcohol abuse", "opioid",
    "substance use disorder", "SUD", "use disorder, severe",       # no substance: too broad
    "alcohol use disorder with withdrawal", "alcohol use disorder, moderate, with",
    "opioid use disorder, on maintenance therapy", "alcohol u", "alcoholic use disorder",
    "alcohol use disorder, moderatex", "alcohol use disorder, z", "PTSD", "F10.20",
    "caffeine use disorder", "gambling disorder", "alc",
])
def test_other_words_name_no_substance_use_disorder(typed):
    assert use_disorder_codes(typed) == ()


def test_each_disorder_codes_its_severities_and_remission():
    for substance, disorder in USE_DISORDERS.items():
        if substance == "tobacco":
            continue
        category = disorder.mild[0][:3]
        assert (disorder.mild, disorder.moderate_or_severe, disorder.mild_in_remission,
                disorder.moderate_or_severe_in_remission) == (
            (f"{category}.10",), (f"{category}.20",), (f"{category}.11",),
            (f"{category}.21",)), substance
    assert [d.mild[0][:3] for s, d in USE_DISORDERS.items() if s != "tobacco"] == [
        "F10", "F11", "F12", "F13", "F14", "F15", "F16", "F18", "F19"]
    assert set(SUBSTANCE_WORDS.values()) == set(USE_DISORDERS) - {"other"}


def test_every_substance_word_names_its_disorder():
    for word, substance in SUBSTANCE_WORDS.items():
        assert use_disorder_codes(f"{word} use disorder, severe") == \
            USE_DISORDERS[substance].moderate_or_severe, word


@given(st.text(max_size=200))
def test_any_text_names_known_codes_or_none(text):
    known = {code for disorder in USE_DISORDERS.values() for code in disorder.all_codes()}
    codes = use_disorder_codes(text)
    assert set(codes) <= known and len(set(codes)) == len(codes)


@given(st.lists(st.sampled_from(["alcohol", "opioid", "use", "disorder", "mild", "moderate",
                                 "severe", "in", "early", "sustained", "remission", "OUD",
                                 "AUD", ",", "with", "x"]), max_size=10))
def test_word_salad_of_the_grammar_never_fails(words):
    assert isinstance(use_disorder_codes(" ".join(words)), tuple)


def test_a_very_long_text_is_answered_quickly():
    import time

    started = time.perf_counter()
    assert use_disorder_codes("alcohol " * 20_000 + "use disorder") == ("F10.10", "F10.20")
    assert use_disorder_codes("ü" * 100_000) == ()
    assert time.perf_counter() - started < 2
