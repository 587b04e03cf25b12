"""Validation of what people type, with a message for each field that is wrong.

One module serves every form with free text (participant, contact, consent, coverage, practice,
user): `text_problem` decides whether a text can be shown as typed without misleading whoever
reads it — on a screen, a face sheet, a letter — and `check_texts` applies it, with the length
and "required" rules, to every text field of a form's input.

The rules of text that cannot mislead (control characters, direction controls, invisible and
format characters, stray combining marks, code points that are not characters) are in
`iopdesk.domain.text`, with `text_problem` and `check_texts`; this module adds the fields of
its own kind and the participant form.

Phone numbers: digits 0–9, spaces, + ( ) - . / and the dashes a paste brings (‐ ‑ ‒ – — −),
then optionally an extension ("x 204", "ext. 204", "extension 204"; not for a fax). Letters
and anything else are refused at the field, never stripped: "call 555 201 3344 after 5" is not
a phone number. US states: the USPS two-letter codes of the 50 states, DC, the territories
(AS, GU, MP, PR, VI), the freely associated states USPS delivers to with US ZIP codes (FM, MH,
PW) and the military "states" (AA, AE, AP).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date

from iopdesk.domain.errors import ValidationError
# Re-exported: the forms import their text checks from here, with the field checks.
from iopdesk.domain.text import (MAX_MARKS, TEXT_MAX, TextRule, character_name,  # noqa: F401
                                 check_texts, clean_text, text_problem)

NAME_MAX = 100
PHONE_MAX = 40          # as typed; stored as "(555) 201-3344 x123456" at most
EARLIEST_BIRTH = date(1900, 1, 1)
_CHART_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ZIP_RE = re.compile(r"^[0-9]{5}(-[0-9]{4})?$")      # [0-9]: \d would take "٩٧٢٠٥"
_STATE_RE = re.compile(r"^[A-Za-z]{2}$")

US_STATES = frozenset("""
    AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ
    NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY
    DC AS GU MP PR VI FM MH PW AA AE AP""".split())

# ---- e-mail, state, ZIP code, phone ----------------------------------------------------------

def email_problem(value: str, label: str = "E-mail") -> str | None:
    """The message for a text that is not an e-mail address, else None."""
    if problem := text_problem(value, label):
        return problem
    value = value.strip()
    if len(value) > TEXT_MAX or not _EMAIL_RE.fullmatch(value):
        return f"“{value[:60]}” is not an e-mail address"
    return None


def state_problem(value: str) -> str | None:
    """The message for a text that is not a US state's (or territory's) code, else None."""
    if not _STATE_RE.fullmatch(value):
        return "State is the two-letter abbreviation, e.g. OR"
    if value.upper() not in US_STATES:
        return (f"{value.upper()} is not a US state, territory or military (AA, AE, AP) "
                "abbreviation")
    return None


def zip_problem(value: str) -> str | None:
    return None if _ZIP_RE.fullmatch(value) else "ZIP code is 5 digits or ZIP+4 (12345-6789)"


_EXTENSION_RE = re.compile(r"(?:x|ext\.?|extension)\s*([0-9]{1,6})\s*$", re.IGNORECASE)
_PHONE_SEPARATORS = frozenset("+()-./\u2010\u2011\u2012\u2013\u2014\u2212")


def _split_extension(text: str, extension: bool = True) -> tuple[str, str]:
    """The number and its extension's digits ('' when it has none)."""
    match = _EXTENSION_RE.search(text) if extension else None
    return (text[:match.start()], match.group(1)) if match else (text, "")


def _ten_digits(number: str) -> str:
    """The ten digits of a US number (a leading 1 dropped), or '' when it has not ten."""
    digits = "".join(c for c in number if c in "0123456789")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) == 10 else ""


def phone_problem(value: str, label: str = "Phone number", *,
                  extension: bool = True) -> str | None:
    """The message for a text that is not a US phone number (with an extension, when
    `extension`), else None. Letters and other characters are refused, never stripped."""
    if problem := text_problem(value, label):
        return problem
    number, _ = _split_extension(value, extension)
    for i, c in enumerate(number):
        if not (c in "0123456789" or c in _PHONE_SEPARATORS or c.isspace()):
            shown = f"“{c}”" if c.isascii() else f"“{c}” ({character_name(c)})"
            also = " and an extension such as “x 204”" if extension else ""
            return (f"{label} may contain only digits, spaces and + ( ) - . /{also}: "
                    f"{shown} at position {i + 1} is not one of them")
    if not _ten_digits(number):
        return f"{label} needs 10 digits, e.g. (555) 201-3344"
    return None


def format_phone(text: str) -> str:
    """Store US phone numbers one way: (555) 201-3344, or (555) 201-3344 x204."""
    number, extension = _split_extension(text)
    digits = _ten_digits(number)
    if not digits:
        return text.strip()
    formatted = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return f"{formatted} x{extension}" if extension else formatted


def phone_digits(text: str) -> str:
    """The ten digits a phone number is found by (no leading 1, no extension), or ''."""
    return _ten_digits(_split_extension(text)[0])


# ---- dates -----------------------------------------------------------------------------------

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


# ---- participants ----------------------------------------------------------------------------

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
    referral_date: date | None = None   # the day the referral came (None: not recorded)
    chart_number: str = ""      # empty: the next free number is assigned

    def cleaned(self) -> "ParticipantInput":
        """The same input with surrounding white space removed from every text field."""
        changes = {f.name: clean_text(getattr(self, f.name)) for f in fields(self)
                   if isinstance(getattr(self, f.name), str)}
        return replace(self, **changes)


PARTICIPANT_TEXT = {
    "first_name": TextRule("First name", NAME_MAX, required=True),
    "last_name": TextRule("Last name", NAME_MAX, required=True),
    "middle_name": TextRule("Middle name", NAME_MAX),
    "preferred_name": TextRule("Preferred name", NAME_MAX),
    "pronouns": TextRule("Pronouns"),
    "sex_at_birth": TextRule("Sex assigned at birth"),
    "gender_identity": TextRule("Gender identity"),
    "phone": TextRule("Phone number", PHONE_MAX),
    "alt_phone": TextRule("Alternate phone number", PHONE_MAX),
    "email": TextRule("E-mail"),
    "address_line1": TextRule("Address"),
    "address_line2": TextRule("Address line 2"),
    "city": TextRule("City"),
    "state": TextRule("State"),
    "postal_code": TextRule("ZIP code"),
    "preferred_contact": TextRule("Preferred contact"),
    "referral_source": TextRule("Referral source"),
    "chart_number": TextRule("Chart number"),
}


def check_participant(data: ParticipantInput, today: date) -> ParticipantInput:
    """Return the cleaned input or raise ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    raw = data
    data = check_texts(data, PARTICIPANT_TEXT, errors)
    for name in ("first_name", "last_name"):
        if name not in errors and any(c.isdigit() for c in getattr(data, name)):
            errors[name] = f"{PARTICIPANT_TEXT[name].label} may not contain digits"
    dob = data.date_of_birth
    if dob is None:
        errors["date_of_birth"] = "Date of birth is required"
    elif dob > today:
        errors["date_of_birth"] = f"Date of birth {dob.isoformat()} is in the future"
    elif dob < EARLIEST_BIRTH:
        errors["date_of_birth"] = f"Date of birth {dob.isoformat()} is before {EARLIEST_BIRTH.year}"
    referred = data.referral_date
    if referred is not None and referred > today:
        errors["referral_date"] = (f"Referral date {referred.isoformat()} is in the future; "
                                   "record the day the referral came")
    elif referred is not None and dob is not None and referred < dob:
        errors["referral_date"] = (f"Referral date {referred.isoformat()} is before the date "
                                   "of birth")
    if data.chart_number and "chart_number" not in errors and \
            not _CHART_RE.fullmatch(data.chart_number):
        errors["chart_number"] = "Chart number is 1–20 letters, digits or hyphens"
    for name in ("phone", "alt_phone"):
        if getattr(data, name) and name not in errors and (
                message := phone_problem(getattr(raw, name), PARTICIPANT_TEXT[name].label)):
            errors[name] = message
    for name, problem in (("email", email_problem), ("state", state_problem),
                          ("postal_code", zip_problem)):
        value = getattr(data, name)
        if value and name not in errors and (message := problem(value)):
            errors[name] = message
    if errors:
        raise ValidationError(errors)
    return replace(data, state=data.state.upper())
