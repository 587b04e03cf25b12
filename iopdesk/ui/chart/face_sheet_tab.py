"""The chart's face sheet tab: the participant's demographics (read-only), Edit… (the
registration form in its edit mode, carrying the version shown), Print face sheet… (the
same preview-and-record flow as the participant list's), and the insurance coverage, which
the front desk adds, changes and ends here after registration (ui.chart.coverage_dialog)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QVBoxLayout, QWidget)

from iopdesk.domain.readmodels import ParticipantRow
from iopdesk.ui.chart.coverage_dialog import CoverageDialog, CoverageModel, EndCoverageDialog
from iopdesk.ui.chart.record_tab import ChartTab, row_button
from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import ERROR_STYLE
from iopdesk.ui.participants.printing import DocumentPrinter, documents_available
from iopdesk.ui.registration.dialog import RegistrationDialog
from iopdesk.ui.table_model import record_table

if TYPE_CHECKING:
    from iopdesk.domain.chart import CoverageView
    from iopdesk.domain.readmodels import Participant
    from iopdesk.services import Actor, Services
    from iopdesk.ui.chart.record_dialog import RecordDialog
    from iopdesk.ui.operations import Runner

_SHOWN = (("chart_number", "Chart number"), ("name", "Legal name"),
          ("preferred_name", "Preferred name"), ("pronouns", "Pronouns"),
          ("date_of_birth", "Date of birth"), ("sex_at_birth", "Sex at birth"),
          ("gender_identity", "Gender identity"), ("phone", "Phone"),
          ("alt_phone", "Alternate phone"), ("email", "E-mail"),
          ("address", "Address"), ("preferred_contact", "Preferred contact"),
          ("referral_source", "Referral source"),
          ("referral_date", "Referral date"))     # of the current episode, else the registration's


class FaceSheetTab(ChartTab):
    loaded = Signal(object)         # the Participant shown
    editor_opened = Signal(object)  # the RegistrationDialog in edit mode
    coverage_loaded = Signal()      # the insurance list shows what is stored
    # dialog_opened (ChartTab): a coverage dialog (add, change or end)

    NAME = "faceSheet"

    def __init__(self, services: Services, actor: Actor, runner: Runner, participant_id: int,
                 summary, parent: QWidget | None = None):
        super().__init__(services, actor, runner, participant_id, summary, parent)
        self.participant: Participant | None = None
        self.editor: RegistrationDialog | None = None
        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label in _SHOWN:
            value = QLabel(self)
            value.setObjectName(f"value_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.values[key] = value
            form.addRow(self.tr(label) + ":", value)
        buttons = QHBoxLayout()
        self.edit_button = row_button(self, buttons, self.tr("&Edit…"), "editDemographics",
                                      self.edit)
        self.print_button = row_button(self, buttons, self.tr("&Print face sheet…"),
                                       "printFaceSheet", self.print_face_sheet)
        buttons.addStretch(1)
        self.face_sheets: DocumentPrinter | None = None
        if documents_available(services):
            self.face_sheets = DocumentPrinter(services, actor, runner, self)
        else:
            self.print_button.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self._build_coverage(), 1)
        self._set_enabled(False)
        self.reload()

    def _build_coverage(self) -> QGroupBox:
        box = QGroupBox(self.tr("Insurance"), self)
        box.setObjectName("coverageGroup")
        self.coverage_model = CoverageModel(self)
        self.coverage_table = record_table(box, self.coverage_model, "coverageTable")
        header = self.coverage_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)      # the payer
        self.coverage_table.doubleClicked.connect(self.edit_coverage)
        self.coverage_message = QLabel(box)
        self.coverage_message.setObjectName("coverageMessage")
        self.coverage_message.setWordWrap(True)
        self.coverage_message.hide()
        row = QHBoxLayout()
        self.add_coverage_button = row_button(
            box, row, self.tr("&Add coverage…"), "addCoverage", self.add_coverage)
        self.edit_coverage_button = row_button(
            box, row, self.tr("C&hange coverage…"), "editCoverage", self.edit_coverage)
        self.end_coverage_button = row_button(
            box, row, self.tr("E&nd coverage…"), "endCoverage", self.end_coverage)
        row.addStretch(1)
        inner = QVBoxLayout(box)
        inner.addLayout(row)
        inner.addWidget(self.coverage_message)
        inner.addWidget(self.coverage_table, 1)
        self.coverage_table.selectionModel().selectionChanged.connect(
            self._coverage_selection_changed)
        self.coverage_model.modelReset.connect(self._coverage_selection_changed)
        self._coverage_selection_changed()
        return box

    @Slot()
    def reload(self) -> None:
        services, actor, pid = self._services, self._actor, self.participant_id
        self._runner.submit(lambda: services.participants.get(actor, pid), self._show,
                            self._failed, owner=self)
        self.reload_coverage()

    def _show(self, p: Participant) -> None:
        self.participant = p
        self.message.hide()
        name = " ".join(part for part in (p.first_name, p.middle_name, p.last_name) if part)
        address = ", ".join(part for part in (
            p.address_line1, p.address_line2, p.city,
            " ".join(x for x in (p.state, p.postal_code) if x)) if part)
        phone = p.phone + (self.tr(" (OK to leave a message)")
                           if p.phone and p.phone_ok_to_leave_message else "")
        episode = p.current_episode
        referred = (episode.referral_date if episode is not None else None) or p.referral_date
        shown = {"chart_number": p.chart_number, "name": name,
                 "preferred_name": p.preferred_name, "pronouns": p.pronouns,
                 "date_of_birth": p.date_of_birth.isoformat(), "sex_at_birth": p.sex_at_birth,
                 "gender_identity": p.gender_identity, "phone": phone,
                 "alt_phone": p.alt_phone, "email": p.email,
                 "address": address, "preferred_contact": p.preferred_contact,
                 "referral_source": p.referral_source,
                 "referral_date": referred.isoformat() if referred is not None else ""}
        for key, label in self.values.items():
            label.setText(shown[key] or "—")
        self._set_enabled(True)
        self.loaded.emit(p)

    def _failed(self, error: object) -> None:
        self.show_message(describe_error(error), error=True)

    def _set_enabled(self, enabled: bool) -> None:
        self.edit_button.setEnabled(enabled)
        self.print_button.setEnabled(enabled)

    @Slot()
    def edit(self) -> RegistrationDialog | None:
        if self.participant is None:
            return None
        if self.editor is not None:
            self.editor.raise_()
            return self.editor
        dialog = RegistrationDialog(self._services, self._actor, self._runner, self,
                                    participant=self.participant)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.saved.connect(self._show)
        dialog.destroyed.connect(self._editor_gone)
        self.editor = dialog
        dialog.open()
        self.editor_opened.emit(dialog)
        return dialog

    def _editor_gone(self, *_args) -> None:
        self.editor = None

    # -- insurance ------------------------------------------------------------------------

    @Slot()
    def reload_coverage(self) -> None:
        services, actor, pid = self._services, self._actor, self.participant_id
        self._runner.submit(
            lambda: (services.coverage.list(actor, pid), services.settings.clock().today()),
            self._show_coverage, self._coverage_failed, owner=self)

    def _show_coverage(self, loaded: tuple[tuple[CoverageView, ...], object]) -> None:
        rows, today = loaded
        chosen = self.selected_coverage()
        self.coverage_model.set_rows(tuple(rows), today)
        if chosen is not None:
            for row in range(self.coverage_model.rowCount()):
                if self.coverage_model.row_at(row).id == chosen.id:
                    self.coverage_table.selectRow(row)
        self._say_coverage("" if rows else self.tr("No insurance on file (self-pay)."))
        self.coverage_loaded.emit()

    def _coverage_failed(self, error: object) -> None:
        self._say_coverage(describe_error(error), error=True)

    def _say_coverage(self, text: str, *, error: bool = False) -> None:
        self.coverage_message.setStyleSheet(ERROR_STYLE if error else "")
        self.coverage_message.setText(text)
        self.coverage_message.setVisible(bool(text))

    def selected_coverage(self) -> CoverageView | None:
        rows = self.coverage_table.selectionModel().selectedRows()
        return self.coverage_model.row_at(rows[0].row()) if rows else None

    @Slot()
    def _coverage_selection_changed(self, *_args) -> None:
        chosen = self.selected_coverage()
        self.edit_coverage_button.setEnabled(chosen is not None)
        self.end_coverage_button.setEnabled(chosen is not None and chosen.is_current)

    @Slot()
    def add_coverage(self) -> RecordDialog:
        return self.open_dialog(CoverageDialog(
            self._services, self._actor, self._runner, self.participant_id, None, self),
            self.reload_coverage)

    @Slot()
    def edit_coverage(self) -> RecordDialog | None:
        coverage = self.selected_coverage()
        if coverage is None:
            return None
        return self.open_dialog(CoverageDialog(
            self._services, self._actor, self._runner, self.participant_id, coverage, self),
            self.reload_coverage)

    @Slot()
    def end_coverage(self) -> RecordDialog | None:
        coverage = self.selected_coverage()
        if coverage is None or not coverage.is_current:
            return None
        return self.open_dialog(EndCoverageDialog(
            self._services, self._actor, self._runner, coverage, self), self.reload_coverage)

    # -- printing ---------------------------------------------------------------------------

    @Slot()
    def print_face_sheet(self) -> None:
        p = self.participant
        if p is None or self.face_sheets is None:
            return
        self.face_sheets.open(ParticipantRow(
            id=p.id, chart_number=p.chart_number, last_name=p.last_name,
            first_name=p.first_name, preferred_name=p.preferred_name,
            date_of_birth=p.date_of_birth, phone=p.phone, status=None, track_name=""))
