"""Read models: frozen snapshots the services return and the UI and reports consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

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

    @property
    def current_episode(self) -> Episode | None:
        return self.episodes[0] if self.episodes else None
