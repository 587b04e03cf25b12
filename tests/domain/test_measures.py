"""Measure scoring (DOMAIN.md, Measures; INSTRUMENTS.md): totals, every band boundary, the
PHQ-9 suicide-risk flag, and the answers refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopdesk.domain import measures
from iopdesk.domain.enums import Instrument
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.measures import SUICIDE_RISK, Score, band, check_items, score, total

PHQ9, GAD7, AUDITC, DAST10 = (Instrument.PHQ9, Instrument.GAD7, Instrument.AUDITC,
                              Instrument.DAST10)


def answers(points: int, count: int, top: int) -> list[int]:
    """`count` answers of at most `top` adding up to `points`, the first items filled first."""
    items = []
    for _ in range(count):
        items.append(min(top, points))
        points -= items[-1]
    assert points == 0
    return items


PHQ9_BANDS = [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
              (14, "moderate"), (15, "moderately severe"), (19, "moderately severe"),
              (20, "severe"), (27, "severe")]
GAD7_BANDS = [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
              (14, "moderate"), (15, "severe"), (21, "severe")]
DAST10_BANDS = [(0, "none"), (1, "low"), (2, "low"), (3, "moderate"), (5, "moderate"),
                (6, "substantial"), (8, "substantial"), (9, "severe"), (10, "severe")]


@pytest.mark.parametrize("points, name", PHQ9_BANDS)
def test_phq9_bands_at_every_boundary(points, name):
    items = answers(points, 8, 3) + [0] if points <= 24 else answers(points, 9, 3)
    assert band(PHQ9, points) == name
    assert score(PHQ9, items).total == points
    assert score(PHQ9, items).band == name


@pytest.mark.parametrize("points, name", GAD7_BANDS)
def test_gad7_bands_at_every_boundary(points, name):
    assert band(GAD7, points) == name
    assert score(GAD7, answers(points, 7, 3)) == Score(points, name, ())


@pytest.mark.parametrize("points, name", DAST10_BANDS)
def test_dast10_bands_at_every_boundary(points, name):
    assert band(DAST10, points) == name


@pytest.mark.parametrize("points, woman, man", [
    (0, "negative screen", "negative screen"), (2, "negative screen", "negative screen"),
    (3, "positive screen", "negative screen"), (4, "positive screen", "positive screen"),
    (12, "positive screen", "positive screen"),
])
def test_auditc_screens_women_from_3_and_men_from_4(points, woman, man):
    assert band(AUDITC, points, female=True) == woman
    assert band(AUDITC, points) == band(AUDITC, points, female=False) == man
    assert score(AUDITC, answers(points, 3, 4), female=True).band == woman


def test_the_instrument_may_be_named_by_its_stored_value():
    assert band("phq9", 12) == band(PHQ9, 12) == "moderate"
    assert total("gad7", [3] * 7) == 21


def test_dast10_item_3_scores_for_no():
    yes_to_all = [1] * 10
    assert total(DAST10, yes_to_all) == 9                  # item 3 "able to stop": Yes, 0
    assert total(DAST10, [0] * 10) == 1                    # item 3 No scores its point
    assert total(DAST10, [1, 1, 0, 1, 1, 1, 1, 1, 1, 1]) == 10
    assert total(DAST10, [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]) == 0
    assert score(DAST10, [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]).band == "none"


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item_9_above_0_flags_suicide_risk_at_any_total(item9):
    items = [0] * 8 + [item9]
    result = score(PHQ9, items)
    assert result.flags == (SUICIDE_RISK,) and result.band == "minimal"
    assert measures.suicide_item_positive(items)


def test_no_flag_without_item_9():
    assert score(PHQ9, [3] * 8 + [0]).flags == ()
    assert not measures.suicide_item_positive([3] * 8 + [0])
    assert score(GAD7, [3] * 7).flags == ()       # only the PHQ-9 has a suicide item


@pytest.mark.parametrize("instrument, items", [
    (PHQ9, [0] * 8), (PHQ9, [0] * 10), (PHQ9, []), (GAD7, [0] * 9), (GAD7, [0] * 6),
    (AUDITC, [0] * 4), (DAST10, [0] * 9),
])
def test_the_wrong_number_of_answers_is_refused(instrument, items):
    with pytest.raises(ValidationError) as error:
        score(instrument, items)
    assert "items" in error.value.fields and str(len(items)) in error.value.fields["items"]


@pytest.mark.parametrize("instrument, bad", [
    (PHQ9, 4), (PHQ9, -1), (GAD7, 4), (AUDITC, 5), (DAST10, 2), (PHQ9, 1.5), (PHQ9, "2"),
    (PHQ9, True),
])
def test_an_answer_out_of_range_or_not_a_whole_number_is_refused(instrument, bad):
    items = check_items(instrument, [0] * measures.scale(instrument).items)
    items[1] = bad
    with pytest.raises(ValidationError) as error:
        total(instrument, items)
    assert "item 2 " in error.value.fields["items"]


@pytest.mark.parametrize("instrument", [PHQ9, GAD7, AUDITC, DAST10])
def test_missing_answers_are_refused(instrument):
    count = measures.scale(instrument).items
    with pytest.raises(ValidationError, match="needs its"):
        score(instrument, None)
    with pytest.raises(ValidationError, match="needs its"):
        score(instrument, "0" * count)
    with pytest.raises(ValidationError, match="item 1 is not answered"):
        score(instrument, [None] + [0] * (count - 1))


@pytest.mark.parametrize("instrument, bad", [
    (PHQ9, 28), (PHQ9, -1), (GAD7, 22), (AUDITC, 13), (DAST10, 11), (PHQ9, None), (PHQ9, 2.0),
    (GAD7, False),
])
def test_a_total_off_the_scale_has_no_band(instrument, bad):
    with pytest.raises(ValidationError) as error:
        band(instrument, bad)
    assert "total" in error.value.fields


@pytest.mark.parametrize("instrument", ["bam", Instrument.BAM, "phq-9", ""])
def test_instruments_without_a_total_are_not_scored(instrument):
    with pytest.raises(ValueError, match="no total score"):
        score(instrument, [0] * 9)


@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_phq9_total_is_the_sum_and_the_band_follows_it(items):
    result = score(PHQ9, items)
    assert result.total == sum(items)
    assert result.band == band(PHQ9, sum(items))
    assert result.flags == ((SUICIDE_RISK,) if items[8] else ())


@given(st.integers(0, 20))
def test_bands_never_go_down_as_the_total_rises(points):
    order = [name for _, name in measures.SCALES[GAD7].bands]
    assert order.index(band(GAD7, points)) <= order.index(band(GAD7, points + 1))
