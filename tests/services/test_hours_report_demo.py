"""The hours report (CSV) of the demo practice equals the attendance rules recomputed here, from
the stored rows alone (meetings, attendance times, closures, blocks, sessions, the tracks'
minimums and the practice's settings), with the arithmetic written out in this file: the
overlap of the time in the room with the meeting's window in whole minutes, a missed check-out
(credited to the end, or nothing, as the practice chose), the minimum lowered by closures and
by the days outside the episode in proportion to the scheduled minutes lost, the week's
status. No domain function is called, so
a mistake in them shows here. For the demo's last full week and the current one, at noon of
TODAY; it holds for whatever attendance the demo makes. On SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from support import AUDIT_KEY, TODAY

from iopdesk.db.engine import make_session_factory
from iopdesk.db.migrate import open_database
from iopdesk.db.models import (Attendance, ClinicalSession, Closure, Episode, GroupMeeting,
                               GroupSchedule, Participant, PracticeSetting, ProgramTrack,
                               StaffUser)
from iopdesk.services import build_services
from iopdesk.services.staff import actor_of
from iopdesk.services.stored_settings import load_time_zone

DEFAULTS = {"no_checkout_credit": "to_end",
            "closure_reduces_minimum": True, "week_start": 0}
COUNTED_EPISODES = ("active", "discharged")
COUNTED_SESSIONS = ("individual", "family", "intake")


@pytest.fixture
def demo(demo_url):
    """(services at noon of TODAY at the practice, the session factory, the stored rows)."""
    engine = open_database(demo_url)
    factory = make_session_factory(engine)
    with factory() as s:
        settings = dict(DEFAULTS)
        settings.update({r.key: r.value for r in s.scalars(select(PracticeSetting))
                         if r.key in DEFAULTS})
        zone = ZoneInfo(load_time_zone(s))
        now = datetime.combine(TODAY, time(12), tzinfo=zone).astimezone(UTC)
        rows = {
            "settings": settings, "zone": zone, "now": now,
            "meetings": s.scalars(select(GroupMeeting)).all(),
            "attendance": s.scalars(select(Attendance)).all(),
            "closures": s.scalars(select(Closure)).all(),
            "blocks": s.scalars(select(GroupSchedule)).all(),
            "sessions": s.scalars(select(ClinicalSession)).all(),
            "episodes": s.scalars(select(Episode)).all(),
            "tracks": {t.id: t for t in s.scalars(select(ProgramTrack))},
            "charts": {p.id: (p.chart_number, p.last_name) for p in s.scalars(select(Participant))},
        }
        clinician = s.scalar(select(StaffUser).where(StaffUser.username == "clinician"))
    services = build_services(factory, "test-station", audit_key=AUDIT_KEY,
                              today=lambda: TODAY, now=lambda: now)
    yield services, actor_of(services.staff._ctx, clinician), rows
    engine.dispose()


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _overlap(start: datetime, end: datetime, first: datetime, last: datetime) -> int:
    """Whole minutes shared by [start, end] and [first, last]."""
    seconds = (min(end, last) - max(start, first)).total_seconds()
    return max(0, int(seconds // 60))


def _hours(minutes: int) -> str:
    return str((Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _length(row) -> int:
    return ((row.end_time.hour * 60 + row.end_time.minute)
            - (row.start_time.hour * 60 + row.start_time.minute))


def expected_rows(rows: dict, week_of: date) -> Counter:
    """The report's rows (all columns but the name) as the rules make them, counted."""
    settings, zone, now = rows["settings"], rows["zone"], rows["now"]
    first = week_of - timedelta(days=(week_of.weekday() - settings["week_start"]) % 7)
    last = first + timedelta(days=6)

    def window(m) -> tuple[datetime, datetime]:
        return (datetime.combine(m.meeting_date, m.start_time, tzinfo=zone).astimezone(UTC),
                datetime.combine(m.meeting_date, m.end_time, tzinfo=zone).astimezone(UTC))

    meetings = {m.id: m for m in rows["meetings"] if first <= m.meeting_date <= last}
    found = Counter()
    for episode in rows["episodes"]:
        if str(episode.status) not in COUNTED_EPISODES or episode.admission_date > last or (
                episode.discharge_date is not None and episode.discharge_date < first):
            continue
        track = rows["tracks"][episode.track_id]
        closed_days = {c.closure_date for c in rows["closures"]
                       if first <= c.closure_date <= last
                       and c.track_id in (None, episode.track_id)}
        own = [m for m in meetings.values() if m.track_id == episode.track_id]
        records = {a.meeting_id: a for a in rows["attendance"]
                   if a.episode_id == episode.id and a.meeting_id in meetings}
        by_day = Counter()               # the minutes scheduled each day of the week
        for m in own:
            by_day[m.meeting_date] += _length(m)
        for day in closed_days:          # a closed day's blocks that never got their meeting
            for b in rows["blocks"]:
                if (b.track_id == episode.track_id and b.active and b.weekday == day.weekday()
                        and b.effective_from <= day
                        and (b.effective_to is None or b.effective_to >= day)
                        and not any(m.schedule_id == b.id and m.meeting_date == day
                                    for m in own)):
                    by_day[day] += _length(b)

        def enrolled(day: date) -> bool:
            return episode.admission_date <= day and (episode.discharge_date is None
                                                      or day <= episode.discharge_date)

        scheduled = sum(by_day.values())
        closed = sum(v for d, v in by_day.items() if d in closed_days and enrolled(d))
        away = sum(v for d, v in by_day.items() if not enrolled(d))
        lost = (closed if settings["closure_reduces_minimum"] else 0) + away
        minimum = track.min_minutes_per_week
        if scheduled > 0 and lost > 0:
            minimum = max(0, -(-minimum * (scheduled - lost) // scheduled))
        group = excused = unexcused = possible = 0
        flags = []
        shown = {m.id: m for m in own} | {i: meetings[i] for i in records}
        for m in sorted(shown.values(), key=lambda m: (m.meeting_date, m.start_time, m.id)):
            start, end = window(m)
            a = records.get(m.id)
            time_in = _utc(a.check_in_at) if a is not None else None
            time_out = _utc(a.check_out_at) if a is not None else None
            if time_in is not None:
                if time_out is not None:
                    group += _overlap(start, end, time_in, time_out)
                elif TODAY <= m.meeting_date:            # still in the room
                    group += _overlap(start, end, time_in, now)
                else:                                    # the day ended with no check-out
                    flags.append(f"no check-out {m.meeting_date.isoformat()}")
                    if settings["no_checkout_credit"] == "to_end":
                        group += _overlap(start, end, time_in, end)
            elif a is not None and str(a.status) == "excused":
                excused += 1
            elif a is not None and str(a.status) == "absent":
                unexcused += 1
            counts = (m.track_id == episode.track_id and not m.cancelled
                      and m.meeting_date not in closed_days
                      and episode.admission_date <= m.meeting_date
                      and (episode.discharge_date is None
                           or m.meeting_date <= episode.discharge_date))
            if counts and (a is None or str(a.status) == "expected"):
                if end <= now:
                    unexcused += 1
                else:
                    possible += _overlap(start, end, now, end)
            elif counts and time_in is not None and time_out is None and TODAY <= m.meeting_date:
                possible += _overlap(start, end, now, end)      # in the room: the rest is theirs
        sessions = sum(s.minutes for s in rows["sessions"]
                       if s.episode_id == episode.id and str(s.kind) in COUNTED_SESSIONS
                       and first <= s.session_date <= last)
        total = group + sessions
        if total >= minimum:
            status = "met"
        elif TODAY > last:
            status = "not met"
        elif total + possible >= minimum:
            status = "on track"
        else:
            status = "at risk"
        chart = rows["charts"][episode.participant_id][0]
        found[(chart, track.name, first.isoformat(), last.isoformat(), str(minimum),
               _hours(minimum), str(group), _hours(group), str(sessions), _hours(sessions),
               str(total), _hours(total), status, str(excused), str(unexcused),
               "; ".join(flags))] += 1
    return found


def _reported(services, actor, week_of: date) -> list[dict]:
    data = services.documents.hours_report(actor, week_of, format="csv")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


COLUMNS = ("chart_number", "track", "week_first", "week_last", "minimum_minutes",
           "minimum_hours", "group_minutes", "group_hours", "session_minutes", "session_hours",
           "total_minutes", "total_hours", "status", "excused_absences", "unexcused_absences",
           "flags")


@pytest.mark.parametrize("weeks_back", [1, 0], ids=["last full week", "this week"])
def test_the_hours_csv_equals_the_rules_recomputed_from_the_rows(demo, weeks_back):
    services, actor, rows = demo
    week_of = TODAY - timedelta(days=7 * weeks_back)
    reported = _reported(services, actor, week_of)
    assert reported, "the demo has participants in the week"
    assert Counter(tuple(r[c] for c in COLUMNS) for r in reported) == expected_rows(rows,
                                                                                   week_of)
    for r in reported:      # the name is the participant's of that chart
        last_name = next(n for c, n in rows["charts"].values() if c == r["chart_number"])
        assert r["participant"].lstrip("'").startswith(last_name)
    tracks = [r["track"] for r in reported]
    assert tracks == sorted(tracks, key=str.casefold)        # grouped by track


def test_the_demo_weeks_are_not_all_alike(demo):
    """The comparison above is worth something only if the weeks hold credits, sessions and
    more than one status: the demo's attendance is made through the rules."""
    services, actor, _rows = demo
    reported = (_reported(services, actor, TODAY - timedelta(days=7))
                + _reported(services, actor, TODAY))
    assert any(int(r["group_minutes"]) > 0 for r in reported)
    assert len({r["status"] for r in reported}) >= 2
