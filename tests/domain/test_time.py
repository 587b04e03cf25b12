"""Time as the practice sees it: stored UTC shown in the practice's zone, today from the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopdesk.domain.accounts import PracticeSettings, check_settings, settings_from_stored
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.time import (DEFAULT_ZONE, PracticeClock, canonical_zone, format_date_time,
                                 format_time, practice_time, practice_today, workstation_zone,
                                 zone_from_link, zone_of_workstation, zone_problem)

NEW_YORK = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- showing a stored moment ---------------------------------------------------------------

def test_a_stored_moment_is_shown_in_the_practice_zone_the_one_way():
    signed = utc(2026, 11, 16, 17, 14, 30)
    assert format_date_time(signed, "America/Los_Angeles") == "2026-11-16 09:14"
    assert format_date_time(signed, NEW_YORK) == "2026-11-16 12:14"
    assert format_date_time(signed, "UTC") == "2026-11-16 17:14"
    assert format_time(signed, NEW_YORK) == "12:14"
    assert format_date_time(None, NEW_YORK) == "" and format_time(None, NEW_YORK) == ""


def test_new_york_summer_time_starts_and_ends():
    # 2026-03-08: 02:00 EST becomes 03:00 EDT (06:59 UTC is 01:59 EST, 07:00 UTC 03:00 EDT).
    assert format_date_time(utc(2026, 3, 8, 6, 59), NEW_YORK) == "2026-03-08 01:59"
    assert format_date_time(utc(2026, 3, 8, 7, 0), NEW_YORK) == "2026-03-08 03:00"
    assert practice_time(utc(2026, 3, 8, 7, 0), NEW_YORK).utcoffset() == timedelta(hours=-4)
    # 2026-11-01: 02:00 EDT falls back to 01:00 EST, so 01:30 happens twice, an hour apart.
    first, second = utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)
    assert format_date_time(first, NEW_YORK) == format_date_time(second, NEW_YORK) \
        == "2026-11-01 01:30"
    assert practice_time(first, NEW_YORK).utcoffset() == timedelta(hours=-4)
    assert practice_time(second, NEW_YORK).utcoffset() == timedelta(hours=-5)
    # a winter and a summer time of the same UTC hour are an hour apart on the wall clock
    assert format_time(utc(2026, 1, 15, 14, 0), NEW_YORK) == "09:00"
    assert format_time(utc(2026, 7, 15, 14, 0), NEW_YORK) == "10:00"


def test_just_after_midnight_utc_is_still_yesterday_at_the_practice():
    moment = utc(2026, 11, 17, 0, 30)
    assert practice_today(moment, "America/Los_Angeles") == date(2026, 11, 16)
    assert format_date_time(moment, "America/Los_Angeles") == "2026-11-16 16:30"
    assert practice_today(moment, "UTC") == date(2026, 11, 17)
    # and east of Greenwich, late in the UTC evening is already tomorrow
    assert practice_today(utc(2026, 11, 16, 23, 30), "Europe/Berlin") == date(2026, 11, 17)


def test_a_moment_of_another_zone_is_the_same_instant():
    in_chicago = datetime(2026, 11, 16, 11, 14, tzinfo=timezone(timedelta(hours=-6)))
    assert format_date_time(in_chicago, NEW_YORK) == "2026-11-16 12:14"


def test_naive_datetimes_are_refused_not_guessed():
    naive = datetime(2026, 11, 16, 9, 14)
    for call in (lambda: format_date_time(naive, NEW_YORK), lambda: format_time(naive, NEW_YORK),
                 lambda: practice_today(naive, NEW_YORK), lambda: practice_time(naive, "UTC")):
        with pytest.raises(ValueError, match="naive"):
            call()
    with pytest.raises(TypeError):
        format_date_time(date(2026, 11, 16), NEW_YORK)


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2090, 12, 31),
                    timezones=st.just(UTC)))
def test_the_practice_date_is_the_wall_clock_date_there(moment):
    local = practice_time(moment, NEW_YORK)
    assert local == moment                                   # the same instant
    assert practice_today(moment, NEW_YORK) == local.date()
    assert format_date_time(moment, NEW_YORK) == local.strftime("%Y-%m-%d %H:%M")
    assert abs((local.replace(tzinfo=None) - moment.replace(tzinfo=None))
               - local.utcoffset()) == timedelta(0)


# -- the clock -----------------------------------------------------------------------------

def test_the_clock_gives_today_at_the_practice_from_the_injected_utc_clock():
    clock = PracticeClock(zone="America/Los_Angeles", utc=lambda: utc(2026, 11, 17, 3, 0))
    assert clock.today() == date(2026, 11, 16)
    assert clock.now().strftime("%Y-%m-%d %H:%M") == "2026-11-16 19:00"
    assert clock.date_time(utc(2026, 11, 16, 17, 14)) == "2026-11-16 09:14"
    assert clock.time_of_day(utc(2026, 11, 16, 17, 14)) == "09:14"
    assert clock.local(utc(2026, 11, 16, 17, 14)).hour == 9


def test_the_clock_takes_the_services_today_when_given():
    clock = PracticeClock(zone=NEW_YORK, utc=lambda: utc(2026, 11, 17, 3, 0),
                          today_source=lambda: date(2026, 1, 2))
    assert clock.today() == date(2026, 1, 2)


def test_the_default_clock_is_utc():
    assert PracticeClock().zone == DEFAULT_ZONE
    assert PracticeClock(utc=lambda: utc(2026, 11, 17, 0, 5)).today() == date(2026, 11, 17)


# -- the zone setting ----------------------------------------------------------------------

@pytest.mark.parametrize("name, canonical", [
    ("America/Los_Angeles", "America/Los_Angeles"),
    ("america/new_york", NEW_YORK),
    ("  America/Chicago ", "America/Chicago"),
    ("UTC", "UTC"), ("Etc/UTC", "UTC"), ("utc", "UTC"), ("Zulu", "UTC"),
    ("Pacific/Honolulu", "Pacific/Honolulu"),
])
def test_zone_names_are_taken_in_the_tz_database_spelling(name, canonical):
    assert zone_problem(name) is None
    assert canonical_zone(name) == canonical


@pytest.mark.parametrize("name", [
    "Mars/Olympus_Mons", "America", "localtime", "posixrules", "Factory", "EST+5", "../etc/x",
    "/usr/share/zoneinfo/UTC", "zone.tab", "America/New York", "A" * 200, "PST",
])
def test_anything_else_is_not_a_zone(name):
    message = zone_problem(name)
    assert message is not None and "not a time zone" in message
    assert canonical_zone(name) is None


@pytest.mark.parametrize("name", ["", "   ", None, 5])
def test_a_missing_zone_asks_for_one(name):
    assert "Enter the practice's time zone" in zone_problem(name)


def test_the_setting_is_checked_at_its_field_and_cleaned():
    with pytest.raises(ValidationError) as refused:
        check_settings(PracticeSettings(time_zone="Mars/Olympus_Mons"))
    assert set(refused.value.fields) == {"time_zone"}
    assert "Mars/Olympus_Mons" in refused.value.fields["time_zone"]
    assert check_settings(PracticeSettings(time_zone="america/denver")).time_zone \
        == "America/Denver"


def test_a_stored_zone_reads_back_and_an_unusable_one_reads_as_the_default():
    assert settings_from_stored({"time_zone": "America/Denver"}).time_zone == "America/Denver"
    assert settings_from_stored({"time_zone": "Nowhere/Land"}).time_zone == workstation_zone()
    assert settings_from_stored({"time_zone": 7}).time_zone == workstation_zone()


def test_a_new_practice_starts_with_the_workstation_zone():
    assert PracticeSettings().time_zone == workstation_zone()
    assert zone_problem(workstation_zone()) is None


# -- which zone the workstation is in ------------------------------------------------------

@pytest.mark.parametrize("target, zone", [
    ("/usr/share/zoneinfo/America/Denver", "America/Denver"),
    ("../usr/share/zoneinfo/Europe/Paris", "Europe/Paris"),
    ("/var/db/timezone/zoneinfo/America/Los_Angeles", "America/Los_Angeles"),   # macOS
    ("/usr/share/zoneinfo/posix/America/Chicago", "America/Chicago"),
    ("/usr/share/zoneinfo/Etc/UTC", "UTC"),
    (":America/Phoenix", "America/Phoenix"),                               # a TZ value
    ("America/Phoenix", "America/Phoenix"),
    ("/etc/localtime-copy", None), ("<+03>-3", None), ("", None),
])
def test_the_zone_a_link_names(target, zone):
    assert zone_from_link(target) == zone


def test_the_workstation_zone_is_told_in_order_and_else_utc():
    assert zone_of_workstation("America/Denver", "/usr/share/zoneinfo/Europe/Paris",
                               "Asia/Tokyo", None) == "America/Denver"
    assert zone_of_workstation(None, "/usr/share/zoneinfo/Europe/Paris", "Asia/Tokyo",
                               None) == "Europe/Paris"
    assert zone_of_workstation("", None, "Asia/Tokyo\n", None) == "Asia/Tokyo"
    assert zone_of_workstation(None, None, None, "Pacific Standard Time") \
        == "America/Los_Angeles"
    assert zone_of_workstation("<+03>-3", "/nowhere", "nonsense", "Mars Standard Time") \
        == DEFAULT_ZONE
    assert zone_of_workstation(None, None, None, None) == DEFAULT_ZONE
