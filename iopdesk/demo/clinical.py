"""The clinical history of the demo practice: each episode's chart (diagnoses, intake, plan and
reviews, measures, sessions, safety and relapse-prevention plans, discharge).

Called by `iopdesk.demo.practice` only; rows go through its sink (ids handed out there, bulk
inserted table by table). Every date and time is derived from the build's `as_of`.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from iopdesk.db.models import (ClinicalSession, Diagnosis, Goal, IntakeAssessment, Intervention,
                               Objective, ObjectiveRating, PlanReview, Problem,
                               RelapsePreventionPlan, SafetyPlan, TreatmentPlan)
from iopdesk.demo import data
from iopdesk.demo.course import discharge, measures, sessions
from iopdesk.demo.records import INTAKE_COSIGN_DAYS, EpisodePlan, note, sign
from iopdesk.domain.clinical import (INTAKE_TEXT_FIELDS, AsamRating, IntakeInput, check_intake,
                                     check_signable, intake_content)
from iopdesk.domain.enums import (LevelOfCare, NoteFormat, ObjectiveStatus, PlanStatus,
                                  ReviewDecision, SessionKind)

if TYPE_CHECKING:
    from iopdesk.demo.base import Ctx


# ------------------------------------------------------------------------- one episode
def write_episode(ctx: Ctx, ep: EpisodePlan) -> None:
    """Diagnoses, intake, plan and reviews, measures, sessions, safety, discharge (the
    authorizations are written after the attendance, whose days they count)."""
    if ep.admission >= ctx.as_of:
        return  # referred, not yet admitted
    rng = ctx.rng
    categories, codes = _diagnoses(ctx, ep)
    _intake(ctx, ep, codes)
    _plan(ctx, ep, categories)
    measures(ctx, ep)
    individual, family = sessions(ctx, ep)
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
    if ep.end is not None and ep.discharge_type is not None:
        discharge(ctx, ep, individual, family)


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
# Where no substance diagnosis is given, dimensions 1 and 5 speak of symptoms, not use.
NO_USE_NOTES = {
    1: ("No problem use; no withdrawal risk.", "No problem use; no withdrawal risk."),
    5: ("Some coping skills; symptoms eased before with structure.",
        "Symptoms likely to return without structure."),
}
# The medical history agrees with dimension 2's note.
MEDICAL_HISTORIES = ("No chronic conditions reported.",
                     "Asthma since childhood; inhaler as needed, poorly controlled this year.")


def _asam_note(dimension: int, rating: int, uses: bool) -> str:
    notes = ASAM_NOTES[dimension - 1] if uses else NO_USE_NOTES.get(
        dimension, ASAM_NOTES[dimension - 1])
    return notes[rating >= 2]


def _intake(ctx: Ctx, ep: EpisodePlan, codes: list[str]) -> None:
    """The intake tells the story of the diagnoses: its presenting problem and histories
    follow the primary diagnosis (and a second, mental-health one when given)."""
    rng = ctx.rng
    teen = ep.track.adolescent
    written = ctx.at(ep.admission, 11)
    ep.count(ep.admission, 60)
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
        medical_history=MEDICAL_HISTORIES[ratings[1] >= 2],
        medications=("Buprenorphine-naloxone 8 mg/2 mg daily, started by primary care."
                     if primary == "opioid" else "None reported."),
        risk_screening=("Columbia screen: a passive wish to be dead in the past month, no plan "
                        "or intent; safety plan made the same day."
                        if "suicide_item" in ep.flags else
                        "Columbia screen negative today; no access to firearms reported."),
        strengths_supports=("Close to a parent; engaged with the school counselor; plays soccer."
                            if teen else "Motivated for change; supportive sibling; "
                                         "employed part time."),
        asam={d: AsamRating(rating, _asam_note(d, rating, bool(substance)))
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


