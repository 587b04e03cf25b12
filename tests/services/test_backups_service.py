"""The backup service: automatic backups (verified, rotated, once a day), the administrator's
list and status (the warning's facts), the restore only an administrator may ask for (the same
restore as `iopdesk db restore`: recorded in the audit trail), and the way back from a damaged
database file."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from support import AUDIT_KEY, TODAY

from iopdesk.db.backup import record_path, verify_database_file
from iopdesk.db.engine import make_session_factory, sqlite_url
from iopdesk.db.migrate import open_database
from iopdesk.db.models import AuditEvent, Participant, StaffRole, StaffUser
from iopdesk.domain.accounts import PracticeSettings
from iopdesk.domain.enums import Role
from iopdesk.domain.errors import PermissionDenied, ValidationError
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services
from iopdesk.services.backups import BackupPlace, newest_good, quick_check, recover_damaged

NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def _staff(services, factory, username: str, role: Role):
    """A stored user and the Actor a log-in would give them."""
    with factory.begin() as s:
        user = StaffUser(username=username, display_name=username.title(), password_hash="x")
        user.roles = [StaffRole(role=role)]
        s.add(user)
        s.flush()
        user_id = user.id
    return services.staff._ctx.issue_actor(user_id=user_id, username=username,
                                           display_name=username.title(),
                                           roles=frozenset({role}))


@pytest.fixture
def place(demo_db, tmp_path) -> BackupPlace:
    key = tmp_path / "config" / "audit-hmac.key"
    key.parent.mkdir()
    key.write_text(AUDIT_KEY.hex() + "\n")
    key.chmod(0o600)
    return BackupPlace(sqlite_url(demo_db), tmp_path / "backups", keep=3,
                       audit_key_path=key, workstation="test-station")


@pytest.fixture
def backing(place):
    """(services, session factory, clock, actors, engine) over the demo file, backed up to
    `place`."""
    engine = open_database(place.database_url)
    factory = make_session_factory(engine)
    clock = Clock()
    services = build_services(factory, "test-station", audit_key=AUDIT_KEY,
                              today=lambda: TODAY, now=clock, backups=place)
    people = {"admin": _staff(services, factory, "backupadmin", Role.ADMIN),
              "clinician": _staff(services, factory, "backupclin", Role.CLINICIAN)}
    yield services, factory, clock, people, engine
    engine.dispose()


def _age(backup, made_at: datetime) -> None:
    """Write `made_at` into the backup's record (as if it had been made then)."""
    record = json.loads(record_path(backup).read_text())
    record["made_at"] = made_at.isoformat()
    record_path(backup).write_text(json.dumps(record))


def test_automatic_backups_verify_and_keep_the_newest_n(backing, place):
    services, *_ = backing
    made = [services.backups.automatic() for _ in range(5)]
    kept = services.backups.backups(backing[3]["admin"])
    assert [e.path for e in kept] == [m.path for m in reversed(made)][:3]     # keep=3
    assert all(e.verified and not e.encrypted for e in kept)
    for entry in kept:
        verify_database_file(entry.path)
        assert stat.S_IMODE(os.stat(entry.path).st_mode) == 0o600


def test_the_daily_backup_is_made_once_a_day(backing, place):
    services, _, clock, people, _ = backing
    first = services.backups.automatic(daily=True)
    assert first is not None
    _age(first.path, NOW - timedelta(hours=1))
    assert services.backups.automatic(daily=True) is None                     # made today
    _age(first.path, NOW - timedelta(days=1))
    assert services.backups.automatic(daily=True) is not None                 # a new day


def test_automatic_backups_can_be_off(place, backing):
    services = build_services(backing[1], "ws", audit_key=AUDIT_KEY,
                              backups=BackupPlace(place.database_url, place.backup_dir,
                                                  automatic=False))
    assert services.backups.automatic() is None and services.backups.automatic(daily=True) \
        is None
    assert not place.backup_dir.exists()


def test_the_status_warns_of_no_or_an_old_backup_after_the_practice_setting(backing):
    services, _, clock, people, _ = backing
    admin = people["admin"]
    status = services.backups.status(admin)
    assert status.overdue and status.newest is None and status.warning_days == 2
    info = services.backups.back_up(admin)
    _age(info.path, NOW - timedelta(hours=1))
    assert not services.backups.status(admin).overdue
    _age(info.path, NOW - timedelta(days=3))
    status = services.backups.status(admin)
    assert status.overdue and status.newest.path == info.path
    assert status.newest.made_at == NOW - timedelta(days=3)
    services.settings.update(admin, PracticeSettings(time_zone="UTC", backup_warning_days=5))
    assert not services.backups.status(admin).overdue


def test_a_backup_whose_record_disagrees_is_not_good(backing, place):
    services, _, _, people, _ = backing
    info = services.backups.back_up(people["admin"])
    with info.path.open("ab") as handle:
        handle.write(b"\0" * 4096)                      # grown since it verified
    assert newest_good(place) is None
    assert services.backups.status(people["admin"]).overdue


def test_only_an_administrator_sees_or_restores_backups(backing):
    services, factory, _, people, engine = backing
    clinician = people["clinician"]
    info = services.backups.back_up(people["admin"])
    for call in (lambda: services.backups.status(clinician),
                 lambda: services.backups.backups(clinician),
                 lambda: services.backups.back_up(clinician),
                 lambda: services.backups.restore(clinician, info.path)):
        with pytest.raises(PermissionDenied):
            call()
    with factory() as s:
        refused = s.scalars(select(AuditEvent.action).where(
            AuditEvent.outcome == "refused", AuditEvent.username == "backupclin")).all()
    assert set(refused) == {"backups.status", "backups.list", "backups.create",
                            "backups.restore"}


def test_restore_brings_back_the_earlier_state_and_is_recorded(backing, place):
    services, factory, _, people, engine = backing
    admin = people["admin"]
    with factory() as s:
        before = s.scalar(select(func.count(Participant.id)))
    info = services.backups.back_up(admin)
    later = services.participants.register(admin, ParticipantInput(
        first_name="Later", last_name="Added", date_of_birth=TODAY.replace(year=1990)))
    restored = services.backups.restore(admin, info.path)
    assert restored.info.path == info.path
    engine = open_database(place.database_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count(Participant.id))) == before
            assert conn.scalar(select(Participant.id).where(Participant.id == later.id)) \
                is None
            last = conn.execute(select(AuditEvent.action, AuditEvent.detail)
                                .order_by(AuditEvent.id.desc()).limit(1)).one()
    finally:
        engine.dispose()
    assert last.action == "db.restore" and last.detail["restored_from"] == info.path.name
    kept = [e.path.name for e in services.backups.backups(admin)]
    assert any("before-restore" in name for name in kept)       # the replaced database


def test_restore_refuses_a_file_that_is_not_one_of_the_backups(backing, tmp_path, demo_db):
    services, _, _, people, _ = backing
    stranger = tmp_path / "elsewhere.sqlite3"
    stranger.write_bytes(demo_db.read_bytes())
    before = demo_db.read_bytes()
    with pytest.raises(ValidationError) as refused:
        services.backups.restore(people["admin"], stranger)
    assert "is not a backup of this database" in refused.value.fields["backup"]
    assert demo_db.read_bytes() == before


def damage(path) -> None:
    """Overwrite bytes in the middle pages of a database file (not its header)."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        for offset in range(size // 3, 2 * size // 3, 4096 * 7):
            handle.seek(offset)
            handle.write(b"\xa5" * 1500)


def test_a_damaged_file_is_found_set_aside_and_replaced_by_the_newest_good_backup(
        backing, place, demo_db):
    services, factory, _, people, engine = backing
    assert quick_check(place) is None
    info = services.backups.back_up(people["admin"])
    engine.dispose()
    damage(demo_db)
    problem = quick_check(place)
    assert problem is not None
    damaged_bytes = demo_db.read_bytes()
    restored = recover_damaged(place, newest_good(place).path)
    assert restored.info.path == info.path
    aside = restored.set_aside
    assert aside.parent == demo_db.parent and "-damaged-" in aside.name
    assert aside.read_bytes() == damaged_bytes
    assert stat.S_IMODE(os.stat(aside).st_mode) == 0o600
    assert quick_check(place) is None
    verify_database_file(demo_db)
