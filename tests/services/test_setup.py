"""First run (the practice, its settings and its administrator) and the practice settings."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from iopdesk.db.models import AuditEvent, Practice, PracticeSetting, StaffUser
from iopdesk.domain.accounts import NewUserInput, PracticeInput, PracticeSettings
from iopdesk.domain.enums import AuditOutcome, Role
from iopdesk.domain.errors import Conflict, ValidationError

PASSWORD = "a long admin password"
PRACTICE = PracticeInput(name="  Cascade   Recovery IOP ", address_line1="12 Elm St",
                         city="Portland", state="or", postal_code="97205",
                         phone="555.201.3344", fax="1-555-201-3345", npi="1234567893")
ADMIN = NewUserInput(username="pat", display_name="Pat Lee", roles=frozenset({Role.CLINICIAN}),
                     credentials="LCSW")


pytestmark = pytest.mark.usefixtures("fast_hashing")     # Argon2 made cheap: conftest.py


def _counts(session_factory) -> dict[str, int]:
    with session_factory() as s:
        return {model.__tablename__: s.scalar(select(func.count()).select_from(model))
                for model in (Practice, PracticeSetting, StaffUser, AuditEvent)}


def _events(session_factory) -> list[AuditEvent]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_first_run_creates_the_practice_its_settings_and_its_administrator(
        services, session_factory):
    assert services.setup.needs_setup()
    actor = services.setup.initialize(PRACTICE, ADMIN, PASSWORD)
    assert not services.setup.needs_setup()
    assert actor.roles == {Role.ADMIN, Role.CLINICIAN}         # ADMIN added
    assert (actor.username, actor.display_name, actor.must_change_password) == (
        "pat", "Pat Lee", False)
    with session_factory() as s:
        practice = s.scalar(select(Practice))
        assert (practice.name, practice.state, practice.phone, practice.fax, practice.npi,
                practice.is_demo) == ("Cascade Recovery IOP", "OR", "(555) 201-3344",
                                      "(555) 201-3345", "1234567893", False)
        stored = {row.key: row.value for row in s.scalars(select(PracticeSetting))}
    assert stored == {key: value for key, value in vars(PracticeSettings()).items()}
    assert services.settings.get() == PracticeSettings()
    assert [(e.action, e.outcome, e.username) for e in _events(session_factory)] == [
        ("setup.initialize", AuditOutcome.OK, "pat"), ("login", AuditOutcome.OK, "pat")]
    assert services.staff.practice_name() == "Cascade Recovery IOP"
    assert not services.staff.is_demo()
    assert services.staff.log_in("pat", PASSWORD).user_id == actor.user_id
    assert services.users.list_users(actor)[0].credentials == "LCSW"


def test_a_second_setup_is_refused_and_changes_nothing(services, session_factory):
    services.setup.initialize(PRACTICE, ADMIN, PASSWORD)
    before = _counts(session_factory)
    with pytest.raises(Conflict, match="already holds the practice “Cascade Recovery IOP”"):
        services.setup.initialize(replace(PRACTICE, name="Another"),
                                  replace(ADMIN, username="intruder"), PASSWORD)
    assert _counts(session_factory) == before


def test_setup_is_refused_on_the_demo_practice(demo_url, session_factory):
    from iopdesk.db.engine import make_session_factory
    from iopdesk.db.migrate import open_database
    from iopdesk.services import build_services

    from support import AUDIT_KEY

    engine = open_database(demo_url)
    try:
        services = build_services(make_session_factory(engine), "test-station",
                                  audit_key=AUDIT_KEY)
        assert not services.setup.needs_setup()
        with pytest.raises(Conflict):
            services.setup.initialize(PRACTICE, replace(ADMIN, username="newadmin"), PASSWORD)
        settings = services.settings.get()          # the demo stores only some settings
        assert settings.idle_lock_minutes == 10 and settings.lockout_threshold == 5
    finally:
        engine.dispose()


def test_every_bad_field_is_named_and_nothing_is_created(services, session_factory):
    before = _counts(session_factory)
    with pytest.raises(ValidationError) as refused:
        services.setup.initialize(
            replace(PRACTICE, name="   ", npi="1234567890", state="Oregon", postal_code="972",
                    phone="555-0100"),
            replace(ADMIN, username="p", display_name=""), "short")
    assert refused.value.fields == {
        "name": "The practice name is required",
        "npi": "1234567890 is not a valid NPI (its check digit does not match); check it",
        "state": "State is the two-letter abbreviation, e.g. OR",
        "postal_code": "ZIP code is 5 digits or ZIP+4 (12345-6789)",
        "phone": "Phone number needs 10 digits, e.g. (555) 201-3344",
        "username": "A user name is 3 to 64 characters (this one has 1)",
        "display_name": "The name is required",
        "admin_password": "A password needs at least 10 characters (this one has 5)",
    }
    assert _counts(session_factory) == before
    assert services.setup.needs_setup()


@pytest.mark.parametrize("password, message", [
    ("", "Enter a password"),
    ("x" * (1024 * 1024), "at most 1024 characters"),
    ("pat", "at least 10"),
    ("iopdesk-demo", "guessers try first"),
    ("PAT.PAT.PAT", None),
    ("🔑 clé d’accès « sûre »", None),
])
def test_the_administrators_password(services, session_factory, password, message):
    if message is None:
        services.setup.initialize(PRACTICE, ADMIN, password)
        assert services.staff.log_in("pat", password).username == "pat"
        return
    with pytest.raises(ValidationError) as refused:
        services.setup.initialize(PRACTICE, ADMIN, password)
    assert message in refused.value.fields["admin_password"]
    assert services.setup.needs_setup()


def test_the_first_administrator_needs_no_co_signature(services):
    with pytest.raises(ValidationError) as refused:
        services.setup.initialize(PRACTICE, replace(ADMIN, needs_cosign=True, supervisor_id=1),
                                  PASSWORD)
    assert "no supervisor yet" in refused.value.fields["needs_cosign"]


def test_a_logo_must_be_a_png(services):
    with pytest.raises(ValidationError) as refused:
        services.setup.initialize(replace(PRACTICE, logo_png=b"GIF89a..."), ADMIN, PASSWORD)
    assert refused.value.fields == {"logo_png": "The logo must be a PNG image"}
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    services.setup.initialize(replace(PRACTICE, logo_png=png), ADMIN, PASSWORD)


# ---------------------------------------------------------------- settings
def test_settings_read_as_defaults_before_anything_is_stored(services):
    assert services.settings.get() == PracticeSettings()


def test_settings_update_is_checked_stored_and_audited(services, session_factory):
    admin = services.setup.initialize(PRACTICE, ADMIN, PASSWORD)
    wanted = replace(PracticeSettings(), idle_lock_minutes=5, part2_notice="full")
    assert services.settings.update(admin, wanted) == wanted
    assert services.settings.get() == wanted
    event = _events(session_factory)[-1]
    assert (event.action, event.username, event.detail) == (
        "settings.update", "pat",
        {"changed": {"idle_lock_minutes": [10, 5], "part2_notice": ["short", "full"]}})
    before = _counts(session_factory)
    assert services.settings.update(admin, wanted) == wanted       # no change: no event
    assert _counts(session_factory) == before


@pytest.mark.parametrize("change, field", [
    ({"idle_lock_minutes": 0}, "idle_lock_minutes"),
    ({"idle_lock_minutes": 10_000}, "idle_lock_minutes"),
    ({"password_min_length": 4}, "password_min_length"),
    ({"lockout_threshold": True}, "lockout_threshold"),
    ({"lockout_minutes": "15"}, "lockout_minutes"),
    ({"part2_notice": "medium"}, "part2_notice"),
    ({"week_start": 7}, "week_start"),
    ({"review_interval_days": 0}, "review_interval_days"),
    ({"lost_to_contact_days": -1}, "lost_to_contact_days"),
])
def test_bad_settings_are_refused_and_nothing_changes(services, session_factory, change, field):
    admin = services.setup.initialize(PRACTICE, ADMIN, PASSWORD)
    before = _counts(session_factory)
    with pytest.raises(ValidationError) as refused:
        services.settings.update(admin, replace(PracticeSettings(), **change))
    assert set(refused.value.fields) == {field}
    assert services.settings.get() == PracticeSettings()
    assert _counts(session_factory) == before


def test_an_unusable_stored_setting_reads_as_its_default(services, session_factory):
    with session_factory.begin() as s:
        s.add(PracticeSetting(key="idle_lock_minutes", value="ten"))
        s.add(PracticeSetting(key="lockout_threshold", value=7))
        s.add(PracticeSetting(key="next_chart_number", value=1234))
    assert services.settings.get() == replace(PracticeSettings(), lockout_threshold=7)
