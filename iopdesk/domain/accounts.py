"""Accounts and the practice: what the first-run wizard and the user screens supply, the
password policy, and the practice's policy settings.

Pure rules: each `check_*` returns the cleaned input or raises ValidationError naming every
field that is wrong, with a message a person can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace

from iopdesk.domain.enums import Role
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.time import canonical_zone, workstation_zone, zone_problem
from iopdesk.domain.validation import (PHONE_MAX, TextRule, check_texts, email_problem,
                                       format_phone, phone_problem, state_problem, zip_problem)

PASSWORD_MAX = 1024
USERNAME_MIN, USERNAME_MAX = 3, 64
DISPLAY_NAME_MAX = 100
CREDENTIALS_MAX = 50
CITY_MAX = 100
LOGO_MAX_BYTES = 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Names the audit trail uses for work done without a log-in: nobody may take them.
RESERVED_USERNAMES = frozenset({"system", "-"})
# Passwords every guesser tries first, and the demo practice's published password.
COMMON_PASSWORDS = frozenset({
    "iopdesk-demo", "password", "password1", "password12", "password123", "password1234",
    "1234567890", "12345678910", "0123456789", "qwertyuiop", "1q2w3e4r5t", "letmein123",
    "welcome123", "changeme123", "administrator", "iloveyou123",
})

_USERNAME_RE = re.compile(r"^[A-Za-z0-9._-]+$")


@dataclass(frozen=True)
class PracticeInput:
    """The practice's letterhead: what the first-run wizard asks for."""

    name: str
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    phone: str = ""
    fax: str = ""
    npi: str = ""
    logo_png: bytes | None = None


@dataclass(frozen=True)
class NewUserInput:
    username: str
    display_name: str
    roles: frozenset[Role]
    credentials: str = ""
    email: str = ""
    needs_cosign: bool = False
    supervisor_id: int | None = None


@dataclass(frozen=True)
class UserChanges:
    """An edit of a user (the user name itself never changes: the audit trail names it)."""

    display_name: str
    roles: frozenset[Role]
    credentials: str = ""
    email: str = ""
    needs_cosign: bool = False
    supervisor_id: int | None = None


@dataclass(frozen=True)
class PracticeSettings:
    """The practice's policy values; the defaults are what a new practice starts with."""

    idle_lock_minutes: int = 10
    password_min_length: int = 10
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    part2_notice: str = "short"
    week_start: int = 0
    review_interval_days: int = 30
    lost_to_contact_days: int = 14
    # The IANA zone the practice's dates and times are shown in (stored times are UTC); a new
    # practice starts with the zone of the workstation it is set up on (UTC if unknown).
    time_zone: str = field(default_factory=workstation_zone)
    # Administrators are warned on Today when the newest good backup is older than this.
    backup_warning_days: int = 2
    # Attendance (DOMAIN.md, Program intensity): an arrival later than the grace after a
    # meeting's start is "late", a departure earlier than the grace before its end "left
    # early"; a meeting with no check-out by the end of its day credits its time to the
    # meeting's end ("to_end", flagged for review) or nothing ("nothing").
    late_grace_minutes: int = 10
    no_checkout_credit: str = "to_end"
    # A closure lowers that week's minimum hours in proportion to the scheduled hours lost.
    closure_reduces_minimum: bool = True
    # A day with at least this many minutes of IOP attendance uses one authorized unit
    # (H0015 asks for 3 hours a day).
    per_diem_minutes: int = 180
    # Authorizations: warn when this many units remain, and when the range ends this soon.
    authorization_units_warning: int = 3
    authorization_end_warning_days: int = 7
    # Group meetings are generated this many weeks ahead of today.
    meetings_ahead_weeks: int = 8
    # Names on a sign-in sheet: "full", or "first_initial" (first name, last initial).
    sign_in_names: str = "full"


PART2_NOTICES = ("short", "full")
NO_CHECKOUT_CREDITS = ("to_end", "nothing")
SIGN_IN_NAMES = ("full", "first_initial")
# field -> (lowest, highest, what a person reads)
SETTING_RANGES: dict[str, tuple[int, int, str]] = {
    "idle_lock_minutes": (1, 120, "The idle lock is 1 to 120 minutes"),
    "password_min_length": (8, 128, "The shortest password allowed is 8 to 128 characters"),
    "lockout_threshold": (3, 50, "Lock an account after 3 to 50 failed log-ins"),
    "lockout_minutes": (1, 1440, "A lockout lasts 1 to 1440 minutes (a day)"),
    "week_start": (0, 6, "The week starts on a weekday from 0 (Monday) to 6 (Sunday)"),
    "review_interval_days": (7, 365, "Plan reviews are due every 7 to 365 days"),
    "lost_to_contact_days": (1, 365, "Lost to contact after 1 to 365 days without attendance"),
    "backup_warning_days": (1, 90, "Warn about old backups after 1 to 90 days"),
    "late_grace_minutes": (0, 60, "The grace for late arrivals and early departures is 0 to "
                                  "60 minutes"),
    "per_diem_minutes": (30, 720, "A day uses an authorized unit at 30 to 720 minutes"),
    "authorization_units_warning": (0, 100, "Warn when 0 to 100 authorized units remain"),
    "authorization_end_warning_days": (0, 90, "Warn 0 to 90 days before an authorization "
                                              "ends"),
    "meetings_ahead_weeks": (1, 52, "Group meetings are made 1 to 52 weeks ahead"),
}


def check_password(password: str, min_length: int, *, field: str = "password",
                   username: str = "") -> None:
    """Refuse a password the policy does not allow (NIST SP 800-63B: length, not composition).

    Any character counts (spaces, quotes, accents, emoji); nothing is trimmed. Refused: an
    empty password, fewer than `min_length` characters, more than PASSWORD_MAX, one character
    repeated, the user's own name, and a short list of passwords every guesser tries first.
    """
    if not isinstance(password, str) or password == "":
        message = "Enter a password"
    elif len(password) > PASSWORD_MAX:
        message = (f"A password is at most {PASSWORD_MAX} characters "
                   f"(this one has {len(password):,})")
    elif len(password) < min_length:
        message = (f"A password needs at least {min_length} characters "
                   f"(this one has {len(password)})")
    elif len(set(password)) == 1:
        message = "A password may not be one character repeated"
    elif username and password.strip().casefold() == username.strip().casefold():
        message = "A password may not be the user name"
    elif password.strip().casefold() in COMMON_PASSWORDS:
        message = "This password is on the list of passwords guessers try first; choose another"
    else:
        return
    raise ValidationError({field: message})


def npi_is_valid(npi: str) -> bool:
    """The NPI check digit: Luhn over the number prefixed with 80840 (CMS NPI standard)."""
    if not re.fullmatch(r"[0-9]{10}", npi):      # [0-9]: \d would take "١٢٣…"
        return False
    total = 0
    for position, char in enumerate(reversed("80840" + npi)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


# The practice's and the users' text fields: see validation.text_problem for what is refused.
PRACTICE_TEXT = {
    "name": TextRule("The practice name", required=True),
    "address_line1": TextRule("Address"),
    "address_line2": TextRule("Address line 2"),
    "city": TextRule("City", CITY_MAX),
    "state": TextRule("State"),
    "postal_code": TextRule("ZIP code"),
    "phone": TextRule("Phone number", PHONE_MAX),
    "fax": TextRule("Fax number", PHONE_MAX),
    "npi": TextRule("NPI"),
}
USER_TEXT = {
    "username": TextRule("User name", None),         # username_error counts its length
    "display_name": TextRule("The name", DISPLAY_NAME_MAX, required=True),
    "credentials": TextRule("Credentials", CREDENTIALS_MAX,
                            too_long=f"Credentials are at most {CREDENTIALS_MAX} characters"),
    "email": TextRule("E-mail"),
}


def check_practice(data: PracticeInput) -> PracticeInput:
    """The cleaned letterhead, or ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    raw = data
    data = check_texts(data, PRACTICE_TEXT, errors)
    for name, problem in (("state", state_problem), ("postal_code", zip_problem)):
        value = getattr(data, name)
        if value and name not in errors and (message := problem(value)):
            errors[name] = message
    for name, extension in (("phone", True), ("fax", False)):
        if getattr(data, name) and name not in errors and (message := phone_problem(
                getattr(raw, name), PRACTICE_TEXT[name].label, extension=extension)):
            errors[name] = message
    npi = data.npi.replace(" ", "").replace("-", "")
    if npi and "npi" not in errors:
        if not re.fullmatch(r"[0-9]{10}", npi):
            errors["npi"] = "The NPI is 10 digits"
        elif not npi_is_valid(npi):
            errors["npi"] = f"{npi} is not a valid NPI (its check digit does not match); check it"
    if data.logo_png:
        if not isinstance(data.logo_png, bytes) or not data.logo_png.startswith(PNG_SIGNATURE):
            errors["logo_png"] = "The logo must be a PNG image"
        elif len(data.logo_png) > LOGO_MAX_BYTES:
            errors["logo_png"] = (f"The logo is {len(data.logo_png) // 1024:,} KB; "
                                  f"the largest allowed is {LOGO_MAX_BYTES // 1024:,} KB")
    if errors:
        raise ValidationError(errors)
    return replace(data, state=data.state.upper(), npi=npi,
                   phone=format_phone(data.phone) if data.phone else "",
                   fax=format_phone(data.fax) if data.fax else "",
                   logo_png=data.logo_png or None)


def username_error(username: str) -> str | None:
    if not username:
        return "The user name is required"
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        return (f"A user name is {USERNAME_MIN} to {USERNAME_MAX} characters "
                f"(this one has {len(username)})")
    if not _USERNAME_RE.fullmatch(username):
        return ("A user name may contain only letters a–z, digits, dots, hyphens and "
                "underscores (no spaces or accents)")
    if username.lower() in RESERVED_USERNAMES:
        return f"“{username}” is reserved for the system; choose another user name"
    return None


def _roles(value: object, errors: dict[str, str]) -> frozenset[Role]:
    roles: set[Role] = set()
    for item in value or ():
        try:
            roles.add(Role(item))
        except ValueError:
            errors["roles"] = (f"“{item}” is not a role; the roles are "
                               + ", ".join(r.value for r in Role))
            return frozenset()
    if not roles and "roles" not in errors:
        errors["roles"] = "Give the user at least one role"
    return frozenset(roles)


def _check_person(data, errors: dict[str, str]) -> dict[str, object]:
    """The checks NewUserInput and UserChanges share; returns the cleaned values."""
    texts = {name: rule for name, rule in USER_TEXT.items() if hasattr(data, name)}
    data = check_texts(data, texts, errors)
    if data.email and "email" not in errors and (message := email_problem(data.email)):
        errors["email"] = message
    roles = _roles(data.roles, errors)
    needs_cosign = bool(data.needs_cosign)
    if needs_cosign and data.supervisor_id is None:
        errors["supervisor_id"] = "A user whose work needs co-signature needs a supervisor"
    if needs_cosign and Role.SUPERVISOR in roles:
        errors["needs_cosign"] = "A supervisor's own work does not need co-signature"
    return {"display_name": data.display_name, "credentials": data.credentials,
            "email": data.email, "roles": roles, "needs_cosign": needs_cosign,
            **({"username": data.username} if hasattr(data, "username") else {})}


def check_new_user(data: NewUserInput) -> NewUserInput:
    """The cleaned input, or ValidationError naming every bad field.

    Whether the supervisor exists and holds the supervisor role is checked by the service.
    """
    errors: dict[str, str] = {}
    values = _check_person(data, errors)
    if "username" not in errors and (problem := username_error(str(values["username"]))):
        errors["username"] = problem
    if errors:
        raise ValidationError(errors)
    return replace(data, **values)


def check_user_changes(data: UserChanges) -> UserChanges:
    errors: dict[str, str] = {}
    values = _check_person(data, errors)
    if errors:
        raise ValidationError(errors)
    return replace(data, **values)


def check_settings(data: PracticeSettings) -> PracticeSettings:
    errors: dict[str, str] = {}
    for name, (low, high, message) in SETTING_RANGES.items():
        value = getattr(data, name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = message
    if data.part2_notice not in PART2_NOTICES:
        errors["part2_notice"] = "The 42 CFR Part 2 notice is either “short” or “full”"
    if data.no_checkout_credit not in NO_CHECKOUT_CREDITS:
        errors["no_checkout_credit"] = ("Without a check-out, credit the time to the meeting's "
                                        "end (“to_end”) or nothing (“nothing”)")
    if not isinstance(data.closure_reduces_minimum, bool):
        errors["closure_reduces_minimum"] = "Whether a closure lowers the week's minimum is "\
                                            "yes or no"
    if data.sign_in_names not in SIGN_IN_NAMES:
        errors["sign_in_names"] = ("Sign-in sheets show full names (“full”) or first name "
                                   "and last initial (“first_initial”)")
    if message := zone_problem(data.time_zone):
        errors["time_zone"] = message
    if errors:
        raise ValidationError(errors)
    return replace(data, time_zone=canonical_zone(data.time_zone))


def settings_from_stored(stored: dict[str, object]) -> PracticeSettings:
    """Settings from stored key/value pairs: a missing or unusable value gets its default."""
    defaults = PracticeSettings()
    values = {}
    for f in fields(PracticeSettings):
        if f.name not in stored:
            continue
        candidate = replace(defaults, **{f.name: stored[f.name]})
        try:
            values[f.name] = getattr(check_settings(candidate), f.name)
        except ValidationError:
            continue
    return replace(defaults, **values)
