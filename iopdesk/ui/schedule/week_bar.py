"""The Schedule area's top line: the track chooser, the week before, this week, the week
after, and Refresh, with their keys (Alt+Left / Page Up, Alt+T, Alt+Right / Page Down, F5)
working anywhere in the area (`scope`)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget


class WeekBar(QWidget):
    previous_week = Signal()
    this_week = Signal()
    next_week = Signal()
    refresh = Signal()
    track_chosen = Signal(int)          # a track id, chosen by the user

    def __init__(self, scope: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.track_combo = QComboBox(self)
        self.track_combo.setObjectName("scheduleTrack")
        self.track_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.track_combo.activated.connect(
            lambda index: self.track_chosen.emit(self.track_combo.itemData(index)))
        track_label = QLabel(self.tr("Trac&k:"), self)
        track_label.setBuddy(self.track_combo)
        self.previous_button = self._button(self.tr("◀ Previ&ous week"), self.previous_week,
                                            self.tr("The week before (Alt+Left, Page Up)"))
        self.this_week_button = self._button(self.tr("&This week"), self.this_week,
                                             self.tr("The week holding today (Alt+T)"))
        self.next_button = self._button(self.tr("&Next week ▶"), self.next_week,
                                        self.tr("The week after (Alt+Right, Page Down)"))
        self.refresh_button = self._button(self.tr("&Refresh"), self.refresh,
                                           self.tr("Load the week again (F5)"))
        for keys, signal in (("Alt+Left", self.previous_week), ("PgUp", self.previous_week),
                             ("Alt+Right", self.next_week), ("PgDown", self.next_week),
                             (QKeySequence.StandardKey.Refresh, self.refresh)):
            shortcut = QShortcut(QKeySequence(keys), scope)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(signal.emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(track_label)
        layout.addWidget(self.track_combo)
        layout.addSpacing(12)
        for button in (self.previous_button, self.this_week_button, self.next_button):
            layout.addWidget(button)
        layout.addStretch(1)
        layout.addWidget(self.refresh_button)

    def _button(self, text: str, signal: Signal, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.clicked.connect(signal.emit)
        return button

    def set_tracks(self, tracks, track_id: int | None) -> None:
        """The tracks to choose from (Track read models), `track_id` the one shown."""
        self.track_combo.clear()
        for track in tracks:
            self.track_combo.addItem(track.name, track.id)
        self.show_track(track_id)

    def show_track(self, track_id: int | None) -> None:
        self.track_combo.setCurrentIndex(max(0, self.track_combo.findData(track_id)))

    def track_name(self) -> str:
        return self.track_combo.currentText()

    def set_enabled(self, enabled: bool) -> None:
        for button in (self.previous_button, self.this_week_button, self.next_button):
            button.setEnabled(enabled)
