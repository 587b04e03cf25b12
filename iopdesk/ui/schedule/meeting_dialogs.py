"""One meeting changed on its own (administrators): moved to another date or window,
cancelled with a reason, or given another facilitator or topic. Each is a RecordDialog that
carries the meeting's version: a save over someone else's change is refused, naming them,
with what was typed kept; every other refusal is shown at its field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget

from iopdesk.domain.schedule import MeetingView
from iopdesk.ui.chart.consents_tab import read_date
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.schedule.inputs import (DATE_HINT, TIME_HINT, day_text, facilitator_combo,
                                        chosen_id, keyboard_order, line_edit, read_time,
                                        time_text)

if TYPE_CHECKING:
    from iopdesk.domain.readmodels import StaffMember
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner


def meeting_summary(meeting: MeetingView) -> str:
    """'Relapse Prevention, 2026-11-18 18:00-19:00, with Dana Whitfield'."""
    text = f"{meeting.title}, {meeting.meeting_date.isoformat()} {meeting.window}"
    if meeting.facilitator_name:
        text += f", with {meeting.facilitator_name}"
    return text


class _MeetingDialog(RecordDialog):
    """A dialog about one meeting, which it names at the top."""

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 meeting: MeetingView, parent: QWidget | None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self.meeting = meeting
        about = QLabel(meeting_summary(meeting), self)
        about.setObjectName("meetingSummary")
        about.setWordWrap(True)
        self.form.addRow(about)


class MoveMeetingDialog(_MeetingDialog):
    """Another date or window for one meeting (not onto a closed day, nor over another
    meeting of the track; not once attendance is recorded)."""

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 meeting: MeetingView, parent: QWidget | None = None):
        super().__init__(services, actor, runner, meeting, parent)
        self.setObjectName("moveMeetingDialog")
        self.setWindowTitle(self.tr("Move the meeting {title}").format(title=meeting.title))
        self.date_edit = line_edit(self, "meeting_date", day_text(meeting.meeting_date),
                                   DATE_HINT)
        self.fields.add_row(self.form, self.tr("&Date:"), self.date_edit, "meeting_date")
        self.start_edit = line_edit(self, "start_time", time_text(meeting.start_time),
                                    TIME_HINT)
        self.fields.add_row(self.form, self.tr("St&arts at:"), self.start_edit, "start_time")
        self.end_edit = line_edit(self, "end_time", time_text(meeting.end_time), TIME_HINT)
        self.fields.add_row(self.form, self.tr("E&nds at:"), self.end_edit, "end_time")
        self.save_button.setText(self.tr("&Move"))
        keyboard_order(self, self.date_edit, self.start_edit, self.end_edit)

    def call(self):
        errors: dict[str, str] = {}
        day = read_date(self.date_edit, "meeting_date", errors)
        start = read_time(self.start_edit, "start_time", errors)
        end = read_time(self.end_edit, "end_time", errors)
        if errors:
            return None, errors
        services, actor = self._services, self._actor
        meeting_id, version = self.meeting.id, self.meeting.version
        return (lambda: services.schedule.move_meeting(actor, meeting_id, version, day, start,
                                                       end)), {}


class CancelMeetingDialog(_MeetingDialog):
    """Cancel one meeting, with the reason everyone will see on it."""

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 meeting: MeetingView, parent: QWidget | None = None):
        super().__init__(services, actor, runner, meeting, parent)
        self.setObjectName("cancelMeetingDialog")
        self.setWindowTitle(self.tr("Cancel the meeting {title}").format(title=meeting.title))
        self.reason_edit = line_edit(self, "reason", "", "Facilitator ill")
        self.fields.add_row(self.form, self.tr("&Reason:"), self.reason_edit, "reason")
        self.fields.limit("reason", 200)
        self.save_button.setText(self.tr("Cancel the &meeting"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            self.tr("&Keep it"))
        keyboard_order(self, self.reason_edit)

    def call(self):
        services, actor = self._services, self._actor
        meeting_id, version = self.meeting.id, self.meeting.version
        reason = self.reason_edit.text()
        return (lambda: services.schedule.cancel_meeting(actor, meeting_id, version,
                                                         reason)), {}


class MeetingChangeDialog(_MeetingDialog):
    """Another facilitator or topic for one meeting (the block's other meetings keep theirs)."""

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 meeting: MeetingView, staff: tuple[StaffMember, ...],
                 parent: QWidget | None = None):
        super().__init__(services, actor, runner, meeting, parent)
        self.setObjectName("meetingChangeDialog")
        self.setWindowTitle(self.tr("Facilitator and topic of {title}").format(
            title=meeting.title))
        self.facilitator_combo = facilitator_combo(self, staff, meeting.facilitator_id,
                                                   meeting.facilitator_name)
        self.fields.add_row(self.form, self.tr("&Facilitator:"), self.facilitator_combo,
                            "facilitator_id")
        self.topic_edit = line_edit(self, "topic", meeting.topic)
        self.fields.add_row(self.form, self.tr("&Topic:"), self.topic_edit, "topic")
        self.fields.limit("topic", 200)
        keyboard_order(self, self.facilitator_combo, self.topic_edit)

    def call(self):
        services, actor = self._services, self._actor
        meeting_id, version = self.meeting.id, self.meeting.version
        facilitator_id, topic = chosen_id(self.facilitator_combo), self.topic_edit.text()
        return (lambda: services.schedule.update_meeting(actor, meeting_id, version,
                                                         facilitator_id, topic)), {}
