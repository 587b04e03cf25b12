"""The course of a demo episode: measures every two weeks, weekly individual sessions (family
sessions for adolescents; a make-up session for a cancelled group), and the discharge with its
aftercare (called by `clinical`)."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from iopdesk.db.models import (AftercareReferral, ClinicalSession, Discharge, MeasureResult,
                               SessionContact)
from iopdesk.demo import data
from iopdesk.demo.records import EpisodePlan, note, sign
from iopdesk.domain.enums import (DischargeType, Instrument, LevelOfCare, NoteFormat,
                                  SessionKind)

if TYPE_CHECKING:
    from iopdesk.demo.base import Ctx


def measures(ctx: Ctx, ep: EpisodePlan) -> None:
    """PHQ-9 and GAD-7 every two weeks (AUDIT-C and DAST-10 at the ends), improving."""
    rng = ctx.rng
    stop = ep.last_day(ctx.as_of)
    days = [ep.admission + timedelta(days=k) for k in range(0, (stop - ep.admission).days + 1, 14)]
    if ep.end is not None and days[-1] != ep.end and ep.end < ctx.as_of:
        days.append(ep.end)
    worsen = ep.discharge_type == "transferred_higher"
    gain = rng.uniform(-0.3, -0.1) if worsen else rng.uniform(0.3, 0.8)
    instruments = ["phq9", "gad7"]
    substance = ep.track.focus != "mental_health"
    for k, day in enumerate(days):
        weeks = (day - ep.admission).days / 7
        severity = max(0.0, min(1.0, ep.severity * (1 - gain * weeks / 10)
                                + rng.uniform(-0.08, 0.08)))
        extra = ["auditc", "dast10"] if substance and (k == 0 or day == ep.end) else []
        for instrument in instruments + extra:
            suicide = 1 if (instrument == "phq9" and "suicide_item" in ep.flags
                            and k == len(days) - 1) else 0
            level = severity * (0.8 if instrument in ("auditc", "dast10") and k else 1)
            items, total, band, flags = data.measure(rng, instrument, level, ep.sex, suicide)
            ctx.sink.add(MeasureResult, ctx.at(day, 12), episode_id=ep.id,
                         instrument=Instrument(instrument), administered_on=day, items=items,
                         total=total, band=band, flags=flags, entered_by_id=ep.clinician_id)


def sessions(ctx: Ctx, ep: EpisodePlan) -> tuple[int, int]:
    """One session every calendar week after the admission's (whose intake stands for it), on
    a weekday of that week: individual; family every other week for adolescents. One a week,
    so each week's hours have its minutes on top of the groups."""
    rng = ctx.rng
    stop = ep.last_day(ctx.as_of)
    first = max(ep.admission, ctx.detail_from)
    counts = [0, 0]
    monday = ep.admission - timedelta(days=ep.admission.weekday()) + timedelta(weeks=1)
    week = 0
    while monday <= stop:
        day = monday + timedelta(days=rng.randint(0, 4))
        family = bool(ep.family) and (week % 2 == 1 if ep.track.adolescent else week == 2)
        if first <= day <= stop and (ep.last_seen is None or day <= ep.last_seen):
            counts[family] += 1
            _session(ctx, ep, day, family)
        week += 1
        monday += timedelta(weeks=1)
    if ep.make_up is not None:                  # the next day is an open weekday
        day = ep.make_up + timedelta(days=1)
        if first <= day <= stop and (ep.last_seen is None or day <= ep.last_seen):
            counts[0] += 1
            _session(ctx, ep, day, False,
                     f"Make-up for the group cancelled on {ep.make_up:%A} (facilitator ill)")
    return counts[0], counts[1]


def _session(ctx: Ctx, ep: EpisodePlan, day: date, family: bool,
             topic: str = "Individual therapy") -> None:
    rng = ctx.rng
    minutes = rng.choice((50, 55)) if family else rng.choice((45, 50, 53, 55, 60))
    hour = rng.choice((9, 10, 11, 13, 14))
    written = ctx.at(day, hour + 1)
    if family:
        fields = dict(kind=SessionKind.FAMILY, modality="Family therapy", cpt_code="90847",
                      topic="Family session: communication and supports")
        sections = {"behavior": rng.choice(data.PARTICIPATION),
                    "intervention": "Structured family communication exercise; reviewed plan.",
                    "response": rng.choice(data.RESPONSE), "plan": rng.choice(data.NEXT_STEP)}
        fmt = NoteFormat.BIRP
    else:
        fields = dict(kind=SessionKind.INDIVIDUAL, modality=rng.choice(("CBT", "MI", "DBT")),
                      cpt_code="90837" if minutes >= 53 else "90834", topic=topic)
        sections = {"subjective": rng.choice(data.INDIVIDUAL_SUBJECTIVE),
                    "objective": "Alert, oriented, cooperative; affect congruent.",
                    "assessment": rng.choice(data.INDIVIDUAL_ASSESSMENT),
                    "plan": rng.choice(data.NEXT_STEP)}
        fmt = NoteFormat.SOAP
    ep.count(day, minutes)
    session_id = ctx.sink.add(ClinicalSession, written, episode_id=ep.id,
                              clinician_id=ep.clinician_id, session_date=day,
                              start_time=time(hour), minutes=minutes, **fields)
    if family:
        for contact_id in ep.family[:2]:
            ctx.sink.add(SessionContact, None, session_id=session_id, contact_id=contact_id)
    note(ctx, session_id, ep, ep.clinician_id, fmt, sections, written)


def discharge(ctx: Ctx, ep: EpisodePlan, individual: int, family: int) -> None:
    """The signed discharge summary, with aftercare for those who completed or moved up."""
    rng, kind = ctx.rng, ep.discharge_type
    when = ctx.at(ep.end, 17)
    discharge_id = ctx.sink.new_id(Discharge)
    summary = (f"{individual} individual and {family} family sessions besides IOP groups; "
               "see the attendance and hours report.")
    status = sign(ctx, "discharge_id", discharge_id, ep.clinician_id, when, [summary, kind])
    completed = kind == "completed"
    ctx.sink.add(
        Discharge, when, id=discharge_id, episode_id=ep.id, discharge_date=ep.end,
        discharge_type=DischargeType(kind), reason=data.DISCHARGE_TEXT[kind],
        services_summary=summary,
        progress_summary="Met most objectives." if completed else "Partial progress.",
        condition_at_discharge="Stable, improved mood." if completed else "Guarded.",
        risk_at_discharge="Low; safety plan reviewed." if completed else "Moderate.",
        step_down_level=LevelOfCare.OUTPATIENT if completed else (
            LevelOfCare.PHP if kind == "transferred_higher" else None),
        medication_followup="Follow up with primary care in two weeks." if completed else "",
        support_groups=rng.choice(data.SUPPORT_GROUPS), crisis_resources=data.CRISIS,
        author_id=ep.clinician_id, status=status, signed_at=when)
    if completed or kind == "transferred_higher":
        for position, (provider, phone) in enumerate(data.AFTERCARE_PROVIDERS[:2]):
            ctx.sink.add(AftercareReferral, when, discharge_id=discharge_id, position=position,
                         kind="appointment" if position == 0 else "referral", provider=provider,
                         phone=phone, appointment_at=ctx.at(ep.end + timedelta(days=6 + position),
                                                            10),
                         notes="Bring the discharge summary.")
        ctx.sink.add(AftercareReferral, when, discharge_id=discharge_id, position=2,
                     kind="support_group", provider=rng.choice(data.SUPPORT_GROUPS))

