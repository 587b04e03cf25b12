"""Payers' authorizations on the chart's Attendance tab: the list's model (units authorized,
used and remaining, the range, the warnings that need a person's attention, highlighted) and
the dialog that adds one to an episode or changes one. The dialog is a RecordDialog: every
message at its field, a save as new or as update with the version shown, a save over a newer
one refused in the banner (with "Load the saved version"), Esc over typed changes asks first.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

from iopdesk.domain.authorizations import AuthorizationInput, AuthorizationView
from iopdesk.domain.changes import RecordKind
from iopdesk.domain.enums import LevelOfCare
from iopdesk.domain.readmodels import Episode
from iopdesk.ui.chart.consents_tab import read_date
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.table_model import RowsTableModel

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

DATE_HINT = "YYYY-MM-DD or MM/DD/YYYY"
LEVELS = ((LevelOfCare.IOP, "2.1 Intensive outpatient (IOP)"),
          (LevelOfCare.PHP, "2.5 Partial hospitalization (PHP)"),
          (LevelOfCare.OUTPATIENT, "1 Outpatient"))
WARNING_BACKGROUND = QBrush(QColor("#fde7e9"))
WARNING_TEXT = QBrush(QColor("#b00020"))


def level_text(value: str) -> str:
    """'2.1 Intensive outpatient (IOP)' for '2.1'; an unknown value as stored."""
    return next((text for level, text in LEVELS if level.value == value), value)


def episode_text(episode: Episode) -> str:
    """'Adult Substance Use IOP, admitted 2026-11-02 (active)'."""
    return (f"{episode.track_name}, admitted {episode.admission_date.isoformat()} "
            f"({episode.status.value.replace('_', ' ')})")


class AuthorizationsModel(RowsTableModel):
    """The participant's authorizations, newest range first; a row with a warning (units low
    or used up, the range ending soon or ended) is in red, its warnings in the last column."""

    WARNINGS = 7

    def __init__(self, parent=None):
        super().__init__(parent)
        self._headers = ("Payer", "Number", "Level of care", "Units", "Used", "Remaining",
                         "Range", "Warnings")

    def set_rows(self, rows: tuple[AuthorizationView, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> tuple[AuthorizationView, ...]:
        return tuple(self._rows)

    def row_at(self, row: int) -> AuthorizationView:
        return self._rows[row]

    def _display(self, row: AuthorizationView, column: int) -> str | None:
        return (row.payer, row.number, level_text(row.level_of_care), str(row.units),
                str(row.used), str(row.remaining),
                f"{row.first.isoformat()} – {row.last.isoformat()}",
                "; ".join(w.message for w in row.warnings))[column]

    def _decoration(self, row: AuthorizationView, role: int) -> Any:
        if not row.warnings:
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return WARNING_BACKGROUND
        if role == Qt.ItemDataRole.ForegroundRole:
            return WARNING_TEXT
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None


class AuthorizationDialog(RecordDialog):
    """Add an authorization to one of the participant's episodes (`authorization` None), or
    change one, carrying the version shown. The episodes to choose from are the ones not
    entered in error, the current one first."""

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 episodes: tuple[Episode, ...], authorization: AuthorizationView | None = None,
                 parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self.authorization = authorization
        self.setObjectName("authorizationDialog")
        self.setWindowTitle(self.tr("Add an authorization") if authorization is None
                            else self.tr("Change authorization {number}").format(
                                number=authorization.number))
        self.episode_combo = QComboBox(self)
        self.episode_combo.setObjectName("episode_id")
        for episode in episodes:
            if not episode.entered_in_error:
                self.episode_combo.addItem(episode_text(episode), episode.id)
        self.fields.add_row(self.form, self.tr("E&pisode:"), self.episode_combo, "episode_id")
        self.edits: dict[str, QLineEdit] = {}
        self._edit("payer", self.tr("&Payer:"))
        self._edit("number", self.tr("Authorization &number:"))
        self.level_combo = QComboBox(self)
        self.level_combo.setObjectName("level_of_care")
        for level, text in LEVELS:
            self.level_combo.addItem(self.tr(text), level.value)
        self.fields.add_row(self.form, self.tr("&Level of care:"), self.level_combo,
                            "level_of_care")
        self._edit("units", self.tr("&Units (days):"))
        for name, label in (("first_date", self.tr("&First day:")),
                            ("last_date", self.tr("Las&t day:"))):
            self._edit(name, label).setPlaceholderText(self.tr(DATE_HINT))
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setObjectName("notes")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(70)
        self.fields.add_row(self.form, self.tr("N&otes:"), self.notes_edit, "notes")
        if authorization is not None:
            self.load(authorization)
            self.episode_combo.setEnabled(False)        # an authorization stays its episode's
            self.edits["payer"].setFocus()
        else:
            if today is not None:
                self.edits["first_date"].setText(today.isoformat())
            self.episode_combo.setFocus()
        self.set_ready(self.episode_combo.count() > 0)
        if self.episode_combo.count() == 0:
            self.fields.set("episode_id", self.tr(
                "Admit the participant first: an authorization is given for an episode"))
        self.setMinimumWidth(620)       # the longest message (a last day before the first)

    def _edit(self, name: str, label: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        self.edits[name] = edit
        self.fields.add_row(self.form, label, edit, name)
        return edit

    def load(self, view: AuthorizationView) -> None:
        """Show `view` in the fields (at opening, and as the saved version after a refusal)."""
        self.authorization = view
        index = self.episode_combo.findData(view.episode_id)
        if index >= 0:
            self.episode_combo.setCurrentIndex(index)
        level = self.level_combo.findData(view.level_of_care)
        if level < 0:                         # a value stored elsewhere: shown as it is
            self.level_combo.addItem(view.level_of_care, view.level_of_care)
            level = self.level_combo.count() - 1
        self.level_combo.setCurrentIndex(level)
        values = {"payer": view.payer, "number": view.number, "units": str(view.units),
                  "first_date": view.first.isoformat(), "last_date": view.last.isoformat()}
        for name, text in values.items():
            self.edits[name].setText(text)
        self.notes_edit.setPlainText(view.notes)

    def watched_record(self) -> tuple[RecordKind, int] | None:
        if self.authorization is None:
            return None
        return RecordKind.AUTHORIZATION, self.authorization.id

    def saved_version(self):
        if self.authorization is None:
            return None
        services, actor = self._services, self._actor
        pid, aid = self.authorization.participant_id, self.authorization.id
        return lambda: next(a for a in services.authorizations.list(actor, pid) if a.id == aid)

    def _units(self, errors: dict[str, str]) -> int:
        text = self.edits["units"].text().strip()
        if not text:
            errors["units"] = self.tr("Units are required (the days the payer authorized)")
        elif not text.isdigit():
            errors["units"] = self.tr("Units must be a whole number of days")
        return int(text) if text.isdigit() else 0

    def call(self):
        errors: dict[str, str] = {}
        units = self._units(errors)
        dates = {name: read_date(self.edits[name], name, errors)
                 for name in ("first_date", "last_date")}
        if errors:
            return None, errors
        coverage = self.authorization.coverage_id if self.authorization is not None else None
        data = AuthorizationInput(payer=self.edits["payer"].text(),
                                  number=self.edits["number"].text().strip(), units=units,
                                  level_of_care=self.level_combo.currentData(),
                                  notes=self.notes_edit.toPlainText(), coverage_id=coverage,
                                  **dates)
        services, actor = self._services, self._actor
        if self.authorization is None:
            episode_id = self.episode_combo.currentData()
            return (lambda: services.authorizations.add(actor, episode_id, data)), {}
        aid, version = self.authorization.id, self.authorization.version
        return (lambda: services.authorizations.update(actor, aid, version, data)), {}
