"""Type, colour and the small building blocks every document shares (headings, label/value
grids, list tables). All text goes through `esc`: a name like "O'Brien & <Sons>" prints as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import (CondPageBreak, Flowable, HRFlowable, KeepTogether, Paragraph,
                                Spacer, Table, TableStyle)

from iopdesk.reports.bidi import visual
from iopdesk.reports.fonts import BOLD, ITALIC, REGULAR, register_fonts

register_fonts()   # a Paragraph in these styles needs the family registered

INK = colors.HexColor("#1F2A30")
ACCENT = colors.HexColor("#1F5663")
MUTED = colors.HexColor("#5B6770")
RULE = colors.HexColor("#B8C4CA")
SHADE = colors.HexColor("#EAF0F2")
ALERT = colors.HexColor("#9B1C1C")
ALERT_SHADE = colors.HexColor("#FBEAEA")
BLANK = "—"

BODY = ParagraphStyle("Body", fontName=REGULAR, fontSize=9.5, leading=12.5, textColor=INK,
                      alignment=TA_LEFT, splitLongWords=1, spaceAfter=4,
                      bulletFontName=REGULAR)
SMALL = ParagraphStyle("Small", parent=BODY, fontSize=8.5, leading=11, spaceAfter=0)
CELL = ParagraphStyle("Cell", parent=BODY, fontSize=9, leading=11, spaceAfter=0)
CELL_HEAD = ParagraphStyle("CellHead", parent=CELL, fontName=BOLD, fontSize=8, leading=10,
                           textColor=ACCENT)
LABEL_HEX = "#5B6770"
TITLE = ParagraphStyle("Title", parent=BODY, fontName=BOLD, fontSize=15, leading=19,
                       textColor=ACCENT, spaceAfter=1)
SUBTITLE = ParagraphStyle("Subtitle", parent=BODY, fontSize=9, leading=12, textColor=MUTED,
                          spaceAfter=6)
HEADING = ParagraphStyle("Heading", parent=BODY, fontName=BOLD, fontSize=10, leading=12.5,
                         textColor=ACCENT, spaceBefore=7, spaceAfter=1)
ALERT_TEXT = ParagraphStyle("Alert", parent=BODY, textColor=ALERT, spaceAfter=0)
NOTE = ParagraphStyle("Note", parent=BODY, fontName=ITALIC, textColor=MUTED)
NOTICE = ParagraphStyle("Notice", parent=BODY, fontSize=8.5, leading=11, spaceAfter=0)
BULLET = ParagraphStyle("Bullet", parent=BODY, leftIndent=12, bulletIndent=2, spaceAfter=2)


def esc(text: object) -> str:
    """Paragraph markup for plain text: escaped, line breaks kept, right-to-left runs in
    drawing order (bidi.py); a dash when empty."""
    value = "" if text is None else str(text)
    if not value.strip():
        return BLANK
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(escape(visual(line)) for line in lines)


def day(value: date | None) -> str:
    return f"{value:%m/%d/%Y}" if value else ""


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def title(text: str, subtitle: str = "") -> list[Flowable]:
    parts: list[Flowable] = [Paragraph(esc(text), TITLE)]
    if subtitle:
        parts.append(Paragraph(subtitle, SUBTITLE))
    return parts


class KeepTogetherIfFits(KeepTogether):
    """Kept on one page when it fits on one. Content taller than a whole page starts where it
    is (ReportLab's KeepTogether would first break to a new page, wasting the rest of this
    one) and splits across pages."""

    def split(self, aW, aH):  # noqa: N803 (ReportLab's names)
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        peek = self._doctemplateAttr("_peekNextFrame")
        frame = peek() if peek else getattr(self, "_frame", None)
        if frame is None or self._H <= frame._height:
            return super().split(aW, aH)
        # Too tall for any page: hand back the content, the first piece cut to fit here
        # (the frame places the first piece as it is).
        first, *rest = self._content
        _w, height = first.wrapOn(self.canv, aW, aH)
        if height <= aH:
            return [first, *rest]
        pieces = first.splitOn(self.canv, aW, aH)
        return [*pieces, *rest] if pieces else super().split(aW, aH)


def heading(text: str) -> list[Flowable]:
    """A section heading with a rule under it; never alone at the foot of a page."""
    rule = HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=0, spaceAfter=3)
    return [CondPageBreak(0.6 * inch), Paragraph(esc(text), HEADING), rule]


def section(text: str, *content: Flowable) -> list[Flowable]:
    """A heading and its content, on one page when they fit on one."""
    page_break, *head = heading(text)
    return [page_break, KeepTogetherIfFits([*head, *content])]


def note(text: str) -> Paragraph:
    return Paragraph(esc(text), NOTE)


def cell(markup: str, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(markup, style)


def labelled(label: str, value_markup: str) -> Paragraph:
    """A form cell: a small grey label above its value."""
    return Paragraph(f'<font size="7" color="{LABEL_HEX}">{escape(label.upper())}</font>'
                     f"<br/>{value_markup}", CELL)


Field = tuple[str, str, int]   # label, value markup (already escaped), columns spanned


def field_grid(rows: Sequence[Sequence[Field]], width: float, columns: int = 3) -> Flowable:
    """Label/value cells on a grid, like a printed form. A long value wraps, and its row
    splits across pages: each row is a table of its own (ReportLab splits a spanned cell at
    the width of its first column, which wastes pages), drawn so the rows read as one grid."""
    tables: list[Flowable] = []
    for r, row in enumerate(rows):
        spans = [span for _label, _value, span in row]
        if sum(spans) != columns:
            raise ValueError(f"row {r} spans {sum(spans)} columns, not {columns}")
        table = Table([[labelled(label, value) for label, value, _span in row]],
                      colWidths=[width * span / columns for span in spans], splitInRow=1,
                      hAlign="LEFT")
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), REGULAR),
            ("BOX", (0, 0), (-1, -1), 0.5, RULE), ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
        tables.append(table)
    return KeepTogetherIfFits(tables)


def list_table(header: Sequence[str], rows: Sequence[Sequence[str]],
               widths: Sequence[float]) -> Table:
    """A list with a header row that repeats on every page; cells are escaped markup."""
    data = [[cell(escape(h), CELL_HEAD) for h in header]]
    data += [[cell(value) for value in row] for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1, splitInRow=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return table


def gap(points: float = 0.08 * inch) -> Spacer:
    return Spacer(1, points)
