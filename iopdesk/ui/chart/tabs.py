"""Which widget shows which chart tab.

Read from the one declaration of the chart's sections (domain.areas). The keys are the tab
names `services.chart.open` returns in `ChartSummary.tabs` (the tabs the
acting user may see); each value is "module:Class" of a QWidget made as
`Class(services, actor, runner, participant_id, summary, parent)`, imported when the tab is
first shown.
"""

from __future__ import annotations

import importlib

from iopdesk.domain.areas import SECTIONS

TAB_WIDGETS: dict[str, str] = {s.key: s.tab for s in SECTIONS}
TAB_TITLES: dict[str, str] = {s.key: s.title for s in SECTIONS}


def tab_class(key: str):
    module_name, _, class_name = TAB_WIDGETS[key].partition(":")
    return getattr(importlib.import_module(module_name), class_name)
