"""The face-sheet and intake-assessment PDFs against their floor: the same flowables laid out
by bare ReportLab (SimpleDocTemplate: no letterhead, participant strip, footer, page numbering
or watermark; no read, no permission check, no audit event)."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from datetime import date

from reportlab.lib.pagesizes import LETTER
from reportlab.platypus import SimpleDocTemplate

from iopdesk.db.engine import make_session_factory
from iopdesk.db.migrate import open_database
from iopdesk.demo import DEMO_PASSWORD
from iopdesk.domain.time import utc_now
from iopdesk.reports.face_sheet import face_sheet_story
from iopdesk.services import build_services
from iopdesk.services.documents import load_face_sheet, load_intake_document, printed_now

# A participant with something in every section: an active episode, contacts, coverage, a
# consent; the first such by id (the same one on every run of the same demo).
_FULL_CHART = """
SELECT p.id FROM participants p
WHERE p.current_status = 'active'
  AND EXISTS (SELECT 1 FROM contacts c WHERE c.participant_id = p.id)
  AND EXISTS (SELECT 1 FROM coverages v WHERE v.participant_id = p.id)
  AND EXISTS (SELECT 1 FROM consents n WHERE n.participant_id = p.id AND n.revoked_on IS NULL)
ORDER BY p.id LIMIT 1"""
# A participant in care whose current episode has a signed intake (the first by id).
_SIGNED_INTAKE = """
SELECT e.participant_id FROM episodes e
JOIN intake_assessments i ON i.episode_id = e.id
WHERE e.status = 'active' AND i.status != 'draft'
ORDER BY e.participant_id LIMIT 1"""


def bare_face_sheet(story: list) -> bytes:
    """The floor: the face sheet's flowables on ReportLab's SimpleDocTemplate."""
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=LETTER).build(story)
    return out.getvalue()


def face_sheet_cases(url: str, database: str, *, audit_key: bytes,
                     as_of: date) -> tuple[Callable[[], object], Callable[[], object],
                                           Callable[[], None]]:
    """(IOPDesk, floor, close) for one participant of the demo at `database`."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        participant_id = conn.execute(_FULL_CHART).fetchone()[0]
    engine = open_database(url)
    session_factory = make_session_factory(engine)
    services = build_services(session_factory, "bench", audit_key=audit_key,
                              today=lambda: as_of)
    actor = services.staff.log_in("frontdesk", DEMO_PASSWORD)
    with session_factory() as session:
        sheet = load_face_sheet(session, participant_id, as_of,
                                printed_at=printed_now(session, utc_now()),
                                printed_by=actor.display_name)

    def ours() -> bytes:
        return services.documents.face_sheet(actor, participant_id)

    def floor() -> bytes:
        return bare_face_sheet(face_sheet_story(sheet))

    return ours, floor, engine.dispose


def intake_assessment_cases(url: str, database: str, *, audit_key: bytes,
                            as_of: date) -> tuple[Callable[[], object], Callable[[], object],
                                                  Callable[[], None]]:
    """(IOPDesk, floor, close) for the signed intake of one participant of the demo."""
    from iopdesk.reports.intake_assessment import intake_assessment_story

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        participant_id = conn.execute(_SIGNED_INTAKE).fetchone()[0]
    engine = open_database(url)
    session_factory = make_session_factory(engine)
    services = build_services(session_factory, "bench", audit_key=audit_key,
                              today=lambda: as_of)
    actor = services.staff.log_in("clinician", DEMO_PASSWORD)
    with session_factory() as session:
        doc = load_intake_document(session, participant_id,
                                   printed_at=printed_now(session, utc_now()),
                                   printed_by=actor.display_name)

    def ours() -> bytes:
        return services.documents.intake_assessment(actor, participant_id)

    def floor() -> bytes:
        return bare_face_sheet(intake_assessment_story(doc))

    return ours, floor, engine.dispose
