"""The week's attendance and hours report: every participant's credited group hours, session
hours and total against the track's minimum, the week's status (met, on track, at risk, not
met), absences and what needs review; totals and a legend of the statuses. As PDF, and as CSV
for a spreadsheet or a payer's portal (the same columns, minutes and hours, nothing more).
"""

from __future__ import annotations

import csv
import io

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from iopdesk.domain.attendance_documents import ALL_TRACKS, HoursReport, HoursRow
from iopdesk.reports import styles
from iopdesk.reports.attendance_layout import RosterFrame, build_roster_pdf, hours
from iopdesk.reports.fonts import BOLD, REGULAR, register_fonts
from iopdesk.reports.layout import CONTENT_WIDTH
from iopdesk.reports.styles import (BULLET, CELL, CELL_HEAD, SMALL, day, esc, gap, note,
                                    section, title)

W = CONTENT_WIDTH
TITLE = "Weekly Attendance and Hours"
STATUSES = ("met", "on track", "at risk", "not met")
LEGEND = {
    "met": "the hours credited this week reached the week's minimum.",
    "on track": "not met yet; attending the rest of the week's scheduled meetings would meet "
                "it.",
    "at risk": "cannot meet the minimum this week even by attending every remaining meeting.",
    "not met": "the week ended below the minimum.",
}
NUMBER = ParagraphStyle("Number", parent=CELL, alignment=TA_RIGHT)
HEAD = ParagraphStyle("HoursHead", parent=CELL_HEAD, fontSize=7.5, leading=9)
NUMBER_HEAD = ParagraphStyle("NumberHead", parent=HEAD, alignment=TA_RIGHT)
ALERT_HEX = "#9B1C1C"

CSV_HEADER = ("participant", "chart_number", "track", "week_first", "week_last",
              "minimum_minutes", "minimum_hours", "group_minutes", "group_hours",
              "session_minutes", "session_hours", "total_minutes", "total_hours", "status",
              "excused_absences", "unexcused_absences", "flags")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render_hours_report(report: HoursReport) -> bytes:
    return build_roster_pdf(hours_frame(report), hours_story(report))


def _week(report: HoursReport) -> str:
    return f"Week of {day(report.week_first)} – {day(report.week_last)}"


def hours_frame(report: HoursReport) -> RosterFrame:
    return RosterFrame(letterhead=report.letterhead, title=TITLE, subject=report.track_name,
                       detail=_week(report), printed_at=report.printed_at,
                       printed_by=report.printed_by, part2_notice=report.part2_notice)


def hours_story(report: HoursReport) -> list[Flowable]:
    """The content flowables (without the page furniture)."""
    register_fonts()
    story: list[Flowable] = [*title(TITLE, f"{esc(report.track_name)} · {esc(_week(report))}")]
    if not report.rows:
        story.append(note("No participants had meetings or sessions this week: nothing to "
                          "report."))
        return story
    story += [Paragraph(_summary(report.rows), styles.BODY), gap(), _table(report),
              *_legend()]
    return story


def _summary(rows: tuple[HoursRow, ...]) -> str:
    counts = [f"{sum(r.status == s for r in rows)} {s}" for s in STATUSES]
    others = sum(r.status not in STATUSES for r in rows)
    if others:
        counts.append(f"{others} other")
    people = "participant" if len(rows) == 1 else "participants"
    return f"<b>{len(rows)} {people}</b>: " + " · ".join(counts)


def _status(status: str) -> str:
    shown = esc(status.capitalize())
    if status in ("at risk", "not met"):
        return f'<font name="{BOLD}" color="{ALERT_HEX}">{shown}</font>'
    return shown


COLUMNS = (  # header, share of the width, numeric
    ("Participant", 0.225, False), ("Chart", 0.07, False), ("Minimum\nhours", 0.09, True),
    ("Groups\nhours", 0.075, True), ("Sessions\nhours", 0.085, True),
    ("Total\nhours", 0.085, True), ("Status", 0.09, False),
    ("Absences\nexc./unexc.", 0.11, True), ("Review", 0.17, False))


def _tracks(rows: tuple[HoursRow, ...]) -> dict[str, list[HoursRow]]:
    """The rows by track, tracks in the order they first come, rows in their order."""
    grouped: dict[str, list[HoursRow]] = {}
    for r in rows:
        grouped.setdefault(r.track_name, []).append(r)
    return grouped


def _table(report: HoursReport) -> Table:
    """The rows under a line per track when the report covers all tracks; then the totals."""
    data: list[list[Paragraph]] = [[Paragraph(esc(h), NUMBER_HEAD if numeric else HEAD)
                                    for h, _share, numeric in COLUMNS]]
    track_rows: list[int] = []
    for track, rows in _tracks(report.rows).items():
        if report.track_name == ALL_TRACKS:
            track_rows.append(len(data))
            data.append([Paragraph(f"<b>{esc(track)}</b>", CELL)] + [""] * (len(COLUMNS) - 1))
        for r in rows:
            data.append(_row([
                esc(r.participant_name), esc(r.chart_number), hours(r.minimum_minutes),
                hours(r.group_minutes), hours(r.session_minutes),
                f"<b>{hours(r.total_minutes)}</b>", _status(r.status),
                f"{r.excused} / {r.unexcused}", esc(", ".join(r.flags)) if r.flags else ""]))
    rows = report.rows
    data.append(_row([
        "<b>Total</b>", "", "", hours(sum(r.group_minutes for r in rows)),
        hours(sum(r.session_minutes for r in rows)),
        f"<b>{hours(sum(r.total_minutes for r in rows))}</b>", "",
        f"{sum(r.excused for r in rows)} / {sum(r.unexcused for r in rows)}", ""]))
    table = Table(data, colWidths=[W * share for _h, share, _n in COLUMNS], repeatRows=1,
                  splitInRow=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("BACKGROUND", (0, 0), (-1, 0), styles.SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, styles.ACCENT),
        ("LINEBELOW", (0, 1), (-1, -2), 0.4, styles.RULE),
        ("LINEABOVE", (0, -1), (-1, -1), 0.8, styles.ACCENT),
        ("BACKGROUND", (0, -1), (-1, -1), styles.SHADE),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"), ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *[cmd for i in track_rows for cmd in (
            ("SPAN", (0, i), (-1, i)), ("TOPPADDING", (0, i), (-1, i), 7),
            ("LINEBELOW", (0, i), (-1, i), 0.6, styles.ACCENT))]]))
    return table


def _row(values: list[str]) -> list[Paragraph]:
    return [Paragraph(value, NUMBER if numeric else CELL)
            for value, (_h, _share, numeric) in zip(values, COLUMNS, strict=True)]


def _legend() -> list[Flowable]:
    items = [Paragraph(f"<b>{esc(s.capitalize())}</b>: {esc(text)}", BULLET, bulletText="•")
             for s, text in LEGEND.items()]
    items.append(Paragraph(
        "Hours with two decimals. Groups: the overlap of the time in the room with the "
        "meeting's scheduled time. Sessions: documented individual, family and intake "
        "sessions. The minimum is the track's, lowered for closures. Excused absences count "
        "no hours.", SMALL))
    return section("Statuses", *items)


def _csv_text(value: str) -> str:
    """A text cell a spreadsheet cannot take for a formula ("=HYPERLINK(…)" as a name)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def hours_csv(report: HoursReport) -> bytes:
    """The report's rows as UTF-8 CSV (RFC 4180, a header row): minutes and hours (two
    decimals) of each measure, and exactly the columns of the PDF. An empty week is the
    header row alone."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    first, last = report.week_first.isoformat(), report.week_last.isoformat()
    for r in report.rows:
        writer.writerow([
            _csv_text(r.participant_name), _csv_text(r.chart_number), _csv_text(r.track_name),
            first, last,
            r.minimum_minutes, hours(r.minimum_minutes), r.group_minutes,
            hours(r.group_minutes), r.session_minutes, hours(r.session_minutes),
            r.total_minutes, hours(r.total_minutes), _csv_text(r.status), r.excused, r.unexcused,
            _csv_text("; ".join(r.flags))])
    return out.getvalue().encode("utf-8")
