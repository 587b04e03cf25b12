"""Diagnoses on the demo practice: by code or words from the real code table, billable codes
only, one primary, dates checked, resolved never deleted, front desk refused and audited."""

from __future__ import annotations

from datetime import date

import pytest
from clinical_support import demo_actor, demo_services
from sqlalchemy import select
from support import TODAY

from iopdesk.db.models import AuditEvent, Diagnosis, Episode
from iopdesk.domain.enums import AuditOutcome, EpisodeStatus
from iopdesk.domain.errors import (Conflict, NotFound, PermissionDenied, StaleVersion,
                                   ValidationError)
from iopdesk.domain.icd10 import CodeTableNotReady
from iopdesk.services.icd10 import CodeTable


@pytest.fixture
def demo_code_table(icd10_table):
    """The demo's services search the real ICD-10-CM table (see conftest.py's `demo`)."""
    return icd10_table


@pytest.fixture
def episode_id(demo) -> int:
    """An active demo episode whose only diagnoses are not alcohol or anxiety codes."""
    _, factory = demo
    with factory() as s:
        for episode in s.scalars(select(Episode).where(Episode.status == EpisodeStatus.ACTIVE)
                                 .order_by(Episode.id)):
            held = set(s.scalars(select(Diagnosis.icd10_code)
                                 .where(Diagnosis.episode_id == episode.id)))
            if not held & {"F10.20", "F10.10", "F41.1", "F10.21"}:
                return episode.id
    raise AssertionError("the demo has no suitable episode")


def _events(factory, action: str) -> list[AuditEvent]:
    with factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def test_the_demo_diagnoses_are_listed_primary_first_and_the_read_is_audited(demo, people):
    services, factory = demo
    with factory() as s:
        episode = s.scalar(select(Episode).join(Diagnosis, Diagnosis.episode_id == Episode.id)
                           .order_by(Episode.id).limit(1))
    found = services.diagnoses.list(people["clinician"], episode.id)
    assert found and found[0].is_primary and sum(d.is_primary for d in found) == 1
    assert all(d.added_by_name and d.version >= 1 and d.active for d in found)
    event = _events(factory, "diagnosis.view")[-1]
    assert (event.participant_id, event.outcome) == (episode.participant_id, AuditOutcome.OK)


def test_add_a_diagnosis_found_by_words(demo, people, episode_id):
    services, factory = demo
    clinician = people["clinician"]
    offered = services.diagnoses.search_codes(clinician, "alcohol dependence")
    chosen = next(c for c in offered if c.code == "F10.20")
    added = services.diagnoses.add(clinician, episode_id, chosen.code, is_primary=False,
                                   onset_date=date(2025, 3, 1))
    assert (added.icd10_code, added.description) == ("F10.20", "Alcohol dependence, uncomplicated")
    assert added.added_by_name == "Dana Whitfield" and added.resolved_date is None
    assert added in services.diagnoses.list(clinician, episode_id)
    event = _events(factory, "diagnosis.add")[-1]
    assert event.detail == {"code": "F10.20", "primary": False}


def test_codes_are_stored_dotted_whatever_was_typed(demo, people, episode_id):
    services, _ = demo
    added = services.diagnoses.add(people["clinician"], episode_id, " f411 ")
    assert added.icd10_code == "F41.1"


def test_a_heading_is_refused_with_a_billable_example(demo, people, episode_id):
    services, _ = demo
    with pytest.raises(ValidationError) as refused:
        services.diagnoses.add(people["clinician"], episode_id, "F10")
    message = refused.value.fields["code"]
    assert "F10 (Alcohol related disorders) is a heading, not a billable code" in message
    assert "such as F10.10 Alcohol abuse, uncomplicated" in message
    with pytest.raises(ValidationError, match="such as F10.20"):
        services.diagnoses.add(people["clinician"], episode_id, "F10.2")


@pytest.mark.parametrize("typed, message", [
    ("F99.99", "“F99.99” is not an ICD-10-CM code"),
    ("alcohol", "“alcohol” is not an ICD-10-CM code"),
    ("😀", "is not an ICD-10-CM code"),
    ("", "An ICD-10-CM code is required"),
])
def test_unknown_codes_are_refused(demo, people, episode_id, typed, message):
    services, factory = demo
    with pytest.raises(ValidationError, match=message):
        services.diagnoses.add(people["clinician"], episode_id, typed)
    with factory() as s:
        assert s.scalars(select(Diagnosis.id).where(Diagnosis.episode_id == episode_id,
                                                    Diagnosis.icd10_code == typed)).all() == []


def test_the_same_current_code_twice_is_refused(demo, people, episode_id):
    services, _ = demo
    services.diagnoses.add(people["clinician"], episode_id, "F41.1")
    with pytest.raises(Conflict, match="F41.1 is already a current diagnosis"):
        services.diagnoses.add(people["supervisor"], episode_id, "F41.1")


def test_one_primary_per_episode_and_the_demotion_is_audited(demo, people, episode_id):
    services, factory = demo
    clinician = people["clinician"]
    before = services.diagnoses.list(clinician, episode_id)
    old_primary = next(d for d in before if d.is_primary)
    added = services.diagnoses.add(clinician, episode_id, "F10.20", is_primary=True)
    after = services.diagnoses.list(clinician, episode_id)
    assert [d.icd10_code for d in after if d.is_primary] == ["F10.20"]
    assert after[0] == added
    assert _events(factory, "diagnosis.add")[-1].detail == {
        "code": "F10.20", "primary": True, "demoted": [old_primary.icd10_code]}
    # and back again, through an update
    demoted = next(d for d in after if d.id == old_primary.id)
    services.diagnoses.update(clinician, demoted.id, demoted.version, is_primary=True,
                              onset_date=demoted.onset_date, resolved_date=None)
    final = services.diagnoses.list(clinician, episode_id)
    assert [d.icd10_code for d in final if d.is_primary] == [old_primary.icd10_code]
    event = _events(factory, "diagnosis.update")[-1]
    assert event.detail == {"code": old_primary.icd10_code, "fields": ["is_primary"],
                            "demoted": ["F10.20"]}


def test_resolve_keeps_the_diagnosis_and_checks_the_dates(demo, people, episode_id):
    services, factory = demo
    clinician = people["clinician"]
    added = services.diagnoses.add(clinician, episode_id, "F10.10", onset_date=date(2026, 6, 1))
    with pytest.raises(ValidationError) as refused:
        services.diagnoses.resolve(clinician, added.id, added.version, date(2026, 5, 31))
    assert refused.value.fields == {
        "resolved_date": "Resolved date 2026-05-31 is before the onset date 2026-06-01"}
    with pytest.raises(ValidationError, match="in the future"):
        services.diagnoses.resolve(clinician, added.id, added.version, date(2027, 1, 1))
    resolved = services.diagnoses.resolve(clinician, added.id, added.version)
    assert resolved.resolved_date == TODAY and not resolved.active
    assert resolved.version == added.version + 1
    listed = services.diagnoses.list(clinician, episode_id)
    assert resolved in listed and listed[-1] == resolved          # resolved ones come last
    with pytest.raises(Conflict, match="already resolved on 2026-11-16"):
        services.diagnoses.resolve(clinician, added.id, resolved.version)
    # resolved, the same code may be diagnosed again
    again = services.diagnoses.add(clinician, episode_id, "F10.10")
    assert again.id != added.id
    assert not hasattr(services.diagnoses, "delete")


def test_update_checks_onset_and_resolution(demo, people, episode_id):
    services, _ = demo
    clinician = people["clinician"]
    added = services.diagnoses.add(clinician, episode_id, "F10.21")
    with pytest.raises(ValidationError) as refused:
        services.diagnoses.update(clinician, added.id, added.version, is_primary=False,
                                  onset_date=date(2026, 12, 1), resolved_date=date(2026, 11, 1))
    assert set(refused.value.fields) == {"onset_date", "resolved_date"}
    changed = services.diagnoses.update(clinician, added.id, added.version, is_primary=False,
                                        onset_date=date(2024, 2, 29), resolved_date=None)
    assert changed.onset_date == date(2024, 2, 29)


def test_a_stale_version_is_refused_and_nothing_is_overwritten(demo, people, episode_id):
    services, _ = demo
    clinician, supervisor = people["clinician"], people["supervisor"]
    added = services.diagnoses.add(clinician, episode_id, "F10.21")
    services.diagnoses.update(supervisor, added.id, added.version, is_primary=False,
                              onset_date=date(2025, 1, 1), resolved_date=None)
    with pytest.raises(StaleVersion, match="changed by someone else"):
        services.diagnoses.update(clinician, added.id, added.version, is_primary=False,
                                  onset_date=date(2020, 1, 1), resolved_date=None)
    with pytest.raises(StaleVersion):
        services.diagnoses.resolve(clinician, added.id, added.version)
    current = next(d for d in services.diagnoses.list(clinician, episode_id) if d.id == added.id)
    assert current.onset_date == date(2025, 1, 1) and current.resolved_date is None


def test_missing_rows_are_reported(demo, people):
    services, _ = demo
    with pytest.raises(NotFound, match="Episode 99999"):
        services.diagnoses.add(people["clinician"], 99999, "F10.20")
    with pytest.raises(NotFound, match="Diagnosis 99999"):
        services.diagnoses.resolve(people["clinician"], 99999, 1)


def test_front_desk_is_refused_every_diagnosis_function_and_each_refusal_is_audited(
        demo, people, episode_id):
    services, factory = demo
    desk = people["frontdesk"]
    before = services.diagnoses.list(people["clinician"], episode_id)
    existing = before[0]
    calls = {
        "diagnosis.view": lambda: services.diagnoses.list(desk, episode_id),
        "diagnosis.add": lambda: services.diagnoses.add(desk, episode_id, "F10.20"),
        "diagnosis.update": lambda: services.diagnoses.update(
            desk, existing.id, existing.version, is_primary=True, onset_date=None,
            resolved_date=None),
        "diagnosis.resolve": lambda: services.diagnoses.resolve(desk, existing.id,
                                                                existing.version),
        "diagnosis.search_codes": lambda: services.diagnoses.search_codes(desk, "alcohol"),
    }
    with factory() as s:
        participant_id = s.get(Episode, episode_id).participant_id
    for action, call in calls.items():
        with pytest.raises(PermissionDenied, match="view clinical|edit clinical"):
            call()
        refusal = _events(factory, action)[-1]
        assert (refusal.outcome, refusal.username) == (AuditOutcome.REFUSED, "frontdesk"), action
        if action in ("diagnosis.view", "diagnosis.add"):
            assert refusal.participant_id == participant_id
    assert services.diagnoses.list(people["clinician"], episode_id) == before


def test_without_a_code_table_diagnoses_can_be_read_but_not_added(demo_url):
    services, factory, engine = demo_services(demo_url, None)
    try:
        clinician = demo_actor(factory, "clinician")
        with pytest.raises(CodeTableNotReady, match="the ICD-10-CM code table is not built yet"):
            services.diagnoses.search_codes(clinician, "alcohol")
        with factory() as s:
            episode_id = s.scalar(select(Diagnosis.episode_id).order_by(Diagnosis.id).limit(1))
        with pytest.raises(CodeTableNotReady):
            services.diagnoses.add(clinician, episode_id, "F10.20")
        assert services.diagnoses.list(clinician, episode_id)
    finally:
        engine.dispose()


def test_a_search_before_the_table_is_built_says_so_and_starts_nothing(demo, people, tmp_path):
    """The build is the screen's to start, through its one runner (never a thread of the
    service's own): a search only says the table is not ready."""
    services, _ = demo
    started = []
    services.diagnoses.code_table = CodeTable(tmp_path / "later.sqlite3",
                                              builder=started.append)
    with pytest.raises(CodeTableNotReady, match="not built yet"):
        services.diagnoses.search_codes(people["clinician"], "alcohol")
    assert started == []
