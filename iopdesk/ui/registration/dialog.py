"""Registering a participant, or changing a participant's demographics (the one form pattern,
STYLE point 5: load a read model or nothing, validate per field, save as new or as update
carrying the row version).

Registering: the fields are checked here first (the domain's own checks, so every message
shows at its field at once); then `possible_duplicates` runs on a worker and, when it finds
anyone, the dialog lists them ("is this the same person?") with "Open existing" and "Register
anyway" (just above the buttons, so the form does not move); changing a name, the birth date
or the phone takes the warning away at once, and the next Save checks again. Then
`register_with` saves the participant, the insurance and the emergency contact together, on a
worker. Every field keeps one line of room for its message, so a message showing moves no
field under the mouse (`FieldMessages(rooms=True)`). Editing: `participants.update` with the
version loaded; a save over a newer version is refused and the service's message (who changed
what) is shown in a banner, with what was typed kept.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFormLayout, QFrame, QGroupBox,
                               QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget)

from iopdesk.domain.chart import (ContactInput, CoverageInput, check_contact, check_coverage,
                                  prefixed)
from iopdesk.domain.errors import StaleVersion, ValidationError
from iopdesk.domain.validation import ParticipantInput, check_participant, parse_date
from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import BANNER_STYLE, FieldMessages, error_label, save_cancel_buttons, say
from iopdesk.ui.registration.duplicates import DuplicatePanel
from iopdesk.ui.unsaved import DialogEdits

if TYPE_CHECKING:
    from iopdesk.domain.readmodels import Participant, ParticipantRow
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

SEX_AT_BIRTH = ("", "Female", "Male", "Intersex", "Unknown", "Declined to answer")
GENDER_IDENTITIES = ("", "Woman", "Man", "Non-binary", "Transgender woman", "Transgender man",
                     "Genderqueer", "Declined to answer")
PREFERRED_CONTACT = ("", "Phone", "Text message", "E-mail", "Mail")

_TEXT_FIELDS = (   # (service name, label, max length)
    ("first_name", "Legal &first name:", 100), ("middle_name", "&Middle name:", 100),
    ("last_name", "Legal &last name:", 100), ("preferred_name", "P&referred name:", 100),
    ("pronouns", "Pro&nouns:", 40),
)
_COVERAGE_FIELDS = (("payer_name", "&Payer:"), ("member_number", "Mem&ber number:"),
                    ("group_number", "&Group number:"))
_CONTACT_FIELDS = (("name", "Na&me:"), ("relationship", "Relation&ship:"),
                   ("phone", "P&hone:"))
_COMPARED = ("first_name", "last_name", "date_of_birth", "phone")  # what duplicates share


class RegistrationDialog(DialogEdits, QDialog):
    """New participant (`participant` None) or a demographic edit of `participant`."""

    registered = Signal(int)        # the new participant's id
    open_existing = Signal(int)     # the user chose an existing participant instead
    saved = Signal(object)          # the Participant as stored (both modes)

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 parent: QWidget | None = None, *, participant: Participant | None = None):
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self._runner = runner
        self.participant = participant
        self.duplicates: tuple[ParticipantRow, ...] = ()
        self._busy = False
        self._compared_edits = 0        # changes to the fields the duplicate check compares
        self._checked_at = 0            # ... when the check running now was asked for
        self.setObjectName("registrationDialog")
        self.setWindowTitle(self.tr("Register a participant") if participant is None
                            else self.tr("Change {name}'s demographics").format(
                                name=f"{participant.first_name} {participant.last_name}"))
        self._build()
        if participant is not None:
            self._fill(participant)
        else:                           # a referral is registered the day it comes, mostly
            self.edits["referral_date"].setText(
                services.settings.clock().today().isoformat())
        self.resize(640, 760)

    @property
    def adding(self) -> bool:
        return self.participant is None

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.banner = QLabel(self)
        self.banner.setObjectName("registrationBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setWordWrap(True)
        self.banner.hide()

        self.fields = FieldMessages(rooms=True)  # no field moves under a message
        self.edits: dict[str, QLineEdit] = {}
        self._limits: dict[str, int] = {}
        body = QWidget(self)
        form = QFormLayout()
        for name, label, length in _TEXT_FIELDS:
            self._row(form, self.tr(label), self._edit(body, name, length), name)
        dob = self._edit(body, "date_of_birth", 10)
        dob.setPlaceholderText(self.tr("YYYY-MM-DD or MM/DD/YYYY"))
        self._row(form, self.tr("&Date of birth:"), dob, "date_of_birth")
        self.sex_combo = self._combo(body, "sex_at_birth", SEX_AT_BIRTH, editable=False)
        self._row(form, self.tr("Se&x at birth:"), self.sex_combo, "sex_at_birth")
        self.gender_combo = self._combo(body, "gender_identity", GENDER_IDENTITIES,
                                        editable=True)
        self._row(form, self.tr("Gender &identity:"), self.gender_combo,
                  "gender_identity")
        phone = self._edit(body, "phone", 30)
        phone.setPlaceholderText("(555) 201-3344")
        self._row(form, self.tr("Phone:"), phone, "phone")
        self.message_check = QCheckBox(self.tr("OK to leave a message"), body)
        self.message_check.setObjectName("phone_ok_to_leave_message")
        form.addRow("", self.message_check)
        alt_phone = self._edit(body, "alt_phone", 30)
        alt_phone.setPlaceholderText(self.tr("work or a second mobile (optional)"))
        self._row(form, self.tr("Alternate phone:"), alt_phone, "alt_phone")
        self._row(form, self.tr("&E-mail:"), self._edit(body, "email", 200), "email")
        self._row(form, self.tr("Address line &1:"),
                  self._edit(body, "address_line1", 200), "address_line1")
        self._row(form, self.tr("Address line &2:"),
                  self._edit(body, "address_line2", 200), "address_line2")
        self._row(form, self.tr("&City:"), self._edit(body, "city", 100), "city")
        state = self._edit(body, "state", 2)
        state.setMaximumWidth(60)
        self._row(form, self.tr("S&tate:"), state, "state")
        zip_edit = self._edit(body, "postal_code", 10)
        zip_edit.setMaximumWidth(120)
        self._row(form, self.tr("&ZIP code:"), zip_edit, "postal_code")
        self.contact_combo = self._combo(body, "preferred_contact", PREFERRED_CONTACT,
                                         editable=False)
        self._row(form, self.tr("Preferred c&ontact:"), self.contact_combo,
                  "preferred_contact")
        self._row(form, self.tr("Referral so&urce:"),
                  self._edit(body, "referral_source", 200), "referral_source")
        referred = self._edit(body, "referral_date", 10)
        referred.setPlaceholderText(self.tr("YYYY-MM-DD or MM/DD/YYYY"))
        referred.setToolTip(self.tr("The day the referral came (today, unless it came "
                                    "earlier)"))
        self._row(form, self.tr("Referral &date:"), referred, "referral_date")

        self.insurance_group = QGroupBox(self.tr("Insurance (optional)"), body)
        self.insurance_group.setObjectName("insuranceGroup")
        insurance_form = QFormLayout(self.insurance_group)
        for name, label in _COVERAGE_FIELDS:
            key = f"coverage.{name}"
            self._row(insurance_form, self.tr(label),
                      self._edit(self.insurance_group, key, 200), key)
        self.emergency_group = QGroupBox(self.tr("Emergency contact (optional)"), body)
        self.emergency_group.setObjectName("emergencyGroup")
        emergency_form = QFormLayout(self.emergency_group)
        for name, label in _CONTACT_FIELDS:
            key = f"emergency_contact.{name}"
            self._row(emergency_form, self.tr(label),
                      self._edit(self.emergency_group, key, 150), key)
        if not self.adding:           # insurance and contacts have their own tabs
            self.insurance_group.hide()
            self.emergency_group.hide()

        for name, max_length in self._limits.items():
            self.fields.limit(name, max_length)
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(form)
        body_layout.addWidget(self.insurance_group)
        body_layout.addWidget(self.emergency_group)
        body_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        self.duplicate_panel = DuplicatePanel(self)
        self.register_anyway_button = self.duplicate_panel.register_anyway_button
        self.duplicate_panel.register_anyway.connect(self.register_anyway)
        self.duplicate_panel.open_existing.connect(self._open_existing)

        self.message = error_label(self, "registrationMessage")
        self.buttons, self.save_button = save_cancel_buttons(self)

        for name in _COMPARED:
            self.edits[name].textChanged.connect(self._compared_changed)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.duplicate_panel)     # under the form: showing it moves no field
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.edits["first_name"].setFocus()

    def _row(self, form: QFormLayout, text: str, widget: QWidget, name: str) -> None:
        """A field and the room of its message under it."""
        self.fields.add_row(form, text, widget, name)

    def _edit(self, parent: QWidget, name: str, max_length: int) -> QLineEdit:
        """A text field; longer text is not cut off but said at the field (see `limit`)."""
        edit = QLineEdit(parent)
        edit.setObjectName(name)
        self.edits[name] = edit
        self._limits[name] = max_length
        return edit

    def _combo(self, parent: QWidget, name: str, items: tuple[str, ...], *,
               editable: bool) -> QComboBox:
        combo = QComboBox(parent)
        combo.setObjectName(name)
        combo.setEditable(editable)
        combo.addItems(list(items))
        return combo

    def _fill(self, p: Participant) -> None:
        for name, edit in self.edits.items():
            if name == "date_of_birth":
                edit.setText(p.date_of_birth.isoformat())
            elif name == "referral_date":
                edit.setText(p.referral_date.isoformat() if p.referral_date else "")
            elif hasattr(p, name):
                edit.setText(getattr(p, name))
        self.message_check.setChecked(p.phone_ok_to_leave_message)
        for combo, value in ((self.sex_combo, p.sex_at_birth),
                             (self.gender_combo, p.gender_identity),
                             (self.contact_combo, p.preferred_contact)):
            set_combo(combo, value)

    # -- what the form says ---------------------------------------------------------------

    def _text(self, name: str) -> str:
        return self.edits[name].text()

    def participant_input(self) -> tuple[ParticipantInput, dict[str, str]]:
        """The input, and the message of a date that cannot be read (the date is then None)."""
        errors: dict[str, str] = {}
        dob: date | None = None
        if self._text("date_of_birth").strip():
            try:
                dob = parse_date(self._text("date_of_birth"), "date_of_birth")
            except ValidationError as refused:
                errors.update(refused.fields)
        referred: date | None = None
        if self._text("referral_date").strip():
            try:
                referred = parse_date(self._text("referral_date"), "referral_date")
            except ValidationError as refused:
                errors.update(refused.fields)
        data = ParticipantInput(
            first_name=self._text("first_name"), middle_name=self._text("middle_name"),
            last_name=self._text("last_name"), preferred_name=self._text("preferred_name"),
            pronouns=self._text("pronouns"), date_of_birth=dob,
            sex_at_birth=self.sex_combo.currentText(),
            gender_identity=self.gender_combo.currentText(),
            phone=self._text("phone"),
            phone_ok_to_leave_message=self.message_check.isChecked(),
            alt_phone=self._text("alt_phone"),
            email=self._text("email"), address_line1=self._text("address_line1"),
            address_line2=self._text("address_line2"), city=self._text("city"),
            state=self._text("state"), postal_code=self._text("postal_code"),
            preferred_contact=self.contact_combo.currentText(),
            referral_source=self._text("referral_source"), referral_date=referred,
            chart_number=self.participant.chart_number if self.participant else "")
        return data, errors

    def coverage_input(self) -> CoverageInput | None:
        values = {n: self._text(f"coverage.{n}") for n, _ in _COVERAGE_FIELDS}
        if not self.adding or not any(v.strip() for v in values.values()):
            return None
        return CoverageInput(**values)

    def contact_input(self) -> ContactInput | None:
        values = {n: self._text(f"emergency_contact.{n}") for n, _ in _CONTACT_FIELDS}
        if not self.adding or not any(v.strip() for v in values.values()):
            return None
        return ContactInput(**values, is_emergency=True)

    def _check_here(self) -> dict[str, str]:
        """Every field message the domain's checks give, before anything is sent."""
        data, errors = self.participant_input()
        today = self._services.settings.clock().today()     # the services' today, not ours
        try:
            check_participant(data, today)
        except ValidationError as refused:
            for name, text in refused.fields.items():
                errors.setdefault(name, text)
        for prefix, value, check in (
                ("coverage", self.coverage_input(), lambda c: check_coverage(c, today)),
                ("emergency_contact", self.contact_input(), check_contact)):
            if value is not None:
                try:
                    check(value)
                except ValidationError as refused:
                    errors.update(prefixed(refused, prefix))
        return errors

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._shown_state is None:
            self.remember_shown()       # what a Cancel would lose is what differs from this

    # -- saving ---------------------------------------------------------------------------

    @Slot()
    def accept(self) -> None:
        if self._busy:
            return
        self.fields.clear()
        self._say_banner("")
        say(self.message, "")
        errors = self._check_here()
        if errors:
            self._show_fields(errors)
            self.tell_saved(False)
            return
        data, _ = self.participant_input()
        services, actor = self._services, self._actor
        if not self.adding:
            pid, version = self.participant.id, self.participant.version
            self._submit(lambda: services.participants.update(actor, pid, version, data),
                         self._saved)
            return
        self._set_busy(True)
        self._checked_at = self._compared_edits
        self._runner.submit(lambda: services.participants.possible_duplicates(actor, data),
                            self._duplicates_found, self._failed, owner=self)

    @Slot()
    def _compared_changed(self) -> None:
        """A name, the birth date or the phone changed: a warning about what was there
        before no longer holds (the next Save checks again)."""
        self._compared_edits += 1
        if self.duplicates or not self.duplicate_panel.isHidden():
            self.duplicates = ()
            self.duplicate_panel.hide()

    def _duplicates_found(self, rows: tuple[ParticipantRow, ...]) -> None:
        self._set_busy(False)
        if self._checked_at != self._compared_edits:    # typed over while it looked: again
            self.accept()
            return
        self.duplicates = tuple(rows)
        if not rows:
            self.register_anyway()
            return
        self._show_duplicates()

    def _show_duplicates(self) -> None:
        self.duplicate_panel.show_rows(self.duplicates)
        self.tell_saved(False)          # the person at the desk decides: open or register

    def duplicate_texts(self) -> list[str]:
        """The warnings showing now (none while the panel is hidden)."""
        return self.duplicate_panel.texts()

    @Slot(int)
    def _open_existing(self, participant_id: int) -> None:
        self.open_existing.emit(participant_id)
        super().reject()

    @Slot()
    def register_anyway(self) -> None:
        """Save the registration (after the duplicates were seen, or when there are none)."""
        if self._busy:
            return
        data, errors = self.participant_input()
        if errors:
            self._show_fields(errors)
            return
        coverage, contact = self.coverage_input(), self.contact_input()
        services, actor = self._services, self._actor
        self._submit(lambda: services.participants.register_with(
            actor, data, coverage=coverage, emergency_contact=contact), self._registered)

    def _submit(self, call, on_success) -> None:
        self._set_busy(True)
        self._runner.change(call, on_success, self._failed, owner=self)

    def _registered(self, participant: Participant) -> None:
        self.participant = participant
        self._saved(participant, new=True)

    def _saved(self, participant: Participant, *, new: bool = False) -> None:
        self._set_busy(False)
        self.participant = participant
        self.saved.emit(participant)
        if new:
            self.registered.emit(participant.id)
        super().accept()
        self.tell_saved(True)

    def _failed(self, error: object) -> None:
        self._set_busy(False)
        self.tell_saved(False)
        if isinstance(error, ValidationError):
            self._show_fields(error.fields)
        elif isinstance(error, StaleVersion):
            self._say_banner(describe_error(error))
        else:
            self._say_banner(describe_error(error))

    def _show_fields(self, errors: dict[str, str]) -> None:
        rest = self.fields.show(errors)
        say(self.message, "\n".join(rest.values()))

    def _say_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    @Slot()
    def reject(self) -> None:
        """Cancel or Esc: asks first when something typed is not saved."""
        if not self._busy:
            self.ask_before_closing()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
        self.register_anyway_button.setEnabled(not busy)


def set_combo(combo: QComboBox, value: str) -> None:
    """Choose `value` (added when the list does not have it: a value typed elsewhere)."""
    index = combo.findText(value, Qt.MatchFlag.MatchFixedString)
    if index < 0:
        combo.addItem(value)
        index = combo.count() - 1
    combo.setCurrentIndex(index)
