"""The PDF preview: a document read from memory, zoom and pages, Save as PDF (atomic, the
same bytes, owner-only; an existing file replaced only when the user says so, a read-only one
never), Print through a (patched) system dialog, and nothing reported when cancelled."""

from __future__ import annotations

import errno
import io
import stat
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
from pypdf import PdfReader
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from iopdesk.services import files
from iopdesk.ui import pdf_preview
from iopdesk.ui.pdf_output import DocumentError, print_pdf
from iopdesk.ui.pdf_preview import PdfPreviewDialog

WAIT_MS = 10_000


def make_pdf(pages: int = 3) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=letter)
    for number in range(1, pages + 1):
        pdf.setFont("Helvetica-Bold", 28)
        pdf.drawString(72, 700, f"Test page {number} of {pages}")
        pdf.rect(72, 72, 468, 560)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.fixture
def sample_pdf() -> bytes:
    return make_pdf()


@pytest.fixture
def open_preview(qtbot, runner):
    def open_(pdf: bytes, **options) -> tuple[PdfPreviewDialog, list]:
        reports: list[tuple[str, str]] = []
        dialog = PdfPreviewDialog(pdf, "Face sheet — Test Person",
                                  lambda kind, where: reports.append((kind, where)),
                                  runner=runner, **options)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)      # for its shortcuts
        return dialog, reports
    return open_


def fake_print_dialog(output, *, accept: bool, pages: tuple[int, int] | None = None):
    """A stand-in for the system print dialog: picks PDF output into `output`, then
    accepts (or cancels) as soon as it is shown."""
    class FakePrintDialog(QDialog):
        opened: list = []

        def __init__(self, printer: QPrinter, parent=None):
            super().__init__(parent)
            self._printer = printer

        def setMinMax(self, low: int, high: int) -> None:
            self.range = (low, high)

        def setOption(self, option, on: bool = True) -> None:
            pass

        def show(self) -> None:
            FakePrintDialog.opened.append(self)
            self._printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            self._printer.setOutputFileName(str(output))
            if pages is not None:
                self._printer.setPrintRange(QPrinter.PrintRange.PageRange)
                self._printer.setFromTo(*pages)
            self.accept() if accept else self.reject()

    return FakePrintDialog


def test_a_pdf_is_shown_from_memory_with_its_page_count(open_preview, sample_pdf):
    dialog, reports = open_preview(sample_pdf)
    assert dialog.readable and dialog.page_count == 3
    assert dialog.page_count_label.text() == "of 3"
    assert dialog.page_spin.value() == 1 and dialog.page_spin.maximum() == 3
    assert dialog.view.document() is dialog.document
    assert dialog.stack.currentWidget() is dialog.view
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.FitToWidth       # the default
    assert dialog.windowTitle() == "Face sheet — Test Person — preview"
    assert dialog.print_action.isEnabled() and dialog.save_action.isEnabled()
    assert reports == []


def test_zoom_with_the_keyboard_and_back_to_fit_width(qtbot, open_preview, sample_pdf):
    dialog, _ = open_preview(sample_pdf)
    fitted = dialog.effective_zoom()
    qtbot.keyClick(dialog.view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.Custom
    assert dialog.view.zoomFactor() == pytest.approx(fitted * 1.25)
    qtbot.keyClick(dialog.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(dialog.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert dialog.view.zoomFactor() == pytest.approx(fitted / 1.25)
    assert dialog.zoom_label.text() == f"{round(fitted / 1.25 * 100)}%"
    dialog.fit_action.trigger()
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.FitToWidth


def test_page_navigation(qtbot, open_preview, sample_pdf):
    dialog, _ = open_preview(sample_pdf)
    assert not dialog.previous_action.isEnabled()
    dialog.next_action.trigger()
    qtbot.waitUntil(lambda: dialog.current_page == 1, timeout=WAIT_MS)
    assert dialog.page_spin.value() == 2 and dialog.previous_action.isEnabled()
    dialog.page_spin.setValue(3)
    qtbot.waitUntil(lambda: dialog.current_page == 2, timeout=WAIT_MS)
    assert not dialog.next_action.isEnabled()
    dialog.previous_action.trigger()
    qtbot.waitUntil(lambda: dialog.current_page == 1, timeout=WAIT_MS)


def test_save_as_pdf_writes_the_same_bytes_and_reports_the_path(qtbot, monkeypatch, tmp_path,
                                                                 open_preview, sample_pdf):
    asked = []

    def choose(parent, caption, suggested, file_filter, selected, options):
        asked.append(suggested)
        # the preview asks before replacing (".pdf" may be added to the chosen name)
        assert options & QFileDialog.Option.DontConfirmOverwrite
        return str(tmp_path / "face sheet"), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    dialog, reports = open_preview(sample_pdf)
    with qtbot.waitSignal(dialog.recorded, timeout=WAIT_MS):
        dialog.save_action.trigger()
    target = tmp_path / "face sheet.pdf"                       # the extension is added
    assert target.read_bytes() == sample_pdf
    assert reports == [("save", str(target))]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["face sheet.pdf"]
    assert asked[0].endswith("Face sheet — Test Person.pdf")
    assert dialog.saved_path.text() == str(target) and not dialog.busy
    assert stat.S_IMODE(target.stat().st_mode) == 0o600        # health information
    assert dialog.replace_box is None                           # a new file: nothing asked


def test_save_remembers_the_folder(qtbot, monkeypatch, tmp_path, open_preview, sample_pdf,
                                   settings):
    folder = tmp_path / "letters"
    folder.mkdir()
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, caption, suggested, f, *options: (
                            asked.append(suggested) or str(folder / f"{len(asked)}.pdf"), f))
    dialog, _ = open_preview(sample_pdf, settings=settings, file_name="C-1 face sheet.pdf")
    with qtbot.waitSignal(dialog.recorded, timeout=WAIT_MS):
        dialog.save_action.trigger()
    with qtbot.waitSignal(dialog.recorded, timeout=WAIT_MS):
        dialog.save_action.trigger()
    assert asked[1] == str(folder / "C-1 face sheet.pdf")


def test_a_cancelled_save_reports_nothing(qtbot, monkeypatch, tmp_path, open_preview,
                                          sample_pdf, runner):
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args: asked.append(args) or ("", ""))
    dialog, reports = open_preview(sample_pdf)
    with qtbot.assertNotEmitted(dialog.recorded):
        dialog.save_action.trigger()
    assert len(asked) == 1                       # the file dialog was asked, and cancelled
    assert runner.pending == 0                   # so nothing started: nothing can report later
    assert reports == [] and not dialog.busy and dialog.save_action.isEnabled()


def test_a_failed_save_is_shown_and_reports_nothing(qtbot, monkeypatch, tmp_path,
                                                    open_preview, sample_pdf):
    missing = tmp_path / "no such folder" / "x.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(missing), ""))
    dialog, reports = open_preview(sample_pdf)
    dialog.save_action.trigger()
    qtbot.waitUntil(lambda: dialog.findChild(QMessageBox) is not None, timeout=WAIT_MS)
    box = dialog.findChild(QMessageBox)
    assert "does not exist; nothing was written" in box.text() and "x.pdf" in box.text()
    assert reports == [] and not missing.exists() and not dialog.busy


def test_a_failed_write_is_shown_and_leaves_nothing(qtbot, monkeypatch, tmp_path,
                                                    open_preview, sample_pdf):
    def full_disk(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(files.os, "link", full_disk)
    monkeypatch.setattr(files.os, "replace", full_disk)
    target = tmp_path / "x.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    dialog, reports = open_preview(sample_pdf)
    dialog.save_action.trigger()
    qtbot.waitUntil(lambda: dialog.findChild(QMessageBox) is not None, timeout=WAIT_MS)
    text = dialog.findChild(QMessageBox).text()
    assert "could not be written: No space left on device" in text and "x.pdf" in text
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert reports == [] and list(tmp_path.iterdir()) == []


@pytest.fixture
def existing(tmp_path, monkeypatch) -> Path:
    """A PDF already in the folder, chosen in the file dialog (without its extension)."""
    path = tmp_path / "face sheet.pdf"
    path.write_bytes(b"%PDF-an older letter")
    path.chmod(0o644)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args: (str(tmp_path / "face sheet"), ""))
    return path


def test_replacing_a_file_is_asked_and_no_keeps_it(qtbot, open_preview, sample_pdf,
                                                   existing, runner):
    dialog, reports = open_preview(sample_pdf)
    dialog.save_action.trigger()
    box = dialog.replace_box
    assert box is not None and box.isVisible()
    assert "face sheet.pdf" in box.text() and "already exists" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.No).click()
    # answered: the box deletes itself (while the preview is still here: the box's connection
    # holds the preview's last reference once this test returns), and nothing was started
    qtbot.waitUntil(lambda: not shiboken6.isValid(box), timeout=WAIT_MS)
    assert runner.pending == 0
    assert existing.read_bytes() == b"%PDF-an older letter"
    assert reports == [] and not dialog.busy and dialog.save_action.isEnabled()
    assert sorted(p.name for p in existing.parent.iterdir()) == ["face sheet.pdf"]


def test_replacing_a_file_is_asked_and_replace_writes_it_owner_only(qtbot, open_preview,
                                                                    sample_pdf, existing):
    dialog, reports = open_preview(sample_pdf)
    dialog.save_action.trigger()
    box = dialog.replace_box
    assert box.button(QMessageBox.StandardButton.Yes).text() == "Replace"
    with qtbot.waitSignal(dialog.recorded, timeout=WAIT_MS):
        box.button(QMessageBox.StandardButton.Yes).click()
    assert existing.read_bytes() == sample_pdf
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    assert reports == [("save", str(existing))]
    assert sorted(p.name for p in existing.parent.iterdir()) == ["face sheet.pdf"]


def test_a_read_only_file_is_refused_without_asking(qtbot, open_preview, sample_pdf,
                                                    existing):
    existing.chmod(0o444)           # the tests run as root, who could otherwise replace it
    dialog, reports = open_preview(sample_pdf)
    dialog.save_action.trigger()
    qtbot.waitUntil(lambda: dialog.findChild(QMessageBox) is not None, timeout=WAIT_MS)
    box = dialog.findChild(QMessageBox)
    assert dialog.replace_box is None
    assert box.icon() == QMessageBox.Icon.Warning and box.windowTitle() == "Saving failed"
    assert "face sheet.pdf is read-only for you" in box.text()
    assert existing.read_bytes() == b"%PDF-an older letter"
    assert stat.S_IMODE(existing.stat().st_mode) == 0o444
    assert reports == [] and not dialog.busy


def test_print_renders_every_page_and_reports_the_printer(qtbot, monkeypatch, tmp_path,
                                                          open_preview, sample_pdf):
    output = tmp_path / "printed.pdf"
    fake = fake_print_dialog(output, accept=True)
    monkeypatch.setattr(pdf_preview, "QPrintDialog", fake)
    dialog, reports = open_preview(sample_pdf)
    assert dialog.print_action.shortcut().toString() == "Ctrl+P"
    with qtbot.waitSignal(dialog.recorded, timeout=WAIT_MS):
        dialog.print_action.trigger()
    assert fake.opened[0].range == (1, 3)
    assert output.stat().st_size > 0
    assert len(PdfReader(output).pages) == 3
    assert reports == [("print", str(output))]
    assert dialog.message.text() == "Sent to the printer."


def test_print_a_range_of_pages(qtbot, monkeypatch, tmp_path, open_preview, sample_pdf):
    output = tmp_path / "pages-2-3.pdf"
    monkeypatch.setattr(pdf_preview, "QPrintDialog",
                        fake_print_dialog(output, accept=True, pages=(2, 3)))
    dialog, reports = open_preview(sample_pdf)
    with qtbot.waitSignal(dialog.recorded, timeout=WAIT_MS):
        dialog.print_action.trigger()
    assert len(PdfReader(output).pages) == 2
    assert reports == [("print", str(output))]


def test_print_pdf_refuses_an_unreadable_document(tmp_path):
    printer = QPrinter()
    printer.setOutputFileName(str(tmp_path / "never.pdf"))
    with pytest.raises(DocumentError, match="cannot be read"):
        print_pdf(b"not a pdf", printer)
    assert not (tmp_path / "never.pdf").exists()


def test_a_cancelled_print_reports_nothing(qtbot, monkeypatch, tmp_path, open_preview,
                                           sample_pdf, runner):
    output = tmp_path / "printed.pdf"
    fake = fake_print_dialog(output, accept=False)
    monkeypatch.setattr(pdf_preview, "QPrintDialog", fake)
    dialog, reports = open_preview(sample_pdf)
    with qtbot.assertNotEmitted(dialog.recorded):
        dialog.print_action.trigger()
    [shown] = fake.opened                        # the print dialog was shown, and cancelled
    assert shown.result() == QDialog.DialogCode.Rejected
    qtbot.waitUntil(lambda: not shiboken6.isValid(shown), timeout=WAIT_MS)   # and is gone
    assert runner.pending == 0                   # nothing started: nothing can report later
    assert reports == [] and not output.exists() and not dialog.busy


def test_a_corrupt_pdf_shows_a_message_instead_of_pages(qtbot, monkeypatch, open_preview):
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args: pytest.fail("no save for an unreadable document"))
    dialog, reports = open_preview(b"%PDF-1.4 this is not really a PDF")
    assert not dialog.readable and dialog.page_count == 0
    assert dialog.stack.currentWidget() is dialog.error_label
    assert "damaged or not a PDF" in dialog.error_label.text()
    assert not dialog.print_action.isEnabled() and not dialog.save_action.isEnabled()
    dialog.save_as()
    dialog.print_document()
    assert reports == []


def test_an_empty_document_is_not_a_crash(open_preview):
    dialog, _ = open_preview(b"")
    assert not dialog.readable and dialog.error_label.isVisible()
