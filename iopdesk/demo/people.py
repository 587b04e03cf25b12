"""The participants of the demo practice: demographics, contacts, coverage, consents and the
dates of their episodes of care (the episodes' clinical content is in `clinical`)."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from iopdesk.db.models import Consent, Contact, Coverage, Disclosure, Episode, Participant
from iopdesk.demo import data
from iopdesk.demo.records import EpisodePlan, TrackInfo
from iopdesk.domain.enums import EpisodeStatus
from iopdesk.domain.names import search_key
from iopdesk.domain.validation import format_phone, phone_digits
from iopdesk.services.participants import FIRST_CHART_NUMBER

if TYPE_CHECKING:
    from iopdesk.demo.base import Ctx, Profile

# Discharge types of the small demo's discharged participants, in turn.
_SMALL_DISCHARGES = ("completed", "lost_to_contact", "completed", "against_advice", "completed",
                     "transferred_higher", "completed", "administrative", "completed", "other")
_LARGE_DISCHARGES = (("completed", 58), ("lost_to_contact", 14), ("against_advice", 11),
                     ("transferred_higher", 8), ("administrative", 5), ("other", 4))


@dataclass
class _Stay:
    admission: date
    end: date | None = None
    discharge_type: str | None = None
    last_seen: date | None = None

    @property
    def status(self) -> EpisodeStatus:
        return EpisodeStatus.DISCHARGED if self.end else EpisodeStatus.ACTIVE


def _small_stories(rng: random.Random, ctx: Ctx, profile: Profile) -> list[list[_Stay]]:
    """Open episodes, two referrals waiting for intake, one readmission, the rest discharged."""
    as_of, n = ctx.as_of, profile.participants
    week_first = as_of - timedelta(days=as_of.weekday())
    active = profile.active or 0
    kinds = (["active"] * active + ["referred"] * 2 + ["readmitted"]
             + ["discharged"] * max(0, n - active - 3))[:n]
    rng.shuffle(kinds)
    stories, discharged = [], 0
    for kind in kinds:
        if kind == "active":   # admitted before this week: its hours are a whole week's
            stories.append([_Stay(min(as_of - timedelta(days=rng.randint(3, 70)),
                                      week_first - timedelta(days=1)))])
        elif kind == "referred":
            stories.append([_Stay(as_of + timedelta(days=rng.randint(1, 7)))])
        elif kind == "readmitted":
            first = as_of - timedelta(days=rng.randint(150, 175))
            end = first + timedelta(days=rng.randint(25, 40))
            stories.append([_Stay(first, end, "lost_to_contact", end - timedelta(days=15)),
                            _Stay(as_of - timedelta(days=rng.randint(20, 45)))])
        else:
            admission = as_of - timedelta(days=rng.randint(45, profile.history_days))
            end = min(admission + timedelta(days=rng.randint(28, 84)), as_of - timedelta(days=3))
            kind = _SMALL_DISCHARGES[discharged % len(_SMALL_DISCHARGES)]
            discharged += 1
            seen = end - timedelta(days=15) if kind == "lost_to_contact" else None
            stories.append([_Stay(admission, end, kind, seen)])
    return stories


def _large_story(rng: random.Random, ctx: Ctx, profile: Profile) -> list[_Stay]:
    if rng.random() < 0.002:
        return [_Stay(ctx.as_of + timedelta(days=rng.randint(1, 10)))]
    kinds, weights = zip(*_LARGE_DISCHARGES, strict=True)
    stays = []
    admission = ctx.start + timedelta(days=rng.randint(0, profile.history_days - 1))
    while admission < ctx.as_of - timedelta(days=1):
        end = admission + timedelta(days=rng.randint(35, 120))
        if end >= ctx.as_of:
            stays.append(_Stay(admission))
            break
        kind = rng.choices(kinds, weights)[0]
        seen = end - timedelta(days=15) if kind == "lost_to_contact" else None
        stays.append(_Stay(admission, end, kind, seen))
        if rng.random() > 0.1:
            break
        admission = end + timedelta(days=rng.randint(30, 400))
    return stays or [_Stay(ctx.as_of - timedelta(days=rng.randint(1, 20)))]


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", search_key(text))


def _phone(rng: random.Random) -> str:
    return format_phone(f"5552{rng.randint(0, 999_999):06d}")


def make_people(ctx: Ctx, rng: random.Random, profile: Profile, tracks: list[TrackInfo],
                staff: dict[str, int]) -> list[EpisodePlan]:
    """Write participants with contacts, coverage, consents and episodes; the episode plans."""
    n = profile.participants
    if profile.active is not None:
        stories = _small_stories(rng, ctx, profile)
    else:
        stories = [_large_story(rng, ctx, profile) for _ in range(n)]
    people = []
    used: set[tuple[str, str]] = set()
    for i, stays in enumerate(stories):
        if i < len(data.FEATURED):
            first, middle, last, sex, preferred = data.FEATURED[i]
            teen = False
        else:
            sex = rng.choice("FM")
            for _ in range(20):   # the small demo should not look like it has duplicates
                first, middle, last, preferred = data.make_name(rng, sex)
                if (first, last) not in used or profile.active is None:
                    break
            teen = (i - len(data.FEATURED)) % 5 in (0, 2)
        used.add((first, last))
        people.append((stays[0].admission, i, first, middle, last, sex, preferred, teen, stays))
    people.sort(key=lambda p: (p[0], p[1]))
    adult = [t for t in tracks if not t.adolescent]
    young = [t for t in tracks if t.adolescent]
    episodes: list[EpisodePlan] = []
    revoked_done = profile.active is None   # the small demo has one revoked consent
    for number, (admitted, _, first, middle, last, sex, preferred, teen, stays) in enumerate(
            people):
        track = rng.choice(young if teen else adult)
        age_days = rng.randint(13 * 365 + 100, 17 * 365 + 300) if teen else rng.randint(
            18 * 365 + 30, 64 * 365)
        referral = min(admitted - timedelta(days=rng.randint(2, 10)),
                       ctx.as_of - timedelta(days=1))
        when = ctx.at(referral, 10, rng.choice((5, 20, 35, 50)))
        street = f"{rng.randint(100, 9899)} {rng.choice(data.STREETS)}"
        city, postal = rng.choice(data.CITIES)
        phone = _phone(rng)
        latest = stays[-1]
        they = rng.random() < 0.04
        participant_id = ctx.sink.add(
            Participant, when, chart_number=str(FIRST_CHART_NUMBER + number), first_name=first,
            middle_name=middle, last_name=last, preferred_name=preferred,
            first_name_key=search_key(first), last_name_key=search_key(last),
            preferred_name_key=search_key(preferred),
            pronouns="they/them" if they else "she/her" if sex == "F" else "he/him",
            date_of_birth=admitted - timedelta(days=age_days),
            sex_at_birth="Female" if sex == "F" else "Male",
            gender_identity="Non-binary" if they else "Woman" if sex == "F" else "Man",
            phone=phone, phone_digits=phone_digits(phone),
            phone_ok_to_leave_message=rng.random() < 0.6,
            alt_phone=_phone(rng) if rng.random() < 0.2 else "",
            email=(f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 99)}@example.org"
                   if rng.random() < 0.75 else ""),
            address_line1=street, address_line2="Apt 4B" if rng.random() < 0.2 else "",
            city=city, state="OR", postal_code=postal,
            preferred_contact=rng.choice(("Phone", "Text message", "E-mail")),
            referral_source=rng.choice(data.REFERRAL_TEEN if teen else data.REFERRAL_ADULT),
            referral_date=referral,
            current_status=(EpisodeStatus.REFERRED if latest.admission >= ctx.as_of
                            else latest.status), current_track_id=track.id)
        name = f"{first} {last}"
        family, guardian = _contacts(ctx, rng, participant_id, last, teen, street, city, when)
        coverage_id, payer_code, payer = _coverage(ctx, rng, participant_id, name, guardian,
                                                   teen, admitted, when)
        clinician = None
        for stay in stays:
            old = (stay.end or ctx.as_of) < ctx.as_of - timedelta(days=400)
            pool = ["clinician", "supervisor", "associate", "priya"] + (["lars"] if old else [])
            clinician = staff[rng.choices(pool, (4, 2, 3, 3, 4)[:len(pool)])[0]]
            referred = stay.admission >= ctx.as_of
            ref_day = min(stay.admission - timedelta(days=rng.randint(2, 10)),
                          ctx.as_of - timedelta(days=1))
            episode_id = ctx.sink.add(
                Episode, ctx.at(ref_day, 11), participant_id=participant_id, track_id=track.id,
                referral_date=ref_day, admission_date=stay.admission,
                primary_clinician_id=clinician,
                status=EpisodeStatus.REFERRED if referred else stay.status,
                discharge_date=stay.end, certification_date=None if referred else stay.admission,
                updated_at=ctx.at(stay.end, 17) if stay.end else ctx.at(ref_day, 11))
            struggling = stay.discharge_type in ("against_advice", "administrative",
                                                 "lost_to_contact")
            episodes.append(EpisodePlan(
                id=episode_id, participant_id=participant_id, name=name,
                guardian=guardian, sex=sex, track=track, admission=stay.admission, end=stay.end,
                discharge_type=stay.discharge_type, clinician_id=clinician,
                absent_rate=rng.uniform(0.12, 0.25) if struggling else rng.uniform(0.02, 0.1),
                severity=rng.uniform(0.35, 0.9), last_seen=stay.last_seen, family=family,
                coverage_id=coverage_id, payer_code=payer_code, payer=payer))
        ctx.sink.update(Participant, participant_id, primary_clinician_id=clinician)
        revoke = not revoked_done and stays[-1].end is not None
        revoked_done = revoked_done or revoke
        _consents(ctx, rng, participant_id, name, guardian, payer, stays, track, clinician,
                  revoked=revoke)
        ctx.sink.maybe_flush()
        if (number + 1) % 5000 == 0:
            ctx.sink.say(f"participants {number + 1:,}/{n:,}")
    _flag(ctx, episodes, profile)
    return episodes


def _contacts(ctx: Ctx, rng: random.Random, participant_id: int, last: str, teen: bool,
              street: str, city: str, when) -> tuple[tuple[int, ...], str]:
    """Emergency contact, guardians; (contact ids for family sessions, guardian's name)."""
    rows = []
    if teen:
        for relation, sex in rng.sample((("Mother", "F"), ("Father", "M")), rng.randint(1, 2)):
            rows.append((relation, sex, True))
        if rng.random() < 0.3:
            rows.append(("Grandmother", "F", False))
    else:
        relation = rng.choice(data.RELATIONS_ADULT)
        rows.append((relation, "M" if relation in ("Father", "Brother") else
                     "F" if relation in ("Mother", "Sister") else rng.choice("FM"), False))
    ids, guardian = [], ""
    for position, (relation, sex, is_guardian) in enumerate(rows):
        first, _, other_last, _ = data.make_name(rng, sex)
        family_name = other_last if relation in ("Friend", "Partner") else last
        name = f"{first} {family_name}"
        guardian = guardian or (name if is_guardian else "")
        contact_id = ctx.sink.add(
            Contact, when, participant_id=participant_id, name=name,
            relationship_to_participant=relation, phone=_phone(rng),
            email=f"{_ascii(first)}.{_ascii(family_name)}@example.org" if position == 0 else "",
            address=f"{street}, {city}, OR" if relation != "Friend" else "",
            is_guardian=is_guardian, is_emergency=position == 0, may_contact=True)
        if relation != "Friend":
            ids.append(contact_id)
    return tuple(ids), guardian


def _coverage(ctx: Ctx, rng: random.Random, participant_id: int, name: str, guardian: str,
              teen: bool, admitted: date, when) -> tuple[int | None, str, str]:
    if rng.random() < 0.12:
        return None, "", ""   # self-pay
    payer, code = rng.choice(data.PAYERS)
    coverage_id = ctx.sink.add(
        Coverage, when, participant_id=participant_id, priority=1, payer_name=payer,
        payer_id=code, member_number=f"{code[:3]}{rng.randint(10**8, 10**9 - 1)}",
        group_number="" if "Medicaid" in payer else f"GRP-{rng.randint(1000, 9999)}",
        subscriber_name=guardian if teen and guardian else name,
        subscriber_relationship="child" if teen and guardian else "self",
        effective_date=admitted - timedelta(days=rng.randint(60, 2000)))
    return coverage_id, code, payer


def _consents(ctx: Ctx, rng: random.Random, participant_id: int, name: str, guardian: str,
              payer: str, stays: list[_Stay], track: TrackInfo, clinician: int | None,
              *, revoked: bool) -> None:
    stay = stays[-1]
    if stay.admission >= ctx.as_of:
        return
    part2 = track.focus != "mental_health"
    start = stay.admission - timedelta(days=1)
    wanted = []
    if payer:
        wanted.append((payer, "Payment: eligibility, authorization and claims",
                       "Dates of attendance, diagnoses, treatment plan and progress summaries"))
    if rng.random() < 0.5 or revoked:
        wanted.append(("Dr. Helen Achebe, Millbrook Family Medicine", "Coordination of care",
                       "Diagnoses, medications and the discharge summary"))
    if track.adolescent and rng.random() < 0.5:
        wanted.append(("Cedar Bend High School counseling office",
                       "Attendance verification for school accommodations",
                       "Dates of attendance only"))
    for position, (recipient, purpose, scope) in enumerate(wanted):
        expiry = start + timedelta(days=365)
        if position == 1 and stay.end is not None and rng.random() < 0.5:
            expiry = min(stay.end + timedelta(days=14), ctx.as_of - timedelta(days=1))
        revoke = revoked and position == len(wanted) - 1
        consent_id = ctx.sink.add(
            Consent, ctx.at(start, 10), participant_id=participant_id, recipient_name=recipient,
            purpose=purpose, information_scope=scope, who_may_disclose=data.PRACTICE["name"],
            is_part2=part2, effective_date=start, expiry_date=expiry,
            signed_on=start, signed_by=guardian or name, recorded_by_id=clinician,
            revoked_on=start + timedelta(days=20) if revoke else None,
            revocation_note="Revoked in writing by the participant." if revoke else "")
        disclosed = start + timedelta(days=9)
        if position == 0 and payer and disclosed < ctx.as_of and rng.random() < 0.4:
            ctx.sink.add(Disclosure, ctx.at(disclosed, 11), consent_id=consent_id,
                         participant_id=participant_id, disclosed_at=ctx.at(disclosed, 11),
                         disclosed_by_id=clinician, recipient=recipient,
                         description="Treatment plan summary and attendance for the "
                                     "authorization request.")


def _flag(ctx: Ctx, episodes: list[EpisodePlan], profile: Profile) -> None:
    """Mark the episodes that show the rare cases: a suicide-risk item, a modified plan,
    an overdue review (the participant at risk of missing this week's hours is chosen by
    `iopdesk.demo.attendance`)."""
    if profile.active is None:
        rng = ctx.rng
        for ep in episodes:
            r = rng.random()
            ep.flags = frozenset({"suicide_item"} if r < 0.015 else {"plan_v2"} if r < 0.055
                                 else {"review_overdue"} if r < 0.085 else set())
        return
    open_ = [e for e in episodes if e.end is None and e.admission < ctx.as_of]
    teens = [e for e in open_ if e.track.adolescent] or open_
    if teens:
        teens[0].flags = frozenset({"suicide_item"})
    long_adults = [e for e in open_ if not e.track.adolescent and e.admission
                   <= ctx.as_of - timedelta(days=e.track.review_days + 8) and not e.flags]
    for ep, flag in zip(long_adults, ("review_overdue", "plan_v2"), strict=False):
        ep.flags = frozenset({flag})
