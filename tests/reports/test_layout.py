"""The page around every document: letterhead, the participant on every page, "Page X of Y",
the confidentiality footer, watermarks, the Part 2 notice, the font, and text that must
survive (any script, markup characters, 10 000 characters)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from document_samples import HEADER, PRACTICE, fonts, frame, pages, text
from iopdesk.domain.documents import (DRAFT, PART2_NOTICE_FULL, PART2_NOTICE_SHORT,
                                      DocumentHeader, Letterhead, age_on, consent_state,
                                      ConsentState, part2_notice)
from iopdesk.reports.bidi import visual
from iopdesk.reports.fonts import BOLD, REGULAR, has_glyph
from iopdesk.reports.layout import CONFIDENTIAL, build_pdf, fit
from iopdesk.reports.styles import BODY, esc, field_grid


def _paragraphs(count: int, words: str = "Attendance and progress. ") -> list[Paragraph]:
    return [Paragraph(esc(f"{n}. " + words * 20), BODY) for n in range(count)]


def _long_document(**changes) -> bytes:
    return build_pdf(frame("Progress Report", **changes), _paragraphs(40))


def test_every_page_names_the_participant_and_counts_the_pages():
    texts = pages(_long_document())
    assert len(texts) >= 3
    for number, page in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in page
        assert "Nguyễn, Thị Lan" in page
        assert "DOB 03/14/1988" in page and "Chart 1042" in page
        assert CONFIDENTIAL in page
        assert "Printed 11/16/2026 2:03 PM by Rosa Delgado" in page
        assert PRACTICE in page        # full letterhead on page 1, compact after
    assert "2140 Alder Street" in texts[0] and "NPI 1234567893" in texts[0]
    assert "2140 Alder Street" not in texts[1]


def test_a_short_document_is_page_1_of_1():
    assert "Page 1 of 1" in text(build_pdf(frame(), _paragraphs(1)))


def test_only_the_bundled_unicode_font_is_used_never_helvetica():
    used = fonts(_long_document(watermark=DRAFT, part2_notice=PART2_NOTICE_SHORT))
    assert used and all("DejaVuSans" in name for name in used), used


def test_the_metadata_names_the_document_not_the_participant():
    info = PdfReader(io.BytesIO(_long_document())).metadata
    assert info.title == "Progress Report" and info.author == PRACTICE
    assert "Nguy" not in str(dict(info))


def test_unsigned_content_carries_a_draft_watermark_on_every_page():
    texts = pages(_long_document(watermark=DRAFT))
    assert all(DRAFT in page for page in texts)
    assert not any(DRAFT in page for page in pages(_long_document()))


@pytest.mark.parametrize("notice", [PART2_NOTICE_SHORT, PART2_NOTICE_FULL])
def test_the_part2_notice_is_printed_word_for_word(notice):
    printed = text(build_pdf(frame(part2_notice=notice), _paragraphs(2)))
    assert "42 CFR § 2.32" in printed
    assert " ".join(notice.split()) in printed


def test_no_part2_notice_unless_asked():
    assert "42 CFR" not in text(build_pdf(frame(), _paragraphs(2)))


def test_the_part2_notice_texts_are_the_regulations():
    assert PART2_NOTICE_SHORT == ("42 CFR part 2 prohibits unauthorized use or disclosure of "
                                  "these records.")
    assert PART2_NOTICE_FULL.startswith("This record which has been disclosed to you is "
                                        "protected by Federal confidentiality rules (42 CFR "
                                        "part 2).")
    assert PART2_NOTICE_FULL.endswith("written consent to further use or redisclose the "
                                      "record (see 42 CFR 2.31).")
    assert "  " not in PART2_NOTICE_FULL
    assert part2_notice("short") == PART2_NOTICE_SHORT
    assert part2_notice("full") == PART2_NOTICE_FULL
    assert part2_notice("unknown") == PART2_NOTICE_SHORT


@pytest.mark.parametrize("character", list("ễĐłżŁøåÆñÑçüßğşőΩжქ") + ["م", "ح", "ש", "ל", "😀"])
def test_the_font_draws_every_latin_script_and_arabic_hebrew_letters(character):
    assert has_glyph(character) and has_glyph(character, BOLD)


NAMES = ["Nguyễn Thị Lan", "Łucja Żółkiewska", "Søren Ålund", "José Peña", "Zoë 😀 Smith",
         "שרה לוי", "مريم حداد", "O'Brien & <Sons>", "Ωμέγα Жуков"]


def test_names_in_any_script_come_back_intact_from_the_pdf():
    grid = field_grid([[(f"Name {n}", esc(name), 1)] for n, name in enumerate(NAMES)],
                      400, columns=1)
    printed = text(build_pdf(frame(), [grid]))
    for name in NAMES:
        assert name in printed, name


def test_right_to_left_runs_are_drawn_in_visual_order():
    assert visual("Smith") == "Smith"
    assert visual("שרה לוי") == "יול הרש"
    assert visual("Dr. שרה לוי, MD") == "Dr. יול הרש, MD"
    assert visual("دار 23 السلام") == "مالسلا 23 راد"       # digits keep their order
    assert visual("(שרה)") == "(הרש)"                      # brackets mirror
    assert visual("שָׁלוֹם") == "ם" + "וֹ" + "ל" + "שָׁ"         # marks stay on their letter


def test_a_10000_character_field_wraps_and_splits_across_pages():
    long_value = ("Referral notes from the school counselor. " * 250)[:10_000]
    grid = field_grid([[("Preferred name", "Lan", 1), ("Referral source", esc(long_value), 2)]],
                      520)
    texts = pages(build_pdf(frame(), [*_paragraphs(3), grid, Paragraph("The end.", BODY)]))
    assert len(texts) >= 3
    joined = " ".join(texts)
    assert joined.count("counselor.") == 10_000 // 42    # every sentence, none lost
    assert "The end." in texts[-1]


def test_a_10000_character_word_does_not_break_the_layout():
    word = "x" * 10_000
    printed = text(build_pdf(frame(), [Paragraph(esc(word), BODY)]))
    assert printed.replace(" ", "").count("x") >= 10_000


def test_markup_characters_and_line_breaks_print_as_typed():
    assert esc("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert esc("line one\nline two") == "line one<br/>line two"
    assert esc("   ") == "—"


def test_a_logo_is_drawn_and_a_damaged_one_is_left_out():
    image = io.BytesIO()
    Image.new("RGB", (300, 120), (31, 86, 99)).save(image, "PNG")
    with_logo = build_pdf(frame(letterhead=Letterhead(PRACTICE, logo_png=image.getvalue())),
                          _paragraphs(1))
    first = PdfReader(io.BytesIO(with_logo)).pages[0]
    assert any(x.get_object()["/Subtype"] == "/Image"
               for x in first["/Resources"]["/XObject"].values())
    damaged = build_pdf(frame(letterhead=Letterhead(PRACTICE, logo_png=b"\x89PNG\r\n\x1a\nxx")),
                        _paragraphs(1))
    assert PRACTICE in text(damaged)


def test_overlong_single_lines_shrink_then_shorten():
    name = "Wolfeschlegelsteinhausenbergerdorff " * 8
    shown, size = fit(name, BOLD, 10.5, 300)
    assert size == 6.0 and shown.endswith("…")
    assert stringWidth(shown, BOLD, size) <= 300
    assert fit("Short", REGULAR, 9, 300) == ("Short", 9)
    long_header = DocumentHeader(name, date(1990, 1, 1), "A-1234567890123456789")
    printed = text(build_pdf(frame(header=long_header), _paragraphs(1)))
    assert "Chart A-1234567890123456789" in printed


def test_age_and_consent_state_rules():
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26
    today = date(2026, 11, 16)
    assert consent_state(date(2026, 1, 1), date(2026, 11, 16), None, today) is ConsentState.ACTIVE
    assert consent_state(date(2026, 1, 1), date(2026, 11, 15), None,
                         today) is ConsentState.EXPIRED
    assert consent_state(date(2026, 1, 1), None, date(2026, 5, 1),
                         today) is ConsentState.REVOKED
    assert consent_state(date(2026, 12, 1), None, None,
                         today) is ConsentState.NOT_YET_EFFECTIVE


def test_the_header_read_model_is_what_the_strip_prints():
    assert HEADER.participant_name in text(build_pdf(frame(), _paragraphs(1)))
