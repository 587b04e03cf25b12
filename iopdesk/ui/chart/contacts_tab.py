"""The chart's contacts tab: family and collateral contacts, added, changed and deactivated
through the contacts service (each save carries the version shown)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QCheckBox, QHeaderView, QLineEdit, QPlainTextEdit, QWidget

from iopdesk.domain.changes import RecordKind
from iopdesk.domain.chart import ContactInput, ContactView
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.chart.record_tab import RecordListTab
from iopdesk.ui.errors import show_error
from iopdesk.ui.table_model import RowsTableModel

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner


def _yes(flag: bool) -> str:
    return "Yes" if flag else ""


class ContactsModel(RowsTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers = ("Name", "Relationship", "Phone", "Guardian", "Emergency",
                         "May contact")

    def set_rows(self, rows: tuple[ContactView, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> ContactView:
        return self._rows[row]

    def _display(self, row: ContactView, column: int) -> str | None:
        return (row.name, row.relationship, row.phone, _yes(row.is_guardian),
                _yes(row.is_emergency), _yes(row.may_contact))[column]


class ContactDialog(RecordDialog):
    def __init__(self, services: Services, actor: Actor, runner: Runner, participant_id: int,
                 contact: ContactView | None = None, parent: QWidget | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self._participant_id = participant_id
        self.contact = contact
        self.setObjectName("contactDialog")
        self.setWindowTitle(self.tr("Add a contact") if contact is None
                            else self.tr("Change {name}").format(name=contact.name))
        self.edits: dict[str, QLineEdit] = {}
        for name, label in (("name", "&Name:"), ("relationship", "&Relationship:"),
                            ("phone", "&Phone:"), ("email", "&E-mail:"),
                            ("address", "&Address:")):
            edit = QLineEdit(self)
            edit.setObjectName(name)
            self.edits[name] = edit
            self.fields.add_row(self.form, self.tr(label), edit, name)
        self.checks: dict[str, QCheckBox] = {}
        for name, label in (("is_guardian", "Legal &guardian"),
                            ("is_emergency", "E&mergency contact"),
                            ("may_contact", "The participant allows us to &contact them")):
            check = QCheckBox(self.tr(label), self)
            check.setObjectName(name)
            self.checks[name] = check
            self.fields.add_row(self.form, "", check, name)
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setObjectName("notes")
        self.notes_edit.setMaximumHeight(80)
        self.fields.add_row(self.form, self.tr("N&otes:"), self.notes_edit, "notes")
        if contact is not None:
            data = contact.as_input()
            for name, edit in self.edits.items():
                edit.setText(getattr(data, name))
            for name, check in self.checks.items():
                check.setChecked(getattr(data, name))
            self.notes_edit.setPlainText(data.notes)

    def watched_record(self) -> tuple[RecordKind, int] | None:
        return None if self.contact is None else (RecordKind.CONTACT, self.contact.id)

    def call(self):
        data = ContactInput(notes=self.notes_edit.toPlainText(),
                            **{n: e.text() for n, e in self.edits.items()},
                            **{n: c.isChecked() for n, c in self.checks.items()})
        services, actor = self._services, self._actor
        if self.contact is None:
            pid = self._participant_id
            return (lambda: services.contacts.add(actor, pid, data)), {}
        cid, version = self.contact.id, self.contact.version
        return (lambda: services.contacts.update(actor, cid, version, data)), {}


class ContactsTab(RecordListTab):
    NAME = "contacts"
    EMPTY = "No contacts yet."

    def make_model(self) -> ContactsModel:
        return ContactsModel(self)

    def make_buttons(self) -> None:
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.add_button = self.button(self.tr("&Add…"), "addContact", self.add)
        self.edit_button = self.button(self.tr("&Edit…"), "editContact", self.edit)
        self.deactivate_button = self.button(self.tr("&Deactivate"), "deactivateContact",
                                             self.deactivate)

    def list_call(self):
        services, actor, pid = self._services, self._actor, self.participant_id
        return lambda: services.contacts.list(actor, pid)

    def update_buttons(self, chosen: ContactView | None) -> None:
        self.edit_button.setEnabled(chosen is not None)
        self.deactivate_button.setEnabled(chosen is not None)

    def _open(self, contact: ContactView | None) -> ContactDialog:
        return self.open_dialog(ContactDialog(self._services, self._actor, self._runner,
                                              self.participant_id, contact, self))

    @Slot()
    def add(self) -> ContactDialog:
        return self._open(None)

    @Slot()
    def edit(self) -> ContactDialog | None:
        contact = self.selected()
        return self._open(contact) if contact is not None else None

    @Slot()
    def deactivate(self) -> None:
        contact = self.selected()
        if contact is None:
            return
        services, actor = self._services, self._actor
        self._runner.change(
            lambda: services.contacts.deactivate(actor, contact.id, contact.version),
            lambda _view: self.reload(),
            lambda error: show_error(self, self.tr("Contacts"), error), owner=self)
