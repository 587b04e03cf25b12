"""The Today area: who is at work, today's date, and the day's lists — for the front desk the
group meetings of the day with how many are here of those expected, the one running now
marked and who is not here yet (ui.today.day_meetings); for clinicians and supervisors the
groups they lead that day, their participants at risk of missing the week's hours and the
authorizations running out (ui.today.attention), and their caseload; for supervisors the
signed work awaiting their co-signature. All come from the services on a worker, each time
the area is shown and on Refresh (F5); the lists made of attendance, the schedule and
authorizations also when a change set touches them, from this workstation or another.
Double-click (or Enter) on a person opens their chart (`participant_chosen`; the main window
opens it, and the chart says so itself when it cannot be opened); on work awaiting
co-signature, the chart at that document's tab (`work_chosen`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import (QT_TRANSLATE_NOOP, QCoreApplication, QLocale, QModelIndex, Qt,
                            Signal, Slot)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QSplitter, QTableView, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from iopdesk.domain.changes import RecordKind
from iopdesk.domain.enums import Role
from iopdesk.ui.changes import change_bus
from iopdesk.ui.errors import show_error
from iopdesk.ui.roles import role_names
from iopdesk.ui.table_model import RowIdRole
from iopdesk.ui.today.attention import AtRiskSection, AuthorizationsSection
from iopdesk.ui.today.caseload import CaseloadModel
from iopdesk.ui.today.day_meetings import DayMeetingsSection
from iopdesk.ui.today.parts import (ChartRole, ListSection, TabRole, flat_list, heading, quiet,
                                    section, time_text)

if TYPE_CHECKING:
    from iopdesk.domain.changes import ChangeSet
    from iopdesk.domain.clinical import AwaitingCosign, CaseloadRow
    from iopdesk.domain.readmodels import LedGroup
    from iopdesk.services import Actor, Services
    from iopdesk.services.backups import BackupStatus
    from iopdesk.ui.operations import Runner

# A document awaiting co-signature: what it is called, and the chart tab that shows it.
DOCUMENT_TITLES = {"intake": QT_TRANSLATE_NOOP("TodayArea", "Intake assessment")}
DOCUMENT_TABS = {"intake": "intake"}
# What the day's meetings and the weekly hours are made of; and an authorization's units.
DAY_KINDS = (RecordKind.ATTENDANCE, RecordKind.SCHEDULE)
UNIT_KINDS = (RecordKind.ATTENDANCE, RecordKind.SCHEDULE, RecordKind.AUTHORIZATION)


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


class TodayArea(QWidget):
    participant_chosen = Signal(int, str)   # participant id, chart number: open the chart
    work_chosen = Signal(int, str)          # participant id, chart tab: open the chart there
    cosign_loaded = Signal()                # the work awaiting the user's co-signature
    meetings_loaded = Signal()              # the day's meetings (the front desk)
    caseload_loaded = Signal()
    groups_loaded = Signal()                # the groups the user leads today
    at_risk_loaded = Signal()               # the user's participants at risk of their hours
    authorizations_loaded = Signal()        # their authorizations running out
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
        self.shows_cosign = actor.has(Role.SUPERVISOR)
        self.shows_backups = actor.has(Role.ADMIN)      # the service refuses anyone else
        self.day_meetings: DayMeetingsSection | None = None
        self.meetings: QTreeWidget | None = None
        self.at_risk_section: AtRiskSection | None = None
        self.at_risk: QTreeWidget | None = None
        self.authorizations_section: AuthorizationsSection | None = None
        self.authorizations: QTreeWidget | None = None
        self.cosign_queue: QTreeWidget | None = None
        self.my_groups: QTreeWidget | None = None
        self.caseload: QTableView | None = None
        self.caseload_model = CaseloadModel(self)
        self._build()
        change_bus(services).changed.connect(self._changed)

    def _build(self) -> None:
        self.date_label = heading("", self)
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
            self.day_meetings = DayMeetingsSection(splitter)
            self.meetings = self.day_meetings.tree
            self.meetings_message = self.day_meetings.message
            self._connect(self.day_meetings, self.meetings_loaded)
            splitter.addWidget(self.day_meetings)
        if self.shows_cosign:
            splitter.addWidget(self._cosign_section())
        if self.shows_caseload:
            splitter.addWidget(self._my_groups_section())
            self.at_risk_section = AtRiskSection(splitter)
            self.at_risk = self.at_risk_section.tree
            self._connect(self.at_risk_section, self.at_risk_loaded)
            self.authorizations_section = AuthorizationsSection(splitter)
            self.authorizations = self.authorizations_section.tree
            self._connect(self.authorizations_section, self.authorizations_loaded)
            splitter.addWidget(self.at_risk_section)
            splitter.addWidget(self.authorizations_section)
            splitter.addWidget(self._caseload_section())
            sizes = [1] * splitter.count()
            sizes[-4:] = [1, 1, 1, 3]               # a clinician leads a few groups a day
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

    def _connect(self, part: ListSection, loaded: Signal) -> None:
        """A section's answers announced as the area's `loaded`; its people opened."""
        part.loaded.connect(loaded)
        part.chosen.connect(self.participant_chosen)

    def _list_section(self, title: str, name: str, headers: list[str]
                      ) -> tuple[QWidget, QTreeWidget, QLabel]:
        """A titled flat list with the line said when it is empty: (the section, the list,
        that line)."""
        box = QWidget(self)
        tree = flat_list(box, name, headers)
        message = quiet(box, f"{name}Message")
        return section(box, title, message, tree), tree, message

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
        self.caseload_message = quiet(box, "todayCaseloadMessage")
        return section(box, self.tr("My caseload"), self.caseload_message, self.caseload)

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
        if self.shows_cosign:
            self._runner.submit(lambda: services.cosign.queue(actor),
                                self._cosign_arrived, self._failed, owner=self)
        if self.shows_backups:
            self._runner.submit(lambda: services.backups.status(actor),
                                self._backups_arrived, self._failed, owner=self)
        if self.shows_caseload:
            self._runner.submit(lambda: services.today.caseload(actor),
                                self._caseload_arrived, self._failed, owner=self)
        self._load_day(day)
        self._load_authorizations()

    def _load_day(self, day: date) -> None:
        """What the day's attendance makes: the meetings' counts, the groups led, the hours."""
        services, actor = self._services, self._actor
        if self.day_meetings is not None:
            self.day_meetings.load(self._runner, lambda: (services.attendance.day(actor, day),
                                                          services.settings.clock()))
        if self.shows_caseload:
            self._runner.submit(lambda: services.today.my_groups(actor, day),
                                self._groups_arrived, self._failed, owner=self)
            self.at_risk_section.load(
                self._runner, lambda: services.attendance.at_risk(actor, actor.user_id, day))

    def _load_authorizations(self) -> None:
        services, actor = self._services, self._actor
        if self.authorizations_section is not None:
            self.authorizations_section.load(
                self._runner, lambda: services.authorizations.warnings(actor, actor.user_id))

    @Slot(object)
    def _changed(self, change_set: ChangeSet) -> None:
        """Attendance, the schedule or an authorization changed (here, or at another
        workstation): the lists made of them again. A Today not on screen loads everything
        when it is shown next."""
        if not self.isVisible():
            return
        if any(change_set.touches(kind) for kind in DAY_KINDS):
            self._load_day(self._today())
        if any(change_set.touches(kind) for kind in UNIT_KINDS):
            self._load_authorizations()

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
                f"{time_text(group.start_time)}–{time_text(group.end_time)}", group.title,
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
    def _cosign_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        participant_id = item.data(0, RowIdRole)
        if participant_id is not None:
            self.work_chosen.emit(int(participant_id), str(item.data(0, TabRole)))

    @Slot(QModelIndex)
    def _caseload_activated(self, index: QModelIndex) -> None:
        participant_id = index.data(RowIdRole) if index.isValid() else None
        if participant_id is not None:
            self.participant_chosen.emit(int(participant_id), str(index.data(ChartRole)))
