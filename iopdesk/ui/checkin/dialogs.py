"""The Check-in area's two small forms: marking someone absent or excused from a meeting (the
reason is required), and correcting the times of an attendance (time in, time out, the
reason). Both are RecordDialogs: a refusal is shown at its field (or in the banner: someone
else's newer save, a permission), and what was typed stays."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from iopdesk.domain.changes import RecordKind
from iopdesk.domain.time import practice_time, zone_info
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.checkin.models import DayLine, clock_text, meeting_text
from iopdesk.ui.schedule.inputs import line_edit, read_time

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

REASON_MAX = 200


class _LineDialog(RecordDialog):
    """A form about one line of the day's list, named at its top."""

    def __init__(self, services: Services, actor: Actor, runner: Runner, line: DayLine,
                 zone: str, parent: QWidget | None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self.line = line
        self.zone = zone
        about = QLabel(f"{line.row.name} ({line.row.chart_number}) · "
                       f"{meeting_text(line.meeting, zone)}", self)
        about.setObjectName("checkinLineSummary")
        about.setWordWrap(True)
        self.form.addRow(about)

    def _reason_row(self, hint: str) -> None:
        self.reason_edit = line_edit(self, "reason", "", hint)
        self.fields.add_row(self.form, self.tr("&Reason:"), self.reason_edit, "reason")
        self.fields.limit("reason", REASON_MAX)


class AbsenceDialog(_LineDialog):
    """Absent (or excused, ticked) from the meeting, and why."""

    def __init__(self, services: Services, actor: Actor, runner: Runner, line: DayLine,
                 zone: str, parent: QWidget | None = None):
        super().__init__(services, actor, runner, line, zone, parent)
        self.setObjectName("absenceDialog")
        self.setWindowTitle(self.tr("Absent from {title}").format(title=line.meeting.title))
        self.excused_box = QCheckBox(self.tr("E&xcused (the absence was announced or "
                                             "agreed)"), self)
        self.excused_box.setObjectName("excused")
        self.fields.add_row(self.form, "", self.excused_box, "excused")
        self._reason_row("Called in sick")
        self.save_button.setText(self.tr("&Mark absent"))
        self.reason_edit.setFocus()

    def call(self):
        services, actor = self._services, self._actor
        participant_id, meeting_id = self.line.row.participant_id, self.line.meeting.id
        excused, reason = self.excused_box.isChecked(), self.reason_edit.text()
        return (lambda: services.attendance.mark_absent(actor, participant_id, meeting_id,
                                                        excused, reason)), {}


class CorrectTimesDialog(_LineDialog):
    """Other times in and out for one attendance (the practice's wall-clock times on the
    meeting's day), and why; carries the version it shows, so a newer save elsewhere is
    refused naming who made it."""

    def __init__(self, services: Services, actor: Actor, runner: Runner, line: DayLine,
                 zone: str, parent: QWidget | None = None):
        super().__init__(services, actor, runner, line, zone, parent)
        attendance = line.attendance
        self.setObjectName("correctTimesDialog")
        self.setWindowTitle(self.tr("Correct the times of {name}").format(name=line.row.name))
        self.in_edit = line_edit(self, "time_in", clock_text(attendance.time_in, zone),
                                 "9:00 AM or 09:00")
        self.fields.add_row(self.form, self.tr("Time &in:"), self.in_edit, "time_in", "at")
        self.out_edit = line_edit(self, "time_out", clock_text(attendance.time_out, zone),
                                  "empty: not checked out")
        self.fields.add_row(self.form, self.tr("Time &out:"), self.out_edit, "time_out")
        self._reason_row("Signed in on paper at 9:05")
        self.save_button.setText(self.tr("&Correct"))
        self.in_edit.setFocus()

    def watched_record(self) -> tuple[RecordKind, int]:
        return (RecordKind.ATTENDANCE, self.line.attendance.id)

    def _moment(self, value: time | None) -> datetime | None:
        """The wall-clock `value` on the meeting's day at the practice, as UTC."""
        if value is None:
            return None
        day = practice_time(self.line.meeting.start, self.zone).date()
        return datetime.combine(day, value, tzinfo=zone_info(self.zone)).astimezone(UTC)

    def call(self):
        errors: dict[str, str] = {}
        time_in = self._moment(read_time(self.in_edit, "time_in", errors))
        time_out = self._moment(read_time(self.out_edit, "time_out", errors))
        if errors:
            return None, errors
        services, actor = self._services, self._actor
        attendance_id, version = self.line.attendance.id, self.line.attendance.version
        reason = self.reason_edit.text()
        return (lambda: services.attendance.correct(actor, attendance_id, version, time_in,
                                                    time_out, reason)), {}
