"""Who is acting: only an Actor the services issued at log-in may call them.

A hand-built Actor (someone else's id), an issued one altered with `dataclasses.replace` (a
role added, another workstation) and one issued by other services (another run) are refused
and the refusal audited without taking the claim at its word. Maintenance is recorded by a
real, logged-in user.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from support import AUDIT_KEY

from iopdesk.db.models import AuditEvent, StaffUser
from iopdesk.domain.enums import AuditOutcome, Role
from iopdesk.domain.errors import PermissionDenied
from iopdesk.services import Actor, build_services
from iopdesk.services.accounts import hash_password

PASSWORD = "acting user password"


pytestmark = pytest.mark.usefixtures("fast_hashing")     # Argon2 made cheap: conftest.py


@pytest.fixture
def with_passwords(actors, session_factory):
    with session_factory.begin() as s:
        for actor in actors.values():
            s.get(StaffUser, actor.user_id).password_hash = hash_password(PASSWORD)
    return actors


def _events(session_factory, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    with session_factory() as s:
        return list(s.scalars(query))


def _refused(services, session_factory, actor, call=None) -> AuditEvent:
    """Call a guarded service with `actor`: refused as not issued, and the one new event."""
    before = len(_events(session_factory))
    with pytest.raises(PermissionDenied, match="not issued by IOPDesk's log-in; log in again"):
        (call or (lambda a: services.users.list_users(a)))(actor)
    [refusal] = _events(session_factory)[before:]
    assert refusal.outcome is AuditOutcome.REFUSED
    assert refusal.user_id is None, "an unproven claim is nobody's act"
    assert refusal.detail["reason"] == "not issued by log-in"
    return refusal


def test_a_hand_built_actor_with_an_administrators_id_is_refused_and_audited(
        services, actors, session_factory):
    admin = actors["admin"]
    forged = Actor(user_id=admin.user_id, username="admin", display_name="Admin",
                   roles=frozenset({Role.ADMIN}), workstation="test-station")
    assert forged == admin, "equal in every field a person can type; only the seal differs"
    refusal = _refused(services, session_factory, forged)
    assert (refusal.action, refusal.username, refusal.workstation) == (
        "user.list", "admin", "test-station")
    assert refusal.detail == {"needs": "manage_users", "reason": "not issued by log-in",
                              "claimed_user_id": admin.user_id, "claimed_username": "admin",
                              "claimed_roles": ["admin"], "claimed_workstation": "test-station"}
    # The real administrator's issued Actor still works.
    assert services.users.list_users(admin)


def test_a_copied_seal_does_not_carry_over_to_other_fields(services, actors, session_factory):
    desk, admin = actors["front_desk"], actors["admin"]
    for altered in (replace(desk, roles=desk.roles | {Role.ADMIN}),    # a role added
                    replace(desk, user_id=admin.user_id),                # someone else's id
                    replace(admin, workstation="front-office-2"),       # another workstation
                    replace(admin, display_name="Somebody Else"),
                    replace(desk, must_change_password=True),
                    Actor(**{**vars(desk), "roles": frozenset({Role.ADMIN})})):
        assert altered.seal == desk.seal or altered.seal == admin.seal
        _refused(services, session_factory, altered)


def test_a_role_added_to_an_issued_actor_is_refused_even_where_the_old_role_would_do(
        services, actors, session_factory, track_id):
    desk = actors["front_desk"]
    promoted = replace(desk, roles=desk.roles | {Role.CLINICIAN})
    refusal = _refused(services, session_factory, promoted,
                       lambda a: services.staff.list_staff(a))
    assert refusal.detail["claimed_roles"] == ["clinician", "front_desk"]
    assert services.staff.list_staff(desk)
    assert services.chart._ctx.current_roles(promoted) == frozenset()


def test_an_actor_of_other_services_is_refused(services, session_factory, with_passwords):
    other_run = build_services(session_factory, "test-station", audit_key=AUDIT_KEY)
    elsewhere = other_run.staff.log_in("admin", PASSWORD)
    assert services.staff.log_in("admin", PASSWORD) == elsewhere     # the same person...
    refusal = _refused(services, session_factory, elsewhere)         # ...not logged in here
    assert refusal.detail["claimed_user_id"] == elsewhere.user_id
    assert other_run.users.list_users(elsewhere)


@pytest.mark.parametrize("claim", [None, "admin", 1, SimpleNamespace(
    user_id=1, username="admin", display_name="Admin", roles=frozenset({Role.ADMIN}),
    workstation="test-station", must_change_password=False, seal="00.00")])
def test_anything_but_an_actor_is_refused_and_audited(services, actors, session_factory,
                                                      claim):
    refusal = _refused(services, session_factory, claim)
    assert refusal.action == "user.list"


def test_a_seal_of_the_wrong_kind_is_refused_not_crashed_on(services, actors, session_factory):
    admin = actors["admin"]
    for seal in ("", ".", "é.é", admin.seal + "0", admin.seal.upper(), "x" * 10_000):
        _refused(services, session_factory, replace(admin, seal=seal))
    _refused(services, session_factory, replace(admin, roles=[Role.ADMIN, object()]))


def test_the_log_ins_actor_works_and_a_password_change_reissues_it(
        services, session_factory, with_passwords):
    actor = services.staff.log_in("clinician", PASSWORD)
    assert services.staff.list_staff(actor)
    with session_factory.begin() as s:
        s.get(StaffUser, actor.user_id).must_change_password = True
    temporary = services.staff.log_in("clinician", PASSWORD)
    assert temporary.must_change_password
    renewed = services.users.change_own_password(temporary, PASSWORD, "a new password here")
    assert not renewed.must_change_password and renewed.seal != temporary.seal
    assert services.staff.list_staff(renewed)
    # Flipping the flag by hand instead is refused: only the service reissues.
    _refused(services, session_factory, replace(temporary, must_change_password=False),
             lambda a: services.staff.list_staff(a))


def test_record_maintenance_names_the_checked_user(services, actors, session_factory):
    admin = actors["admin"]
    services.audit.record_maintenance(admin, "demo.build", {"seed": 3, "size": "small"})
    [event] = _events(session_factory, "demo.build")
    assert (event.user_id, event.username, event.outcome, event.detail) == (
        admin.user_id, "admin", AuditOutcome.OK, {"seed": 3, "size": "small"})

    forged = Actor(user_id=admin.user_id, username="admin", display_name="Admin",
                   roles=frozenset({Role.ADMIN}), workstation="test-station")
    refusal = _refused(services, session_factory, forged,
                       lambda a: services.audit.record_maintenance(a, "demo.build"))
    assert refusal.action == "audit.maintenance"
    with pytest.raises(PermissionDenied, match="manage practice"):
        services.audit.record_maintenance(actors["clinician"], "demo.build")
    assert len(_events(session_factory, "demo.build")) == 1


def test_the_demo_command_records_its_build_as_the_demos_administrator(tmp_path, capsys):
    from iopdesk.cli import main

    db = tmp_path / "demo.sqlite3"
    assert main(["demo", "--database", str(db), "--as-of", "2026-11-16"]) == 0
    capsys.readouterr()
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        admin_id = conn.execute("SELECT id FROM staff_users WHERE username = 'admin'").fetchone()
        rows = conn.execute("SELECT action, user_id, username, outcome FROM audit_events "
                            "ORDER BY id").fetchall()
    finally:
        conn.close()
    assert rows[-2:] == [("login", admin_id[0], "admin", "ok"),
                         ("demo.build", admin_id[0], "admin", "ok")]
