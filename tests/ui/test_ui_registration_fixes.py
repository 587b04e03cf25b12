"""The registration dialog's fixes (issue 11): the duplicate warning goes as soon as what it
was about changes and comes back when a new check finds someone again; a message at a field
moves no field under the mouse; neither does the duplicate warning."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from iopdesk.ui.registration.dialog import RegistrationDialog

WAIT_MS = 10_000


@pytest.fixture
def dialog(qtbot, demo):
    actor = demo.log_in("frontdesk")
    dialog = RegistrationDialog(demo.services, actor, demo.runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog, actor


@pytest.fixture
def existing(demo, dialog):
    """Someone already registered, whose name has only ASCII letters (QTest types ASCII)."""
    _dialog, actor = dialog
    rows = demo.services.participants.search(actor, "", limit=200).rows
    return next(r for r in rows if (r.first_name + r.last_name).isascii())


def _type(qtbot, dialog, **values):
    for name, text in values.items():
        edit = dialog.edits[name]
        edit.setFocus()
        qtbot.keyClicks(edit, text)


def _save(qtbot, demo, dialog):
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)


def _y(widget, dialog) -> int:
    return widget.mapTo(dialog, widget.rect().topLeft()).y()


def _warned(qtbot, demo, dialog, existing) -> None:
    _type(qtbot, dialog, first_name=existing.first_name, last_name=existing.last_name,
          date_of_birth=existing.date_of_birth.isoformat())
    _save(qtbot, demo, dialog)
    assert dialog.duplicate_panel.isVisible()
    assert any(f"chart {existing.chart_number}" in t for t in dialog.duplicate_texts())


@pytest.mark.parametrize("field", ["first_name", "last_name", "date_of_birth"])
def test_the_duplicate_warning_goes_when_what_it_was_about_changes(qtbot, demo, dialog,
                                                                   existing, field):
    dialog, _actor = dialog
    _warned(qtbot, demo, dialog, existing)
    qtbot.keyClick(dialog.edits[field], Qt.Key.Key_Backspace)   # at once, nothing saved
    assert not dialog.duplicate_panel.isVisible()
    assert dialog.duplicates == () and dialog.duplicate_texts() == []
    assert not dialog.register_anyway_button.isVisible()
    # typed back as it was: the next Save checks again and warns again
    last = {"first_name": existing.first_name, "last_name": existing.last_name,
            "date_of_birth": existing.date_of_birth.isoformat()}[field][-1]
    qtbot.keyClicks(dialog.edits[field], last)
    assert not dialog.duplicate_panel.isVisible()
    _save(qtbot, demo, dialog)
    assert dialog.duplicate_panel.isVisible() and dialog.isVisible()
    texts = dialog.duplicate_texts()
    assert len(texts) == len(dialog.duplicates) and f"chart {existing.chart_number}" in \
        " ".join(texts)


def test_an_unrelated_field_keeps_the_warning_and_a_new_name_registers(qtbot, demo, dialog,
                                                                       existing):
    dialog, actor = dialog
    _warned(qtbot, demo, dialog, existing)
    _type(qtbot, dialog, city="Salem")
    assert dialog.duplicate_panel.isVisible()
    _type(qtbot, dialog, last_name="Qx")                  # someone else after all
    assert not dialog.duplicate_panel.isVisible()
    with qtbot.waitSignal(dialog.registered, timeout=WAIT_MS) as done:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    stored = demo.services.participants.get(actor, done.args[0])
    assert stored.last_name == existing.last_name + "Qx" and stored.city == "Salem"


def test_a_check_overtaken_by_typing_checks_again(qtbot, demo, dialog, existing):
    """The name changes while the check runs: its answer (about the old name) is not shown;
    the new name is checked, found to be no one's, and registered."""
    dialog, actor = dialog
    _type(qtbot, dialog, first_name=existing.first_name, last_name=existing.last_name,
          date_of_birth=existing.date_of_birth.isoformat())
    with qtbot.waitSignal(dialog.registered, timeout=WAIT_MS) as done:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)   # the check runs
        dialog.edits["last_name"].setText("Newcombe-Qx")                   # typed meanwhile
    assert not dialog.duplicate_panel.isVisible()
    assert demo.services.participants.get(actor, done.args[0]).last_name == "Newcombe-Qx"


def test_the_duplicate_warning_moves_no_field(qtbot, demo, dialog, existing):
    dialog, _actor = dialog
    first = dialog.edits["first_name"]
    where = _y(first, dialog)
    _warned(qtbot, demo, dialog, existing)
    qtbot.wait(50)
    assert _y(first, dialog) == where               # the warning is under the form
    qtbot.keyClick(dialog.edits["last_name"], Qt.Key.Key_Backspace)
    qtbot.wait(50)
    assert _y(first, dialog) == where


def test_a_message_at_a_field_moves_no_field_below_it(qtbot, demo, dialog):
    dialog, _actor = dialog
    below = {"middle_name": dialog.edits["middle_name"],          # under the first name
             "sex_at_birth": dialog.sex_combo,                     # under the birth date
             "preferred_contact": dialog.contact_combo,            # under the ZIP code
             "coverage.group_number": dialog.edits["coverage.group_number"]}
    before = {name: _y(widget, dialog) for name, widget in below.items()}
    save_at = _y(dialog.save_button, dialog)
    _type(qtbot, dialog, last_name="Person", date_of_birth="2099-01-01", postal_code="9720",
          **{"coverage.payer_name": "Moda", "coverage.member_number": "MH 1"})
    _save(qtbot, demo, dialog)
    for field in ("first_name", "date_of_birth", "postal_code", "coverage.member_number"):
        assert dialog.fields.label(field).isVisible(), field
    qtbot.wait(100)                                 # the layout settles (posted events)
    assert {name: _y(widget, dialog) for name, widget in below.items()} == before
    assert _y(dialog.save_button, dialog) == save_at
    # and taken away as the field is typed in: nothing moves either
    qtbot.keyClicks(dialog.edits["first_name"], "Ann")
    assert not dialog.fields.label("first_name").isVisible()
    qtbot.wait(100)
    assert {name: _y(widget, dialog) for name, widget in below.items()} == before


def test_open_existing_still_names_the_participant(qtbot, demo, dialog, existing):
    dialog, _actor = dialog
    _warned(qtbot, demo, dialog, existing)
    button = dialog.findChild(type(dialog.register_anyway_button), f"openExisting_{existing.id}")
    with qtbot.waitSignal(dialog.open_existing, timeout=WAIT_MS) as chosen:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert chosen.args == [existing.id] and not dialog.isVisible()


def test_the_face_sheet_shows_the_current_episodes_referral_date(qtbot, demo):
    from iopdesk.ui.chart.face_sheet_tab import FaceSheetTab

    actor = demo.log_in("frontdesk")
    rows = demo.services.participants.search(actor, "", limit=50).rows
    person = next(p for r in rows
                  if (p := demo.services.participants.get(actor, r.id)).current_episode
                  and p.current_episode.referral_date)
    tab = FaceSheetTab(demo.services, actor, demo.runner, person.id, None, None)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.participant is not None, timeout=WAIT_MS)
    assert tab.values["referral_date"].text() == \
        person.current_episode.referral_date.isoformat()


def test_the_referral_date_is_recorded_at_registration(qtbot, demo, dialog):
    dialog, actor = dialog
    assert dialog.edits["referral_date"].text() == \
        demo.services.settings.clock().today().isoformat()      # the services' today
    dialog.edits["referral_date"].clear()
    _type(qtbot, dialog, first_name="Referral", last_name="Dayton",
          date_of_birth="1990-05-05", referral_date="11/09/2026")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    [row] = demo.services.participants.search(actor, "Dayton").rows
    person = demo.services.participants.get(actor, row.id)
    assert person.referral_date.isoformat() == "2026-11-09"


@pytest.mark.parametrize("typed, message", [("2999-01-01", "in the future"),
                                            ("1980-01-01", "before the date of birth"),
                                            ("the ninth", "")])
def test_a_referral_date_that_cannot_be_is_refused_at_its_field(qtbot, demo, dialog, typed,
                                                                message):
    dialog, actor = dialog
    dialog.edits["referral_date"].clear()
    _type(qtbot, dialog, first_name="Referral", last_name="Wrongday",
          date_of_birth="1990-05-05", referral_date=typed)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.fields.text("referral_date") != "", timeout=WAIT_MS)
    assert message in dialog.fields.text("referral_date")
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)
    assert demo.services.participants.search(actor, "Wrongday").rows == ()
