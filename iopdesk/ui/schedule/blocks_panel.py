"""The weekly blocks of a track, for administrators beside its week: each block's weekday,
window, title, default facilitator and the dates it is in effect, with the buttons that add,
change and end one (the area opens their dialogs)."""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from iopdesk.domain.schedule import BlockView
from iopdesk.ui.schedule.inputs import time_text


def in_effect(block: BlockView, today: date) -> str:
    """'From 2026-05-17', '2026-05-17 to 2026-12-31', or 'Ended 2026-11-30'."""
    if block.effective_to is None:
        return f"From {block.effective_from.isoformat()}"
    if block.effective_to < today:
        return f"Ended {block.effective_to.isoformat()}"
    return f"{block.effective_from.isoformat()} to {block.effective_to.isoformat()}"


class BlocksPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("scheduleBlocks")
        self.heading = QLabel(self.tr("Weekly blocks"), self)
        font = QFont(self.heading.font())
        font.setBold(True)
        self.heading.setFont(font)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("scheduleBlockList")
        self._blocks: tuple[BlockView, ...] = ()       # in the tree's order
        self.tree.setHeaderLabels([self.tr("Weekday"), self.tr("Time"), self.tr("Title"),
                                   self.tr("Default facilitator"), self.tr("In effect")])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton(self.tr("Add &block…"), self)
        self.edit_button = QPushButton(self.tr("&Edit block…"), self)
        self.end_button = QPushButton(self.tr("En&d block…"), self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.heading, 1)
        for button in (self.add_button, self.edit_button, self.end_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()

    def set_blocks(self, track_name: str, blocks: tuple[BlockView, ...], today: date) -> None:
        """Show the track's blocks; the one selected before stays selected."""
        keep = self.selected()
        self.heading.setText(self.tr("Weekly blocks of {track}").format(track=track_name))
        self.tree.clear()
        self._blocks = blocks
        for block in blocks:
            item = QTreeWidgetItem([
                self.tr(block.weekday_name),
                f"{time_text(block.start_time)}–{time_text(block.end_time)}", block.title,
                block.facilitator_name or self.tr("No one yet"), in_effect(block, today)])
            if block.effective_to is not None and block.effective_to < today:
                for column in range(item.columnCount()):
                    item.setForeground(column, self.palette().mid())
            self.tree.addTopLevelItem(item)
            if keep is not None and block.id == keep.id:
                self.tree.setCurrentItem(item)
        self._update_buttons()

    def selected(self) -> BlockView | None:
        # by index, not currentItem(): PySide6 6.12 drops a reference to None for "no item"
        index = self.tree.currentIndex()
        return self._blocks[index.row()] if index.isValid() else None

    def select_block(self, block_id: int) -> None:
        for row, block in enumerate(self._blocks):
            if block.id == block_id:
                self.tree.setCurrentItem(self.tree.topLevelItem(row))

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.edit_button.setEnabled(chosen)
        self.end_button.setEnabled(chosen)
