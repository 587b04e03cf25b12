"""A payer's authorization of an episode: the input (checked field by field), the read model
with the units used and the warnings, and the row of the Today list of authorizations that
need attention.

A unit is a day (DOMAIN.md, Billing codes): a day of IOP attendance at or above the per-diem
threshold uses one (attendance.units_used); the warnings are attendance.authorization_warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from iopdesk.domain.attendance import AuthorizationWarning
from iopdesk.domain.enums import LevelOfCare
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.text import TextRule, check_texts

MAX_UNITS = 1000                 # more days than any payer authorizes at once: a typing slip
NUMBER_MAX = 60
PAYER_MAX = 120
NOTES_MAX = 10_000
_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]*$")
LEVELS = {level.value for level in LevelOfCare}

__all__ = ["AuthorizationAlert", "AuthorizationInput", "AuthorizationView", "MAX_UNITS",
           "check_authorization"]


@dataclass(frozen=True)
class AuthorizationInput:
    """An authorization as the form supplies it: `units` days over [first_date, last_date]."""

    payer: str
    number: str
    units: int
    first_date: date | None
    last_date: date | None
    level_of_care: str = LevelOfCare.IOP.value
    notes: str = ""
    coverage_id: int | None = None      # the coverage it was given under (the same person's)


AUTHORIZATION_TEXT = {
    "payer": TextRule("Payer", PAYER_MAX, required=True),
    "number": TextRule("Authorization number", NUMBER_MAX, required=True),
    "level_of_care": TextRule("Level of care", 20, required=True),
    "notes": TextRule("Notes", NOTES_MAX, multiline=True),
}


def _check_units(errors: dict[str, str], units: object) -> None:
    if type(units) is not int:
        errors["units"] = "Units must be a whole number of days"
    elif units < 1:
        errors["units"] = f"Units must be at least 1 (got {units})"
    elif units > MAX_UNITS:
        errors["units"] = f"Units may be at most {MAX_UNITS:,} days (got {units:,})"


def _check_dates(errors: dict[str, str], first: date | None, last: date | None) -> None:
    if first is None:
        errors["first_date"] = "First date is required"
    if last is None:
        errors["last_date"] = "Last date is required"
    elif first is not None and last < first:
        errors["last_date"] = (f"Last date {last.isoformat()} is before the first date "
                               f"{first.isoformat()}")


def check_authorization(data: AuthorizationInput) -> AuthorizationInput:
    """The cleaned input, or ValidationError naming every bad field (nothing is stored)."""
    errors: dict[str, str] = {}
    data = check_texts(data, AUTHORIZATION_TEXT, errors)
    if "number" not in errors and not _NUMBER_RE.match(data.number):
        errors["number"] = ("Authorization number may hold only letters, digits and - . / "
                            "(no spaces)")
    if "level_of_care" not in errors and data.level_of_care not in LEVELS:
        errors["level_of_care"] = (f"Level of care {data.level_of_care!r} is not one of "
                                   f"{', '.join(sorted(LEVELS))} (ASAM)")
    _check_units(errors, data.units)
    _check_dates(errors, data.first_date, data.last_date)
    if data.coverage_id is not None and type(data.coverage_id) is not int:
        errors["coverage_id"] = "Coverage is not a stored coverage"
    if errors:
        raise ValidationError(errors)
    return data


@dataclass(frozen=True)
class AuthorizationView:
    """An authorization as stored, with its units used and remaining as of the services'
    today and the warnings a person should see."""

    id: int
    version: int
    episode_id: int
    participant_id: int
    payer: str
    number: str
    level_of_care: str
    units: int
    used: int                   # days in the range at or above the per-diem threshold
    remaining: int              # units - used, never below 0 (used may pass a lowered figure)
    first: date
    last: date
    warnings: tuple[AuthorizationWarning, ...]
    notes: str
    coverage_id: int | None = None

    def as_input(self) -> AuthorizationInput:
        """What the edit form starts from."""
        return AuthorizationInput(payer=self.payer, number=self.number, units=self.units,
                                  first_date=self.first, last_date=self.last,
                                  level_of_care=self.level_of_care, notes=self.notes,
                                  coverage_id=self.coverage_id)


@dataclass(frozen=True)
class AuthorizationAlert:
    """A row of Today's authorizations about to run out: whose, which, and why."""

    authorization_id: int
    participant_id: int
    episode_id: int
    participant_name: str       # as lists show it: "Nguyễn, Thị Lan"
    chart_number: str
    payer: str
    number: str
    remaining: int
    last: date
    warnings: tuple[AuthorizationWarning, ...]
