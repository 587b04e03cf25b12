"""A group meeting's sign-in sheet: the participants expected (names as the practice shows them
to the group), with a time and a signature for arriving and for leaving, then blank lines for
walk-ins, then the facilitator's attestation.

Rows are tall enough to sign on; a long list flows onto more pages, each repeating the
letterhead, the meeting's line and the table's header. Times already recorded are printed in.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from iopdesk.domain.attendance_documents import SignInLine, SignInSheet
from iopdesk.reports import styles
from iopdesk.reports.attendance_layout import (RosterFrame, build_roster_pdf, clock, long_day,
                                              weekday, window)
from iopdesk.reports.fonts import BOLD, REGULAR, register_fonts
from iopdesk.reports.layout import CONTENT_WIDTH
from iopdesk.reports.styles import CELL, CELL_HEAD, SMALL, cell, day, esc, gap, title

W = CONTENT_WIDTH
TITLE = "Group Sign-In Sheet"
WALK_IN_LINES = 4        # blank lines after the expected participants
MINIMUM_LINES = 14       # a sheet never has fewer lines (an empty meeting: all blank)
ROW_HEIGHT = 0.36 * inch
ROW_PADDING = (ROW_HEIGHT - CELL.leading) / 2
WALK_IN_SHADE = colors.HexColor("#F7F9FA")
HEADER = ("#", "Name", "Chart", "Time in", "Signature in", "Time out", "Signature out")
WIDTHS = [W * f for f in (0.045, 0.24, 0.08, 0.095, 0.2225, 0.095, 0.2225)]
STATUS_HEX = "#5B6770"


def render_sign_in_sheet(sheet: SignInSheet) -> bytes:
    return build_roster_pdf(sign_in_frame(sheet), sign_in_story(sheet))


def sign_in_frame(sheet: SignInSheet) -> RosterFrame:
    subject = f"{sheet.track_name} — {sheet.title}" if sheet.title else sheet.track_name
    return RosterFrame(
        letterhead=sheet.letterhead, title=TITLE, subject=subject,
        detail=f"{weekday(sheet.meeting_date)} {day(sheet.meeting_date)}, "
               f"{window(sheet.start, sheet.end)}",
        printed_at=sheet.printed_at, printed_by=sheet.printed_by,
        part2_notice=sheet.part2_notice)


def sign_in_story(sheet: SignInSheet) -> list[Flowable]:
    """The content flowables (without the page furniture)."""
    register_fonts()
    about = [esc(sheet.track_name),
             long_day(sheet.meeting_date),
             esc(window(sheet.start, sheet.end))]
    details = []
    if sheet.topic.strip():
        details.append(f"Topic: <b>{esc(sheet.topic)}</b>")
    if sheet.facilitator.strip():
        details.append(f"Facilitator: <b>{esc(sheet.facilitator)}</b>")
    story: list[Flowable] = [*title(TITLE, " · ".join(about))]
    if details:
        story.append(Paragraph("   ·   ".join(details), styles.BODY))
    story += [gap(), _table(sheet.lines), gap(0.2 * inch), _attestation(sheet)]
    return story


def _name(line: SignInLine) -> Paragraph:
    markup = esc(line.name)
    if line.status.strip():
        markup += f'<br/><font size="7.5" color="{STATUS_HEX}">{esc(line.status)}</font>'
    return Paragraph(markup, CELL)


def _table(lines: tuple[SignInLine, ...]) -> Table:
    blank = max(WALK_IN_LINES, MINIMUM_LINES - len(lines))
    data: list[list] = [[cell(esc(h), CELL_HEAD) for h in HEADER]]
    for number, line in enumerate(lines, start=1):
        data.append([cell(str(number)), _name(line), cell(esc(line.chart_number)),
                     cell(clock(line.time_in)), "", cell(clock(line.time_out)), ""])
    for number in range(len(lines) + 1, len(lines) + blank + 1):
        data.append([cell(str(number)), "", "", "", "", "", ""])
    # A named row grows with a long name (never cut); its padding makes it ROW_HEIGHT at least.
    first_blank = len(lines) + 1
    heights = [None] * first_blank + [ROW_HEIGHT] * blank
    table = Table(data, colWidths=WIDTHS, rowHeights=heights, repeatRows=1, splitInRow=1,
                  hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("BACKGROUND", (0, 0), (-1, 0), styles.SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, styles.ACCENT),
        ("BOX", (0, 0), (-1, -1), 0.6, styles.RULE),
        ("INNERGRID", (0, 1), (-1, -1), 0.4, styles.RULE),
        ("LINEBEFORE", (1, 0), (-1, 0), 0.4, styles.RULE),
        ("VALIGN", (0, 1), (-1, -1), "MIDDLE"), ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, 0), 3), ("BOTTOMPADDING", (0, 0), (-1, 0), 3),
        ("TOPPADDING", (0, 1), (-1, -1), ROW_PADDING),
        ("BOTTOMPADDING", (0, 1), (-1, -1), ROW_PADDING),
        ("BACKGROUND", (1, first_blank), (-1, -1), WALK_IN_SHADE)]))
    return table


def _attestation(sheet: SignInSheet) -> Flowable:
    """The facilitator's signature, kept in one piece."""
    who = esc(sheet.facilitator) if sheet.facilitator.strip() else ""
    data = [[Paragraph("Facilitator", SMALL), Paragraph(who, SMALL),
             Paragraph("Signature", SMALL), "", Paragraph("Date", SMALL), ""]]
    table = Table(data, colWidths=[W * f for f in (0.11, 0.30, 0.11, 0.28, 0.06, 0.14)])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTNAME", (0, 0), (0, 0), BOLD),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 12), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (1, 0), (1, 0), 0.6, styles.INK),
        ("LINEBELOW", (3, 0), (3, 0), 0.6, styles.INK),
        ("LINEBELOW", (5, 0), (5, 0), 0.6, styles.INK)]))
    note = Paragraph("I attest that the participants who signed above attended this meeting "
                     "at the times recorded.", SMALL)
    return KeepTogether([note, table])
