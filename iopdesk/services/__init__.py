"""Use cases: the only door to the data. Every call takes the acting user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from iopdesk.domain.time import utc_now
from iopdesk.services.attendance import AttendanceService
from iopdesk.services.audit import AuditService
from iopdesk.services.audit_chain import practice_key
from iopdesk.services.audit_mark import HighWaterMarks, beside_key
from iopdesk.services.authorizations import AuthorizationService
from iopdesk.services.backups import BackupPlace, BackupService
from iopdesk.services.chart import ChartService
from iopdesk.services.consents import ConsentService
from iopdesk.services.contacts import ContactService
from iopdesk.services.context import Actor, ChangeFeed, ServiceContext
from iopdesk.services.cosign import CosignService
from iopdesk.services.coverage import CoverageService
from iopdesk.services.diagnoses import DiagnosisService
from iopdesk.services.documents import DocumentService
from iopdesk.services.episodes import EpisodeService
from iopdesk.services.icd10 import CodeTable
from iopdesk.services.intake import IntakeService
from iopdesk.services.participants import ParticipantService
from iopdesk.services.schedule import ScheduleService
from iopdesk.services.settings import SettingsService
from iopdesk.services.setup import SetupService
from iopdesk.services.staff import StaffService
from iopdesk.services.today import TodayService
from iopdesk.services.users import UserService

__all__ = ["Actor", "Services", "build_services", "build_services_keyed"]


@dataclass(frozen=True)
class Services:
    participants: ParticipantService
    episodes: EpisodeService
    staff: StaffService
    audit: AuditService
    users: UserService
    setup: SetupService
    settings: SettingsService
    diagnoses: DiagnosisService
    intake: IntakeService
    chart: ChartService
    today: TodayService
    contacts: ContactService
    consents: ConsentService
    coverage: CoverageService
    documents: DocumentService
    cosign: CosignService
    changes: ChangeFeed             # committed change sets are announced here
    backups: BackupService          # automatic backups, the list, the restore
    schedule: ScheduleService       # weekly blocks, closures, meetings made ahead
    attendance: AttendanceService   # check-in and out, absences, weekly hours
    authorizations: AuthorizationService   # payers' units per episode


def build_services(session_factory: sessionmaker[Session], workstation: str, *,
                   audit_key: bytes, today: Callable[[], date] | None = None,
                   now: Callable[[], datetime] = utc_now,
                   icd10: CodeTable | None = None,
                   audit_marks: HighWaterMarks | None = None,
                   backups: BackupPlace | None = None) -> Services:
    """The services over one database; `audit_key` signs the audit chain (see audit.py);
    `icd10` is the ICD-10-CM code table (None: diagnoses cannot be added or searched);
    `audit_marks` keeps the trail's high-water mark outside the database (audit_mark.py);
    `now` is the UTC clock, and `today` (by default) the practice's date by it, in the
    practice's time zone; a test may fix `today` to a date; `backups` is where this
    workstation backs the database up (None: no backups from these services)."""
    ctx = ServiceContext(session_factory, workstation, audit_key=audit_key, now=now,
                         audit_marks=audit_marks)
    settings = SettingsService(ctx)
    ctx.today = today if today is not None else settings.practice_today
    return Services(participants=ParticipantService(ctx), episodes=EpisodeService(ctx),
                    staff=StaffService(ctx), audit=AuditService(ctx),
                    users=UserService(ctx), setup=SetupService(ctx),
                    settings=settings,
                    diagnoses=DiagnosisService(ctx, icd10), intake=IntakeService(ctx),
                    chart=ChartService(ctx), today=TodayService(ctx),
                    contacts=ContactService(ctx), consents=ConsentService(ctx),
                    coverage=CoverageService(ctx), documents=DocumentService(ctx),
                    cosign=CosignService(ctx),
                    changes=ctx.changes, backups=BackupService(ctx, backups),
                    schedule=ScheduleService(ctx), attendance=AttendanceService(ctx),
                    authorizations=AuthorizationService(ctx))


def build_services_keyed(session_factory: sessionmaker[Session], workstation: str, *,
                         key_path: Path, **options) -> Services:
    """The services of the app and the commands: the audit key is the file at `key_path`
    and the trail's high-water mark lives beside it. The key must be the one the database's
    trail is signed with (the practice's, the same on every workstation): without it, or
    with another, this refuses (audit_chain.NotThePracticeKey, saying how to copy it). A
    trail with no event yet takes this workstation's key, made owner-only the first time."""
    with session_factory() as session:
        key = practice_key(session, key_path)
    return build_services(session_factory, workstation, audit_key=key,
                          audit_marks=HighWaterMarks(beside_key(key_path), key), **options)
