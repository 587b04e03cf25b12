"""The chart's Attendance tab: the participant's weeks in the program against the track's
minimum hours (newest first), the meetings of the week chosen with their times, credits and
flags, the recorded steps of the attendance chosen (corrections with who, when and why),
and the payers' authorizations with their units used and remaining.

Everything shown is as the services computed it (the rules are domain.attendance's): a
screen never recomputes a credit. "Correct times…" is offered to those who may correct after
the meeting's day (clinicians, supervisors, administrators); the front desk corrects the
same day from the check-in screen. Services are called only through the runner; a change
set of attendance or authorizations reloads the tab (the chart window)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QApplication,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from iopdesk.domain.attendance import WeekStatus
from iopdesk.domain.attendance_views import WeekHours, WeekMeeting
from iopdesk.ui.chart.attendance_correction import (
    CorrectTimesDialog,
    MeetingsModel,
    StepsModel,
    ViewsModel,
)
from iopdesk.ui.chart.authorization_dialog import (
    AuthorizationDialog,
    AuthorizationsModel,
)
from iopdesk.ui.chart.record_tab import ChartTab, row_button
from iopdesk.ui.errors import describe_error
from iopdesk.ui.table_model import record_table

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

STATUS_TEXT = {WeekStatus.MET: "Met", WeekStatus.ON_TRACK: "On track",
               WeekStatus.AT_RISK: "At risk", WeekStatus.NOT_MET: "Not met"}
STATUS_WHY = {
    WeekStatus.MET: "The week's minimum is reached.",
    WeekStatus.ON_TRACK: "Not yet reached; attending the rest of the week's meetings reaches it.",
    WeekStatus.AT_RISK: "Even attending every meeting left this week cannot reach the minimum.",
    WeekStatus.NOT_MET: "The week is over below its minimum."}
# (background, text) of a week's status: at risk and not met stand out.
STATUS_COLOURS = {WeekStatus.MET: (None, "#1b5e20"), WeekStatus.ON_TRACK: (None, None),
                  WeekStatus.AT_RISK: ("#fff0d6", "#8a4b00"),
                  WeekStatus.NOT_MET: ("#fde7e9", "#b00020")}


def hours_text(minutes: int) -> str:
    """'9 h', '8 h 45 min', '50 min'."""
    whole, rest = divmod(max(minutes, 0), 60)
    if not whole:
        return f"{rest} min"
    return f"{whole} h" if not rest else f"{whole} h {rest:02d} min"


def attended(meeting: WeekMeeting) -> bool:
    return meeting.attendance is not None and meeting.attendance.time_in is not None


def scheduled(meeting: WeekMeeting) -> bool:
    """A meeting that counts toward the week: neither cancelled nor on a closure day."""
    return not meeting.cancelled and not meeting.closed


class WeeksModel(ViewsModel):
    STATUS = 8

    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers = ("Week", "Track", "Meetings", "Group min", "Session min", "Total",
                         "Minimum", "Still possible", "Status")

    def _key(self, w: WeekHours) -> Any:
        return (w.week_first, w.episode_id)

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.ToolTipRole and index.isValid()
                and index.column() == self.STATUS and 0 <= index.row() < len(self._rows)):
            return STATUS_WHY[self._rows[index.row()].status]
        if (role == Qt.ItemDataRole.DecorationRole and index.isValid()
                and index.column() == self.STATUS and 0 <= index.row() < len(self._rows)
                and STATUS_COLOURS[self._rows[index.row()].status][0]):   # seen when selected
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return super().data(index, role)

    def _display(self, w: WeekHours, column: int) -> str | None:
        last = w.week_first + timedelta(days=6)
        counted = [m for m in w.meetings if scheduled(m)]
        return (f"{w.week_first.isoformat()} – {last:%m-%d}", w.track_name,
                f"{sum(attended(m) for m in counted)} of {len(counted)}",
                str(w.credited_minutes), str(w.session_minutes), hours_text(w.total_minutes),
                hours_text(w.minimum_minutes),
                hours_text(w.possible_minutes) if w.possible_minutes else "",
                STATUS_TEXT[w.status])[column]

    def _decoration(self, w: WeekHours, role: int) -> Any:
        background, text = STATUS_COLOURS[w.status]
        if role == Qt.ItemDataRole.BackgroundRole and background:
            return QBrush(QColor(background))
        if role == Qt.ItemDataRole.ForegroundRole and text:
            return QBrush(QColor(text))
        if role == Qt.ItemDataRole.FontRole and background:
            font = QFont()
            font.setBold(True)
            return font
        return None


def _box(parent: QWidget, title: str, name: str) -> tuple[QGroupBox, QVBoxLayout]:
    box = QGroupBox(title, parent)
    box.setObjectName(name)
    return box, QVBoxLayout(box)


def _stretch_last(table: QTableView) -> None:
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)


class AttendanceTab(ChartTab):
    weeks_loaded = Signal()
    history_loaded = Signal()
    authorizations_loaded = Signal()

    NAME = "attendance"

    def __init__(self, services: Services, actor: Actor, runner: Runner, participant_id: int,
                 summary, parent: QWidget | None = None):
        # Not at import: the services' permissions load the ORM (the log-in loads without it).
        from iopdesk.services.permissions import Permission, allowed

        super().__init__(services, actor, runner, participant_id, summary, parent)
        self.zone = services.settings.clock().zone
        self._episodes: tuple = ()
        self._history_of: int | None = None          # the attendance whose steps are shown

        weeks_box, weeks_layout = _box(self, self.tr("Weekly hours (newest first)"), "weeksBox")
        self.weeks_model = WeeksModel(self)
        self.weeks_table = record_table(weeks_box, self.weeks_model, "weeksTable")
        _stretch_last(self.weeks_table)
        weeks_layout.addWidget(self.weeks_table)

        meetings_box, meetings_layout = _box(self, self.tr("Meetings of the week"),
                                             "meetingsBox")
        buttons = QHBoxLayout()
        self.correct_button: QPushButton | None = None
        if allowed(actor.roles, Permission.CORRECT_ATTENDANCE):
            self.correct_button = QPushButton(self.tr("Correct &times…"), meetings_box)
            self.correct_button.setObjectName("correctTimesButton")
            self.correct_button.clicked.connect(self.open_correction)
            buttons.addWidget(self.correct_button)
        buttons.addStretch(1)
        meetings_layout.addLayout(buttons)
        self.meetings_model = MeetingsModel(self, self.zone)
        self.meetings_table = record_table(meetings_box, self.meetings_model, "meetingsTable")
        _stretch_last(self.meetings_table)
        self.meetings_table.doubleClicked.connect(self.open_correction)
        self.steps_title = QLabel(self.tr("Recorded steps of the attendance chosen "
                                          "(corrections with their reasons):"), meetings_box)
        self.steps_model = StepsModel(self, self.zone)
        self.steps_table = record_table(meetings_box, self.steps_model, "stepsTable")
        _stretch_last(self.steps_table)
        meetings_layout.addWidget(self.meetings_table, 3)
        meetings_layout.addWidget(self.steps_title)
        meetings_layout.addWidget(self.steps_table, 2)

        auth_box, auth_layout = _box(self, self.tr("Authorizations"), "authorizationsBox")
        auth_buttons = QHBoxLayout()
        self.add_authorization_button: QPushButton | None = None
        self.edit_authorization_button: QPushButton | None = None
        if allowed(actor.roles, Permission.EDIT_DEMOGRAPHICS):
            self.add_authorization_button = row_button(
                auth_box, auth_buttons, self.tr("&Add authorization…"), "addAuthorization",
                self.open_add_authorization)
            self.edit_authorization_button = row_button(
                auth_box, auth_buttons, self.tr("&Edit authorization…"), "editAuthorization",
                self.open_edit_authorization)
            self.add_authorization_button.setEnabled(False)     # until the episodes load
        auth_buttons.addStretch(1)
        auth_layout.addLayout(auth_buttons)
        self.authorizations_message = QLabel(auth_box)
        self.authorizations_message.setObjectName("authorizationsMessage")
        self.authorizations_message.hide()
        auth_layout.addWidget(self.authorizations_message)
        self.authorizations_model = AuthorizationsModel(self)
        self.authorizations_table = record_table(auth_box, self.authorizations_model,
                                                 "authorizationsTable")
        _stretch_last(self.authorizations_table)
        self.authorizations_table.doubleClicked.connect(self.open_edit_authorization)
        auth_layout.addWidget(self.authorizations_table)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        for box, share in ((weeks_box, 2), (meetings_box, 5), (auth_box, 3)):
            splitter.addWidget(box)
            splitter.setStretchFactor(splitter.count() - 1, share)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)

        self.weeks_table.selectionModel().selectionChanged.connect(self._week_chosen)
        self.meetings_table.selectionModel().selectionChanged.connect(self._meeting_chosen)
        self.authorizations_table.selectionModel().selectionChanged.connect(
            self._update_buttons)
        self._update_buttons()
        self.reload()

    # -- what is chosen -----------------------------------------------------------------------

    @staticmethod
    def _chosen(table: QTableView, model) -> Any | None:
        rows = table.selectionModel().selectedRows()
        return model.row_at(rows[0].row()) if rows else None

    def selected_week(self) -> WeekHours | None:
        return self._chosen(self.weeks_table, self.weeks_model)

    def selected_meeting(self) -> WeekMeeting | None:
        return self._chosen(self.meetings_table, self.meetings_model)

    def selected_authorization(self):
        return self._chosen(self.authorizations_table, self.authorizations_model)

    @property
    def weeks(self) -> tuple[WeekHours, ...]:
        return self.weeks_model.rows()

    @Slot()
    def _update_buttons(self, *_args) -> None:
        if self.correct_button is not None:
            self.correct_button.setEnabled(
                (meeting := self.selected_meeting()) is not None
                and meeting.attendance is not None)
        if self.edit_authorization_button is not None:
            self.edit_authorization_button.setEnabled(self.selected_authorization() is not None)

    # -- loading ------------------------------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        services, actor, pid = self._services, self._actor, self.participant_id
        self._runner.submit(lambda: services.attendance.weeks(actor, pid), self._show_weeks,
                            self._failed, owner=self)
        self._runner.submit(lambda: (services.authorizations.list(actor, pid),
                                     services.episodes.list(actor, pid)),
                            self._show_authorizations, self._failed, owner=self)

    def _failed(self, error: object) -> None:
        self.show_message(describe_error(error), error=True)

    def _show_weeks(self, weeks: tuple[WeekHours, ...]) -> None:
        week, meeting = self.selected_week(), self.selected_meeting()
        self.weeks_model.set_rows(tuple(weeks))
        keys = [(w.week_first, w.episode_id) for w in weeks]
        wanted = (week.week_first, week.episode_id) if week is not None else None
        if weeks:
            self.weeks_table.selectRow(keys.index(wanted) if wanted in keys else 0)
        else:
            self._week_chosen()
        if meeting is not None:
            for row in range(self.meetings_model.rowCount()):
                if self.meetings_model.row_at(row).meeting_id == meeting.meeting_id:
                    self.meetings_table.selectRow(row)
        self.show_message("" if weeks else self.tr(
            "No weeks in the program yet: the participant has no episode admitted by today."))
        self.weeks_loaded.emit()

    def _show_authorizations(self, result) -> None:
        authorizations, self._episodes = result
        chosen = self.selected_authorization()
        self.authorizations_model.set_rows(tuple(authorizations))
        if chosen is not None:
            for row, view in enumerate(authorizations):
                if view.id == chosen.id:
                    self.authorizations_table.selectRow(row)
        self.authorizations_message.setText(self.tr("No authorizations on record."))
        self.authorizations_message.setVisible(not authorizations)
        if self.add_authorization_button is not None:
            self.add_authorization_button.setEnabled(True)
        self._update_buttons()
        self.authorizations_loaded.emit()

    @Slot()
    def _week_chosen(self, *_args) -> None:
        week = self.selected_week()
        self.meetings_model.set_rows(week.meetings if week is not None else ())
        self._meeting_chosen()

    @Slot()
    def _meeting_chosen(self, *_args) -> None:
        meeting = self.selected_meeting()
        self._update_buttons()
        attendance = meeting.attendance if meeting is not None else None
        self.steps_model.set_rows(())
        self._history_of = attendance.id if attendance is not None else None
        if attendance is None:
            return
        services, actor, aid = self._services, self._actor, attendance.id
        self._runner.submit(lambda: (aid, services.attendance.history(actor, aid)),
                            self._show_history, self._failed, owner=self)

    def _show_history(self, result) -> None:
        aid, steps = result
        if aid == self._history_of:         # not an answer for an attendance since left
            self.steps_model.set_rows(tuple(steps))
            self.history_loaded.emit()

    # -- dialogs (their save reloads the tab: ChartTab.open_dialog) ----------------------------

    @Slot()
    def open_correction(self) -> CorrectTimesDialog | None:
        meeting = self.selected_meeting()
        if self.correct_button is None or meeting is None or meeting.attendance is None:
            return None
        return self.open_dialog(CorrectTimesDialog(self._services, self._actor, self._runner,
                                                   meeting, self.zone, self))

    @Slot()
    def open_add_authorization(self) -> AuthorizationDialog | None:
        if self.add_authorization_button is None \
                or not self.add_authorization_button.isEnabled():
            return None
        today = self._services.settings.clock().today()
        return self.open_dialog(AuthorizationDialog(self._services, self._actor, self._runner,
                                                    self._episodes, None, self, today=today))

    @Slot()
    def open_edit_authorization(self) -> AuthorizationDialog | None:
        chosen = self.selected_authorization()
        if self.edit_authorization_button is None or chosen is None:
            return None
        return self.open_dialog(AuthorizationDialog(self._services, self._actor, self._runner,
                                                    self._episodes, chosen, self))
