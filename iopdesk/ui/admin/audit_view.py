"""The Audit log screen (administrators): filter by user, participant (a chart number or a
name, as people know them: never an internal id), action and dates; read newest first, a page
at a time, each participant named "Okafor, Samuel (1001)"; export what the filter selects to
CSV (the export itself is audited; the file is readable by its owner only, an existing one is
replaced only after the user agrees, and one they may not write never); and check the
tamper-evident chain."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QFileDialog,
                               QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget)

from iopdesk.domain.errors import DestinationExists, FileNotWritten
from iopdesk.domain.readmodels import AuditSelection
from iopdesk.ui.admin.audit_model import AuditModel
from iopdesk.ui.errors import show_error
from iopdesk.ui.replace_question import ask_to_replace

if TYPE_CHECKING:
    from iopdesk.domain.audit import VerifyReport
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

NO_DATE = QDate(2000, 1, 1)         # the date edits' "any" value
PARTICIPANT_MAX = 100               # characters: a chart number, or a name and its chart


def _date_edit(parent: QWidget, name: str) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText(edit.tr("any"))
    edit.setDate(NO_DATE)
    return edit


def _date_of(edit: QDateEdit):
    return None if edit.date() == NO_DATE else edit.date().toPython()


class AuditView(QWidget):
    exported = Signal(int)                  # rows written
    verified = Signal(object)               # the VerifyReport

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 parent: QWidget | None = None, *, page_size: int | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self._services = services
        self._actor = actor
        self._runner = runner
        self.message_box: QMessageBox | None = None
        self.replace_box: QMessageBox | None = None
        self._export_note = ""       # the last export's message, kept until the next search
        self.setObjectName("auditWindow")
        self.setWindowTitle(self.tr("Audit log — IOPDesk"))
        options = {} if page_size is None else {"page_size": page_size}
        self.model = AuditModel(services, actor, runner, parent=self, **options)
        self._build()
        self.resize(1100, 600)
        self.model.page_loaded.connect(self._page_loaded)
        self.model.load_failed.connect(self._load_failed)
        self.model.loading_changed.connect(self._update_buttons)
        self.reload_actions()
        self.search()

    def _build(self) -> None:
        self.user_combo = QComboBox(self)
        self.user_combo.setObjectName("auditUser")
        self.user_combo.setEditable(True)
        self.user_combo.setMinimumContentsLength(12)
        self.user_combo.lineEdit().setPlaceholderText(self.tr("any user"))
        self.user_combo.lineEdit().returnPressed.connect(self.search)
        self.participant_edit = QLineEdit(self)
        self.participant_edit.setObjectName("auditParticipant")
        self.participant_edit.setPlaceholderText(self.tr("chart number or name"))
        self.participant_edit.setToolTip(self.tr(
            "The participant's chart number (1001) or name (Okafor, or Okafor Sam); empty "
            "for anyone"))
        self.participant_edit.setMaxLength(PARTICIPANT_MAX)
        self.participant_edit.setClearButtonEnabled(True)
        self.participant_edit.setMinimumWidth(
            self.participant_edit.fontMetrics().averageCharWidth() * 20)
        self.participant_edit.returnPressed.connect(self.search)
        self.action_combo = QComboBox(self)
        self.action_combo.setObjectName("auditAction")
        self.action_combo.addItem(self.tr("All actions"), None)
        self.action_combo.setMinimumContentsLength(16)
        self.from_edit = _date_edit(self, "auditFrom")
        self.to_edit = _date_edit(self, "auditTo")
        self.search_button = QPushButton(self.tr("&Show"), self)
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)

        filters = QHBoxLayout()
        for label, widget in ((self.tr("&User:"), self.user_combo),
                              (self.tr("&Participant:"), self.participant_edit),
                              (self.tr("&Action:"), self.action_combo),
                              (self.tr("&From:"), self.from_edit),
                              (self.tr("&To:"), self.to_edit)):
            form = QFormLayout()
            form.setContentsMargins(0, 0, 0, 0)
            form.addRow(label, widget)
            filters.addLayout(form)
        filters.addWidget(self.search_button)
        filters.addStretch(1)

        self.table = QTableView(self)
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        char = self.table.fontMetrics().averageCharWidth()
        for column, chars in ((AuditModel.WHEN, 18), (AuditModel.USER, 12),
                              (AuditModel.WORKSTATION, 14), (AuditModel.ACTION, 20),
                              (AuditModel.OUTCOME, 9), (AuditModel.PARTICIPANT, 28),
                              (AuditModel.RECORD, 16)):
            self.table.setColumnWidth(column, chars * char + 16)

        self.status = QLabel(self)
        self.status.setObjectName("auditStatus")
        self.more_button = QPushButton(self.tr("Load &more"), self)
        self.more_button.clicked.connect(self.model.load_more)
        self.export_button = QPushButton(self.tr("&Export CSV…"), self)
        self.export_button.setToolTip(self.tr("Write the events the filter selects to a CSV "
                                              "file (the export is recorded in the log)"))
        self.export_button.clicked.connect(self.export_csv)
        self.verify_button = QPushButton(self.tr("&Verify chain"), self)
        self.verify_button.setToolTip(self.tr("Check that no event was changed, removed or "
                                              "slipped in"))
        self.verify_button.clicked.connect(self.verify_chain)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.more_button)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.verify_button)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    # -- the filter -----------------------------------------------------------------------

    def current_filter(self) -> AuditSelection:
        participant = " ".join(self.participant_edit.text().split())
        start, end = _date_of(self.from_edit), _date_of(self.to_edit)
        if start and end and start > end:
            start, end = end, start
        return AuditSelection(username=self.user_combo.currentText().strip() or None,
                              participant=participant or None,
                              action=self.action_combo.currentData(), start=start, end=end)

    @Slot()
    def search(self) -> None:
        self._export_note = ""
        self.status.setText(self.tr("Loading…"))
        self.model.set_filter(self.current_filter())

    def reload_actions(self) -> None:
        """Fill the action and user choices (the log only grows: new actions appear)."""
        audit, actor = self._services.audit, self._actor
        self._runner.submit(lambda: audit.actions(actor), self._actions_arrived, self._failed,
                            owner=self)

    def _actions_arrived(self, actions: tuple[str, ...]) -> None:
        chosen = self.action_combo.currentData()
        self.action_combo.clear()
        self.action_combo.addItem(self.tr("All actions"), None)
        for action in actions:
            self.action_combo.addItem(action, action)
        self.action_combo.setCurrentIndex(max(0, self.action_combo.findData(chosen)))
        services, actor = self._services, self._actor
        self._runner.submit(lambda: services.users.list_users(actor), self._users_arrived,
                            self._failed, owner=self)

    def _users_arrived(self, users) -> None:
        typed = self.user_combo.currentText()
        self.user_combo.clear()
        self.user_combo.addItem("")
        for user in sorted(users, key=lambda u: u.username.lower()):
            self.user_combo.addItem(user.username)
        self.user_combo.setEditText(typed)

    @Slot(int)
    def _page_loaded(self, count: int) -> None:
        if count == 0:
            text = self.tr("No events match.")
        elif self.model.has_more:
            text = self.tr("The newest {count} events; “Load more” shows older "
                           "ones.").format(count=count)
        else:
            text = self.tr("{count} events.").format(count=count)
        # an export that finished before its list arrived keeps its message on screen
        self.status.setText(f"{text} {self._export_note}" if self._export_note else text)
        self._update_buttons()

    @Slot(str)
    def _load_failed(self, message: str) -> None:
        self.status.setText(self.tr("The audit log could not be read: {message}").format(
            message=message))
        self._update_buttons()

    @Slot()
    def _update_buttons(self, *_args) -> None:
        self.more_button.setEnabled(self.model.has_more and not self.model.loading)

    def _failed(self, error: object) -> None:
        show_error(self, self.tr("Audit log"), error)

    # -- export and verify ----------------------------------------------------------------

    @Slot()
    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the audit log"),
                                              "audit-log.csv", self.tr("CSV files (*.csv)"),
                                              "", QFileDialog.Option.DontConfirmOverwrite)
        if not path:
            return
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".csv")
        try:                # the dialog does not ask: ".csv" may be added to its name
            from iopdesk.services.files import check_destination  # not at start: it loads the ORM

            check_destination(target, overwrite=False)
        except DestinationExists:
            self.ask_to_replace(target)
            return
        except FileNotWritten as error:
            self._failed(error)
            return
        self._export(target, overwrite=False)

    def ask_to_replace(self, target: Path) -> QMessageBox:
        """The question before an existing file is replaced; "No" (the default) keeps it."""
        self.replace_box = ask_to_replace(self, target, self.tr("the export"),
                                          lambda: self._export(target, overwrite=True))
        return self.replace_box

    def _export(self, target: Path, *, overwrite: bool) -> None:
        selection = self.current_filter()
        if selection != self.model.selection:
            self.model.set_filter(selection)        # show what is being exported
        self._export_note = ""
        audit, actor, options = self._services.audit, self._actor, asdict(selection)
        self.export_button.setEnabled(False)
        self.status.setText(self.tr("Exporting…"))
        self._runner.submit(lambda: audit.export_csv(actor, target, overwrite=overwrite,
                                                     **options),
                            lambda rows: self._exported(target, rows), self._export_failed,
                            owner=self)

    def _exported(self, target: Path, rows: int) -> None:
        self.export_button.setEnabled(True)
        self._export_note = self.tr("{rows} events written to {path}.").format(
            rows=rows, path=str(target))
        self.status.setText(self._export_note)
        self.exported.emit(rows)

    def _export_failed(self, error: object) -> None:
        self.export_button.setEnabled(True)
        self.status.clear()
        self._failed(error)

    @Slot()
    def verify_chain(self) -> None:
        audit, actor = self._services.audit, self._actor
        self.verify_button.setEnabled(False)
        self.status.setText(self.tr("Checking the chain…"))
        self._runner.submit(lambda: audit.verify(actor), self._verified, self._verify_failed,
                            owner=self)

    def _verified(self, report: VerifyReport) -> None:
        self.verify_button.setEnabled(True)
        if report.ok:
            icon = QMessageBox.Icon.Information
            text = self.tr("The audit chain is intact: {count} events checked, none changed, "
                           "removed or inserted.").format(count=report.checked)
        else:
            icon = QMessageBox.Icon.Warning
            where = (self.tr(" (first wrong event: #{id})").format(id=report.event_id)
                     if report.event_id is not None else "")
            text = self.tr("The audit chain is broken{where}: {problem}\n\n{count} events "
                           "checked.").format(where=where, problem=report.problem,
                                              count=report.checked)
        self.status.setText(text.split("\n")[0])
        box = QMessageBox(icon, self.tr("Verify chain"), text, QMessageBox.StandardButton.Ok,
                          self)
        box.setObjectName("verifyReport")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.message_box = box
        box.open()
        self.verified.emit(report)

    def _verify_failed(self, error: object) -> None:
        self.verify_button.setEnabled(True)
        self.status.clear()
        self._failed(error)
