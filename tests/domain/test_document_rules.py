"""domain/documents.py: the rules that decide what a printed document says — the 42 CFR part 2
statement chosen, a consent's state on a day (at each boundary), and ages on a day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopdesk.domain.documents import (PART2_NOTICE_FULL, PART2_NOTICE_SHORT, PART2_NOTICES,
                                      ConsentState, age_on, consent_state, part2_notice)

TODAY = date(2026, 11, 16)
DAY = timedelta(days=1)


# ---- the part 2 statement ---------------------------------------------------------------------

def test_the_practice_setting_picks_the_statement():
    assert part2_notice("short") == PART2_NOTICE_SHORT
    assert part2_notice("full") == PART2_NOTICE_FULL


@pytest.mark.parametrize("setting", ["", "Full", "long", "SHORT", "none"])
def test_an_unknown_setting_prints_the_short_statement(setting):
    assert part2_notice(setting) == PART2_NOTICE_SHORT


def test_the_statements_keep_the_regulation_s_wording():
    assert PART2_NOTICE_SHORT == (
        "42 CFR part 2 prohibits unauthorized use or disclosure of these records.")
    assert PART2_NOTICE_FULL.startswith("This record which has been disclosed to you is "
                                        "protected by Federal confidentiality rules")
    assert PART2_NOTICE_FULL.endswith("(see 42 CFR 2.31).")
    assert "  " not in PART2_NOTICE_FULL            # no doubled space from the line joins
    assert set(PART2_NOTICES) == {"short", "full"}


# ---- a consent's state ------------------------------------------------------------------------

@pytest.mark.parametrize("effective, expiry, state", [
    (TODAY, None, ConsentState.ACTIVE),                     # in force from its first day
    (TODAY - 400 * DAY, None, ConsentState.ACTIVE),          # no expiry: in force until revoked
    (TODAY + DAY, None, ConsentState.NOT_YET_EFFECTIVE),
    (TODAY - DAY, TODAY, ConsentState.ACTIVE),              # through its expiry date
    (TODAY - 10 * DAY, TODAY - DAY, ConsentState.EXPIRED),
    (TODAY, TODAY, ConsentState.ACTIVE),                    # a one-day consent, on its day
    (TODAY + DAY, TODAY - DAY, ConsentState.EXPIRED),       # dates backwards: expired wins
])
def test_a_consent_is_in_force_from_its_effective_date_through_its_expiry(effective, expiry,
                                                                          state):
    assert consent_state(effective, expiry, None, TODAY) is state


@pytest.mark.parametrize("revoked_on", [TODAY - 30 * DAY, TODAY, TODAY + 30 * DAY])
def test_a_recorded_revocation_counts_whatever_its_date(revoked_on):
    assert consent_state(TODAY - DAY, TODAY + DAY, revoked_on, TODAY) is ConsentState.REVOKED
    assert consent_state(TODAY + DAY, None, revoked_on, TODAY) is ConsentState.REVOKED
    assert consent_state(TODAY - 9 * DAY, TODAY - DAY, revoked_on, TODAY) is (
        ConsentState.REVOKED)


def test_consent_states_are_stored_by_their_value():
    assert {s.value for s in ConsentState} == {"active", "not_yet_effective", "expired",
                                               "revoked"}
    assert ConsentState("expired") is ConsentState.EXPIRED
    with pytest.raises(ValueError):
        ConsentState("lapsed")


@given(st.dates(), st.one_of(st.none(), st.dates()), st.dates())
def test_every_unrevoked_consent_has_exactly_one_state(effective, expiry, today):
    state = consent_state(effective, expiry, None, today)
    assert state is not ConsentState.REVOKED
    assert (state is ConsentState.ACTIVE) == (
        effective <= today and (expiry is None or today <= expiry))


# ---- ages -------------------------------------------------------------------------------------

@pytest.mark.parametrize("born, on, age", [
    (date(1990, 4, 17), date(2026, 4, 16), 35),             # the day before the birthday
    (date(1990, 4, 17), date(2026, 4, 17), 36),             # on the birthday
    (date(1990, 4, 17), date(1990, 4, 17), 0),              # the day of birth
    (date(2000, 2, 29), date(2001, 2, 28), 0),              # a 29 February birthday turns
    (date(2000, 2, 29), date(2001, 3, 1), 1),               # over on 1 March
    (date(2000, 2, 29), date(2004, 2, 29), 4),
    (date(2008, 12, 31), date(2026, 1, 1), 17),
])
def test_whole_years_from_birth(born, on, age):
    assert age_on(born, on) == age


@given(st.dates(max_value=date(9000, 1, 1)), st.integers(0, 200))
def test_an_age_never_goes_down_and_grows_by_one_a_year(born, days):
    on = born + timedelta(days=days)
    assert 0 <= age_on(born, on) <= age_on(born, on + DAY) <= age_on(born, on) + 1
