"""The rules of an admission and of its correction: which program track fits a participant's
age, and an episode marked "entered in error" (kept and readable, counted nowhere).

Age groups (DOMAIN.md, ASAM level 2.1): adolescents are under 18, adults 18 and over. The age
is the participant's age on the admission date, which the Admit form starts at the practice's
today (the services' clock, never the workstation's)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from iopdesk.domain.clinical import age_on
from iopdesk.domain.enums import AgeGroup, EpisodeStatus
from iopdesk.domain.errors import ValidationError

ADULT_AGE = 18                     # adolescents are under 18
REASON_LIMIT = 1_000               # characters of an "entered in error" reason

_GROUP_WORDS = {AgeGroup.ADULT: "an adult track (18 and over)",
                AgeGroup.ADOLESCENT: "an adolescent track (under 18)"}


def age_group_of(age: int) -> AgeGroup:
    """The age group a participant of `age` (in whole years) belongs to."""
    return AgeGroup.ADULT if age >= ADULT_AGE else AgeGroup.ADOLESCENT


def age_fits(age_group: AgeGroup, age: int) -> bool:
    """Whether a participant of `age` (whole years) belongs in a track for `age_group`."""
    return age_group_of(age) is AgeGroup(age_group)


def age_mismatch(track_name: str, age_group: AgeGroup, born: date, on: date) -> str | None:
    """Why a participant born on `born` does not fit the track on `on` (their admission
    date), in words for the person admitting; None when they fit (or `on` is before the
    birth: that date is refused for its own reason)."""
    if on < born:
        return None
    age = age_on(born, on)
    if age_fits(age_group, age):
        return None
    years = "year" if age == 1 else "years"
    return (f"{age} {years} old on {on.isoformat()}; {track_name} is "
            f"{_GROUP_WORDS[AgeGroup(age_group)]}")


class AgeMismatch(ValidationError):
    """An admission to a track whose age group the participant's age does not fit, not
    acknowledged: a ValidationError at the track (`fields["track_id"]`), with `reason` the
    words the acknowledgement shows ("Admit anyway: <reason>"). `others` are the messages
    of other fields refused at the same time."""

    def __init__(self, reason: str, others: dict[str, str] | None = None):
        self.reason = reason
        super().__init__({**(others or {}),
                          "track_id": f"The age does not fit this track: {reason}. Tick "
                                      "\"Admit anyway\" to admit all the same"})


class _HasAgeGroup(Protocol):
    @property
    def age_group(self) -> AgeGroup: ...


T = TypeVar("T", bound=_HasAgeGroup)


def fitting_track(tracks: Sequence[T], born: date, on: date) -> T | None:
    """The first of `tracks` (in the order given) whose age group fits the participant on
    `on`; None when none does (or `on` is before the birth)."""
    if on < born:
        return None
    group = age_group_of(age_on(born, on))
    return next((t for t in tracks if AgeGroup(t.age_group) is group), None)


# ------------------------------------------------------------------ entered in error

def counts(status: EpisodeStatus | str) -> bool:
    """Whether an episode of this status counts anywhere (lists, caseloads, the current
    episode): every status but "entered in error"."""
    return EpisodeStatus(status) is not EpisodeStatus.ENTERED_IN_ERROR


def check_error_reason(reason: str) -> str:
    """The reason an episode was entered in error, trimmed; required (ValidationError at
    `reason`)."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": "Say why this episode was entered in error"})
    if len(text) > REASON_LIMIT:
        raise ValidationError({"reason": f"The reason is {len(text)} characters long; "
                                         f"at most {REASON_LIMIT} fit"})
    return text


class _EpisodeLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def status(self) -> EpisodeStatus: ...
    @property
    def admission_date(self) -> date: ...


E = TypeVar("E", bound=_EpisodeLike)


def current_episode(episodes: Iterable[E]) -> E | None:
    """The participant's current episode: the latest admitted (then the latest made) of those
    that count; None when none does."""
    counted = [e for e in episodes if counts(e.status)]
    return max(counted, key=lambda e: (e.admission_date, e.id), default=None)


@dataclass(frozen=True)
class CurrentEpisode:
    """What a participant's row repeats of their current episode (so lists filter without a
    join): its status, track and primary clinician; all None without one."""

    status: EpisodeStatus | None
    track_id: int | None
    primary_clinician_id: int | None


def current_of(episodes: Iterable) -> CurrentEpisode:
    """The participant's denormalised current-episode fields, from all their episodes."""
    episode = current_episode(episodes)
    if episode is None:
        return CurrentEpisode(None, None, None)
    return CurrentEpisode(episode.status, episode.track_id, episode.primary_clinician_id)
