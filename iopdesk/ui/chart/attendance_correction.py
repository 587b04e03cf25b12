"""A meeting of the Attendance tab's week: the table of the week's meetings (times, credits,
flags), the recorded steps of one attendance (who, when, what, why), and the correction of
its times.

A correction is always made with why: the time in and out typed as the practice's clock
reads them on the meeting's day ("18:05"), the reason required. The service checks the rest
(times on the meeting's day, out after in, no overlap with another attendance, who may
correct after the day) and records the correction, with its reason, in the attendance's
history; every refusal is shown at its field and nothing is stored."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QWidget

from iopdesk.domain.attendance_views import AttendanceChangeView, WeekMeeting
from iopdesk.domain.changes import RecordKind
from iopdesk.domain.enums import AttendanceStatus
from iopdesk.domain.time import format_date_time, format_time, zone_info
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.table_model import RowIdRole, RowsTableModel

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

STEP_TEXT = {"checked_in": "Checked in", "checked_out": "Checked out",
             "check_in_undone": "Check-in undone", "check_out_undone": "Check-out undone",
             "marked_absent": "Marked absent", "marked_excused": "Marked excused",
             "corrected": "Times corrected"}
ATTENDANCE_TEXT = {AttendanceStatus.EXPECTED: "Expected", AttendanceStatus.PRESENT: "Present",
                   AttendanceStatus.LATE: "Late", AttendanceStatus.LEFT_EARLY: "Left early",
                   AttendanceStatus.ABSENT: "Absent", AttendanceStatus.EXCUSED: "Excused"}
_CLOCK = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def read_clock_time(text: str, field: str, what: str,
                    errors: dict[str, str]) -> time | None:
    """The time of day typed ("9:05", "18:05"; None when empty), or a message in `errors`."""
    if not text.strip():
        return None
    found = _CLOCK.match(text)
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        errors[field] = f"{what} {text.strip()!r} is not a time of day like 18:05 (24-hour)"
        return None
    return time(int(found[1]), int(found[2]))


def flags_text(meeting: WeekMeeting) -> str:
    """'late, no check-out', 'walk-in', 'reason: sick', 'cancelled' … ('' for none)."""
    found = []
    a = meeting.attendance
    if a is not None:
        found += [text for on, text in ((a.late, "late"), (a.left_early, "left early"),
                                        (a.no_checkout, "no check-out"), (a.walk_in, "walk-in"),
                                        (a.here, "here now")) if on]
        if a.absence_reason:
            found.append(f"reason: {a.absence_reason}")
    found += [text for on, text in ((meeting.cancelled, "cancelled"),
                                    (meeting.closed, "closed")) if on]
    return ", ".join(found)


class ViewsModel(RowsTableModel):
    """Rows of frozen read models; `_key` names a row for RowIdRole (a week or a meeting
    has no `id` of its own)."""

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> tuple:
        return tuple(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def _key(self, row: Any) -> Any:
        return row.id

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == RowIdRole and index.isValid() and 0 <= index.row() < len(self._rows):
            return self._key(self._rows[index.row()])
        return super().data(index, role)


class MeetingsModel(ViewsModel):
    """The meetings of one week (RowIdRole: the meeting's id); a cancelled one or one on a
    closure day is greyed."""

    def __init__(self, parent=None, zone: str = "UTC"):
        super().__init__(parent)
        self._headers = ("Date", "Meeting", "Window", "In", "Out", "Credited min", "Status",
                         "Flags")
        self.zone = zone

    def _key(self, m: WeekMeeting) -> Any:
        return m.meeting_id

    def _display(self, m: WeekMeeting, column: int) -> str | None:
        a = m.attendance
        status = ("Cancelled" if m.cancelled else "Closed" if m.closed else "Not recorded") \
            if a is None else ATTENDANCE_TEXT.get(a.status, str(a.status))
        return (f"{m.day:%a} {m.day.isoformat()}", m.title,
                f"{format_time(m.start, self.zone)}–{format_time(m.end, self.zone)}",
                format_time(a.time_in, self.zone) if a else "",
                format_time(a.time_out, self.zone) if a else "",
                str(a.minutes) if a else "", status, flags_text(m))[column]

    def _decoration(self, m: WeekMeeting, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and (m.cancelled or m.closed):
            return QBrush(QColor("#757575"))
        return None


class StepsModel(ViewsModel):
    """The recorded steps of one attendance, oldest first."""

    def __init__(self, parent=None, zone: str = "UTC"):
        super().__init__(parent)
        self._headers = ("When", "Who", "Step", "Times", "Reason")
        self.zone = zone

    def _times(self, s: AttendanceChangeView) -> str:
        def moved(label, before, after) -> str:
            old, new = format_time(before, self.zone), format_time(after, self.zone)
            if old == new:
                return f"{label} {new}" if new else ""
            return f"{label} {old or '–'} → {new or '–'}"
        return "; ".join(x for x in (moved("in", s.in_before, s.in_after),
                                     moved("out", s.out_before, s.out_after)) if x)

    def _display(self, s: AttendanceChangeView, column: int) -> str | None:
        return (format_date_time(s.changed_at, self.zone), s.changed_by,
                STEP_TEXT.get(s.action, s.action.replace("_", " ")), self._times(s),
                s.reason)[column]


class CorrectTimesDialog(RecordDialog):
    """`meeting` is a WeekMeeting with its attendance (one recorded); `saved` carries the
    AttendanceView as corrected."""

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 meeting: WeekMeeting, zone: str, parent: QWidget | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self.meeting = meeting
        self.attendance = meeting.attendance
        self.zone = zone
        self.setObjectName("correctTimesDialog")
        self.setWindowTitle(self.tr("Correct attendance times"))
        about = QLabel(self.tr(
            "{title} on {day}, {start}–{end}. Times are the practice's clock on that day; "
            "the correction and its reason stay in the attendance's history.").format(
                title=meeting.title, day=meeting.day.isoformat(),
                start=format_time(meeting.start, zone), end=format_time(meeting.end, zone)),
            self)
        about.setObjectName("correctTimesAbout")
        about.setWordWrap(True)
        self.form.addRow(about)
        self.in_edit = self._edit("time_in", self.tr("Time &in:"),
                                  format_time(self.attendance.time_in, zone))
        self.out_edit = self._edit("time_out", self.tr("Time &out:"),
                                   format_time(self.attendance.time_out, zone))
        self.out_edit.setPlaceholderText(self.tr("empty: not checked out"))
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setObjectName("reason")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(70)
        self.reason_edit.setPlaceholderText(self.tr("Why are the times corrected? (required)"))
        self.fields.add_row(self.form, self.tr("&Reason:"), self.reason_edit, "reason")
        self.save_button.setText(self.tr("&Correct"))

    def _edit(self, name: str, label: str, text: str) -> QLineEdit:
        edit = QLineEdit(text, self)
        edit.setObjectName(name)
        edit.setPlaceholderText("HH:MM")
        self.fields.add_row(self.form, label, edit, name)
        return edit

    def watched_record(self) -> tuple[RecordKind, int] | None:
        return RecordKind.ATTENDANCE, self.attendance.id

    def _moment(self, at: time | None) -> datetime | None:
        if at is None:
            return None
        local = datetime.combine(self.meeting.day, at, tzinfo=zone_info(self.zone))
        return local.astimezone(UTC)

    def call(self):
        errors: dict[str, str] = {}
        time_in = read_clock_time(self.in_edit.text(), "time_in", "Time in", errors)
        time_out = read_clock_time(self.out_edit.text(), "time_out", "Time out", errors)
        if errors:
            return None, errors
        moment_in, moment_out = self._moment(time_in), self._moment(time_out)
        reason = self.reason_edit.toPlainText()
        services, actor = self._services, self._actor
        aid, version = self.attendance.id, self.attendance.version
        return (lambda: services.attendance.correct(actor, aid, version, moment_in, moment_out,
                                                    reason)), {}
