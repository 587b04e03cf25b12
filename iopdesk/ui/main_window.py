"""The main window: a list of areas on the left (Today, Check-in, Participants, Schedule,
Reports, Admin — those this build has for this user, see `ui.areas`), the area's page on
the right, menus with keyboard shortcuts (Ctrl+1 … Ctrl+6 switch areas), and a status bar
with who is logged in, the workstation, the database and a busy indicator while background
work runs. The geometry, and each user's last area, are remembered in QSettings.

Pages are built the first time their area is opened (Participants at once: it is where the
window starts when there is no Today)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QMetaMethod, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (QHBoxLayout, QListWidget, QListWidgetItem, QMainWindow,
                               QStackedWidget, QWidget)

from iopdesk.domain.changes import ChangeSet, RecordKind
from iopdesk.domain.enums import Role
from iopdesk.domain.errors import PermissionDenied
from iopdesk.ui.areas import (ADMIN, CHECK_IN, PARTICIPANTS, REPORTS, SCHEDULE, TODAY,
                              areas_for, default_area)
from iopdesk.ui.areas.admin import AdminArea
from iopdesk.ui.areas.checkin import CheckInArea
from iopdesk.ui.areas.reports import ReportsArea
from iopdesk.ui.areas.schedule import ScheduleArea
from iopdesk.ui.areas.today import TodayArea
from iopdesk.ui.changes import change_bus
from iopdesk.ui.chart.window import ChartWindow, ChartWindows
from iopdesk.ui.errors import show_error
from iopdesk.ui.main_menus import build_menus
from iopdesk.ui.participants.printing import ChartPrinters
from iopdesk.ui.participants.list_widget import ParticipantListWidget
from iopdesk.ui.participants.model import PAGE_SIZE, ParticipantTableModel
from iopdesk.ui.password_dialog import change_own_password_dialog
from iopdesk.ui.registration import Registrations
from iopdesk.ui.roles import role_names
from iopdesk.ui.status_bar import SessionStatusBar
from iopdesk.ui.unsaved import ask_about_unsaved, unsaved_forms

__all__ = ["MainWindow", "SessionInfo", "role_names"]

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.admin.audit_view import AuditView
    from iopdesk.ui.admin.backups_view import BackupsView
    from iopdesk.ui.admin.users_view import UsersView
    from iopdesk.ui.operations import Runner

ORGANIZATION = "IOPDesk"
APPLICATION = "IOPDesk"
# The kinds of record shown by the participant list and by Today: a change set touching one
# of them reloads that list.
LIST_KINDS = frozenset({RecordKind.PARTICIPANT, RecordKind.EPISODE, RecordKind.USER})
TODAY_KINDS = frozenset({RecordKind.PARTICIPANT, RecordKind.EPISODE, RecordKind.INTAKE})
MENU_MNEMONICS = frozenset("fgpa")      # &File, &Go, &Participants, &Admin


@dataclass(frozen=True)
class SessionInfo:
    """What the window shows about where it runs (nothing here is read from the data)."""

    practice_name: str
    workstation: str
    database: str           # the database URL, without any password


class MainWindow(QMainWindow):
    lock_requested = Signal()
    quit_requested = Signal()       # File ▸ Quit: the session manager ends every session
    closed = Signal()
    area_changed = Signal(str)      # the key of the area now shown
    # Admin ▸ Backups ▸ Restore, confirmed: (Actor, backup path); the session manager ends
    # every session, then the backup is restored and the log-in window returns.
    restore_requested = Signal(object, object)

    def __init__(self, services: Services, actor: Actor, runner: Runner, info: SessionInfo, *,
                 settings: QSettings | None = None, page_size: int = PAGE_SIZE,
                 today: Callable[[], date] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.runner = runner
        self.info = info
        self._today = today
        self._settings = settings if settings is not None else QSettings(ORGANIZATION,
                                                                          APPLICATION)
        self.setObjectName("mainWindow")
        self.set_practice_name(info.practice_name)
        self.areas = areas_for(services, actor)
        self.current_area = ""

        self.participant_model = ParticipantTableModel(services.participants, actor, runner,
                                                       page_size=page_size, parent=self)
        self.participants = ParticipantListWidget(self.participant_model, self)
        self.participants.setObjectName("participantsArea")
        self._pages: dict[str, QWidget] = {PARTICIPANTS: self.participants}
        self.charts = ChartWindows(services, actor, runner, self, settings=self._settings)
        self.participants.participant_activated.connect(self.open_chart)
        self.registrations = Registrations(services, actor, runner, self.participants)
        self.registrations.open_existing.connect(self.open_chart)
        # A print action per chart document the user may print (domain.areas declares them)
        self.printing = ChartPrinters(services, actor, runner, self, self._selected_here,
                                      settings=self._settings)
        for printer in self.printing.printers.values():
            printer.status_message.connect(self._show_status)
            printer.recorded.connect(self._export_recorded)
            self.participants.add_row_action(printer.action)
        self.participants.selection_changed.connect(self._update_actions)
        self.face_sheets = self.printing.face_sheet

        self._build_navigation()
        self._build_menus()
        self._build_status_bar()
        self.participants.status_message.connect(self._show_status)
        runner.failed.connect(self._background_failed)
        runner.busy_changed.connect(self._busy_changed)
        self._close_confirmed = False
        change_bus(services).changed.connect(self._changed)
        self._restore_geometry()
        self.show_area(self._remembered_area())
        self.participants.start()
        self._load_filter_choices()
        if not info.practice_name:
            runner.submit(services.staff.practice_name, self.set_practice_name, owner=self)

    def _load_filter_choices(self) -> None:
        """The tracks and clinicians the participant list can be filtered by (not offered
        when the role may not list them)."""
        staff, actor = self.services.staff, self.actor

        def choices():
            return staff.tracks(actor), staff.list_staff(actor, role=Role.CLINICIAN)

        def failed(error: object) -> None:
            if not isinstance(error, PermissionDenied):
                self._background_failed(error)

        self.runner.submit(choices, lambda found: self.participants.set_filter_choices(*found),
                           failed, owner=self)

    @Slot(str)
    def set_practice_name(self, name: str | None) -> None:
        self.setWindowTitle(self.tr("{practice} — IOPDesk").format(practice=name)
                            if name else self.tr("IOPDesk"))

    # -- areas ----------------------------------------------------------------------------

    def _build_navigation(self) -> None:
        self.nav = QListWidget(self)
        self.nav.setObjectName("areaList")
        self.nav.setAccessibleName(self.tr("Areas"))
        self.nav.setStyleSheet("QListWidget#areaList { font-size: 11pt; }"
                               "QListWidget#areaList::item { padding: 8px 12px; }")
        for area in self.areas:
            item = QListWidgetItem(area.title)
            item.setData(Qt.ItemDataRole.UserRole, area.key)
            keys = QKeySequence(area.shortcut).toString(QKeySequence.SequenceFormat.NativeText)
            item.setToolTip(f"{area.tip} ({keys})")
            self.nav.addItem(item)
        width = max(self.nav.sizeHintForColumn(0), 0) + 32
        self.nav.setFixedWidth(max(140, width))
        self.nav.currentItemChanged.connect(self._nav_item_changed)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("areaStack")
        self.stack.addWidget(self.participants)
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def area_keys(self) -> tuple[str, ...]:
        return tuple(area.key for area in self.areas)

    def page(self, key: str) -> QWidget:
        """The page of area `key`, built on first use."""
        page = self._pages.get(key)
        if page is None:
            page = self._create_page(key)
            self._pages[key] = page
            self.stack.addWidget(page)
        return page

    def _create_page(self, key: str) -> QWidget:
        if key == TODAY:
            page = TodayArea(self.services, self.actor, self.runner, today=self._today,
                             parent=self)
            page.participant_chosen.connect(self._open_chosen_chart)
            page.work_chosen.connect(self._open_chosen_work)
            return page
        if key == CHECK_IN:
            return CheckInArea(self.services, self.actor, self.runner, today=self._today,
                               parent=self)
        if key == SCHEDULE:
            return ScheduleArea(self.services, self.actor, self.runner, today=self._today,
                                parent=self)
        if key == REPORTS:
            return ReportsArea(self.services, self.actor, self.runner, today=self._today,
                               settings=self._settings, parent=self)
        if key == ADMIN:
            return AdminArea(self.services, self.actor, self.runner,
                             taken_mnemonics=MENU_MNEMONICS, parent=self)
        raise KeyError(key)

    @Slot(str)
    def show_area(self, key: str, *, focus: bool = True) -> bool:
        """Bring area `key` to the front (with the keyboard in it, if `focus`); False if this
        user has no such area."""
        if key not in self.area_keys():
            return False
        page = self.page(key)
        changed = key != self.current_area
        self.current_area = key
        self.stack.setCurrentWidget(page)
        row = self.area_keys().index(key)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
        self._area_actions[key].setChecked(True)
        self._settings.setValue(self._area_setting(), key)
        self._update_actions()
        if changed:
            shown = getattr(page, "area_shown", None)
            if shown is not None:
                shown()
            self.area_changed.emit(key)
        if focus and key == PARTICIPANTS:
            self.participants.focus_search()
        elif focus and hasattr(page, "focus_first"):
            page.focus_first()
        return True

    def _nav_item_changed(self, item: QListWidgetItem | None, _previous) -> None:
        """A click or an arrow key in the list: the keyboard stays in the list."""
        if item is not None:
            self.show_area(item.data(Qt.ItemDataRole.UserRole), focus=False)

    def _area_setting(self) -> str:
        return f"main_window/area/{self.actor.username}"

    def _remembered_area(self) -> str:
        stored = self._settings.value(self._area_setting())
        return stored if stored in self.area_keys() else default_area(self.areas)

    @Slot(int, str)
    def _open_chosen_chart(self, participant_id: int, _chart_number: str) -> None:
        """A person chosen in Today (Enter or double-click): their chart (which says so
        itself when it cannot be opened)."""
        self.open_chart(participant_id)

    @Slot(int, str)
    def _open_chosen_work(self, participant_id: int, tab: str) -> None:
        """Work chosen in a queue on Today (awaiting co-signature): the chart at its tab."""
        chart = self.open_chart(participant_id)
        if tab:
            chart.show_tab_when_loaded(tab)

    # -- menus ----------------------------------------------------------------------------

    def _build_menus(self) -> None:
        build_menus(self)           # ui.main_menus: File, Go, Participants, Admin

    @Slot()
    def find_participant(self) -> None:
        self.show_area(PARTICIPANTS)
        self.participants.focus_search()

    @Slot(int)
    def open_chart(self, participant_id: int) -> ChartWindow:
        """The participant's chart window (the one already open, if any), in front."""
        return self.charts.open(participant_id)

    @Slot()
    def open_selected_chart(self) -> None:
        row = self.participants.selected_row()
        if row is None:
            self.find_participant()
            self._show_status(self.tr("Find a participant first, then open the chart."))
        else:
            self.open_chart(row.id)

    @Slot()
    def _update_actions(self) -> None:
        self.printing.set_enabled(self._selected_here() is not None)

    def _selected_here(self):
        """The participant selected in the Participants area while it is shown, else None."""
        return self.participants.selected_row() if self.current_area == PARTICIPANTS else None

    @Slot(str, str)
    def _export_recorded(self, kind: str, where: str) -> None:
        text = (self.tr("Printed ({where}) and recorded.") if kind == "print"
                else self.tr("Saved as {where} and recorded."))
        self._show_status(text.format(where=where))

    # -- admin screens and the password ---------------------------------------------------

    def _admin_area(self) -> AdminArea:
        if not self.show_area(ADMIN):
            raise PermissionError("only administrators have the Admin area")
        return self.page(ADMIN)

    @Slot()
    def open_users(self) -> UsersView:
        return self._admin_area().show_users()

    @Slot()
    def open_audit_log(self) -> AuditView:
        return self._admin_area().show_audit_log()

    @Slot()
    def open_backups(self) -> BackupsView:
        """The backups window (one per session; a restore there ends every session)."""
        from iopdesk.ui.admin.backups_view import BackupsView

        view = self.findChild(BackupsView)
        if view is None:
            view = BackupsView(self.services, self.actor, self.runner, self)
            view.restore_confirmed.connect(self._restore_confirmed)
        view.show()
        view.raise_()
        view.activateWindow()
        return view

    @Slot(object)
    def _restore_confirmed(self, backup: object) -> None:
        self.restore_requested.emit(self.actor, backup)

    @Slot()
    def change_password(self) -> None:
        dialog = change_own_password_dialog(self.services, self.actor, self.runner,
                                            required=False, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.saved.connect(lambda _actor: self._show_status(self.tr("Password changed.")))
        dialog.open()

    # -- the status bar (ui.status_bar) ----------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = SessionStatusBar(self.actor, self.info.workstation, self.info.database, self)
        self.setStatusBar(bar)
        self.user_label, self.busy_bar = bar.user_label, bar.busy_bar
        self.workstation_label, self.database_label = bar.workstation_label, bar.database_label

    @Slot(bool)
    def _busy_changed(self, busy: bool) -> None:
        self.statusBar().set_busy(busy)

    @Slot(str)
    def _show_status(self, message: str) -> None:
        self.statusBar().say(message)

    @Slot(object)
    def _background_failed(self, error: object) -> None:
        show_error(self, self.tr("IOPDesk"), error)

    # -- geometry -------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self._settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 700)
        state = self._settings.value("main_window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def save_geometry(self) -> None:
        self._settings.setValue("main_window/geometry", self.saveGeometry())
        self._settings.setValue("main_window/state", self.saveState())
        if self.current_area:
            self._settings.setValue(self._area_setting(), self.current_area)
        self._settings.sync()

    @Slot()
    def quit(self) -> None:
        """File ▸ Quit: every session of the workstation ends (the session manager asks
        about the unsaved work of each); a window without a session manager just closes."""
        if self.isSignalConnected(QMetaMethod.fromSignal(self.quit_requested)):
            self.quit_requested.emit()
        else:
            self.close()

    def _close_now(self) -> None:
        self._close_confirmed = True
        if not self.close():
            self._close_confirmed = False

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.printing.show_waiting()                # back from the lock

    # -- what changed, and unsaved work ------------------------------------------------------

    @Slot(object)
    def _changed(self, change_set: ChangeSet) -> None:
        """Reload the lists a change set touches (the chart windows see to themselves)."""
        if change_set.kinds & LIST_KINDS:
            self.participant_model.refresh()
        today = self._pages.get(TODAY)
        if today is not None and change_set.kinds & TODAY_KINDS:
            today.reload()

    def unsaved_forms(self) -> list[QWidget]:
        """The forms of this session's windows holding typed, unsaved edits."""
        return unsaved_forms(self, *self.charts.windows())

    def closeEvent(self, event: QCloseEvent) -> None:
        """Logging out or quitting: ask first about unsaved edits in this session's windows."""
        if not self._close_confirmed and self.unsaved_forms():
            event.ignore()
            ask_about_unsaved(self, self.unsaved_forms(), self._close_now,
                              doing=self.tr("before you log out"))
            return
        self.save_geometry()
        super().closeEvent(event)
        if event.isAccepted():
            self.charts.close_all()
            self.closed.emit()
