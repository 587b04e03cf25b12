"""Time as the practice sees it.

Every moment is stored in UTC (an aware datetime); a person reads it in the practice's time
zone, one way everywhere: "2026-11-16 09:14" (a time of day alone: "09:14"). "Today" is the
practice's date at the moment an injected clock gives (a callable returning an aware UTC
datetime), never the workstation's `date.today()`: a workstation set to another zone, or a
moment just after midnight UTC, must not move the practice's day.

A naive datetime (no zone) is refused, not guessed at: every time IOPDesk stores comes back
aware, so a naive one is a `datetime.now()` of the workstation's zone slipping through.

Pure rules, but for two reads: the time-zone database (stdlib `zoneinfo`), and once per run
the workstation's own zone (`workstation_zone`), which is only the zone a new practice starts
with: once stored, the practice's setting wins on every workstation.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

DEFAULT_ZONE = "UTC"
DATE_TIME_FORMAT = "%Y-%m-%d %H:%M"
TIME_FORMAT = "%H:%M"
ZONE_NAME_MAX = 64
ZONE_EXAMPLE = "America/Los_Angeles"

# Files of a time-zone database that load as zones but are not a place's zone: "localtime" is
# the workstation's own zone (what this setting exists to avoid), the others are artefacts.
_NOT_ZONES = frozenset({"localtime", "posixrules", "factory"})
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*")
# Names the same as UTC, written the one way.
_UTC_NAMES = frozenset({"utc", "etc/utc", "etc/uct", "uct", "etc/universal", "universal",
                        "etc/zulu", "zulu", "etc/gmt", "gmt", "etc/gmt0", "gmt0", "etc/gmt+0",
                        "etc/gmt-0", "etc/greenwich", "greenwich"})
# The Windows names of the zones a US practice is in (CLDR windowsZones, territory 001).
WINDOWS_ZONES = {
    "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver",
    "US Mountain Standard Time": "America/Phoenix",
    "Pacific Standard Time": "America/Los_Angeles",
    "Alaskan Standard Time": "America/Anchorage",
    "Aleutian Standard Time": "America/Adak",
    "Hawaiian Standard Time": "Pacific/Honolulu",
    "Atlantic Standard Time": "America/Halifax",
    "US Eastern Standard Time": "America/Indianapolis",
    "UTC": "UTC",
    "GMT Standard Time": "Europe/London",
    "W. Europe Standard Time": "Europe/Berlin",
}


@cache
def _known_zones() -> dict[str, str]:
    """casefolded name -> the tz database's spelling (read once: ~0.1 s)."""
    return {name.casefold(): name for name in available_timezones()
            if name.casefold() not in _NOT_ZONES}


def canonical_zone(name: str) -> str | None:
    """The tz database's spelling of `name` ("america/new_york" -> "America/New_York"; any
    name of UTC -> "UTC"), or None when it is not a time zone this computer knows."""
    if not isinstance(name, str):
        return None
    name = name.strip()
    key = name.casefold()
    if key in _UTC_NAMES:
        return DEFAULT_ZONE
    if (len(name) > ZONE_NAME_MAX or key in _NOT_ZONES or not _ZONE_NAME.fullmatch(name)):
        return None
    known = _known_zones().get(key)
    if known is not None:
        return known
    try:                        # a database that lists none (or not this one) may still load it
        ZoneInfo(name)
    except Exception:           # noqa: BLE001 - not found, not a TZif file, bad key: all "no"
        return None
    return name


def zone_problem(name: object) -> str | None:
    """What is wrong with `name` as the practice's time zone, or None."""
    if not isinstance(name, str) or not name.strip():
        return f"Enter the practice's time zone, such as {ZONE_EXAMPLE}"
    if canonical_zone(name) is None:
        shown = name.strip() if len(name.strip()) <= ZONE_NAME_MAX \
            else name.strip()[:ZONE_NAME_MAX] + "…"
        return (f"“{shown}” is not a time zone; use the zone's name as in "
                f"{ZONE_EXAMPLE}, America/Denver, America/Chicago or America/New_York")
    return None


def zone_info(name: str | tzinfo) -> tzinfo:
    """The tzinfo of a zone name (UTC needs no time-zone database, so it works everywhere)."""
    if isinstance(name, tzinfo):
        return name
    canonical = canonical_zone(name)
    if canonical is None:
        raise ValueError(zone_problem(name))
    return UTC if canonical == DEFAULT_ZONE else ZoneInfo(canonical)


def zone_from_link(target: str) -> str | None:
    """The zone a path to a tz database file names ("/usr/share/zoneinfo/America/Denver",
    "/var/db/timezone/zoneinfo/Europe/Paris", a TZ value ":America/Denver"), or None."""
    text = (target or "").strip().lstrip(":")
    if not text:
        return None
    _, marker, rest = text.rpartition("zoneinfo/")
    candidate = rest if marker else text
    for prefix in ("posix/", "right/"):
        candidate = candidate.removeprefix(prefix)
    return canonical_zone(candidate)


def zone_of_workstation(tz_variable: str | None, localtime_link: str | None,
                        timezone_file: str | None, windows_name: str | None) -> str:
    """The workstation's zone from what the computer says, in this order: the TZ variable,
    the link /etc/localtime (Linux, macOS), /etc/timezone (Debian), the Windows zone; the
    first that names a known zone wins, else UTC."""
    for candidate in (zone_from_link(tz_variable or ""), zone_from_link(localtime_link or ""),
                      canonical_zone((timezone_file or "").strip()) if timezone_file else None,
                      canonical_zone(WINDOWS_ZONES.get((windows_name or "").strip(), ""))):
        if candidate:
            return candidate
    return DEFAULT_ZONE


def _read_link(path: str) -> str | None:
    try:
        return os.readlink(path)
    except (OSError, ValueError, NotImplementedError):
        return None


def _read_first_line(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as file:
            return file.readline()
    except (OSError, ValueError):
        return None


def _windows_zone_name() -> str | None:
    if sys.platform != "win32":
        return None
    try:
        import winreg

        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE,
                            r"SYSTEM\CurrentControlSet\Control\TimeZoneInformation") as key:
            return str(winreg.QueryValueEx(key, "TimeZoneKeyName")[0])
    except (OSError, ImportError):
        return None


@cache
def workstation_zone() -> str:
    """This workstation's time zone name (read once per run), or UTC when it cannot be told:
    the zone a new practice's setting starts with."""
    return zone_of_workstation(os.environ.get("TZ"), _read_link("/etc/localtime"),
                               _read_first_line("/etc/timezone"), _windows_zone_name())


def utc_now() -> datetime:
    """The real clock, as an aware UTC datetime (the default of the injected clocks)."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is refused (see the module's docstring)."""
    if not isinstance(moment, datetime):
        raise TypeError(f"a datetime is needed, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: give it its zone "
                         "(IOPDesk's times are aware UTC)")
    return moment.astimezone(UTC)


def practice_time(moment: datetime, zone: str | tzinfo) -> datetime:
    """A stored (aware) moment as the wall-clock time at the practice."""
    return as_utc(moment).astimezone(zone_info(zone))


def format_date_time(moment: datetime | None, zone: str | tzinfo) -> str:
    """'2026-11-16 09:14' at the practice ('' for no moment)."""
    return "" if moment is None else practice_time(moment, zone).strftime(DATE_TIME_FORMAT)


def format_time(moment: datetime | None, zone: str | tzinfo) -> str:
    """'09:14' at the practice ('' for no moment)."""
    return "" if moment is None else practice_time(moment, zone).strftime(TIME_FORMAT)


def practice_today(now: datetime, zone: str | tzinfo) -> date:
    """The practice's date at the moment `now` (an aware datetime, normally UTC)."""
    return practice_time(now, zone).date()


@dataclass(frozen=True)
class PracticeClock:
    """The practice's clock as the screens and documents use it: its zone, an injected UTC
    clock `utc`, and (when the services inject one) the date they call today, so that a
    screen and the service it calls never disagree about the day."""

    zone: str = DEFAULT_ZONE
    utc: Callable[[], datetime] = utc_now
    today_source: Callable[[], date] | None = None

    def today(self) -> date:
        """Today at the practice."""
        if self.today_source is not None:
            return self.today_source()
        return practice_today(self.utc(), self.zone)

    def now(self) -> datetime:
        """Now, as the (aware) wall-clock time at the practice."""
        return practice_time(self.utc(), self.zone)

    def local(self, moment: datetime) -> datetime:
        return practice_time(moment, self.zone)

    def date_time(self, moment: datetime | None) -> str:
        """'2026-11-16 09:14' at the practice ('' for no moment)."""
        return format_date_time(moment, self.zone)

    def time_of_day(self, moment: datetime | None) -> str:
        """'09:14' at the practice ('' for no moment)."""
        return format_time(moment, self.zone)
