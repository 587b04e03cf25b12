"""The practice's policy settings (idle lock, password and lockout policy, Part 2 notice, ...).

Stored as one PracticeSetting row per field of PracticeSettings; a missing or unusable row
reads as its default, so log-in and the idle lock work on any database.

The practice's clock (`SettingsService.clock`) is how screens learn the practice's time zone
and today's date: from the services' injected clock, never the workstation's.
"""

from __future__ import annotations

from datetime import date, datetime

from iopdesk.domain.accounts import PracticeSettings, check_settings
from iopdesk.domain.changes import ChangeSet, RecordKind
from iopdesk.domain.time import PracticeClock, practice_today, utc_now
from iopdesk.services.changes import saving
from iopdesk.services.context import Actor, ServiceContext
from iopdesk.services.permissions import Permission, requires
from iopdesk.services.stored_settings import load_settings, load_time_zone, store_settings


class SettingsService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx
        # The time zone, read once and again after a change of the settings (screens format
        # every time they show with it: no query each time).
        self._zone: str | None = None
        ctx.changes.subscribe(self._changed)

    def _changed(self, change_set: ChangeSet) -> None:
        if RecordKind.SETTINGS in change_set.kinds:
            self._zone = None

    def get(self) -> PracticeSettings:
        """The settings in force (no log-in needed: the log-in screen uses them)."""
        with self._ctx.session_factory() as session:
            settings = load_settings(session)
        self._zone = settings.time_zone
        return settings

    def time_zone(self) -> str:
        """The practice's time zone name, such as "America/Los_Angeles" (no log-in needed)."""
        zone = self._zone
        if zone is None:
            with self._ctx.session_factory() as session:
                zone = self._zone = load_time_zone(session)
        return zone

    def utc_now(self) -> datetime:
        """The services' clock: now, as an aware UTC datetime."""
        return getattr(self._ctx, "now", utc_now)()

    def practice_today(self) -> date:
        """Today's date at the practice, from the UTC clock and the practice's zone (what the
        services' `today` is when none is injected)."""
        return practice_today(self.utc_now(), self.time_zone())

    def clock(self) -> PracticeClock:
        """The practice's clock for the screens: its zone, the services' UTC clock, and the
        services' today (so a screen's "today" is the one the services check dates against).
        No log-in needed; cheap after the first call."""
        return PracticeClock(zone=self.time_zone(), utc=self.utc_now,
                             today_source=self._ctx.today)

    @requires(Permission.MANAGE_PRACTICE, "settings.update")
    def update(self, actor: Actor, settings: PracticeSettings) -> PracticeSettings:
        settings = check_settings(settings)
        with self._ctx.unit_of_work() as session:
            with saving(session, None, "The practice policy"):
                changed = store_settings(session, settings)
                if changed:
                    self._ctx.audit(session, actor, "settings.update",
                                    entity="practice_settings", detail={"changed": changed})
            stored = load_settings(session)
        self._zone = stored.time_zone
        return stored
