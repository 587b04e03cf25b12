"""The chart's front-desk sections: family and collateral contacts, consents to disclose and
insurance coverage. Their inputs, the checks (a message at each field that is wrong) and the
read models the services return.

Text is kept as typed: emoji, right-to-left scripts, joiners and direction marks are stored
and returned intact. Short fields have their runs of white space folded to one space; long
ones (notes, purpose, scope) keep their lines and lose only the white space around them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import TypeVar

from iopdesk.domain.documents import ConsentState, consent_state
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.names import digits_only
from iopdesk.domain.validation import EARLIEST_BIRTH, format_phone

SHORT_MAX = 200
LONG_MAX = 10_000
_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")   # member, group and payer ids
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PRIORITIES = {1: "primary", 2: "secondary", 3: "tertiary"}

__all__ = ["ConsentInput", "ConsentState", "ConsentView", "ContactInput", "ContactView",
           "CoverageInput", "CoverageView", "check_consent", "check_contact", "check_coverage",
           "check_revocation", "consent_state", "coverage_current", "prefixed"]

T = TypeVar("T")


# ---- shared checks ---------------------------------------------------------------------------

def _is_control(c: str, long: bool) -> bool:
    return unicodedata.category(c) == "Cc" and not (long and c in "\n\t\r")


def _clean(data: T, long_fields: frozenset[str]) -> T:
    """Short text: runs of white space folded to one space; long text: only stripped."""
    changes = {}
    for f in fields(data):  # type: ignore[arg-type]
        value = getattr(data, f.name)
        if isinstance(value, str):
            changes[f.name] = value.strip() if f.name in long_fields else " ".join(value.split())
    return replace(data, **changes)  # type: ignore[type-var]


def _text(errors: dict[str, str], data: object, name: str, label: str, *,
          required: bool = False, limit: int = SHORT_MAX, long: bool = False) -> None:
    _check_text(errors, name, getattr(data, name), label, required=required, limit=limit,
                long=long)


def _check_text(errors: dict[str, str], name: str, value: str, label: str, *,
                required: bool = False, limit: int = SHORT_MAX, long: bool = False) -> None:
    if not value:
        if required:
            errors[name] = f"{label} is required"
    elif len(value) > limit:
        errors[name] = f"{label} is longer than {limit:,} characters ({len(value):,})"
    elif any(_is_control(c, long) for c in value):
        errors[name] = f"{label} may not contain control characters"


def _phone(errors: dict[str, str], value: str, name: str = "phone") -> None:
    if not value:
        return
    digits = digits_only(value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or re.search(r"[^\d\s()+.-]", value):
        errors[name] = "Phone number needs 10 digits, e.g. (555) 201-3344"


def _email(errors: dict[str, str], value: str, name: str = "email") -> None:
    if value and name not in errors and not _EMAIL_RE.fullmatch(value):
        errors[name] = f"“{value}” is not an e-mail address"


def _date(errors: dict[str, str], value: date | None, name: str, label: str, today: date, *,
          required: bool = False, past: bool = False) -> None:
    if value is None:
        if required:
            errors[name] = f"{label} is required"
    elif value < EARLIEST_BIRTH:
        errors[name] = f"{label} {value.isoformat()} is before {EARLIEST_BIRTH.year}"
    elif past and value > today:
        errors[name] = f"{label} {value.isoformat()} is in the future"


def prefixed(error: ValidationError, prefix: str) -> dict[str, str]:
    """The field messages of `error` keyed `prefix.field` (a form made of several parts)."""
    return {f"{prefix}.{name}": message for name, message in error.fields.items()}


# ---- contacts --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ContactInput:
    """A family member or collateral contact, as the form supplies it."""

    name: str
    relationship: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    is_guardian: bool = False
    is_emergency: bool = False
    may_contact: bool = False
    notes: str = ""


def check_contact(data: ContactInput) -> ContactInput:
    """The cleaned input (phone written one way) or ValidationError naming every bad field."""
    data = _clean(data, frozenset({"notes"}))
    errors: dict[str, str] = {}
    _text(errors, data, "name", "Name", required=True, limit=150)
    if "name" not in errors and any(c.isdigit() for c in data.name):
        errors["name"] = "Name may not contain digits"
    _text(errors, data, "relationship", "Relationship", limit=60)
    _text(errors, data, "phone", "Phone", limit=30)
    _text(errors, data, "email", "E-mail")
    _text(errors, data, "address", "Address")
    _text(errors, data, "notes", "Notes", limit=LONG_MAX, long=True)
    if "phone" not in errors:
        _phone(errors, data.phone)
    _email(errors, data.email)
    if data.is_emergency and not data.phone and "phone" not in errors:
        errors["phone"] = "An emergency contact needs a phone number"
    if errors:
        raise ValidationError(errors)
    return replace(data, phone=format_phone(data.phone) if data.phone else "")


@dataclass(frozen=True)
class ContactView:
    id: int
    participant_id: int
    name: str
    relationship: str
    phone: str
    email: str
    address: str
    is_guardian: bool
    is_emergency: bool
    may_contact: bool
    notes: str
    active: bool
    version: int
    updated_at: datetime

    def as_input(self) -> ContactInput:
        """What the edit form starts from."""
        return ContactInput(name=self.name, relationship=self.relationship, phone=self.phone,
                            email=self.email, address=self.address,
                            is_guardian=self.is_guardian, is_emergency=self.is_emergency,
                            may_contact=self.may_contact, notes=self.notes)


# ---- consents --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConsentInput:
    """A written consent to disclose (the elements of 42 CFR § 2.31 and 45 CFR § 164.508)."""

    recipient_name: str
    purpose: str
    information_scope: str
    effective_date: date | None
    expiry_date: date | None = None
    expiry_event: str = ""          # "upon discharge", when no date is given
    is_part2: bool = True
    recipient_address: str = ""
    who_may_disclose: str = ""      # the program permitted to disclose
    signed_on: date | None = None
    signed_by: str = ""             # the participant or their guardian, by name


def check_consent(data: ConsentInput, today: date) -> ConsentInput:
    """The cleaned input or ValidationError naming every bad field."""
    data = _clean(data, frozenset({"purpose", "information_scope"}))
    errors: dict[str, str] = {}
    _text(errors, data, "recipient_name", "Recipient", required=True)
    _text(errors, data, "recipient_address", "Recipient's address")
    _text(errors, data, "purpose", "Purpose", required=True, limit=LONG_MAX, long=True)
    _text(errors, data, "information_scope", "What may be disclosed", required=True,
          limit=LONG_MAX, long=True)
    _text(errors, data, "who_may_disclose", "Who may disclose")
    _text(errors, data, "expiry_event", "Expiry event")
    _text(errors, data, "signed_by", "Signed by")
    _date(errors, data.effective_date, "effective_date", "Effective date", today, required=True)
    _date(errors, data.expiry_date, "expiry_date", "Expiry date", today)
    _date(errors, data.signed_on, "signed_on", "Signed date", today, past=True)
    if not {"effective_date", "expiry_date"} & errors.keys():
        if data.expiry_date is None and not data.expiry_event:
            errors["expiry_date"] = "Give an expiry date or the event on which the consent ends"
        elif (data.expiry_date is not None and data.effective_date is not None
              and data.expiry_date < data.effective_date):
            errors["expiry_date"] = (f"Expiry date {data.expiry_date.isoformat()} is before the "
                                     f"effective date {data.effective_date.isoformat()}")
    if data.signed_on is not None and data.expiry_date is not None and \
            "signed_on" not in errors and data.signed_on > data.expiry_date:
        errors["signed_on"] = "Signed date is after the expiry date"
    if errors:
        raise ValidationError(errors)
    return data


def check_revocation(revoked_on: date | None, note: str, today: date,
                     signed_on: date | None) -> str:
    """The cleaned note, or ValidationError at `revoked_on` / `revocation_note`."""
    note = " ".join(note.split())
    errors: dict[str, str] = {}
    if revoked_on is None:
        errors["revoked_on"] = "Date of revocation is required"
    elif revoked_on > today:
        errors["revoked_on"] = f"Date of revocation {revoked_on.isoformat()} is in the future"
    elif signed_on is not None and revoked_on < signed_on:
        errors["revoked_on"] = (f"Date of revocation {revoked_on.isoformat()} is before the "
                                f"consent was signed ({signed_on.isoformat()})")
    _check_text(errors, "revocation_note", note, "Note")
    if errors:
        raise ValidationError(errors)
    return note


@dataclass(frozen=True)
class ConsentView:
    id: int
    participant_id: int
    recipient_name: str
    recipient_address: str
    purpose: str
    information_scope: str
    who_may_disclose: str
    is_part2: bool
    effective_date: date
    expiry_date: date | None
    expiry_event: str
    signed_on: date | None
    signed_by: str
    revoked_on: date | None
    revocation_note: str
    recorded_by_name: str
    state: ConsentState          # as of the services' today
    version: int
    updated_at: datetime

    @property
    def is_active(self) -> bool:
        """In force today: effective, not expired, not revoked (it may be printed as such)."""
        return self.state is ConsentState.ACTIVE

    @property
    def state_text(self) -> str:
        """The state in words, for a list or a banner."""
        if self.state is ConsentState.REVOKED and self.revoked_on is not None:
            return f"Revoked on {self.revoked_on.isoformat()}"
        if self.state is ConsentState.EXPIRED and self.expiry_date is not None:
            return f"Expired on {self.expiry_date.isoformat()}"
        if self.state is ConsentState.NOT_YET_EFFECTIVE:
            return f"In effect from {self.effective_date.isoformat()}"
        if self.expiry_date is not None:
            return f"Active until {self.expiry_date.isoformat()}"
        return f"Active until {self.expiry_event}" if self.expiry_event else "Active"

    def as_input(self) -> ConsentInput:
        return ConsentInput(
            recipient_name=self.recipient_name, purpose=self.purpose,
            information_scope=self.information_scope, effective_date=self.effective_date,
            expiry_date=self.expiry_date, expiry_event=self.expiry_event, is_part2=self.is_part2,
            recipient_address=self.recipient_address, who_may_disclose=self.who_may_disclose,
            signed_on=self.signed_on, signed_by=self.signed_by)


# ---- coverage --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CoverageInput:
    """An insurance coverage: who pays, the member's numbers, the subscriber."""

    payer_name: str
    member_number: str
    group_number: str = ""
    payer_id: str = ""
    priority: int = 1               # 1 primary, 2 secondary, 3 tertiary
    subscriber_name: str = ""
    subscriber_relationship: str = "self"
    subscriber_date_of_birth: date | None = None
    effective_date: date | None = None
    termination_date: date | None = None


def _number(errors: dict[str, str], value: str, name: str, label: str, *,
            required: bool = False) -> None:
    if not value:
        if required:
            errors[name] = f"{label} is required"
    elif not _NUMBER_RE.fullmatch(value):
        errors[name] = f"{label} is 1–30 letters, digits or hyphens"


def check_coverage(data: CoverageInput, today: date) -> CoverageInput:
    """The cleaned input or ValidationError naming every bad field."""
    data = _clean(data, frozenset())
    errors: dict[str, str] = {}
    _text(errors, data, "payer_name", "Payer", required=True)
    _number(errors, data.member_number, "member_number", "Member number", required=True)
    _number(errors, data.group_number, "group_number", "Group number")
    _number(errors, data.payer_id, "payer_id", "Payer ID")
    if data.priority not in PRIORITIES:
        errors["priority"] = "Priority is 1 (primary), 2 (secondary) or 3 (tertiary)"
    _text(errors, data, "subscriber_name", "Subscriber")
    if "subscriber_name" not in errors and any(c.isdigit() for c in data.subscriber_name):
        errors["subscriber_name"] = "Subscriber may not contain digits"
    _text(errors, data, "subscriber_relationship", "Relationship to the subscriber", limit=40)
    _date(errors, data.subscriber_date_of_birth, "subscriber_date_of_birth",
          "Subscriber's date of birth", today, past=True)
    _date(errors, data.effective_date, "effective_date", "Effective date", today)
    _date(errors, data.termination_date, "termination_date", "End date", today)
    if (data.effective_date is not None and data.termination_date is not None
            and not {"effective_date", "termination_date"} & errors.keys()
            and data.termination_date < data.effective_date):
        errors["termination_date"] = (f"End date {data.termination_date.isoformat()} is before "
                                      f"the effective date {data.effective_date.isoformat()}")
    if errors:
        raise ValidationError(errors)
    return data


def coverage_current(effective: date | None, termination: date | None, today: date) -> bool:
    """In force today: begun (or no start given) and not ended before today."""
    return (effective is None or effective <= today) and (termination is None
                                                          or termination >= today)


@dataclass(frozen=True)
class CoverageView:
    id: int
    participant_id: int
    priority: int
    payer_name: str
    payer_id: str
    member_number: str
    group_number: str
    subscriber_name: str
    subscriber_relationship: str
    subscriber_date_of_birth: date | None
    effective_date: date | None
    termination_date: date | None
    is_current: bool             # as of the services' today
    version: int
    updated_at: datetime

    @property
    def priority_text(self) -> str:
        return PRIORITIES.get(self.priority, str(self.priority))

    def as_input(self) -> CoverageInput:
        return CoverageInput(
            payer_name=self.payer_name, member_number=self.member_number,
            group_number=self.group_number, payer_id=self.payer_id, priority=self.priority,
            subscriber_name=self.subscriber_name,
            subscriber_relationship=self.subscriber_relationship,
            subscriber_date_of_birth=self.subscriber_date_of_birth,
            effective_date=self.effective_date, termination_date=self.termination_date)
