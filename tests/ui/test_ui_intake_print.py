"""Printing the signed intake from the chart's Intake tab: a clinician clicks Print…, the PDF
preview opens, and a save is recorded as an `intake_assessment` export; the button is not
there while nothing is signed, and the front desk has no Intake tab at all."""

from __future__ import annotations

import io
import json
import sqlite3

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

WAIT_MS = 10_000


def _chart(qtbot, window, participant_id: int):
    chart = window.open_chart(participant_id)
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT_MS)
    return chart


def _participant(demo, actor, name: str) -> int:
    [row] = demo.services.participants.search(actor, name, limit=5).rows
    return row.id


def _intake_tab(qtbot, demo, chart):
    tab = chart.show_tab("intake")
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)
    return tab


def test_a_clinician_prints_the_signed_intake_from_its_tab(qtbot, demo, demo_db, open_window,
                                                          tmp_path, monkeypatch):
    window = open_window("clinician")
    pid = _participant(demo, window.actor, "Lawson")
    chart = _chart(qtbot, window, pid)
    tab = _intake_tab(qtbot, demo, chart)
    assert tab.intake is not None and tab.intake.signed
    button = tab.print_button
    assert button.objectName() == "printIntakeButton"
    assert button.isVisible() and button.isEnabled()

    with qtbot.waitSignal(tab.preview_opened, timeout=WAIT_MS) as opened:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    preview = opened.args[0]
    summary = chart.summary
    assert preview.windowTitle() == (f"Intake assessment — {summary.display_name} "
                                     f"({summary.chart_number}) — preview")
    assert preview.readable and preview.page_count >= 1
    text = " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(preview._pdf)).pages)
    assert "Intake Assessment" in text and tab.intake.presenting_problem in text

    target = tmp_path / "intake.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    with qtbot.waitSignal(tab.recorded, timeout=WAIT_MS) as recorded:
        preview.save_as()
    assert recorded.args == ["save", str(target)]
    assert target.read_bytes()[:5] == b"%PDF-"
    conn = sqlite3.connect(demo_db)
    try:
        events = conn.execute("SELECT action, detail FROM audit_events WHERE action LIKE "
                              "'document.%' ORDER BY id").fetchall()
    finally:
        conn.close()
    assert [(action, json.loads(detail)["document"]) for action, detail in events] == [
        ("document.generate", "intake_assessment"), ("document.export", "intake_assessment")]
    with qtbot.waitSignal(preview.destroyed, timeout=WAIT_MS):
        preview.close()
    chart.close()


def test_no_print_button_without_a_signed_intake(qtbot, demo, open_window):
    window = open_window("clinician")
    pid = _participant(demo, window.actor, "Nowak")          # referred: no intake yet
    chart = _chart(qtbot, window, pid)
    tab = _intake_tab(qtbot, demo, chart)
    assert tab.intake is None
    assert not tab.print_button.isVisible()
    chart.close()


def test_the_front_desk_has_no_intake_tab_to_print_from(qtbot, demo, open_window):
    window = open_window("frontdesk")
    pid = _participant(demo, window.actor, "Lawson")
    chart = _chart(qtbot, window, pid)
    assert "intake" not in chart.tab_keys()
    assert "Intake assessment" not in chart.tab_titles()
    chart.close()
