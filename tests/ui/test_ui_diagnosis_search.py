"""A clinician adds a diagnosis in DSM-5-TR words: the Add diagnosis dialog of a chart, searched
as typed ("OUD severe"), offers the ICD-10-CM code DSM-5-TR gives it first (issue 11 item 6)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

WAIT_MS = 10_000


def _first_result(dialog) -> str:
    item = dialog.results.item(0)
    return item.text() if item is not None else ""


def test_a_clinician_types_oud_severe_and_reads_f11_20_first(qtbot, demo, icd10_table,
                                                            open_window):
    demo.services.diagnoses.code_table = icd10_table
    window = open_window("clinician")
    model = window.participant_model
    with qtbot.waitSignal(model.search_finished, timeout=WAIT_MS):
        QTest.keyClicks(window.participants.search_edit, "Ashley Whitaker")
    qtbot.waitUntil(lambda: not window.participants._debounce.isActive()
                    and not model.loading and model.rowCount() == 1, timeout=WAIT_MS)
    QTest.keyClick(window.participants.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(window.charts.windows()), timeout=WAIT_MS)
    chart = window.charts.windows()[0]
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT_MS)
    tab = chart.show_tab("diagnoses")
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)

    dialog = tab.open_add()
    assert dialog is not None and dialog.isVisible()
    QTest.keyClicks(dialog.search_edit, "OUD severe")
    assert dialog.search_edit.text() == "OUD severe"
    # the search runs once typing pauses (debounced), on the runner
    qtbot.waitUntil(lambda: not dialog._timer.isActive() and demo.runner.pending == 0
                    and dialog.results.count() > 0, timeout=WAIT_MS)
    assert _first_result(dialog) == "F11.20 Opioid dependence, uncomplicated"
    assert dialog.results.currentRow() == 0          # chosen: Add would add F11.20
    assert dialog.results.currentItem().data(Qt.ItemDataRole.UserRole) == "F11.20"
    assert dialog.status.text().endswith("codes")
    dialog.reject()
    chart.close()
