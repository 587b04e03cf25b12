"""The Today area: who is at work, today's date, and the day's lists — for the front desk the
group meetings of the day with who is expected at each (and what is recorded), for
clinicians and supervisors the groups they lead that day and their caseload, for supervisors
the signed work awaiting their co-signature. All come from the services on a worker, each
time the area is shown and on Refresh (F5). Double-click (or Enter) on a person opens their
chart (`participant_chosen`; the main window opens it, and the chart says so itself when it
cannot be opened); on work awaiting co-signature, the chart at that document's tab
(`work_chosen`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (QT_TRANSLATE_NOOP, QCoreApplication, QLocale, QModelIndex, Qt,
                            QTime, Signal, Slot)
from PySide6.QtGui import QFont, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QSplitter, QTableView, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from iopdesk.domain.enums import AttendanceStatus, Role
from iopdesk.ui.errors import show_error
from iopdesk.ui.participants.model import birth_date_format
from iopdesk.ui.roles import role_names
from iopdesk.ui.table_model import Index, RowIdRole, RowsTableModel

if TYPE_CHECKING:
    from iopdesk.domain.clinical import AwaitingCosign, CaseloadRow, MeetingToday
    from iopdesk.domain.readmodels import LedGroup
    from iopdesk.services import Actor, Services
    from iopdesk.services.backups import BackupStatus
    from iopdesk.ui.operations import Runner

ChartRole = Qt.ItemDataRole.UserRole + 2          # a person's chart number
TabRole = Qt.ItemDataRole.UserRole + 3            # the chart tab a queued document is in
# A document awaiting co-signature: what it is called, and the chart tab that shows it.
DOCUMENT_TITLES = {"intake": QT_TRANSLATE_NOOP("TodayArea", "Intake assessment")}
DOCUMENT_TABS = {"intake": "intake"}


def attendance_text(status: AttendanceStatus | None) -> str:
    def tr(text: str) -> str:
        return QCoreApplication.translate("TodayArea", text)

    return {None: tr("Not recorded yet"), AttendanceStatus.PRESENT: tr("Present"),
            AttendanceStatus.LATE: tr("Late"), AttendanceStatus.LEFT_EARLY: tr("Left early"),
            AttendanceStatus.ABSENT: tr("Absent"),
            AttendanceStatus.EXCUSED: tr("Excused")}.get(status, str(status))


def _time(value: time) -> str:
    return QLocale().toString(QTime(value.hour, value.minute), QLocale.FormatType.ShortFormat)


class CaseloadModel(RowsTableModel):
    """Columns: Chart #, Name, Track, Admitted, Last attended."""

    CHART, NAME, TRACK, ADMITTED, LAST = range(5)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers = (self.tr("Chart #"), self.tr("Name"), self.tr("Track"),
                         self.tr("Admitted"), self.tr("Last attended"))
        self._format = birth_date_format(QLocale())

    def set_rows(self, rows: tuple[CaseloadRow, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> CaseloadRow:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (RowIdRole, ChartRole) and index.isValid() \
                and 0 <= index.row() < len(self._rows):
            row = self._rows[index.row()]
            return row.participant_id if role == RowIdRole else row.chart_number
        return super().data(index, role)

    def _display(self, row: CaseloadRow, column: int) -> str | None:
        if column == self.CHART:
            return row.chart_number
        if column == self.NAME:
            return row.display_name
        if column == self.TRACK:
            return row.track_name
        if column == self.ADMITTED:
            return QLocale().toString(row.admission_date, self._format)
        if column == self.LAST:
            return (QLocale().toString(row.last_attended, self._format)
                    if row.last_attended else self.tr("Not yet"))
        return None


def backup_warning_text(status: BackupStatus, services: Services) -> str | None:
    """The administrator's warning when the newest good backup is too old (or missing):
    its date and where backups go; None when all is well."""
    def tr(text: str) -> str:
        return QCoreApplication.translate("TodayArea", text)

    if not status.overdue:
        return None
    where = tr("Backups go to {folder}. Back up now from Admin ▸ Backups…").format(
        folder=status.backup_dir)
    newest = status.newest
    if newest is None or newest.made_at is None:
        return tr("There is no good backup of the database. ") + where
    return tr("The newest good backup was made {when}: more than {days} days ago. ").format(
        when=services.settings.clock().date_time(newest.made_at),
        days=status.warning_days) + where


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


def _section(box: QWidget, title: str, message: QLabel, view: QWidget) -> QWidget:
    """Lay out a section of Today: its title, the line said when its list is empty, the list."""
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(_heading(title, box))
    layout.addWidget(message)
    layout.addWidget(view, 1)
    return box


def _quiet(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setStyleSheet("color: palette(mid); padding: 8px;")
    label.hide()
    return label


class TodayArea(QWidget):
    participant_chosen = Signal(int, str)   # participant id, chart number: open the chart
    work_chosen = Signal(int, str)          # participant id, chart tab: open the chart there
    cosign_loaded = Signal()                # the work awaiting the user's co-signature
    meetings_loaded = Signal()
    caseload_loaded = Signal()
    groups_loaded = Signal()                # the groups the user leads today
    backups_loaded = Signal()               # the backups' state (administrators)

    def __init__(self, services: Services, actor: Actor, runner: Runner, *,
                 today: Callable[[], date] | None = None, parent: QWidget | None = None):
        """`today` gives the day shown (by default the practice's today, from the services'
        clock: never this computer's date)."""
        super().__init__(parent)
        self.setObjectName("todayArea")
        self._services = services
        self._actor = actor
        self._runner = runner
        self._today = today if today is not None else (lambda: services.settings.clock().today())
        self.shows_meetings = actor.has(Role.FRONT_DESK)
        self.shows_caseload = actor.has(Role.CLINICIAN) or actor.has(Role.SUPERVISOR)
        self.meetings: QTreeWidget | None = None
        self.shows_cosign = actor.has(Role.SUPERVISOR)
        self.shows_backups = actor.has(Role.ADMIN)      # the service refuses anyone else
        self.cosign_queue: QTreeWidget | None = None
        self.my_groups: QTreeWidget | None = None
        self.caseload: QTableView | None = None
        self.caseload_model = CaseloadModel(self)
        self._build()

    def _build(self) -> None:
        self.date_label = _heading("", self)
        self.date_label.setObjectName("todayDate")
        roles = role_names(self._actor.roles)
        self.who_label = QLabel(self.tr("Signed in as {name} ({roles})").format(
            name=self._actor.display_name, roles=roles), self)
        self.who_label.setObjectName("todayWho")
        self.refresh_button = QPushButton(self.tr("&Refresh"), self)
        self.refresh_button.setToolTip(self.tr("Load the lists again (F5)"))
        self.refresh_button.clicked.connect(self.reload)
        refresh = QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self)
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.activated.connect(self.reload)
        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.date_label)
        titles.addWidget(self.who_label)
        top.addLayout(titles, 1)
        top.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        if self.shows_meetings:
            splitter.addWidget(self._meetings_section())
        if self.shows_cosign:
            splitter.addWidget(self._cosign_section())
        if self.shows_caseload:
            splitter.addWidget(self._my_groups_section())
            splitter.addWidget(self._caseload_section())
            sizes = [1] * splitter.count()
            sizes[-2:] = [1, 3]                     # a clinician leads a few groups a day
            splitter.setSizes([size * 200 for size in sizes])
        self.backup_warning = QLabel(self)
        self.backup_warning.setObjectName("todayBackupWarning")
        self.backup_warning.setWordWrap(True)
        self.backup_warning.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_warning.setStyleSheet("background: #fff3cd; color: #664d03; "
                                          "border: 1px solid #ffe69c; padding: 8px;")
        self.backup_warning.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.backup_warning)
        layout.addWidget(splitter, 1)

    def _meetings_section(self) -> QWidget:
        box = QWidget(self)
        self.meetings = QTreeWidget(box)
        self.meetings.setObjectName("todayMeetings")
        self.meetings.setColumnCount(3)
        self.meetings.setHeaderLabels([self.tr("Group / participant"), self.tr("Chart #"),
                                       self.tr("Attendance")])
        self.meetings.setAlternatingRowColors(True)
        self.meetings.setUniformRowHeights(True)
        self.meetings.setStyleSheet("QTreeView::item { padding: 2px 0; }")
        header = self.meetings.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.meetings.itemActivated.connect(self._meeting_item_activated)
        self.meetings_message = _quiet(box, "todayMeetingsMessage")
        return _section(box, self.tr("Today's groups"), self.meetings_message, self.meetings)

    def _list_section(self, title: str, name: str, headers: list[str]
                      ) -> tuple[QWidget, QTreeWidget, QLabel]:
        """A titled flat list (its second column stretched) with the line said when it is
        empty: (the section, the list, that line)."""
        box = QWidget(self)
        tree = QTreeWidget(box)
        tree.setObjectName(name)
        tree.setColumnCount(len(headers))
        tree.setHeaderLabels(headers)
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        header = tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        message = _quiet(box, f"{name}Message")
        return _section(box, title, message, tree), tree, message

    def _cosign_section(self) -> QWidget:
        box, self.cosign_queue, self.cosign_message = self._list_section(
            self.tr("Awaiting my co-signature"), "todayCosignQueue",
            [self.tr("Signed"), self.tr("Participant"), self.tr("Document"),
             self.tr("Signed by")])
        self.cosign_queue.setToolTip(self.tr("Enter or double-click opens the document in "
                                             "the chart, to read and co-sign"))
        self.cosign_queue.itemActivated.connect(self._cosign_item_activated)
        return box

    def _my_groups_section(self) -> QWidget:
        box, self.my_groups, self.my_groups_message = self._list_section(
            self.tr("My groups today"), "todayMyGroups",
            [self.tr("Time"), self.tr("Group"), self.tr("Track"), self.tr("Expected")])
        return box

    def _caseload_section(self) -> QWidget:
        box = QWidget(self)
        self.caseload = QTableView(box)
        self.caseload.setObjectName("todayCaseload")
        self.caseload.setModel(self.caseload_model)
        self.caseload.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.caseload.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.caseload.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.caseload.setAlternatingRowColors(True)
        self.caseload.setTabKeyNavigation(False)
        self.caseload.verticalHeader().hide()
        header = self.caseload.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CaseloadModel.NAME, QHeaderView.ResizeMode.Stretch)
        self.caseload.activated.connect(self._caseload_activated)
        self.caseload_message = _quiet(box, "todayCaseloadMessage")
        return _section(box, self.tr("My caseload"), self.caseload_message, self.caseload)

    # -- loading --------------------------------------------------------------------------

    def area_shown(self) -> None:
        self.reload()

    def focus_first(self) -> None:
        """The keyboard in the first list of people (where Enter opens a chart)."""
        target = self.meetings if self.meetings is not None else self.caseload
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def reload(self) -> None:
        day = self._today()
        self.date_label.setText(QLocale().toString(day, QLocale.FormatType.LongFormat))
        services, actor = self._services, self._actor
        if self.shows_meetings:
            self._runner.submit(lambda: services.today.front_desk(actor, day),
                                self._meetings_arrived, self._failed, owner=self)
        if self.shows_cosign:
            self._runner.submit(lambda: services.cosign.queue(actor),
                                self._cosign_arrived, self._failed, owner=self)
        if self.shows_backups:
            self._runner.submit(lambda: services.backups.status(actor),
                                self._backups_arrived, self._failed, owner=self)
        if self.shows_caseload:
            self._runner.submit(lambda: services.today.my_groups(actor, day),
                                self._groups_arrived, self._failed, owner=self)
            self._runner.submit(lambda: services.today.caseload(actor),
                                self._caseload_arrived, self._failed, owner=self)

    def _meetings_arrived(self, meetings: tuple[MeetingToday, ...]) -> None:
        tree = self.meetings
        tree.clear()
        for meeting in meetings:
            tree.addTopLevelItem(self._meeting_item(meeting))
        tree.expandAll()
        for row in range(tree.topLevelItemCount()):
            tree.topLevelItem(row).setFirstColumnSpanned(True)
        self.meetings_message.setText(self.tr("No groups meet today."))
        self.meetings_message.setVisible(not meetings)
        tree.setVisible(bool(meetings))
        self.meetings_loaded.emit()

    def _meeting_item(self, meeting: MeetingToday) -> QTreeWidgetItem:
        recorded = sum(1 for person in meeting.expected if person.attendance is not None)
        parts = [f"{_time(meeting.start_time)}–{_time(meeting.end_time)}", meeting.title,
                 meeting.track_name]
        if meeting.facilitator_name:
            parts.append(self.tr("with {name}").format(name=meeting.facilitator_name))
        parts.append(self.tr("{expected} expected, {recorded} recorded").format(
            expected=len(meeting.expected), recorded=recorded))
        item = QTreeWidgetItem([" · ".join(p for p in parts if p)])
        font = QFont(item.font(0))
        font.setBold(True)
        item.setFont(0, font)
        for person in meeting.expected:
            child = QTreeWidgetItem([person.display_name, person.chart_number,
                                     attendance_text(person.attendance)])
            child.setData(0, RowIdRole, person.participant_id)
            child.setData(0, ChartRole, person.chart_number)
            if person.attendance is None:
                child.setForeground(2, self.palette().brush(QPalette.ColorGroup.Disabled,
                                                            QPalette.ColorRole.Text))
            item.addChild(child)
        return item

    def _cosign_arrived(self, items: tuple[AwaitingCosign, ...]) -> None:
        tree = self.cosign_queue
        tree.clear()
        clock = self._services.settings.clock()
        for waiting in items:
            item = QTreeWidgetItem([
                clock.date_time(waiting.signed_at) if waiting.signed_at else "",
                f"{waiting.participant_name} ({waiting.chart_number})",
                self.tr(DOCUMENT_TITLES.get(waiting.document, waiting.document)),
                waiting.author_name])
            item.setData(0, RowIdRole, waiting.participant_id)
            item.setData(0, TabRole, DOCUMENT_TABS.get(waiting.document, ""))
            tree.addTopLevelItem(item)
        self.cosign_message.setText(self.tr("Nothing awaits your co-signature."))
        self.cosign_message.setVisible(not items)
        tree.setVisible(bool(items))
        self.cosign_loaded.emit()

    def _groups_arrived(self, groups: tuple[LedGroup, ...]) -> None:
        tree = self.my_groups
        tree.clear()
        for group in groups:
            item = QTreeWidgetItem([
                f"{_time(group.start_time)}–{_time(group.end_time)}", group.title,
                group.track_name, self.tr("{expected} expected, {recorded} recorded").format(
                    expected=group.expected_count, recorded=group.recorded_count)])
            if group.topic:
                item.setToolTip(1, self.tr("Topic: {topic}").format(topic=group.topic))
            tree.addTopLevelItem(item)
        self.my_groups_message.setText(self.tr("You lead no groups today."))
        self.my_groups_message.setVisible(not groups)
        tree.setVisible(bool(groups))
        self.groups_loaded.emit()

    def _caseload_arrived(self, rows: tuple[CaseloadRow, ...]) -> None:
        self.caseload_model.set_rows(rows)
        self.caseload_message.setText(self.tr("No active participants have you as their "
                                              "primary clinician."))
        self.caseload_message.setVisible(not rows)
        self.caseload.setVisible(bool(rows))
        self.caseload_loaded.emit()

    def _backups_arrived(self, status: BackupStatus | None) -> None:
        warning = None if status is None else backup_warning_text(status, self._services)
        self.backup_warning.setText(warning or "")
        self.backup_warning.setVisible(warning is not None)
        self.backups_loaded.emit()

    def _failed(self, error: object) -> None:
        show_error(self, self.tr("Today"), error)

    # -- choosing a person ----------------------------------------------------------------

    @Slot(QTreeWidgetItem, int)
    def _meeting_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        participant_id = item.data(0, RowIdRole)
        if participant_id is not None:
            self.participant_chosen.emit(int(participant_id), str(item.data(0, ChartRole)))

    @Slot(QTreeWidgetItem, int)
    def _cosign_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        participant_id = item.data(0, RowIdRole)
        if participant_id is not None:
            self.work_chosen.emit(int(participant_id), str(item.data(0, TabRole)))

    @Slot(QModelIndex)
    def _caseload_activated(self, index: QModelIndex) -> None:
        participant_id = index.data(RowIdRole) if index.isValid() else None
        if participant_id is not None:
            self.participant_chosen.emit(int(participant_id), str(index.data(ChartRole)))
