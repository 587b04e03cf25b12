"""The chart's Episodes tab: the participant's episodes of care (latest first) and "Admit…"."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout,
                               QWidget)

from iopdesk.domain.enums import Role
from iopdesk.domain.errors import Conflict, ValidationError
from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import FieldMessages, error_label, say
from iopdesk.ui.table_model import RowsTableModel, record_table


class AdmitDialog(QDialog):
    """Track, admission date and primary clinician; `admitted` carries the new Episode."""

    admitted = Signal(object)

    def __init__(self, services, actor, runner, participant_id: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Admit"))
        self.services, self.actor, self.runner = services, actor, runner
        self.participant_id = participant_id
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
        form = QFormLayout()
        self.fields = FieldMessages()
        self.fields.add_row(form, self.tr("&Track:"), self.track_combo, "track_id")
        self.fields.add_row(form, self.tr("&Admission date:"), self.date_edit,
                            "admission_date")
        self.fields.add_row(form, self.tr("&Primary clinician:"), self.clinician_combo,
                            "primary_clinician_id")
        self.message = error_label(self, "admitMessage")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Admit"))
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        runner.submit(lambda: (services.staff.tracks(actor),
                               services.staff.list_staff(actor, role=Role.CLINICIAN)),
                      self._choices, self._failed, owner=self)

    def _choices(self, result) -> None:
        tracks, clinicians = result
        for track in tracks:
            self.track_combo.addItem(track.name, track.id)
        for person in clinicians:
            shown = f"{person.display_name}, {person.credentials}" if person.credentials \
                else person.display_name
            self.clinician_combo.addItem(shown, person.id)
        if self.actor.user_id in [c.id for c in clinicians]:
            self.clinician_combo.setCurrentIndex(
                self.clinician_combo.findData(self.actor.user_id))
        self.ok_button.setEnabled(bool(tracks))

    @Slot()
    def submit(self) -> None:
        self.fields.clear()
        say(self.message, "")
        track_id = self.track_combo.currentData()
        if track_id is None:
            self.fields.set("track_id", self.tr("Choose a track"))
            return
        day: date = self.date_edit.date().toPython()
        clinician = self.clinician_combo.currentData()
        self.ok_button.setEnabled(False)
        s, a, pid = self.services, self.actor, self.participant_id
        self.runner.change(lambda: s.episodes.admit(a, pid, track_id, day, clinician),
                           self._done, self._failed, owner=self)

    def _done(self, episode) -> None:
        self.admitted.emit(episode)
        self.accept()

    def _failed(self, error: object) -> None:
        self.ok_button.setEnabled(self.track_combo.count() > 0)
        if isinstance(error, ValidationError):
            rest = self.fields.show(error.fields)
            if rest:
                say(self.message, "\n".join(rest.values()))
        elif isinstance(error, Conflict):
            self.fields.set("admission_date", describe_error(error))
        else:
            say(self.message, describe_error(error))


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

    def rows(self) -> tuple:
        return tuple(self._rows)

    def _display(self, ep, column: int) -> str | None:
        return (ep.track_name, ep.admission_date.isoformat(), ep.status.value.capitalize(),
                ep.discharge_date.isoformat() if ep.discharge_date else "",
                ep.primary_clinician_name)[column]


class EpisodesTab(QWidget):
    chart_changed = Signal()        # an admission changes the banner
    loaded = Signal()

    def __init__(self, services, actor, runner, participant_id: int, summary, parent=None):
        super().__init__(parent)
        self.services, self.actor, self.runner = services, actor, runner
        self.participant_id = participant_id
        self.episodes: tuple = ()
        self.model = EpisodesModel(self)
        self.table = record_table(self, self.model, "episodesTable")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(EpisodesModel.TRACK, QHeaderView.ResizeMode.Stretch)
        self.admit_button = QPushButton(self.tr("&Admit…"), self)
        self.admit_button.setObjectName("admitButton")
        self.admit_button.clicked.connect(self.open_admit)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.message, 1)
        top.addWidget(self.admit_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.dialog: AdmitDialog | None = None
        self.reload()

    @Slot()
    def reload(self) -> None:
        s, a, pid = self.services, self.actor, self.participant_id
        self.runner.submit(lambda: s.episodes.list(a, pid), self._show, self._failed,
                           owner=self)

    def _failed(self, error: object) -> None:
        self.message.setText(describe_error(error))

    def _show(self, episodes) -> None:
        self.model.set_rows(episodes)
        self.episodes = self.model.rows()
        self.message.setText("" if self.episodes else self.tr("No episodes yet."))
        self.loaded.emit()

    @Slot()
    def open_admit(self) -> AdmitDialog:
        dialog = AdmitDialog(self.services, self.actor, self.runner, self.participant_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.admitted.connect(self._admitted)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _admitted(self, _episode) -> None:
        self.reload()
        self.chart_changed.emit()
