"""Read models for the document tests, and reading the text back out of PDF bytes."""

from __future__ import annotations

import io
from datetime import date, datetime

from pypdf import PdfReader

from iopdesk.domain.documents import (ConsentForm, ConsentState, ConsentSummary, DocumentFrame,
                                      DocumentHeader, FaceSheet, FaceSheetContact,
                                      FaceSheetCoverage, FaceSheetEpisode, Letterhead)

PRACTICE = "Willow Creek Recovery & Wellness"
LETTERHEAD = Letterhead(PRACTICE, ("2140 Alder Street", "Suite 300", "Millbrook, OR 97990"),
                        phone="(555) 201-0100", fax="(555) 201-0101", npi="1234567893")
HEADER = DocumentHeader("Nguyễn, Thị Lan", date(1988, 3, 14), "1042")
PRINTED = datetime(2026, 11, 16, 14, 3)


def frame(title: str = "Face Sheet", **changes) -> DocumentFrame:
    values = dict(letterhead=LETTERHEAD, header=HEADER, title=title, printed_at=PRINTED,
                  printed_by="Rosa Delgado")
    values.update(changes)
    return DocumentFrame(**values)


def face_sheet(**changes) -> FaceSheet:
    values = dict(
        frame=frame(), legal_name="Lan Thị Nguyễn", preferred_name="Lanie", pronouns="she/her",
        date_of_birth=date(1988, 3, 14), age=38, sex_at_birth="Female",
        gender_identity="Woman", phone="(555) 301-2233", phone_ok_to_leave_message=True,
        alt_phone="(555) 301-9999", email="lan@example.org",
        address_lines=("14 Birch Ave, Apt 2", "Cedar Bend, OR 97991"),
        preferred_contact="Text message", referral_source="Primary care physician",
        episode=FaceSheetEpisode("Adult SUD IOP", date(2026, 10, 5), "active", "Dana Whitfield"),
        contacts=(FaceSheetContact("Łucja Żółkiewska", "Sister", "(555) 401-1111",
                                   is_emergency=True, may_contact=True),
                  FaceSheetContact("Søren Ålund", "Partner", "(555) 402-2222")),
        coverages=(FaceSheetCoverage(1, "Cascade Health Plan", "CHP01", "CHP123456789",
                                     "GRP-4411", "Lan Thị Nguyễn", "self"),),
        consents=(ConsentSummary(12, "Cascade Health Plan", "Payment and claims",
                                 date(2027, 10, 4)),))
    values.update(changes)
    return FaceSheet(**values)


def consent_form(**changes) -> ConsentForm:
    values = dict(
        frame=frame("Consent to Release Information"), consent_id=12,
        participant_name="Lan Thị Nguyễn", date_of_birth=date(1988, 3, 14),
        who_may_disclose=PRACTICE, recipient_name="Dr. Helen Achebe, Millbrook Family Medicine",
        recipient_address="410 Main Street\nMillbrook, OR 97990",
        purpose="Coordination of care", information_scope="Dates of attendance only",
        effective_date=date(2026, 10, 4), expiry_date=date(2027, 10, 4), expiry_event="",
        is_part2=True, state=ConsentState.ACTIVE)
    values.update(changes)
    return ConsentForm(**values)


def pages(pdf: bytes) -> list[str]:
    """The text of each page, with runs of white space folded to one space."""
    assert pdf.startswith(b"%PDF-")
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def text(pdf: bytes) -> str:
    return " ".join(pages(pdf))


def fonts(pdf: bytes) -> set[str]:
    """The base font names every page uses."""
    return {str(font.get_object()["/BaseFont"]) for page in PdfReader(io.BytesIO(pdf)).pages
            for font in page["/Resources"]["/Font"].values()}
