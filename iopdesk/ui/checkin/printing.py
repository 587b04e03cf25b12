"""Print sign-in sheet… (F10) in the Check-in area: the sheet of the meeting selected under
"Today's meetings" (its current line: clicked, or reached with Tab after the day's list and
the arrows), built by the documents service on a worker and shown in the PDF preview;
every print or save from the preview is recorded in the audit trail (on a worker too).

Ctrl+P is the main window's (the selected participant's face sheet), so the sheet has F10.
With no meeting selected, the line under the meetings says so; a refusal of the service (a
cancelled meeting) is said there too, anything else in a message box. The preview module
(and QtPdf with it) is imported on first use, not at start."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QPushButton, QTableView

from iopdesk.domain.errors import ValidationError
from iopdesk.ui.checkin.tables import area_table, fit_rows
from iopdesk.ui.errors import describe_error, show_error
from iopdesk.ui.forms import error_label, say

SIGN_IN_SHEET = "sign_in_sheet"     # services.documents' kind, for record_export
PRINT_KEY = "F10"


class SheetPrinting:
    """The sign-in sheet action, mixed into CheckInArea (which has the services, the runner,
    `meetings` and `meetings_model`, `_shortcut`, `report_error`, `_today`, and the
    signals `preview_opened` and `recorded`)."""

    def _build_printing(self) -> None:
        self.print_button = QPushButton(self.tr("Print sign-in &sheet… (F10)"), self)
        self.print_button.setObjectName("printSignInSheet")
        self.print_button.setToolTip(self.tr("Preview the sign-in sheet of the meeting "
                                             "selected under Today's meetings, then print "
                                             "or save it"))
        self.print_button.clicked.connect(self.print_sign_in_sheet)
        self.print_button.setEnabled(hasattr(self._services, "documents"))
        self._shortcut(QKeySequence(PRINT_KEY), self.print_sign_in_sheet)
        self.meetings_error = error_label(self, "checkinMeetingsError")

    def _meetings_table(self) -> QTableView:
        """Today's meetings, one line high until they come; choosing one takes away the
        line that asked for a choice."""
        table = area_table(self, self.meetings_model, "checkinMeetings")
        fit_rows(table, 1)
        table.selectionModel().currentRowChanged.connect(
            lambda *_: say(self.meetings_error, ""))
        return table

    def selected_meeting(self):
        """The meeting selected under "Today's meetings" (a DayMeeting), or None."""
        index = self.meetings.currentIndex()
        return self.meetings_model.row_at(index.row()) if index.isValid() else None

    def show_meetings(self, meetings, zone: str, now=None) -> None:
        """Today's meetings (as read at `now`) in their list, the one selected kept when it is
        still there."""
        chosen = self.selected_meeting()
        self.meetings_model.set_rows(meetings, zone, now)
        row = next((i for i, m in enumerate(meetings)
                    if chosen is not None and m.id == chosen.id), -1)
        if row >= 0:
            self.meetings.setCurrentIndex(self.meetings_model.index(row, 0))

    @Slot()
    def print_sign_in_sheet(self) -> None:
        if not self.print_button.isEnabled():
            return
        meeting = self.selected_meeting()
        if meeting is None:
            say(self.meetings_error, self.tr("Select a meeting under Today's meetings first "
                                             "(click it, or Tab past the day's list to it), "
                                             "then F10."))
            return
        say(self.meetings_error, "")
        services, actor, meeting_id = self._services, self._actor, meeting.id
        self._runner.submit(lambda: services.documents.sign_in_sheet(actor, meeting_id),
                            lambda pdf: self._show_sheet(meeting, pdf),
                            self._sheet_failed, owner=self)

    def _show_sheet(self, meeting, pdf: bytes) -> None:
        from iopdesk.ui.pdf_preview import PdfPreviewDialog

        title = self.tr("Sign-in sheet — {meeting}, {day}").format(
            meeting=meeting.title, day=self._today().isoformat())
        dialog = PdfPreviewDialog(pdf, title, self._record_sheet, runner=self._runner,
                                  parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.show()
        self.preview_opened.emit(dialog)

    def _sheet_failed(self, error: object) -> None:
        if isinstance(error, ValidationError):
            say(self.meetings_error, describe_error(error))
        else:
            self.report_error(error)

    def _record_sheet(self, kind: str, where: str) -> None:
        services, actor = self._services, self._actor
        self._runner.submit(
            lambda: services.documents.record_export(actor, SIGN_IN_SHEET, None, where,
                                                     how=kind),
            lambda _result: self.recorded.emit(kind, where),
            lambda error: show_error(self, self.tr("Sign-in sheet"), self.tr(
                "The sign-in sheet went out, but IOPDesk could not record it in the audit "
                "log. Tell your administrator.\n\n{reason}").format(
                    reason=describe_error(error))), owner=self)
