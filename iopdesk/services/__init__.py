"""Use cases: the only door to the data. Every call takes the acting user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from iopdesk.services.audit import AuditService
from iopdesk.services.context import Actor, ServiceContext
from iopdesk.services.episodes import EpisodeService
from iopdesk.services.participants import ParticipantService
from iopdesk.services.settings import SettingsService
from iopdesk.services.setup import SetupService
from iopdesk.services.staff import StaffService
from iopdesk.services.users import UserService

__all__ = ["Actor", "Services", "build_services"]


@dataclass(frozen=True)
class Services:
    participants: ParticipantService
    episodes: EpisodeService
    staff: StaffService
    audit: AuditService
    users: UserService
    setup: SetupService
    settings: SettingsService


def build_services(session_factory: sessionmaker[Session], workstation: str, *,
                   audit_key: bytes, today: Callable[[], date] = date.today) -> Services:
    """The services over one database; `audit_key` signs the audit chain (see audit.py)."""
    ctx = ServiceContext(session_factory, workstation, audit_key=audit_key, today=today)
    return Services(participants=ParticipantService(ctx), episodes=EpisodeService(ctx),
                    staff=StaffService(ctx), audit=AuditService(ctx),
                    users=UserService(ctx), setup=SetupService(ctx),
                    settings=SettingsService(ctx))
