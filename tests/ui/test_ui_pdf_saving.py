"""The PDF preview on a real desk: it fits the screen it opens on; Save as PDF starts in the
documents folder (or home), then in the folder last saved into, never the program's current
folder; a saved file is confirmed with its full path and an "Open folder" button; a folder the
user may not write in is explained, and the preview stays open."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings, QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from iopdesk.services import files
from iopdesk.ui import pdf_output
from iopdesk.ui.pdf_output import LAST_FOLDER_KEY
from iopdesk.ui.pdf_preview import PdfPreviewDialog

WAIT_MS = 10_000


def make_pdf(pages: int = 2) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=letter)
    for number in range(1, pages + 1):
        pdf.drawString(72, 700, f"Page {number}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.fixture
def documents(tmp_path, monkeypatch) -> Path:
    """The user's documents folder, as Qt finds it; the program runs from another folder."""
    folder = tmp_path / "home" / "Documents"
    folder.mkdir(parents=True)
    real = QStandardPaths.writableLocation

    def writable(location):
        if location == QStandardPaths.StandardLocation.DocumentsLocation:
            return str(folder)
        return real(location)

    monkeypatch.setattr(QStandardPaths, "writableLocation", writable)
    program = tmp_path / "program"
    program.mkdir()
    monkeypatch.chdir(program)
    return folder


class FileDialog:
    """Stands in for the system's save dialog: notes where it was told to start, answers
    with the next name in `answers` (a folder alone: the suggested name in it)."""

    def __init__(self, monkeypatch, *answers: Path):
        self.started_in: list[Path] = []
        self.answers = list(answers)
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self.ask)

    def ask(self, parent, caption, suggested, file_filter, selected, options):
        self.started_in.append(Path(suggested).parent)
        answer = self.answers.pop(0)
        return str(answer / Path(suggested).name if answer.is_dir() else answer), file_filter


@pytest.fixture
def open_preview(qtbot, runner):
    def open_(parent: QWidget | None = None, **options) -> tuple[PdfPreviewDialog, list]:
        reports: list[tuple[str, str]] = []
        dialog = PdfPreviewDialog(make_pdf(), "Face sheet — Okafor, Samuel (1001)",
                                  lambda kind, where: reports.append((kind, where)),
                                  runner=runner, parent=parent, **options)
        if parent is None:
            qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog, reports
    return open_


def save(qtbot, dialog: PdfPreviewDialog) -> None:
    with qtbot.waitSignal(dialog.recorded, timeout=WAIT_MS):
        dialog.save_action.trigger()


def visible_box(dialog: QWidget) -> QMessageBox:
    """The message box on screen (answered ones linger until deleted)."""
    boxes = [b for b in dialog.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1
    return boxes[0]


# -- the size it opens at ----------------------------------------------------------------------

def fits(dialog: PdfPreviewDialog, available: QRect) -> bool:
    return (dialog.width() <= available.width() and dialog.height() <= available.height()
            and dialog.frameGeometry().width() <= available.width()
            and dialog.frameGeometry().height() <= available.height())


def test_the_preview_fits_the_screen_it_opens_on(open_preview):
    dialog, _ = open_preview()
    available = QGuiApplication.primaryScreen().availableGeometry()
    assert fits(dialog, available)
    assert dialog.height() >= available.height() * 0.8          # tall enough to read a page
    assert dialog.width() >= min(600, available.width() * 0.8)


def test_the_preview_fits_its_parents_screen(qtbot, open_preview):
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(300, 200)
    window.show()
    dialog, _ = open_preview(parent=window)
    assert fits(dialog, window.screen().availableGeometry())


class LaptopScreen:
    """A short laptop screen (1366 × 768 less a panel) at 120 dpi."""

    def availableGeometry(self) -> QRect:
        return QRect(0, 0, 1366, 728)

    def logicalDotsPerInch(self) -> float:
        return 120.0


def test_on_a_short_screen_the_close_button_stays_in_view(qtbot, monkeypatch, runner):
    monkeypatch.setattr(PdfPreviewDialog, "_screen_to_open_on",
                        staticmethod(lambda parent: LaptopScreen()))
    dialog = PdfPreviewDialog(make_pdf(), "Consent", lambda kind, where: None, runner=runner)
    qtbot.addWidget(dialog)
    assert dialog.height() <= 728 * 0.9 and dialog.width() <= 1366
    assert dialog.width() >= 8.5 * 120                          # a page wide at 100 %


# -- where Save as PDF starts --------------------------------------------------------------------

def test_save_starts_in_documents_then_in_the_folder_last_saved_into(
        qtbot, monkeypatch, tmp_path, documents, settings, open_preview):
    letters = tmp_path / "letters"
    letters.mkdir()
    chooser = FileDialog(monkeypatch, letters / "1.pdf", letters / "2.pdf")
    dialog, _ = open_preview(settings=settings)
    save(qtbot, dialog)
    assert chooser.started_in == [documents]
    assert Path.cwd() not in chooser.started_in                   # not the program's folder
    assert settings.value(LAST_FOLDER_KEY) == str(letters)

    save(qtbot, dialog)
    assert chooser.started_in[1] == letters

    again = FileDialog(monkeypatch, letters / "3.pdf")            # a later preview, too
    later, _ = open_preview(settings=settings)
    save(qtbot, later)
    assert again.started_in == [letters]


def test_without_settings_given_the_applications_settings_remember(
        qtbot, monkeypatch, tmp_path, documents, open_preview):
    letters = tmp_path / "letters"
    letters.mkdir()
    chooser = FileDialog(monkeypatch, letters / "1.pdf", letters / "2.pdf")
    first, _ = open_preview()
    save(qtbot, first)
    second, _ = open_preview()
    save(qtbot, second)
    assert chooser.started_in == [documents, letters]
    assert QSettings().value(LAST_FOLDER_KEY) == str(letters)


def test_without_a_documents_folder_save_starts_at_home(
        qtbot, monkeypatch, tmp_path, settings, open_preview):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(QStandardPaths, "writableLocation", lambda location: "")
    monkeypatch.chdir(tmp_path)
    chooser = FileDialog(monkeypatch, tmp_path / "x.pdf")
    dialog, _ = open_preview(settings=settings)
    save(qtbot, dialog)
    assert chooser.started_in == [home]


def test_a_remembered_folder_that_is_gone_starts_in_documents(
        qtbot, monkeypatch, tmp_path, documents, settings, open_preview):
    settings.setValue(LAST_FOLDER_KEY, str(tmp_path / "removed since"))
    chooser = FileDialog(monkeypatch, documents)
    dialog, _ = open_preview(settings=settings)
    save(qtbot, dialog)
    assert chooser.started_in == [documents]


# -- the confirmation ----------------------------------------------------------------------------

def test_a_saved_file_is_confirmed_with_its_path_and_its_folder_opens(
        qtbot, monkeypatch, tmp_path, documents, settings, open_preview):
    FileDialog(monkeypatch, documents)
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        lambda url: opened.append(QUrl(url)) or True)
    dialog, reports = open_preview(settings=settings)
    assert not dialog.saved_banner.isVisible()
    save(qtbot, dialog)
    target = documents / "Face sheet — Okafor, Samuel (1001).pdf"
    assert target.read_bytes()[:5] == b"%PDF-"
    assert reports == [("save", str(target))]
    assert dialog.saved_banner.isVisible()
    assert dialog.saved_path.text() == str(target)              # the full path
    assert dialog.saved_path.isReadOnly()
    assert dialog.open_folder_button.isVisible()
    assert fits(dialog, QGuiApplication.primaryScreen().availableGeometry())  # a long path too

    dialog.open_folder_button.click()
    assert opened == [QUrl.fromLocalFile(str(documents))]
    assert dialog.isVisible()


def test_a_folder_that_cannot_be_opened_is_named(qtbot, monkeypatch, documents, settings,
                                                 open_preview):
    FileDialog(monkeypatch, documents)
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    dialog, _ = open_preview(settings=settings)
    save(qtbot, dialog)
    dialog.open_folder_button.click()
    box = visible_box(dialog)
    assert str(documents) in box.text() and "could not be opened" in box.text()


def test_a_new_save_hides_the_last_confirmation_until_it_is_done(
        qtbot, monkeypatch, tmp_path, documents, settings, open_preview):
    FileDialog(monkeypatch, documents, tmp_path / "second.pdf")
    dialog, _ = open_preview(settings=settings)
    save(qtbot, dialog)
    with qtbot.waitSignal(dialog.recorded, timeout=WAIT_MS):
        dialog.save_action.trigger()
        assert not dialog.saved_banner.isVisible()                # while it is being written
    assert dialog.saved_path.text() == str(tmp_path / "second.pdf")


# -- bad input: a folder the user may not write in ---------------------------------------------

def test_a_folder_that_is_not_writable_is_explained_and_the_preview_stays(
        qtbot, monkeypatch, tmp_path, documents, settings, open_preview):
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access

    def access(path, mode, **options):        # the tests run as root, who may write anywhere
        if Path(path) == locked and mode & os.W_OK:
            return False
        return real_access(path, mode, **options)

    monkeypatch.setattr(files.os, "access", access)
    chooser = FileDialog(monkeypatch, locked / "face sheet.pdf")
    dialog, reports = open_preview(settings=settings)
    dialog.save_action.trigger()
    qtbot.waitUntil(lambda: any(b.isVisible() for b in dialog.findChildren(QMessageBox)),
                    timeout=WAIT_MS)
    box = visible_box(dialog)
    assert box.windowTitle() == "Saving failed" and box.icon() == QMessageBox.Icon.Warning
    assert f"you may not write in the folder {locked}" in box.text()
    assert "pick another folder" in box.text()
    assert dialog.isVisible() and not dialog.busy and dialog.save_action.isEnabled()
    assert list(locked.iterdir()) == [] and reports == []
    assert not dialog.saved_banner.isVisible()
    assert settings.value(LAST_FOLDER_KEY) is None               # not remembered
    assert chooser.started_in == [documents]


def test_a_write_refused_by_the_system_is_explained(qtbot, monkeypatch, tmp_path, documents,
                                                    settings, open_preview):
    def refused(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(pdf_output.tempfile, "mkstemp", refused)
    FileDialog(monkeypatch, tmp_path / "x.pdf")
    dialog, reports = open_preview(settings=settings)
    dialog.save_action.trigger()
    qtbot.waitUntil(lambda: any(b.isVisible() for b in dialog.findChildren(QMessageBox)),
                    timeout=WAIT_MS)
    text = visible_box(dialog).text()
    assert "x.pdf could not be written: Permission denied" in text
    assert "pick another folder" in text
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert dialog.isVisible() and reports == [] and not (tmp_path / "x.pdf").exists()
