"""The practice's time zone setting: stored, checked at its field, and the practice's clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from support import AUDIT_KEY, TODAY

from iopdesk.db.models import AuditEvent, PracticeSetting
from iopdesk.domain.accounts import NewUserInput, PracticeInput, PracticeSettings
from iopdesk.domain.enums import Role
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.time import workstation_zone
from iopdesk.services import build_services

pytestmark = pytest.mark.usefixtures("fast_hashing")

PASSWORD = "a long admin password"


@pytest.fixture
def admin(services):
    return services.setup.initialize(
        PracticeInput(name="Riverside IOP"),
        NewUserInput(username="ada", display_name="Ada Admin", roles=frozenset({Role.ADMIN})),
        PASSWORD)


def _stored_zone(session_factory):
    with session_factory() as s:
        return s.scalar(select(PracticeSetting.value).where(PracticeSetting.key == "time_zone"))


def _events(session_factory) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def test_a_new_practice_starts_in_the_workstation_zone(services, admin, session_factory):
    assert _stored_zone(session_factory) == workstation_zone()
    assert services.settings.time_zone() == workstation_zone()


def test_the_zone_is_changed_audited_and_read_by_the_clock(services, admin, session_factory):
    before = services.settings.get()
    wanted = replace(before, time_zone="america/new_york")
    stored = services.settings.update(admin, wanted)
    assert stored.time_zone == "America/New_York"                   # the database's spelling
    assert _stored_zone(session_factory) == "America/New_York"
    assert services.settings.time_zone() == "America/New_York"
    assert services.settings.clock().zone == "America/New_York"
    with session_factory() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.detail) == (
        "settings.update", {"changed": {"time_zone": [before.time_zone, "America/New_York"]}})


def test_a_bad_zone_is_refused_at_its_field_and_nothing_changes(services, admin,
                                                                session_factory):
    before, events = services.settings.get(), _events(session_factory)
    with pytest.raises(ValidationError) as refused:
        services.settings.update(admin, replace(before, time_zone="Mars/Olympus_Mons"))
    assert set(refused.value.fields) == {"time_zone"}
    assert "“Mars/Olympus_Mons” is not a time zone" in refused.value.fields["time_zone"]
    assert services.settings.get() == before
    assert _events(session_factory) == events
    with pytest.raises(ValidationError) as refused:
        services.settings.update(admin, replace(before, time_zone=""))
    assert refused.value.fields == {
        "time_zone": "Enter the practice's time zone, such as America/Los_Angeles"}


def test_the_zone_is_read_once_and_again_after_a_change(services, admin, session_factory):
    zone = services.settings.time_zone()
    with session_factory.begin() as s:       # behind the services' back: still the cached one
        s.scalars(select(PracticeSetting).where(PracticeSetting.key == "time_zone")).one() \
            .value = "Asia/Tokyo"
    assert services.settings.time_zone() == zone
    services.settings.update(admin, replace(services.settings.get(), idle_lock_minutes=3))
    assert services.settings.time_zone() == "Asia/Tokyo"     # a settings change reads it anew


def test_an_unusable_stored_zone_reads_as_the_default(services, session_factory):
    with session_factory.begin() as s:
        s.add(PracticeSetting(key="time_zone", value="Nowhere/Land"))
    assert services.settings.time_zone() == PracticeSettings().time_zone == workstation_zone()


def test_the_clock_gives_the_services_today_and_shows_times_in_the_zone(services, admin):
    services.settings.update(admin, replace(services.settings.get(),
                                            time_zone="America/Los_Angeles"))
    clock = services.settings.clock()
    assert clock.today() == TODAY                    # the services' (injected) today
    assert clock.date_time(datetime(2026, 11, 17, 0, 30, tzinfo=UTC)) == "2026-11-16 16:30"
    assert clock.now().utcoffset() is not None


def test_the_practice_today_comes_from_the_utc_clock_and_the_zone(session_factory):
    services = build_services(session_factory, "test-station", audit_key=AUDIT_KEY)
    services.staff._ctx.now = lambda: datetime(2026, 11, 17, 0, 30, tzinfo=UTC)
    with session_factory.begin() as s:
        s.add(PracticeSetting(key="time_zone", value="America/Los_Angeles"))
    assert services.settings.practice_today() == date(2026, 11, 16)
    assert services.settings.utc_now() == datetime(2026, 11, 17, 0, 30, tzinfo=UTC)
