"""The demo day the README's pictures show (docs/screenshots.py): the attendance of the day so
far, recorded through the attendance service as the front desk would have recorded it, and a
clinician's correction of a time earlier in the week — so the Check-in, Today, Reports and
chart pictures are full and every status has an example.

Who does what is chosen by position in each track's list (name order), so it holds for any
demo: everyone arrives a few minutes early, one or two arrive late, one leaves a group early
and has not come back, one is excused from the day (called ahead), and in a track whose first
group is running, one is not here yet."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

PICTURE_TIME = time(18, 20)     # at the practice: both tracks have a group running
EXCUSE = "Medical appointment (called ahead)"
CORRECTION = "The sign-in sheet says {right}; {wrong} was the time of the person before them"


def record_day(services, password: str, now: datetime) -> None:
    """Record, as the demo's front desk, the attendance of every group started by `now`."""
    desk = services.staff.log_in("frontdesk", password)
    attendance = services.attendance
    day = attendance.day(desk)
    meetings = [m for m in day.meetings if not m.cancelled]
    for track_id in dict.fromkeys(m.track_id for m in meetings if m.start <= now):
        ours = [m for m in meetings if m.track_id == track_id]
        started = [m for m in ours if m.start <= now]
        people = [r.participant_id for r in day.rows if r.track_id == track_id and not r.walk_in]
        if len(people) < 4:
            continue
        excused, early = people[-1], people[2]
        late = set(people[1:len(people):3][:2]) - {early, excused}
        over = [m for m in started if m.end <= now]
        missing = early if over else people[len(people) // 3]
        for meeting in ours:
            attendance.mark_absent(desk, excused, meeting.id, True, EXCUSE)
        for number, meeting in enumerate(started):
            ended = meeting.end <= now
            for index, person in enumerate(people):
                if person == excused or (person == missing and not ended):
                    continue
                if number == 0:
                    arrive = meeting.start + timedelta(minutes=(
                        14 + index % 4 if person in late else -(2 + 3 * index % 13)))
                else:
                    arrive = meeting.start + timedelta(minutes=index % 3)
                view = attendance.check_in(desk, person, meeting.id, at=min(arrive, now))
                if person == early and ended and meeting is over[-1]:
                    attendance.check_out(desk, view.id, view.version,
                                         at=meeting.end - timedelta(minutes=20))
            if ended:
                attendance.check_out_all(desk, meeting.id, at=meeting.end)


def correct_earlier(services, password: str, participant_id: int, zone: str) -> int | None:
    """A clinician corrects the participant's check-in at the first group they attended
    earlier this week; the meeting's id, or None when they attended none."""
    clinician = services.staff.log_in("clinician", password)
    attendance = services.attendance
    today = services.settings.clock().today()
    weeks = attendance.weeks(clinician, participant_id, 1)
    meetings = [m for w in weeks for m in w.meetings if m.day < today
                and m.attendance is not None and m.attendance.time_in is not None]
    if not meetings:
        return None
    meeting, view = meetings[0], meetings[0].attendance
    time_in = meeting.start - timedelta(minutes=4)
    if time_in == view.time_in:
        time_in -= timedelta(minutes=3)
    attendance.correct(clinician, view.id, view.version, time_in, view.time_out,
                       CORRECTION.format(right=_clock(time_in, zone),
                                         wrong=_clock(view.time_in, zone)))
    return meeting.meeting_id


def _clock(moment: datetime, zone: str) -> str:
    """'3:26 PM' at the practice."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
