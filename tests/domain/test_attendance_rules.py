"""The attendance rules, rule by rule with their edges: credit of a meeting, late and left early,
no check-out, week minimum and status, per-diem units and authorization warnings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from iopdesk.domain.accounts import PracticeSettings
from iopdesk.domain.attendance import (AttendancePolicy, AuthorizationWarning, Credit,
                                       WeekStatus, authorization_warnings, credited, status_of,
                                       still_possible, units_used, week_days, week_minimum,
                                       week_start_of, week_status)
from iopdesk.domain.enums import AttendanceStatus

POLICY = AttendancePolicy()
START = datetime(2026, 11, 16, 18, 0, tzinfo=UTC)     # a Monday evening group, 3 hours
END = datetime(2026, 11, 16, 21, 0, tzinfo=UTC)
LENGTH = 180


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, 16, hour, minute, second, tzinfo=UTC)


def credit(time_in, time_out, *, now=None, day_over=True, policy=POLICY) -> Credit:
    return credited(START, END, time_in, time_out, now=now or at(23, 59), day_over=day_over,
                    policy=policy)


# ---- credit of one meeting ------------------------------------------------------------------

def test_no_time_in_credits_nothing_and_flags_nothing():
    assert credit(None, None) == Credit(0, False, False, False, False)
    assert credit(None, at(20)) == Credit(0, False, False, False, False)


def test_whole_meeting_is_present():
    got = credit(START, END)
    assert got == Credit(LENGTH, False, False, False, False)
    assert status_of(got) is AttendanceStatus.PRESENT


def test_arrival_exactly_at_grace_is_not_late():
    got = credit(at(18, 10), END)
    assert not got.late
    assert got.minutes == LENGTH - 10
    assert status_of(got) is AttendanceStatus.PRESENT


def test_arrival_one_minute_after_grace_is_late():
    got = credit(at(18, 11), END)
    assert got.late
    assert got.minutes == LENGTH - 11
    assert status_of(got) is AttendanceStatus.LATE


def test_arrival_one_second_after_grace_is_late():
    assert credit(at(18, 10, 1), END).late


def test_grace_follows_the_policy():
    strict = AttendancePolicy(late_grace_minutes=0)
    assert credit(at(18, 0, 1), END, policy=strict).late
    assert not credit(at(18, 0), END, policy=strict).late
    assert not credit(at(18, 25), END, policy=AttendancePolicy(late_grace_minutes=30)).late


def test_departure_exactly_at_grace_before_end_is_not_left_early():
    got = credit(START, at(20, 50))
    assert not got.left_early
    assert got.minutes == LENGTH - 10
    assert status_of(got) is AttendanceStatus.PRESENT


def test_departure_one_minute_before_grace_is_left_early():
    got = credit(START, at(20, 49))
    assert got.left_early
    assert got.minutes == LENGTH - 11
    assert status_of(got) is AttendanceStatus.LEFT_EARLY


def test_late_and_left_early_records_late():
    got = credit(at(18, 30), at(20, 0))
    assert got.late and got.left_early
    assert got.minutes == 90
    assert status_of(got) is AttendanceStatus.LATE


def test_check_in_before_the_start_credits_from_the_start():
    got = credit(at(17, 30), END)
    assert got.minutes == LENGTH
    assert not got.late


def test_check_out_after_the_end_credits_up_to_the_end():
    got = credit(START, at(22, 15))
    assert got.minutes == LENGTH
    assert not got.left_early


def test_time_in_after_the_end_credits_nothing():
    got = credit(at(21, 30), at(22, 0))
    assert got.minutes == 0
    assert got.late


def test_time_in_exactly_at_the_end_credits_nothing():
    assert credit(END, at(21, 5)).minutes == 0


def test_time_out_before_the_start_credits_nothing():
    got = credit(at(17, 0), at(17, 45))
    assert got.minutes == 0
    assert got.left_early


def test_partial_minutes_are_floored():
    assert credit(START, at(18, 30, 59)).minutes == 30
    assert credit(at(18, 0, 1), at(18, 31)).minutes == 30


def test_no_check_out_while_day_not_over_counts_up_to_now_and_is_here():
    got = credit(START, None, now=at(19, 15), day_over=False)
    assert got == Credit(75, False, False, False, True)
    assert status_of(got) is AttendanceStatus.PRESENT


def test_no_check_out_while_day_not_over_stops_at_the_end():
    got = credit(START, None, now=at(22, 30), day_over=False)
    assert got.minutes == LENGTH
    assert got.here and not got.no_checkout


def test_no_check_out_before_the_start_is_here_with_nothing_yet():
    got = credit(at(17, 50), None, now=at(17, 55), day_over=False)
    assert got == Credit(0, False, False, False, True)


def test_late_arrival_still_here_is_late():
    got = credit(at(18, 40), None, now=at(19, 0), day_over=False)
    assert got == Credit(20, True, False, False, True)


def test_no_check_out_after_the_day_to_end_credits_to_the_end_flagged():
    got = credit(at(18, 20), None, policy=AttendancePolicy(no_checkout_credit="to_end"))
    assert got == Credit(LENGTH - 20, True, False, True, False)


def test_no_check_out_after_the_day_nothing_credits_nothing_flagged():
    got = credit(START, None, policy=AttendancePolicy(no_checkout_credit="nothing"))
    assert got == Credit(0, False, False, True, False)


def test_no_check_out_after_the_day_ignores_now():
    assert credit(START, None, now=at(19), day_over=True).minutes == LENGTH


def test_unknown_no_checkout_credit_is_refused():
    with pytest.raises(ValueError, match="no_checkout_credit"):
        AttendancePolicy(no_checkout_credit="half")


# ---- weeks ----------------------------------------------------------------------------------

MONDAY = date(2026, 11, 16)
SUNDAY = date(2026, 11, 22)


@pytest.mark.parametrize("day", [MONDAY + timedelta(days=n) for n in range(7)],
                         ids=lambda d: d.strftime("%a"))
def test_week_start_of_monday_weeks(day):
    assert week_start_of(day, 0) == MONDAY


@pytest.mark.parametrize("day,first", [
    (date(2026, 11, 15), date(2026, 11, 15)),     # a Sunday starts its own week
    (date(2026, 11, 16), date(2026, 11, 15)),
    (date(2026, 11, 21), date(2026, 11, 15)),     # Saturday ends it
    (date(2026, 11, 22), date(2026, 11, 22)),
], ids=["sunday", "monday", "saturday", "next-sunday"])
def test_week_start_of_sunday_weeks(day, first):
    assert week_start_of(day, 6) == first


def test_week_start_of_across_a_year_end():
    assert week_start_of(date(2027, 1, 1), 0) == date(2026, 12, 28)
    assert week_start_of(date(2027, 1, 1), 6) == date(2026, 12, 27)


def test_week_days_are_seven_consecutive_dates():
    days = week_days(MONDAY)
    assert days == (MONDAY, date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 19),
                    date(2026, 11, 20), date(2026, 11, 21), SUNDAY)


def test_week_minimum_with_a_closure_drops_in_proportion():
    assert week_minimum(540, 540, 180, POLICY) == 360          # 9 h, a 3 h day closed: 6 h


def test_week_minimum_rounds_up_to_the_minute():
    assert week_minimum(540, 600, 180, POLICY) == 378          # 540 * 420 / 600
    assert week_minimum(100, 300, 100, POLICY) == 67           # 66.67 rounds up


def test_week_minimum_without_closures_is_unchanged():
    assert week_minimum(540, 540, 0, POLICY) == 540


def test_week_minimum_with_the_setting_off_is_unchanged():
    off = AttendancePolicy(closure_reduces_minimum=False)
    assert week_minimum(540, 540, 180, off) == 540


def test_week_minimum_drops_for_the_days_outside_the_episode():
    """Admitted after Monday's 3 h of a 9 h week: held to 6 h; after Wednesday too: 3 h."""
    assert week_minimum(540, 540, 0, POLICY, away_minutes=180) == 360
    assert week_minimum(540, 540, 0, POLICY, away_minutes=360) == 180


def test_week_minimum_days_away_count_even_with_the_closure_setting_off():
    off = AttendancePolicy(closure_reduces_minimum=False)
    assert week_minimum(540, 540, 180, off, away_minutes=180) == 360   # the closure does not


def test_week_minimum_away_and_closed_together_never_go_below_zero():
    assert week_minimum(540, 540, 180, POLICY, away_minutes=360) == 0
    assert week_minimum(540, 540, 360, POLICY, away_minutes=360) == 0
    assert week_minimum(540, 0, 0, POLICY, away_minutes=180) == 540    # nothing scheduled


def test_week_minimum_with_nothing_scheduled_is_unchanged():
    assert week_minimum(540, 0, 0, POLICY) == 540
    assert week_minimum(540, 0, 180, POLICY) == 540


def test_week_minimum_whole_week_closed_is_zero():
    assert week_minimum(540, 540, 540, POLICY) == 0


def test_week_minimum_never_below_zero():
    assert week_minimum(540, 540, 720, POLICY) == 0


def test_still_possible_counts_meetings_ahead_and_the_rest_of_one_under_way():
    now = datetime(2026, 11, 18, 19, 0, tzinfo=UTC)
    windows = [
        (datetime(2026, 11, 16, 18, tzinfo=UTC), datetime(2026, 11, 16, 21, tzinfo=UTC)),  # over
        (datetime(2026, 11, 18, 18, tzinfo=UTC), datetime(2026, 11, 18, 21, tzinfo=UTC)),  # 120
        (datetime(2026, 11, 20, 18, tzinfo=UTC), datetime(2026, 11, 20, 21, tzinfo=UTC)),  # 180
    ]
    assert still_possible(windows, now) == 300


def test_still_possible_meeting_ending_now_is_over():
    assert still_possible([(START, END)], END) == 0
    assert still_possible([], START) == 0


@pytest.mark.parametrize("got,minimum,possible,over,status", [
    (540, 540, 0, False, WeekStatus.MET),             # exactly the minimum
    (540, 540, 0, True, WeekStatus.MET),
    (600, 540, 180, False, WeekStatus.MET),
    (0, 0, 0, True, WeekStatus.MET),                  # a fully closed week asks nothing
    (360, 540, 180, False, WeekStatus.ON_TRACK),      # exactly reachable
    (0, 540, 540, False, WeekStatus.ON_TRACK),
    (360, 540, 179, False, WeekStatus.AT_RISK),       # one minute short of reachable
    (0, 540, 0, False, WeekStatus.AT_RISK),
    (539, 540, 0, True, WeekStatus.NOT_MET),          # one minute short, week over
    (360, 540, 180, True, WeekStatus.NOT_MET),        # over: what was possible no longer counts
], ids=["met-exactly", "met-exactly-over", "met-above", "met-zero-minimum", "on-track-exactly",
        "on-track-nothing-yet", "at-risk-one-short", "at-risk-nothing-left", "not-met-one-short",
        "not-met-over"])
def test_week_status(got, minimum, possible, over, status):
    assert week_status(got, minimum, possible, over) is status


# ---- authorized units -----------------------------------------------------------------------

FIRST = date(2026, 11, 2)
LAST = date(2026, 11, 30)


@pytest.mark.parametrize("minutes,used", [(179, 0), (180, 1), (181, 1), (0, 0)],
                         ids=["179-not-a-unit", "180-a-unit", "181-a-unit", "0"])
def test_units_used_needs_the_per_diem_minutes(minutes, used):
    assert units_used({date(2026, 11, 16): minutes}, FIRST, LAST, POLICY) == used


def test_units_used_counts_only_days_inside_the_range():
    days = {date(2026, 11, 1): 240,     # the day before the range
            FIRST: 180,                 # first day: counts
            date(2026, 11, 16): 181,
            date(2026, 11, 17): 179,    # short day
            LAST: 200,                  # last day: counts
            date(2026, 12, 1): 300}     # the day after
    assert units_used(days, FIRST, LAST, POLICY) == 3


def test_units_used_follows_the_policy():
    days = {date(2026, 11, 16): 120, date(2026, 11, 17): 90}
    assert units_used(days, FIRST, LAST, AttendancePolicy(per_diem_minutes=120)) == 1
    assert units_used({}, FIRST, LAST, POLICY) == 0


# ---- authorization warnings -----------------------------------------------------------------

TODAY = date(2026, 11, 16)
FAR = TODAY + timedelta(days=60)


def kinds(*args) -> list[str]:
    return [w.kind for w in authorization_warnings(*args, POLICY)]


def test_no_warning_with_units_and_time_left():
    assert authorization_warnings(20, 10, FIRST, FAR, TODAY, POLICY) == ()


def test_exactly_three_remaining_warns_units_low():
    assert authorization_warnings(20, 17, FIRST, FAR, TODAY, POLICY) == (
        AuthorizationWarning("units_low", "3 of 20 units remain"),)


def test_four_remaining_does_not_warn():
    assert kinds(20, 16, FIRST, FAR, TODAY) == []


def test_one_remaining_reads_singular():
    assert authorization_warnings(20, 19, FIRST, FAR, TODAY, POLICY)[0].message == (
        "1 of 20 units remains")


def test_zero_remaining_is_used_up_not_low():
    assert authorization_warnings(20, 20, FIRST, FAR, TODAY, POLICY) == (
        AuthorizationWarning("used_up", "All 20 units are used"),)


def test_over_used_is_used_up_and_says_by_how_much():
    (warning,) = authorization_warnings(20, 22, FIRST, FAR, TODAY, POLICY)
    assert warning.kind == "used_up"
    assert "2 units over" in warning.message


def test_units_warning_follows_the_policy():
    five = AttendancePolicy(units_warning=5)
    assert [w.kind for w in authorization_warnings(20, 15, FIRST, FAR, TODAY, five)] == [
        "units_low"]


def test_range_ending_in_7_days_warns_ends_soon():
    last = TODAY + timedelta(days=7)
    assert authorization_warnings(20, 0, FIRST, last, TODAY, POLICY) == (
        AuthorizationWarning("ends_soon", "Ends in 7 days (2026-11-23)"),)


def test_range_ending_in_8_days_does_not_warn():
    assert kinds(20, 0, FIRST, TODAY + timedelta(days=8), TODAY) == []


def test_range_ending_today_warns_ends_soon():
    assert authorization_warnings(20, 0, FIRST, TODAY, TODAY, POLICY) == (
        AuthorizationWarning("ends_soon", "Ends today (2026-11-16)"),)


def test_range_ending_tomorrow_reads_singular():
    (warning,) = authorization_warnings(20, 0, FIRST, TODAY + timedelta(days=1), TODAY, POLICY)
    assert warning.message == "Ends in 1 day (2026-11-17)"


def test_range_ended_yesterday_warns_ended():
    assert authorization_warnings(20, 0, FIRST, TODAY - timedelta(days=1), TODAY, POLICY) == (
        AuthorizationWarning("ended", "Ended 2026-11-15"),)


def test_end_warning_follows_the_policy():
    two = AttendancePolicy(end_warning_days=2)
    assert authorization_warnings(20, 0, FIRST, TODAY + timedelta(days=3), TODAY, two) == ()


def test_units_and_date_warnings_together():
    assert kinds(20, 20, FIRST, TODAY - timedelta(days=1), TODAY) == ["used_up", "ended"]
    assert kinds(20, 18, FIRST, TODAY + timedelta(days=2), TODAY) == ["units_low", "ends_soon"]


# ---- the policy from the practice's settings ------------------------------------------------

def test_policy_defaults_match_a_new_practice():
    assert AttendancePolicy.from_settings(PracticeSettings()) == AttendancePolicy()


def test_policy_reads_every_setting():
    settings = replace(PracticeSettings(), late_grace_minutes=5, no_checkout_credit="nothing",
                       closure_reduces_minimum=False, per_diem_minutes=120,
                       authorization_units_warning=4, authorization_end_warning_days=14)
    assert AttendancePolicy.from_settings(settings) == AttendancePolicy(
        late_grace_minutes=5, no_checkout_credit="nothing", closure_reduces_minimum=False,
        per_diem_minutes=120, units_warning=4, end_warning_days=14)
