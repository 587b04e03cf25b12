"""Print face sheet…, Print intake assessment…: a chart document of the selected participant
(one `PrintCommand` of domain.areas that prints the whole chart, not one record of it) built
on a worker, shown in the PDF preview; every print or save from the preview is recorded
through the documents service (on a worker too). A failure at any step is shown in a dialog.

The preview module (and QtPdf with it) is imported on first use, not at start."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from iopdesk.domain.areas import SECTIONS, PrintCommand, print_commands
from iopdesk.ui.errors import describe_error, show_error

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

    from iopdesk.domain.readmodels import ParticipantRow
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

FACE_SHEET = "face-sheet"


def documents_available(services: Services) -> bool:
    """Whether this build has the documents service (the action is hidden without it)."""
    return hasattr(services, "documents")


def chart_print_commands(actor: Actor) -> tuple[PrintCommand, ...]:
    """The documents of a whole chart this user may print, as the sections declare them (the
    services check again: this only mirrors them)."""
    from iopdesk.services.permissions import permissions_of

    granted = {str(p) for p in permissions_of(actor.roles)}
    return tuple(command for s in SECTIONS if s.view in granted
                 for command in s.prints if command.record_id is None)


class DocumentPrinter(QObject):
    """The "Print <document>…" action of one chart document and what it starts (the face
    sheet's has Ctrl+P)."""

    preview_opened = Signal(object)     # the PdfPreviewDialog
    recorded = Signal(str, str)         # the export is in the audit trail: (kind, where)
    status_message = Signal(str)

    def __init__(self, services: Services, actor: Actor, runner: Runner, window: QWidget, *,
                 command: PrintCommand | None = None, settings: QSettings | None = None):
        super().__init__(window)
        self.command = command or next(c for c in print_commands() if c.name == FACE_SHEET)
        self._title = self.command.title[:1].upper() + self.command.title[1:]
        self._services = services
        self._actor = actor
        self._runner = runner
        self._window = window
        self._settings = settings
        self._waiting: list[QWidget] = []
        face_sheet = self.command.name == FACE_SHEET
        self.action = QAction(self.tr("Print &face sheet…") if face_sheet else
                              self.tr("Print {title}…").format(title=self.command.title),
                              window)
        self.action.setObjectName("printFaceSheet" if face_sheet
                                  else f"print_{self.command.document}")
        if face_sheet:
            self.action.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.action.setStatusTip(self.tr("Preview the selected participant's {title}, then "
                                         "print it or save it as a PDF").format(
                                             title=self.command.title))
        self.action.setEnabled(False)

    def open(self, row: ParticipantRow) -> None:
        """Build `row`'s document on a worker, then preview it."""
        services, actor, participant_id = self._services, self._actor, row.id
        document = self.command.document
        self.status_message.emit(self.tr("Preparing the {title} of {name}…").format(
            title=self.command.title, name=row.display_name))
        self._runner.submit(lambda: services.documents.render(actor, document, participant_id),
                            lambda pdf: self._show(row, pdf), self._failed, owner=self)

    def _show(self, row: ParticipantRow, pdf: bytes) -> None:
        from iopdesk.ui.pdf_preview import PdfPreviewDialog

        title = self.tr("{document} — {name} ({chart})").format(
            document=self._title, name=row.display_name, chart=row.chart_number)
        dialog = PdfPreviewDialog(
            pdf, title, lambda kind, where: self._record(row.id, kind, where),
            file_name=self.tr("{document} {chart}.pdf").format(document=self._title,
                                                               chart=row.chart_number),
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
        services, actor, document = self._services, self._actor, self.command.document
        self._runner.submit(
            lambda: services.documents.record_export(actor, document, participant_id, where,
                                                     how=kind),
            lambda _result: self.recorded.emit(kind, where),
            lambda error: self._not_recorded(kind, error), owner=self)

    def _not_recorded(self, kind: str, error: object) -> None:
        done = self.tr("printed") if kind == "print" else self.tr("saved")
        show_error(self._window, self._title, self.tr(
            "The {title} was {done}, but IOPDesk could not record it in the audit log. "
            "Tell your administrator.\n\n{reason}").format(
                title=self.command.title, done=done, reason=describe_error(error)))

    def _failed(self, error: object) -> None:
        self.status_message.emit("")
        show_error(self._window, self._title, error)


class ChartPrinters(QObject):
    """The main window's print actions: one DocumentPrinter per chart document the user may
    print, each working on the participant `selected()` gives (None: nothing chosen)."""

    def __init__(self, services: Services, actor: Actor, runner: Runner, window: QWidget,
                 selected, *, settings: QSettings | None = None):
        super().__init__(window)
        self._selected = selected
        self.printers: dict[str, DocumentPrinter] = {}
        if not documents_available(services):
            return
        for command in chart_print_commands(actor):
            printer = DocumentPrinter(services, actor, runner, window, command=command,
                                      settings=settings)
            printer.action.triggered.connect(self._triggered)
            self.printers[command.name] = printer

    @property
    def face_sheet(self) -> DocumentPrinter | None:
        return self.printers.get(FACE_SHEET)

    def actions(self) -> list[QAction]:
        return [printer.action for printer in self.printers.values()]

    def set_enabled(self, enabled: bool) -> None:
        for printer in self.printers.values():
            printer.action.setEnabled(enabled)

    def show_waiting(self) -> None:
        for printer in self.printers.values():
            printer.show_waiting()

    @Slot()
    def _triggered(self) -> None:
        """A Print <document>… action: that document, of the selected participant."""
        self.print_selected(next((p for p in self.printers.values()
                                  if p.action is self.sender()), None))

    def print_selected(self, printer: DocumentPrinter | None) -> None:
        """`printer`'s document of the selected participant."""
        row = self._selected()
        if printer is not None and row is not None:
            printer.open(row)
