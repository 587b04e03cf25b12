"""The chart's Intake tab: the current episode's intake assessment, "Save draft" and "Sign…".
Signing checks the fields first (each message at its field, gone as soon as the field is
fixed), saves what is typed, then asks the signer's password (ui.signing). A signed intake is
shown read-only with who signed it and when, and whether it awaits a supervisor's
co-signature ("Co-sign…" for the supervisor), and prints ("Print…": the PDF preview, every
print or save recorded as an `intake_assessment` export). A save over a newer version
(StaleVersion) is refused with a message; the typed text stays in the form.

The tab knows when it holds unsaved edits (what is typed differs from what was shown) and takes
part in ui.unsaved's Save / Discard / Cancel question; a change of this intake by someone else
while it is being edited is shown as a banner instead of a reload."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from iopdesk.domain.clinical import (ASAM_DIMENSIONS, ASAM_RATING_MAX, INTAKE_TEXT_FIELDS,
                                     LEVEL_NAMES, AsamRating, IntakeInput, check_signable)
from iopdesk.domain.enums import Role
from iopdesk.domain.errors import StaleVersion, ValidationError
from iopdesk.ui.errors import describe_error, show_error
from iopdesk.ui.forms import BANNER_STYLE, FieldMessages, error_label, say, set_locked
from iopdesk.ui.signing import AddendumDialog, SignDialog


DOCUMENT = "intake_assessment"     # the kind of document its print records (services.documents)


class IntakeTab(QWidget):
    saved = Signal(object)          # the Intake after a save or a signature
    loaded = Signal()
    preview_opened = Signal(object)     # the PdfPreviewDialog of "Print…"
    recorded = Signal(str, str)         # a print or save is in the audit trail

    def __init__(self, services, actor, runner, participant_id: int, summary, parent=None):
        super().__init__(parent)
        self.services, self.actor, self.runner = services, actor, runner
        self.episode_id = summary.current_episode_id
        self.participant_id = participant_id
        # whose intake, for the preview's title and file name
        self._who = (getattr(summary, "display_name", ""), getattr(summary, "chart_number", ""))
        self.intake = None
        self._shown: IntakeInput | None = None      # what the form showed when loaded/saved
        self._saving = False
        self.setProperty("formTitle", self.tr("Intake assessment"))
        self.fields = FieldMessages()
        form_widget = QWidget(self)
        form = QFormLayout(form_widget)
        self.texts: dict[str, QPlainTextEdit] = {}
        for name, title in INTAKE_TEXT_FIELDS.items():
            edit = QPlainTextEdit(form_widget)
            edit.setObjectName(name)
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(60)
            self.fields.add_row(form, self.tr(title) + ":", edit, name)
            self.texts[name] = edit
        self.ratings: dict[int, QComboBox] = {}
        self.notes: dict[int, QLineEdit] = {}
        for number, title in ASAM_DIMENSIONS.items():
            row = QWidget(form_widget)
            box = QHBoxLayout(row)
            box.setContentsMargins(0, 0, 0, 0)
            combo = QComboBox(row)
            combo.setObjectName(f"asam_{number}")
            combo.addItem(self.tr("—"), None)
            for rating in range(ASAM_RATING_MAX + 1):
                combo.addItem(str(rating), rating)
            note = QLineEdit(row)
            note.setObjectName(f"asam_{number}_note")
            note.setPlaceholderText(self.tr("Note"))
            box.addWidget(combo)
            box.addWidget(note, 1)
            self.fields.add_row(form, self.tr("ASAM {n}. {title}:").format(n=number,
                                                                          title=title),
                                row, f"asam_{number}")
            self.ratings[number], self.notes[number] = combo, note
        self.level_combo = QComboBox(form_widget)
        self.level_combo.setObjectName("recommended_level")
        self.level_combo.addItem(self.tr("—"), None)
        for level, title in LEVEL_NAMES.items():
            self.level_combo.addItem(self.tr(title), level)
        self.fields.add_row(form, self.tr("Recommended level:"), self.level_combo,
                            "recommended_level")
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_widget)

        self.signed_label = QLabel(self)
        self.signed_label.setObjectName("intakeSigned")
        self.signed_label.setStyleSheet("font-weight: bold; color: #1b5e20;")
        self.signed_label.hide()
        self.message = error_label(self, "intakeMessage")
        self.stale = QLabel(self)
        self.stale.setObjectName("intakeStale")
        self.stale.setStyleSheet(BANNER_STYLE)
        self.stale.setWordWrap(True)
        self.stale.hide()
        self.save_button = QPushButton(self.tr("&Save draft"), self)
        self.save_button.setObjectName("saveDraftButton")
        self.save_button.clicked.connect(self.save_draft)
        self.sign_button = QPushButton(self.tr("S&ign…"), self)
        self.sign_button.setObjectName("signButton")
        self.sign_button.clicked.connect(self.ask_to_sign)
        self.cosign_button = QPushButton(self.tr("&Co-sign…"), self)
        self.cosign_button.setObjectName("cosignButton")
        self.cosign_button.clicked.connect(self.ask_to_cosign)
        self.cosign_button.hide()
        self.print_button = QPushButton(self.tr("&Print…"), self)
        self.print_button.setObjectName("printIntakeButton")
        self.print_button.setToolTip(self.tr("Preview the signed intake assessment, then print "
                                             "it or save it as a PDF"))
        self.print_button.clicked.connect(self.print_intake)
        self.print_button.hide()
        self.addendum_button = QPushButton(self.tr("Add a&ddendum…"), self)
        self.addendum_button.setObjectName("addendumButton")
        self.addendum_button.setToolTip(self.tr("Correct or add to the signed intake: an "
                                                "addendum with your name and the time"))
        self.addendum_button.clicked.connect(self.ask_for_addendum)
        self.addendum_button.hide()
        self.addenda_label = QLabel(self)
        self.addenda_label.setObjectName("intakeAddenda")
        self.addenda_label.setWordWrap(True)
        self.addenda_label.setTextFormat(Qt.TextFormat.PlainText)
        self.addenda_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.addenda_label.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.signed_label, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.sign_button)
        buttons.addWidget(self.cosign_button)
        buttons.addWidget(self.addendum_button)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stale)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.addenda_label)
        layout.addLayout(buttons)
        self.sign_dialog: SignDialog | None = None
        if self.episode_id is None:
            say(self.message, self.tr("No episode yet: admit the participant first."))
            self._set_read_only(True)
        else:
            self.reload()

    # -- loading and showing ----------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        s, a, eid = self.services, self.actor, self.episode_id
        self.runner.submit(lambda: s.intake.get(a, eid), self._loaded, self._failed,
                           owner=self)

    def _loaded(self, intake) -> None:
        self.show_intake(intake)
        self.loaded.emit()

    def show_intake(self, intake) -> None:
        self.intake = intake
        self.stale.hide()
        self.fields.clear()
        self.print_button.setVisible(intake is not None and intake.signed
                                     and hasattr(self.services, "documents"))
        if intake is None:
            self._set_read_only(False)
            self._shown = self.form_input()
            return
        for name, edit in self.texts.items():
            edit.setPlainText(getattr(intake, name))
        for number, combo in self.ratings.items():
            given = intake.asam.get(number, AsamRating())
            combo.setCurrentIndex(max(0, combo.findData(given.rating)) if given.rating
                                  is not None else 0)
            self.notes[number].setText(given.note)
        index = self.level_combo.findData(intake.recommended_level)
        self.level_combo.setCurrentIndex(index if intake.recommended_level and index >= 0
                                         else 0)
        self._set_read_only(intake.signed)
        self.signed_label.setText(self.signature_text(intake))
        self.signed_label.setVisible(intake.signed)
        self.cosign_button.setVisible(intake.awaiting_cosign and self.actor.has(Role.SUPERVISOR)
                                      and intake.clinician_id != self.actor.user_id)
        self.addendum_button.setVisible(intake.signed and (self.actor.has(Role.CLINICIAN)
                                                           or self.actor.has(Role.SUPERVISOR)))
        self.addenda_label.setText(self.addenda_text(intake))
        self.addenda_label.setVisible(bool(intake.addenda))
        self._shown = self.form_input()

    def addenda_text(self, intake) -> str:
        """Each addendum under the signed intake: who, when, what."""
        clock = self.services.settings.clock()
        return "\n\n".join(self.tr("Addendum by {who} on {when}:\n{text}").format(
            who=a.author_name, when=clock.date_time(a.written_at), text=a.text)
            for a in intake.addenda)

    def signature_text(self, intake) -> str:
        """'Signed by … on …', with its co-signature or that it awaits one."""
        if not intake.signed:
            return ""
        clock = self.services.settings.clock()
        text = self.tr("Signed by {who} on {when}").format(
            who=intake.signed_by, when=clock.date_time(intake.signed_at))
        if intake.awaiting_cosign:
            text += self.tr(" · awaiting co-signature")
        elif intake.cosigned_by:
            text += self.tr(" · co-signed by {who} on {when}").format(
                who=intake.cosigned_by, when=clock.date_time(intake.cosigned_at))
        return text

    def _set_read_only(self, read_only: bool) -> None:
        for edit in self.texts.values():
            set_locked(edit, read_only)
        for combo in (*self.ratings.values(), self.level_combo):
            combo.setEnabled(not read_only)
        for note in self.notes.values():
            set_locked(note, read_only)
        self.save_button.setEnabled(not read_only)
        self.sign_button.setEnabled(not read_only)

    def form_input(self) -> IntakeInput:
        asam = {n: AsamRating(self.ratings[n].currentData(), self.notes[n].text())
                for n in ASAM_DIMENSIONS}
        return IntakeInput(
            assessed_on=self.intake.assessed_on if self.intake else None, asam=asam,
            recommended_level=self.level_combo.currentData(),
            **{name: edit.toPlainText() for name, edit in self.texts.items()})

    # -- unsaved edits (ui.unsaved) --------------------------------------------------------

    def has_unsaved_edits(self) -> bool:
        return (self.episode_id is not None and self._shown is not None
                and not (self.intake is not None and self.intake.signed)
                and self.form_input() != self._shown)

    def save_edits(self, done) -> None:
        self.save_draft(done=done)

    def discard_edits(self) -> None:
        self.show_intake(self.intake)

    def show_changed_elsewhere(self, change_set) -> None:
        """Someone else saved this intake while it is being edited: say so, keep the text."""
        self.stale.setText(self.tr(
            "{who} changed this intake after you opened it. Your text is still here and "
            "nothing was overwritten; saving it will be refused. Copy what you need, then "
            "reload (F5) to see their version.").format(
                who=change_set.describe(self.services.settings.time_zone())))
        self.stale.show()

    # -- saving and signing -------------------------------------------------------------

    @Slot()
    def save_draft(self, done=None) -> None:
        self.fields.clear()
        say(self.message, "")
        data = self.form_input()
        version = self.intake.version if self.intake else None
        s, a, eid = self.services, self.actor, self.episode_id
        self.save_button.setEnabled(False)
        self.sign_button.setEnabled(False)

        def failed(error: object) -> None:
            self._failed(error)
            if done is not None:
                done(False)

        def saved(intake) -> None:
            self._shown = replace(data, assessed_on=intake.assessed_on)   # as form_input reads
            self.intake = intake
            self._set_read_only(False)
            self.saved.emit(intake)
            if done is not None:
                done(True)

        self.runner.change(lambda: s.intake.save_draft(a, eid, data, version),
                           saved, failed, owner=self)

    @Slot()
    def ask_to_sign(self) -> SignDialog | None:
        """Check the fields a signature needs (each message at its field); save what is
        typed; then ask the password. The dialog, or None when a field needs attention first
        (the dialog opens once the save is done, when one is needed)."""
        self.fields.clear()
        say(self.message, "")
        try:
            check_signable(self.form_input())
        except ValidationError as error:
            self._failed(error)
            return None
        if self.intake is None or self.has_unsaved_edits():
            self.save_draft(done=self._open_sign_dialog_if_saved)
            return None
        return self._open_sign_dialog()

    def _open_sign_dialog_if_saved(self, saved: bool) -> None:
        if saved:
            self._open_sign_dialog()

    def _open_sign_dialog(self) -> SignDialog:
        dialog = SignDialog(
            self.tr("Sign intake"),
            self.tr("Sign this intake assessment as {who}? A signed intake cannot be changed; "
                    "a correction is made by an addendum.").format(who=self.actor.display_name),
            self.runner, self._sign_call, self)
        return self._show_sign_dialog(dialog)

    @Slot()
    def ask_to_cosign(self) -> SignDialog | None:
        if self.intake is None or not self.intake.awaiting_cosign:
            return None
        dialog = SignDialog(
            self.tr("Co-sign intake"),
            self.tr("Co-sign this intake assessment, signed by {who}, as its supervisor?")
            .format(who=self.intake.signed_by),
            self.runner, self._cosign_call, self, action=self.tr("Co-sign"))
        return self._show_sign_dialog(dialog)

    @Slot()
    def ask_for_addendum(self) -> AddendumDialog | None:
        """Correct or add to the signed intake (it never changes itself): the addendum's
        text and the author's password."""
        if self.intake is None or not self.intake.signed:
            return None
        dialog = AddendumDialog(
            self.tr("Addendum to the intake"),
            self.tr("The signed intake stays as it was signed; the addendum is kept with it, "
                    "with your name and the time, and prints with it."),
            self.runner, self._addendum_call, self)
        return self._show_sign_dialog(dialog)

    def _addendum_call(self, text: str, password: str):
        s, a, intake_id = self.services, self.actor, self.intake.id
        return lambda: s.intake.add_addendum(a, intake_id, text, password)

    def _show_sign_dialog(self, dialog: SignDialog) -> SignDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.signed.connect(self._signed)
        dialog.refused.connect(self._failed)
        self.sign_dialog = dialog
        dialog.open()
        return dialog

    def _sign_call(self, password: str):
        s, a, intake = self.services, self.actor, self.intake
        return lambda: s.intake.sign(a, intake.id, intake.version, password)

    def _cosign_call(self, password: str):
        s, a, intake = self.services, self.actor, self.intake
        return lambda: s.cosign.cosign(a, "intake", intake.id, intake.version, password)

    def _signed(self, intake) -> None:
        self.sign_dialog = None
        self.show_intake(intake)
        self.saved.emit(intake)

    # -- printing ---------------------------------------------------------------------------

    @Slot()
    def print_intake(self) -> None:
        """Build the signed intake's PDF on a worker, then preview it."""
        if self.intake is None or not self.intake.signed:
            return
        s, a, pid = self.services, self.actor, self.participant_id
        self.print_button.setEnabled(False)
        self.runner.submit(lambda: s.documents.intake_assessment(a, pid), self._preview,
                           self._print_failed, owner=self)

    def _preview(self, pdf: bytes) -> None:
        from iopdesk.ui.pdf_preview import PdfPreviewDialog

        self.print_button.setEnabled(True)
        name, chart = self._who
        dialog = PdfPreviewDialog(
            pdf, self.tr("Intake assessment — {name} ({chart})").format(name=name, chart=chart),
            self._record, file_name=self.tr("Intake assessment {chart}.pdf").format(chart=chart),
            runner=self.runner, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.show()
        self.preview_opened.emit(dialog)

    def _print_failed(self, error: object) -> None:
        self.print_button.setEnabled(True)
        show_error(self, self.tr("Intake assessment"), error)

    def _record(self, kind: str, where: str) -> None:
        s, a, pid = self.services, self.actor, self.participant_id

        def record() -> tuple[str, str]:
            s.documents.record_export(a, DOCUMENT, pid, where, how=kind)
            return kind, where

        self.runner.submit(record, self._was_recorded, self._not_recorded, owner=self)

    def _was_recorded(self, done: tuple[str, str]) -> None:
        self.recorded.emit(*done)

    def _not_recorded(self, error: object) -> None:
        show_error(self, self.tr("Intake assessment"), self.tr(
            "The intake assessment went out, but IOPDesk could not record it in the audit "
            "log. Tell your administrator.\n\n{reason}").format(reason=describe_error(error)))

    def _failed(self, error: object) -> None:
        if self.intake is None or not self.intake.signed:
            self._set_read_only(False)
        if isinstance(error, StaleVersion):
            self.stale.setText(self.tr(
                "Someone else saved this intake after you opened it; nothing was "
                "overwritten and your text is still here. Copy what you need, then reload "
                "(F5 in the chart) to see their version. ({detail})").format(
                    detail=describe_error(error)))
            self.stale.show()
        elif isinstance(error, ValidationError):
            rest = self.fields.show(error.fields)
            say(self.message, "\n".join(rest.values()) if rest else self.tr(
                "Some fields need attention (see the messages under them)."))
        else:
            say(self.message, describe_error(error))
