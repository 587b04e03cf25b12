"""The actions on the selected line of the Check-in area's day list, each a button with a
mnemonic and a function key: check out (F6), check out everyone still in the meeting
(Shift+F6, asks first), mark absent or excused with a reason (F7), undo a mistaken check-out
or check-in (F8, asks first; the step stays on record), correct the times (F9).

A refusal at no dialog's field is said under the list (a ValidationError) or in a message
box (a permission, someone else's newer save); a dialog shows its own at its fields."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QPushButton

from iopdesk.domain.errors import ValidationError
from iopdesk.ui.checkin.dialogs import AbsenceDialog, CorrectTimesDialog
from iopdesk.ui.checkin.models import DayLine, clock_text
from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import say


class DayActions:
    """The day list's actions, mixed into CheckInArea (which has the services, the runner,
    `day_table`, `day_model`, `list_error`, `status_label` and `zone`)."""

    def _build_actions(self) -> None:
        self.check_out_button = self._action_button(
            self.tr("Check &out (F6)"), "F6", self.check_out,
            self.tr("Check the selected person out now"))
        self.check_out_all_button = self._action_button(
            self.tr("Check out a&ll… (Shift+F6)"), "Shift+F6", self.check_out_all,
            self.tr("Check out everyone still here in the selected line's meeting"))
        self.absent_button = self._action_button(
            self.tr("Mark a&bsent… (F7)"), "F7", self.mark_absent,
            self.tr("Absent or excused from the meeting, with the reason"))
        self.undo_button = self._action_button(
            self.tr("&Undo… (F8)"), "F8", self.undo,
            self.tr("Undo a mistaken check-out, or check-in (today; kept on record)"))
        self.correct_button = self._action_button(
            self.tr("Correct &times… (F9)"), "F9", self.correct_times,
            self.tr("Correct the time in and out, with the reason"))

    def _action_button(self, text: str, keys: str, slot, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        self._shortcut(QKeySequence(keys), slot)
        return button

    def action_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for button in (self.check_out_button, self.check_out_all_button, self.absent_button,
                       self.undo_button, self.correct_button):
            row.addWidget(button)
        row.addStretch(1)
        return row

    def selected_line(self) -> DayLine | None:
        index = self.day_table.currentIndex()
        if not index.isValid():
            return None
        return self.day_model.line_at(index.row())

    def _update_buttons(self) -> None:
        line = self.selected_line()
        attendance = line.attendance if line is not None else None
        recorded = attendance is not None and attendance.time_in is not None
        self.check_out_button.setEnabled(attendance is not None and attendance.here)
        self.check_out_all_button.setEnabled(line is not None and line.meeting.here_count > 0)
        self.absent_button.setEnabled(line is not None and not recorded
                                      and not line.meeting.cancelled)
        self.undo_button.setEnabled(recorded)
        self.correct_button.setEnabled(recorded)

    # -- running a step ---------------------------------------------------------------------

    def _step(self, call, done) -> None:
        say(self.list_error, "")
        self._runner.change(call, done, self._step_failed, owner=self)

    def _step_failed(self, error: object) -> None:
        if isinstance(error, ValidationError):
            say(self.list_error, describe_error(error))
        else:
            self.report_error(error)

    def _line_or_say(self, *, recorded: bool = False) -> DayLine | None:
        """The selected line; with `recorded`, only when it has a check-in (else it says
        why not under the list)."""
        line = self.selected_line()
        if line is None:
            say(self.list_error, self.tr("Select a line of the day's list first."))
            return None
        if recorded and (line.attendance is None or line.attendance.time_in is None):
            say(self.list_error, self.tr("{name} is not checked in to {meeting}.").format(
                name=line.row.name, meeting=line.meeting.title))
            return None
        return line

    def _ask(self, title: str, text: str, yes: str, no: str, then) -> QMessageBox:
        """A question that does not block the event loop; `then()` on yes (Enter)."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text,
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("checkinQuestion")
        yes_button = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
        no_button = box.addButton(no, QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(yes_button)
        box.setEscapeButton(no_button)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.buttonClicked.connect(lambda button: button is yes_button and then())
        box.finished.connect(lambda _result: self._back_to_list())
        self.question = box
        box.open()
        self.dialog_opened.emit(box)
        return box

    # -- the actions ------------------------------------------------------------------------

    @Slot()
    def check_out(self) -> None:
        line = self._line_or_say(recorded=True)
        if line is None:
            return
        if not line.attendance.here:
            say(self.list_error, self.tr("{name} is not here (checked out at {time}).").format(
                name=line.row.name, time=clock_text(line.attendance.time_out, self.zone)))
            return
        services, actor = self._services, self._actor
        attendance_id, version = line.attendance.id, line.attendance.version
        self._step(lambda: services.attendance.check_out(actor, attendance_id, version),
                   lambda view: self.status_label.setText(
                       self.tr("Checked out: {name}, {meeting} at {time}").format(
                           name=line.row.name, meeting=line.meeting.title,
                           time=clock_text(view.time_out, self.zone))))

    @Slot()
    def check_out_all(self) -> QMessageBox | None:
        line = self._line_or_say()
        if line is None:
            return None
        meeting = line.meeting
        if meeting.here_count == 0:
            say(self.list_error, self.tr("No one is here in {meeting}.").format(
                meeting=meeting.title))
            return None
        services, actor, meeting_id = self._services, self._actor, meeting.id

        def done(views) -> None:
            self.status_label.setText(self.tr("Checked out {count} from {meeting}").format(
                count=len(views), meeting=meeting.title))

        return self._ask(
            self.tr("Check out all"),
            self.tr("Check out the {count} still here in {meeting} now?").format(
                count=meeting.here_count, meeting=meeting.title),
            self.tr("Check &out all"), self.tr("&Not now"),
            lambda: self._step(lambda: services.attendance.check_out_all(actor, meeting_id),
                               done))

    @Slot()
    def undo(self) -> QMessageBox | None:
        line = self._line_or_say(recorded=True)
        if line is None:
            return None
        attendance = line.attendance
        services, actor = self._services, self._actor
        attendance_id, version = attendance.id, attendance.version
        if attendance.time_out is not None:      # the last step first
            step, moment = self.tr("check-out"), attendance.time_out
            undo_step = services.attendance.undo_check_out
        else:
            step, moment = self.tr("check-in"), attendance.time_in
            undo_step = services.attendance.undo_check_in
        text = self.tr("Undo {name}'s {step} at {time} ({meeting})? The step stays on record "
                       "as undone.").format(name=line.row.name, step=step,
                                            time=clock_text(moment, self.zone),
                                            meeting=line.meeting.title)
        undone = self.tr("Undone: {name}'s {step}").format(name=line.row.name, step=step)
        return self._ask(self.tr("Undo the {step}").format(step=step), text,
                         self.tr("&Undo the {step}").format(step=step), self.tr("&Keep it"),
                         lambda: self._step(lambda: undo_step(actor, attendance_id, version),
                                            lambda _view: self.status_label.setText(undone)))

    def _back_to_list(self) -> None:
        """A dialog or question closed: the keyboard back on the day's list."""
        self.window().activateWindow()
        self.day_table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open(self, dialog, done) -> None:
        dialog.saved.connect(done)
        dialog.finished.connect(lambda _result: self._back_to_list())
        dialog.open()
        self.dialog_opened.emit(dialog)

    @Slot()
    def mark_absent(self) -> AbsenceDialog | None:
        line = self._line_or_say()
        if line is None:
            return None
        say(self.list_error, "")
        dialog = AbsenceDialog(self._services, self._actor, self._runner, line, self.zone,
                               self)
        self._open(dialog, lambda view: self.status_label.setText(
            self.tr("{status}: {name}, {meeting}").format(
                status=self.tr("Excused") if view.status == "excused" else self.tr("Absent"),
                name=line.row.name, meeting=line.meeting.title)))
        return dialog

    @Slot()
    def correct_times(self) -> CorrectTimesDialog | None:
        line = self._line_or_say(recorded=True)
        if line is None:
            return None
        say(self.list_error, "")
        dialog = CorrectTimesDialog(self._services, self._actor, self._runner, line,
                                    self.zone, self)
        self._open(dialog, lambda view: self.status_label.setText(
            self.tr("Corrected: {name}, {meeting} {time_in}–{time_out}").format(
                name=line.row.name, meeting=line.meeting.title,
                time_in=clock_text(view.time_in, self.zone),
                time_out=clock_text(view.time_out, self.zone))))
        return dialog
