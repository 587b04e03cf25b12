"""The Reports area: the week's attendance and hours (issue 13, documents and exports).

Choose a week (any day of it: the date box starts on this week's first day; Alt+Left and
Alt+Right go a week back and ahead) and a track (or all tracks). The week's figures are
listed below — each participant with an episode open in the week, their credited hours
against the track's minimum and where the week stands — from services.attendance.hours on a
worker, reloaded when the week or track changes, on Refresh (F5), and when a change set
touches attendance, the schedule, episodes or participants. Preview PDF… (Alt+D) shows the
hours report in the PDF preview, to print or save; Save CSV… (Alt+C) writes it as a CSV file
(ui.reports.csv_saving). Every print and save is recorded in the audit trail, like the chart's
documents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QLocale, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QDateEdit, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget)

from iopdesk.domain.attendance import week_start_of
from iopdesk.domain.changes import RecordKind
from iopdesk.ui.changes import change_bus
from iopdesk.ui.errors import describe_error, show_error
from iopdesk.ui.forms import error_label, say
from iopdesk.ui.reports.csv_saving import HOURS_REPORT, CsvSaving
from iopdesk.ui.reports.hours_model import HoursModel
from iopdesk.ui.table_model import record_table

if TYPE_CHECKING:
    from iopdesk.domain.attendance_views import WeekHours
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

RELOAD_KINDS = (RecordKind.ATTENDANCE, RecordKind.SCHEDULE, RecordKind.EPISODE,
                RecordKind.PARTICIPANT, RecordKind.SETTINGS)


class ReportsArea(CsvSaving, QWidget):
    hours_loaded = Signal()             # the week's lines are shown
    preview_opened = Signal(object)     # the PdfPreviewDialog of an hours report
    recorded = Signal(str, str)         # a print or save from the preview is in the audit
    csv_saved = Signal(str)             # a CSV file is written and its save recorded

    def __init__(self, services: Services, actor: Actor, runner: Runner, *,
                 today: Callable[[], date], settings: QSettings | None = None,
                 parent: QWidget | None = None):
        """`today` gives the practice's date (the services' clock, never this computer's);
        `settings` keeps the folder last saved into (the application's when none)."""
        super().__init__(parent)
        self.setObjectName("reportsArea")
        self._services = services
        self._actor = actor
        self._runner = runner
        self._today = today
        self._settings = settings if settings is not None else QSettings(self)
        self._week_start = 0            # the practice's first weekday (settings), once read
        self._started = False           # the date box was set to this week's first day
        self._ticket = 0
        self.model = HoursModel(self)
        self._build()
        change_bus(services).changed.connect(self._changed)

    # -- the screen -------------------------------------------------------------------------

    def _build(self) -> None:
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("reportsWeek")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setDate(self._today())
        self.date_edit.setToolTip(self.tr("Any day of the week (Alt+Left, Alt+Right: the "
                                          "week before, the week after)"))
        self.date_edit.dateChanged.connect(lambda _day: self._load())
        week_label = QLabel(self.tr("&Week of:"), self)
        week_label.setBuddy(self.date_edit)
        self.previous_button = self._button(self.tr("◀ Previ&ous week"), "reportsPrevious",
                                            lambda: self.move_week(-1))
        self.next_button = self._button(self.tr("&Next week ▶"), "reportsNext",
                                        lambda: self.move_week(1))
        self.track_combo = QComboBox(self)
        self.track_combo.setObjectName("reportsTrack")
        self.track_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.track_combo.addItem(self.tr("All tracks"), None)
        self.track_combo.currentIndexChanged.connect(lambda _index: self._load())
        track_label = QLabel(self.tr("Trac&k:"), self)
        track_label.setBuddy(self.track_combo)
        self.refresh_button = self._button(self.tr("&Refresh"), "reportsRefresh", self.reload)
        self.refresh_button.setToolTip(self.tr("Load the tracks and the week again (F5)"))
        for keys, slot in (("Alt+Left", lambda: self.move_week(-1)),
                           ("Alt+Right", lambda: self.move_week(1)),
                           (QKeySequence.StandardKey.Refresh, self.reload)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        top = QHBoxLayout()
        for widget in (week_label, self.date_edit, self.previous_button, self.next_button):
            top.addWidget(widget)
        top.addSpacing(12)
        top.addWidget(track_label)
        top.addWidget(self.track_combo)
        top.addStretch(1)
        top.addWidget(self.refresh_button)

        self.heading = QLabel(self)
        self.heading.setObjectName("reportsHeading")
        self.heading.setStyleSheet("font-weight: bold; font-size: 15px;")
        self.table = record_table(self, self.model, "reportsHours")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(HoursModel.NAME, QHeaderView.ResizeMode.Stretch)
        self.message = QLabel(self)
        self.message.setObjectName("reportsMessage")
        self.message.setStyleSheet("color: palette(mid); padding: 8px;")
        self.message.hide()
        self.error_label = error_label(self, "reportsError")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("reportsStatus")
        self.status_label.setWordWrap(True)

        self.preview_button = self._button(self.tr("Preview P&DF…"), "reportsPreview",
                                           self.preview_pdf)
        self.preview_button.setToolTip(self.tr("The week's hours report, to print or save "
                                               "as a PDF"))
        self.preview_button.setDefault(True)
        self.save_button = self._button(self.tr("Save &CSV…"), "reportsSaveCsv", self.save_csv)
        self.save_button.setToolTip(self.tr("The week's hours report as a CSV file "
                                            "(for a spreadsheet or a payer)"))
        documents = hasattr(self._services, "documents")
        self.preview_button.setEnabled(documents)
        self.save_button.setEnabled(documents)
        actions = QHBoxLayout()
        actions.addWidget(self.preview_button)
        actions.addWidget(self.save_button)
        actions.addWidget(self.status_label, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.heading)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(actions)
        QWidget.setTabOrder(self.date_edit, self.previous_button)
        QWidget.setTabOrder(self.previous_button, self.next_button)
        QWidget.setTabOrder(self.next_button, self.track_combo)
        QWidget.setTabOrder(self.track_combo, self.refresh_button)
        QWidget.setTabOrder(self.refresh_button, self.table)
        QWidget.setTabOrder(self.table, self.preview_button)
        QWidget.setTabOrder(self.preview_button, self.save_button)

    def _button(self, text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # -- what is chosen ---------------------------------------------------------------------

    def week_of(self) -> date:
        """The first day of the week chosen."""
        return week_start_of(self.date_edit.date().toPython(), self._week_start)

    def track_id(self) -> int | None:
        return self.track_combo.currentData()

    def file_stem(self) -> str:
        track = self.track_combo.currentText() if self.track_id() is not None else ""
        return " ".join(part for part in (self.tr("Hours"), self.week_of().isoformat(), track)
                        if part)

    def move_week(self, weeks: int) -> None:
        self.date_edit.setDate(self.week_of() + timedelta(days=7 * weeks))

    def keyPressEvent(self, event) -> None:
        """Enter on a button presses it; anywhere else in the area it previews the PDF."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = QApplication.focusWidget()
            if isinstance(focused, QPushButton) and self.isAncestorOf(focused):
                focused.click()
            else:
                self.preview_pdf()
            return
        super().keyPressEvent(event)

    # -- shown, loaded, changed -------------------------------------------------------------

    def area_shown(self) -> None:
        """Reloaded when brought to the front; the keyboard moves here only when the window
        says so (`focus_first`), not while the user walks the area list with the arrows."""
        self.reload()

    def focus_first(self) -> None:
        """The keyboard in the week's date."""
        self.date_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def reload(self) -> None:
        """The practice's first weekday and the tracks, then the week."""
        services, actor = self._services, self._actor
        self._ticket += 1
        ticket = self._ticket
        self._runner.submit(lambda: (services.settings.get().week_start,
                                     services.staff.tracks(actor)),
                            lambda found: self._tracks_arrived(ticket, *found), self._failed,
                            owner=self)

    def _tracks_arrived(self, ticket: int, week_start: int, tracks) -> None:
        if ticket != self._ticket:
            return
        self._week_start = week_start
        combo, chosen = self.track_combo, self.track_id()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("All tracks"), None)
        for track in tracks:
            combo.addItem(track.name, track.id)
        combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen is not None else 0)
        combo.blockSignals(False)
        self.date_edit.blockSignals(True)
        if not self._started:           # this week's first day, the first time
            self._started = True
            self.date_edit.setDate(week_start_of(self._today(), week_start))
        self.date_edit.blockSignals(False)
        self._load()

    def _load(self) -> None:
        services, actor = self._services, self._actor
        week_of, track_id = self.week_of(), self.track_id()
        self._ticket += 1
        ticket = self._ticket
        self._runner.submit(lambda: services.attendance.hours(actor, week_of, track_id),
                            lambda weeks: self._hours_arrived(ticket, week_of, weeks),
                            self._failed, owner=self)

    def _hours_arrived(self, ticket: int, week_of: date, weeks: tuple[WeekHours, ...]) -> None:
        if ticket != self._ticket:
            return                          # a newer week or track is on its way
        locale = QLocale()
        self.heading.setText(self.tr("{track}: {first} – {last}").format(
            track=self.track_combo.currentText(),
            first=locale.toString(QDate(week_of), QLocale.FormatType.LongFormat),
            last=locale.toString(QDate(week_of + timedelta(days=6)),
                                 QLocale.FormatType.LongFormat)))
        self.model.set_rows(weeks)
        self.message.setText(self.tr("Nobody was in the program this week."))
        self.message.setVisible(not weeks)
        say(self.error_label, "")
        self.hours_loaded.emit()

    def _failed(self, error: object) -> None:
        say(self.error_label, describe_error(error))

    @Slot(object)
    def _changed(self, change_set) -> None:
        if change_set.everything or any(change_set.touches(kind) for kind in RELOAD_KINDS):
            self.reload()

    # -- the PDF ----------------------------------------------------------------------------

    @Slot()
    def preview_pdf(self) -> None:
        if not self.preview_button.isEnabled():
            return
        services, actor = self._services, self._actor
        week_of, track_id, stem = self.week_of(), self.track_id(), self.file_stem()
        say(self.error_label, "")
        self.status_label.setText(self.tr("Preparing the report…"))
        self._runner.submit(
            lambda: services.documents.hours_report(actor, week_of, track_id, format="pdf"),
            lambda pdf: self._show_pdf(stem, pdf), self._pdf_failed, owner=self)

    def _show_pdf(self, stem: str, pdf: bytes) -> None:
        from iopdesk.ui.pdf_preview import PdfPreviewDialog

        self.status_label.clear()
        dialog = PdfPreviewDialog(pdf, stem, self._record_pdf, file_name=f"{stem}.pdf",
                                  runner=self._runner, settings=self._settings, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.show()
        self.preview_opened.emit(dialog)

    def _pdf_failed(self, error: object) -> None:
        self.status_label.clear()
        show_error(self, self.tr("Hours report"), error)

    def _record_pdf(self, kind: str, where: str) -> None:
        services, actor = self._services, self._actor
        self._runner.submit(
            lambda: services.documents.record_export(actor, HOURS_REPORT, None, where,
                                                     how=kind),
            lambda _result: self.recorded.emit(kind, where),
            lambda error: show_error(self, self.tr("Hours report"), self.tr(
                "The report went out, but IOPDesk could not record it in the audit log. "
                "Tell your administrator.\n\n{reason}").format(
                    reason=describe_error(error))), owner=self)
