"""A closure (administrators): a date the whole practice or one track does not meet, with the
reason shown on its meetings ("Closed: Thanksgiving Day"). A RecordDialog: every message at
its field (a day with attendance already recorded is refused at the date). And the question
that removes one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QWidget

from iopdesk.domain.schedule import ClosureInput, ClosureView
from iopdesk.ui.chart.consents_tab import read_date
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.schedule.inputs import (DATE_HINT, NONE_CHOSEN, chosen_id, day_text,
                                        keyboard_order, line_edit)

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner


class ClosureDialog(RecordDialog):
    """Close a day: the whole practice, or only the track being looked at."""

    def __init__(self, services: Services, actor: Actor, runner: Runner, track_id: int,
                 track_name: str, day: date, parent: QWidget | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self.setObjectName("closureDialog")
        self.setWindowTitle(self.tr("Close a day"))
        about = QLabel(self.tr("The day's meetings are cancelled, the reason shown on each. "
                               "A day with attendance already recorded cannot be closed."),
                       self)
        about.setWordWrap(True)
        self.form.addRow(about)
        self.date_edit = line_edit(self, "closure_date", day_text(day), DATE_HINT)
        self.fields.add_row(self.form, self.tr("&Date:"), self.date_edit, "closure_date")
        self.scope_combo = QComboBox(self)
        self.scope_combo.setObjectName("track_id")
        self.scope_combo.addItem(self.tr("The whole practice"), NONE_CHOSEN)
        self.scope_combo.addItem(self.tr("{track} only").format(track=track_name), track_id)
        self.fields.add_row(self.form, self.tr("&Closed:"), self.scope_combo, "track_id")
        self.reason_edit = line_edit(self, "reason", "", "Thanksgiving Day")
        self.fields.add_row(self.form, self.tr("&Reason:"), self.reason_edit, "reason")
        self.fields.limit("reason", 200)
        self.save_button.setText(self.tr("C&lose the day"))
        keyboard_order(self, self.date_edit, self.scope_combo, self.reason_edit)

    def call(self):
        errors: dict[str, str] = {}
        day = read_date(self.date_edit, "closure_date", errors)
        if errors:
            return None, errors
        data = ClosureInput(closure_date=day, reason=self.reason_edit.text(),
                            track_id=chosen_id(self.scope_combo))
        services, actor = self._services, self._actor
        return (lambda: services.schedule.add_closure(actor, data)), {}


class RemoveClosureQuestion(QMessageBox):
    """"Remove the closure of …?" — Yes removes it: `done(count)` of the meetings held again,
    or `failed(error)` (someone changed it meanwhile), called on `parent`'s behalf since this
    box is gone by then; No leaves it."""

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 closure: ClosureView, done: Callable[[int], None],
                 failed: Callable[[object], None], parent: QWidget):
        super().__init__(QMessageBox.Icon.Question, "", "",
                         QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
        self.setObjectName("removeClosureQuestion")
        self.setWindowTitle(self.tr("Remove the closure"))
        self.setText(self.tr("Remove the closure of {date} ({reason}, {scope})? The meetings "
                             "it cancelled are held again.").format(
                                 date=closure.closure_date.isoformat(), reason=closure.reason,
                                 scope=closure.scope))
        self.setDefaultButton(QMessageBox.StandardButton.No)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        closure_id, version = closure.id, closure.version

        def answered(button) -> None:
            if self.standardButton(button) == QMessageBox.StandardButton.Yes:
                runner.change(lambda: services.schedule.remove_closure(actor, closure_id,
                                                                       version),
                              done, failed, owner=parent)

        self.buttonClicked.connect(answered)
