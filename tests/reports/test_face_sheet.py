"""The face sheet, from its read model to the text of its PDF."""

from __future__ import annotations

import dataclasses
from datetime import date

from document_samples import PRACTICE, face_sheet, fonts, pages, text
from iopdesk.domain.documents import (ConsentSummary, FaceSheetContact, FaceSheetCoverage,
                                      FaceSheetEpisode)
from iopdesk.reports.face_sheet import face_sheet_story, render_face_sheet


def test_the_face_sheet_prints_who_the_participant_is_and_how_to_reach_them():
    printed = pages(render_face_sheet(face_sheet()))
    assert len(printed) == 1
    page = printed[0]
    for expected in (PRACTICE, "2140 Alder Street", "Phone (555) 201-0100", "NPI 1234567893",
                     "Face Sheet", "Lan Thị Nguyễn", "Lanie", "she/her",
                     "03/14/1988 (age 38)", "Female", "Woman",
                     "(555) 301-2233 — OK to leave a message: Yes", "(555) 301-9999",
                     "lan@example.org", "14 Birch Ave, Apt 2", "Cedar Bend, OR 97991",
                     "Text message", "Primary care physician",
                     "Adult SUD IOP", "10/05/2026", "Active", "Dana Whitfield",
                     "Łucja Żółkiewska", "Sister", "Emergency", "Søren Ålund",
                     "Cascade Health Plan", "Payer ID CHP01", "CHP123456789", "GRP-4411",
                     "Lan Thị Nguyễn (self)", "Payment and claims", "10/04/2027",
                     "Page 1 of 1", "Confidential — contains protected health information"):
        assert expected in page, expected


def test_no_clinical_content_and_no_watermark_or_part2_notice():
    page = text(render_face_sheet(face_sheet()))
    for absent in ("Diagnos", "DRAFT", "42 CFR", "Note"):
        assert absent not in page


def test_empty_sections_say_so():
    page = text(render_face_sheet(face_sheet(
        episode=None, contacts=(), coverages=(), consents=(), preferred_name="",
        phone="", email="")))
    assert "No episode on record." in page
    assert "Family and emergency contacts None on file." in page
    assert "None on file (self-pay)." in page
    assert "None in force." in page
    assert "OK to leave a message" not in page


def test_a_parent_s_policy_says_how_the_participant_is_related_to_the_subscriber():
    coverages = (FaceSheetCoverage(1, "Evergreen Medicaid", "EVMCD", "EVM205963753", "",
                                   "Katarzyna Nguyễn", "child"),
                 FaceSheetCoverage(2, "Cascade Health Plan", "", "CHP1", "", "", "self"))
    page = text(render_face_sheet(face_sheet(coverages=coverages)))
    assert "Katarzyna Nguyễn Participant is the subscriber's child" in page
    assert "Katarzyna Nguyễn (child)" not in page       # it read as if she were the child
    assert "The participant (self)" in page


def test_a_discharged_episode_shows_its_discharge_date():
    episode = FaceSheetEpisode("Adolescent IOP", date(2026, 1, 5), "discharged", "Sam Okafor",
                               discharge_date=date(2026, 3, 1))
    assert "Discharged 03/01/2026" in text(render_face_sheet(face_sheet(episode=episode)))


def test_long_lists_repeat_their_header_row_on_every_page():
    contacts = tuple(FaceSheetContact(f"Contact number {n} 😀", "Friend", f"(555) 400-{n:04}")
                     for n in range(60))
    printed = pages(render_face_sheet(face_sheet(contacts=contacts)))
    assert len(printed) >= 2
    assert all("Name Relationship Phone / email Role May contact" in page
               for page in printed[:2])
    assert all(f"Page {n} of {len(printed)}" in page for n, page in enumerate(printed, 1))
    assert all("Nguyễn, Thị Lan" in page for page in printed)
    joined = " ".join(printed)
    assert all(f"Contact number {n} 😀" in joined for n in range(60))


def test_10000_character_fields_split_across_pages():
    sentence = "Coordination of care with the primary care physician. "
    purpose = (sentence * 200)[:10_000]
    sheet = face_sheet(referral_source="Referred by the county court. " * 6,
                       consents=(ConsentSummary(1, "County court", purpose, None,
                                                "the end of probation"),))
    printed = pages(render_face_sheet(sheet))
    assert len(printed) >= 2
    joined = " ".join(printed)
    assert joined.count("physician.") == 10_000 // len(sentence)
    assert "the end of probation" in joined


def test_the_story_is_plain_flowables_for_any_doc_template():
    story = face_sheet_story(face_sheet())
    assert story and all(hasattr(f, "wrap") for f in story)
    assert all("DejaVuSans" in name for name in fonts(render_face_sheet(face_sheet())))


def test_a_read_model_is_rendered_the_same_twice():
    sheet = face_sheet()
    assert pages(render_face_sheet(sheet)) == pages(render_face_sheet(dataclasses.replace(sheet)))
