"""The payers' authorizations of the demo's episodes: four-week ranges of IOP days from the
admission, each with a few days more than the track's meeting days in it, the one in effect
today ending a week or more from now. Exactly one runs low: its units are those used so far
(counted by the rules from the days' minutes) and two more.

Written after the attendance (called by `iopdesk.demo.practice`), whose days they count.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from iopdesk.db.models import Authorization
from iopdesk.demo.attendance import POLICY
from iopdesk.demo.records import EpisodePlan, TrackInfo
from iopdesk.domain.attendance import units_used

if TYPE_CHECKING:
    from iopdesk.demo.base import Ctx

RANGE_DAYS = 28
SPARE_UNITS = 4           # days authorized beyond the track's meeting days in the range
LEVEL_OF_CARE = "2.1"     # ASAM level 2.1, intensive outpatient


def write_authorizations(ctx: Ctx, episodes: list[EpisodePlan], track: TrackInfo,
                         at_risk: EpisodePlan | None) -> None:
    """Every admitted episode with coverage gets its authorizations; one open episode of
    `track` (not the participant at risk) has only two units left."""
    low = _running_low(ctx, episodes, track, at_risk)
    for ep in episodes:
        if ep.coverage_id is None or ep.admission >= ctx.as_of:
            continue
        start, stop = ep.admission, ep.end or ctx.as_of
        while start <= stop:
            last = start + timedelta(days=RANGE_DAYS - 1)
            current = ep.end is None and last >= ctx.as_of
            if current:
                last = max(last, ctx.as_of + timedelta(days=8 + ctx.rng.randint(0, 13)))
            units = _meeting_days(ep.track, start, last) + SPARE_UNITS
            notes = ""
            if current and ep is low:
                units = units_used(ep.minutes, start, last, POLICY) + 2
                notes = "Concurrent review due: request more days before they run out."
            ctx.sink.add(Authorization, ctx.at(start - timedelta(days=1), 9), episode_id=ep.id,
                         coverage_id=ep.coverage_id, payer=ep.payer,
                         number=f"{ep.payer_code}-{ctx.rng.randint(100000, 999999)}",
                         level_of_care=LEVEL_OF_CARE, units=units, unit_kind="day",
                         start_date=start, end_date=last, notes=notes)
            start = last + timedelta(days=1)
        ctx.sink.maybe_flush()


def _running_low(ctx: Ctx, episodes: list[EpisodePlan], track: TrackInfo,
                 at_risk: EpisodePlan | None) -> EpisodePlan | None:
    """An open, covered episode of `track` whose current range began 10 days ago or more."""
    for ep in episodes:
        days = (ctx.as_of - ep.admission).days
        if (ep.track.id == track.id and ep.end is None and ep.coverage_id is not None
                and ep is not at_risk and days >= RANGE_DAYS + 7 and not ep.flags
                and days % RANGE_DAYS >= 10):
            return ep
    return None


def _meeting_days(track: TrackInfo, first: date, last: date) -> int:
    """The days of [first, last] on which the track meets (closures not taken off)."""
    return sum(1 for n in range((last - first).days + 1)
               if (first + timedelta(days=n)).weekday() in track.weekdays)
