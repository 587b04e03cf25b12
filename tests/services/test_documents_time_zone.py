"""A printed document's "Printed …" is the practice's wall-clock time, from the services' clock,
whatever zone the workstation is set to."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from pypdf import PdfReader

from iopdesk.db.models import PracticeSetting
from iopdesk.domain.validation import ParticipantInput

MOMENT = datetime(2026, 11, 17, 0, 30, tzinfo=UTC)   # the 17th in Tokyo, the 16th in LA




def test_the_face_sheet_prints_the_practice_time(services, actors, track_id, session_factory,
                                                 issuer, workstation_in_tokyo):
    with session_factory.begin() as s:
        s.add(PracticeSetting(key="time_zone", value="America/Los_Angeles"))
    issuer.now = lambda: MOMENT
    person = services.participants.register(actors["front_desk"], ParticipantInput(
        first_name="Lan", last_name="Nguyen", date_of_birth=date(1988, 3, 14)))
    pdf = services.documents.face_sheet(actors["front_desk"], person.id)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
                    .split())
    assert "Printed 11/16/2026 4:30 PM by Frontdesk" in text
