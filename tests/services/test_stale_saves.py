"""One stale-save path through every service that saves over a versioned row.

Two workstations (two service stacks over one database file, each with its own engine and its
own logged-in users) work on the same record: desk-1 saves first, desk-2's save is refused.
It is refused at one of two moments, with the same kind of message naming desk-1's save (who,
which workstation, when):

- at the check: desk-2 saves with the version it loaded, and desk-1 has saved since;
- at the write: desk-2's check passed, and desk-1's save landed between that check and
  desk-2's UPDATE, whose version then matches nothing (SQLAlchemy's StaleDataError).

The write-time race needs a database server: SQLite takes its write lock when the unit of work
begins (BEGIN IMMEDIATE), so no other connection can commit between the check and the UPDATE,
and a hook there writing through another connection would only wait for the lock. The race is
made as it happens on PostgreSQL instead: desk-2 reads the row before desk-1's save commits
(every load of the row at desk-2 gives it as it was then, version included), desk-1's save
commits through its own engine, audit event and all, and desk-2's check passes on what it read
while its UPDATE finds the row moved on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import Any

import pytest
from chart_support import CONSENT, CONTACT, COVERAGE
from clinical_support import complete_intake, tiny_code_table
from sqlalchemy import Connection, event, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value
from support import AUDIT_KEY, TODAY

from iopdesk.db.engine import sqlite_url
from iopdesk.db.migrate import open_database
from iopdesk.db.models import (AuditChainHead, AuditEvent, Consent, Contact, Coverage,
                               Diagnosis, IntakeAssessment, Participant, PracticeSetting,
                               Signature, StaffUser)
from iopdesk.demo import DEMO_PASSWORD
from iopdesk.domain.accounts import NewUserInput, UserChanges
from iopdesk.domain.enums import AgeGroup, AuditOutcome, Role
from iopdesk.domain.errors import StaleVersion
from iopdesk.domain.time import practice_time
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import Actor, Services, build_services
from iopdesk.services.audit_chain import verify

FIRST, SECOND = "desk-1", "desk-2"
AFTER_OPENING = "after you opened it"
WHILE_SAVING = "while you were saving it"
DEPUTY_PASSWORD = "deputy-password-2026"
LAN = ParticipantInput(first_name="Thị Lan", last_name="Nguyễn", date_of_birth=date(1991, 3, 14),
                       phone="555-201-3344")


# ---- two workstations --------------------------------------------------------------------

class World:
    """The demo practice open at desk-1 and desk-2: services, engines and logged-in users."""

    def __init__(self, demo_db, codes_dir):
        self._engines, self._tables = [], []
        self.services = {desk: self._desk(demo_db, codes_dir, desk) for desk in (FIRST, SECOND)}
        self._actors: dict[tuple[str, str], Actor] = {}

    def _desk(self, demo_db, codes_dir, desk: str) -> Services:
        engine = open_database(sqlite_url(demo_db))
        table = tiny_code_table(codes_dir)
        self._engines.append(engine)
        self._tables.append(table)
        # `info` marks the sessions of this desk (see `read_before_first_save`).
        factory = sessionmaker(engine, expire_on_commit=False, info={"desk": desk})
        return build_services(factory, desk, audit_key=AUDIT_KEY, today=lambda: TODAY,
                              icd10=table)

    def actor(self, desk: str, username: str) -> Actor:
        """`username` logged in at `desk` (the demo password; "deputy" is a second
        administrator, made the first time it is asked for)."""
        if (desk, username) not in self._actors:
            password = DEMO_PASSWORD
            if username == "deputy":
                self._add_deputy()
                password = DEPUTY_PASSWORD
            self._actors[desk, username] = self.services[desk].staff.log_in(username, password)
        return self._actors[desk, username]

    def _add_deputy(self) -> None:
        services = self.services[SECOND]
        if self.user_id("deputy") is None:
            services.users.add_user(self.actor(SECOND, "admin"), NewUserInput(
                username="deputy", display_name="Alex Moreno", roles=frozenset({Role.ADMIN})),
                "deputy-temporary-2026")
            # an administrator's password is temporary: the deputy chooses their own first
            temporary = services.staff.log_in("deputy", "deputy-temporary-2026")
            services.users.change_own_password(temporary, "deputy-temporary-2026",
                                               DEPUTY_PASSWORD)

    def connect(self) -> Connection:
        """A connection of no desk, to look at what is stored."""
        return self._engines[0].connect()

    def session(self) -> Session:
        """A session of no desk (its loads are never rewound)."""
        return Session(self._engines[0])

    def user_id(self, username: str) -> int | None:
        with self.connect() as conn:
            return conn.scalar(select(StaffUser.id).where(StaffUser.username == username))

    def row(self, model: type, key: Any) -> dict[str, Any]:
        """Every column of the stored row, by attribute name."""
        mapper = inspect(model)
        columns = [attr.columns[0].label(attr.key) for attr in mapper.column_attrs]
        with self.connect() as conn:
            found = conn.execute(select(*columns).where(mapper.primary_key[0] == key)).one()
        return dict(found._mapping)

    def audit_state(self) -> tuple[int, int]:
        """(events in the trail, the chain head's last event)."""
        with self.connect() as conn:
            return (conn.scalar(select(func.count()).select_from(AuditEvent)),
                    conn.scalar(select(AuditChainHead.last_event_id)))

    def close(self) -> None:
        for table in self._tables:
            table.close()
        for engine in self._engines:
            engine.dispose()


@pytest.fixture
def world(demo_db, tmp_path) -> Iterator[World]:
    made = World(demo_db, tmp_path)
    yield made
    made.close()


@contextmanager
def read_before_first_save(model: type, key: Any, values: dict[str, Any]) -> Iterator[None]:
    """Every load of the row by desk-2's services gives it as `values` (as it was read before
    desk-1's save committed, version included): on a database server, desk-2 read and checked
    it then, and desk-1 committed before desk-2's UPDATE. Desk-2's refusal reads the other
    change in a session of no desk, which sees the row as stored."""
    def rewind(target: Any, context: Any) -> None:
        if context.session.info.get("desk") == SECOND and inspect(target).identity == (key,):
            for name, value in values.items():
                set_committed_value(target, name, value)

    event.listen(model, "load", rewind)
    try:
        yield
    finally:
        event.remove(model, "load", rewind)


# ---- the saving calls --------------------------------------------------------------------

Save = Callable[[Services, Actor | None, Any, int | None, str], Any]


@dataclass(frozen=True)
class Case:
    """One saving service call. `save(services, actor, target, version, mark)` is the call
    (`mark` "first" or "second" makes the two saves differ); `first_save`, when given, is
    desk-1's save instead (another call over the same row). `row(target)` is the versioned
    row raced over; `versioned`: the call takes the version the user loaded."""

    id: str
    first: str            # who saves first, at desk-1
    second: str           # whose save is refused, at desk-2
    make: Callable[[World], Any]
    row: Callable[[Any], tuple[type, Any]]
    save: Save
    versioned: bool = True
    first_save: Save | None = None

    def __str__(self) -> str:
        return self.id


def _as_input(view: Any) -> ParticipantInput:
    return ParticipantInput(**{f.name: getattr(view, f.name) for f in fields(ParticipantInput)})


def _person(world: World):
    return world.services[SECOND].participants.register(world.actor(SECOND, "frontdesk"), LAN)


def _contact(world: World):
    person = _person(world)
    return world.services[SECOND].contacts.add(world.actor(SECOND, "frontdesk"), person.id,
                                               CONTACT)


def _consent(world: World):
    person = _person(world)
    return world.services[SECOND].consents.add(world.actor(SECOND, "frontdesk"), person.id,
                                               CONSENT)


def _coverage(world: World):
    person = _person(world)
    return world.services[SECOND].coverage.add(world.actor(SECOND, "frontdesk"), person.id,
                                               COVERAGE)


def _adult_track(services, actor) -> int:
    """The first adult track (the people these tests admit are adults)."""
    return next(t.id for t in services.staff.tracks(actor) if t.age_group is AgeGroup.ADULT)


def _episode(world: World):
    services, clinician = world.services[SECOND], world.actor(SECOND, "clinician")
    return services.episodes.admit(clinician, _person(world).id,
                                   _adult_track(services, clinician), date(2026, 11, 2),
                                   clinician.user_id)


def _diagnosis(world: World):
    episode = _episode(world)
    return world.services[SECOND].diagnoses.add(world.actor(SECOND, "clinician"), episode.id,
                                                "F10.20", is_primary=True,
                                                onset_date=date(2026, 1, 5))


def _draft(world: World):
    episode = _episode(world)
    return world.services[SECOND].intake.save_draft(world.actor(SECOND, "clinician"),
                                                    episode.id, complete_intake(), None)


def _staff(username: str) -> Callable[[World], Any]:
    def account(world: World):
        admin = world.actor(SECOND, "admin")
        return next(m for m in world.services[SECOND].users.list_users(admin)
                    if m.username == username)
    return account


def _email_of(services: Services, actor: Actor, member: Any, version: int | None,
              mark: str) -> Any:
    """An administrator's edit of the account `member` (its e-mail), over `version` or the
    stored one."""
    if version is None:
        version = next(m for m in services.users.list_users(actor) if m.id == member.id).version
    return services.users.update_user(actor, member.id, version, UserChanges(
        display_name=member.display_name, roles=member.roles, credentials=member.credentials,
        email=f"{mark}@example.org", needs_cosign=member.needs_cosign,
        supervisor_id=member.supervisor_id))


def _edit_person(services: Services, actor: Actor, person: Any, version: int | None,
                 mark: str) -> Any:
    version = version if version is not None else services.participants.get(actor,
                                                                             person.id).version
    return services.participants.update(actor, person.id, version,
                                        replace(_as_input(person), email=f"{mark}@example.org"))


def _edit_diagnosis(services: Services, actor: Actor, dx: Any, version: int | None,
                    mark: str) -> Any:
    version = version if version is not None else next(
        d for d in services.diagnoses.list(actor, dx.episode_id) if d.id == dx.id).version
    return services.diagnoses.update(actor, dx.id, version, is_primary=dx.is_primary,
                                     onset_date=ONSET[mark], resolved_date=None)


PHONES = {"first": "555-201-1111", "second": "555-201-2222"}
ONSET = {"first": date(2026, 2, 2), "second": date(2026, 3, 3)}
ENDS = {"first": TODAY, "second": TODAY - timedelta(days=1)}

DEMOGRAPHICS = {"first": "clinician", "second": "frontdesk"}
CLINICAL = {"first": "supervisor", "second": "clinician"}
ADMIN = {"first": "deputy", "second": "admin"}

CASES = [
    Case("participants.update", **DEMOGRAPHICS, make=_person,
         row=lambda p: (Participant, p.id), save=_edit_person),
    Case("contacts.update", **DEMOGRAPHICS, make=_contact, row=lambda c: (Contact, c.id),
         save=lambda s, a, c, v, mark: s.contacts.update(
             a, c.id, v, replace(CONTACT, phone=PHONES[mark]))),
    Case("contacts.deactivate", **DEMOGRAPHICS, make=_contact, row=lambda c: (Contact, c.id),
         save=lambda s, a, c, v, mark: s.contacts.deactivate(a, c.id, v)),
    Case("consents.update", **DEMOGRAPHICS, make=_consent, row=lambda c: (Consent, c.id),
         save=lambda s, a, c, v, mark: s.consents.update(
             a, c.id, v, replace(CONSENT, purpose=f"Coordination of care ({mark})"))),
    Case("consents.revoke", **DEMOGRAPHICS, make=_consent, row=lambda c: (Consent, c.id),
         save=lambda s, a, c, v, mark: s.consents.revoke(a, c.id, v, TODAY, note=mark)),
    Case("coverage.update", **DEMOGRAPHICS, make=_coverage, row=lambda c: (Coverage, c.id),
         save=lambda s, a, c, v, mark: s.coverage.update(
             a, c.id, v, replace(COVERAGE, member_number=f"CHP-{mark}"))),
    Case("coverage.end", **DEMOGRAPHICS, make=_coverage, row=lambda c: (Coverage, c.id),
         save=lambda s, a, c, v, mark: s.coverage.end(a, c.id, v, ENDS[mark])),
    Case("diagnoses.update", **CLINICAL, make=_diagnosis, row=lambda d: (Diagnosis, d.id),
         save=_edit_diagnosis),
    Case("diagnoses.resolve", **CLINICAL, make=_diagnosis, row=lambda d: (Diagnosis, d.id),
         save=lambda s, a, d, v, mark: s.diagnoses.resolve(a, d.id, v, ENDS[mark])),
    Case("intake.save_draft", **CLINICAL, make=_draft,
         row=lambda i: (IntakeAssessment, i.id),
         save=lambda s, a, i, v, mark: s.intake.save_draft(
             a, i.episode_id, complete_intake(presenting_problem=f"As told at {mark}."), v)),
    Case("intake.sign", **CLINICAL, make=_draft, row=lambda i: (IntakeAssessment, i.id),
         save=lambda s, a, i, v, mark: s.intake.sign(a, i.id, v, DEMO_PASSWORD)),
    Case("users.update_user", **ADMIN, make=_staff("priya"), row=lambda m: (StaffUser, m.id),
         save=_email_of),
    # The calls below take no version: only their write can meet another save.
    Case("diagnoses.add (demoting the primary)", **CLINICAL, make=_diagnosis,
         row=lambda d: (Diagnosis, d.id), versioned=False, first_save=_edit_diagnosis,
         save=lambda s, a, d, v, mark: s.diagnoses.add(a, d.episode_id, "F41.1",
                                                      is_primary=True)),
    Case("episodes.admit", first="frontdesk", second="clinician", make=_person,
         row=lambda p: (Participant, p.id), versioned=False, first_save=_edit_person,
         save=lambda s, a, p, v, mark: s.episodes.admit(a, p.id, _adult_track(s, a),
                                                        date(2026, 11, 2))),
    Case("users.disable_user", **ADMIN, make=_staff("priya"), row=lambda m: (StaffUser, m.id),
         versioned=False, save=lambda s, a, m, v, mark: s.users.disable_user(a, m.id, mark)),
    Case("users.enable_user", **ADMIN, make=_staff("lars"), row=lambda m: (StaffUser, m.id),
         versioned=False, save=lambda s, a, m, v, mark: s.users.enable_user(a, m.id)),
    Case("users.reset_password", **ADMIN, make=_staff("priya"),
         row=lambda m: (StaffUser, m.id), versioned=False,
         save=lambda s, a, m, v, mark: s.users.reset_password(a, m.id, f"temporary-{mark}-1")),
    Case("users.change_own_password", first="deputy", second="associate",
         make=_staff("associate"), row=lambda m: (StaffUser, m.id), versioned=False,
         first_save=_email_of,
         save=lambda s, a, m, v, mark: s.users.change_own_password(a, DEMO_PASSWORD,
                                                                   "a-brand-new-password")),
    Case("staff.verify_password (a failure counted)", first="deputy", second="associate",
         make=_staff("associate"), row=lambda m: (StaffUser, m.id), versioned=False,
         first_save=_email_of,
         save=lambda s, a, m, v, mark: s.staff.verify_password(a, "not the password")),
    Case("staff.log_in", first="deputy", second="", make=_staff("priya"),
         row=lambda m: (StaffUser, m.id), versioned=False, first_save=_email_of,
         save=lambda s, a, m, v, mark: s.staff.log_in("priya", DEMO_PASSWORD)),
    Case("settings.update", **ADMIN, make=lambda world: None,
         row=lambda _: (PracticeSetting, "idle_lock_minutes"), versioned=False,
         save=lambda s, a, _, v, mark: s.settings.update(
             a, replace(s.settings.get(), idle_lock_minutes=15 if mark == "first" else 20))),
]
VERSIONED = [case for case in CASES if case.versioned]


def _log_in(world: World, case: Case) -> None:
    """Both users log in before anything is read (a log-in saves over the account)."""
    world.actor(FIRST, case.first)
    if case.second:
        world.actor(SECOND, case.second)


def _first_saves(world: World, case: Case, target: Any) -> None:
    """Desk-1 loads the record and saves it."""
    actor = world.actor(FIRST, case.first)
    version = world.row(*case.row(target))["version"] if case.versioned else None
    (case.first_save or case.save)(world.services[FIRST], actor, target, version, "first")


def _second_saves(world: World, case: Case, target: Any, version: int | None) -> StaleVersion:
    """Desk-2's save, over the `version` it loaded: refused; what it refused with."""
    actor = world.actor(SECOND, case.second) if case.second else None
    with pytest.raises(StaleVersion) as refused:
        case.save(world.services[SECOND], actor, target, version, "second")
    return refused.value


def _names_the_first_save(world: World, case: Case, refusal: StaleVersion,
                          moment: str) -> None:
    """The refusal names desk-1's save: who (name and user name), where and when."""
    with world.connect() as conn:
        occurred_at, name = conn.execute(
            select(AuditEvent.occurred_at, StaffUser.display_name)
            .join(StaffUser, StaffUser.id == AuditEvent.user_id)
            .where(AuditEvent.username == case.first, AuditEvent.workstation == FIRST,
                   AuditEvent.outcome == AuditOutcome.OK, AuditEvent.action.not_like("%.view"))
            .order_by(AuditEvent.id.desc()).limit(1)).one()
        zone = conn.scalar(select(PracticeSetting.value)
                           .where(PracticeSetting.key == "time_zone"))
    when = practice_time(occurred_at, zone).strftime("%Y-%m-%d at %H:%M")
    message = str(refusal)
    assert (f" was changed by someone else {moment}: {name} ({case.first}) saved it on "
            f"workstation {FIRST} on {when}") in message, message
    assert message.endswith("Nothing was overwritten: reopen it to see their change, then "
                            "make yours again."), message
    assert "UPDATE" not in message and "row(s)" not in message


# ---- the refusals ------------------------------------------------------------------------

@pytest.mark.parametrize("case", VERSIONED, ids=str)
def test_a_save_over_a_version_saved_since_is_refused_naming_that_save(world, case):
    _log_in(world, case)
    target = case.make(world)
    loaded = world.row(*case.row(target))["version"]      # both desks open the record
    _first_saves(world, case, target)
    first = world.row(*case.row(target))
    assert first["version"] > loaded
    trail = world.audit_state()

    refusal = _second_saves(world, case, target, loaded)

    _names_the_first_save(world, case, refusal, AFTER_OPENING)
    assert f"Your copy is version {loaded}, the saved one is version {first['version']}." \
        in str(refusal)
    assert world.row(*case.row(target)) == first           # the first save only
    assert world.audit_state() == trail


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_save_raced_between_its_check_and_its_write_is_refused_the_same_way(world, case):
    _log_in(world, case)
    target = case.make(world)
    model, key = case.row(target)
    as_read = world.row(model, key)                       # desk-2 reads the record
    _first_saves(world, case, target)                      # desk-1's save commits
    first = world.row(model, key)
    trail = world.audit_state()

    with read_before_first_save(model, key, as_read):
        refusal = _second_saves(world, case, target,
                                as_read["version"] if case.versioned else None)

    _names_the_first_save(world, case, refusal, WHILE_SAVING)
    assert (f"Your copy is version {as_read['version']}, the saved one is version "
            f"{first['version']}.") in str(refusal)
    assert world.row(model, key) == first
    assert world.audit_state() == trail


@pytest.mark.parametrize("moment", [AFTER_OPENING, WHILE_SAVING])
def test_a_refused_save_writes_nothing_and_leaves_no_audit_event(world, moment):
    """A stale refusal is not audited (only permission refusals are); the refused save's own
    audit event and every row it wrote (here the signature of a signing) roll back with it,
    and the trail's chain is whole."""
    case = next(c for c in CASES if c.id == "intake.sign")
    _log_in(world, case)
    draft = case.make(world)
    as_read = world.row(IntakeAssessment, draft.id)
    _first_saves(world, case, draft)
    with world.connect() as conn:
        signatures = conn.scalar(select(func.count()).select_from(Signature))
    trail = world.audit_state()

    raced = moment == WHILE_SAVING
    with (read_before_first_save(IntakeAssessment, draft.id, as_read) if raced
          else nullcontext()):
        refusal = _second_saves(world, case, draft, as_read["version"])

    assert f"changed by someone else {moment}" in str(refusal)
    assert world.audit_state() == trail
    with world.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Signature)) == signatures
        assert conn.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.workstation == SECOND,
            AuditEvent.outcome != AuditOutcome.OK)) == 0
    with world.session() as session:
        assert verify(session, AUDIT_KEY).ok


def test_a_registration_racing_another_for_the_next_chart_number_is_refused_as_stale(world):
    """The next chart number is a row every registration saves over: a registration that
    lost the race is refused like any stale save (the trail does not say which registration
    took the number, so no one is named), never with the database's error."""
    world.actor(FIRST, "frontdesk")
    world.actor(SECOND, "clinician")
    as_read = world.row(PracticeSetting, "next_chart_number")
    first = world.services[FIRST].participants.register(world.actor(FIRST, "frontdesk"), LAN)
    with read_before_first_save(PracticeSetting, "next_chart_number", as_read):
        with pytest.raises(StaleVersion) as refused:
            world.services[SECOND].participants.register(
                world.actor(SECOND, "clinician"), replace(LAN, first_name="Hoa"))
    assert str(refused.value).startswith(f"The next chart number was changed by someone else "
                                         f"{WHILE_SAVING}: it was saved on ")
    assert world.row(PracticeSetting, "next_chart_number")["version"] == as_read["version"] + 1
    with world.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Participant).where(
            Participant.first_name == "Hoa", Participant.last_name == LAN.last_name)) == 0
        assert conn.scalar(select(Participant.id).where(
            Participant.chart_number == first.chart_number)) == first.id
