"""The Check-in area's three lists: the search's matches, today's meetings with their counts,
and the day's list (one line per person and meeting of their day), with the words each
status is shown in. Times are the practice's wall-clock times ("9:02 AM"), never this
computer's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from iopdesk.domain.attendance_views import (AttendanceView, DayMeeting, DayRow, DayView,
                                             FoundParticipant)
from iopdesk.domain.enums import AttendanceStatus
from iopdesk.domain.time import practice_time
from iopdesk.ui.table_model import Index, RowIdRole, RowsTableModel

MeetingRole = Qt.ItemDataRole.UserRole + 4      # the meeting id of a day-list line

HERE_COLOUR = QColor("#1e6b34")
MISSING_COLOUR = QColor("#8a5a00")
AWAY_COLOUR = QColor("#6c757d")


def _tr(text: str) -> str:
    return QCoreApplication.translate("CheckInArea", text)


def clock_text(moment: datetime | None, zone: str) -> str:
    """'9:02 AM' at the practice ('' for no moment)."""
    if moment is None:
        return ""
    local = practice_time(moment, zone)
    half = "AM" if local.hour < 12 else "PM"
    return f"{local.hour % 12 or 12}:{local.minute:02d} {half}"


def meeting_text(meeting: DayMeeting, zone: str) -> str:
    """'9:00 AM Recovery skills (Adult IOP)'."""
    return f"{clock_text(meeting.start, zone)} {meeting.title} ({meeting.track_name})"


def status_text(attendance: AttendanceView | None) -> str:
    """Expected, here (late), left (early), absent, excused: what the desk needs to know."""
    if attendance is None or attendance.status == AttendanceStatus.EXPECTED:
        return _tr("Expected")
    if attendance.status == AttendanceStatus.ABSENT:
        return _tr("Absent")
    if attendance.status == AttendanceStatus.EXCUSED:
        return _tr("Excused")
    if attendance.here:
        return _tr("Here, late") if attendance.late else _tr("Here")
    if attendance.no_checkout:
        return _tr("No check-out")
    if attendance.left_early:
        return _tr("Left early")
    return _tr("Late, left") if attendance.late else _tr("Left")


@dataclass(frozen=True)
class DayLine:
    """One line of the day's list: a person at one meeting of their day."""

    row: DayRow
    meeting: DayMeeting
    attendance: AttendanceView | None

    @property
    def key(self) -> tuple[int, int]:
        return (self.row.participant_id, self.meeting.id)


def day_lines(view: DayView) -> list[DayLine]:
    """Everyone expected at each meeting of their track, and each walk-in at the meeting they
    came to: by meeting (start time), then name."""
    lines: list[DayLine] = []
    for meeting in view.meetings:
        for row in view.rows:
            attendance = row.at(meeting.id)
            if row.track_id == meeting.track_id or attendance is not None:
                lines.append(DayLine(row, meeting, attendance))
    return lines


class MatchesModel(RowsTableModel):
    """The search's matches. Columns: Name, Chart #, Today."""

    NAME, CHART, TODAY = range(3)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers = (self.tr("Name"), self.tr("Chart #"), self.tr("Today"))
        self.zone = "UTC"

    def set_rows(self, rows: tuple[FoundParticipant, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> FoundParticipant:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == RowIdRole and index.isValid() and 0 <= index.row() < len(self._rows):
            return self._rows[index.row()].participant_id
        return super().data(index, role)

    def _display(self, found: FoundParticipant, column: int) -> str | None:
        if column == self.NAME:
            return found.name
        if column == self.CHART:
            return found.chart_number
        if column == self.TODAY:
            if not found.expected or found.row is None:
                return self.tr("Not expected today")
            here = [a for a in found.row.attendance if a.here]
            if here:
                return self.tr("{track}: here since {time}").format(
                    track=found.row.track_name, time=clock_text(here[0].time_in, self.zone))
            return self.tr("Expected today ({track})").format(track=found.row.track_name)
        return None

    def _decoration(self, found: FoundParticipant, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and not found.expected:
            return QBrush(AWAY_COLOUR)
        return None


class MeetingsModel(RowsTableModel):
    """Today's meetings. Columns: Time, Group, Track, Here (now), Came (checked in at all:
    once a meeting has begun), Expected, Not here (expected, neither checked in nor marked
    absent: not yet here while it runs, never came once it is over)."""

    TIME, GROUP, TRACK, HERE, CAME, EXPECTED, MISSING = range(7)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers = (self.tr("Time"), self.tr("Group"), self.tr("Track"), self.tr("Here"),
                         self.tr("Came"), self.tr("Expected"), self.tr("Not here"))
        self.now: datetime | None = None      # when the day was read: a meeting begun or not
        self.zone = "UTC"

    def set_rows(self, meetings: tuple[DayMeeting, ...], zone: str,
                 now: datetime | None = None) -> None:
        self.beginResetModel()
        self.zone, self.now = zone, now
        self._rows = list(meetings)
        self.endResetModel()

    def row_at(self, row: int) -> DayMeeting:
        return self._rows[row]

    def _display(self, meeting: DayMeeting, column: int) -> str | None:
        if column == self.TIME:
            return f"{clock_text(meeting.start, self.zone)}–{clock_text(meeting.end, self.zone)}"
        if column == self.GROUP:
            if meeting.cancelled:
                return self.tr("{title} (cancelled: {reason})").format(
                    title=meeting.title, reason=meeting.cancel_reason or self.tr("no reason"))
            if meeting.running:
                return self.tr("{title} (now)").format(title=meeting.title)
            return meeting.title
        if column == self.TRACK:
            return meeting.track_name
        if column == self.HERE:
            return str(meeting.here_count)
        if column == self.CAME:
            begun = meeting.running or (self.now is not None and meeting.start <= self.now)
            return str(meeting.attended_count) if begun and not meeting.cancelled else ""
        if column == self.EXPECTED:
            return str(meeting.expected_count)
        if column == self.MISSING:
            return str(len(meeting.missing))
        return None

    def _decoration(self, meeting: DayMeeting, role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole and meeting.running:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and meeting.cancelled:
            return QBrush(AWAY_COLOUR)
        return None


class DayModel(RowsTableModel):
    """The day's list. Columns: Name, Chart #, Meeting, Status, In, Out, Note."""

    NAME, CHART, MEETING, STATUS, IN, OUT, NOTE = range(7)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers = (self.tr("Name"), self.tr("Chart #"), self.tr("Meeting"),
                         self.tr("Status"), self.tr("In"), self.tr("Out"), self.tr("Note"))
        self.zone = "UTC"

    def set_lines(self, lines: list[DayLine], zone: str) -> None:
        self.beginResetModel()
        self.zone = zone
        self._rows = lines
        self.endResetModel()

    def line_at(self, row: int) -> DayLine:
        return self._rows[row]

    def row_of(self, key: tuple[int, int]) -> int:
        """The row of (participant id, meeting id), or -1."""
        return next((i for i, line in enumerate(self._rows) if line.key == key), -1)

    def lines(self) -> list[DayLine]:
        return list(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (RowIdRole, MeetingRole) and index.isValid() \
                and 0 <= index.row() < len(self._rows):
            line = self._rows[index.row()]
            return line.row.participant_id if role == RowIdRole else line.meeting.id
        return super().data(index, role)

    def _display(self, line: DayLine, column: int) -> str | None:
        attendance = line.attendance
        if column == self.NAME:
            return line.row.name
        if column == self.CHART:
            return line.row.chart_number
        if column == self.MEETING:
            return meeting_text(line.meeting, self.zone)
        if column == self.STATUS:
            return status_text(attendance)
        if column == self.IN:
            return clock_text(attendance.time_in, self.zone) if attendance else ""
        if column == self.OUT:
            return clock_text(attendance.time_out, self.zone) if attendance else ""
        if column == self.NOTE:
            notes = []
            if attendance is not None and attendance.walk_in:
                notes.append(self.tr("Walk-in (enrolled in {track})").format(
                    track=line.row.track_name))
            if attendance is not None and attendance.absence_reason:
                notes.append(attendance.absence_reason)
            if line.meeting.cancelled:
                notes.append(self.tr("Meeting cancelled"))
            return "; ".join(notes)
        return None

    def _decoration(self, line: DayLine, role: int) -> Any:
        if role != Qt.ItemDataRole.ForegroundRole:
            return None
        attendance = line.attendance
        if attendance is not None and attendance.here:
            return QBrush(HERE_COLOUR)
        if attendance is not None and attendance.status in (AttendanceStatus.ABSENT,
                                                            AttendanceStatus.EXCUSED):
            return QBrush(AWAY_COLOUR)
        if line.meeting.running and line.row.participant_id in line.meeting.missing:
            return QBrush(MISSING_COLOUR)
        return None
