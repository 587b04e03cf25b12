"""Registering a participant by typing, as the front desk does: the form, the duplicate
warning, the messages at the fields, and the participant list finding the new person."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from iopdesk.ui.registration.dialog import RegistrationDialog

WAIT_MS = 10_000


def type_into(qtbot, dialog, **values):
    for name, text in values.items():
        edit = dialog.edits[name]
        edit.setFocus()
        for char in text:
            if ord(char) > 127:         # QTest's key clicks are ASCII only: the rest comes
                edit.insert(char)       # as an input method gives it (dead keys, emoji)
            else:
                qtbot.keyClicks(edit, char)


def everyone(demo, actor):
    rows, after = [], None
    while True:
        page = demo.services.participants.search(actor, "", after=after, limit=500)
        rows.extend(page.rows)
        if page.next_after is None:
            return rows
        after = page.next_after


@pytest.fixture
def dialog(qtbot, demo):
    actor = demo.log_in("frontdesk")
    dialog = RegistrationDialog(demo.services, actor, demo.runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog, actor


def save_and_wait(qtbot, dialog, demo):
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)


def test_register_by_typing_is_found_by_the_list_search(qtbot, demo, open_window):
    window = open_window("frontdesk", loaded=True)
    actor, model = window.actor, window.participant_model
    registrations = window.registrations      # Ctrl+N beside the search box
    window.participants.table.setFocus()
    with qtbot.waitSignal(registrations.dialog_opened, timeout=WAIT_MS) as opened:
        qtbot.keyClick(window.participants.table, Qt.Key.Key_N,
                       Qt.KeyboardModifier.ControlModifier)
    dialog = opened.args[0]
    type_into(qtbot, dialog, first_name="Zoë", middle_name="Ångström", last_name="Núñez-Øre",
              preferred_name="Zo 🌻", pronouns="she/her", date_of_birth="04/17/1991",
              phone="503-555-0142", alt_phone="1 503 555 0177", email="zoe@example.org",
              address_line1="12 Elm St",
              city="Portland", state="or", postal_code="97201", referral_source="PCP")
    type_into(qtbot, dialog, **{"coverage.payer_name": "Moda Health",
                                "coverage.member_number": "MH-99812",
                                "coverage.group_number": "G-1",
                                "emergency_contact.name": "Ola Núñez",
                                "emergency_contact.relationship": "Mother",
                                "emergency_contact.phone": "(503) 555-0199"})
    with qtbot.waitSignal(dialog.registered, timeout=WAIT_MS) as done:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    new_id = done.args[0]
    stored = demo.services.participants.get(actor, new_id)
    assert (stored.first_name, stored.last_name, stored.preferred_name) == \
        ("Zoë", "Núñez-Øre", "Zo 🌻")
    assert stored.state == "OR" and stored.date_of_birth.isoformat() == "1991-04-17"
    assert (stored.phone, stored.alt_phone) == ("(503) 555-0142", "(503) 555-0177")
    coverage = demo.services.coverage.list(actor, new_id)
    assert [c.member_number for c in coverage] == ["MH-99812"]
    contacts = demo.services.contacts.list(actor, new_id)
    assert [(c.name, c.is_emergency) for c in contacts] == [("Ola Núñez", True)]
    # the list searched for the new chart number and selected the new participant
    qtbot.waitUntil(lambda: (row := window.participants.selected_row()) is not None
                    and row.id == new_id, timeout=WAIT_MS)
    assert window.participants.search_edit.text() == stored.chart_number
    # and an ordinary search by name finds them too
    window.participants.search_for("Núñez")
    qtbot.waitUntil(lambda: not model.loading, timeout=WAIT_MS)
    assert new_id in [model.row_at(r).id for r in range(model.rowCount())]


def test_duplicate_warning_then_register_anyway(qtbot, demo, dialog):
    dialog, actor = dialog
    existing = everyone(demo, actor)[0]
    before = len(everyone(demo, actor))
    type_into(qtbot, dialog, first_name=existing.first_name, last_name=existing.last_name,
              date_of_birth=existing.date_of_birth.strftime("%m/%d/%Y"))
    save_and_wait(qtbot, dialog, demo)
    assert dialog.isVisible() and dialog.duplicate_panel.isVisible()
    texts = dialog.duplicate_texts()
    assert any(f"chart {existing.chart_number}" in t and "is this the same person?" in t
               and existing.date_of_birth.isoformat() in t for t in texts)
    assert not dialog.grab().isNull()              # it paints (nothing is written)
    assert len(everyone(demo, actor)) == before            # nothing saved yet
    with qtbot.waitSignal(dialog.registered, timeout=WAIT_MS) as done:
        qtbot.mouseClick(dialog.register_anyway_button, Qt.MouseButton.LeftButton)
    assert done.args[0] != existing.id
    assert len(everyone(demo, actor)) == before + 1


def test_duplicate_warning_open_existing_emits_its_id(qtbot, demo, dialog):
    dialog, actor = dialog
    existing = everyone(demo, actor)[0]
    before = len(everyone(demo, actor))
    type_into(qtbot, dialog, first_name=existing.first_name.upper(),
              last_name=existing.last_name, date_of_birth=existing.date_of_birth.isoformat())
    save_and_wait(qtbot, dialog, demo)
    button = dialog.findChild(QPushButton, f"openExisting_{existing.id}")
    assert button is not None
    with qtbot.waitSignal(dialog.open_existing, timeout=WAIT_MS) as chosen:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert chosen.args == [existing.id]
    assert not dialog.isVisible()
    assert len(everyone(demo, actor)) == before


@pytest.mark.parametrize("typed, field, expected", [
    ({"date_of_birth": "2099-01-01"}, "date_of_birth", "in the future"),
    ({"date_of_birth": "02/30/2020"}, "date_of_birth", "not a real calendar date"),
    ({"postal_code": "9720"}, "postal_code", "ZIP code"),
    ({"alt_phone": "555-0177"}, "alt_phone", "needs 10 digits"),
    ({"coverage.payer_name": "Moda", "coverage.member_number": "MH 998"},
     "coverage.member_number", "Member number"),
])
def test_bad_input_is_told_at_its_field_and_creates_nothing(qtbot, demo, dialog, typed,
                                                             field, expected):
    dialog, actor = dialog
    before = len(everyone(demo, actor))
    values = {"first_name": "Test", "last_name": "Person", "date_of_birth": "1990-01-01"}
    values.update(typed)
    type_into(qtbot, dialog, **values)
    save_and_wait(qtbot, dialog, demo)
    assert expected in dialog.fields.text(field)
    assert dialog.fields.label(field).isVisible()
    assert dialog.isVisible()
    assert len(everyone(demo, actor)) == before


def test_all_bad_fields_at_once(qtbot, demo, dialog):
    dialog, actor = dialog
    type_into(qtbot, dialog, first_name="Test", last_name="Person",
              date_of_birth="02/30/2020", postal_code="ABCDE",
              **{"coverage.payer_name": "Moda", "coverage.member_number": "a b c"})
    save_and_wait(qtbot, dialog, demo)
    for field in ("date_of_birth", "postal_code", "coverage.member_number"):
        assert dialog.fields.text(field), field


def test_a_10000_character_paste_is_kept_and_told_at_its_field(qtbot, demo, dialog):
    dialog, actor = dialog
    before = len(everyone(demo, actor))
    pasted = "Łucja " * 1667                          # 10 002 characters
    type_into(qtbot, dialog, last_name="Żółkiewska", date_of_birth="1990-01-01")
    for name in ("first_name", "referral_source", "emergency_contact.name"):
        edit = dialog.edits[name]
        edit.setFocus()
        edit.insert(pasted)                          # as Ctrl+V delivers it
        assert edit.text() == pasted                 # nothing silently cut off
        assert "10,002 characters" in dialog.fields.text(name)
    save_and_wait(qtbot, dialog, demo)
    assert "longer than 100 characters" in dialog.fields.text("first_name")
    assert "longer than" in dialog.fields.text("referral_source")
    assert dialog.isVisible() and len(everyone(demo, actor)) == before
    # shortening it takes the message away at once, and the registration goes through
    dialog.edits["first_name"].selectAll()
    dialog.edits["first_name"].insert("Łucja")
    assert dialog.fields.text("first_name") == ""
    for name in ("referral_source", "emergency_contact.name"):
        dialog.edits[name].selectAll()
        dialog.edits[name].del_()
    with qtbot.waitSignal(dialog.registered, timeout=WAIT_MS) as done:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert demo.services.participants.get(actor, done.args[0]).first_name == "Łucja"
