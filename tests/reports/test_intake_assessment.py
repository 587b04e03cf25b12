"""The intake assessment, from its read model to the text of its PDF."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from document_samples import PRACTICE, fonts, frame, pages, text
from iopdesk.domain.clinical import ASAM_DIMENSIONS, INTAKE_TEXT_FIELDS
from iopdesk.domain.documents import (PART2_NOTICE_SHORT, IntakeDimension, IntakeDocument,
                                      IntakeTextSection, PrintedAddendum)
from iopdesk.reports.intake_assessment import intake_assessment_story, render_intake_assessment

TITLE = "Intake Assessment"
TEXTS = {
    "presenting_problem": "Drinking daily since a job loss in March; family worried 😟.",
    "substance_use_history": "Alcohol from age 17; daily for 14 months.\n"
                             "Cannabis on weekends.",
    "mental_health_history": "Depression treated by Dr. שרה לוי in 2019.",
    "medical_history": "Hypertension.",
    "medications": "Lisinopril 10 mg daily.",
    "risk_screening": "C-SSRS screen negative; no firearms at home.",
    "strengths_supports": "Employed; supportive sister Łucja Żółkiewska.",
}
SIGNED = datetime(2026, 11, 2, 14, 3)
COSIGNED = datetime(2026, 11, 4, 9, 15)
HASH = "ab" * 32


def intake_document(**changes) -> IntakeDocument:
    values = dict(
        frame=frame(TITLE), intake_id=7, participant_name="Lan Thị Nguyễn",
        date_of_birth=date(1988, 3, 14), chart_number="1042", track_name="Adult SUD IOP",
        admission_date=date(2026, 10, 30), assessed_on=date(2026, 11, 2),
        clinician="Dana Whitfield",
        sections=tuple(IntakeTextSection(INTAKE_TEXT_FIELDS[name], TEXTS[name])
                       for name in INTAKE_TEXT_FIELDS),
        dimensions=tuple(IntakeDimension(n, title, min(n, 4) - 1, f"Dimension {n} note")
                         for n, title in ASAM_DIMENSIONS.items()),
        recommended_level="Level 2.1 — intensive outpatient",
        signed_by="Dana Whitfield, LCSW", signed_at=SIGNED, content_hash=HASH)
    values.update(changes)
    return IntakeDocument(**values)


def test_the_intake_prints_every_section_rating_and_the_signature():
    printed = pages(render_intake_assessment(intake_document()))
    joined = " ".join(printed)
    for expected in (PRACTICE, "2140 Alder Street", "NPI 1234567893", TITLE,
                     "Assessed 11/02/2026 by Dana Whitfield", "Nguyễn, Thị Lan",
                     "DOB 03/14/1988", "Chart 1042", "Lan Thị Nguyễn", "Adult SUD IOP",
                     "10/30/2026", "Level 2.1 — intensive outpatient",
                     "Electronically signed by Dana Whitfield, LCSW on 11/02/2026 2:03 PM.",
                     f"Signed content (SHA-256): {HASH}", "Printed 11/16/2026 2:03 PM",
                     "by Rosa Delgado", "Confidential — contains protected health information",
                     "Risk rated 0 (none) to 4 (utmost severity)."):
        assert expected in joined, expected
    for title in INTAKE_TEXT_FIELDS.values():
        assert title in joined, title
    for name, body in TEXTS.items():
        if name == "mental_health_history":         # right-to-left inside: pypdf drops the
            continue                                # space where the direction changes
        for line in body.split("\n"):
            assert line in joined, line
    assert "Depression treated by Dr. שרה לוי" in joined and "in 2019." in joined
    for n, title in ASAM_DIMENSIONS.items():
        # the row: number, the dimension's name, its rating, its note
        assert f"{n} {title} {min(n, 4) - 1} Dimension {n} note" in joined, n
    assert all(f"Page {n} of {len(printed)}" in page for n, page in enumerate(printed, 1))
    assert all("Nguyễn, Thị Lan" in page and "Chart 1042" in page for page in printed)
    for absent in ("DRAFT", "42 CFR", "Awaiting co-signature", "Co-signed by", "Addend",
                   "Not signed"):
        assert absent not in joined, absent


def test_awaiting_co_signature_says_so():
    printed = text(render_intake_assessment(intake_document(awaiting_cosign=True)))
    assert "Electronically signed by Dana Whitfield, LCSW on 11/02/2026 2:03 PM." in printed
    assert "Awaiting co-signature by the author's supervisor." in printed
    assert "Signed — awaiting co-signature" in printed          # the status, at the top
    assert "Co-signed by" not in printed


def test_a_co_signature_prints_who_and_when():
    printed = text(render_intake_assessment(intake_document(
        cosigned_by="Samuel Okafor, PhD, LMFT", cosigned_at=COSIGNED)))
    assert "Co-signed by Samuel Okafor, PhD, LMFT on 11/04/2026 9:15 AM." in printed
    assert "Signed and co-signed" in printed
    assert "Awaiting co-signature" not in printed


def test_addenda_print_under_their_heading_with_author_and_time():
    addenda = (PrintedAddendum("Dana Whitfield, LCSW", datetime(2026, 11, 5, 16, 45),
                               "Corrected: the sister's name is Łucja.\n\nSecond paragraph."),
               PrintedAddendum("Samuel Okafor, PhD", datetime(2026, 11, 6, 8, 0), "Agreed."))
    printed = text(render_intake_assessment(intake_document(addenda=addenda)))
    assert "Addenda" in printed
    assert ("Addendum 1 — by Dana Whitfield, LCSW on 11/05/2026 4:45 PM "
            "Corrected: the sister's name is Łucja. Second paragraph.") in printed
    assert "Addendum 2 — by Samuel Okafor, PhD on 11/06/2026 8:00 AM Agreed." in printed
    assert printed.index("Electronically signed") < printed.index("Addenda")


def test_long_sections_wrap_onto_more_pages_numbered_x_of_y():
    sentence = "The participant described the week in detail, in their own words. "
    long = (sentence * 160)[:10_000]
    sections = tuple(IntakeTextSection(s.title, long if s.title == "Presenting problem"
                                       else s.text)
                     for s in intake_document().sections)
    printed = pages(render_intake_assessment(intake_document(sections=sections)))
    assert len(printed) >= 3
    assert all(f"Page {n} of {len(printed)}" in page for n, page in enumerate(printed, 1))
    assert all("Nguyễn, Thị Lan" in page and "DOB 03/14/1988" in page for page in printed)
    assert all(TITLE in page for page in printed)                # the compact header too
    joined = " ".join(printed)
    assert joined.count("own words.") == long.count("own words.")
    assert "Electronically signed by Dana Whitfield, LCSW" in joined


def test_an_empty_section_says_not_recorded():
    sections = tuple(IntakeTextSection(s.title, "" if s.title == "Medications" else s.text)
                     for s in intake_document().sections)
    printed = text(render_intake_assessment(intake_document(sections=sections)))
    assert "Medications Not recorded." in printed


def test_a_substance_use_record_carries_the_part2_notice():
    doc = intake_document(frame=frame(TITLE, part2_notice=PART2_NOTICE_SHORT))
    printed = pages(render_intake_assessment(doc))
    assert PART2_NOTICE_SHORT in printed[-1]
    assert "Notice to the recipient of this information (42 CFR § 2.32)" in printed[-1]


def test_an_unsigned_read_model_never_passes_for_a_signed_one():
    doc = intake_document(signed_by="", signed_at=None, content_hash="",
                          frame=frame(TITLE, watermark="DRAFT"))
    printed = pages(render_intake_assessment(doc))
    assert all("DRAFT" in page for page in printed)
    assert "Not signed." in " ".join(printed)
    assert "Electronically signed" not in " ".join(printed)


def test_unknown_ratings_print_a_dash_and_fonts_are_the_bundled_unicode_ones():
    dimensions = tuple(dataclasses.replace(d, rating=None, note="") if d.number == 2 else d
                       for d in intake_document().dimensions)
    pdf = render_intake_assessment(intake_document(dimensions=dimensions))
    assert f"2 {ASAM_DIMENSIONS[2]} — —" in text(pdf)
    assert all("DejaVuSans" in name for name in fonts(pdf))


def test_the_story_is_plain_flowables_and_renders_the_same_twice():
    doc = intake_document()
    story = intake_assessment_story(doc)
    assert story and all(hasattr(f, "wrap") for f in story)
    assert pages(render_intake_assessment(doc)) == pages(
        render_intake_assessment(dataclasses.replace(doc)))
