"""A participant's attendance history: an overview of the weeks (hours against the minimum and
the week's status), then each week's meetings with the times in and out, the minutes credited,
the status, and every correction made afterwards with who made it, when and why.

The participant is named on every page by layout.py; a week's meetings table repeats its
header row across pages.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from iopdesk.domain.attendance_documents import (AttendanceHistory, HistoryMeeting,
                                                 HistoryWeek)
from iopdesk.reports import styles
from iopdesk.reports.attendance_layout import clock, hours, weekday, window
from iopdesk.reports.fonts import BOLD, REGULAR, register_fonts
from iopdesk.reports.layout import CONTENT_WIDTH, build_pdf
from iopdesk.reports.styles import (BODY, CELL, CELL_HEAD, KeepTogetherIfFits, day, esc,
                                    heading, note, section, title)

W = CONTENT_WIDTH
TITLE = "Attendance History"
NUMBER = ParagraphStyle("HistoryNumber", parent=CELL, alignment=TA_RIGHT)
NUMBER_HEAD = ParagraphStyle("HistoryNumberHead", parent=CELL_HEAD, alignment=TA_RIGHT)
CORRECTION = ParagraphStyle("Correction", parent=CELL, fontSize=8, leading=10,
                            textColor=styles.MUTED, leftIndent=8)
ALERT_HEX = "#9B1C1C"
MEETING_COLUMNS = (("Date", 0.11, False), ("Meeting", 0.21, False),
                   ("Scheduled", 0.19, False), ("In", 0.10, False), ("Out", 0.10, False),
                   ("Hours", 0.08, True), ("Status", 0.21, False))


def render_attendance_history(history: AttendanceHistory) -> bytes:
    return build_pdf(history.frame, attendance_history_story(history))


def attendance_history_story(history: AttendanceHistory) -> list[Flowable]:
    """The content flowables (without the page furniture of layout.py)."""
    register_fonts()
    weeks = history.weeks
    if not weeks:
        return [*title(history.frame.title or TITLE),
                note("No attendance on record: no meetings or sessions yet.")]
    first = min(w.first_day for w in weeks)
    last = max(w.first_day for w in weeks) + timedelta(days=6)
    count = f"{len(weeks)} week" + ("" if len(weeks) == 1 else "s")
    story: list[Flowable] = [
        *title(history.frame.title or TITLE, f"{count}, {day(first)} – {day(last)}"),
        *section("Weeks", _overview(weeks))]
    for week in weeks:
        story += _week(week)
    return story


def _status(status: str) -> str:
    shown = esc(status.capitalize())
    if status in ("at risk", "not met"):
        return f'<font name="{BOLD}" color="{ALERT_HEX}">{shown}</font>'
    return shown


def _span(week: HistoryWeek) -> str:
    return f"{day(week.first_day)} – {day(week.first_day + timedelta(days=6))}"


def _table(data: list[list], widths: list[float], rules: list[tuple]) -> Table:
    """A list table with a repeating header; `rules` draw the lines between its rows."""
    table = Table(data, colWidths=widths, repeatRows=1, splitInRow=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("BACKGROUND", (0, 0), (-1, 0), styles.SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, styles.ACCENT),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"), ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *rules]))
    return table


def _overview(weeks: tuple[HistoryWeek, ...]) -> Table:
    head = [("Week", CELL_HEAD), ("Track", CELL_HEAD), ("Minimum hours", NUMBER_HEAD),
            ("Total hours", NUMBER_HEAD), ("Meetings attended", NUMBER_HEAD),
            ("Status", CELL_HEAD)]
    data: list[list] = [[Paragraph(esc(text), style) for text, style in head]]
    for w in weeks:
        attended = sum(m.credited_minutes > 0 for m in w.meetings)
        data.append([Paragraph(esc(_span(w)), CELL), Paragraph(esc(w.track_name), CELL),
                     Paragraph(hours(w.minimum_minutes), NUMBER),
                     Paragraph(f"<b>{hours(w.total_minutes)}</b>", NUMBER),
                     Paragraph(f"{attended} of {len(w.meetings)}", NUMBER),
                     Paragraph(_status(w.status), CELL)])
    return _table(data, [W * f for f in (0.24, 0.24, 0.12, 0.12, 0.13, 0.15)],
                  [("LINEBELOW", (0, 1), (-1, -1), 0.4, styles.RULE)])


def _week(week: HistoryWeek) -> list[Flowable]:
    about = (f"<b>{hours(week.total_minutes)}</b> hours of a minimum of "
             f"{hours(week.minimum_minutes)}")
    if week.session_minutes:
        about += (f" (groups {hours(week.total_minutes - week.session_minutes)}, "
                  f"individual and family sessions {hours(week.session_minutes)})")
    about += f" — {_status(week.status)}"
    name = f"Week of {_span(week)}" + (f" · {week.track_name}" if week.track_name else "")
    page_break, *head = heading(name)
    content = _meetings(week.meetings) if week.meetings else note("No meetings this week.")
    return [page_break, KeepTogetherIfFits([*head, Paragraph(about, BODY), content])]


def _meetings(meetings: tuple[HistoryMeeting, ...]) -> Table:
    data: list[list] = [[Paragraph(esc(h), NUMBER_HEAD if numeric else CELL_HEAD)
                         for h, _share, numeric in MEETING_COLUMNS]]
    rules: list[tuple] = []
    for m in meetings:
        status = _status(m.status)
        if m.flags:
            status += f"<br/><font size='7.5' color='{ALERT_HEX}'>{esc(', '.join(m.flags))}</font>"
        values = [f"{weekday(m.day, short=True)} {m.day:%m/%d}", esc(m.title),
                  esc(window(m.start, m.end)), clock(m.time_in), clock(m.time_out),
                  hours(m.credited_minutes), status]
        data.append([Paragraph(v, NUMBER if numeric else CELL)
                     for v, (_h, _s, numeric) in zip(values, MEETING_COLUMNS, strict=True)])
        for c in m.corrections:
            row = len(data)
            text = (f"Corrected {_moment(c.changed_at)} by {esc(c.changed_by)}: "
                    f"{esc(c.change)}. Reason: {esc(c.reason)}")
            data.append([Paragraph(text, CORRECTION)] + [""] * (len(MEETING_COLUMNS) - 1))
            rules += [("SPAN", (0, row), (-1, row)), ("TOPPADDING", (0, row), (-1, row), 0)]
        last = len(data) - 1        # the meeting's last row: its own or its last correction's
        rules.append(("LINEBELOW", (0, last), (-1, last), 0.4, styles.RULE))
    return _table(data, [W * share for _h, share, _n in MEETING_COLUMNS], rules)


def _moment(at: datetime) -> str:
    """'11/17/2026 2:03 PM' (the practice's wall-clock time, as the footer prints it)."""
    return f"{at:%m/%d/%Y} {clock(at.time())}"
