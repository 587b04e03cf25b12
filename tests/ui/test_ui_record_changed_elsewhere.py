"""An editor open on a record that someone else saves meanwhile says so at once, naming who,
with what was typed kept — before its user tries to save (and is refused)."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from iopdesk.domain.chart import ContactInput
from iopdesk.ui.chart.contacts_tab import ContactsTab

WAIT_MS = 10_000


@pytest.fixture
def contact_tab(qtbot, demo):
    """The front desk's contacts tab of a demo participant with two contacts on record."""
    desk = demo.log_in("frontdesk")
    pid = demo.services.participants.search(desk, "", limit=1).rows[0].id
    for name in ("Renée Okafor", "Sam Okafor"):
        demo.services.contacts.add(desk, pid, ContactInput(name=name, relationship="Sibling"))
    tab = ContactsTab(demo.services, desk, demo.runner, pid, None, None)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: demo.runner.pending == 0 and tab.model.rowCount() >= 2,
                    timeout=WAIT_MS)
    return desk, pid, tab


def open_editor(qtbot, tab, name: str):
    row = next(r for r in range(tab.model.rowCount()) if tab.model.row_at(r).name == name)
    tab.table.selectRow(row)
    dialogs = []
    tab.dialog_opened.connect(dialogs.append)
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    dialog = dialogs[-1]
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return dialog, tab.model.row_at(row)


def save_as(demo, actor, contact, **changes):
    values = {k: v for k, v in asdict(contact).items() if k in ContactInput.__dataclass_fields__}
    return demo.services.contacts.update(actor, contact.id, contact.version,
                                         ContactInput(**{**values, **changes}))


def test_a_clinician_saving_the_contact_being_edited_is_told_in_the_banner(qtbot, demo,
                                                                           contact_tab):
    desk, _pid, tab = contact_tab
    dialog, contact = open_editor(qtbot, tab, "Renée Okafor")
    phone = dialog.findChild(QLineEdit, "phone")
    phone.setFocus()
    qtbot.keyClicks(phone, "503 555 0100")
    assert not dialog.banner.isVisible()

    clinician = demo.log_in("clinician")
    save_as(demo, clinician, contact, relationship="Sister")
    qtbot.waitUntil(dialog.banner.isVisible, timeout=WAIT_MS)
    text = dialog.banner.text()
    assert clinician.display_name in text and "changed this record" in text
    assert phone.text() == "503 555 0100"           # what was typed is kept
    # saving anyway is refused over the newer version, naming it; nothing is overwritten
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)
    assert dialog.isVisible() and dialog.banner.isVisible()
    stored = next(c for c in demo.services.contacts.list(desk, contact.participant_id)
                  if c.id == contact.id)
    assert stored.relationship == "Sister" and stored.phone == ""
    dialog.findChild(QLineEdit, "phone").clear()
    dialog.close()


def test_saves_of_another_record_or_of_ones_own_say_nothing(qtbot, demo, contact_tab):
    desk, _pid, tab = contact_tab
    dialog, contact = open_editor(qtbot, tab, "Renée Okafor")
    other = next(tab.model.row_at(r) for r in range(tab.model.rowCount())
                 if tab.model.row_at(r).name == "Sam Okafor")
    save_as(demo, demo.log_in("clinician"), other, relationship="Brother")   # not this one
    save_as(demo, desk, contact, notes="Called on Monday")                   # one's own save
    qtbot.wait(200)                 # the change sets are delivered through the event loop
    assert tab.model.rowCount() >= 2
    assert not dialog.banner.isVisible()
    dialog.close()
