"""The Check-in area, built for speed at the reception desk (issue 13).

The search box has the keyboard: two or three letters of any name, or the start of a chart
number, list the matches (today's expected participants first), each keystroke's search run
on a worker and an older keystroke's late answer dropped. The arrow keys move the highlight;
Enter checks the highlighted person into the meeting of their track running now or next (or
into the meeting chosen under "Check into"; Alt+Enter opens that list); the search then
clears and keeps the keyboard for the next person, and a line says who was checked in where,
at what time. A walk-in (into another track's meeting, which the desk chose on purpose) is
checked in at once and told in a warning line, with the undo one key away: asking first would
slow every deliberate walk-in for a mistake that is cheaper to undo.

Below: today's meetings with their here / expected counts, and the day's list (each person
at each meeting of their day, status and times at the practice) with its actions, each a
button with a mnemonic and a function key (ui.checkin.actions); F10 previews the sign-in
sheet of the meeting selected (ui.checkin.printing). Both reload when a change set
touches attendance, the schedule, participants or episodes — this workstation's or, on a
database server, another's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from iopdesk.domain.changes import RecordKind
from iopdesk.domain.errors import ValidationError
from iopdesk.ui.changes import change_bus
from iopdesk.ui.checkin.actions import DayActions
from iopdesk.ui.checkin.models import (DayModel, MatchesModel, MeetingsModel, clock_text,
                                       day_lines, meeting_text)
from iopdesk.ui.checkin.printing import SheetPrinting
from iopdesk.ui.checkin.tables import area_table, fit_rows
from iopdesk.ui.errors import describe_error, show_error
from iopdesk.ui.forms import error_label, say

if TYPE_CHECKING:
    from iopdesk.domain.attendance_views import AttendanceView, DayView, FoundParticipant
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

SEARCH_MIN = 2                  # letters before a search is made
MATCHES_SHOWN = 20
RELOAD_KINDS = (RecordKind.ATTENDANCE, RecordKind.SCHEDULE, RecordKind.PARTICIPANT,
                RecordKind.EPISODE)
STATUS_STYLE = "color: #1e6b34; font-weight: bold;"
WARNING_STYLE = ("background: #fff3cd; color: #664d03; border: 1px solid #ffe69c; "
                 "padding: 4px;")
MOVE_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class CheckInArea(DayActions, SheetPrinting, QWidget):
    day_loaded = Signal()
    matches_loaded = Signal()
    checked_in = Signal(object)         # the AttendanceView stored
    dialog_opened = Signal(object)      # a dialog or question of an action, shown
    preview_opened = Signal(object)     # the PdfPreviewDialog of a sign-in sheet
    recorded = Signal(str, str)         # a print or save of it is in the audit trail

    def __init__(self, services: Services, actor: Actor, runner: Runner, *,
                 today: Callable[[], date], parent: QWidget | None = None):
        """`today` gives the practice's date (the services' clock, never this computer's)."""
        super().__init__(parent)
        self.setObjectName("checkInArea")
        self._services = services
        self._actor = actor
        self._runner = runner
        self._today = today
        self.zone = "UTC"
        self.view: DayView | None = None
        self._day_ticket = 0
        self._search_ticket = 0         # the newest keystroke's search
        self._shown_ticket = 0          # the search whose answer is shown
        self._enter_waiting = False     # Enter pressed before the newest answer came
        self._select_key: tuple[int, int] | None = None
        self.question = None            # the open question of an action (a QMessageBox)
        self.matches_model = MatchesModel(self)
        self.meetings_model = MeetingsModel(self)
        self.day_model = DayModel(self)
        self._build_actions()
        self._build_printing()
        self._build()
        change_bus(services).changed.connect(self._changed)

    # -- the screen -------------------------------------------------------------------------

    def _build(self) -> None:
        self.date_label = QLabel(self)
        self.date_label.setObjectName("checkinDate")
        self.date_label.setStyleSheet("font-weight: bold; font-size: 15px;")
        self.refresh_button = QPushButton(self.tr("&Refresh"), self)
        self.refresh_button.setToolTip(self.tr("Load the day again (F5)"))
        self.refresh_button.clicked.connect(self.reload)
        self._shortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self.reload)
        top = QHBoxLayout()
        top.addWidget(self.date_label, 1)
        top.addWidget(self.refresh_button)

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("checkinSearch")
        self.search_edit.setPlaceholderText(self.tr("Two or three letters of a name, or a "
                                                    "chart number; Enter checks in"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textEdited.connect(self._search_typed)
        self.search_edit.installEventFilter(self)
        find_label = QLabel(self.tr("Fi&nd:"), self)
        find_label.setBuddy(self.search_edit)
        self.meeting_combo = QComboBox(self)
        self.meeting_combo.setObjectName("checkinMeeting")
        self.meeting_combo.setToolTip(self.tr("Where Enter checks in (Alt+Enter in the search "
                                              "box opens this list)"))
        self.meeting_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.meeting_combo.activated.connect(lambda _index: self.focus_first())
        self._fill_meeting_combo(())
        into_label = QLabel(self.tr("Check &into:"), self)
        into_label.setBuddy(self.meeting_combo)
        search_row = QHBoxLayout()
        search_row.addWidget(find_label)
        search_row.addWidget(self.search_edit, 3)
        search_row.addWidget(into_label)
        search_row.addWidget(self.meeting_combo, 2)

        self.matches = area_table(self, self.matches_model, "checkinMatches")
        self.matches.setFocusPolicy(Qt.FocusPolicy.NoFocus)     # driven from the search box
        fit_rows(self.matches, 5)
        self.matches.doubleClicked.connect(lambda _index: self.check_in_highlighted())
        self.matches.hide()
        self.status_label = QLabel(self)
        self.status_label.setObjectName("checkinStatus")
        self.status_label.setStyleSheet(STATUS_STYLE)
        self.warning_label = QLabel(self)
        self.warning_label.setObjectName("checkinWarning")
        self.warning_label.setStyleSheet(WARNING_STYLE)
        self.warning_label.setWordWrap(True)
        self.warning_label.hide()
        self.search_error = error_label(self, "checkinSearchError")

        self.meetings = self._meetings_table()
        self.day_table = area_table(self, self.day_model, "checkinDay")
        self.day_table.horizontalHeader().setSectionResizeMode(
            DayModel.NOTE, QHeaderView.ResizeMode.Stretch)
        self.day_table.selectionModel().currentRowChanged.connect(
            lambda *_: self._update_buttons())
        self.list_error = error_label(self, "checkinListError")
        self.day_message = QLabel(self)
        self.day_message.setObjectName("checkinDayMessage")
        self.day_message.setStyleSheet("color: palette(mid); padding: 8px;")
        self.day_message.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(search_row)
        layout.addWidget(self.matches)
        layout.addWidget(self.status_label)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.search_error)
        layout.addWidget(self._heading(self.tr("Today's meetings")))
        meetings_row = QHBoxLayout()
        meetings_row.addWidget(self.meetings, 1)
        meetings_row.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(meetings_row)
        layout.addWidget(self.meetings_error)
        layout.addWidget(self._heading(self.tr("The day's list")))
        layout.addWidget(self.day_message)
        layout.addWidget(self.day_table, 1)
        layout.addWidget(self.list_error)
        layout.addLayout(self.action_row())
        QWidget.setTabOrder(self.search_edit, self.meeting_combo)
        QWidget.setTabOrder(self.meeting_combo, self.day_table)
        QWidget.setTabOrder(self.day_table, self.meetings)     # after the list: Enter's path

    def _heading(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setStyleSheet("font-weight: bold; padding-top: 6px;")
        return label

    def _shortcut(self, keys: QKeySequence, slot) -> QShortcut:
        shortcut = QShortcut(keys, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        return shortcut

    # -- shown, loaded, changed -------------------------------------------------------------

    def area_shown(self) -> None:
        """Reloaded when brought to the front; the keyboard moves here only when the window
        says so (`focus_first`), not while the user walks the area list with the arrows."""
        self.reload()

    def focus_first(self) -> None:
        """The keyboard in the search box."""
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def reload(self) -> None:
        day = self._today()
        self.date_label.setText(self.tr("Check-in · {day}").format(
            day=QLocale().toString(day, QLocale.FormatType.LongFormat)))
        self._day_ticket += 1
        ticket, services, actor = self._day_ticket, self._services, self._actor
        self._runner.submit(
            lambda: (services.attendance.day(actor, day), services.settings.time_zone(),
                     services.settings.utc_now()),
            lambda answer: self._day_arrived(ticket, *answer), self._load_failed, owner=self)

    def _day_arrived(self, ticket: int, view: DayView, zone: str, now: datetime) -> None:
        if ticket != self._day_ticket:
            return                          # a newer load is on its way
        current = self.selected_line()
        key = self._select_key or (current.key if current is not None else None)
        self._select_key = None
        self.view, self.zone = view, zone
        self.matches_model.zone = zone
        self.show_meetings(view.meetings, zone, now)
        fit_rows(self.meetings, min(len(view.meetings), 4))
        self.day_model.set_lines(day_lines(view), zone)
        self._fill_meeting_combo(view.meetings)
        row = self.day_model.row_of(key) if key is not None else -1
        if row < 0 and self.day_model.rowCount():
            row = 0
        if row >= 0:
            self.day_table.setCurrentIndex(self.day_model.index(row, DayModel.NAME))
        self.day_message.setText(self.tr("No meetings today: nobody is expected.")
                                 if not view.meetings else "")
        self.day_message.setVisible(not view.meetings)
        self._update_buttons()
        self.day_loaded.emit()

    def _fill_meeting_combo(self, meetings) -> None:
        combo = self.meeting_combo
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("Their track's meeting, now or next"), None)
        for meeting in meetings:
            if not meeting.cancelled:
                combo.addItem(meeting_text(meeting, self.zone), meeting.id)
        combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen is not None else 0)
        combo.blockSignals(False)

    def _load_failed(self, error: object) -> None:
        show_error(self, self.tr("Check-in"), error)

    @Slot(object)
    def _changed(self, change_set) -> None:
        if change_set.everything or any(change_set.touches(kind) for kind in RELOAD_KINDS):
            self.reload()
            if len(self.search_edit.text().strip()) >= SEARCH_MIN:
                self._search(self.search_edit.text())

    # -- the search -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event
            key = key_event.key()
            if key in MOVE_KEYS and self.matches_model.rowCount():
                self._move_highlight(key)
                return True
            if key in ENTER_KEYS:
                if key_event.modifiers() & Qt.KeyboardModifier.AltModifier:
                    self.meeting_combo.setFocus()
                    self.meeting_combo.showPopup()
                else:
                    self.check_in_highlighted()
                return True
            if key == Qt.Key.Key_Escape and self.search_edit.text():
                self.clear_search()
                return True
        return super().eventFilter(watched, event)

    def _move_highlight(self, key: int) -> None:
        count = self.matches_model.rowCount()
        row = self.matches.currentIndex().row()
        step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -5,
                Qt.Key.Key_PageDown: 5}[key]
        row = min(max(0, row + step), count - 1)
        self.matches.setCurrentIndex(self.matches_model.index(row, 0))

    def highlighted(self) -> FoundParticipant | None:
        index = self.matches.currentIndex()
        if not index.isValid() or self.matches.isHidden():
            return None
        return self.matches_model.row_at(index.row())

    def clear_search(self) -> None:
        self.search_edit.clear()
        self._search("")

    @Slot(str)
    def _search_typed(self, text: str) -> None:
        say(self.search_error, "")
        self._search(text)

    def _search(self, text: str) -> None:
        self._search_ticket += 1
        ticket = self._search_ticket
        if len(text.strip()) < SEARCH_MIN:
            self._shown_ticket = ticket
            self._enter_waiting = False
            self.matches_model.set_rows(())
            self.matches.hide()
            return
        services, actor, day = self._services, self._actor, self._today()
        self._runner.submit(
            lambda: services.attendance.find(actor, text, day, MATCHES_SHOWN),
            lambda found: self._found(ticket, found),
            lambda error: self._search_failed(ticket, error), owner=self)

    def _found(self, ticket: int, found: tuple[FoundParticipant, ...]) -> None:
        if ticket != self._search_ticket:
            return                          # a newer keystroke's answer wins
        before = self.highlighted()
        self._shown_ticket = ticket
        self.matches_model.set_rows(found)
        fit_rows(self.matches, min(len(found), 5))
        self.matches.setVisible(bool(found))
        row = next((i for i, f in enumerate(found)
                    if before is not None and f.participant_id == before.participant_id), 0)
        if found:
            self.matches.setCurrentIndex(self.matches_model.index(row, 0))
        else:
            say(self.search_error, self.tr("No one found for “{text}”.").format(
                text=self.search_edit.text().strip()))
        self.matches_loaded.emit()
        if self._enter_waiting:
            self._enter_waiting = False
            self.check_in_highlighted()

    def _search_failed(self, ticket: int, error: object) -> None:
        if ticket == self._search_ticket:
            self._shown_ticket = ticket
            self._enter_waiting = False
            say(self.search_error, describe_error(error))

    # -- checking in ------------------------------------------------------------------------

    @Slot()
    def check_in_highlighted(self) -> None:
        """Enter: the highlighted person into the chosen meeting (or their track's now or
        next); when the newest keystroke's matches are still coming, as soon as they come."""
        text = self.search_edit.text()
        if len(text.strip()) >= SEARCH_MIN and self._shown_ticket != self._search_ticket:
            self._enter_waiting = True
            return
        found = self.highlighted()
        if found is None:
            say(self.search_error, self.tr("Type two or three letters of a name or a chart "
                                           "number, then Enter.") if not text.strip() else
                self.tr("No one found for “{text}”.").format(text=text.strip()))
            return
        say(self.search_error, "")
        services, actor = self._services, self._actor
        participant_id, meeting_id = found.participant_id, self.meeting_combo.currentData()
        self._runner.change(
            lambda: services.attendance.check_in(actor, participant_id, meeting_id),
            lambda view: self._checked_in(found, text, view),
            lambda error: self._check_in_failed(found, error), owner=self)

    def _checked_in(self, found: FoundParticipant, text: str, view: AttendanceView) -> None:
        meeting = self.meeting_of(view.meeting_id)
        title = meeting.title if meeting is not None else self.tr("the meeting")
        self.status_label.setText(self.tr("Checked in: {name}, {meeting} at {time}").format(
            name=found.name, meeting=title, time=clock_text(view.time_in, self.zone)))
        if view.walk_in:
            track = found.row.track_name if found.row is not None else self.tr("another track")
            self.warning_label.setText(self.tr(
                "Walk-in: {name} is enrolled in {track}, not in the track of {meeting}. "
                "Checked in as a walk-in; F8 on their line undoes it.").format(
                    name=found.name, meeting=title, track=track))
        self.warning_label.setVisible(view.walk_in)
        self._select_key = (found.participant_id, view.meeting_id)
        if self.search_edit.text() == text:         # nothing typed meanwhile for the next
            self.clear_search()
        self.checked_in.emit(view)

    def _check_in_failed(self, found: FoundParticipant, error: object) -> None:
        if isinstance(error, ValidationError):
            say(self.search_error, self.tr("{name}: {message}").format(
                name=found.name, message=describe_error(error)))
        else:
            self.report_error(error)
        self.search_edit.setFocus()

    def meeting_of(self, meeting_id: int):
        if self.view is None:
            return None
        return next((m for m in self.view.meetings if m.id == meeting_id), None)

    def report_error(self, error: object) -> None:
        """A refusal that belongs to no field (a permission, someone else's newer save, a
        failure): said in a message box, and the day loaded again."""
        show_error(self, self.tr("Check-in"), error)
        self.reload()
