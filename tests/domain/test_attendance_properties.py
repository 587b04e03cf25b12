"""Properties of the attendance rules for any times and amounts: a credit stays within its
meeting, and attending more never makes a week look worse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from iopdesk.domain.attendance import (AttendancePolicy, WeekStatus, credited, still_possible,
                                       week_minimum, week_status)

BASE = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
# Offsets in seconds around a day, so times fall before, inside and after the meetings.
offsets = st.integers(min_value=-86_400, max_value=2 * 86_400)
maybe_offsets = st.none() | offsets
policies = st.builds(AttendancePolicy,
                     late_grace_minutes=st.integers(min_value=0, max_value=60),
                     no_checkout_credit=st.sampled_from(["to_end", "nothing"]))
minutes = st.integers(min_value=0, max_value=3_000)
RANK = {WeekStatus.NOT_MET: 0, WeekStatus.AT_RISK: 0, WeekStatus.ON_TRACK: 1, WeekStatus.MET: 2}


def at(seconds: int | None) -> datetime | None:
    return None if seconds is None else BASE + timedelta(seconds=seconds)


@given(start=offsets, length=st.integers(min_value=0, max_value=8 * 3_600),
       time_in=maybe_offsets, time_out=maybe_offsets, now=offsets, day_over=st.booleans(),
       policy=policies)
def test_credit_is_never_negative_nor_longer_than_the_meeting(start, length, time_in, time_out,
                                                              now, day_over, policy):
    begin = at(start)
    end = begin + timedelta(seconds=length)
    got = credited(begin, end, at(time_in), at(time_out), now=at(now), day_over=day_over,
                   policy=policy)
    assert 0 <= got.minutes <= length // 60
    assert not (got.here and got.no_checkout)
    if time_in is None:
        assert got.minutes == 0 and not (got.late or got.left_early or got.here)


@given(start=offsets, length=st.integers(min_value=60, max_value=8 * 3_600), time_in=offsets,
       first=offsets, later=st.integers(min_value=0, max_value=86_400), policy=policies)
def test_staying_longer_never_credits_less(start, length, time_in, first, later, policy):
    begin = at(start)
    end = begin + timedelta(seconds=length)

    def minutes_out(out: int) -> int:
        return credited(begin, end, at(time_in), at(out), now=at(out), day_over=True,
                        policy=policy).minutes

    assert minutes_out(first + later) >= minutes_out(first)


@given(got=minutes, more=minutes, minimum=minutes, possible=minutes, over=st.booleans())
def test_met_stays_met_when_credit_increases(got, more, minimum, possible, over):
    if week_status(got, minimum, possible, over) is WeekStatus.MET:
        assert week_status(got + more, minimum, possible, over) is WeekStatus.MET


@given(got=minutes, more=minutes, minimum=minutes, possible=minutes, over=st.booleans())
def test_attending_more_never_lowers_the_status(got, more, minimum, possible, over):
    before = week_status(got, minimum, possible, over)
    after = week_status(got + more, minimum, possible, over)
    assert RANK[after] >= RANK[before]


@given(minimum=minutes, scheduled=minutes, closed=st.integers(min_value=-3_000, max_value=3_000),
       policy=policies)
def test_week_minimum_is_between_zero_and_the_minimum(minimum, scheduled, closed, policy):
    # Not even a nonsensical negative closure may raise the minimum.
    assert 0 <= week_minimum(minimum, scheduled, closed, policy) <= minimum


@given(windows=st.lists(st.tuples(offsets, st.integers(min_value=0, max_value=8 * 3_600)),
                        max_size=6),
       now=offsets, later=st.integers(min_value=0, max_value=86_400))
def test_what_is_still_possible_only_shrinks_with_time(windows, now, later):
    meetings = [(at(s), at(s) + timedelta(seconds=n)) for s, n in windows]
    assert 0 <= still_possible(meetings, at(now + later)) <= still_possible(meetings, at(now))
