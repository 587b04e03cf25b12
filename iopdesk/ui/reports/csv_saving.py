"""Save CSV… of the Reports area: the week's hours report as a CSV file.

The user names the file (the dialog starts in the folder a PDF was last saved into, and is
told not to ask about replacing: ".csv" may be added to the name it returns, so this asks
about the very file to be written, "No" first). A name that can never be written (a folder,
a link, a read-only file) is refused before anything is built. The report is built by the
documents service and written on a worker, through a temporary file renamed over the target
(never half a file under the chosen name), readable by its owner only (0600: it names
participants of a substance-use program); then the save is recorded in the audit trail as
a Save as PDF from the preview is ("document.export", how "save")."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from iopdesk.domain.errors import DestinationExists, FileNotWritten
from iopdesk.ui.errors import describe_error, show_error
from iopdesk.ui.forms import say
from iopdesk.ui.pdf_output import remember_folder, save_folder, save_pdf
from iopdesk.ui.replace_question import ask_to_replace

HOURS_REPORT = "hours_report"       # services.documents' kind, for record_export


class CsvSaving:
    """Mixed into ReportsArea (which has the services, the runner, `_settings`, `week_of()`,
    `track_id()`, `file_stem()`, `save_button`, `status_label`, `error_label` and the
    signal `csv_saved`)."""

    replace_box: QMessageBox | None = None

    def save_csv(self) -> None:
        folder = save_folder(self._settings)
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save the hours report as CSV"),
            str(folder / f"{self.file_stem()}.csv"), self.tr("CSV files (*.csv)"), "",
            QFileDialog.Option.DontConfirmOverwrite)
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".csv":
            target = target.with_name(target.name + ".csv")
        try:
            from iopdesk.services.files import check_destination  # not at start: it loads the ORM

            check_destination(target, overwrite=False)
        except DestinationExists:
            self.replace_box = ask_to_replace(self, target, self.tr("this report"),
                                              lambda: self._write_csv(target, overwrite=True))
            return
        except FileNotWritten as error:
            self._csv_failed(error)
            return
        self._write_csv(target, overwrite=False)

    def _write_csv(self, target: Path, *, overwrite: bool) -> None:
        services, actor = self._services, self._actor
        week_of, track_id = self.week_of(), self.track_id()
        self.save_button.setEnabled(False)
        say(self.error_label, "")
        self.status_label.setText(self.tr("Saving…"))
        self._runner.submit(
            lambda: save_pdf(target, services.documents.hours_report(
                actor, week_of, track_id, format="csv"), overwrite=overwrite),
            self._csv_written, self._csv_failed, owner=self)

    def _csv_written(self, where: str) -> None:
        remember_folder(self._settings, Path(where).parent)
        self.save_button.setEnabled(True)
        self.status_label.setText(self.tr("Saved to {path}.").format(path=where))
        services, actor = self._services, self._actor
        self._runner.submit(
            lambda: services.documents.record_export(actor, HOURS_REPORT, None, where,
                                                     how="save"),
            lambda _result: self.csv_saved.emit(where),
            lambda error: show_error(self, self.tr("Hours report"), self.tr(
                "The report was saved, but IOPDesk could not record it in the audit log. "
                "Tell your administrator.\n\n{reason}").format(
                    reason=describe_error(error))), owner=self)

    def _csv_failed(self, error: object) -> None:
        self.save_button.setEnabled(True)
        self.status_label.clear()
        show_error(self, self.tr("Saving failed"), self.tr(
            "{reason}\n\nThe report was not saved. Choose Save CSV… again and pick another "
            "folder or name.").format(reason=describe_error(error)))
