"""The footer's "Printed …" is the practice's wall-clock time: a document prints the moment it
is given (the practice's clock's `now()`), never this workstation's own zone."""

from __future__ import annotations

from datetime import UTC, datetime

from document_samples import face_sheet, frame, pages

from iopdesk.domain.time import PracticeClock
from iopdesk.reports.face_sheet import render_face_sheet

# Just after midnight UTC: the 17th in Tokyo (the workstation), the 16th in Los Angeles.
MOMENT = datetime(2026, 11, 17, 0, 30, tzinfo=UTC)




def test_printed_at_is_the_practice_time(workstation_in_tokyo):
    clock = PracticeClock(zone="America/Los_Angeles", utc=lambda: MOMENT)
    sheet = face_sheet(frame=frame(printed_at=clock.now()))
    for page in pages(render_face_sheet(sheet)):
        assert "Printed 11/16/2026 4:30 PM by Rosa Delgado" in page
        assert "11/17/2026" not in page
