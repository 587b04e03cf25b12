"""What the demo's clinical writers share: a track and an episode as the build plans them, and
the signing and note writing every chart document goes through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from iopdesk.db.models import Note, Signature
from iopdesk.domain.clinical import signing_status
from iopdesk.domain.enums import NoteFormat, NoteStatus, SignatureKind
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
    minimum: int              # the week's minimum minutes


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
    payer: str                # the coverage's payer name ("" for self-pay)
    flags: frozenset[str] = frozenset()   # suicide_item, plan_v2, review_overdue
    objectives: tuple[str, ...] = ()      # named in the group notes
    # The day a group of theirs was cancelled (facilitator ill): an individual session the
    # next day makes up the hour, so the week's hours do not fall short for it.
    make_up: date | None = None
    # An open episode's counted minutes by day (credited groups plus intake, individual and
    # family sessions): what its weekly hours and authorized units are computed from.
    minutes: dict[date, int] = field(default_factory=dict)

    def count(self, day: date, minutes: int) -> None:
        """Add minutes to the day's total (kept for open episodes only: the build's memory)."""
        if self.end is None and minutes:
            self.minutes[day] = self.minutes.get(day, 0) + minutes

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


@dataclass(frozen=True)
class Slot:
    """A weekly group of a track's schedule, as the demo's meetings are made from it."""

    schedule_id: int
    start: time
    end: time
    title: str
