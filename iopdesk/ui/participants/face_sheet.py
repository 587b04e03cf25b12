"""Print face sheet…: the selected participant's face sheet built on a worker, shown in the
PDF preview; every print or save from the preview is recorded through the documents service
(on a worker too). A failure at any step is shown in a dialog.

The preview module (and QtPdf with it) is imported on first use, not at start."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from iopdesk.ui.errors import describe_error, show_error

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

    from iopdesk.domain.readmodels import ParticipantRow
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

DOCUMENT = "face_sheet"


def documents_available(services: Services) -> bool:
    """Whether this build has the documents service (the action is hidden without it)."""
    return hasattr(services, "documents")


class FaceSheets(QObject):
    """The "Print face sheet…" action (Ctrl+P) and what it starts."""

    preview_opened = Signal(object)     # the PdfPreviewDialog
    recorded = Signal(str, str)         # the export is in the audit trail: (kind, where)
    status_message = Signal(str)

    def __init__(self, services: Services, actor: Actor, runner: Runner, window: QWidget, *,
                 settings: QSettings | None = None):
        super().__init__(window)
        self._services = services
        self._actor = actor
        self._runner = runner
        self._window = window
        self._settings = settings
        self._waiting: list[QWidget] = []
        self.action = QAction(self.tr("Print &face sheet…"), window)
        self.action.setObjectName("printFaceSheet")
        self.action.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.action.setStatusTip(self.tr("Preview the selected participant's face sheet, "
                                         "then print it or save it as a PDF"))
        self.action.setEnabled(False)

    def open(self, row: ParticipantRow) -> None:
        """Build `row`'s face sheet on a worker, then preview it."""
        services, actor, participant_id = self._services, self._actor, row.id
        self.status_message.emit(self.tr("Preparing the face sheet of {name}…").format(
            name=row.display_name))
        self._runner.submit(lambda: services.documents.face_sheet(actor, participant_id),
                            lambda pdf: self._show(row, pdf), self._failed, owner=self)

    def _show(self, row: ParticipantRow, pdf: bytes) -> None:
        from iopdesk.ui.pdf_preview import PdfPreviewDialog

        title = self.tr("Face sheet — {name} ({chart})").format(name=row.display_name,
                                                                 chart=row.chart_number)
        dialog = PdfPreviewDialog(
            pdf, title, lambda kind, where: self._record(row.id, kind, where),
            file_name=self.tr("Face sheet {chart}.pdf").format(chart=row.chart_number),
            runner=self._runner, settings=self._settings, parent=self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        if self._window.isVisible():
            dialog.show()
        else:                       # locked while it was built: not over the lock screen
            self._waiting.append(dialog)
        self.status_message.emit("")
        self.preview_opened.emit(dialog)

    def show_waiting(self) -> None:
        """Show the previews that arrived while the window was hidden (by the lock)."""
        waiting, self._waiting = self._waiting, []
        for dialog in waiting:
            if shiboken6.isValid(dialog):
                dialog.show()

    def _record(self, participant_id: int, kind: str, where: str) -> None:
        services, actor = self._services, self._actor
        self._runner.submit(
            lambda: services.documents.record_export(actor, DOCUMENT, participant_id, where,
                                                     how=kind),
            lambda _result: self.recorded.emit(kind, where),
            lambda error: self._not_recorded(kind, error), owner=self)

    def _not_recorded(self, kind: str, error: object) -> None:
        done = self.tr("printed") if kind == "print" else self.tr("saved")
        show_error(self._window, self.tr("Face sheet"), self.tr(
            "The face sheet was {done}, but IOPDesk could not record it in the audit log. "
            "Tell your administrator.\n\n{reason}").format(done=done,
                                                            reason=describe_error(error)))

    def _failed(self, error: object) -> None:
        self.status_message.emit("")
        show_error(self._window, self.tr("Face sheet"), error)
