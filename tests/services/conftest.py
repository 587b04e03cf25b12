"""Service-test fixtures: the demo practice's services with its staff as actors, and a
registered adult participant on the empty test database."""

from __future__ import annotations

from datetime import date

import pytest
from clinical_support import demo_actor, demo_services

from iopdesk.domain.validation import ParticipantInput

LAN = ParticipantInput(first_name="Thị Lan", last_name="Nguyễn", date_of_birth=date(1988, 3, 14))


@pytest.fixture
def demo_code_table():
    """The ICD-10-CM table the demo's services get: none; a module that searches the real
    codes overrides this with `icd10_table`."""
    return None


@pytest.fixture
def demo(demo_url, demo_code_table):
    """(services, session factory) over a private copy of the demo practice, as of TODAY, on
    each engine (`backend`)."""
    services, factory, engine = demo_services(demo_url, demo_code_table)
    yield services, factory
    engine.dispose()


@pytest.fixture
def people(demo) -> dict:
    """The demo's staff as actors (as a log-in would give them, without argon2)."""
    _, factory = demo
    return {name: demo_actor(factory, name)
            for name in ("frontdesk", "clinician", "supervisor", "associate", "admin")}


@pytest.fixture
def lan(services, actors):
    """Thị Lan Nguyễn, an adult, registered by the front desk."""
    return services.participants.register(actors["front_desk"], LAN)
