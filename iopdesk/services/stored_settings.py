"""The practice's settings as stored: one PracticeSetting row per field of PracticeSettings, a
missing or unusable row read as its default. Plain reads and writes in a caller's session, for
the settings service and for any service that needs a setting (the stale-save message needs the
time zone) without importing the settings service.
"""

from __future__ import annotations

from dataclasses import asdict, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from iopdesk.db.models import PracticeSetting
from iopdesk.domain.accounts import PracticeSettings, settings_from_stored

SETTING_KEYS = tuple(f.name for f in fields(PracticeSettings))


def load_settings(session: Session) -> PracticeSettings:
    rows = session.execute(select(PracticeSetting.key, PracticeSetting.value)
                           .where(PracticeSetting.key.in_(SETTING_KEYS)))
    return settings_from_stored({key: value for key, value in rows})


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


def load_time_zone(session: Session) -> str:
    """The practice's time zone (one row; its default when missing or unusable)."""
    value = session.scalar(select(PracticeSetting.value)
                           .where(PracticeSetting.key == "time_zone"))
    stored = {} if value is None else {"time_zone": value}
    return settings_from_stored(stored).time_zone
