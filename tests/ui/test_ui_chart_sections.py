"""The chart's front-desk tabs on the demo practice, driven as the front desk would: the face
sheet (and a stale edit), contacts, consents (add, revoke, print)."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLineEdit, QPlainTextEdit

from iopdesk.domain.chart import ConsentState
from iopdesk.domain.validation import ParticipantInput
from iopdesk.ui.chart.consents_tab import ConsentsTab
from iopdesk.ui.chart.contacts_tab import ContactsTab
from iopdesk.ui.chart.face_sheet_tab import FaceSheetTab
from iopdesk.ui.chart.tabs import tab_class

WAIT_MS = 10_000


@pytest.fixture
def chart(demo):
    actor = demo.log_in("frontdesk")
    row = demo.services.participants.search(actor, "", limit=1).rows[0]
    return actor, row.id


def make(qtbot, demo, cls, actor, participant_id):
    widget = cls(demo.services, actor, demo.runner, participant_id, None, None)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)
    return widget


def type_text(qtbot, edit, text):
    edit.setFocus()
    if isinstance(edit, QPlainTextEdit):
        edit.insertPlainText(text)
    elif text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)


def fill(qtbot, dialog, **values):
    for name, text in values.items():
        edit = dialog.findChild(QLineEdit, name) or dialog.findChild(QPlainTextEdit, name)
        if isinstance(edit, QLineEdit):
            edit.clear()
        type_text(qtbot, edit, text)


def test_the_registry_names_these_classes():
    assert tab_class("face_sheet") is FaceSheetTab
    assert tab_class("contacts") is ContactsTab
    assert tab_class("consents") is ConsentsTab


def test_face_sheet_shows_demographics_and_a_stale_edit_keeps_the_typing(qtbot, demo, chart):
    actor, pid = chart
    tab = make(qtbot, demo, FaceSheetTab, actor, pid)
    shown = demo.services.participants.get(actor, pid)
    assert tab.values["chart_number"].text() == shown.chart_number
    assert tab.values["date_of_birth"].text() == shown.date_of_birth.isoformat()
    dialog = tab.edit()
    qtbot.waitExposed(dialog)
    assert dialog.edits["last_name"].text() == shown.last_name
    assert dialog.insurance_group.isHidden()
    # someone else saves the record meanwhile
    fields = {k: getattr(shown, k) for k in ParticipantInput.__dataclass_fields__}
    demo.services.participants.update(actor, pid, shown.version,
                                      replace(ParticipantInput(**fields), city="Salem"))
    fill(qtbot, dialog, pronouns="they/them")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.banner.isVisible(), timeout=WAIT_MS)
    assert dialog.banner.text()
    assert dialog.edits["pronouns"].text() == "they/them"
    dialog.reject()


def test_face_sheet_edit_saves(qtbot, demo, chart):
    actor, pid = chart
    tab = make(qtbot, demo, FaceSheetTab, actor, pid)
    dialog = tab.edit()
    fill(qtbot, dialog, preferred_name="Sunny ☀")
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert tab.values["preferred_name"].text() == "Sunny ☀"
    assert demo.services.participants.get(actor, pid).preferred_name == "Sunny ☀"


def test_add_a_family_contact(qtbot, demo, chart):
    actor, pid = chart
    tab = make(qtbot, demo, ContactsTab, actor, pid)
    before = tab.model.rowCount()
    dialogs = []
    tab.dialog_opened.connect(dialogs.append)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    dialog = dialogs[-1]
    # an emergency contact without a phone is refused at the phone field
    fill(qtbot, dialog, name="Renée Okafor", relationship="Sister")
    dialog.checks["is_emergency"].setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.fields.text("phone")), timeout=WAIT_MS)
    fill(qtbot, dialog, phone="503 555 0100")
    dialog.checks["may_contact"].setChecked(True)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert tab.model.rowCount() == before + 1
    names = [tab.model.index(r, 0).data() for r in range(tab.model.rowCount())]
    assert "Renée Okafor" in names
    stored = [c for c in demo.services.contacts.list(actor, pid) if c.name == "Renée Okafor"]
    assert stored[0].is_emergency and stored[0].may_contact
    assert stored[0].phone == "(503) 555-0100"


def add_consent(qtbot, demo, tab, recipient):
    dialogs = []
    tab.dialog_opened.connect(dialogs.append)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    dialog = dialogs[-1]
    fill(qtbot, dialog, recipient_name=recipient, purpose="Coordination of care",
         information_scope="Attendance and treatment progress", expiry_date="12/31/2099")
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    row = next(r for r in range(tab.model.rowCount())
               if tab.model.row_at(r).recipient_name == recipient)
    tab.table.selectRow(row)
    return tab.model.row_at(row)


def test_add_a_consent_and_revoke_it(qtbot, demo, chart):
    actor, pid = chart
    tab = make(qtbot, demo, ConsentsTab, actor, pid)
    consent = add_consent(qtbot, demo, tab, "Dr. Łucja Başaran")
    assert consent.state is ConsentState.ACTIVE and consent.is_part2
    assert tab.edit_button.isEnabled() and tab.revoke_button.isEnabled()
    assert not tab.grab().isNull()                 # it paints (nothing is written)
    dialogs = []
    tab.dialog_opened.connect(dialogs.append)
    qtbot.mouseClick(tab.revoke_button, Qt.MouseButton.LeftButton)
    revoke = dialogs[-1]
    fill(qtbot, revoke, revoked_on="2099-01-01")                  # in the future: refused
    qtbot.mouseClick(revoke.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "future" in revoke.fields.text("revoked_on"), timeout=WAIT_MS)
    fill(qtbot, revoke, revoked_on=consent.effective_date.isoformat(),
         revocation_note="Asked by phone")
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(revoke.save_button, Qt.MouseButton.LeftButton)
    shown = tab.selected()
    assert shown is not None and shown.state is ConsentState.REVOKED
    assert tab.model.index(tab.table.currentIndex().row(),
                           tab.model.STATE).data().startswith("Revoked")
    assert not tab.edit_button.isEnabled() and not tab.revoke_button.isEnabled()
    assert not tab.grab().isNull()


def test_print_a_consent_from_the_tab(qtbot, demo, chart, tmp_path, monkeypatch):
    actor, pid = chart
    tab = make(qtbot, demo, ConsentsTab, actor, pid)
    add_consent(qtbot, demo, tab, "Cascade Recovery Clinic")
    with qtbot.waitSignal(tab.preview_opened, timeout=WAIT_MS) as opened:
        qtbot.mouseClick(tab.print_button, Qt.MouseButton.LeftButton)
    preview = opened.args[0]
    assert preview.readable
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(preview._pdf)).pages)
    assert "Cascade Recovery Clinic" in text
    target = tmp_path / "consent.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    with qtbot.waitSignal(tab.recorded, timeout=WAIT_MS) as recorded:
        preview.save_as()
    assert recorded.args == ["save", str(target)]
    assert target.read_bytes()[:5] == b"%PDF-"
    with qtbot.waitSignal(preview.destroyed, timeout=WAIT_MS):
        preview.close()
