"""The clinical history of the demo practice: each episode's chart, and the group program.

Called by `iopdesk.demo.practice` only; rows go through its sink (ids handed out there, bulk
inserted table by table). Every date and time is derived from the build's `as_of`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from iopdesk.db.models import (AftercareReferral, Authorization, ClinicalSession, Diagnosis,
                               Discharge, Goal, IntakeAssessment, Intervention, MeasureResult,
                               Note, Objective, ObjectiveRating, PlanReview, Problem,
                               RelapsePreventionPlan, SafetyPlan, SessionContact, Signature,
                               TreatmentPlan)
from iopdesk.demo import data
from iopdesk.domain.clinical import (INTAKE_TEXT_FIELDS, AsamRating, IntakeInput, check_intake,
                                     check_signable, intake_content, signing_status)
from iopdesk.domain.enums import (DischargeType, Instrument, LevelOfCare, NoteFormat, NoteStatus,
                                  ObjectiveStatus, PlanStatus, ReviewDecision, SessionKind,
                                  SignatureKind)
from iopdesk.services.intake import content_hash

if TYPE_CHECKING:
    from iopdesk.demo.base import Ctx

DRAFT_DAYS = 4        # notes of the last four days are still drafts
COSIGN_DAYS = 7       # an associate's notes are co-signed a week later
INTAKE_COSIGN_DAYS = 21   # and intakes three weeks later: the supervisor's queue has some


@dataclass(frozen=True)
class TrackInfo:
    id: int
    adolescent: bool
    focus: str
    review_days: int
    weekdays: tuple[int, ...]
    start: tuple[int, int]
    titles: tuple[str, ...]
    facilitators: tuple[int, ...]


@dataclass
class EpisodePlan:
    id: int
    participant_id: int
    name: str
    guardian: str             # who signs for an adolescent, else ""
    sex: str
    track: TrackInfo
    admission: date
    end: date | None          # discharge date; None while the episode is open
    discharge_type: str | None
    clinician_id: int
    absent_rate: float
    severity: float           # 0..1 at intake
    last_seen: date | None    # no attendance after this day
    family: tuple[int, ...]   # contact ids who come to family sessions
    coverage_id: int | None
    payer_code: str
    flags: frozenset[str] = frozenset()   # suicide_item, plan_v2, review_overdue
    objectives: tuple[str, ...] = ()      # named in the group notes

    def last_day(self, as_of: date) -> date:
        return min(self.end or as_of, as_of - timedelta(days=1))


def sign(ctx: Ctx, doc: str, doc_id: int, author_id: int, when: datetime, content: object,
         *, signer: str = "", guardian: str = "", cosign_days: int = COSIGN_DAYS) -> NoteStatus:
    """The author's signature (and a participant's, a guardian's, a co-signer's when due);
    each holds the SHA-256 of `content` as the services hash what is signed."""
    name, creds, needs_cosign = ctx.staff_info[author_id]
    digest = content_hash(content)
    rows = [(SignatureKind.AUTHOR, author_id, name, creds, when)]
    for kind, who in ((SignatureKind.PARTICIPANT, signer), (SignatureKind.GUARDIAN, guardian)):
        if who:
            rows.append((kind, None, who, "", when))
    status = signing_status(needs_cosign)          # awaiting the supervisor, until…
    if needs_cosign and when.date() <= ctx.as_of - timedelta(days=cosign_days):
        sup_name, sup_creds, _ = ctx.staff_info[ctx.supervisor_id]
        rows.append((SignatureKind.COSIGNER, ctx.supervisor_id, sup_name, sup_creds,
                     when + timedelta(days=2)))
        status = NoteStatus.COSIGNED
    for kind, user_id, who, credentials, signed_at in rows:
        ctx.sink.add(Signature, signed_at, **{doc: doc_id}, kind=kind, signer_user_id=user_id,
                     signer_name=who, signer_credentials=credentials, signed_at=signed_at,
                     content_hash=digest)
    return status


def note(ctx: Ctx, session_id: int, ep: EpisodePlan, author_id: int, fmt: NoteFormat,
         sections: dict, written: datetime) -> None:
    draft = written.date() >= ctx.as_of - timedelta(days=DRAFT_DAYS)
    note_id = ctx.sink.new_id(Note)
    status, signed_at = NoteStatus.DRAFT, None
    if not draft:
        signed_at = written + timedelta(minutes=30)
        status = sign(ctx, "note_id", note_id, author_id, signed_at, sections)
    ctx.sink.add(Note, written, id=note_id, session_id=session_id, episode_id=ep.id,
                 author_id=author_id, format=fmt, sections=sections, status=status,
                 signed_at=signed_at, updated_at=signed_at or written)


# ------------------------------------------------------------------------- one episode
def write_episode(ctx: Ctx, ep: EpisodePlan) -> None:
    """Diagnoses, intake, plan and reviews, measures, sessions, safety, discharge."""
    if ep.admission >= ctx.as_of:
        return  # referred, not yet admitted
    rng = ctx.rng
    categories, codes = _diagnoses(ctx, ep)
    _intake(ctx, ep, codes)
    _plan(ctx, ep, categories)
    _measures(ctx, ep)
    individual, family = _sessions(ctx, ep)
    when = ctx.at(ep.admission + timedelta(days=3), 14)
    if ep.track.adolescent or ep.severity > 0.75 or "suicide_item" in ep.flags:
        ctx.sink.add(SafetyPlan, when, episode_id=ep.id, updated_by_id=ep.clinician_id,
                     warning_signs="Isolating in my room; not sleeping; thinking I'm a burden.",
                     internal_coping="Music, a hot shower, the 5-4-3-2-1 grounding exercise.",
                     social_distractions="Call my cousin; walk to the park; the library.",
                     people_to_ask=f"{'Parent' if ep.track.adolescent else 'Partner'}; my "
                                   "sponsor; primary clinician (555) 201-0100.",
                     professionals="988 Suicide & Crisis Lifeline (call or text 988); 911; "
                                   "Willow Creek on-call (555) 201-0199.",
                     environment_safety="Medications locked away by a family member.",
                     reasons_for_living=rng.choice(("My kids.", "My dog and my sister.",
                                                    "Finishing school.", "Getting well.")))
    if ep.track.focus != "mental_health":
        ctx.sink.add(RelapsePreventionPlan, when, episode_id=ep.id, updated_by_id=ep.clinician_id,
                     triggers="Payday; arguments at home; old friends who still use.",
                     coping_responses="Leave, call my sponsor, urge-surf for 20 minutes.",
                     supports="Sponsor, brother, Tuesday SMART Recovery meeting.",
                     early_warning_signs="Skipping meetings, romanticising use, poor sleep.",
                     after_a_lapse="Tell my counselor and sponsor the same day; no shame spiral.")
    _authorizations(ctx, ep)
    if ep.end is not None and ep.discharge_type is not None:
        _discharge(ctx, ep, individual, family)


def _diagnoses(ctx: Ctx, ep: EpisodePlan) -> tuple[list[str], list[str]]:
    """The plan's problem categories, and the codes given (the primary first)."""
    rng = ctx.rng
    focus = ep.track.focus
    picks = [rng.choice(data.SUD_PRIMARY if focus != "mental_health" else data.MH_PRIMARY)]
    categories = ["substance" if focus != "mental_health" else "mood"]
    if focus == "co_occurring" or rng.random() < 0.5:
        picks.append(rng.choice(data.MH_PRIMARY[:4]))
    if ep.track.adolescent:
        categories.append("family")
        if rng.random() < 0.4:
            picks.append(rng.choice(data.TEEN_EXTRA))
    if picks[-1][0].startswith("F41") or (categories == ["mood"] and rng.random() < 0.4):
        categories.append("anxiety")
    elif len(picks) > 1 and "mood" not in categories:
        categories.append("mood")
    seen: set[str] = set()
    for position, (code, description) in enumerate(picks):
        if code in seen:
            continue
        seen.add(code)
        ctx.sink.add(Diagnosis, ctx.at(ep.admission, 11), episode_id=ep.id, icd10_code=code,
                     description=description, is_primary=position == 0,
                     onset_date=ep.admission - timedelta(days=rng.randint(60, 2500)),
                     added_by_id=ep.clinician_id)
    return categories[:3], [code for code, _ in picks]


# The note of each ASAM dimension, for a low (0-1) and a higher (2-4) rating.
ASAM_NOTES = (
    ("No withdrawal signs; last use reported 5 days ago.",
     "Mild withdrawal symptoms; last use yesterday."),
    ("No acute medical issues.", "Poorly controlled asthma; follows up with primary care."),
    ("Mood and anxiety symptoms; no psychosis.",
     "Depressed and anxious mood; poor sleep; no psychosis."),
    ("Engaged and asking for help.", "Ambivalent but attending."),
    ("Some coping skills; has stayed abstinent for weeks before.",
     "High relapse risk without structure."),
    ("Supportive family; stable housing.", "Conflict at home; unstable housing."))

def _intake(ctx: Ctx, ep: EpisodePlan, codes: list[str]) -> None:
    """The intake tells the story of the diagnoses: its presenting problem and histories
    follow the primary diagnosis (and a second, mental-health one when given)."""
    rng = ctx.rng
    teen = ep.track.adolescent
    written = ctx.at(ep.admission, 11)
    session_id = ctx.sink.add(
        ClinicalSession, written, kind=SessionKind.INTAKE, episode_id=ep.id,
        clinician_id=ep.clinician_id, session_date=ep.admission, start_time=time(10),
        minutes=60, modality="Assessment", cpt_code="90791", topic="Intake assessment")
    note(ctx, session_id, ep, ep.clinician_id, NoteFormat.NARRATIVE,
         {"narrative": "Psychiatric diagnostic evaluation; see the intake assessment."}, written)
    families = [data.story_family(code) for code in codes]
    primary = families[0]
    mental = next((f for f in families if f not in data.SUBSTANCE_FAMILIES), "")
    substance = next((f for f in families if f in data.SUBSTANCE_FAMILIES), "")
    base = round(ep.severity * 3)
    ratings = [max(0, min(4, base + rng.randint(-1, 1))) for _ in ASAM_NOTES]
    intake = check_intake(IntakeInput(
        assessed_on=ep.admission,
        presenting_problem=rng.choice(data.PRESENTING_PROBLEMS[primary, teen]),
        substance_use_history=data.SUBSTANCE_HISTORIES.get((substance, teen),
                                                           data.NO_SUBSTANCE_HISTORY[teen]),
        mental_health_history=data.MENTAL_HEALTH_HISTORIES.get(
            mental, "No mental-health treatment before; no hospitalizations."),
        medical_history="No chronic conditions reported.",
        medications=("Buprenorphine-naloxone 8 mg/2 mg daily, started by primary care."
                     if primary == "opioid" else "None reported."),
        risk_screening=("Columbia screen: a passive wish to be dead in the past month, no plan "
                        "or intent; safety plan made the same day."
                        if "suicide_item" in ep.flags else
                        "Columbia screen negative today; no access to firearms reported."),
        strengths_supports=("Close to a parent; engaged with the school counselor; plays soccer."
                            if teen else "Motivated for change; supportive sibling; "
                                         "employed part time."),
        asam={d: AsamRating(rating, ASAM_NOTES[d - 1][rating >= 2])
              for d, rating in enumerate(ratings, 1)},
        recommended_level=LevelOfCare.IOP), ep.admission)
    check_signable(intake)
    intake_id = ctx.sink.new_id(IntakeAssessment)
    signed = written + timedelta(hours=3)
    status = sign(ctx, "intake_id", intake_id, ep.clinician_id, signed,
                  intake_content(ep.id, intake), cosign_days=INTAKE_COSIGN_DAYS)
    ctx.sink.add(
        IntakeAssessment, written, id=intake_id, episode_id=ep.id, clinician_id=ep.clinician_id,
        assessed_on=intake.assessed_on,
        **{name: getattr(intake, name) for name in INTAKE_TEXT_FIELDS},
        asam_dimensions={str(n): {"rating": r.rating, "note": r.note}
                         for n, r in sorted(intake.asam.items())},
        recommended_level=intake.recommended_level, status=status, signed_at=signed,
        updated_at=signed)


def _plan(ctx: Ctx, ep: EpisodePlan, categories: list[str]) -> None:
    rng, interval = ctx.rng, ep.track.review_days
    effective = ep.admission + timedelta(days=rng.randint(1, 5))
    stop = ep.last_day(ctx.as_of)
    draft = effective > stop
    plan_id, objectives = _plan_version(ctx, ep, categories, 1, None, min(effective, stop), draft)
    ep.objectives = tuple(text for category in categories
                          for text in data.PLAN_TEMPLATES[category][2][:2])
    if draft:
        return
    reviews, next_due = [], effective + timedelta(days=interval)
    while next_due <= stop:
        reviews.append(next_due - timedelta(days=rng.randint(0, 2)))
        next_due = reviews[-1] + timedelta(days=interval)
    if "review_overdue" in ep.flags and ep.end is None and reviews:
        reviews.pop()
        next_due = (reviews[-1] if reviews else effective) + timedelta(days=interval)
    version = 1
    for index, review_date in enumerate(reviews):
        modify = index == 0 and "plan_v2" in ep.flags
        last = index == len(reviews) - 1 and ep.end is not None
        decision = (ReviewDecision.MODIFY if modify else
                    ReviewDecision.RESOLVE if last and ep.discharge_type == "completed"
                    else ReviewDecision.CONTINUE)
        following = review_date + timedelta(days=interval)
        when = ctx.at(review_date, 16)
        review_id = ctx.sink.new_id(PlanReview)
        ratings = [(oid, ObjectiveStatus.ACHIEVED if rng.random() < 0.15 * (index + 1)
                    else ObjectiveStatus.PROGRESSING) for oid in objectives]
        sign(ctx, "review_id", review_id, ep.clinician_id, when, ratings, signer=ep.name)
        ctx.sink.add(PlanReview, when, id=review_id, plan_id=plan_id, review_date=review_date,
                     reviewer_id=ep.clinician_id, decision=decision, next_review_date=following,
                     participant_view=rng.choice(("“Groups are helping me.”",
                                                  "“Still hard at home, but better.”",
                                                  "“I feel stronger.”")),
                     summary="Objectives reviewed with the participant.", signed_at=when)
        for objective_id, status in ratings:
            ctx.sink.add(ObjectiveRating, when, review_id=review_id, objective_id=objective_id,
                         status=status, comment="")
        if modify:
            ctx.sink.update(TreatmentPlan, plan_id, status=PlanStatus.SUPERSEDED,
                            next_review_due=None, updated_at=when)
            version += 1
            plan_id, objectives = _plan_version(ctx, ep, categories, version, plan_id,
                                                review_date, False)
    closed = ep.end is not None
    ctx.sink.update(TreatmentPlan, plan_id, next_review_due=None if closed else next_due,
                    status=PlanStatus.CLOSED if closed else PlanStatus.SIGNED)


def _plan_version(ctx: Ctx, ep: EpisodePlan, categories: list[str], number: int,
                  supersedes: int | None, effective: date, draft: bool) -> tuple[int, list[int]]:
    when = ctx.at(effective, 15)
    plan_id = ctx.sink.new_id(TreatmentPlan)
    statement = "“I want to keep going and use my skills.”" if number > 1 else ""
    signed_at = None if draft else when
    if not draft:
        sign(ctx, "plan_id", plan_id, ep.clinician_id, when, [plan_id, categories],
             signer=ep.name, guardian=ep.guardian)
    ctx.sink.add(TreatmentPlan, when, id=plan_id, episode_id=ep.id, plan_number=number,
                 supersedes_id=supersedes, effective_date=effective, author_id=ep.clinician_id,
                 status=PlanStatus.DRAFT if draft else PlanStatus.SIGNED,
                 next_review_due=None if draft else effective + timedelta(
                     days=ep.track.review_days),
                 participant_statement=statement, signed_at=signed_at)
    objectives = []
    for p_pos, category in enumerate(categories):
        problem, goal, objective_texts, interventions = data.PLAN_TEMPLATES[category]
        problem_id = ctx.sink.add(Problem, when, plan_id=plan_id, position=p_pos,
                                  statement=problem)
        goal_id = ctx.sink.add(Goal, when, problem_id=problem_id, position=0, statement=goal)
        for o_pos, text in enumerate(objective_texts[:2]):
            if number > 1 and o_pos == 1:
                text = "Revised: " + text
            objective_id = ctx.sink.add(
                Objective, when, goal_id=goal_id, position=o_pos, statement=text,
                target_date=effective + timedelta(days=60),
                status=ObjectiveStatus.NOT_STARTED if draft else ObjectiveStatus.PROGRESSING)
            objectives.append(objective_id)
            description, modality, frequency = interventions[o_pos % len(interventions)]
            ctx.sink.add(Intervention, when, objective_id=objective_id, position=0,
                         description=description, modality=modality, frequency=frequency,
                         responsible_staff_id=ep.clinician_id)
    return plan_id, objectives


def _measures(ctx: Ctx, ep: EpisodePlan) -> None:
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


def _sessions(ctx: Ctx, ep: EpisodePlan) -> tuple[int, int]:
    """Weekly individual sessions; family sessions every other week for adolescents."""
    rng = ctx.rng
    stop = ep.last_day(ctx.as_of)
    first = max(ep.admission, ctx.detail_from)
    counts = [0, 0]
    day = ep.admission + timedelta(days=rng.randint(3, 6))
    week = 0
    while day <= stop:
        if day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)
        family = bool(ep.family) and (week % 2 == 1 if ep.track.adolescent else week == 2)
        if day >= first and (ep.last_seen is None or day <= ep.last_seen):
            counts[family] += 1
            _session(ctx, ep, day, family)
        week += 1
        day = ep.admission + timedelta(days=7 * week + rng.randint(3, 6))
    return counts[0], counts[1]


def _session(ctx: Ctx, ep: EpisodePlan, day: date, family: bool) -> None:
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
                      cpt_code="90837" if minutes >= 53 else "90834", topic="Individual therapy")
        sections = {"subjective": rng.choice(data.INDIVIDUAL_SUBJECTIVE),
                    "objective": "Alert, oriented, cooperative; affect congruent.",
                    "assessment": rng.choice(data.INDIVIDUAL_ASSESSMENT),
                    "plan": rng.choice(data.NEXT_STEP)}
        fmt = NoteFormat.SOAP
    session_id = ctx.sink.add(ClinicalSession, written, episode_id=ep.id,
                              clinician_id=ep.clinician_id, session_date=day,
                              start_time=time(hour), minutes=minutes, **fields)
    if family:
        for contact_id in ep.family[:2]:
            ctx.sink.add(SessionContact, None, session_id=session_id, contact_id=contact_id)
    note(ctx, session_id, ep, ep.clinician_id, fmt, sections, written)


def _authorizations(ctx: Ctx, ep: EpisodePlan) -> None:
    if ep.coverage_id is None:
        return
    start, stop = ep.admission, ep.end or ctx.as_of
    while start <= stop:
        ctx.sink.add(Authorization, ctx.at(start - timedelta(days=1), 9), episode_id=ep.id,
                     coverage_id=ep.coverage_id, units=len(ep.track.weekdays) * 4 + 1,
                     number=f"{ep.payer_code}-{ctx.rng.randint(100000, 999999)}",
                     unit_kind="day", start_date=start, end_date=start + timedelta(days=29))
        start += timedelta(days=30)


def _discharge(ctx: Ctx, ep: EpisodePlan, individual: int, family: int) -> None:
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
