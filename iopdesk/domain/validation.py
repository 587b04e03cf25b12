"""Validation of what people type, with a message for each field that is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date

from iopdesk.domain.errors import ValidationError
from iopdesk.domain.names import digits_only

NAME_MAX = 100
TEXT_MAX = 200
EARLIEST_BIRTH = date(1900, 1, 1)
_CHART_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ZIP_RE = re.compile(r"^\d{5}(-\d{4})?$")
_STATE_RE = re.compile(r"^[A-Za-z]{2}$")


def email_problem(value: str) -> str | None:
    """The message for a text that is not an e-mail address, else None."""
    if len(value) > TEXT_MAX or not _EMAIL_RE.fullmatch(value):
        return f"“{value[:60]}” is not an e-mail address"
    return None


def state_problem(value: str) -> str | None:
    return None if _STATE_RE.fullmatch(value) else "State is the two-letter abbreviation, e.g. OR"


def zip_problem(value: str) -> str | None:
    return None if _ZIP_RE.fullmatch(value) else "ZIP code is 5 digits or ZIP+4 (12345-6789)"


def parse_date(text: str, field_name: str = "date") -> date:
    """Parse an ISO date (YYYY-MM-DD) or a US date (MM/DD/YYYY); a specific message otherwise."""
    raw = text.strip()
    if not raw:
        raise ValidationError({field_name: "is required"})
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw) or None
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw)
        if not match:
            raise ValidationError({field_name: f"“{raw}” is not a date; use YYYY-MM-DD or MM/DD/YYYY"})
        month, day, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError({field_name: f"{raw} is not a real calendar date"}) from None


@dataclass(frozen=True)
class ParticipantInput:
    """What a registration or demographic edit supplies; text fields are stripped on check."""

    first_name: str
    last_name: str
    date_of_birth: date | None
    middle_name: str = ""
    preferred_name: str = ""
    pronouns: str = ""
    sex_at_birth: str = ""
    gender_identity: str = ""
    phone: str = ""
    phone_ok_to_leave_message: bool = False
    alt_phone: str = ""            # another number (work, a second mobile)
    email: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    preferred_contact: str = ""
    referral_source: str = ""
    chart_number: str = ""      # empty: the next free number is assigned

    def cleaned(self) -> "ParticipantInput":
        """The same input with surrounding white space removed from every text field."""
        changes = {f.name: " ".join(getattr(self, f.name).split()) for f in fields(self)
                   if isinstance(getattr(self, f.name), str)}
        return replace(self, **changes)


def check_participant(data: ParticipantInput, today: date) -> ParticipantInput:
    """Return the cleaned input or raise ValidationError naming every bad field."""
    data = data.cleaned()
    errors: dict[str, str] = {}
    for name, label in (("first_name", "First name"), ("last_name", "Last name")):
        value = getattr(data, name)
        if not value:
            errors[name] = f"{label} is required"
        elif len(value) > NAME_MAX:
            errors[name] = f"{label} is longer than {NAME_MAX} characters"
        elif any(c.isdigit() for c in value) or any(ord(c) < 32 for c in value):
            errors[name] = f"{label} may not contain digits or control characters"
    for name in ("middle_name", "preferred_name"):
        if len(getattr(data, name)) > NAME_MAX:
            errors[name] = f"is longer than {NAME_MAX} characters"
    for f in fields(data):
        value = getattr(data, f.name)
        if isinstance(value, str) and f.name not in errors and len(value) > TEXT_MAX:
            errors[f.name] = f"is longer than {TEXT_MAX} characters"
    dob = data.date_of_birth
    if dob is None:
        errors["date_of_birth"] = "Date of birth is required"
    elif dob > today:
        errors["date_of_birth"] = f"Date of birth {dob.isoformat()} is in the future"
    elif dob < EARLIEST_BIRTH:
        errors["date_of_birth"] = f"Date of birth {dob.isoformat()} is before {EARLIEST_BIRTH.year}"
    if data.chart_number and not _CHART_RE.fullmatch(data.chart_number):
        errors["chart_number"] = "Chart number is 1–20 letters, digits or hyphens"
    for name in ("phone", "alt_phone"):
        value = getattr(data, name)
        if value and name not in errors:
            digits = digits_only(value)
            if len(digits) == 11 and digits.startswith("1"):
                digits = digits[1:]
            if len(digits) != 10:
                errors[name] = "Phone number needs 10 digits, e.g. (555) 201-3344"
    for name, problem in (("email", email_problem), ("state", state_problem),
                          ("postal_code", zip_problem)):
        value = getattr(data, name)
        if value and name not in errors and (message := problem(value)):
            errors[name] = message
    if errors:
        raise ValidationError(errors)
    return replace(data, state=data.state.upper())


def format_phone(text: str) -> str:
    """Store US phone numbers one way: (555) 201-3344."""
    digits = digits_only(text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return text.strip()
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
