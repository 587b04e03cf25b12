"""The front desk's meetings of the day on Today (from `attendance.day`): each meeting with how
many are here (checked in) against how many are expected, the meeting running now marked and
the next one of each track, cancelled ones with their reason; under each, everyone expected
with their attendance — under the running meeting, those not here yet first, marked, so the
desk sees at once who is missing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from iopdesk.domain.enums import AttendanceStatus
from iopdesk.ui.today.parts import ListSection, moment_text, person_item

if TYPE_CHECKING:
    from iopdesk.domain.attendance_views import AttendanceView, DayMeeting, DayRow, DayView
    from iopdesk.domain.time import PracticeClock

RUNNING_BACKGROUND = QColor("#e7f1ff")
MISSING_COLOR = QColor("#b02a37")


def _tr(text: str) -> str:
    return QCoreApplication.translate("TodayArea", text)


def attendance_text(mark: AttendanceView | None, meeting: DayMeeting,
                    clock: PracticeClock) -> str:
    """A person's attendance of the meeting in a few words, with the times at the practice."""
    if mark is None or mark.status == AttendanceStatus.EXPECTED:
        if meeting.running:
            return _tr("Not here yet")
        return _tr("Not recorded") if meeting.end <= clock.utc() else _tr("Expected")
    time_in, time_out = moment_text(clock, mark.time_in), moment_text(clock, mark.time_out)
    if mark.here:
        text = (_tr("Late, here since {time}") if mark.late
                else _tr("Here since {time}")).format(time=time_in)
    elif mark.status in (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED):
        text = _tr("Excused") if mark.status == AttendanceStatus.EXCUSED else _tr("Absent")
    else:
        label = {AttendanceStatus.LATE: _tr("Late"),
                 AttendanceStatus.LEFT_EARLY: _tr("Left early")}.get(mark.status, _tr("Present"))
        text = f"{label} {time_in}–{time_out}" if time_out else f"{label} {time_in}"
    if mark.no_checkout:
        text += " " + _tr("(no check-out)")
    if mark.walk_in:
        text = _tr("Walk-in") + " · " + text
    return text


def _meeting_text(meeting: DayMeeting, clock: PracticeClock) -> str:
    parts = [f"{moment_text(clock, meeting.start)}–{moment_text(clock, meeting.end)}",
             meeting.title, meeting.track_name]
    if meeting.facilitator_name:
        parts.append(_tr("with {name}").format(name=meeting.facilitator_name))
    if meeting.cancelled:
        parts.append(_tr("Cancelled: {reason}").format(reason=meeting.cancel_reason)
                     if meeting.cancel_reason else _tr("Cancelled"))
        return " · ".join(parts)
    if meeting.running:
        parts.insert(0, _tr("Running now"))
        parts.append(_tr("{here} here / {expected} expected").format(
            here=meeting.here_count, expected=meeting.expected_count))
        if meeting.missing:
            parts.append(_tr("{count} not here yet").format(count=len(meeting.missing)))
    else:
        if meeting.next:
            parts.insert(0, _tr("Next"))
        parts.append(_tr("{here} checked in / {expected} expected").format(
            here=meeting.attended_count, expected=meeting.expected_count))
    return " · ".join(parts)


class DayMeetingsSection(ListSection):
    """The day's meetings, each with the people expected at it under it."""

    def __init__(self, parent: QWidget):
        tree = QTreeWidget()
        tree.setObjectName("todayMeetings")
        tree.setColumnCount(3)
        tree.setHeaderLabels([_tr("Group / participant"), _tr("Chart #"), _tr("Attendance")])
        tree.setAlternatingRowColors(True)
        tree.setUniformRowHeights(True)
        tree.setStyleSheet("QTreeView::item { padding: 2px 0; }")
        header = tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        super().__init__(_tr("Today's groups"), "todayMeetings", tree, self._show, parent)

    def _show(self, answer: tuple[DayView, PracticeClock]) -> str | None:
        day, clock = answer
        for meeting in day.meetings:
            self.tree.addTopLevelItem(self._meeting_item(meeting, day.rows, clock))
        self.tree.expandAll()
        for row in range(self.tree.topLevelItemCount()):
            self.tree.topLevelItem(row).setFirstColumnSpanned(True)
        return None if day.meetings else _tr("No groups meet today.")

    def _meeting_item(self, meeting: DayMeeting, rows: tuple[DayRow, ...],
                      clock: PracticeClock) -> QTreeWidgetItem:
        item = QTreeWidgetItem([_meeting_text(meeting, clock)])
        font = QFont(item.font(0))
        font.setBold(True)
        item.setFont(0, font)
        dim = self.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if meeting.cancelled:
            item.setForeground(0, dim)
            return item
        if meeting.running:
            for column in range(3):
                item.setBackground(column, QBrush(RUNNING_BACKGROUND))
        missing = set(meeting.missing)
        expected = [r for r in rows if r.track_id == meeting.track_id or r.at(meeting.id)]
        if meeting.running:          # those not here yet first: whom the desk looks for
            expected.sort(key=lambda r: r.participant_id not in missing)
        for row in expected:
            mark = row.at(meeting.id)
            child = person_item([row.name, row.chart_number,
                                 attendance_text(mark, meeting, clock)],
                                row.participant_id, row.chart_number)
            if mark is not None and mark.absence_reason:
                child.setToolTip(2, mark.absence_reason)
            if meeting.running and row.participant_id in missing:
                bold = QFont(child.font(2))
                bold.setBold(True)
                child.setFont(2, bold)
                child.setForeground(2, QBrush(MISSING_COLOR))
            elif mark is None or mark.status == AttendanceStatus.EXPECTED:
                child.setForeground(2, dim)
            item.addChild(child)
        return item
