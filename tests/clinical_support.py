"""Helpers of the clinical service tests: a tiny ICD-10-CM table (no library import), services
and actors over the demo practice, a complete intake form."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

from sqlalchemy import select

from iopdesk.db.engine import make_session_factory, sqlite_url
from iopdesk.db.migrate import open_database
from iopdesk.db.models import StaffUser
from iopdesk.domain.clinical import AsamRating, IntakeInput
from iopdesk.domain.enums import LevelOfCare
from iopdesk.services import Actor, build_services
from iopdesk.services.diagnoses import DiagnosisService
from iopdesk.services.icd10 import CodeEntry, CodeTable, build_code_table
from iopdesk.services.staff import actor_of

from support import AUDIT_KEY, TODAY

TINY_CODES = (
    CodeEntry("F10", "Alcohol related disorders", False),
    CodeEntry("F10.1", "Alcohol abuse", False),
    CodeEntry("F10.10", "Alcohol abuse, uncomplicated", True),
    CodeEntry("F10.2", "Alcohol dependence", False),
    CodeEntry("F10.20", "Alcohol dependence, uncomplicated", True,
              ("Alcohol use disorder, moderate",)),
    CodeEntry("F10.21", "Alcohol dependence, in remission", True),
    CodeEntry("F32.A", "Depression, unspecified", True),
    CodeEntry("F33.1", "Major depressive disorder, recurrent, moderate", True),
    CodeEntry("F41.1", "Generalized anxiety disorder", True),
    CodeEntry("F43.10", "Post-traumatic stress disorder, unspecified", True),
    CodeEntry("C84.10", "Sézary disease, unspecified site", True),
)
_TINY_BILLABLE = [e.code for e in TINY_CODES if e.billable]


def tiny_code_table(directory: Path) -> CodeTable:
    path = Path(directory) / "tiny-icd10.sqlite3"
    if not path.exists():
        build_code_table(path, entries=TINY_CODES)
    return CodeTable(path)


def with_code_table(services, directory: Path) -> DiagnosisService:
    """`services.diagnoses`, given the tiny code table if it has none."""
    if services.diagnoses.code_table is None:
        services.diagnoses.code_table = tiny_code_table(directory)
    return services.diagnoses


_codes = itertools.count()


def new_diagnosis(services, directory: Path, actor: Actor, episode_id: int):
    """Another diagnosis on the episode (a code of the tiny table it does not have yet)."""
    dx = with_code_table(services, directory)
    taken = {d.icd10_code for d in dx.list(actor, episode_id)}
    code = next(c for c in _TINY_BILLABLE if c not in taken)
    return dx.add(actor, episode_id, code, onset_date=date(2026, 1, 5))


def complete_intake(**changes) -> IntakeInput:
    values = dict(
        assessed_on=date(2026, 11, 2),
        presenting_problem="Drinking daily since a job loss; family worried.",
        substance_use_history="Alcohol from age 17; daily for 14 months.",
        mental_health_history="Depression treated in 2019.",
        medical_history="Hypertension.", medications="Lisinopril 10 mg daily.",
        risk_screening="C-SSRS screen negative; no firearms at home.",
        strengths_supports="Employed; supportive sister.",
        asam={n: AsamRating(rating=min(n, 4) - 1, note=f"Dimension {n} note")
              for n in range(1, 7)},
        recommended_level=LevelOfCare.IOP)
    values.update(changes)
    return IntakeInput(**values)


# Session factory -> the context that issues the actors of the services made over it.
_ISSUERS: dict = {}


def demo_services(demo: Path | str, icd10: CodeTable | None):
    """(services, session factory, engine) over a private copy of the demo, as of TODAY:
    `demo` is its SQLite file, or the URL of its database (`demo_url`, either engine)."""
    engine = open_database(demo if isinstance(demo, str) else sqlite_url(demo))
    factory = make_session_factory(engine)
    services = build_services(factory, "test-station", audit_key=AUDIT_KEY,
                              today=lambda: TODAY, icd10=icd10)
    _ISSUERS[factory] = services.staff._ctx
    return services, factory, engine


def demo_actor(session_factory, username: str) -> Actor:
    """The Actor a log-in of the demo account would give (without argon2), issued by the
    services `demo_services` made over `session_factory`."""
    with session_factory() as s:
        row = s.scalar(select(StaffUser).where(StaffUser.username == username))
        return actor_of(_ISSUERS[session_factory], row)


def fresh_draft(services, admin: Actor, clinician: Actor, track_id: int):
    """A complete intake draft on the episode of a newly registered and admitted person."""
    from iopdesk.domain.validation import ParticipantInput

    person = services.participants.register(admin, ParticipantInput(
        first_name="Draft", last_name="Person", date_of_birth=date(1988, 8, 8)))
    episode = services.episodes.admit(clinician, person.id, track_id, date(2026, 11, 2))
    return services.intake.save_draft(clinician, episode.id, complete_intake(), None)
