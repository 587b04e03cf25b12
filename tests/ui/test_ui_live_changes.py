"""Live between workstations on one PostgreSQL server: what one workstation commits reaches
another's open screens within a second (NOTIFY in the committing transaction, a socket
notifier on the listening connection, no polling), never twice at its own, and a lost
listening connection comes back and has every screen reload."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import text
from support import AUDIT_KEY, TODAY

from iopdesk.db.engine import make_engine, make_session_factory
from iopdesk.db.migrate import run_migrations
from iopdesk.domain.accounts import NewUserInput, PracticeInput
from iopdesk.domain.changes import RecordKind
from iopdesk.domain.enums import Role
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services
from iopdesk.ui.changes import RETRY_MS, change_bus

WITHIN_MS = 1000            # "within a second"
PASSWORD = "desk-password-1"


def _desk(url: str, name: str):
    engine = make_engine(url)
    return engine, build_services(make_session_factory(engine), name, audit_key=AUDIT_KEY,
                                  today=lambda: TODAY)


@pytest.fixture
def two_desks(pg_url):
    """Two workstations' services on one server, each with its front desk logged in."""
    run_migrations(pg_url)
    engine_a, desk_a = _desk(pg_url, "desk-a")
    admin = desk_a.setup.initialize(
        PracticeInput(name="Riverside IOP", city="Portland", state="OR"),
        NewUserInput(username="admin", display_name="Ada Admin", roles=frozenset({Role.ADMIN})),
        "admin-password-1")
    for name in ("alice", "bruno"):
        desk_a.users.add_user(admin, NewUserInput(username=name, display_name=name.title(),
                                                  roles=frozenset({Role.FRONT_DESK})),
                              "temporary-pw-1")
        # a password an administrator set is temporary: each chooses their own first
        desk_a.users.change_own_password(desk_a.staff.log_in(name, "temporary-pw-1"),
                                         "temporary-pw-1", PASSWORD)
    engine_b, desk_b = _desk(pg_url, "desk-b")
    yield (desk_a, desk_a.staff.log_in("alice", PASSWORD),
           desk_b, desk_b.staff.log_in("bruno", PASSWORD))
    engine_a.dispose()
    engine_b.dispose()


def _person(last: str) -> ParticipantInput:
    return ParticipantInput(first_name="Live", last_name=last, date_of_birth=date(1991, 2, 3))


def test_a_registration_at_one_desk_reaches_the_other_within_a_second(qtbot, two_desks):
    desk_a, alice, desk_b, _bruno = two_desks
    bus = change_bus(desk_b)
    assert bus.listening
    with qtbot.waitSignal(bus.changed, timeout=WITHIN_MS,
                          check_params_cb=lambda cs: cs.touches(RecordKind.PARTICIPANT)) as got:
        started = time.monotonic()
        person = desk_a.participants.register(alice, _person("Arrival"))
    assert time.monotonic() - started < WITHIN_MS / 1000
    change_set = got.args[0]
    assert change_set.touches(RecordKind.PARTICIPANT, participant_id=person.id)
    assert (change_set.workstation, change_set.username) == ("desk-a", "alice")


def test_a_workstation_hears_its_own_change_once(qtbot, two_desks):
    _desk_a, _alice, desk_b, bruno = two_desks
    bus = change_bus(desk_b)
    heard = []
    bus.changed.connect(heard.append)
    desk_b.participants.register(bruno, _person("Once"))
    qtbot.waitUntil(lambda: len(heard) >= 1, timeout=WITHIN_MS)
    qtbot.wait(500)                                     # a NOTIFY echo would be here by now
    assert [cs.workstation for cs in heard] == ["desk-b"]


def test_a_lost_listening_connection_comes_back_and_everything_reloads(qtbot, two_desks):
    desk_a, alice, desk_b, _bruno = two_desks
    bus = change_bus(desk_b)
    engine = make_engine(desk_a.changes.server_url)
    try:
        with qtbot.waitSignal(bus.changed, timeout=RETRY_MS + 5000,
                              check_params_cb=lambda cs: cs.everything):
            with engine.begin() as conn:                # the server drops the listener
                conn.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()"))
    finally:
        engine.dispose()
    assert bus.listening
    with qtbot.waitSignal(bus.changed, timeout=WITHIN_MS,
                          check_params_cb=lambda cs: cs.touches(RecordKind.PARTICIPANT)):
        desk_a.participants.register(alice, _person("Afterwards"))     # heard again


def test_the_other_desk_s_open_participant_list_shows_the_new_person(qtbot, two_desks,
                                                                    runner, settings):
    from iopdesk.ui.main_window import MainWindow, SessionInfo

    desk_a, alice, desk_b, bruno = two_desks
    window = MainWindow(desk_b, bruno, runner,
                        SessionInfo(practice_name="Riverside IOP", workstation="desk-b",
                                    database="postgresql://…/riverside"),
                        settings=settings, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    window.show_area("participants")
    model = window.participant_model
    qtbot.waitUntil(lambda: not model.loading, timeout=5000)
    assert model.rowCount() == 0
    desk_a.participants.register(alice, _person("Elsewhere"))
    qtbot.waitUntil(lambda: model.rowCount() == 1 and not model.loading, timeout=WITHIN_MS)
    assert model.row_at(0).last_name == "Elsewhere"
