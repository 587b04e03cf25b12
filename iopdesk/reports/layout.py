"""The page around every document: letterhead (full on the first page, compact after), the
participant's name, date of birth and chart number on every page, the confidentiality footer
with "Page X of Y" and when it was printed, a watermark (DRAFT for unsigned content), and the
42 CFR Part 2 notice on documents released outside the program.

`build_pdf(frame, story)` is the one entry point: a DocumentFrame and platypus flowables in,
PDF bytes out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph,
                                Table, TableStyle)

from iopdesk.domain.documents import DRAFT, DocumentFrame
from iopdesk.reports import styles
from iopdesk.reports.bidi import visual
from iopdesk.reports.fonts import BOLD, REGULAR, register_fonts

PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN_X = 0.6 * inch
TOP = PAGE_HEIGHT - 0.45 * inch            # top of the letterhead band
FULL_BAND, COMPACT_BAND = 0.92 * inch, 0.34 * inch
STRIP = 0.30 * inch                         # the participant line
FOOTER_TOP = 0.85 * inch                    # the footer's rule
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
LOGO_MAX_W, LOGO_MAX_H = 1.5 * inch, FULL_BAND - 0.12 * inch
CONFIDENTIAL = "Confidential — contains protected health information"
NOTICE_HEADING = "Notice to the recipient of this information (42 CFR § 2.32)"


def fit(text: str, font: str, size: float, width: float,
        smallest: float = 6.0) -> tuple[str, float]:
    """`text` at the largest size down to `smallest` that fits `width`; shortened with an
    ellipsis when even that is too wide (the letterhead and page header are single lines)."""
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.5
    if stringWidth(text, font, size) <= width:
        return text, size
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…", size


def draw_line(canvas: Canvas, x: float, y: float, text: str, font: str, size: float,
          width: float, *, right: bool = False) -> None:
    text, size = fit(visual(text), font, size, width)
    canvas.setFont(font, size)
    if right:
        canvas.drawRightString(x, y, text)
    else:
        canvas.drawString(x, y, text)


def _logo(png: bytes | None) -> tuple[ImageReader, float, float] | None:
    if not png:
        return None
    try:
        image = ImageReader(io.BytesIO(png))
        w, h = image.getSize()
    except Exception:   # a damaged logo must not stop a document from printing
        return None
    if w <= 0 or h <= 0:
        return None
    scale = min(LOGO_MAX_W / w, LOGO_MAX_H / h)
    return image, w * scale, h * scale


class PageDrawing:
    """Draws the parts of a page that are not the document's content."""

    def __init__(self, frame: DocumentFrame):
        self.frame = frame
        self.logo = _logo(frame.letterhead.logo_png)

    def first(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        self._letterhead(canvas)
        self._strip(canvas, TOP - FULL_BAND)
        self._footer(canvas)
        canvas.restoreState()

    def later(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        lh = self.frame.letterhead
        canvas.setFillColor(styles.ACCENT)
        half = CONTENT_WIDTH / 2 - 6
        draw_line(canvas, MARGIN_X, TOP - 12, lh.name, BOLD, 9.5, half)
        canvas.setFillColor(styles.MUTED)
        draw_line(canvas, PAGE_WIDTH - MARGIN_X, TOP - 12, self.frame.title, REGULAR, 9, half,
              right=True)
        self._rule(canvas, TOP - COMPACT_BAND, 0.8)
        self._strip(canvas, TOP - COMPACT_BAND)
        self._footer(canvas)
        canvas.restoreState()

    def end(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """Over the content: the watermark, translucent so the text under it stays legible."""
        mark = self.frame.watermark
        if not mark:
            return
        canvas.saveState()
        canvas.setFillColor(styles.MUTED if mark == DRAFT else styles.ALERT)
        canvas.setFillAlpha(0.13)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2 - 0.3 * inch)
        canvas.rotate(40)
        size = min(110.0, 0.8 * PAGE_HEIGHT / max(1.0, stringWidth(mark, BOLD, 1)))
        canvas.setFont(BOLD, size)
        canvas.drawCentredString(0, -size / 3, mark)
        canvas.restoreState()

    def _rule(self, canvas: Canvas, y: float, width: float) -> None:
        canvas.setStrokeColor(styles.ACCENT)
        canvas.setLineWidth(width)
        canvas.line(MARGIN_X, y, PAGE_WIDTH - MARGIN_X, y)

    def _letterhead(self, canvas: Canvas) -> None:
        lh = self.frame.letterhead
        x = MARGIN_X
        if self.logo:
            image, w, h = self.logo
            canvas.drawImage(image, x, TOP - 4 - h, w, h, mask="auto")
            x += w + 12
        width = PAGE_WIDTH - MARGIN_X - x
        canvas.setFillColor(styles.ACCENT)
        draw_line(canvas, x, TOP - 14, lh.name, BOLD, 14, width)
        canvas.setFillColor(styles.INK)
        y = TOP - 27
        contact = "   ·   ".join(part for part in (
            f"Phone {lh.phone}" if lh.phone else "", f"Fax {lh.fax}" if lh.fax else "",
            f"NPI {lh.npi}" if lh.npi else "") if part)
        for text in (*lh.address_lines[:3], contact):
            if text:
                draw_line(canvas, x, y, text, REGULAR, 8.5, width)
                y -= 10.5
        self._rule(canvas, TOP - FULL_BAND, 1.2)

    def _strip(self, canvas: Canvas, below: float) -> None:
        """Whose record: name, date of birth and chart number, on a shaded line."""
        header = self.frame.header
        top = below - 6
        canvas.setFillColor(styles.SHADE)
        canvas.rect(MARGIN_X, top - STRIP, CONTENT_WIDTH, STRIP, stroke=0, fill=1)
        baseline = top - STRIP / 2 - 3.5
        right = f"DOB {styles.day(header.date_of_birth)}     Chart {header.chart_number}"
        canvas.setFillColor(styles.INK)
        canvas.setFont(REGULAR, 9)
        right_width = stringWidth(right, REGULAR, 9)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X - 6, baseline, right)
        draw_line(canvas, MARGIN_X + 6, baseline, header.participant_name, BOLD, 10.5,
              CONTENT_WIDTH - right_width - 24)

    def _footer(self, canvas: Canvas) -> None:
        canvas.setStrokeColor(styles.RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, FOOTER_TOP, PAGE_WIDTH - MARGIN_X, FOOTER_TOP)
        canvas.setFillColor(styles.INK)
        draw_line(canvas, MARGIN_X, FOOTER_TOP - 12, CONFIDENTIAL, BOLD, 7.5,
              CONTENT_WIDTH - 90)
        at = self.frame.printed_at
        printed = f"Printed {at:%m/%d/%Y} {at.hour % 12 or 12}:{at:%M %p}"
        if self.frame.printed_by:
            printed += f" by {self.frame.printed_by}"
        canvas.setFillColor(styles.MUTED)
        draw_line(canvas, MARGIN_X, FOOTER_TOP - 22.5, f"{printed}   ·   {self.frame.title}",
              REGULAR, 7, CONTENT_WIDTH - 90)


class NumberedCanvas(Canvas):
    """Keeps every page until the document ends, then writes "Page X of Y" on each."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(REGULAR, 8.5)
            self.setFillColor(styles.INK)
            self.drawRightString(PAGE_WIDTH - MARGIN_X, FOOTER_TOP - 12,
                                 f"Page {number} of {total}")
            super().showPage()
        super().save()


def notice_block(notice: str) -> list[Flowable]:
    """The § 2.32 statement, boxed, kept in one piece."""
    box = Table([[Paragraph(styles.esc(notice), styles.NOTICE)]], colWidths=[CONTENT_WIDTH])
    box.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("BOX", (0, 0), (-1, -1), 0.9, styles.ACCENT),
        ("BACKGROUND", (0, 0), (-1, -1), styles.SHADE),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 7)]))
    return styles.section(NOTICE_HEADING, box)


def _frame(band: float, name: str) -> Frame:
    top = TOP - band - 6 - STRIP - 8
    bottom = FOOTER_TOP + 8
    return Frame(MARGIN_X, bottom, CONTENT_WIDTH, top - bottom, id=name,
                 leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)


def build_pdf(frame: DocumentFrame, story: Sequence[Flowable], *,
              page_type: type[PageDrawing] | None = None) -> bytes:
    """The document's pages as PDF bytes. The PDF's metadata names the document and the
    practice, never the participant (file browsers and indexers show it). `page_type` draws
    the pages (letterhead, the line under it, footer): `PageDrawing`'s participant line unless a
    document about a group gives its own."""
    register_fonts()
    page = (page_type or PageDrawing)(frame)
    out = io.BytesIO()
    doc = BaseDocTemplate(out, pagesize=LETTER, title=frame.title,
                          author=frame.letterhead.name, creator="IOPDesk",
                          initialFontName=REGULAR, initialFontSize=9.5,
                          leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                          topMargin=PAGE_HEIGHT - TOP, bottomMargin=FOOTER_TOP)
    doc.addPageTemplates([
        PageTemplate("first", [_frame(FULL_BAND, "first")], onPage=page.first,
                     onPageEnd=page.end, autoNextPageTemplate="later"),
        PageTemplate("later", [_frame(COMPACT_BAND, "later")], onPage=page.later,
                     onPageEnd=page.end)])
    flowables = list(story)
    if frame.part2_notice:
        flowables += notice_block(frame.part2_notice)
    doc.build(flowables, canvasmaker=NumberedCanvas)
    return out.getvalue()
