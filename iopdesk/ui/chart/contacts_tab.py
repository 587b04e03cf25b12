"""The chart's contacts tab: family and collateral contacts, added, changed and deactivated
through the contacts service (each save carries the version shown)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from iopdesk.domain.chart import ContactInput, ContactView
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.errors import describe_error, show_error
from iopdesk.ui.forms import ERROR_STYLE
from iopdesk.ui.table_model import RowsTableModel, record_table

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


class ContactsTab(QWidget):
    loaded = Signal()
    dialog_opened = Signal(object)

    def __init__(self, services: Services, actor: Actor, runner: Runner, participant_id: int,
                 summary, parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self._runner = runner
        self.participant_id = participant_id
        self.setObjectName("contactsTab")
        self.model = ContactsModel(self)
        self.table = record_table(self, self.model, "contactsTable")
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self.edit)
        self.message = QLabel(self)
        self.message.setObjectName("contactsMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.add_button = QPushButton(self.tr("&Add…"), self)
        self.add_button.setObjectName("addContact")
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton(self.tr("&Edit…"), self)
        self.edit_button.setObjectName("editContact")
        self.edit_button.clicked.connect(self.edit)
        self.deactivate_button = QPushButton(self.tr("&Deactivate"), self)
        self.deactivate_button.setObjectName("deactivateContact")
        self.deactivate_button.clicked.connect(self.deactivate)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.deactivate_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()
        self.reload()

    def selected(self) -> ContactView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    @Slot()
    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.edit_button.setEnabled(chosen)
        self.deactivate_button.setEnabled(chosen)

    @Slot()
    def reload(self) -> None:
        services, actor, pid = self._services, self._actor, self.participant_id
        self._runner.submit(lambda: services.contacts.list(actor, pid), self._show,
                            self._failed, owner=self)

    def _show(self, rows) -> None:
        self.model.set_rows(tuple(rows))
        self.message.setStyleSheet("")
        self.message.setText(self.tr("No contacts yet.") if not rows else "")
        self.message.setVisible(not rows)
        self.loaded.emit()

    def _failed(self, error: object) -> None:
        self.message.setText(describe_error(error))
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.show()

    def _open(self, contact: ContactView | None) -> ContactDialog:
        dialog = ContactDialog(self._services, self._actor, self._runner, self.participant_id,
                               contact, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.saved.connect(lambda _view: self.reload())
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

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
