"""Schedule fixtures other service tests share: a weekly block of a track (its meetings made
ahead at once) and a day's meetings of a track, through the schedule service; another track,
and a staff member of one role, stored directly (no service makes tracks yet)."""

from __future__ import annotations

from datetime import date, time

from iopdesk.db.models import ProgramTrack, StaffRole, StaffUser
from iopdesk.domain.enums import AgeGroup, LevelOfCare, Role, TrackFocus
from iopdesk.domain.schedule import BlockInput, BlockView, MeetingView

from support import TODAY


def make_block(services, admin, track_id: int, weekday: int, start: time, end: time, *,
               title: str = "Process group", facilitator_id: int | None = None,
               effective_from: date = TODAY, effective_to: date | None = None) -> BlockView:
    """A weekly block added by `admin` (an administrator's Actor); the meetings of the next
    weeks (the practice's meetings_ahead_weeks) exist once this returns."""
    return services.schedule.add_block(admin, track_id, BlockInput(
        weekday=weekday, start_time=start, end_time=end, title=title,
        facilitator_id=facilitator_id, effective_from=effective_from,
        effective_to=effective_to))


def meetings_on(services, actor, track_id: int, day: date) -> tuple[MeetingView, ...]:
    """The track's meetings of `day` (cancelled ones too), by start time."""
    week = services.schedule.week(actor, track_id, day)
    return next(d.meetings for d in week.days if d.day == day)


def add_track(session_factory, like_track_id: int, name: str, *,
              age_group: AgeGroup = AgeGroup.ADOLESCENT, minutes: int = 360) -> int:
    """Another track of the practice of `like_track_id` (adolescent, 6 h a week)."""
    with session_factory.begin() as s:
        practice_id = s.get(ProgramTrack, like_track_id).practice_id
        track = ProgramTrack(practice_id=practice_id, name=name, level_of_care=LevelOfCare.IOP,
                             age_group=age_group, focus=TrackFocus.SUBSTANCE_USE,
                             min_minutes_per_week=minutes)
        s.add(track)
        s.flush()
        return track.id


def add_staff(session_factory, username: str, role: Role, *, active: bool = True) -> int:
    """A staff user of one role (display name: the user name titled), who cannot log in."""
    with session_factory.begin() as s:
        user = StaffUser(username=username, display_name=username.title(), password_hash="x",
                         active=active)
        user.roles = [StaffRole(role=role)]
        s.add(user)
        s.flush()
        return user.id
