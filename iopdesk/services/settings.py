"""The practice's policy settings (idle lock, password and lockout policy, Part 2 notice, ...).

Stored as one PracticeSetting row per field of PracticeSettings; a missing or unusable row
reads as its default, so log-in and the idle lock work on any database.
"""

from __future__ import annotations

from dataclasses import asdict, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from iopdesk.db.models import PracticeSetting
from iopdesk.domain.accounts import PracticeSettings, check_settings, settings_from_stored
from iopdesk.services.changes import saving
from iopdesk.services.context import Actor, ServiceContext
from iopdesk.services.permissions import Permission, requires

SETTING_KEYS = tuple(f.name for f in fields(PracticeSettings))


def load_settings(session: Session) -> PracticeSettings:
    rows = session.scalars(select(PracticeSetting).where(PracticeSetting.key.in_(SETTING_KEYS)))
    return settings_from_stored({row.key: row.value for row in rows})


def store_settings(session: Session, settings: PracticeSettings, *,
                   only_missing: bool = False) -> dict[str, list]:
    """Write every setting (adding missing rows; with `only_missing`, only those);
    returns {key: [before, after]} of what changed."""
    existing = {row.key: row for row in session.scalars(
        select(PracticeSetting).where(PracticeSetting.key.in_(SETTING_KEYS)))}
    changed: dict[str, list] = {}
    for key, value in asdict(settings).items():
        row = existing.get(key)
        if row is None:
            session.add(PracticeSetting(key=key, value=value))
            changed[key] = [None, value]
        elif row.value != value and not only_missing:
            changed[key] = [row.value, value]
            row.value = value
    return changed


class SettingsService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    def get(self) -> PracticeSettings:
        """The settings in force (no log-in needed: the log-in screen uses them)."""
        with self._ctx.session_factory() as session:
            return load_settings(session)

    @requires(Permission.MANAGE_PRACTICE, "settings.update")
    def update(self, actor: Actor, settings: PracticeSettings) -> PracticeSettings:
        settings = check_settings(settings)
        with self._ctx.unit_of_work() as session:
            with saving(session, None, "The practice policy"):
                changed = store_settings(session, settings)
                if changed:
                    self._ctx.audit(session, actor, "settings.update",
                                    entity="practice_settings", detail={"changed": changed})
            return load_settings(session)
