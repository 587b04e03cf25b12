"""Insurance coverage after registration (the face sheet's Insurance section): the list's
model, the dialog that adds or changes a coverage (payer, member and group numbers, the
subscriber, the dates it is in force), and the one that ends it. Both dialogs are
RecordDialogs: every message at its field, a save as new or as update with the version
loaded, Esc/Cancel over typed changes asks first. Coverage is never deleted: it ends."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from iopdesk.domain.changes import RecordKind
from iopdesk.domain.chart import PRIORITIES, CoverageInput, CoverageView
from iopdesk.ui.chart.consents_tab import read_date
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.table_model import RowsTableModel

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

DATE_HINT = "YYYY-MM-DD or MM/DD/YYYY"
# The payer's "patient relationship to insured" (CMS-1500 box 6), stored as the words.
RELATIONSHIPS = (("self", "Self"), ("spouse", "Spouse"), ("child", "Child"),
                 ("other", "Other"))


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def coverage_state(view: CoverageView, today: date) -> str:
    """'Current', 'Ended 2026-10-31' or 'Starts 2027-01-01', as of `today`."""
    if view.is_current:
        return "Current"
    if view.termination_date is not None and view.termination_date < today:
        return f"Ended {view.termination_date.isoformat()}"
    return f"Starts {_day(view.effective_date)}"


class CoverageModel(RowsTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers = ("Priority", "Payer", "Member number", "Group number", "Subscriber",
                         "Effective", "State")
        self._today: date | None = None

    def set_rows(self, rows: tuple[CoverageView, ...], today: date) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._today = today
        self.endResetModel()

    def row_at(self, row: int) -> CoverageView:
        return self._rows[row]

    def _display(self, row: CoverageView, column: int) -> str | None:
        subscriber = row.subscriber_name or ("The participant"
                                             if row.subscriber_relationship == "self" else "")
        return (row.priority_text.capitalize(), row.payer_name, row.member_number,
                row.group_number, subscriber, _day(row.effective_date),
                coverage_state(row, self._today or date.min))[column]


class CoverageDialog(RecordDialog):
    """Add a coverage (`coverage` None) or change one, carrying the version shown."""

    def __init__(self, services: Services, actor: Actor, runner: Runner, participant_id: int,
                 coverage: CoverageView | None = None, parent: QWidget | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self._participant_id = participant_id
        self.coverage = coverage
        self.setObjectName("coverageDialog")
        self.setWindowTitle(self.tr("Add insurance coverage") if coverage is None
                            else self.tr("Change the {payer} coverage").format(
                                payer=coverage.payer_name))
        self.priority_combo = QComboBox(self)
        self.priority_combo.setObjectName("priority")
        for value, text in PRIORITIES.items():
            self.priority_combo.addItem(self.tr(text.capitalize()), value)
        self._row(self.tr("P&riority:"), self.priority_combo, "priority")
        self.edits: dict[str, QLineEdit] = {}
        for name, label in (("payer_name", "&Payer:"), ("payer_id", "Payer &ID:"),
                            ("member_number", "&Member number:"),
                            ("group_number", "&Group number:"),
                            ("subscriber_name", "&Subscriber:")):
            self._edit(name, label)
        self.relationship_combo = QComboBox(self)
        self.relationship_combo.setObjectName("subscriber_relationship")
        for value, text in RELATIONSHIPS:
            self.relationship_combo.addItem(self.tr(text), value)
        self._row(self.tr("Participant is the subscriber's:"), self.relationship_combo,
                  "subscriber_relationship")
        for name, label in (("subscriber_date_of_birth", "Subscriber's date of &birth:"),
                            ("effective_date", "&Effective date:"),
                            ("termination_date", "E&nd date (last covered day):")):
            self._edit(name, label).setPlaceholderText(self.tr(DATE_HINT))
        if coverage is not None:
            self._fill(coverage.as_input())
        self.setMinimumWidth(600)       # the longest message (an end before the start) on a line

    def _row(self, text: str, widget: QWidget, name: str) -> None:
        self.fields.add_row(self.form, text, widget, name)

    def _edit(self, name: str, label: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        self.edits[name] = edit
        self._row(self.tr(label), edit, name)
        return edit

    def _fill(self, data: CoverageInput) -> None:
        self.priority_combo.setCurrentIndex(max(0, self.priority_combo.findData(data.priority)))
        relationship = self.relationship_combo.findData(data.subscriber_relationship)
        if relationship < 0:              # a word typed elsewhere (the demo, an import)
            self.relationship_combo.addItem(data.subscriber_relationship,
                                            data.subscriber_relationship)
            relationship = self.relationship_combo.count() - 1
        self.relationship_combo.setCurrentIndex(relationship)
        for name, edit in self.edits.items():
            value = getattr(data, name)
            edit.setText(value if isinstance(value, str) else _day(value))

    def watched_record(self) -> tuple[RecordKind, int] | None:
        return None if self.coverage is None else (RecordKind.COVERAGE, self.coverage.id)

    def call(self):
        errors: dict[str, str] = {}
        dates = {name: read_date(self.edits[name], name, errors)
                 for name in ("subscriber_date_of_birth", "effective_date", "termination_date")}
        if errors:
            return None, errors
        data = CoverageInput(
            priority=self.priority_combo.currentData(),
            subscriber_relationship=self.relationship_combo.currentData(), **dates,
            **{n: self.edits[n].text() for n in ("payer_name", "payer_id", "member_number",
                                                  "group_number", "subscriber_name")})
        services, actor = self._services, self._actor
        if self.coverage is None:
            pid = self._participant_id
            return (lambda: services.coverage.add(actor, pid, data)), {}
        cid, version = self.coverage.id, self.coverage.version
        return (lambda: services.coverage.update(actor, cid, version, data)), {}


class EndCoverageDialog(RecordDialog):
    """The coverage ends on a date (its last covered day); it stays on record, ended."""

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 coverage: CoverageView, parent: QWidget | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self.coverage = coverage
        self.setObjectName("endCoverageDialog")
        self.setWindowTitle(self.tr("End the {payer} coverage").format(
            payer=coverage.payer_name))
        about = QLabel(self.tr("Member {member}. The coverage stays on record (claims and "
                               "authorizations refer to it); after this date it no longer "
                               "prints on the face sheet.").format(
                                   member=coverage.member_number), self)
        about.setWordWrap(True)
        self.form.addRow(about)
        self.date_edit = QLineEdit(services.settings.clock().today().isoformat(), self)
        self.date_edit.setObjectName("termination_date")
        self.date_edit.setPlaceholderText(self.tr(DATE_HINT))
        self.fields.add_row(self.form, self.tr("&Last covered day:"), self.date_edit,
                            "termination_date")
        self.save_button.setText(self.tr("&End coverage"))

    def watched_record(self) -> tuple[RecordKind, int] | None:
        return RecordKind.COVERAGE, self.coverage.id

    def call(self):
        errors: dict[str, str] = {}
        ends = read_date(self.date_edit, "termination_date", errors)
        if errors:
            return None, errors
        if ends is None:
            return None, {"termination_date": self.tr("End date is required")}
        services, actor = self._services, self._actor
        cid, version = self.coverage.id, self.coverage.version
        return (lambda: services.coverage.end(actor, cid, version, ends)), {}
