"""The group program of the demo practice: meetings generated from the weekly schedule,
attendance of every participant whose episode is open that day, and the group sessions with one
individualized note per attendee (called by `iopdesk.demo.practice`)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from iopdesk.db.models import Attendance, ClinicalSession, GroupMeeting
from iopdesk.demo import data
from iopdesk.demo.clinical import EpisodePlan, TrackInfo, note
from iopdesk.domain.enums import AttendanceStatus, NoteFormat, SessionKind

if TYPE_CHECKING:
    from iopdesk.demo.base import Ctx

ST = AttendanceStatus


@dataclass(frozen=True)
class Slot:
    schedule_id: int
    start: time
    end: time
    title: str


def write_groups(ctx: Ctx, track: TrackInfo, slots: list[tuple[int, Slot]], closed: set[date],
                 episodes: list[EpisodePlan], cancelled: set[tuple[int, date]]) -> None:
    """Meetings from the weekly schedule, attendance, and the group sessions with notes."""
    rng = ctx.rng
    waiting = sorted(episodes, key=lambda e: (e.admission, e.id), reverse=True)
    present: list[EpisodePlan] = []
    day, last = ctx.start, ctx.as_of + timedelta(days=6)
    while day <= last:
        todays = [(w, s) for w, s in slots if w == day.weekday()]
        if not todays or day in closed:
            day += timedelta(days=1)
            continue
        while waiting and waiting[-1].admission <= day:
            present.append(waiting.pop())
        present = [e for e in present if e.last_day(ctx.as_of) >= day]
        statuses = {e.id: _day_status(rng, e, day) for e in present}
        for index, (_, slot) in enumerate(todays):
            facilitator = track.facilitators[(day.toordinal() + index) % len(track.facilitators)]
            topic = rng.choice(data.TOPICS[data.MODALITY[slot.title]])
            stop_cancel = (slot.schedule_id, day) in cancelled
            meeting_id = ctx.sink.add(
                GroupMeeting, ctx.at(day - timedelta(days=7), 8), schedule_id=slot.schedule_id,
                track_id=track.id, meeting_date=day, start_time=slot.start, end_time=slot.end,
                title=slot.title, topic=topic, facilitator_id=facilitator,
                cancelled=stop_cancel, cancel_reason="Facilitator ill" if stop_cancel else "")
            if stop_cancel or day >= ctx.as_of:
                continue
            attended = _attendance(ctx, meeting_id, day, slot, index, len(todays), present,
                                   statuses)
            if attended and day >= ctx.detail_from:
                _group_session(ctx, meeting_id, day, slot, topic, facilitator, attended)
        ctx.sink.maybe_flush()
        day += timedelta(days=1)


def _day_status(rng: random.Random, ep: EpisodePlan, day: date) -> AttendanceStatus:
    if ep.last_seen is not None and day > ep.last_seen:
        return ST.ABSENT
    r = rng.random()
    if r < ep.absent_rate:
        return ST.EXCUSED if r < ep.absent_rate * 0.55 else ST.ABSENT
    r -= ep.absent_rate
    return ST.LATE if r < 0.05 else ST.LEFT_EARLY if r < 0.08 else ST.PRESENT


def _attendance(ctx: Ctx, meeting_id: int, day: date, slot: Slot, index: int, count: int,
                present: list[EpisodePlan], statuses: dict[int, AttendanceStatus]
                ) -> list[EpisodePlan]:
    rng = ctx.rng
    begin = ctx.at(day, slot.start.hour, slot.start.minute)
    finish = ctx.at(day, slot.end.hour, slot.end.minute)
    window = int((finish - begin).total_seconds() // 60)
    attended = []
    for ep in present:
        status = statuses[ep.id]
        if status == ST.LATE and index > 0 or status == ST.LEFT_EARLY and index < count - 1:
            status = ST.PRESENT
        check_in = check_out = None
        reason = ""
        if status in (ST.ABSENT, ST.EXCUSED):
            reason = (rng.choice(("Illness", "Medical appointment", "Work schedule (called "
                                  "ahead)", "Family emergency", "Court date"))
                      if status == ST.EXCUSED else "No call, no show" if rng.random() < .7
                      else "Transportation")
        else:
            check_in, check_out = begin, finish
            if status == ST.LATE:
                check_in = begin + timedelta(minutes=rng.randint(8, 25))
            elif status == ST.LEFT_EARLY:
                check_out = finish - timedelta(minutes=rng.randint(10, 35))
            attended.append(ep)
        credited = int((check_out - check_in).total_seconds() // 60) if check_in else 0
        ctx.sink.add(Attendance, check_in or begin, meeting_id=meeting_id, episode_id=ep.id,
                     status=status, check_in_at=check_in, check_out_at=check_out,
                     minutes_credited=min(credited, window), absence_reason=reason,
                     recorded_by_id=ctx.frontdesk_id, updated_at=check_out or finish)
    return attended


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
