"""domain/names.py: search keys (the same fold in SQL and Python), the prefix bound of a
search, how a person is listed, and digits out of a phone number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopdesk.domain.names import digits_only, list_name, prefix_upper_bound, search_key


@pytest.mark.parametrize("text, key", [
    ("Nguyễn Łucja", "nguyen lucja"),
    ("ØSTERGAARD", "ostergaard"),
    ("Đặng", "dang"), ("Ðórr", "dorr"), ("Þór", "thor"), ("Ægir", "aegir"),
    ("Œuvre", "oeuvre"), ("Straße", "strasse"), ("Kırmızı", "kirmizi"), ("Ħamrun", "hamrun"),
    ("ﬁona", "fiona"),                         # a ligature decomposes (NFKD)
    ("", ""), ("   ", ""), ("\t Thị \n Lan  ", "thi lan"),
])
def test_search_keys_fold_case_accents_and_space(text, key):
    assert search_key(text) == key


def test_a_composed_and_a_decomposed_letter_give_the_same_key():
    assert search_key("Zo\u00eb") == search_key("Zoe\u0308") == "zoe"


def test_scripts_without_case_or_accents_are_kept():
    assert search_key("王小明") == "王小明"
    assert search_key("محمد") == "محمد"


@given(st.text())
def test_a_search_key_is_its_own_key(text):
    key = search_key(text)
    assert search_key(key) == key
    assert key == key.strip() and "  " not in key


@given(st.text(min_size=1), st.text(st.characters(max_codepoint=0x10FFFE)))
def test_every_key_starting_with_a_prefix_sorts_below_its_bound(prefix, rest):
    """(U+10FFFF is a noncharacter: no text a search key comes from holds it.)"""
    bound = prefix_upper_bound(prefix)
    assert prefix <= prefix + rest < bound


def test_the_bound_of_an_empty_prefix_is_above_ordinary_text():
    assert "zzzz" < prefix_upper_bound("") and "王" < prefix_upper_bound("")


@pytest.mark.parametrize("last, first, preferred, shown", [
    ("Nguyễn", "Lan Thị", "Lan", "Nguyễn, Lan Thị (Lan)"),
    ("Nguyễn", "Lan", "Lan", "Nguyễn, Lan"),          # the same as the first name: not repeated
    ("Nguyễn", "Lan", "", "Nguyễn, Lan"),
    ("", "", "", ", "),
])
def test_a_person_is_listed_last_name_first(last, first, preferred, shown):
    assert list_name(last, first, preferred) == shown


@pytest.mark.parametrize("text, digits", [
    ("(503) 555-0142 x12", "503555014212"), ("", ""), ("no digits", ""),
    ("٥٥٥", "٥٥٥"),                               # Unicode digits count as digits here
])
def test_digits_only_keeps_the_digits_in_order(text, digits):
    assert digits_only(text) == digits
