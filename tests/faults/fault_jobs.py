"""What the fault tests run in a process of its own (through fault_server), and the checks
made on the database after that process was killed.

- `write`: opens the database through the real services and writes without end —
  registrations, contacts, consents, admissions, intake drafts saved over and over, audit
  events — printing each committed write on its own line right after the call returned.
- `save`: loads a participant, a consent and an intake draft, waits for the go signal, then
  saves a changed copy of each (the other workstation's process does the same at once).
- `cli`: the `iopdesk` command, as `python -m iopdesk` runs it.

Every line a job prints is `<kind> <json>`, written and flushed at once.
"""

from __future__ import annotations

import json
import os
import random
import runpy
import sys
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

CONSENT_PURPOSE = "Coordination of care"
MARKER_ACTION = "fault.marker"
TODAY = date(2026, 11, 16)
# The staff a writer acts as: username -> (display name, roles).
STAFF = {"frontdesk": ("Robin Desk", ("front_desk",)),
         "clinician": ("Casey Clinician", ("clinician",)),
         "admin": ("Alex Admin", ("admin",))}


def preload(template: str = "") -> None:
    """Import what the jobs use, once, in the fork server (a child then starts at once);
    `template`: a migrated empty database to warm up on (a copy of it), if there is one."""
    import alembic.command  # noqa: F401
    import argon2  # noqa: F401
    import psycopg  # noqa: F401

    import iopdesk.cli.db_commands  # noqa: F401
    import iopdesk.cli.demo_command  # noqa: F401
    import iopdesk.cli.main  # noqa: F401
    import iopdesk.db.backup  # noqa: F401
    import iopdesk.db.check  # noqa: F401
    import iopdesk.db.encryption  # noqa: F401
    import iopdesk.demo  # noqa: F401
    import iopdesk.services  # noqa: F401
    from iopdesk.db.crypto import load_sqlcipher

    load_sqlcipher()
    _warm_up(template)


def _warm_up(template: str) -> None:
    """One round of the writer on a throw-away database: a process's first open and first
    calls configure the mappers and import what is imported lazily (half a second), which
    the children should not each do again. No database stays open across a fork."""
    import contextlib
    import io
    import shutil
    import tempfile

    from iopdesk.db.engine import sqlite_url
    from iopdesk.services.audit_chain import load_or_create_key

    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(io.StringIO()):
        key_path = Path(folder) / "audit.key"
        load_or_create_key(key_path)
        database = Path(folder) / "warm.sqlite3"
        if template:
            shutil.copyfile(template, database)
        practice = prepare_practice(sqlite_url(database), STAFF)
        write(practice, str(key_path), cycle=0, seed=0, limit=1)


def report(kind: str, value: object) -> None:
    sys.stdout.write(f"{kind} {json.dumps(value)}\n")
    sys.stdout.flush()


def reported(out: str) -> list[tuple[str, object]]:
    """The lines a job printed; a last line cut short by the kill is not a report."""
    lines = out.split("\n")
    return [(kind, json.loads(value)) for kind, _, value in
            (line.partition(" ") for line in lines[:-1]) if kind]


# -- the practice the jobs work in -----------------------------------------------------------

@dataclass(frozen=True)
class Person:
    user_id: int
    username: str
    display_name: str
    roles: tuple[str, ...]


def prepare_practice(url: str, people: dict[str, tuple[str, tuple[str, ...]]]) -> dict:
    """A migrated database at `url` with a practice, an adult IOP track and the staff
    `people` (username -> display name, roles); what the jobs need to act in it."""
    from argon2 import PasswordHasher

    from iopdesk.db.engine import make_session_factory
    from iopdesk.db.migrate import open_database
    from iopdesk.db.models import Practice, ProgramTrack, StaffRole, StaffUser
    from iopdesk.domain.enums import AgeGroup, LevelOfCare, Role, TrackFocus

    engine = open_database(url, create=True)
    try:
        factory = make_session_factory(engine)
        cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("x" * 12)
        with factory.begin() as s:
            practice = Practice(name="Fault Practice")
            s.add(practice)
            s.flush()
            track = ProgramTrack(practice_id=practice.id, name="Adult IOP",
                                 level_of_care=LevelOfCare.IOP, age_group=AgeGroup.ADULT,
                                 focus=TrackFocus.SUBSTANCE_USE, min_minutes_per_week=540)
            s.add(track)
            staff = {}
            for username, (name, roles) in people.items():
                user = StaffUser(username=username, display_name=name, password_hash=cheap)
                user.roles = [StaffRole(role=Role(r)) for r in roles]
                s.add(user)
                s.flush()
                staff[username] = vars(Person(user.id, username, name, tuple(roles)))
            s.flush()
            return {"url": url, "track_id": track.id, "staff": staff}
    finally:
        engine.dispose()


def services_at(url: str, key_path: str, workstation: str):
    """The services of a workstation over `url`, keyed by the audit key file, as the app and
    the commands build them; and the engine, to dispose of."""
    from iopdesk.db.engine import make_session_factory
    from iopdesk.db.migrate import open_database
    from iopdesk.services import build_services_keyed

    engine = open_database(url)
    services = build_services_keyed(make_session_factory(engine), workstation,
                                    key_path=Path(key_path), today=lambda: TODAY)
    return services, engine


def actor_of(services, person: dict):
    """The Actor a log-in would give `person` (issued as the tests' `issuer` does)."""
    from iopdesk.domain.enums import Role

    return services.staff._ctx.issue_actor(
        user_id=person["user_id"], username=person["username"],
        display_name=person["display_name"], roles=frozenset(Role(r) for r in person["roles"]))


def intake_text(marker: str):
    from iopdesk.domain.clinical import IntakeInput

    return IntakeInput(assessed_on=date(2026, 11, 2), presenting_problem=f"draft {marker}",
                       substance_use_history="Alcohol, daily.")


# -- the writer that is killed ---------------------------------------------------------------

def letters(number: int) -> str:
    """A number written in letters (names may not hold digits): 120 -> 'bca'."""
    return str(number).translate(str.maketrans("0123456789", "abcdefghij"))


def write(practice: dict, key_path: str, cycle: int, seed: int, limit: int = 2000) -> int:
    """Write through the services until killed (or `limit` rounds), reporting every write
    right after it committed."""
    from iopdesk.domain.chart import ConsentInput, ContactInput
    from iopdesk.domain.validation import ParticipantInput

    started = time.monotonic()
    services, engine = services_at(practice["url"], key_path, f"writer-{cycle}")
    staff = practice["staff"]
    desk = actor_of(services, staff["frontdesk"])
    clinician = actor_of(services, staff["clinician"])
    admin = actor_of(services, staff["admin"])
    chance = random.Random(seed)
    report("open", round(time.monotonic() - started, 3))
    for n in range(limit):
        mark, name = f"{cycle}.{n}", f"{letters(cycle)} {letters(n)}"
        person = services.participants.register(desk, ParticipantInput(
            first_name=f"Writer {letters(chance.randrange(10**6))}",
            last_name=f"Cycle {letters(cycle)} {letters(n)}",
            date_of_birth=date(1980, 1, 1 + n % 28)))
        report("participant", person.id)
        contact = services.contacts.add(desk, person.id, ContactInput(
            name=f"Contact {name}", relationship="Sister", phone="555-201-0000"))
        report("contact", contact.id)
        consent = services.consents.add(desk, person.id, ConsentInput(
            recipient_name=f"Dr. {name}", purpose=CONSENT_PURPOSE,
            information_scope="Attendance", effective_date=date(2026, 11, 1),
            expiry_event="upon discharge"))
        report("consent", consent.id)
        episode = services.episodes.admit(clinician, person.id, practice["track_id"],
                                          date(2026, 11, 2), clinician.user_id)
        report("episode", episode.id)
        intake = services.intake.save_draft(clinician, episode.id, intake_text(mark), None)
        report("intake", [intake.id, intake.version, f"draft {mark}"])
        for again in range(2):
            text = f"{mark}.{again}"
            intake = services.intake.save_draft(clinician, episode.id, intake_text(text),
                                                intake.version)
            report("intake", [intake.id, intake.version, f"draft {text}"])
        services.audit.record_maintenance(admin, MARKER_ACTION, {"mark": mark})
        report("audit", mark)
    report("done", round(time.monotonic() - started, 3))
    engine.dispose()
    return 0


# -- what must be there after the kill -------------------------------------------------------

def missing_writes(url: str, reports: list[tuple[str, object]]) -> list[str]:
    """Each reported write that the database does not hold (an empty list: none lost). An
    intake draft must be at the reported version or a later one; at that version it holds
    the reported text."""
    from sqlalchemy import select

    from iopdesk.db.engine import make_session_factory
    from iopdesk.db.migrate import open_database
    from iopdesk.db.models import (AuditEvent, Consent, Contact, Episode, IntakeAssessment,
                                   Participant)

    tables = {"participant": Participant, "contact": Contact, "consent": Consent,
              "episode": Episode}
    engine = open_database(url)
    lost = []
    try:
        with make_session_factory(engine)() as s:
            for kind, model in tables.items():
                wanted = {value for k, value in reports if k == kind}
                found = set(s.scalars(select(model.id).where(model.id.in_(wanted)))) \
                    if wanted else set()
                lost += [f"{kind} {i}" for i in sorted(wanted - found)]
            drafts = {row.id: row for row in s.scalars(select(IntakeAssessment))}
            for kind, (intake_id, version, text) in ((k, v) for k, v in reports
                                                     if k == "intake"):
                row = drafts.get(intake_id)
                if row is None or row.version < version or (
                        row.version == version and row.presenting_problem != text):
                    lost.append(f"intake {intake_id} version {version}")
            marks = {e.detail.get("mark") for e in s.scalars(
                select(AuditEvent).where(AuditEvent.action == MARKER_ACTION))}
            lost += [f"audit {m}" for k, m in reports if k == "audit" and m not in marks]
    finally:
        engine.dispose()
    return lost


def verify_trail(url: str, key_path: str):
    """The audit chain's report, held against the high-water mark beside the key."""
    from iopdesk.db.engine import make_session_factory
    from iopdesk.db.migrate import open_database
    from iopdesk.services.audit_chain import load_or_create_key, verify
    from iopdesk.services.audit_mark import HighWaterMarks, beside_key

    key = load_or_create_key(Path(key_path))
    engine = open_database(url)
    try:
        with make_session_factory(engine)() as s:
            return verify(s, key, HighWaterMarks(beside_key(Path(key_path)), key))
    finally:
        engine.dispose()


# -- two workstations saving the same records ------------------------------------------------

def save(practice: dict, key_path: str, workstation: str, username: str, ids: dict,
         go_file: str, tag: str) -> int:
    """Load the participant, the consent and the intake draft; when `go_file` appears, save
    a copy of each changed with `tag`, reporting each save or its refusal."""
    from iopdesk.domain.chart import ConsentInput
    from iopdesk.domain.errors import StaleVersion
    from iopdesk.domain.validation import ParticipantInput

    services, engine = services_at(practice["url"], key_path, workstation)
    me = actor_of(services, practice["staff"][username])
    person = services.participants.get(me, ids["participant"])
    consent = services.consents.get(me, ids["consent"])
    intake = services.intake.get(me, ids["episode"])
    report("loaded", {"participant": person.version, "consent": consent.version,
                      "intake": intake.version})
    go = Path(go_file)
    deadline = time.monotonic() + 60
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.0005)
    saves = {
        "participant": lambda: services.participants.update(me, person.id, person.version,
            ParticipantInput(first_name=person.first_name, last_name=person.last_name,
                             date_of_birth=person.date_of_birth, chart_number=person.chart_number,
                             city=tag)).version,
        "consent": lambda: services.consents.update(me, consent.id, consent.version,
            ConsentInput(recipient_name=consent.recipient_name, purpose=f"{tag} purpose",
                         information_scope=consent.information_scope,
                         effective_date=consent.effective_date,
                         expiry_date=consent.expiry_date,
                         expiry_event=consent.expiry_event)).version,
        "intake": lambda: services.intake.save_draft(
            me, ids["episode"], replace(intake_text(tag)), intake.version).version,
    }
    for record, call in saves.items():
        try:
            report("saved", [record, call()])
        except StaleVersion as refused:
            report("stale", [record, str(refused)])
    engine.dispose()
    return 0


# -- the command line ------------------------------------------------------------------------

def cli(argv: list[str], env: dict[str, str | None]) -> int:
    """`python -m iopdesk ARGV` with `env` set in the environment (None: removed)."""
    for name, value in env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    sys.argv = ["iopdesk", *argv]
    runpy.run_module("iopdesk", run_name="__main__", alter_sys=True)
    return 0


JOBS = {"write": write, "save": save, "cli": cli}
