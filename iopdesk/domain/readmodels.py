"""Read models: frozen snapshots the services return and the UI and reports consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Generic, TypeVar

from iopdesk.domain.audit import AuditEntry, AuditFilter
from iopdesk.domain.enums import AgeGroup, EpisodeStatus, LevelOfCare, Role, TrackFocus
from iopdesk.domain.names import list_name

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a keyset-paged list; `next_after` continues it, None at the end."""

    rows: tuple[T, ...]
    next_after: tuple | None = None


@dataclass(frozen=True)
class StaffMember:
    id: int
    username: str
    display_name: str
    credentials: str
    roles: frozenset[Role]
    active: bool
    needs_cosign: bool
    supervisor_id: int | None
    must_change_password: bool = False
    locked_until: datetime | None = None     # set only while a lockout lasts
    email: str = ""
    last_login_at: datetime | None = None
    version: int = 0


@dataclass(frozen=True)
class Track:
    id: int
    name: str
    level_of_care: LevelOfCare
    age_group: AgeGroup
    focus: TrackFocus
    min_hours_per_week: float
    review_interval_days: int


@dataclass(frozen=True)
class ParticipantRow:
    """A line of the participant list: what the front desk needs to pick the right person."""

    id: int
    chart_number: str
    last_name: str
    first_name: str
    preferred_name: str
    date_of_birth: date
    phone: str
    status: EpisodeStatus | None
    track_name: str

    @property
    def display_name(self) -> str:
        return list_name(self.last_name, self.first_name, self.preferred_name)


@dataclass(frozen=True)
class Episode:
    id: int
    participant_id: int
    track_id: int
    track_name: str
    admission_date: date
    primary_clinician_id: int | None
    primary_clinician_name: str
    status: EpisodeStatus
    discharge_date: date | None
    version: int
    referral_date: date | None = None       # when the participant was referred (if known)
    # Set when a supervisor or administrator marked it entered in error (its status then).
    entered_in_error_reason: str = ""
    entered_in_error_by_name: str = ""
    entered_in_error_at: datetime | None = None

    @property
    def entered_in_error(self) -> bool:
        return self.status is EpisodeStatus.ENTERED_IN_ERROR

    @property
    def counts(self) -> bool:
        """Whether it counts anywhere (lists, caseloads, the current episode): every
        episode but one entered in error, which stays readable in the chart only."""
        return not self.entered_in_error


@dataclass(frozen=True)
class Participant:
    """The demographic record of one participant (no clinical content)."""

    id: int
    chart_number: str
    first_name: str
    middle_name: str
    last_name: str
    preferred_name: str
    pronouns: str
    date_of_birth: date
    sex_at_birth: str
    gender_identity: str
    phone: str
    phone_ok_to_leave_message: bool
    alt_phone: str
    email: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    preferred_contact: str
    referral_source: str
    version: int
    created_at: datetime
    episodes: tuple[Episode, ...] = field(default=())
    referral_date: date | None = None

    @property
    def current_episode(self) -> Episode | None:
        """The latest episode that counts (`episodes` are latest first; one entered in
        error is never current)."""
        return next((e for e in self.episodes if e.counts), None)


@dataclass(frozen=True)
class LedGroup:
    """A group meeting the acting clinician facilitates on a day (their Today): when, what,
    and how many participants are expected at it (and how many are recorded so far)."""

    meeting_id: int
    meeting_date: date
    start_time: time
    end_time: time
    title: str
    topic: str
    track_id: int
    track_name: str
    expected_count: int     # as the front desk's list counts them (services.today)
    recorded_count: int     # of those, with attendance recorded


@dataclass(frozen=True)
class AuditRow(AuditEntry):
    """A line of the audit log: the event, and the participant it names as people know them
    (chart number and name; all empty when it names none). The internal id stays in
    `participant_id`, for the CSV export and the services, never for the screen."""

    chart_number: str = ""
    last_name: str = ""
    first_name: str = ""
    preferred_name: str = ""

    @property
    def participant_name(self) -> str:
        """"Okafor, Samuel", as the participant list shows it; "" when the event names no
        one."""
        if not self.chart_number:
            return ""
        return list_name(self.last_name, self.first_name, self.preferred_name)

    @property
    def participant_label(self) -> str:
        """"Okafor, Samuel (1001)": the name and the chart number, as the chart window's
        title names a participant; "" when the event names no one."""
        return f"{self.participant_name} ({self.chart_number})" if self.chart_number else ""


@dataclass(frozen=True)
class AuditSelection(AuditFilter):
    """What the audit screen and its CSV export select: an AuditFilter, and `participant`,
    a chart number or a name as people type them ("1001", "okafor", "Okafor, Samuel (1001)";
    None means anyone). Every word must be the chart number or start a name."""

    participant: str | None = None
