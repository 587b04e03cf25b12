"""The chart's Diagnoses tab: the current episode's ICD-10-CM diagnoses, "Add…" (search the code
table by code or words, on a worker, debounced) and "Resolve…".

The code table is built the first time a search finds it missing: the dialog runs the
service's blocking build on the runner (once per dialog; a dialog asking while another's build
runs waits for that one) and searches again when it is done."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QCheckBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from iopdesk.domain.errors import ValidationError
from iopdesk.domain.icd10 import CodeTableNotReady
from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import FieldMessages, error_label, say
from iopdesk.ui.table_model import RowsTableModel, record_table

SEARCH_DELAY_MS = 250


def _date_edit(parent: QWidget, name: str, optional: bool, today: date) -> QDateEdit:
    """A date edit starting at `today` (the practice's, from the services' clock)."""
    edit = QDateEdit(QDate(today.year, today.month, today.day), parent)
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    if optional:
        edit.setMinimumDate(QDate(1900, 1, 1))
        edit.setSpecialValueText(" ")           # the minimum date shows as blank: no date
        edit.setDate(edit.minimumDate())
    return edit


class AddDiagnosisDialog(QDialog):
    added = Signal(object)
    searched = Signal(str)          # the status text after each search (tests wait on it)

    def __init__(self, services, actor, runner, episode_id: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add diagnosis"))
        self.services, self.actor, self.runner = services, actor, runner
        self.episode_id = episode_id
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("codeSearch")
        self.search_edit.setPlaceholderText(self.tr("Code (F10.20) or words (alcohol "
                                                    "dependence)"))
        self.search_edit.setClearButtonEnabled(True)
        self.status = QLabel(self)
        self.status.setObjectName("codeSearchStatus")
        self.status.setWordWrap(True)
        self.results = QListWidget(self)
        self.results.setObjectName("codeResults")
        self.primary_box = QCheckBox(self.tr("&Primary diagnosis"), self)
        self.onset_edit = _date_edit(self, "onsetDate", optional=True,
                                     today=services.settings.clock().today())
        form = QFormLayout()
        self.fields = FieldMessages()
        self.fields.add_row(form, self.tr("&Search:"), self.search_edit, "search")
        form.addRow("", self.status)
        self.fields.add_row(form, self.tr("&Code:"), self.results, "code")
        form.addRow("", self.primary_box)
        self.fields.add_row(form, self.tr("&Onset date:"), self.onset_edit, "onset_date")
        self.message = error_label(self, "addDiagnosisMessage")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Add"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(560, 480)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.search_edit.textChanged.connect(lambda _t: self._timer.start(SEARCH_DELAY_MS))
        self.search_edit.returnPressed.connect(self.search_now)
        self.results.itemDoubleClicked.connect(lambda _item: self.submit())
        self._ticket = 0
        self._build_asked = False   # this dialog has asked for the code table's build
        self.building = False       # and is waiting for it

    @Slot()
    def search_now(self) -> None:
        self._timer.stop()
        if self.building:
            return                  # searched when the build is done, with the text then
        text = self.search_edit.text().strip()
        if not text:
            self.results.clear()
            self.status.setText("")
            return
        self._ticket += 1
        ticket = self._ticket
        s, a = self.services, self.actor
        self.status.setText(self.tr("Searching…"))
        self.runner.submit(lambda: s.diagnoses.search_codes(a, text),
                           lambda codes: self._found(ticket, codes),
                           lambda error: self._search_failed(ticket, error), owner=self)

    def _found(self, ticket: int, codes) -> None:
        if ticket != self._ticket:
            return                  # a later search is on its way
        self.results.clear()
        for code in codes:
            item = QListWidgetItem(code.label, self.results)
            item.setData(Qt.ItemDataRole.UserRole, code.code)
        if codes:
            self.results.setCurrentRow(0)
        self.status.setText(self.tr("{count} codes").format(count=len(codes)) if codes
                            else self.tr("No billable code matches."))
        self.searched.emit(self.status.text())

    def _search_failed(self, ticket: int, error: object) -> None:
        if ticket != self._ticket:
            return
        if isinstance(error, CodeTableNotReady) and not self._build_asked:
            self._build_table()
            return
        self.status.setText(describe_error(error))
        self.searched.emit(self.status.text())

    def _build_table(self) -> None:
        """Build the code table on the runner (or wait for the build under way), then search
        again."""
        self._build_asked = True
        self.building = True
        self.fields.set("search", "")
        self.status.setText(self.tr("Building the ICD-10-CM code table… (done once; it takes "
                                    "a few seconds)"))
        s = self.services
        self.runner.submit(s.diagnoses.build_code_table, self._table_built,
                           self._table_failed, owner=self)

    def _table_built(self, _built: bool) -> None:
        self.building = False
        self.status.setText("")
        self.search_now()

    def _table_failed(self, error: object) -> None:
        self.building = False
        self.status.setText("")
        self.fields.set("search", describe_error(error))
        self.searched.emit(self.fields.text("search"))

    def choose(self, code: str) -> bool:
        for row in range(self.results.count()):
            if self.results.item(row).data(Qt.ItemDataRole.UserRole) == code:
                self.results.setCurrentRow(row)
                return True
        return False

    @Slot()
    def submit(self) -> None:
        self.fields.clear()
        say(self.message, "")
        item = self.results.currentItem()
        if item is None:
            self.fields.set("code", self.tr("Search and choose a code"))
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        onset = None if self.onset_edit.date() == self.onset_edit.minimumDate() \
            else self.onset_edit.date().toPython()
        primary = self.primary_box.isChecked()
        s, a, eid = self.services, self.actor, self.episode_id
        self.ok_button.setEnabled(False)
        self.runner.submit(lambda: s.diagnoses.add(a, eid, code, is_primary=primary,
                                                   onset_date=onset),
                           self._done, self._failed, owner=self)

    def _done(self, diagnosis) -> None:
        self.added.emit(diagnosis)
        self.accept()

    def _failed(self, error: object) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(error, ValidationError):
            rest = self.fields.show(error.fields)
            if rest:
                say(self.message, "\n".join(rest.values()))
        else:
            say(self.message, describe_error(error))


class ResolveDialog(QDialog):
    resolved = Signal(object)

    def __init__(self, services, actor, runner, diagnosis, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Resolve {code}").format(code=diagnosis.icd10_code))
        self.services, self.actor, self.runner = services, actor, runner
        self.diagnosis = diagnosis
        self.date_edit = _date_edit(self, "resolvedDate", optional=False,
                                    today=services.settings.clock().today())
        form = QFormLayout()
        self.fields = FieldMessages()
        form.addRow(QLabel(diagnosis.icd10_code + " " + diagnosis.description, self))
        self.fields.add_row(form, self.tr("&Resolved on:"), self.date_edit, "resolved_date")
        self.message = error_label(self, "resolveMessage")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Resolve"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    @Slot()
    def submit(self) -> None:
        self.fields.clear()
        say(self.message, "")
        day = self.date_edit.date().toPython()
        s, a, dx = self.services, self.actor, self.diagnosis
        self.runner.submit(lambda: s.diagnoses.resolve(a, dx.id, dx.version, day),
                           self._done, self._failed, owner=self)

    def _done(self, diagnosis) -> None:
        self.resolved.emit(diagnosis)
        self.accept()

    def _failed(self, error: object) -> None:
        if isinstance(error, ValidationError):
            rest = self.fields.show(error.fields)
            if rest:
                say(self.message, "\n".join(rest.values()))
        else:
            say(self.message, describe_error(error))


class DiagnosesModel(RowsTableModel):
    """The episode's diagnoses: current ones first (the primary at the top), resolved ones
    greyed below."""

    DESCRIPTION = 1
    RESOLVED = QBrush(QColor("#757575"))

    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers = ("Code", "Description", "Primary", "Onset", "Resolved", "Added by")

    def set_rows(self, diagnoses) -> None:
        self.beginResetModel()
        self._rows = sorted(diagnoses, key=lambda d: (not d.active, not d.is_primary))
        self.endResetModel()

    def rows(self) -> tuple:
        return tuple(self._rows)

    def _display(self, dx, column: int) -> str | None:
        return (dx.icd10_code, dx.description, "Primary" if dx.is_primary else "",
                dx.onset_date.isoformat() if dx.onset_date else "",
                dx.resolved_date.isoformat() if dx.resolved_date else "",
                dx.added_by_name)[column]

    def _decoration(self, dx, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and not dx.active:
            return self.RESOLVED
        return None


class DiagnosesTab(QWidget):
    loaded = Signal()

    def __init__(self, services, actor, runner, participant_id: int, summary, parent=None):
        super().__init__(parent)
        self.services, self.actor, self.runner = services, actor, runner
        self.episode_id = summary.current_episode_id
        self.diagnoses: tuple = ()
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.add_button = QPushButton(self.tr("&Add…"), self)
        self.add_button.setObjectName("addDiagnosisButton")
        self.add_button.clicked.connect(self.open_add)
        self.resolve_button = QPushButton(self.tr("&Resolve…"), self)
        self.resolve_button.setObjectName("resolveDiagnosisButton")
        self.resolve_button.clicked.connect(self.open_resolve)
        self.model = DiagnosesModel(self)
        self.table = record_table(self, self.model, "diagnosesTable")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DiagnosesModel.DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        top = QHBoxLayout()
        top.addWidget(self.message, 1)
        top.addWidget(self.add_button)
        top.addWidget(self.resolve_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.dialog: QDialog | None = None
        if self.episode_id is None:
            self.message.setText(self.tr("No episode yet: admit the participant first."))
            self.add_button.setEnabled(False)
            self.resolve_button.setEnabled(False)
        else:
            self.reload()

    @Slot()
    def reload(self) -> None:
        s, a, eid = self.services, self.actor, self.episode_id
        self.runner.submit(lambda: s.diagnoses.list(a, eid), self._show,
                           lambda e: self.message.setText(describe_error(e)), owner=self)

    def _show(self, diagnoses) -> None:
        self.model.set_rows(diagnoses)
        self.diagnoses = self.model.rows()
        self.message.setText("" if self.diagnoses else self.tr("No diagnoses yet."))
        self.loaded.emit()

    @Slot()
    def open_add(self) -> AddDiagnosisDialog:
        dialog = AddDiagnosisDialog(self.services, self.actor, self.runner, self.episode_id,
                                    self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.added.connect(lambda _dx: self.reload())
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def open_resolve(self) -> ResolveDialog | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not self.diagnoses[rows[0].row()].active:
            self.message.setText(self.tr("Choose a current diagnosis to resolve."))
            return None
        dialog = ResolveDialog(self.services, self.actor, self.runner,
                               self.diagnoses[rows[0].row()], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.resolved.connect(lambda _dx: self.reload())
        self.dialog = dialog
        dialog.open()
        return dialog
