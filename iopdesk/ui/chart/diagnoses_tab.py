"""The chart's Diagnoses tab: the current episode's ICD-10-CM diagnoses, "Add…" (search the code
table by code or words, on a worker, debounced) and "Resolve…".

The code table is built the first time a search finds it missing: the dialog runs the
service's blocking build on the runner (once per dialog; a dialog asking while another's build
runs waits for that one) and searches again when it is done."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (QCheckBox, QDateEdit, QHeaderView, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QWidget)

from iopdesk.domain.changes import RecordKind
from iopdesk.domain.clinical import Diagnosis
from iopdesk.domain.errors import Conflict
from iopdesk.domain.icd10 import CodeTableNotReady
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.chart.record_tab import RecordListTab
from iopdesk.ui.errors import describe_error
from iopdesk.ui.table_model import RowsTableModel

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

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


class SearchEdit(QLineEdit):
    """A search field: Enter searches (returnPressed) and goes no further, so it never also
    presses the dialog's default button (Add, which would add whichever code the last search
    put first)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class AddDiagnosisDialog(RecordDialog):
    """Search, choose a billable code, primary or not, onset date; `saved` carries the new
    Diagnosis. A code already current in the episode is refused at the code. Enter in the
    search field searches now; in the list of codes (or a double-click) it adds the code."""

    searched = Signal(str)          # the status text after each search (tests wait on it)

    def __init__(self, services: Services, actor: Actor, runner: Runner, episode_id: int,
                 parent: QWidget | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self.episode_id = episode_id
        self.setObjectName("addDiagnosisDialog")
        self.setWindowTitle(self.tr("Add diagnosis"))
        self.search_edit = SearchEdit(self)
        self.search_edit.setObjectName("codeSearch")
        self.search_edit.setPlaceholderText(self.tr("Code (F10.20) or words (alcohol use "
                                                    "disorder, moderate; OUD severe; PTSD)"))
        self.search_edit.setClearButtonEnabled(True)
        self.status = QLabel(self)
        self.status.setObjectName("codeSearchStatus")
        self.status.setWordWrap(True)
        self.results = QListWidget(self)
        self.results.setObjectName("codeResults")
        self.primary_box = QCheckBox(self.tr("&Primary diagnosis"), self)
        self.primary_box.setObjectName("isPrimary")
        self.onset_edit = _date_edit(self, "onsetDate", optional=True,
                                     today=services.settings.clock().today())
        self.fields.add_row(self.form, self.tr("&Search:"), self.search_edit, "search")
        self.form.addRow("", self.status)
        self.fields.add_row(self.form, self.tr("&Code:"), self.results, "code", "icd10_code")
        self.fields.add_row(self.form, "", self.primary_box, "is_primary")
        self.fields.add_row(self.form, self.tr("&Onset date:"), self.onset_edit, "onset_date")
        self.save_button.setText(self.tr("Add"))
        self.resize(560, 480)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.search_edit.textChanged.connect(lambda _t: self._timer.start(SEARCH_DELAY_MS))
        self.search_edit.returnPressed.connect(self.search_now)
        self.results.itemDoubleClicked.connect(lambda _item: self.accept())
        self.results.currentRowChanged.connect(self._code_chosen)
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
        s, a = self._services, self._actor
        self.status.setText(self.tr("Searching…"))
        self._runner.submit(lambda: s.diagnoses.search_codes(a, text),
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
        s = self._services
        self._runner.submit(s.diagnoses.build_code_table, self._table_built,
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

    @Slot(int)
    def _code_chosen(self, row: int) -> None:
        if row >= 0:
            self.fields.set("code", "")     # "choose a code" is answered

    def choose(self, code: str) -> bool:
        for row in range(self.results.count()):
            if self.results.item(row).data(Qt.ItemDataRole.UserRole) == code:
                self.results.setCurrentRow(row)
                return True
        return False

    def call(self):
        item = self.results.currentItem()
        if item is None:
            return None, {"code": self.tr("Search and choose a code")}
        code = item.data(Qt.ItemDataRole.UserRole)
        onset = None if self.onset_edit.date() == self.onset_edit.minimumDate() \
            else self.onset_edit.date().toPython()
        primary = self.primary_box.isChecked()
        services, actor, eid = self._services, self._actor, self.episode_id
        return (lambda: services.diagnoses.add(actor, eid, code, is_primary=primary,
                                               onset_date=onset)), {}

    def error_fields(self, error: object):
        if isinstance(error, Conflict):             # already a current diagnosis
            return {"code": describe_error(error)}
        return super().error_fields(error)


class ResolveDialog(RecordDialog):
    """The date a diagnosis was resolved (today at first); saved over the version shown."""

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 diagnosis: Diagnosis, parent: QWidget | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self.diagnosis = diagnosis
        self.setObjectName("resolveDialog")
        self.setWindowTitle(self.tr("Resolve {code}").format(code=diagnosis.icd10_code))
        self.form.addRow(QLabel(diagnosis.icd10_code + " " + diagnosis.description, self))
        self.date_edit = _date_edit(self, "resolvedDate", optional=False,
                                    today=services.settings.clock().today())
        self.fields.add_row(self.form, self.tr("&Resolved on:"), self.date_edit,
                            "resolved_date")
        self.save_button.setText(self.tr("Resolve"))

    def watched_record(self) -> tuple[RecordKind, int] | None:
        return RecordKind.DIAGNOSIS, self.diagnosis.id

    def call(self):
        day: date = self.date_edit.date().toPython()
        services, actor = self._services, self._actor
        did, version = self.diagnosis.id, self.diagnosis.version
        return (lambda: services.diagnoses.resolve(actor, did, version, day)), {}

    def error_fields(self, error: object):
        if isinstance(error, Conflict):             # resolved already
            return {"resolved_date": describe_error(error)}
        return super().error_fields(error)


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

    def rows(self) -> tuple[Diagnosis, ...]:
        return tuple(self._rows)

    def row_at(self, row: int) -> Diagnosis:
        return self._rows[row]

    def _display(self, dx, column: int) -> str | None:
        return (dx.icd10_code, dx.description, "Primary" if dx.is_primary else "",
                dx.onset_date.isoformat() if dx.onset_date else "",
                dx.resolved_date.isoformat() if dx.resolved_date else "",
                dx.added_by_name)[column]

    def _decoration(self, dx, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and not dx.active:
            return self.RESOLVED
        return None


class DiagnosesTab(RecordListTab):
    """The current episode's diagnoses; with no episode, it says to admit first."""

    NAME = "diagnoses"
    EMPTY = "No diagnoses yet."
    NO_EPISODE = "No episode yet: admit the participant first."

    @property
    def episode_id(self) -> int | None:
        return self.summary.current_episode_id if self.summary is not None else None

    @property
    def diagnoses(self) -> tuple[Diagnosis, ...]:
        """The diagnoses shown: current ones first (the primary at the top)."""
        return self.model.rows()

    def make_model(self) -> DiagnosesModel:
        return DiagnosesModel(self)

    def make_buttons(self) -> None:
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DiagnosesModel.DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        self.add_button = self.button(self.tr("&Add…"), "addDiagnosisButton", self.open_add)
        self.resolve_button = self.button(self.tr("&Resolve…"), "resolveDiagnosisButton",
                                          self.open_resolve)

    def list_call(self):
        services, actor, eid = self._services, self._actor, self.episode_id
        return lambda: services.diagnoses.list(actor, eid)

    def update_buttons(self, chosen: Diagnosis | None) -> None:
        self.add_button.setEnabled(self.episode_id is not None)
        self.resolve_button.setEnabled(chosen is not None and chosen.active)

    @Slot()
    def reload(self) -> None:
        if self.episode_id is None:
            self.show_message(self.tr(self.NO_EPISODE))
            return
        super().reload()

    @Slot()
    def open_add(self) -> AddDiagnosisDialog | None:
        if self.episode_id is None:
            return None
        return self.open_dialog(AddDiagnosisDialog(self._services, self._actor, self._runner,
                                                   self.episode_id, self))

    @Slot()
    def open_resolve(self) -> ResolveDialog | None:
        chosen = self.selected()
        if chosen is None or not chosen.active:
            self.show_message(self.tr("Choose a current diagnosis to resolve."))
            return None
        return self.open_dialog(ResolveDialog(self._services, self._actor, self._runner,
                                              chosen, self))
