"""Read models of the printed documents, and the rules that decide what a document says.

services/documents.py fills these from the database; reports/ turns them into PDF bytes.
Everything here is plain data: dates are `date`, texts are printed as given (any script).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

# 42 CFR § 2.32(a), as amended by the 2024 final rule (89 FR 12472, February 16, 2024): each
# disclosure made with the patient's written consent carries one of these two statements.
# The regulation fixes their wording: they are printed exactly as written here.
PART2_NOTICE_SHORT = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
PART2_NOTICE_FULL = (
    "This record which has been disclosed to you is protected by Federal confidentiality "
    "rules (42 CFR part 2). These rules prohibit you from using or disclosing this record, or "
    "testimony that describes the information contained in this record, in any civil, "
    "criminal, administrative, or legislative proceedings by any Federal, State, or local "
    "authority, against the patient, unless authorized by the consent of the patient, except "
    "as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR "
    "2.64 or 2.65. In addition, the Federal rules prohibit you from making any other use or "
    "disclosure of this record unless at least one of the following applies: (i) Further use "
    "or disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed in this record or as otherwise permitted by 42 CFR part "
    "2. (ii) You are a covered entity or business associate and have received the record for "
    "treatment, payment, or health care operations, or (iii) You have received the record "
    "from a covered entity or business associate as permitted by 45 CFR part 164, subparts A "
    "and E. A general authorization for the release of medical or other information is NOT "
    "sufficient to meet the required elements of written consent to further use or "
    "redisclose the record (see 42 CFR 2.31).")
# The practice setting `part2_notice` picks one ("short" is the default).
PART2_NOTICES = {"short": PART2_NOTICE_SHORT, "full": PART2_NOTICE_FULL}

DRAFT = "DRAFT"   # the watermark of unsigned content


def part2_notice(wording: str) -> str:
    """The § 2.32 statement the practice chose; the short one for an unknown setting."""
    return PART2_NOTICES.get(wording, PART2_NOTICE_SHORT)


def age_on(born: date, on: date) -> int:
    """Whole years from `born` to `on` (a 29 February birthday turns over on 1 March)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class ConsentState(enum.StrEnum):
    ACTIVE = "active"
    NOT_YET_EFFECTIVE = "not_yet_effective"
    EXPIRED = "expired"
    REVOKED = "revoked"


def consent_state(effective: date, expiry: date | None, revoked_on: date | None,
                  today: date) -> ConsentState:
    """A consent is in force from its effective date through its expiry date, until revoked
    (a recorded revocation counts whatever its date)."""
    if revoked_on is not None:
        return ConsentState.REVOKED
    if expiry is not None and expiry < today:
        return ConsentState.EXPIRED
    if effective > today:
        return ConsentState.NOT_YET_EFFECTIVE
    return ConsentState.ACTIVE


@dataclass(frozen=True)
class Letterhead:
    """The practice as printed at the top of every page (from the practice record)."""

    name: str
    address_lines: tuple[str, ...] = ()
    phone: str = ""
    fax: str = ""
    npi: str = ""
    logo_png: bytes | None = None


@dataclass(frozen=True)
class DocumentHeader:
    """Whose record this is: printed on every page."""

    participant_name: str
    date_of_birth: date
    chart_number: str


@dataclass(frozen=True)
class DocumentFrame:
    """What every page of a document carries around its content."""

    letterhead: Letterhead
    header: DocumentHeader
    title: str
    printed_at: datetime
    printed_by: str = ""
    watermark: str = ""          # DRAFT for unsigned content; REVOKED, EXPIRED…
    part2_notice: str = ""       # the § 2.32 statement, on documents released outside the program


@dataclass(frozen=True)
class FaceSheetEpisode:
    track_name: str
    admission_date: date
    status: str
    primary_clinician: str
    discharge_date: date | None = None
    referral_date: date | None = None


@dataclass(frozen=True)
class FaceSheetContact:
    name: str
    relationship: str
    phone: str = ""
    email: str = ""
    is_guardian: bool = False
    is_emergency: bool = False
    may_contact: bool = False


@dataclass(frozen=True)
class FaceSheetCoverage:
    priority: int
    payer_name: str
    payer_id: str = ""
    member_number: str = ""
    group_number: str = ""
    subscriber_name: str = ""
    subscriber_relationship: str = ""


@dataclass(frozen=True)
class ConsentSummary:
    """A consent in force, as the face sheet lists it."""

    id: int
    recipient: str
    purpose: str
    expiry_date: date | None = None
    expiry_event: str = ""
    is_part2: bool = True


@dataclass(frozen=True)
class FaceSheet:
    """The front page of a chart: who the participant is and how to reach them. No clinical
    content (no diagnoses, no notes): the front desk prints it."""

    frame: DocumentFrame
    legal_name: str
    preferred_name: str
    pronouns: str
    date_of_birth: date
    age: int
    sex_at_birth: str
    gender_identity: str
    phone: str
    phone_ok_to_leave_message: bool
    alt_phone: str
    email: str
    address_lines: tuple[str, ...]
    preferred_contact: str
    referral_source: str
    episode: FaceSheetEpisode | None = None
    contacts: tuple[FaceSheetContact, ...] = ()
    coverages: tuple[FaceSheetCoverage, ...] = ()
    consents: tuple[ConsentSummary, ...] = ()


@dataclass(frozen=True)
class ConsentForm:
    """A consent to release information (42 CFR § 2.31 elements), prefilled from the record."""

    frame: DocumentFrame
    consent_id: int
    participant_name: str
    date_of_birth: date
    who_may_disclose: str
    recipient_name: str
    recipient_address: str
    purpose: str
    information_scope: str
    effective_date: date
    expiry_date: date | None
    expiry_event: str
    is_part2: bool
    state: ConsentState
    signed_on: date | None = None
    signed_by: str = ""
    revoked_on: date | None = None
    revocation_note: str = ""


@dataclass(frozen=True)
class IntakeTextSection:
    """One narrative section of the intake (its title as the form names it, its text as
    typed)."""

    title: str
    text: str


@dataclass(frozen=True)
class IntakeDimension:
    """One ASAM dimension as printed: its number and name, the risk rating 0–4 and the note."""

    number: int
    title: str
    rating: int | None
    note: str = ""


@dataclass(frozen=True)
class PrintedAddendum:
    """An addendum to a signed document, its time already the practice's wall-clock time."""

    author_name: str                 # name and credentials
    written_at: datetime
    text: str


@dataclass(frozen=True)
class IntakeDocument:
    """A signed intake assessment, printed: who, which episode, every section of the form,
    the six ASAM dimensions, the recommended level of care and the signatures (times are the
    practice's wall-clock times). Clinical content: only clinical staff print it."""

    frame: DocumentFrame
    intake_id: int
    participant_name: str            # the legal name, "Lan Thị Nguyễn"
    date_of_birth: date
    chart_number: str
    track_name: str
    admission_date: date | None
    assessed_on: date
    clinician: str                   # who assessed
    sections: tuple[IntakeTextSection, ...]
    dimensions: tuple[IntakeDimension, ...]
    recommended_level: str           # "Level 2.1 — intensive outpatient"; "" when none
    signed_by: str = ""              # name and credentials; "" unsigned
    signed_at: datetime | None = None
    awaiting_cosign: bool = False
    cosigned_by: str = ""
    cosigned_at: datetime | None = None
    content_hash: str = ""           # the SHA-256 the signature holds
    addenda: tuple[PrintedAddendum, ...] = ()
