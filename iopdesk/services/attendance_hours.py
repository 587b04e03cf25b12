"""Weekly hours: each participant's week of meetings, credits and sessions against the track's
minimum (lowered by closures), and where it stands (met, on track, at risk, not met).

`load_weeks` reads any number of (episode, week) pairs in five queries in all — meetings,
attendance, sessions, closures, blocks (these only when a day is closed) — plus the caller's
episodes, each selecting plain columns for the whole range at once; the rules
(domain.attendance) are then applied in Python, each meeting's window and each attendance's
credit worked out once, so the hours of every active participant cost no query per
participant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Bundle, Session

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
from iopdesk.domain.attendance import (
    still_possible,
    week_minimum,
    week_start_of,
    week_status,
)
from iopdesk.domain.attendance_views import AttendanceView, WeekHours, WeekMeeting
from iopdesk.domain.enums import AttendanceStatus, SessionKind
from iopdesk.domain.names import list_name
from iopdesk.services.attendance_rows import (
    ATTENDANCE_COLUMNS,
    COUNTED,
    MEETING_COLUMNS,
    Clock,
    attendance_row,
    attendance_view,
    meeting_row,
    open_between,
)

SESSION_KINDS = (SessionKind.INDIVIDUAL, SessionKind.FAMILY, SessionKind.INTAKE)
_NO_SHOW = (AttendanceStatus.EXPECTED,)
# Up to this many episodes (one participant's) their attendance is read through the
# episode's index, over any number of weeks; more (everyone's week) read the range's
# attendance through the meetings' date index and keep those of the episodes asked for.
_FEW_EPISODES = 10

class EpisodeRow(NamedTuple):
    """An episode as the weeks read it."""

    id: int
    participant_id: int
    track_id: int
    admission_date: date
    discharge_date: date | None


class _Episode(Bundle):
    """The episode's columns, handed over as an EpisodeRow (a result row's attributes cost
    far more to read, and the hours read them for every day of every week)."""

    def create_row_processor(self, query, procs, labels):
        def episode(row) -> EpisodeRow:
            return EpisodeRow(*[proc(row) for proc in procs])
        return episode


# What the callers select for each episode: the episode (row[0], an EpisodeRow), the person,
# the track's name and weekly minimum. The caller says which episodes (of COUNTED statuses:
# `open_between` does).
EPISODE_ROWS = (select(_Episode("episode", *(getattr(Episode, f) for f in EpisodeRow._fields)),
                       Participant.id, Participant.first_name, Participant.last_name,
                       Participant.preferred_name, Participant.chart_number,
                       ProgramTrack.name, ProgramTrack.min_minutes_per_week)
                .join(Participant, Participant.id == Episode.participant_id)
                .join(ProgramTrack, ProgramTrack.id == Episode.track_id))


def _minutes(meeting_or_block) -> int:
    start, end = meeting_or_block.start_time, meeting_or_block.end_time
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


class _Range:
    """The rows of [low, high] every week of the call draws on, read once and grouped."""

    def __init__(self, session: Session, clock: Clock, episode_ids: list[int],
                 tracks: set[int], low: date, high: date):
        meetings = [meeting_row(m) for m in session.execute(select(*MEETING_COLUMNS).where(
            GroupMeeting.meeting_date.between(low, high)))]
        self.meeting = {m.id: m for m in meetings}
        self.window = {}                            # meeting id -> (start, end), of those used
        self.own = defaultdict(list)                # (track id, day) -> meetings, in order
        for m in sorted(meetings, key=_order):
            if m.track_id in tracks:
                self.own[m.track_id, m.meeting_date].append(m)
                self.window[m.id] = clock.window(m)
        self.track_days: dict[tuple[int, date], _TrackDay] = {}
        self.views: dict[tuple[int, date], dict[int, AttendanceView]] = defaultdict(dict)
        wanted = set(episode_ids)
        query = (select(*ATTENDANCE_COLUMNS)
                 .join(GroupMeeting, GroupMeeting.id == Attendance.meeting_id)
                 .where(GroupMeeting.meeting_date.between(low, high)))
        if len(wanted) <= _FEW_EPISODES:
            query = query.where(Attendance.episode_id.in_(wanted))
        self.attended = [a for a in map(attendance_row, session.execute(query))
                         if a.episode_id in wanted]
        self.sessions = defaultdict(int)            # (episode id, day) -> minutes
        for episode_id, day, minutes in session.execute(
                select(ClinicalSession.episode_id, ClinicalSession.session_date,
                       func.sum(ClinicalSession.minutes))
                .where(ClinicalSession.episode_id.in_(wanted),
                       ClinicalSession.kind.in_(SESSION_KINDS),
                       ClinicalSession.session_date.between(low, high))
                .group_by(ClinicalSession.episode_id, ClinicalSession.session_date)):
            self.sessions[episode_id, day] += int(minutes or 0)
        self.closed = defaultdict(set)              # day -> track ids closed (None: practice)
        for track_id, day in session.execute(
                select(Closure.track_id, Closure.closure_date)
                .where(Closure.closure_date.between(low, high),
                       or_(Closure.track_id.is_(None), Closure.track_id.in_(tracks)))):
            self.closed[day].add(track_id)
        self.blocks = session.execute(select(
            GroupSchedule.id, GroupSchedule.track_id, GroupSchedule.weekday,
            GroupSchedule.start_time, GroupSchedule.end_time, GroupSchedule.effective_from,
            GroupSchedule.effective_to).where(
            GroupSchedule.track_id.in_(tracks), GroupSchedule.active.is_(True),
            GroupSchedule.effective_from <= high,
            or_(GroupSchedule.effective_to.is_(None), GroupSchedule.effective_to >= low))
        ).all() if self.closed else []

    def track_day(self, clock: Clock, track_id: int, day: date) -> _TrackDay:
        """The track's day, worked out on first use."""
        key = (track_id, day)
        if key not in self.track_days:
            self.track_days[key] = _TrackDay(clock, self, track_id, day)
        return self.track_days[key]

    def credit(self, pid_of: dict[int, int], clock: Clock) -> None:
        """Each attendance's view by the rules, under (episode id, day) and meeting id."""
        for a in self.attended:
            meeting = self.meeting[a.meeting_id]
            if a.meeting_id not in self.window:
                self.window[a.meeting_id] = clock.window(meeting)
            self.views[a.episode_id, meeting.meeting_date][a.meeting_id] = attendance_view(
                a, meeting, pid_of[a.episode_id], clock, self.window[a.meeting_id])


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
    found = _Range(session, clock, [row[0].id for row in episodes],
                   {row[0].track_id for row in episodes}, low, high)
    found.credit({row[0].id: row[0].participant_id for row in episodes}, clock)
    return [_week(clock, row, first, found) for row, first in pairs]


def _not_met_block(block, day: date, meetings) -> bool:
    """A block of the track that would have met on a closed `day` but has no meeting there
    (a closure the meetings were never made for still takes its minutes)."""
    return (block.weekday == day.weekday() and block.effective_from <= day
            and (block.effective_to is None or block.effective_to >= day)
            and not any(m.schedule_id == block.id for m in meetings))


class _TrackDay:
    """A track's day, the same for every episode of the track: its meetings in order, the
    minutes scheduled and closed, and what an episode with nothing recorded that day gets
    (the meetings shown, those over unattended, the windows still to come)."""

    def __init__(self, clock: Clock, found: _Range, track_id: int, day: date):
        self.own = found.own.get((track_id, day), [])
        self.own_ids = {m.id for m in self.own}
        self.closed = bool(found.closed.get(day, set()) & {None, track_id})
        self.scheduled = sum(_minutes(m) for m in self.own)
        if self.closed:
            self.scheduled += sum(_minutes(b) for b in found.blocks if b.track_id == track_id
                                  and _not_met_block(b, day, self.own))
        self.closed_minutes = self.scheduled if self.closed else 0
        self.blank = [WeekMeeting(m.id, day, m.title, *found.window[m.id], m.cancelled,
                                  self.closed, None) for m in self.own]
        due = [found.window[m.id] for m in self.own if not m.cancelled and not self.closed]
        self.over = sum(1 for _, end in due if end <= clock.now)
        self.ahead = [(start, end) for start, end in due if end > clock.now]


def _week(clock: Clock, row: tuple, first: date, found: _Range) -> WeekHours:
    episode, pid, first_name, last_name, preferred, chart_number, track_name, least = row
    episode_id, _, track_id, admitted, discharged = episode       # an EpisodeRow
    days = [first + timedelta(days=n) for n in range(7)]
    last_open = discharged or date.max
    scheduled = closed_minutes = away_minutes = session_minutes = unexcused = excused = 0
    shown: list[WeekMeeting] = []
    possible = []
    for day in days:
        track_day = found.track_day(clock, track_id, day)
        scheduled += track_day.scheduled
        session_minutes += found.sessions.get((episode_id, day), 0)
        in_episode = admitted <= day <= last_open
        if in_episode:
            closed_minutes += track_day.closed_minutes
        else:
            away_minutes += track_day.scheduled      # not theirs to attend: not held to it
        records = found.views.get((episode_id, day))
        if not records:
            shown += track_day.blank
            if in_episode:
                unexcused += track_day.over     # over and they never came
                possible += track_day.ahead
            continue
        for meeting in _union(track_day, records, found.meeting):
            view = records.get(meeting.id)
            start, end = found.window[meeting.id]
            shown.append(WeekMeeting(meeting.id, day, meeting.title, start, end,
                                     meeting.cancelled, track_day.closed, view))
            if view is not None and view.status == AttendanceStatus.EXCUSED:
                excused += 1
            elif view is not None and view.status == AttendanceStatus.ABSENT:
                unexcused += 1
            counts = (meeting.track_id == track_id and in_episode
                      and not meeting.cancelled and not track_day.closed)
            if counts and (view is None or view.status in _NO_SHOW):
                if end <= clock.now:
                    unexcused += 1          # it is over and they never came
                else:
                    possible.append((start, end))
            elif counts and view.here:
                possible.append((start, end))   # in the room: the rest of it is still theirs
    credited_minutes = sum(w.attendance.minutes for w in shown if w.attendance is not None)
    minimum = week_minimum(least, scheduled, closed_minutes, clock.policy, away_minutes)
    possible_minutes = still_possible(possible, clock.now)
    status = week_status(credited_minutes + session_minutes, minimum, possible_minutes,
                         clock.today > days[-1])
    return WeekHours(participant_id=pid, name=list_name(last_name, first_name, preferred),
                     chart_number=chart_number, episode_id=episode_id,
                     track_id=track_id, track_name=track_name, week_first=first,
                     meetings=tuple(shown), credited_minutes=credited_minutes,
                     session_minutes=session_minutes, minimum_minutes=minimum,
                     possible_minutes=possible_minutes, status=status, excused=excused,
                     unexcused=unexcused)


def _union(track_day: _TrackDay, records: dict, meeting_of: dict) -> list:
    """The track's meetings of the day and those the episode walked into, once each, in
    order (the track's are in order already: most days there is no walk-in to merge)."""
    extra = [meeting_of[i] for i in records if i not in track_day.own_ids]
    return sorted(track_day.own + extra, key=_order) if extra else track_day.own


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


def everyone_in_week(session: Session, clock: Clock, week_of: date,
                     track_id: int | None) -> tuple[date, list[WeekHours]]:
    """(the first day of the week holding `week_of`, the WeekHours of every episode open in
    it, of `track_id` only when given), unordered: the hours list and the hours report."""
    first = week_start_of(week_of, clock.week_start)
    query = EPISODE_ROWS.where(open_between(first, first + timedelta(days=6)))
    if track_id is not None:
        query = query.where(Episode.track_id == track_id)
    episodes = session.execute(query).all()
    return first, load_weeks(session, clock, episodes, {row[0].id: [first] for row in episodes})


def participant_weeks(session: Session, clock: Clock, participant_id: int,
                      count: int) -> list[WeekHours]:
    """The participant's last `count` weeks in the program (each episode's, from admission up
    to today), unordered: the chart's weeks and the attendance history."""
    episodes = session.execute(EPISODE_ROWS.where(
        Episode.participant_id == participant_id, Episode.status.in_(COUNTED),
        Episode.admission_date <= clock.today)).all()
    pairs = sorted(((first, row[0].id) for row in episodes for first in week_range(
        row[0].admission_date, min(row[0].discharge_date or clock.today, clock.today),
        lambda d: week_start_of(d, clock.week_start))), reverse=True)[:count]
    wanted: dict[int, list[date]] = {}
    for first, episode_id in pairs:
        wanted.setdefault(episode_id, []).append(first)
    return load_weeks(session, clock, episodes, wanted)
