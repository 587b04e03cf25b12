"""A participant's chart: a banner (names, age, chart number, track, status, primary clinician
and the alerts), then one tab per chart area the acting user may open.

The chart is opened on a worker (`services.chart.open`, which audits it). Each tab's widget is
made the first time the tab is shown (see `ui.chart.tabs`); a tab that cannot be made (its
module fails to import, say) shows why in its place and is logged, never left out. Ctrl+W closes the window, F5 opens the chart again (banner and tabs).
`ChartWindows` keeps one window per participant: asking again brings the open one to the front.

The chart listens to the application's change bus (ui.changes): a change set touching this
participant refreshes the banner and title, and each open tab whose kinds of record it touches
reloads — unless the tab holds unsaved edits, which stay: if someone else made the change, the
tab says so instead (ui.unsaved). F5 and closing ask before throwing typed work away.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QByteArray, QObject, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QMainWindow, QTabWidget, QVBoxLayout,
                               QWidget)

from iopdesk.domain.areas import section
from iopdesk.domain.changes import ChangeSet
from iopdesk.domain.clinical import ChartAlert, ChartSummary
from iopdesk.ui.changes import change_bus
from iopdesk.ui.chart.tabs import TAB_TITLES, tab_class
from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import BANNER_STYLE
from iopdesk.ui.unsaved import HoldsEdits, ask_about_unsaved, unsaved_forms

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

log = logging.getLogger(__name__)

ALERT_STYLES: dict[str, str] = {
    "danger": ("color: white; background-color: #b00020; font-weight: bold; "
               "font-size: 12pt; padding: 6px 10px; border-radius: 4px;"),
    "warning": ("color: #4a3000; background-color: #ffd166; padding: 4px 8px; "
                "border-radius: 10px;"),
    "info": ("color: #0b3d66; background-color: #d6eaff; padding: 4px 8px; "
             "border-radius: 10px;"),
}
_SEVERITY_ORDER = {"danger": 0, "warning": 1, "info": 2}


def alert_label(alert: ChartAlert, parent: QWidget) -> QLabel:
    """A coloured chip; a danger alert (suicide risk) is a bold red bar."""
    text = alert.message
    if alert.kind == "suicide_risk":
        text = QLabel.tr("⚠ SUICIDE RISK — {message}").format(message=alert.message)
    label = QLabel(text, parent)
    label.setObjectName(f"alert_{alert.kind}")
    label.setProperty("severity", alert.severity)
    label.setStyleSheet(ALERT_STYLES.get(alert.severity, ALERT_STYLES["info"]))
    label.setWordWrap(True)
    label.setAccessibleName(text)
    return label


class ChartWindow(QMainWindow):
    loaded = Signal(object)         # the ChartSummary shown
    load_failed = Signal(str)

    GEOMETRY_KEY = "chart_window/geometry"

    def __init__(self, services: Services, actor: Actor, runner: Runner, participant_id: int,
                 parent: QWidget | None = None, *, settings: QSettings | None = None):
        super().__init__(parent)
        self._settings = settings
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setObjectName("chartWindow")
        self.services = services
        self.actor = actor
        self.runner = runner
        self.participant_id = participant_id
        self.summary: ChartSummary | None = None
        self.summary_tabs_made_for: ChartSummary | None = None
        self._tab_keys: list[str] = []

        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.alerts_box = QVBoxLayout()
        self.alerts_box.setSpacing(4)
        self.danger_box = QVBoxLayout()     # danger alerts: above everything
        layout.addLayout(self.danger_box)
        self.name_label = QLabel(self.tr("Opening the chart…"), central)
        self.name_label.setObjectName("chartName")
        self.name_label.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_label = QLabel(central)
        self.details_label.setObjectName("chartDetails")
        self.details_label.setWordWrap(True)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chips = QHBoxLayout()
        self.chips.setSpacing(6)
        self.message = QLabel(central)
        self.message.setObjectName("chartMessage")
        self.message.setStyleSheet(BANNER_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        self.tabs = QTabWidget(central)
        self.tabs.setObjectName("chartTabs")
        self.tabs.currentChanged.connect(self._tab_shown)
        layout.addWidget(self.name_label)
        layout.addWidget(self.details_label)
        layout.addLayout(self.chips)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.close_action = QAction(self.tr("Close chart"), self)
        self.close_action.setShortcuts(QKeySequence.StandardKey.Close)     # Ctrl+W, Ctrl+F4
        self.close_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.close_action.triggered.connect(self.close)
        self.reload_action = QAction(self.tr("Reload chart"), self)
        self.reload_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.reload_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.reload_action.triggered.connect(self.ask_and_reload)
        self.addAction(self.close_action)
        self.addAction(self.reload_action)
        self.setWindowTitle(self.tr("Chart — IOPDesk"))
        geometry = settings.value(self.GEOMETRY_KEY) if settings is not None else None
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self.resize(1000, 720)
        self._close_confirmed = False
        self._rebuild_tabs = True
        self._wanted_tab: str | None = None     # to show once the tabs are made
        change_bus(services).changed.connect(self._changed)
        self.reload()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Asks first about unsaved edits; the next chart opens where and as large as this
        one was."""
        if not self._close_confirmed and unsaved_forms(self):
            event.ignore()
            ask_about_unsaved(self, unsaved_forms(self), self._close_now,
                              doing=self.tr("before the chart closes"))
            return
        if self._settings is not None:
            self._settings.setValue(self.GEOMETRY_KEY, self.saveGeometry())
        super().closeEvent(event)

    def _close_now(self) -> None:
        self._close_confirmed = True
        self.close()

    def unsaved_forms(self) -> list[QWidget]:
        return unsaved_forms(self)

    # -- loading --------------------------------------------------------------------------

    @Slot()
    def ask_and_reload(self) -> None:
        """F5: open the chart again, asking first about unsaved edits."""
        ask_about_unsaved(self, unsaved_forms(self), self.reload,
                          doing=self.tr("before the chart is reloaded"))

    @Slot()
    def reload(self) -> None:
        """Open the chart again: banner, alerts and the tabs (rebuilt on their next show).
        Whoever calls this has asked about unsaved edits first."""
        self._rebuild_tabs = True
        self._open_summary()

    def _open_summary(self) -> None:
        pid = self.participant_id
        chart, actor = self.services.chart, self.actor      # not `self`: see ui.operations
        self.runner.submit(lambda: chart.open(actor, pid),
                           self._show_summary, self._failed, owner=self)

    def _failed(self, error: object) -> None:
        text = describe_error(error)
        self.message.setText(self.tr("The chart could not be opened: {error}").format(
            error=text))
        self.message.show()
        self.load_failed.emit(text)

    def _show_summary(self, summary: ChartSummary) -> None:
        self.summary = summary
        self.message.hide()
        self.setWindowTitle(self.tr("{name} ({chart}) — Chart").format(
            name=summary.display_name, chart=summary.chart_number))
        self.name_label.setText(summary.display_name)
        self.details_label.setText(self.banner_details(summary))
        self._show_alerts(summary.alerts)
        if self._rebuild_tabs or (self._tabs_differ(summary) and not unsaved_forms(self)):
            self._rebuild_tabs = False      # (tabs are never made anew over typed work)
            self._build_tabs(summary)
        self.loaded.emit(summary)

    def _tabs_differ(self, summary: ChartSummary) -> bool:
        """Whether the tabs must be made anew: others to show, or another current episode
        (the tabs of the episode's records were made for the one before)."""
        before = self.summary_tabs_made_for
        return before is None or before.tabs != summary.tabs \
            or before.current_episode_id != summary.current_episode_id

    # -- what others changed ----------------------------------------------------------------

    @Slot(object)
    def _changed(self, change_set: ChangeSet) -> None:
        """A change set arrived: the banner again if it touches this chart, and each open
        tab it touches reloads unless it holds edits (then it is told, if not our own)."""
        pid = self.participant_id
        if not change_set.touches(participant_id=pid) or self.summary is None:
            return
        self._open_summary()
        own = change_set.made_by(self.actor.user_id, self.actor.workstation)
        for key in self._tab_keys:
            widget = self._made_tab(key)
            kinds = section(key).kinds
            if widget is None or not any(change_set.touches(kind, participant_id=pid)
                                         for kind in kinds):
                continue
            if isinstance(widget, HoldsEdits) and widget.has_unsaved_edits():
                if not own and hasattr(widget, "show_changed_elsewhere"):
                    widget.show_changed_elsewhere(change_set)
            elif hasattr(widget, "reload"):
                widget.reload()

    def _made_tab(self, key: str) -> QWidget | None:
        holder = self.tabs.widget(self._tab_keys.index(key))
        layout = holder.layout() if holder is not None else None
        return layout.itemAt(0).widget() if layout is not None and layout.count() else None

    def banner_details(self, s: ChartSummary) -> str:
        parts = [self.tr("Age {age}").format(age=s.age),
                 self.tr("Chart {number}").format(number=s.chart_number)]
        if s.pronouns:
            parts.append(s.pronouns)
        parts.append(s.track_name or self.tr("No track"))
        parts.append(s.status.value.capitalize() if s.status else self.tr("No episode"))
        parts.append(self.tr("Primary clinician: {name}").format(
            name=s.primary_clinician_name or self.tr("none")))
        return "  ·  ".join(parts)

    def _show_alerts(self, alerts: tuple[ChartAlert, ...]) -> None:
        for box in (self.danger_box, self.chips):
            while box.count():
                item = box.takeAt(0)
                if item.widget() is not None:
                    item.widget().deleteLater()
        self._alert_labels: list[QLabel] = []
        for alert in sorted(alerts, key=lambda a: _SEVERITY_ORDER.get(a.severity, 9)):
            box = self.danger_box if alert.severity == "danger" else self.chips
            label = alert_label(alert, self.centralWidget())
            box.addWidget(label)
            self._alert_labels.append(label)
        self.chips.addStretch(1)

    def alert_labels(self) -> list[QLabel]:
        """The alerts shown, danger first."""
        return list(getattr(self, "_alert_labels", []))

    def _build_tabs(self, summary: ChartSummary) -> None:
        self.summary_tabs_made_for = summary
        current = self._tab_keys[self.tabs.currentIndex()] if self._tab_keys and \
            self.tabs.currentIndex() >= 0 else None
        self.tabs.blockSignals(True)
        while self.tabs.count():
            page = self.tabs.widget(0)
            self.tabs.removeTab(0)
            page.deleteLater()
        self._tab_keys = []
        for key in summary.tabs:      # every one: a tab that cannot be made says so
            holder = QWidget(self.tabs)
            holder.setObjectName(f"tab_{key}")
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, self.tr(TAB_TITLES.get(key, key)))
            self._tab_keys.append(key)
        self.tabs.blockSignals(False)
        wanted, self._wanted_tab = self._wanted_tab, None
        if wanted in self._tab_keys:
            current = wanted
        if current in self._tab_keys:
            self.tabs.setCurrentIndex(self._tab_keys.index(current))
        self._tab_shown(self.tabs.currentIndex())

    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]

    def tab_keys(self) -> tuple[str, ...]:
        return tuple(self._tab_keys)

    @Slot(int)
    def _tab_shown(self, index: int) -> None:
        if index < 0 or index >= len(self._tab_keys) or self.summary is None:
            return
        self.tab_widget(self._tab_keys[index])

    def tab_widget(self, key: str) -> QWidget:
        """The widget of tab `key`, made now if it was not shown before."""
        holder = self.tabs.widget(self._tab_keys.index(key))
        layout = holder.layout()
        if layout.count():
            return layout.itemAt(0).widget()
        try:
            widget = tab_class(key)(self.services, self.actor, self.runner,
                                    self.participant_id, self.summary, holder)
        except Exception as error:  # noqa: BLE001 - shown in the tab, never a missing tab
            log.exception("the chart's %s tab could not be made", key)
            widget = QLabel(self.tr(
                "This part of the chart could not be opened: {error}. Nothing in it was "
                "changed. Tell your administrator; the other tabs work.").format(
                    error=describe_error(error)), holder)
            widget.setObjectName("tabError")
            widget.setWordWrap(True)
            widget.setStyleSheet(BANNER_STYLE)
            widget.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(widget)
        return widget

    def show_tab(self, key: str) -> QWidget:
        self.tabs.setCurrentIndex(self._tab_keys.index(key))
        return self.tab_widget(key)

    def show_tab_when_loaded(self, key: str) -> None:
        """Show the tab `key` now if the tabs are made, else as soon as they are (a chart
        opened from a queue on Today, at the work waiting in it)."""
        if key in self._tab_keys:
            self.show_tab(key)
        else:
            self._wanted_tab = key


class ChartWindows(QObject):
    """One chart window per participant, for one user's session."""

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 parent: QWidget | None = None, *, settings: QSettings | None = None):
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.runner = runner
        self.settings = settings
        self._windows: dict[int, ChartWindow] = {}

    def open(self, participant_id: int) -> ChartWindow:
        window = self._windows.get(participant_id)
        if window is None or not shiboken6.isValid(window):
            window = ChartWindow(self.services, self.actor, self.runner, participant_id,
                                 self.parent(), settings=self.settings)
            window.destroyed.connect(lambda _=None, pid=participant_id:
                                     self._windows.pop(pid, None))
            self._windows[participant_id] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def windows(self) -> list[ChartWindow]:
        return [w for w in self._windows.values() if shiboken6.isValid(w)]

    def close_all(self) -> None:
        for window in self.windows():
            window.close()
