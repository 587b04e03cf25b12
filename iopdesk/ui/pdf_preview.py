"""The PDF preview (DESIGN §7): a document shown from memory, printed through the system print
dialog or saved as a PDF file; the caller hears of every print and save, to record it.

The document is read from a QBuffer over the bytes, never from a temporary file (DESIGN §6).
Printing renders each page with QPdfDocument into the printer's painter, on a worker (a page
at print resolution takes longer than a frame); saving writes the same bytes to a temporary
file in the target folder and renames it over the target, so a half-written PDF never carries
the chosen name. `on_recorded(kind, where)` is called on the GUI thread after a print
(`"print"`, the printer's name or the file it printed into) or a save (`"save"`, the path);
a cancelled or failed print or save reports nothing.

The dialog opens no larger than the screen it appears on (its parent's, else the cursor's):
about a page wide and nine tenths of the screen's free height. Save as PDF starts in the folder
last saved into (kept in `settings`; the application's own settings when none are given),
else the user's documents folder (else their home), never the program's current folder. A
saved file is confirmed under the pages with its full path and an "Open folder" button; a file
that could not be saved is explained in a message, and the preview stays open.

The saved file is readable by its owner only (0600). An existing file is replaced only after
the user says so in this dialog's own question (the file dialog is told not to ask, since
".pdf" may be added to the name it returns); a file the user may not write, a folder or a
link is refused with a message, without asking (iopdesk.services.files).

The dialog is opened with `show()`/`open()`, never `exec()` (the idle lock hides windows).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QSettings, Qt, Signal, Slot
from PySide6.QtGui import (QAction, QCloseEvent, QGuiApplication, QKeySequence,
                           QResizeEvent, QShowEvent)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel,
                               QMessageBox, QProgressBar, QSizePolicy, QSpinBox, QStackedWidget,
                               QToolBar, QVBoxLayout, QWidget)

from iopdesk.domain.errors import DestinationExists, FileNotWritten
from iopdesk.ui.errors import describe_error, show_error
from iopdesk.ui.replace_question import ask_to_replace
from iopdesk.ui.operations import Runner
from iopdesk.ui.pdf_output import (LAST_FOLDER_KEY, load_pdf, print_pdf, remember_folder,
                                   save_folder, save_pdf)
from iopdesk.ui.pdf_parts import SavedBanner, opening_size, screen_to_open_on

if TYPE_CHECKING:
    from PySide6.QtGui import QScreen

__all__ = ["LAST_FOLDER_KEY", "PdfPreviewDialog"]

RecordCallback = Callable[[str, str], None]
ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.25, 4.0


def _file_name(title: str) -> str:
    """A file name from the title: no characters that some file system refuses."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", title).strip(" .") or "document"
    return name + ".pdf"


class PdfPreviewDialog(QDialog):
    """The preview: pages (fit to width at first), zoom, page navigation, Print… and Save as
    PDF…. `runner` runs printing and writing off the GUI thread (the dialog makes its own
    when none is given); `settings` remembers the folder last saved into (the
    application's settings when none are given)."""

    recorded = Signal(str, str)         # after on_recorded: ("print" | "save", where)

    def __init__(self, pdf_bytes: bytes, title: str, on_recorded: RecordCallback, *,
                 file_name: str = "", runner: Runner | None = None,
                 settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._pdf = bytes(pdf_bytes)
        self._title = title
        self._on_recorded = on_recorded
        self._file_name = file_name or _file_name(title)
        self._runner = runner if runner is not None else Runner(self)
        self._settings = settings if settings is not None else QSettings(self)
        self._busy = False
        self.readable = False
        self.print_dialog: QDialog | None = None
        self.replace_box: QMessageBox | None = None
        self.setObjectName("pdfPreview")
        self.setWindowTitle(self.tr("{title} — preview").format(title=title))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.document, self._buffer = load_pdf(self._pdf)
        self.document.setParent(self)
        self._buffer.setParent(self)
        self._build()
        self._show_document()
        self.resize(opening_size(self._screen_to_open_on(parent)))

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.view = QPdfView(self)
        self.view.setObjectName("pdfView")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("pdfError")
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error_label.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.error_label)

        self.previous_action = self._action(self.tr("◀ Previous"), "Ctrl+PgUp",
                                            self.tr("Previous page"), self.previous_page)
        self.next_action = self._action(self.tr("Next ▶"), "Ctrl+PgDown",
                                        self.tr("Next page"), self.next_page)
        self.page_spin = QSpinBox(self)
        self.page_spin.setObjectName("pdfPage")
        self.page_spin.setAccessibleName(self.tr("Page"))
        self.page_spin.setKeyboardTracking(False)
        self.page_spin.valueChanged.connect(lambda value: self.go_to_page(value - 1))
        self.page_count_label = QLabel(self)
        self.page_count_label.setObjectName("pdfPageCount")
        self.zoom_out_action = self._action(self.tr("−"), QKeySequence.StandardKey.ZoomOut,
                                            self.tr("Zoom out (Ctrl+-)"), self.zoom_out)
        self.zoom_in_action = self._action(self.tr("+"), QKeySequence.StandardKey.ZoomIn,
                                           self.tr("Zoom in (Ctrl++)"), self.zoom_in)
        self.zoom_in_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.ZoomIn),
                                          QKeySequence("Ctrl+=")])
        self.fit_action = self._action(self.tr("Fit width"), "Ctrl+0",
                                       self.tr("Fit the page to the window's width"),
                                       self.fit_width)
        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("pdfZoom")
        self.print_action = self._action(self.tr("&Print…"), QKeySequence.StandardKey.Print,
                                         self.tr("Print on a printer (Ctrl+P)"),
                                         self.print_document)
        self.save_action = self._action(self.tr("&Save as PDF…"),
                                        QKeySequence.StandardKey.Save,
                                        self.tr("Save a copy as a PDF file (Ctrl+S)"),
                                        self.save_as)

        toolbar = QToolBar(self)
        toolbar.setObjectName("pdfToolbar")
        toolbar.addAction(self.previous_action)
        toolbar.addWidget(self.page_spin)
        toolbar.addWidget(self.page_count_label)
        toolbar.addAction(self.next_action)
        toolbar.addSeparator()
        toolbar.addAction(self.zoom_out_action)
        toolbar.addWidget(self.zoom_label)
        toolbar.addAction(self.zoom_in_action)
        toolbar.addAction(self.fit_action)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.print_action)
        toolbar.addAction(self.save_action)
        self.toolbar = toolbar

        self.message = QLabel(self)
        self.message.setObjectName("pdfMessage")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)            # busy: how long a printer takes is unknown
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        self.saved_banner = SavedBanner(self)
        self.saved_path = self.saved_banner.path
        self.open_folder_button = self.saved_banner.open_folder_button
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.progress)
        bottom.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(toolbar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.saved_banner)
        layout.addLayout(bottom)
        self.view.pageNavigator().currentPageChanged.connect(self._page_changed)

    @staticmethod
    def _screen_to_open_on(parent: QWidget | None) -> QScreen:
        return screen_to_open_on(parent)

    def _action(self, text: str, shortcut, tip: str, slot) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _show_document(self) -> None:
        ready = self.document.status() == QPdfDocument.Status.Ready \
            and self.document.pageCount() > 0
        if ready:
            self.view.setDocument(self.document)
            count = self.document.pageCount()
            self.page_spin.setRange(1, count)
            self.page_count_label.setText(self.tr("of {count}").format(count=count))
            self.stack.setCurrentWidget(self.view)
        else:
            self.error_label.setText(self.tr(
                "This document cannot be shown: it is damaged or not a PDF.\n"
                "Close this window and try again; if it happens again, tell your "
                "administrator."))
            self.error_label.setStyleSheet("color: #b00020;")
            self.toolbar.hide()
            self.stack.setCurrentWidget(self.error_label)
        self.readable = ready
        self._update_actions()
        self._update_zoom_label()

    # -- reading --------------------------------------------------------------------------

    @property
    def page_count(self) -> int:
        return self.document.pageCount() if self.readable else 0

    @property
    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    @Slot()
    def previous_page(self) -> None:
        self.go_to_page(self.current_page - 1)

    @Slot()
    def next_page(self) -> None:
        self.go_to_page(self.current_page + 1)

    def go_to_page(self, page: int) -> None:
        if not self.readable or not 0 <= page < self.page_count or page == self.current_page:
            return
        self.view.pageNavigator().jump(page, QPointF(), self.view.zoomFactor())

    @Slot(int)
    def _page_changed(self, page: int) -> None:
        self.page_spin.blockSignals(True)
        self.page_spin.setValue(page + 1)
        self.page_spin.blockSignals(False)
        self._update_actions()

    def effective_zoom(self) -> float:
        """The scale the pages are shown at (a fit mode computes its own)."""
        if self.view.zoomMode() == QPdfView.ZoomMode.Custom or not self.readable:
            return self.view.zoomFactor()
        margins = self.view.documentMargins()
        dots = QGuiApplication.primaryScreen().logicalDotsPerInch() / 72.0
        page_width = self.document.pagePointSize(max(0, self.current_page)).width() * dots
        available = self.view.viewport().width() - margins.left() - margins.right()
        return max(ZOOM_MIN, available / page_width) if page_width > 0 else 1.0

    @Slot()
    def zoom_in(self) -> None:
        self._set_zoom(self.effective_zoom() * ZOOM_STEP)

    @Slot()
    def zoom_out(self) -> None:
        self._set_zoom(self.effective_zoom() / ZOOM_STEP)

    def _set_zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(min(ZOOM_MAX, max(ZOOM_MIN, factor)))
        self._update_zoom_label()

    @Slot()
    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._update_zoom_label()

    def _update_zoom_label(self) -> None:
        self.zoom_label.setText(self.tr("{percent}%").format(
            percent=round(self.effective_zoom() * 100)) if self.readable else "")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_zoom_label()               # fitting to the width changes the scale

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_zoom_label()               # the view has its real width only now

    def _update_actions(self) -> None:
        ready = self.readable
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_action):
            action.setEnabled(ready)
        self.page_spin.setEnabled(ready)
        self.previous_action.setEnabled(ready and self.current_page > 0)
        self.next_action.setEnabled(ready and self.current_page < self.page_count - 1)
        self.print_action.setEnabled(ready and not self._busy)
        self.save_action.setEnabled(ready and not self._busy)

    # -- printing and saving --------------------------------------------------------------

    @Slot()
    def print_document(self) -> None:
        """The system print dialog; printing starts when it is accepted."""
        if not self.readable or self._busy:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self._title)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("Print {title}").format(title=self._title))
        dialog.setMinMax(1, self.page_count)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.accepted.connect(lambda: self._print_on(printer))
        self.print_dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)   # what open() does: PySide
        dialog.show()                                             # hides QPrintDialog.open()

    def _print_on(self, printer: QPrinter) -> None:
        first, last = 0, self.page_count - 1
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first = printer.fromPage() - 1
            last = max(first, printer.toPage() - 1)
        pdf = self._pdf
        self._start(self.tr("Printing…"), lambda: print_pdf(pdf, printer, first, last),
                    lambda where: self._done("print", where, self.tr("Sent to the printer.")),
                    self.tr("Printing failed"))

    @Slot()
    def save_as(self) -> None:
        """Ask where, then write the very bytes shown; over an existing file only once the
        user agrees, and never over one they may not write."""
        if not self.readable or self._busy:
            return
        folder = save_folder(self._settings)
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save as PDF"), str(folder / self._file_name),
            self.tr("PDF documents (*.pdf)"), "", QFileDialog.Option.DontConfirmOverwrite)
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            from iopdesk.services.files import check_destination  # not at start: it loads the ORM

            check_destination(target, overwrite=False)
        except DestinationExists:
            self.ask_to_replace(target)
            return
        except FileNotWritten as error:
            self._save_failed(error)
            return
        self._save(target, overwrite=False)

    def ask_to_replace(self, target: Path) -> QMessageBox:
        """The question before an existing file is replaced; "No" (the default) keeps it."""
        self.replace_box = ask_to_replace(self, target, self.tr("this document"),
                                          lambda: self._save(target, overwrite=True))
        return self.replace_box

    def _save(self, target: Path, *, overwrite: bool) -> None:
        if not self.readable or self._busy:
            return
        pdf = self._pdf
        self._start(self.tr("Saving…"), lambda: save_pdf(target, pdf, overwrite=overwrite),
                    self._saved, self._save_failed)

    def _saved(self, where: str) -> None:
        """The file is written: say where, offer its folder, start the next save there."""
        remember_folder(self._settings, Path(where).parent)
        self.saved_banner.show_saved(where)
        self._done("save", where, self.tr("Saved."))

    def _save_failed(self, error: object) -> QMessageBox:
        """Why nothing was saved (a folder the user may not write in, a full disk…); the
        preview stays open to save elsewhere."""
        text = self.tr("{reason}\n\nThe document was not saved. Choose Save as PDF… again "
                       "and pick another folder (your Documents folder, for instance) or "
                       "another name.").format(reason=describe_error(error))
        return show_error(self, self.tr("Saving failed"), text)

    def open_folder(self) -> bool:
        """Open the folder of the file last saved in the system's file manager."""
        return self.saved_banner.open_folder()

    @property
    def saved_to(self) -> Path | None:
        """The file last saved (None before a save)."""
        return self.saved_banner.saved_to

    def _start(self, what: str, work: Callable[[], str], done: Callable[[str], None],
               failure: str | Callable[[object], object]) -> None:
        """Run `work` on a worker; the dialog stays open until it is over (so that a print
        or save is never left unreported). `failure` is the title of the message that says
        why it failed, or what shows it."""
        self._set_busy(True, what)

        def failed(error: object) -> None:
            self._set_busy(False, "")
            if callable(failure):
                failure(error)
            else:
                show_error(self, failure, error)

        def succeeded(where: str) -> None:
            self._set_busy(False, "")
            done(where)

        self._runner.submit(work, succeeded, failed, owner=self)

    def _done(self, kind: str, where: str, message: str) -> None:
        self.message.setText(message)
        self._on_recorded(kind, where)
        self.recorded.emit(kind, where)

    @property
    def busy(self) -> bool:
        return self._busy

    @Slot()
    def reject(self) -> None:
        """Close (Escape, Close) — not while a print or save is under way."""
        if not self._busy:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:
            event.ignore()
            return
        super().closeEvent(event)

    def _set_busy(self, busy: bool, what: str) -> None:
        self._busy = busy
        if busy:
            self.saved_banner.hide()        # about the last save, not the one starting
        self.message.setText(what)
        self.progress.setVisible(busy)
        self._update_actions()
