"""The Consents tab shows each consent's number: the one the face sheet lists and
`iopdesk print consent --consent NUMBER` takes."""

from __future__ import annotations

from dataclasses import replace

from chart_support import CONSENT
from PySide6.QtCore import Qt

from iopdesk.ui.chart.consents_tab import ConsentsModel, ConsentsTab

WAIT_MS = 10_000


def test_the_consents_tab_shows_each_consents_number(qtbot, demo):
    actor = demo.log_in("frontdesk")
    pid = demo.services.participants.search(actor, "", limit=1).rows[0].id
    first = demo.services.consents.add(actor, pid, CONSENT)
    second = demo.services.consents.add(actor, pid, replace(CONSENT,
                                                            recipient_name="Cascade Clinic"))
    tab = ConsentsTab(demo.services, actor, demo.runner, pid, None, None)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0 and demo.runner.pending == 0,
                    timeout=WAIT_MS)

    model = tab.table.model()
    header = model.headerData(ConsentsModel.NUMBER, Qt.Orientation.Horizontal)
    assert header == "No." and ConsentsModel.NUMBER == 0
    assert "--consent" in model.headerData(ConsentsModel.NUMBER, Qt.Orientation.Horizontal,
                                           Qt.ItemDataRole.ToolTipRole)
    shown = {model.index(row, ConsentsModel.RECIPIENT).data():
             model.index(row, ConsentsModel.NUMBER).data() for row in range(model.rowCount())}
    assert shown[first.recipient_name] == str(first.id)
    assert shown["Cascade Clinic"] == str(second.id)
    listed = demo.services.consents.list(actor, pid)
    assert sorted(shown.values()) == sorted(str(c.id) for c in listed)
    assert not tab.table.isColumnHidden(ConsentsModel.NUMBER)
    assert tab.table.columnWidth(ConsentsModel.NUMBER) > 0
