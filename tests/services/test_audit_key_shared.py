"""The practice's one audit key on several workstations: two service stacks (two
configuration folders, as two computers have) on one PostgreSQL database. A workstation
without the practice's key, or with another, is refused before it writes, and no key is
made for it; once the key is carried over (export, import) it writes, and the chain
verifies from either workstation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from support import ADMIN_PASSWORD, TODAY

from iopdesk.db.engine import make_engine, make_session_factory
from iopdesk.db.migrate import run_migrations
from iopdesk.domain.accounts import NewUserInput, PracticeInput
from iopdesk.domain.enums import Role
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services_keyed
from iopdesk.services.audit_chain import (NotThePracticeKey, export_key, fingerprint, import_key,
                                          read_key_file)

pytestmark = pytest.mark.usefixtures("fast_hashing")
KEY_FILE = "audit-hmac.key"
DESK_PASSWORD = "desk-password-1"


class Workstation:
    """One computer: its configuration folder (where its key lives) and its engine."""

    def __init__(self, url: str, folder: Path, name: str):
        self.folder, self.name = folder, name
        self.engine = make_engine(url)

    @property
    def key_path(self) -> Path:
        return self.folder / KEY_FILE

    def services(self):
        return build_services_keyed(make_session_factory(self.engine), self.name,
                                    key_path=self.key_path, today=lambda: TODAY)

    def events(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM audit_events")).scalar()


@pytest.fixture
def desks(pg_url, tmp_path):
    run_migrations(pg_url)
    made = [Workstation(pg_url, tmp_path / f"desk-{n}", f"desk-{n}") for n in (1, 2)]
    yield made
    for desk in made:
        desk.engine.dispose()


@pytest.fixture
def practice(desks):
    """The practice set up at the first workstation, whose key now signs the trail."""
    first, _ = desks
    services = first.services()
    admin = services.setup.initialize(
        PracticeInput(name="Riverside IOP"),
        NewUserInput(username="admin", display_name="Ada Admin", roles=frozenset({Role.ADMIN})),
        ADMIN_PASSWORD)
    services.users.add_user(admin, NewUserInput(username="desk", display_name="Dee Desk",
                                                roles=frozenset({Role.FRONT_DESK})),
                            "temporary-password-1")
    desk = services.staff.log_in("desk", "temporary-password-1")
    services.users.change_own_password(desk, "temporary-password-1", DESK_PASSWORD)
    return services, admin


def test_a_second_workstation_gets_the_key_and_the_chain_verifies_from_both(
        desks, practice, tmp_path):
    first, second = desks
    services_1, admin_1 = practice
    before = first.events()
    with pytest.raises(NotThePracticeKey) as refused:
        second.services()
    message = str(refused.value)
    assert "has no audit key" in message and "nothing was written" in message
    assert "`iopdesk audit key export FILE`" in message
    assert "`iopdesk audit key import FILE`" in message
    assert not second.key_path.exists()             # no second key was made
    assert first.events() == before

    carried = tmp_path / "usb" / "practice.key"
    carried.parent.mkdir()
    key = export_key(first.key_path, carried)
    assert carried.stat().st_mode & 0o777 == 0o600
    with first.engine.connect() as conn:
        signed = conn.execute(text("SELECT key_fingerprint FROM audit_chain_head")).scalar()
    assert signed == fingerprint(key) and key.hex() not in signed     # never the key itself
    assert import_key(carried, second.key_path, signed) == (key, True)
    assert second.key_path.stat().st_mode & 0o777 == 0o600

    services_2 = second.services()
    desk = services_2.staff.log_in("desk", DESK_PASSWORD)
    person = services_2.participants.register(desk, ParticipantInput(
        first_name="Ama", last_name="Owusu", date_of_birth=date(1990, 4, 4)))
    with second.engine.connect() as conn:
        station = conn.execute(text(
            "SELECT workstation FROM audit_events WHERE action = 'participant.register' "
            "AND participant_id = :p"), {"p": person.id}).scalar()
    assert station == "desk-2"
    report_1 = services_1.audit.verify(admin_1)
    report_2 = services_2.audit.verify(services_2.staff.log_in("admin", ADMIN_PASSWORD))
    assert report_1.problem is None and report_2.problem is None
    assert report_2.checked > report_1.checked > before


def test_a_workstation_with_another_key_is_refused_and_keeps_its_key(desks, practice):
    first, second = desks
    second.folder.mkdir()
    second.key_path.write_text("ab" * 32 + "\n")
    second.key_path.chmod(0o600)
    before = first.events()
    with pytest.raises(NotThePracticeKey) as refused:
        second.services()
    assert "is not the practice's key" in str(refused.value)
    assert "`iopdesk audit key import FILE`" in str(refused.value)
    assert second.key_path.read_text() == "ab" * 32 + "\n"
    assert first.events() == before


def test_importing_another_practices_key_is_refused(desks, practice, tmp_path):
    first, second = desks
    stranger = tmp_path / "other.key"
    stranger.write_text("cd" * 32 + "\n")
    with first.engine.connect() as conn:
        signed = conn.execute(text("SELECT key_fingerprint FROM audit_chain_head")).scalar()
    with pytest.raises(NotThePracticeKey, match="not the one that signs"):
        import_key(stranger, second.key_path, signed)
    assert not second.key_path.exists()


def test_two_new_workstations_with_their_own_keys_cannot_both_sign(desks):
    """On a database whose trail has no event yet, each workstation starts with its own key;
    the first event decides which key is the practice's, and the other workstation's next
    write is refused (nothing of it is kept) instead of breaking the chain."""
    first, second = desks
    services_1, services_2 = first.services(), second.services()   # both keys made
    assert read_key_file(first.key_path) != read_key_file(second.key_path)
    admin = services_1.setup.initialize(
        PracticeInput(name="Riverside IOP"),
        NewUserInput(username="admin", display_name="Ada Admin", roles=frozenset({Role.ADMIN})),
        ADMIN_PASSWORD)
    before = first.events()
    with pytest.raises(NotThePracticeKey, match="not the practice's key"):
        services_2.staff.log_in("admin", ADMIN_PASSWORD)
    assert first.events() == before
    assert services_1.audit.verify(admin).problem is None
