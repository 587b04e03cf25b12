"""The intake assessment, as signed: who and which episode, every narrative section of the form,
the six ASAM dimensions with their risk ratings and notes, the recommended level of care, and
the signatures (who signed, with credentials, and when; the supervisor's co-signature or that
it is still awaited), then any addenda.

Narrative sections flow from page to page (a heading never stands alone at the foot of a
page); the ASAM table and the signature block stay in one piece when they fit on a page.
"""

from __future__ import annotations

import re
from datetime import datetime

from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from iopdesk.domain.documents import IntakeDocument, PrintedAddendum
from iopdesk.reports import styles
from iopdesk.reports.fonts import REGULAR, register_fonts
from iopdesk.reports.layout import CONTENT_WIDTH, build_pdf
from iopdesk.reports.styles import (BODY, SMALL, KeepTogetherIfFits, day, esc, field_grid, gap,
                                    heading, list_table, note, section, title)

W = CONTENT_WIDTH
AWAITING = "Awaiting co-signature"
RATING_SCALE = "Risk rated 0 (none) to 4 (utmost severity)"
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def render_intake_assessment(doc: IntakeDocument) -> bytes:
    return build_pdf(doc.frame, intake_assessment_story(doc))


def intake_assessment_story(doc: IntakeDocument) -> list[Flowable]:
    """The content flowables (without the page furniture of layout.py)."""
    register_fonts()
    subtitle = f"Assessed {day(doc.assessed_on)} by {esc(doc.clinician)}"
    return [*title(doc.frame.title or "Intake Assessment", subtitle), *_who(doc),
            *_narrative(doc), *_asam(doc), *_level(doc), *_signatures(doc), *_addenda(doc)]


def moment(at: datetime | None) -> str:
    """'11/02/2026 2:03 PM' (the practice's wall-clock time, as the footer prints it)."""
    if at is None:
        return ""
    return f"{at:%m/%d/%Y} {at.hour % 12 or 12}:{at:%M %p}"


def status_text(doc: IntakeDocument) -> str:
    if not doc.signed_by:
        return "Not signed"
    if doc.awaiting_cosign:
        return f"Signed — {AWAITING.lower()}"
    return "Signed and co-signed" if doc.cosigned_by else "Signed"


def _who(doc: IntakeDocument) -> list[Flowable]:
    return section("Participant and episode", field_grid([
        [("Participant", esc(doc.participant_name), 2),
         ("Date of birth", esc(day(doc.date_of_birth)), 1),
         ("Chart number", esc(doc.chart_number), 1)],
        [("Program track", esc(doc.track_name), 2),
         ("Admission date", esc(day(doc.admission_date)), 1),
         ("Assessed on", esc(day(doc.assessed_on)), 1)],
        [("Assessing clinician", esc(doc.clinician), 2),
         ("Status", esc(status_text(doc)), 2)],
    ], W, columns=4))


def paragraphs(text: str) -> list[Flowable]:
    """Typed text as printed paragraphs: a blank line starts a new one, a line break stays a
    line break; nothing typed means "Not recorded."."""
    parts = [p for p in _BLANK_LINE.split(text.replace("\r\n", "\n").replace("\r", "\n"))
             if p.strip()]
    if not parts:
        return [note("Not recorded.")]
    return [Paragraph(esc(part.strip("\n")), BODY) for part in parts]


def _narrative(doc: IntakeDocument) -> list[Flowable]:
    story: list[Flowable] = []
    for part in doc.sections:
        story += [*heading(part.title), *paragraphs(part.text)]
    return story


def _asam(doc: IntakeDocument) -> list[Flowable]:
    rows = [[str(d.number), esc(d.title), "—" if d.rating is None else str(d.rating),
             esc(d.note)] for d in doc.dimensions]
    widths = [W * f for f in (0.05, 0.33, 0.08, 0.54)]
    table = list_table(("No.", "Dimension", "Risk", "Note"), rows, widths)
    return section("ASAM dimensions", table,
                   Paragraph(esc(RATING_SCALE + "."), styles.NOTE))


def _level(doc: IntakeDocument) -> list[Flowable]:
    level = (Paragraph(f"<b>{esc(doc.recommended_level)}</b>", BODY) if doc.recommended_level
             else note("Not recorded."))
    return section("Recommended level of care", level)


def signature_lines(doc: IntakeDocument) -> list[str]:
    """The signature block's sentences, as markup."""
    if not doc.signed_by:
        return ["<b>Not signed.</b> This is a draft, not a signed assessment."]
    lines = [(f"Electronically signed by <b>{esc(doc.signed_by)}</b> on "
              f"<b>{moment(doc.signed_at)}</b>.")]
    if doc.cosigned_by:
        lines.append(f"Co-signed by <b>{esc(doc.cosigned_by)}</b> on "
                     f"<b>{moment(doc.cosigned_at)}</b>.")
    elif doc.awaiting_cosign:
        lines.append(f"<b>{AWAITING}</b> by the author's supervisor.")
    if doc.content_hash:
        lines.append(f'<font size="7.5" color="{styles.LABEL_HEX}">Signed content '
                     f"(SHA-256): {esc(doc.content_hash)}</font>")
    lines.append(f'<font size="7.5" color="{styles.LABEL_HEX}">A signed assessment is never '
                 "changed; corrections and additions are made by dated addenda.</font>")
    return lines


def _signatures(doc: IntakeDocument) -> list[Flowable]:
    box = Table([[Paragraph(line, SMALL)] for line in signature_lines(doc)], colWidths=[W])
    box.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("BOX", (0, 0), (-1, -1), 0.9, styles.ACCENT),
        ("BACKGROUND", (0, 0), (-1, -1), styles.SHADE),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, 0), 6), ("BOTTOMPADDING", (0, -1), (-1, -1), 6)]))
    return section("Signatures", box)


def _addendum(number: int, addendum: PrintedAddendum) -> Flowable:
    head = Paragraph(f"<b>Addendum {number}</b> — by <b>{esc(addendum.author_name)}</b> on "
                     f"<b>{moment(addendum.written_at)}</b>", SMALL)
    return KeepTogetherIfFits([gap(4), head, *paragraphs(addendum.text)])


def _addenda(doc: IntakeDocument) -> list[Flowable]:
    if not doc.addenda:
        return []
    return [*heading("Addenda"),
            *(_addendum(n, a) for n, a in enumerate(doc.addenda, start=1))]
