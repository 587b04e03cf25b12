"""domain/clinical.py: the intake assessment's rules — what a draft may hold (text limits,
the date, ASAM dimensions and ratings at their boundaries, the level of care), what signing
needs, the signed content — and the small rules of the read models (ages, active, tabs)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopdesk.domain.clinical import (ALL_TABS, ASAM_DIMENSIONS, ASAM_RATING_MAX, CLINICAL_TABS,
                                     FRONT_DESK_TABS, INTAKE_TEXT_FIELDS, LEVEL_NAMES,
                                     TEXT_LIMIT, AsamRating, Diagnosis, Intake, IntakeInput,
                                     age_on, check_intake, check_signable, intake_content)
from iopdesk.domain.enums import LevelOfCare, NoteStatus
from iopdesk.domain.errors import ValidationError

TODAY = date(2026, 11, 16)
RATED = {n: AsamRating(rating=n % (ASAM_RATING_MAX + 1), note=f"note {n}")
         for n in ASAM_DIMENSIONS}
COMPLETE = IntakeInput(assessed_on=date(2026, 11, 2), presenting_problem="Drinking daily",
                       risk_screening="C-SSRS negative", asam=RATED,
                       recommended_level=LevelOfCare.IOP)


def refused(data: IntakeInput) -> dict[str, str]:
    with pytest.raises(ValidationError) as error:
        check_intake(data, TODAY)
    return error.value.fields


# ---- a draft ----------------------------------------------------------------------------------

def test_an_empty_draft_is_valid_dated_today_with_six_open_dimensions():
    checked = check_intake(IntakeInput(), TODAY)
    assert checked.assessed_on == TODAY
    assert sorted(checked.asam) == [1, 2, 3, 4, 5, 6]
    assert all(r == AsamRating() for r in checked.asam.values())
    assert checked.recommended_level is None


def test_text_is_kept_exactly_as_typed_up_to_the_limit():
    start = "  Line one\n\tline two 🌻 محمد  "
    text = start + "x" * (TEXT_LIMIT - len(start))
    assert len(text) == TEXT_LIMIT
    assert check_intake(IntakeInput(medications=text), TODAY).medications == text


@pytest.mark.parametrize("field", list(INTAKE_TEXT_FIELDS))
def test_one_character_over_the_limit_is_refused_at_its_field(field):
    errors = refused(replace(IntakeInput(), **{field: "x" * (TEXT_LIMIT + 1)}))
    assert errors == {field: f"{INTAKE_TEXT_FIELDS[field]} is {TEXT_LIMIT + 1:,} characters "
                             f"long; the limit is {TEXT_LIMIT:,}"}


def test_text_that_is_not_text_is_refused():
    assert refused(IntakeInput(presenting_problem=None)) == {
        "presenting_problem": "Presenting problem must be text"}


def test_the_assessment_date_may_be_today_but_not_tomorrow():
    assert check_intake(IntakeInput(assessed_on=TODAY), TODAY).assessed_on == TODAY
    assert refused(IntakeInput(assessed_on=TODAY + timedelta(days=1))) == {
        "assessed_on": "Assessment date 2026-11-17 is in the future"}
    assert refused(IntakeInput(assessed_on="2026-11-01")) == {
        "assessed_on": "Assessment date must be a date"}


@pytest.mark.parametrize("rating", [None, 0, ASAM_RATING_MAX])
def test_a_rating_may_be_open_or_from_0_to_4(rating):
    checked = check_intake(IntakeInput(asam={3: AsamRating(rating=rating)}), TODAY)
    assert checked.asam[3].rating == rating


@pytest.mark.parametrize("rating", [-1, ASAM_RATING_MAX + 1, True, False, 2.0, "2"])
def test_a_rating_outside_0_to_4_or_not_a_whole_number_is_refused(rating):
    assert refused(IntakeInput(asam={3: AsamRating(rating=rating)})) == {
        "asam_3": f"Dimension 3 is rated 0–4 (got {rating!r})"}


def test_dimensions_may_be_given_by_number_or_by_digits():
    checked = check_intake(IntakeInput(asam={"1": AsamRating(1), " 2 ": AsamRating(2),
                                             6: AsamRating(4)}), TODAY)
    assert [checked.asam[n].rating for n in ASAM_DIMENSIONS] == [1, 2, None, None, None, 4]


@pytest.mark.parametrize("key", [0, 7, -1, "seven", True, 1.0, None])
def test_a_dimension_that_is_not_1_to_6_is_refused(key):
    errors = refused(IntakeInput(asam={key: AsamRating(1)}))
    assert errors == {"asam": f"ASAM dimensions are numbered 1–6 (got {key})"}


@pytest.mark.parametrize("key", ["²", "3²", "٣"])
def test_a_dimension_in_superscript_digits_is_refused(key):
    assert "asam" in refused(IntakeInput(asam={key: AsamRating(1)}))


def test_a_dimension_needs_a_rating_object_and_a_note_within_the_limit():
    assert refused(IntakeInput(asam={2: 3})) == {
        "asam_2": "Dimension 2 needs a rating and a note"}
    assert check_intake(IntakeInput(asam={2: AsamRating(1, "n" * TEXT_LIMIT)}), TODAY)
    assert refused(IntakeInput(asam={2: AsamRating(1, "n" * (TEXT_LIMIT + 1))})) == {
        "asam_2": f"The note of dimension 2 is longer than {TEXT_LIMIT:,} characters"}


@pytest.mark.parametrize("given_level, level", [
    (None, None), ("", None), ("2.1", LevelOfCare.IOP), (LevelOfCare.PHP, LevelOfCare.PHP),
    ("1", LevelOfCare.OUTPATIENT),
])
def test_the_recommended_level_becomes_a_level_of_care(given_level, level):
    assert check_intake(IntakeInput(recommended_level=given_level), TODAY).recommended_level \
        is level


@pytest.mark.parametrize("level", ["3.7", "IOP", "2", 2.1])
def test_an_unknown_level_is_refused_naming_the_levels(level):
    assert refused(IntakeInput(recommended_level=level)) == {
        "recommended_level": "Recommended level of care is one of 1, 2.1, 2.5"}


def test_every_bad_field_is_named_at_once():
    errors = refused(IntakeInput(assessed_on=TODAY + timedelta(days=3),
                                 risk_screening="r" * (TEXT_LIMIT + 1),
                                 asam={1: AsamRating(9), 8: AsamRating(1)},
                                 recommended_level="9"))
    assert set(errors) == {"assessed_on", "risk_screening", "asam", "asam_1",
                           "recommended_level"}


@given(st.dictionaries(st.one_of(st.integers(-2, 9), st.text(st.characters(codec="ascii"),
                                                               max_size=3)),
                       st.builds(AsamRating, st.one_of(st.none(), st.integers(-2, 6))),
                       max_size=8))
def test_any_asam_map_is_either_accepted_whole_or_refused_by_field(asam):
    try:
        checked = check_intake(IntakeInput(asam=asam), TODAY)
    except ValidationError as error:
        assert set(error.fields) <= {"asam"} | {f"asam_{n}" for n in ASAM_DIMENSIONS}
    else:
        assert sorted(checked.asam) == list(ASAM_DIMENSIONS)
        assert all(r.rating is None or 0 <= r.rating <= ASAM_RATING_MAX
                   for r in checked.asam.values())


# ---- signing ----------------------------------------------------------------------------------

def test_a_complete_intake_may_be_signed():
    assert check_signable(check_intake(COMPLETE, TODAY)) is None


def test_signing_needs_the_problem_the_risk_screening_every_rating_and_a_level():
    with pytest.raises(ValidationError) as error:
        check_signable(check_intake(IntakeInput(presenting_problem="  \n "), TODAY))
    assert set(error.value.fields) == {"presenting_problem", "risk_screening",
                                       "recommended_level",
                                       *(f"asam_{n}" for n in ASAM_DIMENSIONS)}
    assert error.value.fields["asam_4"] == "Dimension 4 (Readiness to change) needs a rating " \
                                           "to sign"


def test_one_open_rating_is_enough_to_refuse_a_signature():
    asam = {**RATED, 5: AsamRating(None, "not asked yet")}
    with pytest.raises(ValidationError) as error:
        check_signable(check_intake(replace(COMPLETE, asam=asam), TODAY))
    assert list(error.value.fields) == ["asam_5"]


def test_a_zero_rating_counts_as_rated():
    asam = {n: AsamRating(0) for n in ASAM_DIMENSIONS}
    assert check_signable(check_intake(replace(COMPLETE, asam=asam), TODAY)) is None


def test_the_signed_content_is_json_with_sorted_dimensions():
    content = intake_content(41, check_intake(COMPLETE, TODAY))
    assert content["episode_id"] == 41 and content["assessed_on"] == "2026-11-02"
    assert list(content["asam"]) == ["1", "2", "3", "4", "5", "6"]
    assert content["asam"]["3"] == {"rating": 3, "note": "note 3"}
    assert content["recommended_level"] == "2.1"
    assert set(INTAKE_TEXT_FIELDS) <= set(content)
    assert json.loads(json.dumps(content, ensure_ascii=False)) == content


def test_the_signed_content_of_an_empty_draft_has_no_date_or_level():
    content = intake_content(1, IntakeInput())
    assert content["assessed_on"] is None and content["recommended_level"] is None
    assert content["asam"] == {}


def test_the_same_input_gives_the_same_content_whatever_the_order_of_dimensions():
    shuffled = dict(reversed(list(RATED.items())))
    assert intake_content(1, replace(COMPLETE, asam=shuffled)) == intake_content(1, COMPLETE)


# ---- read models ------------------------------------------------------------------------------

def _intake(status: NoteStatus) -> Intake:
    checked = check_intake(COMPLETE, TODAY)
    return Intake(id=1, episode_id=2, participant_id=3, clinician_id=4, clinician_name="Dana",
                  assessed_on=checked.assessed_on, asam=checked.asam,
                  recommended_level=checked.recommended_level, status=status, signed_at=None,
                  signed_by="", content_hash="", updated_at=datetime(2026, 11, 2, tzinfo=UTC),
                  version=1, **{f: getattr(checked, f) for f in INTAKE_TEXT_FIELDS})


def test_an_intake_is_signed_unless_a_draft_and_gives_back_its_form():
    assert not _intake(NoteStatus.DRAFT).signed
    assert _intake(NoteStatus.SIGNED).signed and _intake(NoteStatus.COSIGNED).signed
    assert _intake(NoteStatus.DRAFT).as_input() == check_intake(COMPLETE, TODAY)


def test_a_diagnosis_is_active_until_resolved():
    dx = Diagnosis(id=1, episode_id=1, icd10_code="F10.20", description="Alcohol dependence",
                   is_primary=True, onset_date=None, resolved_date=None, added_by_name="Dana",
                   added_at=datetime(2026, 11, 2, tzinfo=UTC), version=1)
    assert dx.active
    assert not replace(dx, resolved_date=TODAY).active


@pytest.mark.parametrize("born, day, age", [
    (date(1990, 11, 17), TODAY, 35), (date(1990, 11, 16), TODAY, 36),
    (date(2008, 2, 29), date(2026, 2, 28), 17), (date(2008, 2, 29), date(2026, 3, 1), 18),
])
def test_age_on_a_day(born, day, age):
    assert age_on(born, day) == age


def test_the_tabs_and_levels_cover_everything_once():
    assert ALL_TABS == FRONT_DESK_TABS + CLINICAL_TABS
    assert len(set(ALL_TABS)) == len(ALL_TABS)
    assert set(LEVEL_NAMES) == set(LevelOfCare)
    assert sorted(ASAM_DIMENSIONS) == [1, 2, 3, 4, 5, 6]
