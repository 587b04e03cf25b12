"""The chart's front-desk sections: family and collateral contacts, consents to disclose and
insurance coverage. Their inputs, the checks (a message at each field that is wrong) and the
read models the services return.

Text is kept as typed, apart from white space: emoji, every script (right-to-left ones
included) and the joiners that scripts and emoji need are stored and returned intact. What
could mislead a reader is refused at its field, by the rules every form shares
(validation.text_problem): control characters, direction overrides, isolates and marks,
invisible characters, unassigned and private-use code points. Short fields have their runs of
white space folded to one space and may not hold a line break; long ones (notes, purpose,
scope) keep their lines and lose only the white space around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from iopdesk.domain.documents import ConsentState, consent_state
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.validation import (EARLIEST_BIRTH, TextRule, check_texts, email_problem,
                                       format_phone, phone_problem, text_problem)

SHORT_MAX = 200
LONG_MAX = 10_000
_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")   # member, group and payer ids
PRIORITIES = {1: "primary", 2: "secondary", 3: "tertiary"}

__all__ = ["ConsentInput", "ConsentState", "ConsentView", "ContactInput", "ContactView",
           "CoverageInput", "CoverageView", "check_consent", "check_contact", "check_coverage",
           "check_revocation", "consent_state", "coverage_current", "prefixed"]


# ---- shared checks ---------------------------------------------------------------------------

def _short(label: str, limit: int = SHORT_MAX, *, required: bool = False) -> TextRule:
    return TextRule(label, limit, required=required)


def _long(label: str, *, required: bool = False) -> TextRule:
    return TextRule(label, LONG_MAX, required=required, multiline=True)


def _no_digits(errors: dict[str, str], value: str, name: str, label: str) -> None:
    if name not in errors and any(c.isdigit() for c in value):
        errors[name] = f"{label} may not contain digits"


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


CONTACT_TEXT = {
    "name": _short("Name", 150, required=True),
    "relationship": _short("Relationship", 60),
    "phone": _short("Phone number", 30),
    "email": _short("E-mail"),
    "address": _short("Address"),
    "notes": _long("Notes"),
}


def check_contact(data: ContactInput) -> ContactInput:
    """The cleaned input (phone written one way) or ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    raw = data
    data = check_texts(data, CONTACT_TEXT, errors)
    _no_digits(errors, data.name, "name", "Name")
    if data.phone and "phone" not in errors and (message := phone_problem(raw.phone)):
        errors["phone"] = message
    if data.email and "email" not in errors and (message := email_problem(data.email)):
        errors["email"] = message
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


CONSENT_TEXT = {
    "recipient_name": _short("Recipient", required=True),
    "recipient_address": _short("Recipient's address"),
    "purpose": _long("Purpose", required=True),
    "information_scope": _long("What may be disclosed", required=True),
    "who_may_disclose": _short("Who may disclose"),
    "expiry_event": _short("Expiry event"),
    "signed_by": _short("Signed by"),
}


def check_consent(data: ConsentInput, today: date) -> ConsentInput:
    """The cleaned input or ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    data = check_texts(data, CONSENT_TEXT, errors)
    _date(errors, data.effective_date, "effective_date", "Effective date", today, required=True)
    _date(errors, data.expiry_date, "expiry_date", "Expiry date", today)
    _date(errors, data.signed_on, "signed_on", "Signed date", today, past=True)
    if not {"effective_date", "expiry_date"} & errors.keys():
        if data.expiry_date is None and not data.expiry_event and "expiry_event" not in errors:
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
    errors: dict[str, str] = {}
    if problem := text_problem(note, "Note"):
        errors["revocation_note"] = problem
    note = " ".join(note.split())
    if revoked_on is None:
        errors["revoked_on"] = "Date of revocation is required"
    elif revoked_on > today:
        errors["revoked_on"] = f"Date of revocation {revoked_on.isoformat()} is in the future"
    elif signed_on is not None and revoked_on < signed_on:
        errors["revoked_on"] = (f"Date of revocation {revoked_on.isoformat()} is before the "
                                f"consent was signed ({signed_on.isoformat()})")
    if "revocation_note" not in errors and len(note) > SHORT_MAX:
        errors["revocation_note"] = f"Note is longer than {SHORT_MAX:,} characters ({len(note):,})"
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
    if name in errors:
        return
    if not value:
        if required:
            errors[name] = f"{label} is required"
    elif not _NUMBER_RE.fullmatch(value):
        errors[name] = f"{label} is 1–30 letters, digits or hyphens"


COVERAGE_TEXT = {
    "payer_name": _short("Payer", required=True),
    "member_number": _short("Member number", None),      # _number says what it may be
    "group_number": _short("Group number", None),
    "payer_id": _short("Payer ID", None),
    "subscriber_name": _short("Subscriber"),
    "subscriber_relationship": _short("Relationship to the subscriber", 40),
}


def check_coverage(data: CoverageInput, today: date) -> CoverageInput:
    """The cleaned input or ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    data = check_texts(data, COVERAGE_TEXT, errors)
    _number(errors, data.member_number, "member_number", "Member number", required=True)
    _number(errors, data.group_number, "group_number", "Group number")
    _number(errors, data.payer_id, "payer_id", "Payer ID")
    if data.priority not in PRIORITIES:
        errors["priority"] = "Priority is 1 (primary), 2 (secondary) or 3 (tertiary)"
    _no_digits(errors, data.subscriber_name, "subscriber_name", "Subscriber")
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
