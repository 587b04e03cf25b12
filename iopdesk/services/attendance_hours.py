"""Weekly hours: each participant's week of meetings, credits and sessions against the track's
minimum (lowered by closures), and where it stands (met, on track, at risk, not met).

`load_weeks` reads any number of (episode, week) pairs in six queries in all — meetings,
attendance, sessions, closures, blocks, plus the caller's episodes — and applies the rules in
Python, so the hours of every active participant cost no query per participant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from iopdesk.db.models import (
    Attendance,
    ClinicalSession,
    Closure,
    Episode,
    GroupMeeting,
    GroupSchedule,
    Participant,
    ProgramTrack,
)
from iopdesk.domain.attendance import still_possible, week_minimum, week_start_of, week_status
from iopdesk.domain.attendance_views import WeekHours, WeekMeeting
from iopdesk.domain.enums import AttendanceStatus, SessionKind
from iopdesk.domain.names import list_name
from iopdesk.services.attendance_rows import COUNTED, Clock, attendance_view

SESSION_KINDS = (SessionKind.INDIVIDUAL, SessionKind.FAMILY, SessionKind.INTAKE)
_NO_SHOW = (AttendanceStatus.EXPECTED,)

# What the callers select for each episode: the episode, the person, the track.
EPISODE_ROWS = (select(Episode, Participant.id, Participant.first_name, Participant.last_name,
                       Participant.preferred_name, Participant.chart_number, ProgramTrack)
                .join(Participant, Participant.id == Episode.participant_id)
                .join(ProgramTrack, ProgramTrack.id == Episode.track_id)
                .where(Episode.status.in_(COUNTED)))


def _minutes(meeting_or_block) -> int:
    start, end = meeting_or_block.start_time, meeting_or_block.end_time
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def load_weeks(session: Session, clock: Clock, episodes: Iterable[tuple],
               weeks: dict[int, list[date]]) -> list[WeekHours]:
    """The WeekHours of each episode (rows of EPISODE_ROWS) for each first day in
    `weeks[episode id]`, in the order given."""
    episodes = list(episodes)
    pairs = [(row, first) for row in episodes for first in weeks.get(row[0].id, ())]
    if not pairs:
        return []
    low = min(first for _, first in pairs)
    high = max(first for _, first in pairs) + timedelta(days=6)
    tracks = {row[0].track_id for row in episodes}
    episode_ids = [row[0].id for row in episodes]
    meetings_of = defaultdict(list)            # (track id, day) -> meetings
    for meeting in session.scalars(select(GroupMeeting).where(
            GroupMeeting.track_id.in_(tracks), GroupMeeting.meeting_date.between(low, high))
            .order_by(GroupMeeting.meeting_date, GroupMeeting.start_time, GroupMeeting.id)):
        meetings_of[meeting.track_id, meeting.meeting_date].append(meeting)
    attended = defaultdict(list)               # (episode id, day) -> (attendance, meeting)
    for row, meeting in session.execute(
            select(Attendance, GroupMeeting)
            .join(GroupMeeting, GroupMeeting.id == Attendance.meeting_id)
            .where(Attendance.episode_id.in_(episode_ids),
                   GroupMeeting.meeting_date.between(low, high))):
        attended[row.episode_id, meeting.meeting_date].append((row, meeting))
    sessions = defaultdict(int)                # (episode id, day) -> minutes
    for episode_id, day, minutes in session.execute(
            select(ClinicalSession.episode_id, ClinicalSession.session_date,
                   func.sum(ClinicalSession.minutes))
            .where(ClinicalSession.episode_id.in_(episode_ids),
                   ClinicalSession.kind.in_(SESSION_KINDS),
                   ClinicalSession.session_date.between(low, high))
            .group_by(ClinicalSession.episode_id, ClinicalSession.session_date)):
        sessions[episode_id, day] += int(minutes or 0)
    closed = defaultdict(set)                  # day -> track ids closed (None: the practice)
    for track_id, day in session.execute(
            select(Closure.track_id, Closure.closure_date)
            .where(Closure.closure_date.between(low, high),
                   or_(Closure.track_id.is_(None), Closure.track_id.in_(tracks)))):
        closed[day].add(track_id)
    blocks = session.scalars(select(GroupSchedule).where(
        GroupSchedule.track_id.in_(tracks), GroupSchedule.active.is_(True),
        GroupSchedule.effective_from <= high,
        or_(GroupSchedule.effective_to.is_(None), GroupSchedule.effective_to >= low))).all() \
        if closed else []
    return [_week(clock, row, first, meetings_of, attended, sessions, closed, blocks)
            for row, first in pairs]


def _not_met_block(block, day: date, meetings) -> bool:
    """A block of the track that would have met on a closed `day` but has no meeting there
    (a closure the meetings were never made for still takes its minutes)."""
    return (block.weekday == day.weekday() and block.effective_from <= day
            and (block.effective_to is None or block.effective_to >= day)
            and not any(m.schedule_id == block.id for m in meetings))


def _week(clock: Clock, row: tuple, first: date, meetings_of, attended, sessions, closed,
          blocks) -> WeekHours:
    episode, pid, first_name, last_name, preferred, chart_number, track = row
    days = [first + timedelta(days=n) for n in range(7)]
    last_open = episode.discharge_date or date.max
    scheduled = closed_minutes = session_minutes = unexcused = excused = 0
    shown: list[WeekMeeting] = []
    possible = []
    for day in days:
        own = meetings_of.get((episode.track_id, day), [])
        is_closed = bool(closed.get(day, set()) & {None, episode.track_id})
        records = {m.id: (a, m) for a, m in attended.get((episode.id, day), [])}
        session_minutes += sessions.get((episode.id, day), 0)
        for meeting in own:
            scheduled += _minutes(meeting)
            if is_closed:
                closed_minutes += _minutes(meeting)
        if is_closed:
            lost = sum(_minutes(b) for b in blocks if b.track_id == episode.track_id
                       and _not_met_block(b, day, own))
            scheduled += lost
            closed_minutes += lost
        in_episode = episode.admission_date <= day <= last_open
        for meeting in sorted(_union(own, records), key=_order):
            found = records.get(meeting.id)
            view = attendance_view(found[0], meeting, pid, clock) if found else None
            start, end = clock.window(meeting)
            shown.append(WeekMeeting(meeting.id, day, meeting.title, start, end,
                                     meeting.cancelled, is_closed, view))
            if view is not None and view.status == AttendanceStatus.EXCUSED:
                excused += 1
            elif view is not None and view.status == AttendanceStatus.ABSENT:
                unexcused += 1
            counts = (meeting.track_id == episode.track_id and in_episode
                      and not meeting.cancelled and not is_closed)
            if counts and (view is None or view.status in _NO_SHOW):
                if end <= clock.now:
                    unexcused += 1          # it is over and they never came
                else:
                    possible.append((start, end))
    credited_minutes = sum(w.attendance.minutes for w in shown if w.attendance is not None)
    minimum = week_minimum(track.min_minutes_per_week, scheduled, closed_minutes, clock.policy)
    possible_minutes = still_possible(possible, clock.now)
    status = week_status(credited_minutes + session_minutes, minimum, possible_minutes,
                         clock.today > days[-1])
    return WeekHours(participant_id=pid, name=list_name(last_name, first_name, preferred),
                     chart_number=chart_number, episode_id=episode.id, track_id=track.id,
                     track_name=track.name, week_first=first, meetings=tuple(shown),
                     credited_minutes=credited_minutes, session_minutes=session_minutes,
                     minimum_minutes=minimum, possible_minutes=possible_minutes,
                     status=status, excused=excused, unexcused=unexcused)


def _union(own, records) -> list:
    """The track's meetings of the day and those the episode walked into, once each."""
    seen = {m.id: m for m in own}
    for _, meeting in records.values():
        seen.setdefault(meeting.id, meeting)
    return list(seen.values())


def _order(meeting) -> tuple:
    return (meeting.start_time, meeting.id)


def week_range(first_day: date, last_day: date, week_start_of) -> list[date]:
    """The first days of the weeks from `last_day`'s back to `first_day`'s, newest first."""
    weeks = []
    current = week_start_of(last_day)
    while current >= week_start_of(first_day):
        weeks.append(current)
        current -= timedelta(days=7)
    return weeks


def active_in(first: date, last: date):
    """Episodes open at some moment of [first, last]."""
    return and_(Episode.admission_date <= last,
                or_(Episode.discharge_date.is_(None), Episode.discharge_date >= first))


def everyone_in_week(session: Session, clock: Clock, week_of: date,
                     track_id: int | None) -> tuple[date, list[WeekHours]]:
    """(the first day of the week holding `week_of`, the WeekHours of every episode open in
    it, of `track_id` only when given), unordered: the hours list and the hours report."""
    first = week_start_of(week_of, clock.week_start)
    query = EPISODE_ROWS.where(active_in(first, first + timedelta(days=6)))
    if track_id is not None:
        query = query.where(Episode.track_id == track_id)
    episodes = session.execute(query).all()
    return first, load_weeks(session, clock, episodes, {row[0].id: [first] for row in episodes})


def participant_weeks(session: Session, clock: Clock, participant_id: int,
                      count: int) -> list[WeekHours]:
    """The participant's last `count` weeks in the program (each episode's, from admission up
    to today), unordered: the chart's weeks and the attendance history."""
    episodes = session.execute(EPISODE_ROWS.where(
        Episode.participant_id == participant_id, Episode.admission_date <= clock.today)).all()
    pairs = sorted(((first, row[0].id) for row in episodes for first in week_range(
        row[0].admission_date, min(row[0].discharge_date or clock.today, clock.today),
        lambda d: week_start_of(d, clock.week_start))), reverse=True)[:count]
    wanted: dict[int, list[date]] = {}
    for first, episode_id in pairs:
        wanted.setdefault(episode_id, []).append(first)
    return load_weeks(session, clock, episodes, wanted)
