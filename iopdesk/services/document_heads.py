"""What every printed document starts from: the practice's letterhead, the participant's line
at the top of each page, the time printed in the footer, and which tracks' documents carry the
42 CFR Part 2 notice. Shared by the documents service and the attendance documents' loaders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from iopdesk.db.models import Participant as ParticipantRow
from iopdesk.db.models import Practice
from iopdesk.domain.documents import DocumentHeader, Letterhead
from iopdesk.domain.enums import TrackFocus
from iopdesk.domain.time import practice_time
from iopdesk.services.stored_settings import load_time_zone

PART2_FOCUS = frozenset({TrackFocus.SUBSTANCE_USE, TrackFocus.CO_OCCURRING})


def printed_now(session: Session, now: datetime) -> datetime:
    """The time printed in the footer: `now` (UTC) as the practice's wall-clock time."""
    return practice_time(now, load_time_zone(session))


def letterhead(session: Session) -> Letterhead:
    practice = session.scalar(select(Practice).order_by(Practice.id).limit(1))
    if practice is None:
        return Letterhead(name="")
    city = ", ".join(x for x in (practice.city, " ".join(
        y for y in (practice.state, practice.postal_code) if y)) if x)
    return Letterhead(
        name=practice.name,
        address_lines=tuple(x for x in (practice.address_line1, practice.address_line2, city)
                            if x),
        phone=practice.phone, fax=practice.fax, npi=practice.npi, logo_png=practice.logo_png)


def header(person: ParticipantRow) -> DocumentHeader:
    given = " ".join(x for x in (person.first_name, person.middle_name) if x)
    return DocumentHeader(participant_name=f"{person.last_name}, {given}",
                          date_of_birth=person.date_of_birth, chart_number=person.chart_number)
