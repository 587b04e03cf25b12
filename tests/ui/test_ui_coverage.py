"""Insurance after registration, as the front desk keeps it on the chart's face sheet tab:
a coverage added, its member number changed, the face sheet PDF printing the change, the
coverage ended (kept on record, no longer printed); bad input told at its field with nothing
saved; typed changes not lost to Esc; a save over a newer one refused; and the tab in an open
chart following a coverage saved elsewhere."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox

from iopdesk.domain.chart import CoverageInput
from iopdesk.domain.validation import ParticipantInput
from iopdesk.ui.chart.coverage_dialog import CoverageDialog, EndCoverageDialog
from iopdesk.ui.chart.face_sheet_tab import FaceSheetTab

WAIT_MS = 10_000


@pytest.fixture
def desk(demo):
    """The front desk, a participant registered without insurance, and the services' today."""
    actor = demo.log_in("frontdesk")
    person = demo.services.participants.register(actor, ParticipantInput(
        first_name="Wren", last_name="Castellano", date_of_birth=date(1984, 6, 2)))
    return actor, person.id, demo.services.settings.clock().today()


def _idle(qtbot, demo):
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)


def _tab(qtbot, demo, actor, participant_id) -> FaceSheetTab:
    tab = FaceSheetTab(demo.services, actor, demo.runner, participant_id, None, None)
    qtbot.addWidget(tab)
    tab.resize(1000, 800)
    tab.show()
    _idle(qtbot, demo)
    return tab


def _open(qtbot, tab, button):
    opened = []
    tab.dialog_opened.connect(opened.append)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(opened) == 1
    qtbot.waitExposed(opened[0])
    return opened[0]


def _fill(qtbot, dialog, **values):
    for name, text in values.items():
        edit = dialog.findChild(QLineEdit, name)
        edit.setFocus()
        edit.selectAll()
        edit.del_()
        qtbot.keyClicks(edit, text)            # ASCII only: QTest's key clicks


def _save(qtbot, tab, dialog):
    with qtbot.waitSignal(tab.coverage_loaded, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def _refused(qtbot, demo, dialog, field):
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, demo)
    qtbot.waitUntil(lambda: bool(dialog.fields.text(field)), timeout=WAIT_MS)
    assert dialog.fields.label(field).isVisible() and dialog.isVisible()
    return dialog.fields.text(field)


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _select(tab, payer: str) -> None:
    row = next(r for r in range(tab.coverage_model.rowCount())
               if tab.coverage_model.row_at(r).payer_name == payer)
    tab.coverage_table.selectRow(row)


def test_front_desk_adds_changes_and_ends_coverage_and_the_face_sheet_prints_it(
        qtbot, demo, desk):
    actor, pid, today = desk
    tab = _tab(qtbot, demo, actor, pid)
    assert tab.coverage_model.rowCount() == 0
    assert "self-pay" in tab.coverage_message.text()
    assert not tab.edit_coverage_button.isEnabled() and not tab.end_coverage_button.isEnabled()
    started = today - timedelta(days=30)

    dialog = _open(qtbot, tab, tab.add_coverage_button)
    assert isinstance(dialog, CoverageDialog)
    _fill(qtbot, dialog, payer_name="Moda Health", member_number="MH-1001",
          group_number="G-77", effective_date=started.isoformat())
    _save(qtbot, tab, dialog)
    [added] = demo.services.coverage.list(actor, pid)
    assert (added.payer_name, added.member_number, added.group_number, added.effective_date,
            added.subscriber_relationship, added.priority) == (
        "Moda Health", "MH-1001", "G-77", started, "self", 1)
    assert tab.coverage_model.rowCount() == 1
    assert tab.coverage_model.index(0, 2).data() == "MH-1001"
    assert tab.coverage_model.index(0, 6).data() == "Current"
    assert not tab.coverage_message.isVisible()

    _select(tab, "Moda Health")
    assert tab.edit_coverage_button.isEnabled() and tab.end_coverage_button.isEnabled()
    dialog = _open(qtbot, tab, tab.edit_coverage_button)
    assert dialog.edits["member_number"].text() == "MH-1001"      # it loads what is stored
    assert dialog.edits["effective_date"].text() == started.isoformat()
    _fill(qtbot, dialog, member_number="MH-2002")
    _save(qtbot, tab, dialog)
    [edited] = demo.services.coverage.list(actor, pid)
    assert (edited.id, edited.member_number, edited.version) == (added.id, "MH-2002",
                                                                 added.version + 1)
    assert tab.coverage_model.index(0, 2).data() == "MH-2002"
    assert tab.selected_coverage() == edited                 # the selection kept

    # the face sheet, printed from the tab, shows the coverage as changed
    with qtbot.waitSignal(tab.face_sheets.preview_opened, timeout=WAIT_MS) as opened:
        qtbot.mouseClick(tab.print_button, Qt.MouseButton.LeftButton)
    preview = opened.args[0]
    text = _pdf_text(preview._pdf)
    assert "Moda Health" in text and "MH-2002" in text and "G-77" in text
    assert "MH-1001" not in text
    with qtbot.waitSignal(preview.destroyed, timeout=WAIT_MS):
        preview.close()

    # ended: a day before it began is refused at the date; yesterday is its last day
    dialog = _open(qtbot, tab, tab.end_coverage_button)
    assert isinstance(dialog, EndCoverageDialog)
    assert dialog.date_edit.text() == today.isoformat()          # the services' today
    _fill(qtbot, dialog, termination_date=(started - timedelta(days=1)).isoformat())
    assert "before the effective date" in _refused(qtbot, demo, dialog, "termination_date")
    assert demo.services.coverage.list(actor, pid)[0].termination_date is None
    _fill(qtbot, dialog, termination_date=(today - timedelta(days=1)).isoformat())
    _save(qtbot, tab, dialog)
    [ended] = demo.services.coverage.list(actor, pid)               # kept on record
    assert (ended.termination_date, ended.is_current) == (today - timedelta(days=1), False)
    assert tab.coverage_model.index(0, 6).data().startswith("Ended")
    assert tab.edit_coverage_button.isEnabled() and not tab.end_coverage_button.isEnabled()
    text = _pdf_text(demo.services.documents.face_sheet(actor, pid))
    assert "MH-2002" not in text and "self-pay" in text
    assert not tab.grab().isNull()                                  # it paints


@pytest.mark.parametrize("typed, field, expected", [
    ({"member_number": "MH-1"}, "payer_name", "Payer is required"),
    ({"payer_name": "Moda Health", "member_number": "MH-1", "effective_date": "2026-03-01",
      "termination_date": "2026-02-01"}, "termination_date", "before the effective date"),
    ({"payer_name": "Moda Health", "member_number": "MH 1"}, "member_number",
     "letters, digits or hyphens"),
    ({"payer_name": "Moda Health", "member_number": "MH-1", "effective_date": "02/30/2026"},
     "effective_date", "not a real calendar date"),
])
def test_bad_coverage_is_told_at_its_field_and_nothing_is_saved(qtbot, demo, desk, typed,
                                                                  field, expected):
    actor, pid, _today = desk
    tab = _tab(qtbot, demo, actor, pid)
    dialog = _open(qtbot, tab, tab.add_coverage_button)
    _fill(qtbot, dialog, **typed)
    assert expected in _refused(qtbot, demo, dialog, field)
    assert demo.services.coverage.list(actor, pid) == ()
    assert tab.coverage_model.rowCount() == 0
    dialog.discard_edits()


def _y(widget, dialog) -> int:
    return widget.mapTo(dialog, widget.rect().topLeft()).y()


def test_a_message_moves_no_field_below_it(qtbot, demo, desk):
    actor, pid, _today = desk
    tab = _tab(qtbot, demo, actor, pid)
    dialog = _open(qtbot, tab, tab.add_coverage_button)
    below = dialog.edits["payer_id"]                # the field under the payer
    where, save_at, size = _y(below, dialog), _y(dialog.save_button, dialog), dialog.size()
    _fill(qtbot, dialog, member_number="MH-1", effective_date="2026-03-01",
          termination_date="2026-02-01")            # the longest message: an end before
    _refused(qtbot, demo, dialog, "payer_name")     # the start
    assert "before the effective date" in dialog.fields.text("termination_date")
    qtbot.wait(100)                                 # the layout settles (posted events)
    assert _y(below, dialog) == where
    assert _y(dialog.save_button, dialog) == save_at and dialog.size() == size
    dialog.discard_edits()


def test_escape_over_typed_coverage_asks_first(qtbot, demo, desk):
    actor, pid, _today = desk
    tab = _tab(qtbot, demo, actor, pid)
    dialog = _open(qtbot, tab, tab.add_coverage_button)
    _fill(qtbot, dialog, payer_name="Moda Health")
    qtbot.keyClick(dialog.edits["payer_name"], Qt.Key.Key_Escape)

    def showing():
        return [box for box in dialog.findChildren(QMessageBox, "unsavedQuestion")
                if box.isVisible()]
    qtbot.waitUntil(lambda: len(showing()) == 1, timeout=WAIT_MS)
    assert dialog.isVisible()
    qtbot.mouseClick(showing()[0].button(QMessageBox.StandardButton.Discard),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert demo.services.coverage.list(actor, pid) == ()


def test_a_change_over_a_newer_save_is_refused_and_the_typing_kept(qtbot, demo, desk):
    actor, pid, _today = desk
    stored = demo.services.coverage.add(actor, pid, CoverageInput(
        payer_name="Moda Health", member_number="MH-1001"))
    tab = _tab(qtbot, demo, actor, pid)
    _select(tab, "Moda Health")
    dialog = _open(qtbot, tab, tab.edit_coverage_button)
    demo.services.coverage.update(actor, stored.id, stored.version, CoverageInput(
        payer_name="Moda Health", member_number="MH-1001", group_number="G-9"))
    _fill(qtbot, dialog, member_number="MH-3003")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.banner.isVisible, timeout=WAIT_MS)
    assert "changed by someone else" in dialog.banner.text()
    assert dialog.edits["member_number"].text() == "MH-3003" and dialog.isVisible()
    assert demo.services.coverage.list(actor, pid)[0].member_number == "MH-1001"
    dialog.discard_edits()


def test_the_open_chart_follows_coverage_saved_elsewhere(qtbot, demo, desk, open_window):
    actor, pid, _today = desk
    window = open_window("frontdesk")
    chart = window.open_chart(pid)
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT_MS)
    tab = chart.show_tab("face_sheet")
    _idle(qtbot, demo)
    assert tab.coverage_model.rowCount() == 0
    with qtbot.waitSignal(tab.coverage_loaded, timeout=WAIT_MS):
        demo.services.coverage.add(actor, pid, CoverageInput(payer_name="Moda Health",
                                                             member_number="MH-4004"))
    assert tab.coverage_model.index(0, 2).data() == "MH-4004"
    chart.close()
