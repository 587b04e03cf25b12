"""The chart's Episodes tab: the participant's episodes of care (latest first) and "Admit…"
(track, admission date and primary clinician; the tracks and clinicians load on a worker)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Slot
from PySide6.QtWidgets import QComboBox, QDateEdit, QHeaderView, QWidget

from iopdesk.domain.enums import Role
from iopdesk.domain.errors import Conflict
from iopdesk.domain.readmodels import Episode
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.chart.record_tab import RecordListTab
from iopdesk.ui.errors import describe_error
from iopdesk.ui.table_model import RowsTableModel

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner


class AdmitDialog(RecordDialog):
    """Track, admission date and primary clinician; `saved` carries the new Episode. Admit is
    enabled once the tracks are loaded; an admission over an active episode is refused at the
    date."""

    def __init__(self, services: Services, actor: Actor, runner: Runner, participant_id: int,
                 parent: QWidget | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self.participant_id = participant_id
        self.setObjectName("admitDialog")
        self.setWindowTitle(self.tr("Admit"))
        self.track_combo = QComboBox(self)
        self.track_combo.setObjectName("admitTrack")
        today = services.settings.clock().today()        # the practice's, not this computer's
        self.date_edit = QDateEdit(QDate(today.year, today.month, today.day), self)
        self.date_edit.setObjectName("admitDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.clinician_combo = QComboBox(self)
        self.clinician_combo.setObjectName("admitClinician")
        self.clinician_combo.addItem(self.tr("(none)"), None)
        self.fields.add_row(self.form, self.tr("&Track:"), self.track_combo, "track_id")
        self.fields.add_row(self.form, self.tr("&Admission date:"), self.date_edit,
                            "admission_date")
        self.fields.add_row(self.form, self.tr("&Primary clinician:"), self.clinician_combo,
                            "primary_clinician_id")
        self.save_button.setText(self.tr("Admit"))
        self.set_ready(False)
        runner.submit(lambda: (services.staff.tracks(actor),
                               services.staff.list_staff(actor, role=Role.CLINICIAN)),
                      self._choices, self.show_error, owner=self)

    def _choices(self, result) -> None:
        tracks, clinicians = result
        with self.filling():
            for track in tracks:
                self.track_combo.addItem(track.name, track.id)
            for person in clinicians:
                shown = f"{person.display_name}, {person.credentials}" \
                    if person.credentials else person.display_name
                self.clinician_combo.addItem(shown, person.id)
            if self._actor.user_id in [c.id for c in clinicians]:
                self.clinician_combo.setCurrentIndex(
                    self.clinician_combo.findData(self._actor.user_id))
        self.set_ready(bool(tracks))

    def call(self):
        track_id = self.track_combo.currentData()
        if track_id is None:
            return None, {"track_id": self.tr("Choose a track")}
        day: date = self.date_edit.date().toPython()
        clinician = self.clinician_combo.currentData()
        services, actor, pid = self._services, self._actor, self.participant_id
        return (lambda: services.episodes.admit(actor, pid, track_id, day, clinician)), {}

    def error_fields(self, error: object):
        if isinstance(error, Conflict):             # already admitted: about the date
            return {"admission_date": describe_error(error)}
        return super().error_fields(error)


class EpisodesModel(RowsTableModel):
    """The participant's episodes of care, as the service lists them (latest first)."""

    TRACK = 0

    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers = ("Track", "Admission", "Status", "Discharge", "Primary clinician")

    def set_rows(self, episodes) -> None:
        self.beginResetModel()
        self._rows = list(episodes)
        self.endResetModel()

    def rows(self) -> tuple[Episode, ...]:
        return tuple(self._rows)

    def row_at(self, row: int) -> Episode:
        return self._rows[row]

    def _display(self, ep: Episode, column: int) -> str | None:
        return (ep.track_name, ep.admission_date.isoformat(), ep.status.value.capitalize(),
                ep.discharge_date.isoformat() if ep.discharge_date else "",
                ep.primary_clinician_name)[column]


class EpisodesTab(RecordListTab):
    """An admission reloads the list here; the chart's banner follows from the change set
    it announces (ui.changes)."""

    NAME = "episodes"
    EMPTY = "No episodes yet."

    def make_model(self) -> EpisodesModel:
        return EpisodesModel(self)

    def make_buttons(self) -> None:
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(EpisodesModel.TRACK, QHeaderView.ResizeMode.Stretch)
        self.admit_button = self.button(self.tr("&Admit…"), "admitButton", self.open_admit)

    def list_call(self):
        services, actor, pid = self._services, self._actor, self.participant_id
        return lambda: services.episodes.list(actor, pid)

    @property
    def episodes(self) -> tuple[Episode, ...]:
        """The episodes shown, latest first."""
        return self.model.rows()

    @Slot()
    def open_admit(self) -> AdmitDialog:
        return self.open_dialog(AdmitDialog(self._services, self._actor, self._runner,
                                            self.participant_id, self))
