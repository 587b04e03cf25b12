"""The front desk's day: its meetings, who is expected at each (episodes of the meeting's
track open that day), the walk-ins checked in, and the check-in search over them first.

Three queries for the day (meetings, expected episodes, recorded attendance), each selecting
plain columns, not ORM entities: the day of a large practice is hundreds of rows, read on
every check-in. The day's list is small, so the search filters it in Python and asks the
database only for the others."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from iopdesk.db.models import (
    Attendance,
    Episode,
    GroupMeeting,
    Participant,
    ProgramTrack,
    StaffUser,
)
from iopdesk.domain.attendance_views import (
    AttendanceView,
    DayMeeting,
    DayRow,
    DayView,
    FoundParticipant,
)
from iopdesk.domain.enums import AttendanceStatus
from iopdesk.domain.names import list_name, search_key
from iopdesk.services.attendance_rows import (
    ATTENDANCE_COLUMNS,
    MEETING_COLUMNS,
    Clock,
    attendance_row,
    attendance_view,
    meeting_row,
    open_between,
)

_PERSON = (Participant.id, Participant.first_name, Participant.last_name,
           Participant.preferred_name, Participant.chart_number)
# The episode and the person of a day's row, after the episode's or the attendance's columns.
_EPISODE_PERSON = (Episode.track_id, Participant.id, Participant.first_name,
                   Participant.last_name, Participant.preferred_name, Participant.chart_number,
                   ProgramTrack.name)


def load_day(session: Session, clock: Clock, day: date, track_id: int | None) -> DayView:
    """The day's meetings (of `track_id` only, when given) with their counts, and its rows
    (expected or walked in) in name order, each attendance credited by the rules now."""
    query = (select(*MEETING_COLUMNS, ProgramTrack.name, StaffUser.display_name)
             .join(ProgramTrack, ProgramTrack.id == GroupMeeting.track_id)
             .outerjoin(StaffUser, StaffUser.id == GroupMeeting.facilitator_id)
             .where(GroupMeeting.meeting_date == day)
             .order_by(GroupMeeting.start_time, ProgramTrack.name, GroupMeeting.id))
    if track_id is not None:
        query = query.where(GroupMeeting.track_id == track_id)
    meetings = [(meeting_row(m), *m[len(MEETING_COLUMNS):]) for m in session.execute(query)]
    by_id = {m.id: m for m, *_ in meetings}
    windows = {m.id: clock.window(m) for m in by_id.values()}
    tracks = {m.track_id for m in by_id.values()}
    people: dict[int, tuple] = {}      # episode id -> the values of _EPISODE_PERSON
    if tracks:
        for episode_id, *person in session.execute(
                select(Episode.id, *_EPISODE_PERSON)
                .join(Participant, Participant.id == Episode.participant_id)
                .join(ProgramTrack, ProgramTrack.id == Episode.track_id)
                .where(Episode.track_id.in_(tracks), open_between(day, day))):
            people[episode_id] = person
    recorded: dict[int, list[AttendanceView]] = {}
    if by_id:
        for found in session.execute(
                select(*ATTENDANCE_COLUMNS, *_EPISODE_PERSON)
                .join(Episode, Episode.id == Attendance.episode_id)
                .join(Participant, Participant.id == Episode.participant_id)
                .join(ProgramTrack, ProgramTrack.id == Episode.track_id)
                .where(Attendance.meeting_id.in_(by_id))):
            row, person = attendance_row(found), found[len(ATTENDANCE_COLUMNS):]
            if row.walk_in and row.check_in_at is None:
                continue                # a walk-in undone: they are not expected here
            people.setdefault(row.episode_id, person)
            recorded.setdefault(row.episode_id, []).append(attendance_view(
                row, by_id[row.meeting_id], person[1], clock, windows[row.meeting_id]))
    rows = []
    for episode_id, (own_track, pid, first, last, preferred, chart, track_name) in people.items():
        views = tuple(sorted(recorded.get(episode_id, ()), key=lambda v: v.meeting_id))
        rows.append(DayRow(participant_id=pid, name=list_name(last, first, preferred),
                           chart_number=chart, episode_id=episode_id, track_id=own_track,
                           track_name=track_name,
                           walk_in=own_track not in tracks or any(v.walk_in for v in views),
                           attendance=views))
    rows.sort(key=lambda r: (search_key(r.name), r.participant_id))
    return DayView(day=day, meetings=_meetings(meetings, windows, rows, clock, day),
                   rows=tuple(rows))


def _meetings(meetings, windows: dict, rows: list[DayRow], clock: Clock,
              day: date) -> tuple[DayMeeting, ...]:
    shown = []
    next_of: set[int] = set()          # tracks whose next meeting is found
    running_tracks = set()
    for meeting, *_ in meetings:
        start, end = windows[meeting.id]
        if not meeting.cancelled and start <= clock.now < end:
            running_tracks.add(meeting.track_id)
    # who is expected at a meeting: the rows of its track, and those recorded at it (walk-ins),
    # each with its attendance there, in the rows' order
    of_track: dict[int, list[tuple[int, DayRow]]] = {}
    walked_in: dict[int, list[tuple[int, DayRow]]] = {}
    for n, row in enumerate(rows):
        of_track.setdefault(row.track_id, []).append((n, row))
        for a in row.attendance:
            walked_in.setdefault(a.meeting_id, []).append((n, row))
    for meeting, track_name, facilitator in meetings:
        start, end = windows[meeting.id]
        live = not meeting.cancelled and day == clock.today
        running = live and start <= clock.now < end
        upcoming = (live and clock.now < start and meeting.track_id not in next_of
                    and meeting.track_id not in running_tracks)
        if upcoming:
            next_of.add(meeting.track_id)
        expected = of_track.get(meeting.track_id, [])
        extra = [(n, r) for n, r in walked_in.get(meeting.id, ())
                 if r.track_id != meeting.track_id]
        if extra:
            expected = sorted(expected + extra, key=lambda found: found[0])
        statuses = [(r, r.at(meeting.id)) for _, r in expected]
        shown.append(DayMeeting(
            id=meeting.id, track_id=meeting.track_id, track_name=track_name,
            title=meeting.title, facilitator_name=facilitator or "", start=start,
            end=end, cancelled=meeting.cancelled,
            cancel_reason=meeting.cancel_reason, running=running, next=upcoming,
            expected_count=len(statuses),
            here_count=sum(1 for _, a in statuses if a is not None and a.here),
            attended_count=sum(1 for _, a in statuses if a is not None and a.time_in),
            missing=tuple(r.participant_id for r, a in statuses
                          if a is None or a.status == AttendanceStatus.EXPECTED)))
    return tuple(shown)


def _matches(words: list[str], chart: str, names: tuple[str, ...], chart_number: str) -> bool:
    if chart and chart_number.casefold().startswith(chart):
        return True
    keys = [part for name in names for part in search_key(name).split()]
    return bool(words) and all(any(k.startswith(w) for k in keys) for w in words)


def find_in(session: Session, day_view: DayView, text: str,
            limit: int) -> tuple[FoundParticipant, ...]:
    """Those of the day matching `text` first (a name's word starts with each typed word, or
    the chart number starts with it), then other participants, in name order."""
    words = search_key(text).split()
    chart = text.strip().casefold()
    if not words and not chart:
        return ()
    found: list[FoundParticipant] = []
    shown: set[int] = set()
    names = _names(session, {r.participant_id for r in day_view.rows})
    for row in day_view.rows:
        if row.participant_id in shown:
            continue
        if _matches(words, chart, names[row.participant_id], row.chart_number):
            shown.add(row.participant_id)
            found.append(FoundParticipant(row.participant_id, row.name, row.chart_number,
                                          True, row))
    if len(found) >= limit or not words:
        return tuple(found[:limit])
    first = words[0]
    keys = (Participant.last_name_key, Participant.first_name_key,
            Participant.preferred_name_key)
    like = [c for key in keys for c in (key.startswith(first, autoescape=True),
                                        key.contains(" " + first, autoescape=True))]
    like.append(func.lower(Participant.chart_number).startswith(chart, autoescape=True))
    query = (select(*_PERSON).where(or_(*like))
             .order_by(Participant.last_name_key, Participant.first_name_key, Participant.id)
             .limit(limit + len(shown) + 50))
    for pid, first_name, last_name, preferred, chart_number in session.execute(query):
        if pid in shown or not _matches(words, chart, (first_name, last_name, preferred),
                                        chart_number):
            continue
        found.append(FoundParticipant(pid, list_name(last_name, first_name, preferred),
                                      chart_number, False, None))
        if len(found) >= limit:
            break
    return tuple(found)


def _names(session: Session, ids: set[int]) -> dict[int, tuple[str, str, str]]:
    if not ids:
        return {}
    return {pid: (first, last, preferred) for pid, first, last, preferred in session.execute(
        select(Participant.id, Participant.first_name, Participant.last_name,
               Participant.preferred_name).where(Participant.id.in_(ids)))}
