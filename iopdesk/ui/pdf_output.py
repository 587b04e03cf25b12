"""A PDF held in memory: read it, print it, write it to a file; and the folder a Save as PDF
starts in. No widgets; the printing and writing functions are safe on a worker thread (each
reads its own copy of the document)."""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QRectF,
    QSize,
    QStandardPaths,
)
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from iopdesk.domain.errors import FileNotWritten, IOPDeskError

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

PRINT_DPI_CAP = 300         # pages are rasterised for the printer at most at this resolution
LAST_FOLDER_KEY = "pdf_preview/last_folder"


def _tr(text: str) -> str:
    return QCoreApplication.translate("pdf_output", text)


class DocumentError(IOPDeskError):
    """The PDF cannot be read, printed or written; the message is for the user."""


def load_pdf(pdf: bytes) -> tuple[QPdfDocument, QBuffer]:
    """A document over `pdf` in memory (keep the buffer alive as long as the document)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    return document, buffer


def write_atomically(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename it
    over `path`: the target is either the old file or the complete new one. The file is
    readable by its owner only (it holds health information). The caller checked the name on
    the GUI thread (iopdesk.services.files.check_destination: never a read-only file, a folder
    or a link); an existing file is replaced only with `overwrite`."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if overwrite:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)       # fails if the name was taken meanwhile
    finally:
        with suppress(FileNotFoundError):
            os.unlink(temporary)


def print_pdf(pdf: bytes, printer: QPrinter, first: int = 0, last: int | None = None) -> str:
    """Print pages `first`..`last` (0-based, inclusive) of `pdf` on `printer`, each scaled to
    the paper; returns what the printer is called (its name, or the file it writes).
    Safe on a worker thread: it reads its own copy of the document."""
    document, buffer = load_pdf(pdf)
    try:
        if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
            raise DocumentError(_tr("The document cannot be read, so it cannot be printed."))
        count = document.pageCount()
        first = max(0, min(first, count - 1))
        last = count - 1 if last is None else max(first, min(last, count - 1))
        _print_pages(document, printer, first, last)
    finally:
        document.close()            # the document lets go of the buffer before it goes
        buffer.close()
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
        return printer.outputFileName()
    return printer.printerName() or _tr("the default printer")


def _print_pages(document: QPdfDocument, printer: QPrinter, first: int, last: int) -> None:
    printer.setFullPage(True)           # the PDF brings its own margins
    dpi = min(printer.resolution(), PRINT_DPI_CAP)
    painter = QPainter()
    if not painter.begin(printer):
        raise DocumentError(_tr("The printer could not be started."))
    try:
        for page in range(first, last + 1):
            if page > first and not printer.newPage():
                raise DocumentError(_tr("The printer refused a new page."))
            _draw_page(painter, printer, document, page, dpi)
    finally:
        painter.end()


def _draw_page(painter: QPainter, printer: QPrinter, document: QPdfDocument, page: int,
               dpi: int) -> None:
    points = document.pagePointSize(page)
    image = document.render(page, QSize(round(points.width() * dpi / 72),
                                        round(points.height() * dpi / 72)))
    paper = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
    scale = min(paper.width() / points.width(), paper.height() / points.height())
    width, height = points.width() * scale, points.height() * scale
    target = QRectF(paper.x() + (paper.width() - width) / 2,
                    paper.y() + (paper.height() - height) / 2, width, height)
    painter.drawImage(target, image)


def save_pdf(target: Path, pdf: bytes, *, overwrite: bool = False) -> str:
    """Write `pdf` to `target` atomically; the path written, or an error that says what went
    wrong (a FileNotWritten when the name is refused: it exists and `overwrite` was not
    given, or it is read-only, a folder or a link)."""
    try:
        write_atomically(target, pdf, overwrite=overwrite)
    except FileNotWritten:
        raise
    except OSError as error:
        reason = error.strerror or str(error)
        raise DocumentError(_tr("{path} could not be written: {reason}").format(
            path=target, reason=reason)) from error
    return str(target)


# -- where a Save as PDF starts ----------------------------------------------------------------

def documents_folder() -> Path:
    """The user's documents folder; their home folder when there is none. Never the
    program's current folder (a file dialog given a folder that is not there falls back to
    that: the program's own folder, or wherever it was started from)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if found and Path(found).is_absolute() and Path(found).is_dir():
        return Path(found)
    return Path.home()


def save_folder(settings: QSettings | None) -> Path:
    """The folder a Save as PDF starts in: the one last saved into (`remember_folder`) while
    it is there, else the documents folder."""
    stored = settings.value(LAST_FOLDER_KEY) if settings is not None else None
    if isinstance(stored, str) and stored:
        folder = Path(stored)
        if folder.is_absolute() and folder.is_dir():
            return folder
    return documents_folder()


def remember_folder(settings: QSettings | None, folder: Path) -> None:
    """Start the next Save as PDF in `folder` (called once a file is saved there)."""
    if settings is not None:
        settings.setValue(LAST_FOLDER_KEY, str(folder))
