"""A track's weekly group block (administrators): the dialog that adds or changes one
(weekday, start, end, title, default facilitator, the dates it is in effect), and the one
that ends it. Both are RecordDialogs: every message at its field, the version loaded carried
to the save, Esc over typed changes asks first."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from iopdesk.domain.schedule import TITLE_MAX, WEEKDAYS, BlockInput, BlockView
from iopdesk.ui.chart.consents_tab import read_date
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.schedule.inputs import (DATE_HINT, TIME_HINT, day_text, facilitator_combo,
                                        chosen_id, keyboard_order, line_edit, read_time,
                                        time_text)

if TYPE_CHECKING:
    from iopdesk.domain.readmodels import StaffMember
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner


class BlockDialog(RecordDialog):
    """Add a block to a track (`block` None) or change one, carrying the version shown. The
    meetings to come follow the change (the service says which)."""

    def __init__(self, services: Services, actor: Actor, runner: Runner, track_id: int,
                 track_name: str, staff: tuple[StaffMember, ...], today: date,
                 block: BlockView | None = None, parent: QWidget | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self._track_id = track_id
        self.block = block
        self.setObjectName("blockDialog")
        self.setWindowTitle(
            self.tr("Add a weekly block to {track}").format(track=track_name) if block is None
            else self.tr("Change the block {title}").format(title=block.title))
        data = block.as_input() if block is not None else BlockInput(
            weekday=today.weekday(), start_time=None, end_time=None, title="",
            facilitator_id=None, effective_from=today)
        self.title_edit = line_edit(self, "title", data.title)
        self.fields.add_row(self.form, self.tr("&Title:"), self.title_edit, "title")
        self.fields.limit("title", TITLE_MAX)
        self.weekday_combo = QComboBox(self)
        self.weekday_combo.setObjectName("weekday")
        for number, name in enumerate(WEEKDAYS):
            self.weekday_combo.addItem(self.tr(name), number)
        self.weekday_combo.setCurrentIndex(data.weekday)
        self.fields.add_row(self.form, self.tr("&Weekday:"), self.weekday_combo, "weekday")
        self.start_edit = line_edit(self, "start_time", time_text(data.start_time), TIME_HINT)
        self.fields.add_row(self.form, self.tr("St&arts at:"), self.start_edit, "start_time")
        self.end_edit = line_edit(self, "end_time", time_text(data.end_time), TIME_HINT)
        self.fields.add_row(self.form, self.tr("E&nds at:"), self.end_edit, "end_time")
        self.facilitator_combo = facilitator_combo(
            self, staff, data.facilitator_id, block.facilitator_name if block else "")
        self.fields.add_row(self.form, self.tr("Default &facilitator:"),
                            self.facilitator_combo, "facilitator_id")
        self.from_edit = line_edit(self, "effective_from", day_text(data.effective_from),
                                   DATE_HINT)
        self.fields.add_row(self.form, self.tr("In effect fr&om:"), self.from_edit,
                            "effective_from")
        self.to_edit = line_edit(self, "effective_to", day_text(data.effective_to), DATE_HINT)
        self.to_edit.setToolTip(self.tr("The last date it meets; empty: until further notice"))
        self.fields.add_row(self.form, self.tr("&Last date (optional):"), self.to_edit,
                            "effective_to")
        keyboard_order(self, self.title_edit, self.weekday_combo, self.start_edit,
                       self.end_edit, self.facilitator_combo, self.from_edit, self.to_edit)
        self.setMinimumWidth(560)

    def call(self):
        errors: dict[str, str] = {}
        start = read_time(self.start_edit, "start_time", errors)
        end = read_time(self.end_edit, "end_time", errors)
        first = read_date(self.from_edit, "effective_from", errors)
        last = read_date(self.to_edit, "effective_to", errors)
        if errors:
            return None, errors
        data = BlockInput(weekday=self.weekday_combo.currentData(), start_time=start,
                          end_time=end, title=self.title_edit.text(),
                          facilitator_id=chosen_id(self.facilitator_combo),
                          effective_from=first, effective_to=last)
        services, actor = self._services, self._actor
        if self.block is None:
            track_id = self._track_id
            return (lambda: services.schedule.add_block(actor, track_id, data)), {}
        block_id, version = self.block.id, self.block.version
        return (lambda: services.schedule.update_block(actor, block_id, version, data)), {}


class EndBlockDialog(RecordDialog):
    """The block meets for the last time on a date; its later meetings without attendance
    are cancelled ("Schedule ended"). It stays on record."""

    def __init__(self, services: Services, actor: Actor, runner: Runner, block: BlockView,
                 today: date, parent: QWidget | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self.block = block
        self.setObjectName("endBlockDialog")
        self.setWindowTitle(self.tr("End the block {title}").format(title=block.title))
        about = QLabel(self.tr(
            "{title}, {weekday}s {start}–{end}. Its meetings after the last date are "
            "cancelled (those with attendance recorded stay).").format(
                title=block.title, weekday=self.tr(block.weekday_name),
                start=time_text(block.start_time), end=time_text(block.end_time)), self)
        about.setWordWrap(True)
        self.form.addRow(about)
        self.last_edit = line_edit(self, "effective_to",
                                   day_text(block.effective_to or today), DATE_HINT)
        self.fields.add_row(self.form, self.tr("&Last date it meets:"), self.last_edit,
                            "effective_to")
        self.save_button.setText(self.tr("&End block"))
        keyboard_order(self, self.last_edit)

    def call(self):
        errors: dict[str, str] = {}
        last = read_date(self.last_edit, "effective_to", errors)
        if errors:
            return None, errors
        services, actor = self._services, self._actor
        block_id, version = self.block.id, self.block.version
        return (lambda: services.schedule.end_block(actor, block_id, version, last)), {}
