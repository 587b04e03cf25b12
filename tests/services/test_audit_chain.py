"""The audit chain: intact after real work, and the first edited, deleted or inserted event
is named (the append-only triggers are dropped by hand to tamper at all)."""

from __future__ import annotations

import csv
import os
import stat
from datetime import date
from pathlib import Path

import pytest
from cli_support import query, tamper
from sqlalchemy import func, select

from iopdesk.db.models import AuditEvent
from iopdesk.domain.enums import AuditOutcome
from iopdesk.domain.errors import PermissionDenied
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services
from iopdesk.services.audit_chain import (AuditKeyProblem, NotThePracticeKey,
                                          load_or_create_key)

PEOPLE = [("Thị Lan", "Nguyễn"), ("Łukasz", "Wiśniewski"), ("Bjørn", "Østergaard")]


@pytest.fixture
def trail(services, actors, database):
    """Some real work: registrations, views, a refusal; returns the number of events."""
    for first, last in PEOPLE:
        person = services.participants.register(actors["front_desk"], ParticipantInput(
            first_name=first, last_name=last, date_of_birth=date(1990, 1, 1)))
        services.participants.get(actors["clinician"], person.id)
    with pytest.raises(PermissionDenied):
        services.audit.search(actors["front_desk"])
    [(count,)] = query(database, "SELECT count(*) FROM audit_events")
    return count


def _tamper(database: Path | str, *statements: str) -> None:
    """Change the trail behind IOPDesk's back (SQLite: its append-only triggers dropped by
    hand first; PostgreSQL: as the server's superuser)."""
    drop = (["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"]
            if isinstance(database, Path) else [])
    tamper(database, *drop, *statements)


def test_an_untouched_trail_verifies(services, actors, trail):
    report = services.audit.verify(actors["admin"])
    assert report.ok and report.checked == trail == 7


def test_an_edited_event_is_named(services, actors, trail, database):
    _tamper(database, "UPDATE audit_events SET username = 'someone-else' WHERE id = 4")
    report = services.audit.verify(actors["admin"])
    assert not report.ok and report.event_id == 4
    assert "event 4 was altered" in report.problem


def test_an_edited_detail_is_named(services, actors, trail, database):
    _tamper(database, "UPDATE audit_events SET detail = '{}' WHERE id = 7")
    assert services.audit.verify(actors["admin"]).event_id == 7


def test_a_deleted_event_is_named(services, actors, trail, database):
    _tamper(database, "DELETE FROM audit_events WHERE id = 3")
    report = services.audit.verify(actors["admin"])
    assert report.event_id == 3 and "event 3 is missing" in report.problem


def test_deleting_the_newest_events_is_seen(services, actors, trail, database):
    _tamper(database, "DELETE FROM audit_events WHERE id >= 6")
    report = services.audit.verify(actors["admin"])
    assert report.event_id == 6 and "6–7" in report.problem


def test_an_inserted_event_is_named(services, actors, trail, database):
    # Shift the later events up by one and slip a forged event in at 5, copying the links.
    _tamper(database,
            "UPDATE audit_events SET id = id + 100 WHERE id >= 5",
            "UPDATE audit_events SET id = id - 99 WHERE id >= 105",
            "INSERT INTO audit_events (id, occurred_at, user_id, username, workstation, action,"
            " outcome, participant_id, entity, entity_id, detail, prev_hash, hash)"
            " SELECT 5, occurred_at, user_id, 'intruder', workstation, 'participant.view',"
            " outcome, participant_id, entity, entity_id, detail, hash, hash"
            " FROM audit_events WHERE id = 4")
    report = services.audit.verify(actors["admin"])
    assert report.event_id == 5 and "event 5 was altered" in report.problem


def test_an_event_appended_outside_iopdesk_is_named(services, actors, trail, database):
    _tamper(database,
            "INSERT INTO audit_events (id, occurred_at, username, workstation, action, outcome,"
            " entity, detail, prev_hash, hash) SELECT 8, occurred_at, 'x', 'y', 'login', 'ok',"
            " '', '{}', hash, hash FROM audit_events WHERE id = 7")
    report = services.audit.verify(actors["admin"])
    assert not report.ok and report.event_id == 8


def test_another_key_is_recognised(session_factory, actors, trail):
    other = build_services(session_factory, "w", audit_key=b"k" * 32)
    admin = actors["admin"]         # logged in again: an Actor is valid only where issued
    admin = other.staff._ctx.issue_actor(user_id=admin.user_id, username=admin.username,
                                         display_name=admin.display_name, roles=admin.roles)
    report = other.audit.verify_unattended()
    assert not report.ok and "not the key" in report.problem
    with session_factory() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(NotThePracticeKey):      # nothing is ever signed with another key
        other.audit.verify(admin)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_search_filters_and_pages_newest_first(services, actors, trail):
    page = services.audit.search(actors["admin"], action="participant.register", limit=2)
    assert [e.action for e in page.rows] == ["participant.register"] * 2
    assert page.rows[0].id > page.rows[1].id and page.next_after is not None
    rest = services.audit.search(actors["admin"], action="participant.register",
                                 before_id=page.next_after[0])
    assert len(rest.rows) == 1 and rest.next_after is None
    refused = services.audit.search(actors["admin"], username="frontdesk",
                                    action="audit.search")
    assert [e.outcome for e in refused.rows] == [AuditOutcome.REFUSED]
    assert "audit.search" in services.audit.actions(actors["admin"])
    assert services.audit.search(actors["admin"], start=date(2999, 1, 1)).rows == ()


def test_export_writes_csv_and_is_itself_audited(services, actors, trail, tmp_path,
                                                 session_factory):
    target = tmp_path / "audit.csv"
    written = services.audit.export_csv(actors["admin"], target, action="participant.view")
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert written == len(rows) == 3
    assert {r["username"] for r in rows} == {"clinician"}
    with session_factory() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (last.action, last.username, last.detail["rows"]) == ("audit.export", "admin", 3)
    assert services.audit.verify(actors["admin"]).ok


def test_a_failed_export_leaves_no_file_and_no_export_event(services, actors, trail, tmp_path,
                                                             session_factory):
    with pytest.raises(OSError):
        services.audit.export_csv(actors["admin"], tmp_path / "missing-dir" / "audit.csv")
    with session_factory() as s:
        actions = list(s.scalars(select(AuditEvent.action)))
    assert "audit.export" not in actions


def test_the_key_file_is_made_owner_only_and_damage_is_reported(tmp_path):
    path = tmp_path / "conf" / "audit-hmac.key"
    key = load_or_create_key(path)
    assert load_or_create_key(path) == key and len(key) == 32
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("not hex at all\n")
    with pytest.raises(AuditKeyProblem, match="damaged"):
        load_or_create_key(path)
    path.write_text("abcd\n")
    with pytest.raises(AuditKeyProblem, match="holds 2 bytes"):
        load_or_create_key(path)
