"""Find a participant: a search box over the paged participant table, with the actions that
work on the selected participant (as buttons beside the search box and in the table's
context menu)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QTableView, QToolButton, QVBoxLayout, QWidget)

from iopdesk.domain.enums import EpisodeStatus
from iopdesk.domain.readmodels import ParticipantRow
from iopdesk.ui.participants.model import ParticipantIdRole, ParticipantTableModel

SEARCH_DELAY_MS = 150
# Column widths in average characters; the name column takes what is left.
_COLUMN_CHARS = {ParticipantTableModel.CHART: 9, ParticipantTableModel.BIRTH: 13,
                 ParticipantTableModel.PHONE: 16, ParticipantTableModel.STATUS: 12,
                 ParticipantTableModel.TRACK: 30}


class ParticipantListWidget(QWidget):
    """Search-as-you-type (debounced) over `ParticipantTableModel`."""

    participant_activated = Signal(int)     # participant id, on double-click or Enter
    status_message = Signal(str)            # for the window's status bar
    selection_changed = Signal()            # another participant (or none) is selected

    def __init__(self, model: ParticipantTableModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("participantSearch")
        self.search_edit.setPlaceholderText(
            self.tr("Search name, chart number, date of birth or phone"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName(self.tr("Search participants"))

        self.message = QLabel(self)
        self.message.setObjectName("participantListMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.hide()

        self.table = QTableView(self)
        self.table.setObjectName("participantTable")
        self.table.setModel(model)
        self._set_up_table()

        self._top = QHBoxLayout()
        self._top.addWidget(self.search_edit, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(self._top)
        layout.addLayout(self._build_filters())
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self._search_now)
        self.search_edit.textChanged.connect(self._text_changed)
        self.search_edit.returnPressed.connect(self._return_pressed)
        self.table.activated.connect(self._row_activated)
        self._select_chart = ""             # select this chart number when the search ends
        model.search_finished.connect(self._search_finished)
        model.search_failed.connect(self._search_failed)
        self.table.selectionModel().selectionChanged.connect(self.selection_changed)
        model.modelReset.connect(self.selection_changed)

    def _build_filters(self) -> QHBoxLayout:
        """Status, track and primary clinician; the last two get their choices from
        `set_filter_choices` and stay hidden until then."""
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("statusFilter")
        self.status_combo.addItem(self.tr("Any status"), None)
        for status, text in ((EpisodeStatus.ACTIVE, self.tr("Active")),
                             (EpisodeStatus.REFERRED, self.tr("Referred")),
                             (EpisodeStatus.DISCHARGED, self.tr("Discharged"))):
            self.status_combo.addItem(text, status)
        self.track_combo = QComboBox(self)
        self.track_combo.setObjectName("trackFilter")
        self.track_combo.addItem(self.tr("Any track"), None)
        self.clinician_combo = QComboBox(self)
        self.clinician_combo.setObjectName("clinicianFilter")
        self.clinician_combo.addItem(self.tr("Anyone"), None)
        self._captions: dict[QComboBox, QLabel] = {}
        row = QHBoxLayout()
        for label, combo in ((self.tr("S&tatus:"), self.status_combo),
                             (self.tr("Trac&k:"), self.track_combo),
                             (self.tr("Primary c&linician:"), self.clinician_combo)):
            caption = QLabel(label, self)
            caption.setBuddy(combo)
            # as wide as the longest choice, yet able to narrow with a small window
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumWidth(8 * combo.fontMetrics().averageCharWidth() + 24)
            combo.currentIndexChanged.connect(self._filters_changed)
            row.addWidget(caption)
            row.addWidget(combo)
            if combo is not self.status_combo:
                caption.hide()
                combo.hide()
                self._captions[combo] = caption
        row.addStretch(1)
        return row

    def set_filter_choices(self, tracks, clinicians) -> None:
        """The program's tracks and clinicians (read models with `id` and `name` /
        `display_name`) to filter by."""
        for combo, items, name in ((self.track_combo, tracks, "name"),
                                   (self.clinician_combo, clinicians, "display_name")):
            combo.blockSignals(True)
            chosen = combo.currentData()
            while combo.count() > 1:
                combo.removeItem(1)
            for item in items:
                combo.addItem(getattr(item, name), item.id)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)
            combo.setVisible(bool(items))
            self._captions[combo].setVisible(bool(items))

    @Slot()
    def _filters_changed(self) -> None:
        self.model.set_filters(status=self.status_combo.currentData(),
                               track_id=self.track_combo.currentData(),
                               primary_clinician_id=self.clinician_combo.currentData())

    def _set_up_table(self) -> None:
        table = self.table
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTabKeyNavigation(False)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ParticipantTableModel.NAME, QHeaderView.ResizeMode.Stretch)
        char = table.fontMetrics().averageCharWidth()
        for column, chars in _COLUMN_CHARS.items():
            table.setColumnWidth(column, chars * char + 16)
        row_height = table.fontMetrics().height() + 8
        table.verticalHeader().setDefaultSectionSize(row_height)

    def add_row_action(self, action: QAction) -> QToolButton:
        """Offer `action` (about the selected participant) beside the search box and in the
        table's context menu."""
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._top.addWidget(button)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addAction(action)
        return button

    def add_action(self, action: QAction) -> QToolButton:
        """Offer `action` (not about a selected participant: Register…) beside the search
        box; its shortcut works anywhere in the window."""
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._top.addWidget(button)
        self.addAction(action)
        return button

    def select_chart(self, chart_number: str) -> None:
        """Search for `chart_number` and select its row when the answer comes."""
        self._select_chart = chart_number
        self.search_for(chart_number)

    def selected_row(self) -> ParticipantRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def search_for(self, text: str) -> None:
        """Show what `text` finds (a chart number chosen elsewhere, say)."""
        self.search_edit.setText(text)
        self._search_now()

    def start(self) -> None:
        """Load the first page (everyone, or what is already typed)."""
        self.model.set_query(self.search_edit.text().strip())

    @Slot()
    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    @Slot(str)
    def _text_changed(self, _text: str) -> None:
        self._debounce.start()

    @Slot()
    def _search_now(self) -> None:
        self._debounce.stop()
        text = self.search_edit.text().strip()
        if text != self.model.text:
            self.model.set_query(text)

    @Slot()
    def _return_pressed(self) -> None:
        """Enter searches at once; with a single match shown, it opens that participant."""
        if self._debounce.isActive() or self.search_edit.text().strip() != self.model.text:
            self._search_now()
        elif self.model.rowCount() == 1 and not self.model.loading:
            self._row_activated(self.model.index(0, 0))

    @Slot(QModelIndex)
    def _row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.participant_activated.emit(int(index.data(ParticipantIdRole)))

    @Slot(str, int)
    def _search_finished(self, text: str, count: int) -> None:
        chart, self._select_chart = self._select_chart, ""
        if count:
            self.message.hide()
            for row in range(count if chart and text == chart else 0):
                if self.model.row_at(row).chart_number == chart:
                    self.table.selectRow(row)
                    break
            if count == 1 and not self.model.has_more:      # the one match: ready for Ctrl+P
                self.table.selectRow(0)
            if self.model.has_more:
                shown = self.tr("The first {count} participants; scroll for more")
            elif count == 1:
                shown = self.tr("1 participant")
            else:
                shown = self.tr("{count} participants")
            self.status_message.emit(shown.format(count=count))
            return
        if text or self.model.filters:
            what = f"“{text}”" if text else self.tr("these filters")
            self.message.setText(self.tr("No participants match {what}.").format(what=what))
        else:
            self.message.setText(self.tr("No participants yet."))
        self.message.setStyleSheet("")
        self.message.show()
        self.status_message.emit(self.message.text())

    @Slot(str)
    def _search_failed(self, message: str) -> None:
        self.message.setText(self.tr("The search failed: {message}").format(message=message))
        self.message.setStyleSheet("color: white; background-color: #b00020; padding: 4px;")
        self.message.show()
        self.status_message.emit(self.message.text())
