"""The attendance cases of `python -m benchmarks --only engines`, on the large demo, each engine
against its floor (benchmarks/engines.py runs them on SQLite and PostgreSQL):

- a check-in as the front desk makes it: `attendance.check_in`, then `attendance.day` to show
  it (the day's meetings and everyone expected); floor: the attendance INSERT, the audit
  INSERT and the commit IOPDesk sent, replayed on a bare connection (as the registration's);
- the weekly hours of every participant with an episode open in the week
  (`attendance.hours`); floor: one SQL aggregate of the credited minutes per episode of the
  week's meetings;
- a meeting's sign-in sheet PDF (`documents.sign_in_sheet`: read, render, audit); floor: the
  renderer alone on the same read model, loaded once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select

from benchmarks.engines import Row, Setup, Side, measure
from benchmarks.sql_floor import Step, replay, with_value
from iopdesk.db.engine import make_session_factory
from iopdesk.db.migrate import open_database
from iopdesk.db.models import Attendance, Episode, GroupMeeting
from iopdesk.demo import DEMO_PASSWORD
from iopdesk.domain.time import utc_now
from iopdesk.reports.sign_in_sheet import render_sign_in_sheet
from iopdesk.services import build_services
from iopdesk.services.attendance_documents import load_sign_in_sheet
from iopdesk.services.attendance_rows import read_clock
from iopdesk.services.documents import printed_now
from iopdesk.services.stored_settings import load_time_zone

_HOURS_FLOOR = ("SELECT a.episode_id, sum(a.minutes_credited) FROM attendance a "
                "JOIN group_meetings m ON m.id = a.meeting_id "
                "WHERE m.meeting_date BETWEEN {p} AND {p} GROUP BY a.episode_id")


def _todays_meetings(side: Side, day: date) -> list[GroupMeeting]:
    with make_session_factory(side.engine)() as s:
        return list(s.scalars(select(GroupMeeting).where(
            GroupMeeting.meeting_date == day, GroupMeeting.cancelled.is_(False))
            .order_by(GroupMeeting.start_time, GroupMeeting.id)))


def free_pairs(side: Side, day: date, count: int) -> list[tuple[int, int, int, datetime]]:
    """`count` (participant id, episode id, meeting id, time in) with nothing recorded yet at a
    meeting of `day`: the meeting's own track first, then walk-ins into the others."""
    with make_session_factory(side.engine)() as s:
        zone = ZoneInfo(load_time_zone(s))
        episodes = s.execute(select(Episode.participant_id, Episode.id, Episode.track_id).where(
            Episode.status == "active", Episode.admission_date <= day,
            or_(Episode.discharge_date.is_(None), Episode.discharge_date >= day))
            .order_by(Episode.id)).all()
        meetings = _todays_meetings(side, day)
        taken = set(s.execute(select(Attendance.meeting_id, Attendance.episode_id).join(
            GroupMeeting, and_(GroupMeeting.id == Attendance.meeting_id,
                               GroupMeeting.meeting_date == day))).all())
    seen: set[int] = set()           # one check-in per participant and day: no overlaps
    pairs = []
    for own in (True, False):
        for meeting in meetings:
            at = (datetime.combine(day, meeting.start_time, tzinfo=zone)
                  + timedelta(minutes=3)).astimezone(UTC)
            for pid, episode_id, track_id in episodes:
                if ((track_id == meeting.track_id) == own and pid not in seen
                        and (meeting.id, episode_id) not in taken):
                    seen.add(pid)
                    pairs.append((pid, episode_id, meeting.id, at))
    if len(pairs) < count:
        raise RuntimeError(f"only {len(pairs)} free check-ins on {day}; {count} needed")
    return pairs[:count]


def make_meetings_ahead(side: Side, setup: Setup) -> None:
    """Show the day once through an engine of its own: the first `day` makes the meetings
    weeks ahead (one multi-row INSERT, which the side's recorder cannot replay); the measured
    calls then find them made, as at the desk every day but the first."""
    engine = open_database(side.engine.url.render_as_string(hide_password=False))
    try:
        services = build_services(make_session_factory(engine), "bench-warm-up",
                                  audit_key=setup.audit_key, today=lambda: setup.as_of)
        services.attendance.day(services.staff.log_in("frontdesk", DEMO_PASSWORD), setup.as_of)
    finally:
        engine.dispose()


def bench_check_in(side: Side, setup: Setup, runs: int) -> Row:
    services = side.services
    actor = services.staff.log_in("frontdesk", DEMO_PASSWORD)
    pairs = iter(free_pairs(side, setup.as_of, 2 * (runs + 4)))

    def ours() -> None:
        pid, _episode, meeting_id, at = next(pairs)
        services.attendance.check_in(actor, pid, meeting_id, at)
        services.attendance.day(actor, setup.as_of)

    steps = side.recorder.record(ours)
    begin = [s for s in steps if s.begin][:1]
    insert = next(s for s in steps if s.table == "attendance")
    audit_insert = next(s for s in steps if s.table == "audit_events")

    def floor_steps() -> list[Step]:
        _pid, episode_id, meeting_id, _at = next(pairs)
        row = with_value(with_value(insert, "episode_id", episode_id), "meeting_id", meeting_id)
        return [*begin, row, side.audit.again(audit_insert), Step("commit")]

    with side.bare() as conn:
        mine, bare = measure(ours, lambda: replay(conn, floor_steps()), runs)
    return Row("check-in, then the day shown (all meetings and who is expected)", side.name,
               mine, bare, runs)


def bench_hours(side: Side, setup: Setup, runs: int) -> Row:
    services = side.services
    actor = services.staff.log_in("clinician", DEMO_PASSWORD)
    first = setup.as_of - timedelta(days=setup.as_of.weekday())
    last = first + timedelta(days=6)
    if side.name == "SQLite":
        floor = Step("sql", _HOURS_FLOOR.format(p="?"), (first.isoformat(), last.isoformat()))
    else:
        floor = Step("sql", _HOURS_FLOOR.format(p="%s"), (first, last))
    count = len(services.attendance.hours(actor, setup.as_of))
    with side.bare() as conn:
        mine, bare = measure(lambda: services.attendance.hours(actor, setup.as_of),
                             lambda: replay(conn, [floor]), runs)
    return Row(f"weekly hours of every participant in the week ({count}), audited", side.name,
               mine, bare, runs)


def bench_sign_in_sheet(side: Side, setup: Setup, runs: int) -> Row:
    services = side.services
    actor = services.staff.log_in("frontdesk", DEMO_PASSWORD)
    meeting = _todays_meetings(side, setup.as_of)[0]
    factory = make_session_factory(side.engine)
    with factory() as session:
        sheet = load_sign_in_sheet(session, read_clock(session, services.staff._ctx),
                                   meeting.id, printed_at=printed_now(session, utc_now()),
                                   printed_by=actor.display_name)
    mine, bare = measure(lambda: services.documents.sign_in_sheet(actor, meeting.id),
                         lambda: render_sign_in_sheet(sheet), runs)
    return Row(f"sign-in sheet PDF ({len(sheet.lines)} names): read, render, audit",
               side.name, mine, bare, runs)


def attendance_rows(side: Side, setup: Setup, counts: dict[str, int], say) -> list[Row]:
    """The three cases on one engine: the sign-in sheet (a fifth of a chart's runs) and the
    hours (a chart's) before the check-ins (a registration's), which add attendance rows."""
    make_meetings_ahead(side, setup)
    say(f"{side.name}: sign-in sheet")
    rows = [bench_sign_in_sheet(side, setup, max(5, counts["chart"] // 5))]
    say(f"{side.name}: weekly hours")
    rows.append(bench_hours(side, setup, counts["chart"]))
    say(f"{side.name}: check-in")
    rows.append(bench_check_in(side, setup, counts["registration"]))
    return [rows[2], rows[1], rows[0]]
