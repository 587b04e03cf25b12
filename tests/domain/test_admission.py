"""domain/admission.py: which track fits a participant's age (adolescents are under 18,
adults 18 and over, on the admission date), and an episode entered in error (counted
nowhere, its reason required)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopdesk.domain.admission import (
    ADULT_AGE,
    REASON_LIMIT,
    AgeMismatch,
    CurrentEpisode,
    age_fits,
    age_group_of,
    age_mismatch,
    check_error_reason,
    counts,
    current_episode,
    current_of,
    fitting_track,
)
from iopdesk.domain.enums import AgeGroup, EpisodeStatus
from iopdesk.domain.errors import ValidationError

ADULT, TEEN = AgeGroup.ADULT, AgeGroup.ADOLESCENT
ON = date(2026, 11, 16)


@dataclass(frozen=True)
class _Track:
    id: int
    name: str
    age_group: AgeGroup


@dataclass(frozen=True)
class _Episode:
    id: int
    status: EpisodeStatus
    admission_date: date
    track_id: int = 1
    primary_clinician_id: int | None = None


TRACKS = (_Track(1, "Adolescent Mental Health IOP", TEEN),
          _Track(2, "Adult Substance Use IOP", ADULT),
          _Track(3, "Adult Mental Health IOP", ADULT))


# -- the age-fit rule -----------------------------------------------------------------------

@pytest.mark.parametrize("age, group", [(0, TEEN), (12, TEEN), (17, TEEN), (18, ADULT),
                                        (41, ADULT), (97, ADULT)])
def test_the_age_group_of_an_age(age, group):
    assert age_group_of(age) is group
    assert age_fits(group, age)
    assert not age_fits(ADULT if group is TEEN else TEEN, age)


def test_eighteen_is_the_line():
    assert ADULT_AGE == 18
    assert age_fits(TEEN, 17) and not age_fits(TEEN, 18)
    assert age_fits(ADULT, 18) and not age_fits(ADULT, 17)


def test_a_stored_value_fits_like_its_member():
    assert age_fits("adult", 41) and not age_fits("adolescent", 41)


@given(st.integers(min_value=0, max_value=120))
def test_every_age_fits_exactly_one_group(age):
    assert [g for g in AgeGroup if age_fits(g, age)] == [age_group_of(age)]


def test_a_mismatch_says_the_age_on_the_date_and_what_the_track_is_for():
    born = date(1985, 3, 2)
    reason = age_mismatch("Adolescent Mental Health IOP", TEEN, born, ON)
    assert reason == ("41 years old on 2026-11-16; Adolescent Mental Health IOP is an "
                      "adolescent track (under 18)")
    assert age_mismatch("Adult Substance Use IOP", ADULT, born, ON) is None
    young = age_mismatch("Adult Substance Use IOP", ADULT, date(2010, 6, 1), ON)
    assert young == ("16 years old on 2026-11-16; Adult Substance Use IOP is an adult "
                     "track (18 and over)")


def test_the_age_is_taken_on_the_admission_date():
    """Seventeen today, eighteen on the day of admission: the adult track fits then."""
    born = date(2008, 11, 20)
    assert age_mismatch("Adult IOP", ADULT, born, ON) is not None           # 17 today
    assert age_mismatch("Adult IOP", ADULT, born, date(2026, 11, 20)) is None  # 18 then
    assert age_mismatch("Teen IOP", TEEN, born, date(2026, 11, 20)) is not None


def test_a_date_before_the_birth_is_no_mismatch_of_age():
    assert age_mismatch("Adult IOP", ADULT, ON, ON - timedelta(days=1)) is None
    assert fitting_track(TRACKS, ON, ON - timedelta(days=1)) is None


@given(st.dates(min_value=date(1900, 1, 1), max_value=ON), st.sampled_from(list(AgeGroup)))
def test_a_mismatch_is_exactly_an_age_that_does_not_fit(born, group):
    from iopdesk.domain.clinical import age_on

    assert (age_mismatch("Track", group, born, ON) is None) == age_fits(group, age_on(born, ON))


def test_the_default_track_is_the_first_that_fits_the_age():
    assert fitting_track(TRACKS, date(1985, 3, 2), ON).id == 2      # 41: the first adult one
    assert fitting_track(TRACKS, date(2011, 1, 1), ON).id == 1      # 15: the adolescent one
    assert fitting_track(TRACKS[:1], date(1985, 3, 2), ON) is None  # none fits
    assert fitting_track((), date(1985, 3, 2), ON) is None


def test_an_unacknowledged_mismatch_is_a_validation_error_at_the_track():
    refused = AgeMismatch("41 years old on 2026-11-16; X is an adolescent track (under 18)",
                          {"admission_date": "too far ahead"})
    assert isinstance(refused, ValidationError)
    assert set(refused.fields) == {"track_id", "admission_date"}
    assert refused.reason in refused.fields["track_id"]
    assert "Admit anyway" in refused.fields["track_id"]


# -- entered in error -----------------------------------------------------------------------

def test_only_an_episode_entered_in_error_does_not_count():
    assert [s for s in EpisodeStatus if not counts(s)] == [EpisodeStatus.ENTERED_IN_ERROR]
    assert counts("active") and not counts("entered_in_error")


@pytest.mark.parametrize("reason", ["", "   ", "\n\t "])
def test_a_reason_is_required(reason):
    with pytest.raises(ValidationError) as refused:
        check_error_reason(reason)
    assert set(refused.value.fields) == {"reason"}


def test_a_reason_is_trimmed_and_bounded():
    assert check_error_reason("  Admitted to the wrong chart \n") == "Admitted to the wrong chart"
    assert check_error_reason("x" * REASON_LIMIT) == "x" * REASON_LIMIT
    with pytest.raises(ValidationError, match="at most"):
        check_error_reason("x" * (REASON_LIMIT + 1))


def test_the_current_episode_is_the_latest_that_counts():
    earlier = _Episode(1, EpisodeStatus.DISCHARGED, date(2026, 1, 5), track_id=7,
                       primary_clinician_id=3)
    wrong = _Episode(2, EpisodeStatus.ENTERED_IN_ERROR, date(2026, 11, 2), track_id=8,
                     primary_clinician_id=4)
    assert current_episode([earlier, wrong]) is earlier
    assert current_of([wrong, earlier]) == CurrentEpisode(EpisodeStatus.DISCHARGED, 7, 3)
    assert current_episode([wrong]) is None
    assert current_of([wrong]) == current_of([]) == CurrentEpisode(None, None, None)
    same_day = _Episode(3, EpisodeStatus.ACTIVE, date(2026, 1, 5), track_id=9)
    assert current_episode([same_day, earlier]) is same_day     # made later, same day
