"""Which widget shows which chart tab.

The keys are the tab names `services.chart.open` returns in `ChartSummary.tabs` (the tabs the
acting user may see); each value is "module:Class" of a QWidget made as
`Class(services, actor, runner, participant_id, summary, parent)`, imported when the tab is
first shown.
"""

from __future__ import annotations

import importlib

TAB_WIDGETS: dict[str, str] = {
    "face_sheet": "iopdesk.ui.chart.face_sheet_tab:FaceSheetTab",
    "contacts": "iopdesk.ui.chart.contacts_tab:ContactsTab",
    "consents": "iopdesk.ui.chart.consents_tab:ConsentsTab",
    "episodes": "iopdesk.ui.chart.episodes_tab:EpisodesTab",
    "diagnoses": "iopdesk.ui.chart.diagnoses_tab:DiagnosesTab",
    "intake": "iopdesk.ui.chart.intake_tab:IntakeTab",
}

TAB_TITLES: dict[str, str] = {
    "face_sheet": "Face sheet", "contacts": "Contacts and family", "consents": "Consents",
    "episodes": "Episodes", "diagnoses": "Diagnoses", "intake": "Intake assessment",
}


def tab_class(key: str):
    module_name, _, class_name = TAB_WIDGETS[key].partition(":")
    return getattr(importlib.import_module(module_name), class_name)
