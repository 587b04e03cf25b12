"""What the attendance documents share: how they print times and hours, and the page around a
document about a group rather than one participant (a meeting's sign-in sheet, the week's
hours report): the letterhead and footer of layout.py, and in place of the participant's line
a shaded line saying what the list is (track, day or week), repeated on every page with the
letterhead, so a loose page still says what it belongs to.

`build_roster_pdf(frame, story)`: a RosterFrame and platypus flowables in, PDF bytes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from iopdesk.domain.documents import Letterhead
from iopdesk.reports import styles
from iopdesk.reports.fonts import BOLD, REGULAR
from iopdesk.reports.layout import (CONTENT_WIDTH, MARGIN_X, PAGE_WIDTH, STRIP, PageDrawing,
                                    build_pdf, draw_line, fit)


# Names in English whatever the process locale (Qt sets it from the desktop: strftime's %A
# would print "Montag" on a German workstation).
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def weekday(on: date, short: bool = False) -> str:
    """'Monday' (or 'Mon')."""
    name = WEEKDAYS[on.weekday()]
    return name[:3] if short else name


def long_day(on: date) -> str:
    """'Monday, November 16, 2026'."""
    return f"{weekday(on)}, {MONTHS[on.month - 1]} {on.day}, {on.year}"


def clock(at: time | None) -> str:
    """'9:05 AM'; "" when there is no time."""
    if at is None:
        return ""
    return f"{at.hour % 12 or 12}:{at:%M} {'AM' if at.hour < 12 else 'PM'}"


def window(start: time, end: time) -> str:
    return f"{clock(start)} – {clock(end)}"


def hours(minutes: int) -> str:
    """Minutes as hours with two decimals: 570 -> '9.50', 10 -> '0.17' (half up)."""
    hundredths = (minutes * 100 + 30) // 60      # of an hour, rounded half up
    return f"{hundredths // 100}.{hundredths % 100:02d}"


@dataclass(frozen=True)
class RosterFrame:
    """What every page of a group document carries: `subject` (bold, left) and `detail`
    (right) on the shaded line under the letterhead."""

    letterhead: Letterhead
    title: str
    subject: str
    printed_at: datetime
    detail: str = ""
    printed_by: str = ""
    part2_notice: str = ""
    watermark: str = ""


class _RosterPage(PageDrawing):
    """layout.py's page, its participant line replaced by the roster's subject line."""

    def _strip(self, canvas: Canvas, below: float) -> None:
        frame: RosterFrame = self.frame   # type: ignore[assignment]
        top = below - 6
        canvas.setFillColor(styles.SHADE)
        canvas.rect(MARGIN_X, top - STRIP, CONTENT_WIDTH, STRIP, stroke=0, fill=1)
        baseline = top - STRIP / 2 - 3.5
        canvas.setFillColor(styles.INK)
        detail, size = fit(frame.detail, REGULAR, 9, CONTENT_WIDTH * 0.45)
        canvas.setFont(REGULAR, size)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X - 6, baseline, detail)
        used = stringWidth(detail, REGULAR, size) if detail else 0
        draw_line(canvas, MARGIN_X + 6, baseline, frame.subject, BOLD, 10.5,
              CONTENT_WIDTH - used - 24)


def build_roster_pdf(frame: RosterFrame, story: Sequence[Flowable]) -> bytes:
    """The document's pages as PDF bytes, as `layout.build_pdf` makes them with the roster's
    line in place of the participant's; the § 2.32 notice after the content when the frame
    has one. The PDF's metadata names the document and the practice only."""
    return build_pdf(frame, story, page_type=_RosterPage)  # type: ignore[arg-type]
