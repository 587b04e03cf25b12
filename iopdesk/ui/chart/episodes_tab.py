"""The chart's Episodes tab: the participant's episodes of care (latest first), "Admit…"
(track, admission date and primary clinician; the tracks and clinicians load on a worker) and,
for supervisors and administrators, "Entered in error…" (an episode admitted in error is kept,
struck through here, and counted nowhere else)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from iopdesk.domain.changes import RecordKind
from iopdesk.domain.admission import (
    AgeMismatch,
    age_mismatch,
    check_error_reason,
    fitting_track,
)
from iopdesk.domain.enums import EpisodeStatus, Role
from iopdesk.domain.errors import Conflict, ValidationError
from iopdesk.domain.readmodels import Episode, Track
from iopdesk.domain.time import DEFAULT_ZONE, practice_time
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.chart.record_tab import RecordListTab
from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import ERROR_STYLE
from iopdesk.ui.table_model import RowsTableModel

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner


def _fit_contents(combo: QComboBox) -> None:
    """A drop-down as wide as its longest choice (no "Adolescent M…" cut short)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)


class AdmitDialog(RecordDialog):
    """Track, admission date and primary clinician; `saved` carries the new Episode. Admit is
    enabled once the tracks are loaded; an admission over an active episode is refused at the
    date.

    The track starts at the first that fits the participant's age on the admission date (the
    practice's today at first). A track whose age group the age does not fit shows why, with
    "Admit anyway", which must be ticked before Admit admits (the service refuses it
    otherwise, and records the acknowledged mismatch). `date_of_birth` comes from the chart's
    banner; without it, it is read with the choices."""

    def __init__(self, services: Services, actor: Actor, runner: Runner, participant_id: int,
                 parent: QWidget | None = None, *, date_of_birth: date | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self.participant_id = participant_id
        self.date_of_birth = date_of_birth
        self._tracks: dict[int, Track] = {}
        self._reason = ""            # why the age does not fit the chosen track ("" if it does)
        self.setObjectName("admitDialog")
        self.setWindowTitle(self.tr("Admit"))
        self.track_combo = QComboBox(self)
        self.track_combo.setObjectName("admitTrack")
        _fit_contents(self.track_combo)
        today = services.settings.clock().today()        # the practice's, not this computer's
        self.date_edit = QDateEdit(QDate(today.year, today.month, today.day), self)
        self.date_edit.setObjectName("admitDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.clinician_combo = QComboBox(self)
        self.clinician_combo.setObjectName("admitClinician")
        _fit_contents(self.clinician_combo)
        self.clinician_combo.addItem(self.tr("(none)"), None)
        self.age_box = QWidget(self)                     # why the age does not fit, and
        self.age_box.setObjectName("admitAgeBox")        # "Admit anyway"
        self.age_warning = QLabel(self.age_box)
        self.age_warning.setObjectName("admitAgeWarning")
        self.age_warning.setStyleSheet(ERROR_STYLE)
        self.age_warning.setWordWrap(True)
        self.acknowledge = QCheckBox(self.tr("Admit &anyway"), self.age_box)
        self.acknowledge.setObjectName("admitAcknowledge")
        box_layout = QVBoxLayout(self.age_box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.addWidget(self.age_warning)
        box_layout.addWidget(self.acknowledge)
        self.age_box.hide()
        self.fields.add_row(self.form, self.tr("&Track:"), self.track_combo, "track_id")
        self.fields.add_row(self.form, "", self.age_box, "acknowledge_age_mismatch")
        self.fields.add_row(self.form, self.tr("&Admission date:"), self.date_edit,
                            "admission_date")
        self.fields.add_row(self.form, self.tr("&Primary clinician:"), self.clinician_combo,
                            "primary_clinician_id")
        self.save_button.setText(self.tr("Admit"))
        self.track_combo.currentIndexChanged.connect(self._check_age)
        self.date_edit.dateChanged.connect(self._check_age)
        self.set_ready(False)
        born = date_of_birth
        runner.submit(lambda: (services.staff.tracks(actor),
                               services.staff.list_staff(actor, role=Role.CLINICIAN),
                               born if born is not None else
                               services.participants.get(actor, participant_id).date_of_birth),
                      self._choices, self.show_error, owner=self)

    @property
    def admission_date(self) -> date:
        return self.date_edit.date().toPython()

    @property
    def age_mismatch(self) -> str:
        """Why the participant's age does not fit the chosen track ("" when it does)."""
        return self._reason

    def _choices(self, result) -> None:
        tracks, clinicians, born = result
        self.date_of_birth = born
        self._tracks = {t.id: t for t in tracks}
        with self.filling():
            for track in tracks:
                self.track_combo.addItem(track.name, track.id)
            fitting = fitting_track(tracks, born, self.admission_date)
            if fitting is not None:
                self.track_combo.setCurrentIndex(self.track_combo.findData(fitting.id))
            for person in clinicians:
                shown = f"{person.display_name}, {person.credentials}" \
                    if person.credentials else person.display_name
                self.clinician_combo.addItem(shown, person.id)
            if self._actor.user_id in [c.id for c in clinicians]:
                self.clinician_combo.setCurrentIndex(
                    self.clinician_combo.findData(self._actor.user_id))
            self._check_age()
        self.set_ready(bool(tracks))
        self._fit()                    # the choices arrived after it showed: room for them

    @Slot()
    def _check_age(self, *_args) -> None:
        """Show why the age does not fit the chosen track (and "Admit anyway"), or nothing."""
        track = self._tracks.get(self.track_combo.currentData())
        reason = ""
        if track is not None and self.date_of_birth is not None:
            reason = age_mismatch(track.name, track.age_group, self.date_of_birth,
                                  self.admission_date) or ""
        self._show_mismatch(reason)

    def _show_mismatch(self, reason: str) -> None:
        if reason != self._reason:
            self.acknowledge.setChecked(False)      # a new reason is acknowledged anew
        self._reason = reason
        self.age_warning.setText(reason[:1].upper() + reason[1:])
        self.age_box.setVisible(bool(reason))
        if not reason:
            self.fields.set("track_id", "")
        self._fit()

    def _fit(self) -> None:
        """Grow to show what came in or up (choices, the warning); never shrink under the
        user."""
        if self.isVisible() and not self.isMaximized():
            self.layout().activate()
            self.resize(self.size().expandedTo(self.sizeHint()))

    def call(self):
        track_id = self.track_combo.currentData()
        if track_id is None:
            return None, {"track_id": self.tr("Choose a track")}
        acknowledged = bool(self._reason) and self.acknowledge.isChecked()
        if self._reason and not acknowledged:       # the reason shows just below
            return None, {"track_id": self.tr("Tick “Admit anyway” to admit all the same, "
                                              "or choose another track.")}
        day = self.admission_date
        clinician = self.clinician_combo.currentData()
        services, actor, pid = self._services, self._actor, self.participant_id
        return (lambda: services.episodes.admit(actor, pid, track_id, day, clinician,
                                                acknowledge_age_mismatch=acknowledged)), {}

    def show_error(self, error: object) -> None:
        if isinstance(error, AgeMismatch):      # the service knew of a mismatch we did not
            self._show_mismatch(error.reason)
        super().show_error(error)

    def error_fields(self, error: object):
        if isinstance(error, Conflict):             # already admitted: about the date
            return {"admission_date": describe_error(error)}
        return super().error_fields(error)


class EnterInErrorDialog(RecordDialog):
    """Mark an episode "entered in error", with why (required); saved over the version
    shown. `saved` carries the Episode as marked."""

    def __init__(self, services: Services, actor: Actor, runner: Runner, episode: Episode,
                 parent: QWidget | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self.episode = episode
        self.setObjectName("enterInErrorDialog")
        self.setWindowTitle(self.tr("Episode entered in error"))
        about = QLabel(self.tr(
            "{track}, admitted on {day} ({status}). Marked entered in error, it stays in this "
            "list and in the audit trail, and is left out of every other list and count.")
            .format(track=episode.track_name, day=episode.admission_date.isoformat(),
                    status=status_text(episode.status).lower()), self)
        about.setObjectName("enterInErrorAbout")
        about.setWordWrap(True)
        self.form.addRow(about)
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setObjectName("enterInErrorReason")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setPlaceholderText(self.tr("Why was this episode entered in error?"))
        self.fields.add_row(self.form, self.tr("&Reason:"), self.reason_edit, "reason")
        self.save_button.setText(self.tr("Mark entered in error"))

    def watched_record(self) -> tuple[RecordKind, int] | None:
        return RecordKind.EPISODE, self.episode.id

    def call(self):
        try:
            reason = check_error_reason(self.reason_edit.toPlainText())
        except ValidationError as refused:
            return None, refused.fields
        services, actor = self._services, self._actor
        eid, version = self.episode.id, self.episode.version
        return (lambda: services.episodes.enter_in_error(actor, eid, version, reason)), {}

    def error_fields(self, error: object):
        if isinstance(error, Conflict):             # marked already
            return {"reason": describe_error(error)}
        return super().error_fields(error)


def status_text(status: EpisodeStatus) -> str:
    return {EpisodeStatus.REFERRED: "Referred", EpisodeStatus.ACTIVE: "Active",
            EpisodeStatus.DISCHARGED: "Discharged",
            EpisodeStatus.ENTERED_IN_ERROR: "Entered in error"}.get(status, str(status))


class EpisodesModel(RowsTableModel):
    """The participant's episodes of care, as the service lists them (latest first); one
    entered in error is greyed and struck through, its reason in the tooltip."""

    TRACK = 0
    STATUS = 2
    IN_ERROR = QBrush(QColor("#757575"))

    def __init__(self, parent=None, zone: str = DEFAULT_ZONE):
        super().__init__(parent)
        self._headers = ("Track", "Admission", "Status", "Discharge", "Primary clinician")
        self.zone = zone                # the practice's: when an episode was marked

    def set_rows(self, episodes) -> None:
        self.beginResetModel()
        self._rows = list(episodes)
        self.endResetModel()

    def rows(self) -> tuple[Episode, ...]:
        return tuple(self._rows)

    def row_at(self, row: int) -> Episode:
        return self._rows[row]

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.ToolTipRole and index.isValid()
                and 0 <= index.row() < len(self._rows)
                and self._rows[index.row()].entered_in_error):
            return self._why(self._rows[index.row()])
        return super().data(index, role)

    def _why(self, ep: Episode) -> str:
        when = (practice_time(ep.entered_in_error_at, self.zone).date().isoformat()
                if ep.entered_in_error_at else "")
        who = " ".join(x for x in (f"by {ep.entered_in_error_by_name}"
                                   if ep.entered_in_error_by_name else "",
                                   f"on {when}" if when else "") if x)
        return f"Entered in error{' ' + who if who else ''}: {ep.entered_in_error_reason}"

    def _display(self, ep: Episode, column: int) -> str | None:
        return (ep.track_name, ep.admission_date.isoformat(), status_text(ep.status),
                ep.discharge_date.isoformat() if ep.discharge_date else "",
                ep.primary_clinician_name)[column]

    def _decoration(self, ep: Episode, role: int) -> Any:
        if not ep.entered_in_error:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.IN_ERROR
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setStrikeOut(True)
            return font
        return None


class EpisodesTab(RecordListTab):
    """An admission reloads the list here; the chart's banner follows from the change set
    it announces (ui.changes). A supervisor or administrator may mark the selected episode
    entered in error."""

    NAME = "episodes"
    EMPTY = "No episodes yet."

    def make_model(self) -> EpisodesModel:
        return EpisodesModel(self, self._services.settings.clock().zone)

    def make_buttons(self) -> None:
        # Not at import: the services' permissions load the ORM (the log-in loads without it).
        from iopdesk.services.permissions import Permission, allowed

        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(EpisodesModel.TRACK, QHeaderView.ResizeMode.Stretch)
        self.admit_button = self.button(self.tr("&Admit…"), "admitButton", self.open_admit)
        self.error_button = None
        if allowed(self._actor.roles, Permission.CORRECT_EPISODES):
            self.error_button = self.button(self.tr("Entered in &error…"),
                                            "enterInErrorButton", self.open_enter_in_error)

    def update_buttons(self, chosen: Episode | None) -> None:
        if self.error_button is not None:
            self.error_button.setEnabled(chosen is not None and not chosen.entered_in_error)

    def list_call(self):
        services, actor, pid = self._services, self._actor, self.participant_id
        return lambda: services.episodes.list(actor, pid)

    @property
    def episodes(self) -> tuple[Episode, ...]:
        """The episodes shown, latest first."""
        return self.model.rows()

    @Slot()
    def open_admit(self) -> AdmitDialog:
        born = getattr(self.summary, "date_of_birth", None)
        return self.open_dialog(AdmitDialog(self._services, self._actor, self._runner,
                                            self.participant_id, self, date_of_birth=born))

    @Slot()
    def open_enter_in_error(self) -> EnterInErrorDialog | None:
        chosen = self.selected()
        if self.error_button is None or chosen is None or chosen.entered_in_error:
            return None
        return self.open_dialog(EnterInErrorDialog(self._services, self._actor, self._runner,
                                                   chosen, self))
