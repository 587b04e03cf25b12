"""The audit trail on PostgreSQL: append-only by triggers (revision 0009), checked by `audit
verify`, and one gap-free chain when several workstations write at once."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import text
from support import AUDIT_KEY, TODAY

from iopdesk.db.engine import make_engine, make_session_factory
from iopdesk.db.migrate import run_migrations
from iopdesk.domain.accounts import NewUserInput
from iopdesk.domain.enums import Role
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services

ADMIN_PASSWORD = "admin-password-1"


@pytest.fixture
def practice(pg_url):
    """A practice set up on a PostgreSQL database: (url, engine, services, admin)."""
    from iopdesk.domain.accounts import PracticeInput

    run_migrations(pg_url)
    engine = make_engine(pg_url)
    services = build_services(make_session_factory(engine), "pg-desk-1", audit_key=AUDIT_KEY,
                              today=lambda: TODAY)
    admin = services.setup.initialize(
        PracticeInput(name="Riverside IOP", city="Portland", state="OR"),
        NewUserInput(username="admin", display_name="Ada Admin", roles=frozenset({Role.ADMIN})),
        ADMIN_PASSWORD)
    yield pg_url, engine, services, admin
    engine.dispose()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET action = 'nothing'", "DELETE FROM audit_events",
    "TRUNCATE audit_events", "DELETE FROM audit_chain_head", "TRUNCATE audit_chain_head",
    "UPDATE audit_chain_head SET last_event_id = 0",
    "INSERT INTO audit_chain_head (id, last_event_id, last_hash, chained_after, chain_id, "
    "key_fingerprint, signature) VALUES (2, 0, '', 0, '', '', '')"])
def test_the_trail_refuses_to_be_changed_on_postgresql(practice, statement):
    _url, engine, services, admin = practice
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM audit_events")).scalar()
        conn.rollback()
        with pytest.raises(Exception, match="append-only|cannot be|one head"):
            with conn.begin():
                conn.execute(text(statement))
        assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar() == before
    assert services.audit.verify(admin).problem is None


def test_verify_names_a_switched_off_guard_on_postgresql(practice):
    _url, engine, services, admin = practice
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update"))
    report = services.audit.verify(admin)
    assert report.problem and "audit_events_no_update" in report.problem


def test_two_workstations_writing_at_once_keep_one_gap_free_chain(practice):
    """Two service stacks (two workstations) register people at the same time on one server:
    every audit event gets the next number, none twice, and the chain verifies."""
    url, engine, services, admin = practice
    for name in ("desk-1", "desk-2"):                        # one front desk each
        services.users.add_user(admin, NewUserInput(username=name, display_name=name.title(),
                                                    roles=frozenset({Role.FRONT_DESK})),
                                "desk-temporary-1")
    failures: list[BaseException] = []

    def workstation(name: str) -> None:
        engine_here = make_engine(url)
        try:
            here = build_services(make_session_factory(engine_here), name,
                                  audit_key=AUDIT_KEY, today=lambda: TODAY)
            # the password an administrator set is temporary: the desk chooses its own first
            desk = here.users.change_own_password(here.staff.log_in(name, "desk-temporary-1"),
                                                  "desk-temporary-1", "desk-password-1")
            for n in range(25):
                here.participants.register(desk, ParticipantInput(
                    first_name="Desk" + "ab"[name.endswith("2")],
                    last_name="Person" + "abcdefghijklmnopqrstuvwxyz"[n],
                    date_of_birth=date(1990, 1, 1 + n)))
        except BaseException as exc:           # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            engine_here.dispose()

    threads = [threading.Thread(target=workstation, args=(f"desk-{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM audit_events ORDER BY id"))]
        stations = {r[0] for r in conn.execute(text(
            "SELECT workstation FROM audit_events WHERE action = 'participant.register'"))}
    assert ids == list(range(1, len(ids) + 1))                  # no gap, none twice
    assert stations == {"desk-1", "desk-2"}
    report = services.audit.verify(admin)
    assert report.problem is None and report.checked == len(ids)
