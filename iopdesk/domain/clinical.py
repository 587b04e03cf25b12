"""Clinical read models (diagnoses, intake assessment, the chart's banner, the Today lists) and
the rules of the intake assessment: what a draft may hold and what signing needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

from iopdesk.domain.areas import SECTIONS, tabs_for
from iopdesk.domain.enums import AttendanceStatus, EpisodeStatus, LevelOfCare, NoteStatus
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.names import list_name
from iopdesk.domain.text import text_problem

TEXT_LIMIT = 10_000          # characters per free-text field of a clinical form
ASAM_RATING_MAX = 4

# The six dimensions of the ASAM Criteria (3rd edition), each rated for risk 0 (none) to 4
# (utmost severity).
ASAM_DIMENSIONS: dict[int, str] = {
    1: "Acute intoxication and/or withdrawal potential",
    2: "Biomedical conditions and complications",
    3: "Emotional, behavioral, or cognitive conditions and complications",
    4: "Readiness to change",
    5: "Relapse, continued use, or continued problem potential",
    6: "Recovery/living environment",
}

LEVEL_NAMES: dict[LevelOfCare, str] = {
    LevelOfCare.OUTPATIENT: "Level 1 — outpatient",
    LevelOfCare.IOP: "Level 2.1 — intensive outpatient",
    LevelOfCare.PHP: "Level 2.5 — partial hospitalization",
}

# The chart's tabs (domain.areas declares them). Front desk, and anyone without the clinical
# permission, sees the first three.
ALL_TABS: tuple[str, ...] = tuple(s.key for s in SECTIONS)
FRONT_DESK_TABS: tuple[str, ...] = tabs_for(frozenset({"view_demographics"}))
CLINICAL_TABS: tuple[str, ...] = tuple(t for t in ALL_TABS if t not in FRONT_DESK_TABS)

ATTENDED = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.LATE,
                      AttendanceStatus.LEFT_EARLY})


# ----------------------------------------------------------------------------- diagnoses
@dataclass(frozen=True)
class Diagnosis:
    id: int
    episode_id: int
    icd10_code: str
    description: str
    is_primary: bool
    onset_date: date | None
    resolved_date: date | None
    added_by_name: str
    added_at: datetime
    version: int

    @property
    def active(self) -> bool:
        return self.resolved_date is None


# ------------------------------------------------------------------------ intake assessment
@dataclass(frozen=True)
class AsamRating:
    """One ASAM dimension: a risk rating 0–4 (None while a draft leaves it open) and a note."""

    rating: int | None = None
    note: str = ""


INTAKE_TEXT_FIELDS: dict[str, str] = {
    "presenting_problem": "Presenting problem",
    "substance_use_history": "Substance-use history",
    "mental_health_history": "Mental-health history",
    "medical_history": "Medical history",
    "medications": "Medications",
    "risk_screening": "Risk screening",
    "strengths_supports": "Strengths and supports",
}


@dataclass(frozen=True)
class IntakeInput:
    """What the intake form holds. Text is stored exactly as typed (line breaks, emoji,
    right-to-left scripts); `asam` maps a dimension 1–6 to its rating and note."""

    assessed_on: date | None = None          # None: today
    presenting_problem: str = ""
    substance_use_history: str = ""
    mental_health_history: str = ""
    medical_history: str = ""
    medications: str = ""
    risk_screening: str = ""
    strengths_supports: str = ""
    asam: Mapping[int, AsamRating] = field(default_factory=dict)
    recommended_level: LevelOfCare | None = None


ADDENDUM_MAX = 10_000


@dataclass(frozen=True)
class Addendum:
    """A correction or addition to a signed document, signed by its author when written."""

    id: int
    author_name: str                          # name and credentials
    written_at: datetime
    text: str


def check_addendum(text: str) -> str:
    """The addendum's text, trimmed; ValidationError at `text` when it is empty or too long."""
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError({"text": "Write the addendum: what is corrected or added, "
                                       "and why"})
    if len(cleaned) > ADDENDUM_MAX:
        raise ValidationError({"text": f"An addendum is at most {ADDENDUM_MAX:,} characters; "
                                       f"this one has {len(cleaned):,}"})
    problem = text_problem(text, "The addendum", multiline=True)
    if problem:
        raise ValidationError({"text": problem})
    return cleaned


@dataclass(frozen=True)
class AwaitingCosign:
    """A signed document waiting for a supervisor's co-signature (the queue on Today)."""

    document: str                   # "intake"
    record_id: int
    version: int
    participant_id: int
    participant_name: str           # "Okafor, Samuel"
    chart_number: str
    author_name: str
    signed_at: datetime | None


def signing_status(needs_cosign: bool) -> NoteStatus:
    """The status a document takes when its author signs it: awaiting a supervisor's
    co-signature when the author's work needs one, else signed."""
    return NoteStatus.AWAITING_COSIGN if needs_cosign else NoteStatus.SIGNED


@dataclass(frozen=True)
class Intake:
    id: int
    episode_id: int
    participant_id: int
    clinician_id: int
    clinician_name: str
    assessed_on: date
    presenting_problem: str
    substance_use_history: str
    mental_health_history: str
    medical_history: str
    medications: str
    risk_screening: str
    strengths_supports: str
    asam: Mapping[int, AsamRating]           # all six dimensions, 1..6
    recommended_level: LevelOfCare | None
    status: NoteStatus
    signed_at: datetime | None
    signed_by: str                            # the signer's name and credentials, "" unsigned
    content_hash: str                         # SHA-256 of the signed content, "" unsigned
    updated_at: datetime
    version: int
    cosigned_by: str = ""                     # the co-signer's name and credentials
    cosigned_at: datetime | None = None
    addenda: tuple[Addendum, ...] = ()

    @property
    def signed(self) -> bool:
        return self.status != NoteStatus.DRAFT

    @property
    def awaiting_cosign(self) -> bool:
        return self.status == NoteStatus.AWAITING_COSIGN

    def as_input(self) -> IntakeInput:
        """The form's content, to edit a draft from."""
        return IntakeInput(assessed_on=self.assessed_on, asam=dict(self.asam),
                           recommended_level=self.recommended_level,
                           **{name: getattr(self, name) for name in INTAKE_TEXT_FIELDS})


def _as_level(value: object) -> LevelOfCare | None:
    if value is None or value == "":
        return None
    try:
        return LevelOfCare(value)
    except ValueError:
        return None


def _dimension(key: object) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    text = key.strip() if isinstance(key, str) else ""
    if text.isascii() and text.isdigit():
        return int(text)    # (only ASCII digits: int() refuses superscripts isdigit() takes)
    return None


def check_intake(data: IntakeInput, today: date) -> IntakeInput:
    """The input with every dimension 1–6 present and the level as a LevelOfCare, or
    ValidationError naming each bad field (keys: the field names, `asam_<n>`, `asam`)."""
    errors: dict[str, str] = {}
    for name, label in INTAKE_TEXT_FIELDS.items():
        value = getattr(data, name)
        if not isinstance(value, str):
            errors[name] = f"{label} must be text"
        elif len(value) > TEXT_LIMIT:
            errors[name] = (f"{label} is {len(value):,} characters long; the limit is "
                            f"{TEXT_LIMIT:,}")
    assessed_on = data.assessed_on or today
    if not isinstance(assessed_on, date):
        errors["assessed_on"] = "Assessment date must be a date"
    elif assessed_on > today:
        errors["assessed_on"] = f"Assessment date {assessed_on.isoformat()} is in the future"
    dims: dict[int, AsamRating] = {}
    asam = data.asam or {}
    given_dims = {_dimension(key): value for key, value in asam.items()}
    unknown = [str(key) for key in asam if _dimension(key) not in ASAM_DIMENSIONS]
    if unknown:
        errors["asam"] = f"ASAM dimensions are numbered 1–6 (got {', '.join(unknown)})"
    for number in ASAM_DIMENSIONS:
        given = given_dims.get(number, AsamRating())
        if not isinstance(given, AsamRating):
            errors[f"asam_{number}"] = f"Dimension {number} needs a rating and a note"
            continue
        rating = given.rating
        if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int)
                                   or not 0 <= rating <= ASAM_RATING_MAX):
            errors[f"asam_{number}"] = (f"Dimension {number} is rated 0–{ASAM_RATING_MAX} "
                                        f"(got {rating!r})")
        elif not isinstance(given.note, str) or len(given.note) > TEXT_LIMIT:
            errors[f"asam_{number}"] = (f"The note of dimension {number} is longer than "
                                        f"{TEXT_LIMIT:,} characters")
        dims[number] = given
    level = _as_level(data.recommended_level)
    if data.recommended_level not in (None, "") and level is None:
        errors["recommended_level"] = ("Recommended level of care is one of "
                                       f"{', '.join(lv.value for lv in LevelOfCare)}")
    if errors:
        raise ValidationError(errors)
    return IntakeInput(assessed_on=assessed_on, asam=dims, recommended_level=level,
                       **{name: getattr(data, name) for name in INTAKE_TEXT_FIELDS})


def check_signable(data: IntakeInput) -> None:
    """What a signature needs beyond a valid draft: presenting problem, risk screening, all
    six ASAM ratings and a recommended level of care."""
    errors: dict[str, str] = {}
    if not data.presenting_problem.strip():
        errors["presenting_problem"] = "Presenting problem is needed before signing"
    if not data.risk_screening.strip():
        errors["risk_screening"] = "Risk screening is needed before signing"
    for number, title in ASAM_DIMENSIONS.items():
        if data.asam.get(number, AsamRating()).rating is None:
            errors[f"asam_{number}"] = f"Dimension {number} ({title}) needs a rating to sign"
    if data.recommended_level is None:
        errors["recommended_level"] = "A recommended level of care is needed before signing"
    if errors:
        raise ValidationError(errors)


def intake_content(episode_id: int, data: IntakeInput) -> dict:
    """The signed content of an intake, as hashed into its signature (JSON-ready)."""
    return {
        "episode_id": episode_id,
        "assessed_on": data.assessed_on.isoformat() if data.assessed_on else None,
        **{name: getattr(data, name) for name in INTAKE_TEXT_FIELDS},
        "asam": {str(n): {"rating": r.rating, "note": r.note}
                 for n, r in sorted(data.asam.items())},
        "recommended_level": data.recommended_level.value if data.recommended_level else None,
    }


# ----------------------------------------------------------------------------- the chart
@dataclass(frozen=True)
class ChartAlert:
    kind: str          # "suicide_risk", "no_signed_intake", "consent_expiring"
    message: str
    severity: str      # "danger", "warning", "info"


@dataclass(frozen=True)
class ChartSummary:
    """The chart's banner and the tabs the acting user may open."""

    participant_id: int
    chart_number: str
    first_name: str
    middle_name: str
    last_name: str
    preferred_name: str
    pronouns: str
    date_of_birth: date
    age: int
    current_episode_id: int | None
    track_name: str
    status: EpisodeStatus | None
    admission_date: date | None
    discharge_date: date | None
    primary_clinician_name: str
    alerts: tuple[ChartAlert, ...]
    tabs: tuple[str, ...]
    version: int

    @property
    def display_name(self) -> str:
        return list_name(self.last_name, self.first_name, self.preferred_name)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# ----------------------------------------------------------------------------- Today
@dataclass(frozen=True)
class ExpectedParticipant:
    participant_id: int
    episode_id: int
    chart_number: str
    last_name: str
    first_name: str
    preferred_name: str
    attendance_id: int | None                 # None until the front desk records something
    attendance: AttendanceStatus | None

    @property
    def display_name(self) -> str:
        return list_name(self.last_name, self.first_name, self.preferred_name)


@dataclass(frozen=True)
class MeetingToday:
    meeting_id: int
    meeting_date: date
    track_id: int
    track_name: str
    start_time: time
    end_time: time
    title: str
    facilitator_name: str
    expected: tuple[ExpectedParticipant, ...]


@dataclass(frozen=True)
class CaseloadRow:
    participant_id: int
    episode_id: int
    chart_number: str
    last_name: str
    first_name: str
    preferred_name: str
    track_name: str
    admission_date: date
    last_attended: date | None

    @property
    def display_name(self) -> str:
        return list_name(self.last_name, self.first_name, self.preferred_name)
