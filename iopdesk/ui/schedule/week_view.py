"""A track's week as seven day columns (from the track's week start): on each day its
closures first, then its meetings by start, one cell each with the time window, title, topic
and facilitator, and, up to today, the meeting's attendance as the front desk recorded it
(here now while it runs, attended once it ended). A cancelled meeting is greyed and struck
through, with its reason unstruck below; a closure is a yellow cell with its reason. Arrow
keys move between cells; Enter (or a double-click) on a cell is `entry_activated`.

Each cell's text is a rich-text label over the table's item (which gives the selection, the
yellow of a closure, and the keyboard), so painting stays in Qt's C++: PySide6 6.12 loses a
reference to None on every call from Python that returns nothing, and a Python delegate would
make several for each cell at every repaint. For the same reason what each cell holds is kept
here in Python (`_cells`), not read back from Qt."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QLocale, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QWidget)

from iopdesk.domain.attendance_views import DayMeeting
from iopdesk.domain.schedule import CLOSED_PREFIX, ClosureView, MeetingView, WeekView

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services

CLOSURE_BACKGROUND = "#fff3cd"
CANCELLED_COLOR = "#6c757d"
REASON_COLOR = "#b00020"
ATTENDANCE_COLOR = "#0b3d66"
Entry = MeetingView | ClosureView


def cancelled_text(meeting: MeetingView) -> str:
    """'Closed: Thanksgiving Day' (a closure says why itself), 'Cancelled: Facilitator ill'."""
    if meeting.cancel_reason.startswith(CLOSED_PREFIX):
        return meeting.cancel_reason
    return f"Cancelled: {meeting.cancel_reason}" if meeting.cancel_reason else "Cancelled"


def attendance_line(counts: DayMeeting, now: datetime) -> str:
    """A meeting's attendance from its day's counts: who is here while it runs, who came once
    it ended, who is expected before it starts."""
    if counts.running:
        return f"Here now: {counts.here_count} of {counts.expected_count}"
    if counts.end <= now:
        return f"Attended: {counts.attended_count} of {counts.expected_count}"
    return f"Expected: {counts.expected_count}"


def load_week(services: Services, actor: Actor, track_id: int, day: date,
              today: date) -> tuple[WeekView, dict[int, str]]:
    """(the track's week holding `day`, meeting id -> its attendance line) on a worker: the
    counts of each day up to `today` with a meeting held (attendance.day, audited as every
    read of attendance is); the days to come have none yet."""
    week = services.schedule.week(actor, track_id, day)
    lines: dict[int, str] = {}
    now = services.settings.clock().utc()
    for shown in week.days:
        if shown.day <= today and any(not m.cancelled for m in shown.meetings):
            for counts in services.attendance.day(actor, shown.day, track_id).meetings:
                if not counts.cancelled:
                    lines[counts.id] = attendance_line(counts, now)
    return week, lines


def meeting_lines(meeting: MeetingView, attendance: str = "") -> list[str]:
    """What a meeting's cell says, line by line (without its cancellation)."""
    lines = [meeting.window.replace("-", "–"), meeting.title]
    if meeting.topic:
        lines.append(f"Topic: {meeting.topic}")
    lines.append(meeting.facilitator_name or "No facilitator yet")
    if attendance and not meeting.cancelled:
        lines.append(attendance)
    return lines


def meeting_cell(meeting: MeetingView, attendance: str = "") -> tuple[str, str]:
    """(plain text, rich text) of a meeting's cell, with its `attendance` line if any."""
    lines = meeting_lines(meeting, attendance)
    plain = "\n".join(lines + ([cancelled_text(meeting)] if meeting.cancelled else []))
    shown = attendance and not meeting.cancelled
    parts = [f"<b>{escape(lines[0])}</b>", escape(lines[1])]
    if meeting.topic:
        parts.append(f"<i>{escape(lines[2])}</i>")
    parts.append(escape(lines[-2] if shown else lines[-1]))
    if shown:
        parts.append(f'<span style="color:{ATTENDANCE_COLOR}"><b>{escape(attendance)}</b>'
                     "</span>")
    html = "<br>".join(parts)
    if meeting.cancelled:
        html = (f'<span style="color:{CANCELLED_COLOR}"><s>{html}</s></span><br>'
                f'<span style="color:{REASON_COLOR}"><b>{escape(cancelled_text(meeting))}'
                "</b></span>")
    return plain, html


def closure_cell(closure: ClosureView) -> tuple[str, str]:
    """(plain text, rich text) of a closure's cell."""
    plain = f"Closed: {closure.reason}\n{closure.scope}"
    html = (f'<b>Closed: {escape(closure.reason)}</b><br>'
            f'<span style="color:{CANCELLED_COLOR}">{escape(closure.scope)}</span>')
    return plain, html


class WeekTable(QTableWidget):
    entry_activated = Signal(object)        # the MeetingView or ClosureView of the cell
    current_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 7, parent)
        self.setObjectName("scheduleWeek")
        self.week: WeekView | None = None
        self._cells: dict[tuple[int, int], tuple[str, Entry]] = {}    # plain text, entry
        self._labels: dict[tuple[int, int], QLabel] = {}
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setTabKeyNavigation(False)
        self.setShowGrid(True)
        # a light selection, so that the labels' dark text stays readable on it
        self.setStyleSheet("QTableView { selection-background-color: #cfe2ff; }")
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        header.sectionResized.connect(lambda *_: self._fit_rows())
        self.activated.connect(self._activated)
        self.currentCellChanged.connect(lambda *_: self.current_changed.emit())

    def set_week(self, week: WeekView, today: date,
                 attendance: Mapping[int, str] | None = None) -> None:
        """Show `week` (with each meeting's `attendance` line: load_week); the cell of the
        entry shown before stays current when it is there."""
        keep = self.current_entry()
        self.week = week
        attendance = attendance or {}
        self.clearContents()            # the labels too (the table owns its cell widgets)
        self._cells.clear()
        self._labels.clear()
        columns = [[closure_cell(c) + (c,) for c in day.closures]
                   + [meeting_cell(m, attendance.get(m.id, "")) + (m,) for m in day.meetings]
                   for day in week.days]
        self.setRowCount(max((len(c) for c in columns), default=0))
        locale = QLocale()
        for number, day in enumerate(week.days):
            shown = QDate(day.day.year, day.day.month, day.day.day)
            label = locale.toString(shown, "ddd") + "\n" + locale.toString(shown, "MMM d")
            header = QTableWidgetItem(label + ("\n" + self.tr("today") if day.day == today
                                               else ""))
            if day.day == today:
                font = QFont(self.font())
                font.setBold(True)
                header.setFont(font)
            self.setHorizontalHeaderItem(number, header)
            for row, (plain, html, entry) in enumerate(columns[number]):
                self._cells[row, number] = (plain, entry)
                self.setItem(row, number, self._item(plain, entry))
                self._labels[row, number] = label = self._label(html)
                self.setCellWidget(row, number, label)
        self._fit_rows()
        if keep is not None:
            self.select_entry(keep)

    def clear_week(self) -> None:
        """Show no week (no track to show)."""
        self.week = None
        self.clearContents()
        self._cells.clear()
        self._labels.clear()
        self.setRowCount(0)

    def _item(self, plain: str, entry: Entry) -> QTableWidgetItem:
        """The cell under the label: selectable, its plain text for tips and screen readers."""
        item = QTableWidgetItem()
        item.setToolTip(plain)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, plain)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        if isinstance(entry, ClosureView):
            item.setBackground(QBrush(QColor(CLOSURE_BACKGROUND)))
        return item

    def _label(self, html: str) -> QLabel:
        label = QLabel(html)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        label.setContentsMargins(6, 4, 6, 6)
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return label

    def _fit_rows(self) -> None:
        """Each row as high as its tallest cell's text at the columns' width."""
        heights: dict[int, int] = {}
        for (row, column), label in self._labels.items():
            height = label.heightForWidth(self.columnWidth(column))
            heights[row] = max(heights.get(row, 0), height)
        for row, height in heights.items():
            self.setRowHeight(row, height)

    def entry_at(self, row: int, column: int) -> Entry | None:
        cell = self._cells.get((row, column))
        return cell[1] if cell is not None else None

    def current_entry(self) -> Entry | None:
        """The meeting or closure of the selected cell."""
        index = self.currentIndex()
        if not index.isValid() or not self.selectionModel().isSelected(index):
            return None
        return self.entry_at(index.row(), index.column())

    def day_of_column(self, column: int) -> date | None:
        return self.week.days[column].day if self.week is not None and column >= 0 else None

    def current_day(self) -> date | None:
        """The day of the current cell (empty ones too)."""
        return self.day_of_column(self.currentColumn())

    def cells(self, day: date) -> list[str]:
        """The plain text of `day`'s cells, top to bottom."""
        column = next(n for n, d in enumerate(self.week.days) if d.day == day)
        return [self._cells[row, column][0] for row in range(self.rowCount())
                if (row, column) in self._cells]

    def select_entry(self, entry: Entry) -> bool:
        """Make the cell of `entry` (the same meeting or closure, by id) current."""
        for (row, column), (_plain, shown) in self._cells.items():
            if type(shown) is type(entry) and shown.id == entry.id:
                self.setCurrentCell(row, column)
                return True
        return False

    def _activated(self, index: QModelIndex) -> None:
        entry = self.entry_at(index.row(), index.column())
        if entry is not None:
            self.entry_activated.emit(entry)
