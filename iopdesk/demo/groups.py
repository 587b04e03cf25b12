"""The group program of the demo practice: meetings generated from the weekly schedule,
attendance of every participant whose episode is open that day (`iopdesk.demo.attendance`), and
the group sessions with one individualized note per attendee (called by
`iopdesk.demo.practice`)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from iopdesk.db.models import ClinicalSession, GroupMeeting
from iopdesk.demo import data
from iopdesk.demo.attendance import Week, day_shape, write_ahead, write_attendance
from iopdesk.demo.records import EpisodePlan, Slot, TrackInfo, note
from iopdesk.domain.accounts import PracticeSettings
from iopdesk.domain.enums import NoteFormat, SessionKind

if TYPE_CHECKING:
    from iopdesk.demo.base import Ctx


def write_groups(ctx: Ctx, track: TrackInfo, slots: list[tuple[int, Slot]],
                 closed: dict[date, str], episodes: list[EpisodePlan],
                 cancelled: set[tuple[int, date]], week: Week) -> None:
    """Meetings from the weekly schedule (as far ahead as the practice generates them; those
    of a closed day cancelled as the schedule service cancels them), attendance of the past
    days, and the group sessions with notes."""
    rng = ctx.rng
    waiting = sorted(episodes, key=lambda e: (e.admission, e.id), reverse=True)
    present: list[EpisodePlan] = []
    ahead = [e for e in episodes if any(key[0] == e.id for key in week.planned)]
    day = ctx.start
    last = ctx.as_of + timedelta(weeks=PracticeSettings().meetings_ahead_weeks) - \
        timedelta(days=1)
    made = ctx.as_of - timedelta(days=1)        # the meetings ahead: generated yesterday
    while day <= last:
        todays = [(w, s) for w, s in slots if w == day.weekday()]
        if not todays:
            day += timedelta(days=1)
            continue
        while waiting and waiting[-1].admission <= day:
            present.append(waiting.pop())
        present = [e for e in present if e.last_day(ctx.as_of) >= day]
        shapes = {e.id: day_shape(rng, week, e, day) for e in present}
        for index, (_, slot) in enumerate(todays):
            facilitator = track.facilitators[(day.toordinal() + index) % len(track.facilitators)]
            topic = rng.choice(data.TOPICS[data.MODALITY[slot.title]])
            reason = (f"Closed: {closed[day]}" if day in closed else "Facilitator ill"
                      if (slot.schedule_id, day) in cancelled else "")
            meeting_id = ctx.sink.add(
                GroupMeeting, ctx.at(min(day - timedelta(days=7), made), 8),
                schedule_id=slot.schedule_id,
                track_id=track.id, meeting_date=day, start_time=slot.start, end_time=slot.end,
                title=slot.title, topic=topic, facilitator_id=facilitator,
                cancelled=bool(reason), cancel_reason=reason)
            if reason:
                continue
            if day >= ctx.as_of:
                write_ahead(ctx, week, meeting_id, day, ahead)
                continue
            attended = [ep for ep in present
                        if write_attendance(ctx, week, meeting_id, day, slot, index,
                                            len(todays), ep, shapes[ep.id], facilitator)]
            if attended and day >= ctx.detail_from:
                _group_session(ctx, meeting_id, day, slot, topic, facilitator, attended)
        ctx.sink.maybe_flush()
        day += timedelta(days=1)


def _group_session(ctx: Ctx, meeting_id: int, day: date, slot: Slot, topic: str,
                   facilitator: int, attended: list[EpisodePlan]) -> None:
    rng = ctx.rng
    written = ctx.at(day, slot.end.hour, slot.end.minute) + timedelta(minutes=20)
    modality = data.MODALITY[slot.title]
    minutes = (slot.end.hour - slot.start.hour) * 60 + slot.end.minute - slot.start.minute
    session_id = ctx.sink.add(
        ClinicalSession, written, kind=SessionKind.GROUP, meeting_id=meeting_id,
        clinician_id=facilitator, session_date=day, start_time=slot.start, minutes=minutes,
        modality=modality, cpt_code="90853", topic=topic,
        shared_narrative=f"{slot.title}: {topic}. The facilitator introduced the skill, led a "
                         f"discussion and a practice exercise ({modality}); members set a goal "
                         "for the week.")
    for ep in attended:
        sections = {"data": f"{slot.title} ({topic}). {rng.choice(data.PARTICIPATION)}",
                    "assessment": rng.choice(data.RESPONSE),
                    "plan": f"{rng.choice(data.NEXT_STEP)} Objective: "
                            f"{rng.choice(ep.objectives)}"}
        note(ctx, session_id, ep, facilitator, NoteFormat.DAP, sections, written)
