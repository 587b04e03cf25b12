"""Accounts: adding, editing, disabling and re-enabling users, passwords (temporary, own,
reset), log-in with lockout, the idle-lock check, rehashing, and bad input of every kind."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from iopdesk.db.models import AuditEvent, StaffUser
from iopdesk.domain.accounts import (NewUserInput, PracticeInput, PracticeSettings,
                                     UserChanges)
from iopdesk.domain.enums import AuditOutcome, Role
from iopdesk.domain.errors import (PermissionDenied, AccountLocked, AuthenticationFailed, Conflict, NotFound,
                                   StaleVersion, ValidationError)
from iopdesk.services import accounts as accounts_module
from iopdesk.services import staff as staff_module

ADMIN_PASSWORD = "boss password 1"
TEMPORARY = "temporary pw 1"
CASEY = NewUserInput(username="casey", display_name="Casey Ruiz", roles=frozenset({Role.CLINICIAN}),
                     credentials="LPC", email="casey@example.org")
START = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
PRODUCTION_HASHER = accounts_module._hasher


pytestmark = pytest.mark.usefixtures("fast_hashing")     # Argon2 made cheap: conftest.py


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(START)
    monkeypatch.setattr(staff_module, "utcnow", clock)
    return clock


@pytest.fixture
def boss(services):
    """The practice's first administrator, made by the first-run setup."""
    return services.setup.initialize(
        PracticeInput(name="Test IOP"),
        NewUserInput(username="boss", display_name="Pat Boss", roles=frozenset({Role.ADMIN})),
        ADMIN_PASSWORD)


def _events(session_factory, action: str | None = None) -> list[AuditEvent]:
    with session_factory() as s:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(s.scalars(query))


def _row(session_factory, username: str) -> StaffUser:
    with session_factory() as s:
        return s.scalar(select(StaffUser).where(StaffUser.username == username))


def _snapshot(session_factory) -> tuple:
    """Everything a refusal must leave as it was: the accounts and the audit trail."""
    with session_factory() as s:
        users = [(u.id, u.username, u.display_name, u.password_hash, u.active, u.version,
                  u.must_change_password, u.failed_logins, sorted(r.role for r in u.roles))
                 for u in s.scalars(select(StaffUser).order_by(StaffUser.id))]
        events = s.scalar(select(func.count()).select_from(AuditEvent))
    return users, events


def _add(services, boss, data: NewUserInput = CASEY, password: str = TEMPORARY):
    return services.users.add_user(boss, data, password)


def _log_in_for_good(services, username: str, temporary: str, own: str):
    actor = services.staff.log_in(username, temporary)
    return services.users.change_own_password(actor, temporary, own)


# ---------------------------------------------------------------- adding and listing
def test_added_user_is_listed_with_a_temporary_password_and_the_addition_is_audited(
        services, boss, session_factory):
    casey = _add(services, boss)
    assert (casey.username, casey.display_name, casey.credentials, casey.email) == (
        "casey", "Casey Ruiz", "LPC", "casey@example.org")
    assert casey.roles == {Role.CLINICIAN} and casey.active and casey.must_change_password
    assert casey.version == 1 and casey.locked_until is None
    listed = services.users.list_users(boss)
    assert [m.username for m in listed] == ["casey", "boss"]        # by display name
    [event] = _events(session_factory, "user.add")
    assert (event.username, event.entity, event.entity_id, event.outcome) == (
        "boss", "staff_users", casey.id, AuditOutcome.OK)
    assert event.detail["roles"] == ["clinician"]


def test_no_password_or_hash_ever_reaches_the_audit_trail(services, boss, session_factory):
    casey = _add(services, boss)
    actor = services.staff.log_in("casey", TEMPORARY)
    services.users.change_own_password(actor, TEMPORARY, "caseys own pw")
    services.users.reset_password(boss, casey.id, "another temp 1")
    with pytest.raises(AuthenticationFailed):
        services.staff.log_in("casey", "a wrong guess")
    trail = json.dumps([(e.username, e.detail) for e in _events(session_factory)])
    for secret in (ADMIN_PASSWORD, TEMPORARY, "caseys own pw", "another temp 1",
                   "a wrong guess", "$argon2"):
        assert secret not in trail


def test_first_log_in_with_a_temporary_password_asks_for_a_new_one(services, boss):
    _add(services, boss)
    actor = services.staff.log_in("Casey", TEMPORARY)          # user names ignore case
    assert actor.must_change_password and actor.roles == {Role.CLINICIAN}
    changed = services.users.change_own_password(actor, TEMPORARY, "my own password")
    assert not changed.must_change_password and changed.user_id == actor.user_id
    again = services.staff.log_in("casey", "my own password")
    assert not again.must_change_password
    with pytest.raises(AuthenticationFailed):
        services.staff.log_in("casey", TEMPORARY)


def test_until_the_temporary_password_is_changed_nothing_else_goes_through_any_door(
        services, boss, session_factory):
    """Enforced in the services, not only by the log-in window: a script or a command
    holding the log-in's Actor can do nothing but change the password (or unlock)."""
    from iopdesk.domain.errors import PasswordChangeRequired

    _add(services, boss)
    actor = services.staff.log_in("casey", TEMPORARY)
    for call in (lambda: services.participants.search(actor, "a"),
                 lambda: services.staff.list_staff(actor),
                 lambda: services.users.list_users(actor)):
        before = _snapshot(session_factory)[0]
        with pytest.raises(PermissionDenied) as refused:
            call()
        assert _snapshot(session_factory)[0] == before
    assert isinstance(refused.value, PermissionDenied)
    with pytest.raises(PasswordChangeRequired, match="must choose a new password"):
        services.participants.search(actor, "a")
    refusals = [e for e in _events(session_factory) if e.outcome == AuditOutcome.REFUSED
                and e.username == "casey"]
    assert refusals and refusals[-1].action == "participant.search"
    assert services.staff.verify_password(actor, TEMPORARY)          # the lock screen works
    mine = services.users.change_own_password(actor, TEMPORARY, "my own password")
    assert services.participants.search(mine, "a") is not None


def test_a_password_reset_during_a_session_stops_that_session_at_its_next_call(
        services, boss):
    from iopdesk.domain.errors import PasswordChangeRequired

    casey = _add(services, boss)
    mine = _log_in_for_good(services, "casey", TEMPORARY, "my own password")
    services.participants.search(mine, "a")
    services.users.reset_password(boss, casey.id, "a new temporary 1")
    with pytest.raises(PasswordChangeRequired):
        services.participants.search(mine, "a")


def test_a_duplicate_user_name_is_refused_whatever_its_case(services, boss, session_factory):
    _add(services, boss)
    before = _snapshot(session_factory)
    with pytest.raises(ValidationError) as refused:
        _add(services, boss, replace(CASEY, username="CASEY", display_name="Another Casey"))
    assert "taken" in refused.value.fields["username"]
    assert _snapshot(session_factory) == before


@pytest.mark.parametrize("password, message", [
    ("", "Enter a password"),
    ("short", "at least 10 characters (this one has 5)"),
    ("x" * 1025, "at most 1024 characters"),
    ("ü" * 1_000_000, "at most 1024 characters"),
    ("zzzzzzzzzzzz", "one character repeated"),
    ("Casey.Ruiz", None),                                       # allowed: not the user name
    ("CASEY", "at least 10"),
])
def test_the_initial_password_follows_the_policy(services, boss, session_factory, password,
                                                 message):
    before = _snapshot(session_factory)
    if message is None:
        _add(services, boss, password=password)
        return
    with pytest.raises(ValidationError) as refused:
        _add(services, boss, password=password)
    assert message in refused.value.fields["password"]
    assert _snapshot(session_factory) == before


def test_a_password_equal_to_the_user_name_is_refused(services, boss):
    with pytest.raises(ValidationError) as refused:
        _add(services, boss, replace(CASEY, username="casey.ruiz"), password="Casey.Ruiz")
    assert refused.value.fields["password"] == "A password may not be the user name"


def test_every_bad_field_is_named_at_once(services, boss, session_factory):
    before = _snapshot(session_factory)
    bad = NewUserInput(username="no spaces please", display_name="  ", roles=frozenset(),
                       email="nope", needs_cosign=True)
    with pytest.raises(ValidationError) as refused:
        _add(services, boss, bad, password="short")
    assert set(refused.value.fields) == {"username", "display_name", "roles", "email",
                                         "supervisor_id", "password"}
    assert _snapshot(session_factory) == before


def test_the_minimum_password_length_is_a_practice_setting(services, boss):
    services.settings.update(boss, replace(PracticeSettings(), password_min_length=16))
    with pytest.raises(ValidationError, match="at least 16 characters"):
        _add(services, boss, password="fifteen chars!!")
    _add(services, boss, password="sixteen chars!!!")


@pytest.mark.parametrize("password", [
    "quote's \"double\" `back`",
    "contraseña-añejo-ñandú",
    "пароль-надёжный",
    "密码很安全的密码很安全",
    "🔒🔑🐍 emoji pass 🎉",
    "  spaces around  ",
    "semi;colon--'); DROP TABLE staff_users;--",
    "tab\tand\\backslash",
])
def test_passwords_of_any_characters_work_end_to_end(services, boss, password):
    casey = _add(services, boss, password=password)
    actor = services.staff.log_in("casey", password)
    assert actor.user_id == casey.id
    mine = password[::-1] + "!"
    services.users.change_own_password(actor, password, mine)
    assert services.staff.log_in("casey", mine).user_id == casey.id
    assert services.staff.verify_password(actor, mine) is True
    with pytest.raises(AuthenticationFailed):
        services.staff.log_in("casey", password.strip() if password != password.strip()
                              else password + " ")        # nothing is trimmed or padded


# ---------------------------------------------------------------- supervisors and co-signature
def test_a_user_needing_co_signature_needs_an_active_supervisor(services, boss):
    sam = _add(services, boss, NewUserInput(username="sam", display_name="Sam Sup",
                                            roles=frozenset({Role.CLINICIAN, Role.SUPERVISOR})))
    other = _add(services, boss, replace(CASEY, username="nosup", display_name="Not Sup"))
    associate = replace(CASEY, username="assoc", display_name="Ari Assoc", needs_cosign=True)
    with pytest.raises(ValidationError) as refused:
        _add(services, boss, replace(associate, supervisor_id=other.id))
    assert refused.value.fields == {"supervisor_id": "Not Sup does not hold the supervisor role"}
    with pytest.raises(ValidationError, match="active user"):
        _add(services, boss, replace(associate, supervisor_id=99_999))
    added = _add(services, boss, replace(associate, supervisor_id=sam.id))
    assert added.needs_cosign and added.supervisor_id == sam.id


def test_a_supervisor_keeps_the_role_while_someone_needs_their_co_signature(services, boss):
    sam = _add(services, boss, NewUserInput(username="sam", display_name="Sam Sup",
                                            roles=frozenset({Role.CLINICIAN, Role.SUPERVISOR})))
    _add(services, boss, replace(CASEY, needs_cosign=True, supervisor_id=sam.id))
    demoted = UserChanges(display_name="Sam Sup", roles=frozenset({Role.CLINICIAN}))
    with pytest.raises(Conflict, match="co-signs the work of Casey Ruiz"):
        services.users.update_user(boss, sam.id, sam.version, demoted)
    with pytest.raises(Conflict, match="co-signs the work of Casey Ruiz"):
        services.users.disable_user(boss, sam.id)


# ---------------------------------------------------------------- editing
def test_an_edit_saves_a_new_version_and_a_stale_copy_is_refused(services, boss,
                                                                 session_factory):
    casey = _add(services, boss)
    changes = UserChanges(display_name="Casey Ruiz-Ortega", roles=frozenset({Role.CLINICIAN}),
                          credentials="LCSW", email="casey@example.org")
    edited = services.users.update_user(boss, casey.id, casey.version, changes)
    assert (edited.display_name, edited.credentials, edited.version) == (
        "Casey Ruiz-Ortega", "LCSW", casey.version + 1)
    [event] = _events(session_factory, "user.update")
    assert event.detail["fields"] == ["credentials", "display_name"]
    before = _snapshot(session_factory)
    with pytest.raises(StaleVersion, match="changed by someone else"):
        services.users.update_user(boss, casey.id, casey.version,
                                   replace(changes, display_name="Lost Edit"))
    assert _snapshot(session_factory) == before


def test_a_change_of_roles_alone_is_a_new_version(services, boss, session_factory):
    casey = _add(services, boss)
    edited = services.users.update_user(
        boss, casey.id, casey.version,
        UserChanges(display_name=casey.display_name, credentials="LPC", email=casey.email,
                    roles=frozenset({Role.CLINICIAN, Role.FRONT_DESK})))
    assert edited.roles == {Role.CLINICIAN, Role.FRONT_DESK}
    assert edited.version == casey.version + 1
    [event] = _events(session_factory, "user.update")
    assert (event.detail["roles_added"], event.detail["roles_removed"]) == (["front_desk"], [])
    assert services.staff.log_in("casey", TEMPORARY).roles == {Role.CLINICIAN, Role.FRONT_DESK}


def test_an_edit_that_changes_nothing_writes_nothing(services, boss, session_factory):
    casey = _add(services, boss)
    before = _snapshot(session_factory)
    same = UserChanges(display_name=" Casey   Ruiz ", roles=casey.roles, credentials="LPC",
                       email="casey@example.org")
    assert services.users.update_user(boss, casey.id, casey.version, same) == casey
    assert _snapshot(session_factory) == before


def test_editing_an_unknown_user(services, boss):
    with pytest.raises(NotFound):
        services.users.update_user(boss, 4242, 1, UserChanges(display_name="X",
                                                              roles=frozenset({Role.ADMIN})))


def test_the_last_active_administrator_keeps_the_role(services, boss, session_factory):
    me = next(m for m in services.users.list_users(boss) if m.username == "boss")
    alone = UserChanges(display_name="Pat Boss", roles=frozenset({Role.CLINICIAN}))
    before = _snapshot(session_factory)
    with pytest.raises(Conflict, match="only active administrator"):
        services.users.update_user(boss, me.id, me.version, alone)
    assert _snapshot(session_factory) == before
    second = _add(services, boss, NewUserInput(username="robin", display_name="Robin Admin",
                                               roles=frozenset({Role.ADMIN})))
    assert services.users.update_user(boss, me.id, me.version, alone).roles == {Role.CLINICIAN}
    # Pat is no administrator any more, from the next call on...
    with pytest.raises(PermissionDenied):
        services.users.list_users(boss)
    # ...and Robin is the last one.
    robin_actor = _log_in_for_good(services, "robin", TEMPORARY, "robins own password")
    robin = next(m for m in services.users.list_users(robin_actor) if m.username == "robin")
    assert robin.id == second.id
    with pytest.raises(Conflict, match="only active administrator"):
        services.users.update_user(robin_actor, robin.id, robin.version,
                                   UserChanges(display_name="Robin Admin",
                                               roles=frozenset({Role.FRONT_DESK})))


# ---------------------------------------------------------------- disabling and enabling
def test_a_disabled_user_cannot_log_in_and_is_told_nothing_more(services, boss,
                                                                session_factory):
    casey = _add(services, boss)
    disabled = services.users.disable_user(boss, casey.id, "left the practice")
    assert not disabled.active
    [event] = _events(session_factory, "user.disable")
    assert event.detail == {"username": "casey", "reason": "left the practice"}
    with pytest.raises(AuthenticationFailed) as refused:
        services.staff.log_in("casey", TEMPORARY)
    assert str(refused.value) == "Unknown user name or wrong password"
    assert not isinstance(refused.value, AccountLocked)
    failed = _events(session_factory, "login")[-1]
    assert (failed.outcome, failed.detail["reason"]) == (AuditOutcome.FAILED, "disabled")
    assert [m.username for m in services.users.list_users(boss, include_disabled=False)] == [
        "boss"]
    enabled = services.users.enable_user(boss, casey.id)
    assert enabled.active
    assert services.staff.log_in("casey", TEMPORARY).user_id == casey.id


def test_a_disable_reason_with_an_escape_sequence_is_refused_and_nothing_changes(
        services, boss, session_factory):
    casey = _add(services, boss)
    with pytest.raises(ValidationError) as refused:
        services.users.disable_user(boss, casey.id, "left\x1b[2J the practice")
    assert "U+001B ESCAPE" in refused.value.fields["reason"]
    assert _events(session_factory, "user.disable") == []
    assert sorted(m.username for m in services.users.list_users(
        boss, include_disabled=False)) == ["boss", "casey"]


def test_nobody_disables_their_own_account_or_the_last_administrator(
        services, boss, actors, session_factory):
    with pytest.raises(Conflict, match="your own account"):
        services.users.disable_user(boss, boss.user_id)
    # `actors["admin"]` is a second administrator; boss disables them...
    services.users.disable_user(boss, actors["admin"].user_id)
    # ...and their session, still open somewhere, lost its rights with the account.
    before = _snapshot(session_factory)
    with pytest.raises(PermissionDenied, match="no role"):
        services.users.disable_user(actors["admin"], boss.user_id)
    users, events = _snapshot(session_factory)
    assert (users, events) == (before[0], before[1] + 1)      # + the refusal, audited
    assert _events(session_factory)[-1].outcome == AuditOutcome.REFUSED


def test_disabling_twice_and_a_long_reason(services, boss, session_factory):
    casey = _add(services, boss)
    with pytest.raises(ValidationError) as refused:
        services.users.disable_user(boss, casey.id, "x" * 201)
    assert "reason" in refused.value.fields
    services.users.disable_user(boss, casey.id)
    before = _snapshot(session_factory)
    assert not services.users.disable_user(boss, casey.id).active
    assert _snapshot(session_factory) == before


# ---------------------------------------------------------------- own password
def test_changing_ones_own_password_refuses_bad_input_and_counts_wrong_guesses(
        services, boss, session_factory):
    casey = _add(services, boss)
    actor = services.staff.log_in("casey", TEMPORARY)
    before = _snapshot(session_factory)
    for current, new, field, message in [
        ("", "a new password", "current_password", "Enter your password"),
        (TEMPORARY, TEMPORARY, "new_password", "must differ"),
        (TEMPORARY, "short", "new_password", "at least 10"),
        (TEMPORARY, "casey", "new_password", "at least 10"),
        (TEMPORARY, "🔒" * 2000, "new_password", "at most 1024"),
        ("x" * 1_000_000, "a new password", "current_password", "at most 1024"),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.users.change_own_password(actor, current, new)
        assert message in refused.value.fields[field]
    assert _snapshot(session_factory) == before
    with pytest.raises(ValidationError) as refused:
        services.users.change_own_password(actor, "not my password", "a new password")
    assert refused.value.fields == {"current_password": "The current password is wrong"}
    assert _row(session_factory, "casey").failed_logins == 1
    failed = _events(session_factory, "password.change")[-1]
    assert (failed.outcome, failed.user_id, failed.entity_id) == (
        AuditOutcome.FAILED, casey.id, casey.id)
    assert services.staff.log_in("casey", TEMPORARY).must_change_password


# ---------------------------------------------------------------- log-in and lockout
@pytest.mark.parametrize("username, password, error, message", [
    ("nobody", "whatever pass", AuthenticationFailed, "Unknown user name or wrong password"),
    ("casey", "wrong password", AuthenticationFailed, "Unknown user name or wrong password"),
    ("casey", "", ValidationError, "Enter your password"),
    ("   ", TEMPORARY, ValidationError, "Enter your user name"),
    ("casey", "p" * 1_048_576, ValidationError, "at most 1024 characters"),
    ("casey", TEMPORARY[:-1], AuthenticationFailed, "Unknown user name or wrong password"),
    ("casey\u0000", TEMPORARY, AuthenticationFailed, "Unknown user name or wrong password"),
    ("x" * 100_000, TEMPORARY, AuthenticationFailed, "Unknown user name or wrong password"),
])
def test_bad_log_ins_get_a_specific_message(services, boss, session_factory, username,
                                           password, error, message):
    _add(services, boss)
    users_before, _ = _snapshot(session_factory)
    with pytest.raises(error) as refused:
        services.staff.log_in(username, password)
    assert message in str(refused.value)
    users_after, _ = _snapshot(session_factory)
    if error is ValidationError:        # not an attempt at all: nothing counted or written
        assert users_after == users_before
    else:
        event = _events(session_factory)[-1]
        assert (event.action, event.outcome) == ("login", AuditOutcome.FAILED)
        assert len(event.username) <= 64


def test_an_unknown_user_and_a_wrong_password_read_the_same_and_are_audited_apart(
        services, boss, session_factory):
    _add(services, boss)
    messages = []
    for name in ("nobody", "casey"):
        with pytest.raises(AuthenticationFailed) as refused:
            services.staff.log_in(name, "not the password")
        messages.append(str(refused.value))
    assert messages[0] == messages[1]
    reasons = [e.detail["reason"] for e in _events(session_factory, "login")
               if e.outcome == AuditOutcome.FAILED]
    assert reasons == ["unknown user", "wrong password"]


def test_five_failures_lock_the_account_even_against_the_right_password(
        services, boss, session_factory, clock):
    _add(services, boss)
    for attempt in range(1, 5):
        with pytest.raises(AuthenticationFailed) as refused:
            services.staff.log_in("casey", f"guess number {attempt}")
        assert not isinstance(refused.value, AccountLocked)
    with pytest.raises(AccountLocked) as locked:
        services.staff.log_in("casey", "guess number 5")
    assert "locked for 15 more minutes" in str(locked.value)
    assert locked.value.until == START + timedelta(minutes=15)
    [event] = _events(session_factory, "login.locked")
    assert event.detail["failures"] == 5 and event.username == "casey"
    clock.advance(minutes=5)
    with pytest.raises(AccountLocked, match="locked for 10 more minutes"):
        services.staff.log_in("casey", TEMPORARY)              # the right one, refused
    assert _row(session_factory, "casey").locked_until == START + timedelta(minutes=15)
    listed = next(m for m in services.users.list_users(boss) if m.username == "casey")
    assert listed.locked_until == START + timedelta(minutes=15)
    clock.advance(minutes=10)
    actor = services.staff.log_in("casey", TEMPORARY)
    assert actor.username == "casey"
    row = _row(session_factory, "casey")
    assert (row.failed_logins, row.locked_until) == (0, None)
    assert _events(session_factory, "login")[-1].outcome == AuditOutcome.OK


def test_after_a_lockout_ends_a_new_count_begins(services, boss, clock):
    _add(services, boss)
    for attempt in range(5):
        with pytest.raises(AuthenticationFailed):
            services.staff.log_in("casey", f"guess {attempt} wrong")
    clock.advance(minutes=16)
    with pytest.raises(AuthenticationFailed) as refused:
        services.staff.log_in("casey", "one more wrong")
    assert not isinstance(refused.value, AccountLocked)


def test_a_success_resets_the_count(services, boss, session_factory, clock):
    _add(services, boss)
    for _ in range(2):
        for attempt in range(4):
            with pytest.raises(AuthenticationFailed):
                services.staff.log_in("casey", f"guess {attempt} wrong")
        services.staff.log_in("casey", TEMPORARY)
    assert _row(session_factory, "casey").failed_logins == 0


def test_lockout_threshold_and_length_are_practice_settings(services, boss, clock):
    services.settings.update(boss, replace(PracticeSettings(), lockout_threshold=3,
                                           lockout_minutes=60))
    _add(services, boss)
    for attempt in range(2):
        with pytest.raises(AuthenticationFailed):
            services.staff.log_in("casey", f"guess {attempt} wrong")
    with pytest.raises(AccountLocked, match="60 more minutes"):
        services.staff.log_in("casey", "guess 3 wrong")


def test_a_password_reset_ends_a_lockout(services, boss, session_factory, clock):
    casey = _add(services, boss)
    for attempt in range(5):
        with pytest.raises(AuthenticationFailed):
            services.staff.log_in("casey", f"guess {attempt} wrong")
    reset = services.users.reset_password(boss, casey.id, "fresh temporary")
    assert reset.must_change_password and reset.locked_until is None
    [event] = _events(session_factory, "user.reset_password")
    assert event.entity_id == casey.id and event.detail == {"username": "casey"}
    actor = services.staff.log_in("casey", "fresh temporary")
    assert actor.must_change_password


def test_a_reset_checks_the_temporary_password(services, boss, session_factory):
    casey = _add(services, boss)
    before = _snapshot(session_factory)
    with pytest.raises(ValidationError) as refused:
        services.users.reset_password(boss, casey.id, "casey")
    assert "at least 10" in refused.value.fields["temporary_password"]
    with pytest.raises(NotFound):
        services.users.reset_password(boss, 4242, "fresh temporary")
    assert _snapshot(session_factory) == before


def test_a_locked_account_is_refused_even_for_a_disabled_one_without_saying_so(
        services, boss, clock):
    casey = _add(services, boss)
    for attempt in range(5):
        with pytest.raises(AuthenticationFailed):
            services.staff.log_in("casey", f"guess {attempt} wrong")
    services.users.disable_user(boss, casey.id)
    with pytest.raises(AuthenticationFailed) as refused:
        services.staff.log_in("casey", TEMPORARY)
    assert not isinstance(refused.value, AccountLocked)


# ---------------------------------------------------------------- idle lock
def test_the_idle_lock_check_is_audited_and_counts_toward_the_lockout(
        services, boss, session_factory, clock):
    _add(services, boss)
    actor = services.staff.log_in("casey", TEMPORARY)
    assert services.staff.verify_password(actor, TEMPORARY) is True
    ok = _events(session_factory, "unlock")[-1]
    assert (ok.outcome, ok.user_id) == (AuditOutcome.OK, actor.user_id)
    for attempt in range(4):
        assert services.staff.verify_password(actor, f"wrong {attempt} guess") is False
    assert _events(session_factory, "unlock")[-1].outcome == AuditOutcome.FAILED
    with pytest.raises(AccountLocked):
        services.staff.verify_password(actor, "fifth wrong guess")
    with pytest.raises(AccountLocked):
        services.staff.verify_password(actor, TEMPORARY)
    with pytest.raises(AccountLocked):
        services.staff.log_in("casey", TEMPORARY)
    clock.advance(minutes=15)
    assert services.staff.verify_password(actor, TEMPORARY) is True


def test_the_idle_lock_of_a_since_disabled_account_stays_locked(services, boss):
    casey = _add(services, boss)
    actor = services.staff.log_in("casey", TEMPORARY)
    services.users.disable_user(boss, casey.id)
    with pytest.raises(PermissionDenied):
        services.staff.verify_password(actor, TEMPORARY)


# ---------------------------------------------------------------- hashing
def test_a_hash_made_with_older_parameters_is_replaced_at_log_in(services, boss,
                                                                 session_factory, monkeypatch):
    _add(services, boss)
    old_hash = _row(session_factory, "casey").password_hash
    assert old_hash.startswith("$argon2id$") and "m=1024,t=1,p=1" in old_hash
    monkeypatch.setattr(accounts_module, "_hasher",
                        lambda: PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    services.staff.log_in("casey", TEMPORARY)
    new_hash = _row(session_factory, "casey").password_hash
    assert new_hash != old_hash and "m=2048,t=2,p=1" in new_hash
    services.staff.log_in("casey", TEMPORARY)
    assert _row(session_factory, "casey").password_hash == new_hash     # only once


def test_production_hashes_are_argon2id_with_the_library_defaults(monkeypatch):
    monkeypatch.setattr(accounts_module, "_hasher", PRODUCTION_HASHER)
    stored = accounts_module.hash_password("ünïcödé 🔑 password")
    defaults = PasswordHasher()
    assert stored.startswith("$argon2id$")
    assert f"m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}" in stored
    assert accounts_module.verify_password(stored, "ünïcödé 🔑 password")
    assert not accounts_module.needs_rehash(stored)


def test_the_staff_list_every_role_sees_leaves_out_account_state(services, boss, actors, clock):
    _add(services, boss)
    for attempt in range(5):
        with pytest.raises(AuthenticationFailed):
            services.staff.log_in("casey", f"guess {attempt} wrong")
    seen = next(m for m in services.staff.list_staff(actors["front_desk"])
                if m.username == "casey")
    assert (seen.must_change_password, seen.locked_until, seen.last_login_at) == (
        False, None, None)
    admin_view = next(m for m in services.users.list_users(boss) if m.username == "casey")
    assert admin_view.must_change_password and admin_view.locked_until is not None
