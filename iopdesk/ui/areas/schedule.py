"""The Schedule area: one track's week at a time (seven day columns from the track's week
start), with each meeting's window, title, topic, facilitator and, up to today, attendance
(here now, or attended, of those expected); cancelled meetings greyed with their reason,
closures on their day. Everyone reads it; administrators (alone allowed to change the
schedule: the services refuse anyone else) also get the edit actions: weekly blocks added,
changed and ended, closures added and removed, one meeting moved, cancelled or given another
facilitator or topic.

Keyboard: Alt+Left / Page Up the week before, Alt+Right / Page Down the week after, Alt+T
this week, F5 again; arrows move between cells, Enter on a meeting opens its facilitator and
topic (administrators). It reloads on every schedule or attendance change set, from this
workstation or another."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from iopdesk.domain.changes import RecordKind
from iopdesk.domain.enums import Role
from iopdesk.domain.schedule import BlockView, ClosureView, MeetingView, WeekView
from iopdesk.ui.changes import change_bus
from iopdesk.ui.errors import show_error
from iopdesk.ui.schedule.block_dialogs import BlockDialog, EndBlockDialog
from iopdesk.ui.schedule.blocks_panel import BlocksPanel
from iopdesk.ui.schedule.closure_dialog import ClosureDialog, RemoveClosureQuestion
from iopdesk.ui.schedule.meeting_dialogs import (CancelMeetingDialog, MeetingChangeDialog,
                                                 MoveMeetingDialog)
from iopdesk.ui.schedule.week_bar import WeekBar
from iopdesk.ui.schedule.week_view import WeekTable, load_week
from iopdesk.ui.today.parts import heading

if TYPE_CHECKING:
    from iopdesk.domain.readmodels import StaffMember, Track
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

WEEK_KINDS = (RecordKind.SCHEDULE, RecordKind.ATTENDANCE)     # what the week shows


class ScheduleArea(QWidget):
    week_loaded = Signal()          # the week shown is the one stored
    blocks_loaded = Signal()        # the track's blocks (administrators)
    dialog_opened = Signal(QObject)  # a dialog or question this area opened

    def __init__(self, services: Services, actor: Actor, runner: Runner, *,
                 today: Callable[[], date], parent: QWidget | None = None):
        """`today` gives the practice's date (what "this week" is): never this computer's."""
        super().__init__(parent)
        self.setObjectName("scheduleArea")
        self._services = services
        self._actor = actor
        self._runner = runner
        self._today = today
        self.can_edit = actor.has(Role.ADMIN)
        self.tracks: tuple[Track, ...] = ()
        self.staff: tuple[StaffMember, ...] = ()
        self.week: WeekView | None = None
        self.track_id: int | None = None
        self._anchor: date | None = None            # a day of the week to show
        self._asked = 0                             # only the latest week asked is shown
        self._asked_tracks = 0                      # and the latest tracks
        self.dialog: QObject | None = None
        self.blocks: BlocksPanel | None = None
        self._build()
        change_bus(services).changed.connect(self._changed)

    # -- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.heading = heading("", self)
        self.heading.setObjectName("scheduleHeading")
        self.bar = WeekBar(self, self)
        self.bar.previous_week.connect(self.previous_week)
        self.bar.this_week.connect(self.this_week)
        self.bar.next_week.connect(self.next_week)
        self.bar.refresh.connect(self.reload)
        self.bar.track_chosen.connect(self._track_chosen)

        self.table = WeekTable(self)
        self.table.entry_activated.connect(self._entry_activated)
        self.table.current_changed.connect(self._update_buttons)
        self.message = QLabel(self)
        self.message.setObjectName("scheduleMessage")
        self.message.setStyleSheet("color: palette(mid); padding: 4px;")
        self.message.hide()
        self.status = QLabel(self)
        self.status.setObjectName("scheduleStatus")
        self.status.setWordWrap(True)
        week_box = QWidget(self)
        week_layout = QVBoxLayout(week_box)
        week_layout.setContentsMargins(0, 0, 0, 0)
        week_layout.addWidget(self.message)
        week_layout.addWidget(self.table, 1)
        if self.can_edit:
            week_layout.addLayout(self._meeting_buttons())

        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.heading)
        if self.can_edit:
            self.blocks = BlocksPanel(self)
            self.blocks.add_button.clicked.connect(self.add_block)
            self.blocks.edit_button.clicked.connect(self.edit_block)
            self.blocks.end_button.clicked.connect(self.end_block)
            self.blocks.tree.itemActivated.connect(lambda *_: self.edit_block())
            splitter = QSplitter(Qt.Orientation.Vertical, self)
            splitter.setChildrenCollapsible(False)
            splitter.addWidget(week_box)
            splitter.addWidget(self.blocks)
            splitter.setSizes([600, 200])
            layout.addWidget(splitter, 1)
        else:
            layout.addWidget(week_box, 1)
        layout.addWidget(self.status)
        self._update_buttons()

    def _button(self, text: str, slot, tip: str = "") -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _meeting_buttons(self) -> QHBoxLayout:
        self.move_button = self._button(self.tr("&Move…"), self.move_meeting)
        self.cancel_button = self._button(self.tr("&Cancel meeting…"), self.cancel_meeting)
        self.change_button = self._button(self.tr("Facilitator or top&ic…"),
                                          self.change_meeting, self.tr("Enter on a meeting"))
        self.add_closure_button = self._button(self.tr("Add c&losure…"), self.add_closure)
        self.remove_closure_button = self._button(self.tr("Remo&ve closure…"),
                                                  self.remove_closure)
        row = QHBoxLayout()
        for button in (self.move_button, self.cancel_button, self.change_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.add_closure_button)
        row.addWidget(self.remove_closure_button)
        return row

    # -- loading --------------------------------------------------------------------------

    def area_shown(self) -> None:
        self.reload()

    def focus_first(self) -> None:
        """The keyboard in the week (arrows between cells, Page Up/Down between weeks)."""
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def reload(self) -> None:
        """The tracks (and, for administrators, who may lead a group), then the week."""
        services, actor, edit = self._services, self._actor, self.can_edit
        self._asked_tracks += 1
        asked = self._asked_tracks

        def load():
            staff = services.staff.list_staff(actor) if edit else ()
            return services.staff.tracks(actor), staff

        self._runner.submit(load, lambda found: self._tracks_arrived(asked, *found),
                            self._failed, owner=self)

    def _tracks_arrived(self, asked: int, tracks: tuple[Track, ...],
                        staff: tuple[StaffMember, ...]) -> None:
        if asked != self._asked_tracks:
            return
        self.tracks, self.staff = tracks, staff
        if self.track_id not in {t.id for t in tracks}:
            self.track_id = tracks[0].id if tracks else None
        self.bar.set_tracks(tracks, self.track_id)
        if self.track_id is None:
            self._show_no_tracks()
        else:
            self._load_week()

    def _load_week(self) -> None:
        """The week of the track shown holding the day asked for (nothing before the tracks
        are known)."""
        if self.track_id is None:
            return
        services, actor, today = self._services, self._actor, self._today()
        track_id, day = self.track_id, self._anchor or today
        self._asked += 1
        asked = self._asked
        self._runner.submit(lambda: load_week(services, actor, track_id, day, today),
                            lambda found: self._week_arrived(asked, *found), self._failed,
                            owner=self)
        if self.can_edit:
            self._runner.submit(lambda: services.schedule.blocks(actor, track_id),
                                lambda blocks: self._blocks_arrived(asked, blocks),
                                self._failed, owner=self)

    def _week_arrived(self, asked: int, week: WeekView, attendance: dict[int, str]) -> None:
        if asked != self._asked:
            return
        today = self._today()
        self.week, self._anchor = week, week.first
        locale = QLocale()
        this_week = week.first <= today <= week.last
        self.heading.setText(self.tr("{track}: {first} – {last}{now}").format(
            track=week.track_name,
            first=locale.toString(week.first, QLocale.FormatType.LongFormat),
            last=locale.toString(week.last, QLocale.FormatType.LongFormat),
            now=self.tr(" (this week)") if this_week else ""))
        self.table.set_week(week, today, attendance)
        empty = not any(day.meetings or day.closures for day in week.days)
        self.message.setText(self.tr("No meetings this week."))
        self.message.setVisible(empty)
        self._update_buttons()
        self.week_loaded.emit()

    def _blocks_arrived(self, asked: int, blocks: tuple[BlockView, ...]) -> None:
        if asked != self._asked or self.blocks is None:
            return
        self.blocks.set_blocks(self.bar.track_name(), blocks, self._today())
        self.blocks_loaded.emit()

    def _show_no_tracks(self) -> None:
        self.week = None
        self.heading.setText(self.tr("No program track is set up yet."))
        self.table.clear_week()
        self._update_buttons()
        self.week_loaded.emit()

    def _failed(self, error: object) -> None:
        show_error(self, self.tr("Schedule"), error)

    @Slot(object)
    def _changed(self, change_set) -> None:
        """The schedule or attendance changed (here, or at another workstation): the week
        again, if it is on screen (showing the area reads it anyway: no audited reads for a
        hidden week at every check-in). A user changed (a new clinician to choose), or anything
        may have: everything again."""
        if change_set.everything or (self.can_edit and change_set.touches(RecordKind.USER)):
            self.reload()
        elif self.isVisible() and any(change_set.touches(kind) for kind in WEEK_KINDS):
            self._load_week()

    # -- moving between weeks and tracks --------------------------------------------------

    def _go(self, weeks: int) -> None:
        """From the week asked for last (keys pressed faster than weeks load add up)."""
        self._anchor = (self._anchor or self._today()) + timedelta(weeks=weeks)
        self._load_week()

    @Slot()
    def previous_week(self) -> None:
        self._go(-1)

    @Slot()
    def next_week(self) -> None:
        self._go(1)

    @Slot()
    def this_week(self) -> None:
        self._anchor = self._today()
        self._load_week()

    @Slot(int)
    def _track_chosen(self, track_id: int) -> None:
        if track_id != self.track_id:
            self.track_id = track_id
            self._load_week()

    def show_track(self, track_id: int) -> None:
        """Look at another track (same week)."""
        self.track_id = track_id
        self.bar.show_track(track_id)
        self._load_week()

    # -- editing (administrators) ---------------------------------------------------------

    def selected_meeting(self) -> MeetingView | None:
        entry = self.table.current_entry()
        return entry if isinstance(entry, MeetingView) else None

    def selected_closure(self) -> ClosureView | None:
        entry = self.table.current_entry()
        return entry if isinstance(entry, ClosureView) else None

    @Slot()
    def _update_buttons(self) -> None:
        self.bar.set_enabled(self.track_id is not None)
        if not self.can_edit:
            return
        meeting = self.selected_meeting()
        self.move_button.setEnabled(meeting is not None)
        self.cancel_button.setEnabled(meeting is not None and not meeting.cancelled)
        self.change_button.setEnabled(meeting is not None)
        self.add_closure_button.setEnabled(self.week is not None)
        self.remove_closure_button.setEnabled(self.selected_closure() is not None)
        self.blocks.add_button.setEnabled(self.track_id is not None)

    def _entry_activated(self, entry: object) -> None:
        if self.can_edit and isinstance(entry, MeetingView):
            self.change_meeting()

    def _open(self, dialog, done: str):
        """Show `dialog` (it deletes itself when closed); once it saved, say `done` (with
        the saved view's fields: {title}, {date}) and show the week again."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.saved.connect(lambda view: self._saved(view, done))
        self.dialog = dialog
        self.dialog_opened.emit(dialog)
        dialog.open()
        return dialog

    def _saved(self, view: object, done: str) -> None:
        title = getattr(view, "title", "") or getattr(view, "reason", "")
        day = getattr(view, "meeting_date", None) or getattr(view, "closure_date", None)
        self.status.setText(done.format(title=title, date=day.isoformat() if day else ""))
        if isinstance(view, BlockView) and self.blocks is not None:
            self.blocks.select_block(view.id)
        self._load_week()

    @Slot()
    def add_block(self) -> BlockDialog | None:
        if self.track_id is None:
            return None
        return self._open(BlockDialog(self._services, self._actor, self._runner,
                                      self.track_id, self.bar.track_name(), self.staff,
                                      self._today(), parent=self),
                          self.tr("The block {title} was added; its meetings are made."))

    @Slot()
    def edit_block(self) -> BlockDialog | None:
        block = self.blocks.selected() if self.blocks is not None else None
        if block is None:
            return None
        return self._open(BlockDialog(self._services, self._actor, self._runner,
                                      block.track_id, self.bar.track_name(), self.staff,
                                      self._today(), block, parent=self),
                          self.tr("The block {title} was changed; its meetings to come "
                                  "follow it."))

    @Slot()
    def end_block(self) -> EndBlockDialog | None:
        block = self.blocks.selected() if self.blocks is not None else None
        if block is None:
            return None
        return self._open(EndBlockDialog(self._services, self._actor, self._runner, block,
                                         self._today(), parent=self),
                          self.tr("The block {title} was ended."))

    @Slot()
    def add_closure(self) -> ClosureDialog | None:
        if self.week is None:
            return None
        day = self.table.current_day() or max(self.week.first, self._today())
        return self._open(ClosureDialog(self._services, self._actor, self._runner,
                                        self.week.track_id, self.week.track_name, day,
                                        parent=self),
                          self.tr("{date} is closed ({title}); its meetings are cancelled."))

    @Slot()
    def remove_closure(self) -> RemoveClosureQuestion | None:
        closure = self.selected_closure()
        if closure is None:
            return None
        box = RemoveClosureQuestion(self._services, self._actor, self._runner, closure,
                                    lambda count: self._closure_removed(closure, count),
                                    self._failed, self)
        self.dialog = box
        self.dialog_opened.emit(box)
        box.open()
        return box

    def _closure_removed(self, closure: ClosureView, reinstated: int) -> None:
        self.status.setText(self.tr("The closure of {date} was removed; {count} meeting(s) "
                                    "held again.").format(
                                        date=closure.closure_date.isoformat(),
                                        count=reinstated))
        self._load_week()

    @Slot()
    def move_meeting(self) -> MoveMeetingDialog | None:
        meeting = self.selected_meeting()
        if meeting is None:
            return None
        return self._open(MoveMeetingDialog(self._services, self._actor, self._runner,
                                            meeting, parent=self),
                          self.tr("{title} was moved to {date}."))

    @Slot()
    def cancel_meeting(self) -> CancelMeetingDialog | None:
        meeting = self.selected_meeting()
        if meeting is None or meeting.cancelled:
            return None
        return self._open(CancelMeetingDialog(self._services, self._actor, self._runner,
                                              meeting, parent=self),
                          self.tr("{title} of {date} was cancelled."))

    @Slot()
    def change_meeting(self) -> MeetingChangeDialog | None:
        meeting = self.selected_meeting()
        if meeting is None:
            return None
        return self._open(MeetingChangeDialog(self._services, self._actor, self._runner,
                                              meeting, self.staff, parent=self),
                          self.tr("{title} of {date} was changed."))
