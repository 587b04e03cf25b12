"""The chart's consents tab: consents to disclose, added and changed (never once revoked),
revoked (a date and a note; irreversible, so the dialog says so), and printed through the PDF
preview, every print or save recorded as a `consent_form` export. Each consent shows its
number: the one the face sheet lists and `iopdesk print consent --consent NUMBER` takes."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QHeaderView, QLabel, QLineEdit,
                               QPlainTextEdit, QWidget)

from iopdesk.domain.changes import RecordKind
from iopdesk.domain.chart import ConsentInput, ConsentState, ConsentView
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.validation import parse_date
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.chart.record_tab import RecordListTab
from iopdesk.ui.errors import describe_error, show_error
from iopdesk.ui.table_model import RowsTableModel

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

DOCUMENT = "consent_form"


def _date_text(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def read_date(edit: QLineEdit, name: str, errors: dict[str, str]) -> date | None:
    """The date typed in `edit` (None when empty); a message in `errors` when unreadable."""
    if not edit.text().strip():
        return None
    try:
        return parse_date(edit.text(), name)
    except ValidationError as refused:
        errors.update(refused.fields)
        return None


class ConsentsModel(RowsTableModel):
    NUMBER, RECIPIENT, PURPOSE, PART2, EFFECTIVE, EXPIRY, STATE = range(7)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers = ("No.", "Recipient", "Purpose", "Part 2", "Effective", "Expiry",
                         "State")

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if (section == self.NUMBER and orientation == Qt.Orientation.Horizontal
                and role == Qt.ItemDataRole.ToolTipRole):
            return self.tr("The consent's number, as on the face sheet (iopdesk print "
                           "consent --consent NUMBER)")
        return super().headerData(section, orientation, role)

    def set_rows(self, rows: tuple[ConsentView, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> ConsentView:
        return self._rows[row]

    def _display(self, row: ConsentView, column: int) -> str | None:
        expiry = _date_text(row.expiry_date) or row.expiry_event
        return (str(row.id), row.recipient_name, " ".join(row.purpose.split()),
                "Yes" if row.is_part2 else "", row.effective_date.isoformat(), expiry,
                row.state_text)[column]


class ConsentDialog(RecordDialog):
    def __init__(self, services: Services, actor: Actor, runner: Runner, participant_id: int,
                 consent: ConsentView | None = None, parent: QWidget | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self._participant_id = participant_id
        self.consent = consent
        self.setObjectName("consentDialog")
        self.setWindowTitle(self.tr("Add a consent to disclose") if consent is None
                            else self.tr("Change the consent to disclose to {name}").format(
                                name=consent.recipient_name))
        self.edits: dict[str, QLineEdit | QPlainTextEdit] = {}
        for name, label, long in (
                ("recipient_name", "&Recipient:", False),
                ("recipient_address", "Recipient's a&ddress:", False),
                ("purpose", "&Purpose:", True),
                ("information_scope", "&What may be disclosed:", True),
                ("who_may_disclose", "W&ho may disclose:", False),
                ("effective_date", "&Effective date:", False),
                ("expiry_date", "E&xpiry date:", False),
                ("expiry_event", "Or expires &upon:", False),
                ("signed_on", "&Signed on:", False),
                ("signed_by", "Signed &by:", False)):
            edit = QPlainTextEdit(self) if long else QLineEdit(self)
            if long:
                edit.setMaximumHeight(70)
                edit.setTabChangesFocus(True)
            elif name.endswith(("_date", "_on")):
                edit.setPlaceholderText(self.tr("YYYY-MM-DD or MM/DD/YYYY"))
            edit.setObjectName(name)
            self.edits[name] = edit
            self.fields.add_row(self.form, self.tr(label), edit, name)
        self.part2_check = QCheckBox(self.tr("42 CFR &Part 2 consent (substance use "
                                             "disorder records)"), self)
        self.part2_check.setObjectName("is_part2")
        self.part2_check.setChecked(True)
        self.fields.add_row(self.form, "", self.part2_check, "is_part2")
        if consent is not None:
            data = consent.as_input()
            for name, edit in self.edits.items():
                value = getattr(data, name)
                text = value if isinstance(value, str) else _date_text(value)
                if isinstance(edit, QPlainTextEdit):
                    edit.setPlainText(text)
                else:
                    edit.setText(text)
            self.part2_check.setChecked(data.is_part2)
        else:
            self.edits["effective_date"].setText(
                services.settings.clock().today().isoformat())

    def _text(self, name: str) -> str:
        edit = self.edits[name]
        return edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()

    def watched_record(self) -> tuple[RecordKind, int] | None:
        return None if self.consent is None else (RecordKind.CONSENT, self.consent.id)

    def call(self):
        errors: dict[str, str] = {}
        dates = {name: read_date(self.edits[name], name, errors)
                 for name in ("effective_date", "expiry_date", "signed_on")}
        if errors:
            return None, errors
        data = ConsentInput(**dates, is_part2=self.part2_check.isChecked(),
                            **{n: self._text(n) for n in (
                                "recipient_name", "recipient_address", "purpose",
                                "information_scope", "who_may_disclose", "expiry_event",
                                "signed_by")})
        services, actor = self._services, self._actor
        if self.consent is None:
            pid = self._participant_id
            return (lambda: services.consents.add(actor, pid, data)), {}
        cid, version = self.consent.id, self.consent.version
        return (lambda: services.consents.update(actor, cid, version, data)), {}


class RevokeDialog(RecordDialog):
    """The participant's revocation: irreversible, so the dialog says what it does."""

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 consent: ConsentView, parent: QWidget | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self.consent = consent
        self.setObjectName("revokeDialog")
        self.setWindowTitle(self.tr("Revoke the consent to disclose to {name}").format(
            name=consent.recipient_name))
        warning = QLabel(self.tr(
            "Revoking cannot be undone: from this date on, nothing more may be disclosed to "
            "{name} under this consent, and it never prints as active again.").format(
                name=consent.recipient_name), self)
        warning.setWordWrap(True)
        self.form.addRow(warning)
        self.date_edit = QLineEdit(services.settings.clock().today().isoformat(), self)
        self.date_edit.setObjectName("revoked_on")
        self.fields.add_row(self.form, self.tr("Revoked &on:"), self.date_edit, "revoked_on")
        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("revocation_note")
        self.fields.add_row(self.form, self.tr("&Note:"), self.note_edit, "revocation_note")
        self.save_button.setText(self.tr("&Revoke"))

    def watched_record(self) -> tuple[RecordKind, int] | None:
        return RecordKind.CONSENT, self.consent.id

    def call(self):
        errors: dict[str, str] = {}
        revoked_on = read_date(self.date_edit, "revoked_on", errors)
        if errors:
            return None, errors
        if revoked_on is None:
            return None, {"revoked_on": self.tr("Date of revocation is required")}
        services, actor, note = self._services, self._actor, self.note_edit.text()
        cid, version = self.consent.id, self.consent.version
        return (lambda: services.consents.revoke(actor, cid, version, revoked_on, note)), {}


class ConsentsTab(RecordListTab):
    preview_opened = Signal(object)     # the PdfPreviewDialog
    recorded = Signal(str, str)         # a print or save is in the audit trail

    NAME = "consents"
    EMPTY = "No consents on record."

    def make_model(self) -> ConsentsModel:
        return ConsentsModel(self)

    def make_buttons(self) -> None:
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ConsentsModel.NUMBER, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ConsentsModel.PURPOSE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ConsentsModel.STATE, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(ConsentsModel.RECIPIENT, 200)
        self.add_button = self.button(self.tr("&Add…"), "addConsent", self.add)
        self.edit_button = self.button(self.tr("&Edit…"), "editConsent", self.edit)
        self.revoke_button = self.button(self.tr("&Revoke…"), "revokeConsent", self.revoke)
        self.print_button = self.button(self.tr("&Print consent…"), "printConsent",
                                        self.print_consent)

    def list_call(self):
        services, actor, pid = self._services, self._actor, self.participant_id
        return lambda: services.consents.list(actor, pid)

    def update_buttons(self, consent: ConsentView | None) -> None:
        open_ = consent is not None and consent.state is not ConsentState.REVOKED
        self.edit_button.setEnabled(open_)
        self.revoke_button.setEnabled(open_)
        self.print_button.setEnabled(consent is not None
                                     and hasattr(self._services, "documents"))

    def _open(self, dialog: RecordDialog) -> RecordDialog:
        return self.open_dialog(dialog)

    @Slot()
    def add(self) -> RecordDialog:
        return self._open(ConsentDialog(self._services, self._actor, self._runner,
                                        self.participant_id, None, self))

    @Slot()
    def edit(self) -> RecordDialog | None:
        consent = self.selected()
        if consent is None or consent.state is ConsentState.REVOKED:
            return None
        return self._open(ConsentDialog(self._services, self._actor, self._runner,
                                        self.participant_id, consent, self))

    @Slot()
    def revoke(self) -> RecordDialog | None:
        consent = self.selected()
        if consent is None or consent.state is ConsentState.REVOKED:
            return None
        return self._open(RevokeDialog(self._services, self._actor, self._runner, consent,
                                       self))

    @Slot()
    def print_consent(self) -> None:
        consent = self.selected()
        if consent is None:
            return
        services, actor, pid = self._services, self._actor, self.participant_id
        self._runner.submit(
            lambda: services.documents.consent_form(actor, consent.id, participant_id=pid),
            lambda pdf: self._preview(consent, pdf),
            lambda error: show_error(self, self.tr("Consent form"), error), owner=self)

    def _preview(self, consent: ConsentView, pdf: bytes) -> None:
        from iopdesk.ui.pdf_preview import PdfPreviewDialog

        title = self.tr("Consent to disclose to {name}").format(name=consent.recipient_name)
        dialog = PdfPreviewDialog(pdf, title, self._record, runner=self._runner, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.show()
        self.preview_opened.emit(dialog)

    def _record(self, kind: str, where: str) -> None:
        services, actor, pid = self._services, self._actor, self.participant_id
        self._runner.submit(
            lambda: services.documents.record_export(actor, DOCUMENT, pid, where, how=kind),
            lambda _result: self.recorded.emit(kind, where),
            lambda error: show_error(self, self.tr("Consent form"), self.tr(
                "The consent form went out, but IOPDesk could not record it in the audit "
                "log. Tell your administrator.\n\n{reason}").format(
                    reason=describe_error(error))), owner=self)
