"""The chart's clinical editors — Admit, Add diagnosis, Resolve — are forms of the one pattern
(ui.chart.record_dialog) in tabs of the one list-tab base (ui.chart.record_tab), driven as a
user would on the demo practice: typed-in but unsaved work is asked about on Esc (Cancel keeps
it, Discard closes and stores nothing), an untouched form closes at once, and bad input is
refused at its field with what was typed kept."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDateEdit, QMessageBox

from iopdesk.domain.enums import AgeGroup
from iopdesk.domain.errors import StaleVersion
from iopdesk.domain.validation import ParticipantInput
from iopdesk.ui.chart.diagnoses_tab import AddDiagnosisDialog, DiagnosesTab, ResolveDialog
from iopdesk.ui.chart.episodes_tab import AdmitDialog, EpisodesTab
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.chart.record_tab import RecordListTab
from iopdesk.ui.chart.tabs import tab_class
from iopdesk.ui.unsaved import HoldsEdits

WAIT_MS = 10_000
Button = QMessageBox.StandardButton
BORN = date(1990, 4, 2)


@pytest.fixture
def clinician(demo):
    return demo.log_in("clinician")


@pytest.fixture
def today(demo) -> date:
    return demo.services.settings.clock().today()       # the practice's today


@pytest.fixture
def person(demo):
    desk = demo.log_in("frontdesk")
    return demo.services.participants.register(desk, ParticipantInput(
        first_name="Formica", last_name="Testwell", date_of_birth=BORN))


@pytest.fixture
def episode(demo, clinician, person, today):
    track = next(t for t in demo.services.staff.tracks(clinician)
                 if t.age_group is AgeGroup.ADULT)
    return demo.services.episodes.admit(clinician, person.id, track.id, today)


@pytest.fixture
def coded(demo, icd10_table):
    demo.services.diagnoses.code_table = icd10_table
    return demo.services


@pytest.fixture
def diagnosis(coded, clinician, episode, today):
    return coded.diagnoses.add(clinician, episode.id, "F10.20", is_primary=True,
                               onset_date=today - timedelta(days=30))


def _idle(qtbot, demo) -> None:
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)


def _tab(qtbot, demo, cls, actor, person, episode=None):
    summary = SimpleNamespace(current_episode_id=episode.id if episode is not None else None)
    tab = cls(demo.services, actor, demo.runner, person.id, summary, None)
    qtbot.addWidget(tab)
    tab.resize(900, 500)
    tab.show()
    _idle(qtbot, demo)
    return tab


def _question(qtbot, parent) -> QMessageBox:
    """The Save / Discard / Cancel question showing now."""
    def showing() -> list[QMessageBox]:
        return [box for box in parent.findChildren(QMessageBox, "unsavedQuestion")
                if box.isVisible()]
    qtbot.waitUntil(lambda: len(showing()) == 1, timeout=WAIT_MS)
    return showing()[0]


def _no_question(parent) -> bool:
    return not [box for box in parent.findChildren(QMessageBox, "unsavedQuestion")
                if box.isVisible()]


def _answer(qtbot, box: QMessageBox, button: Button) -> None:
    qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)


def _step_date(qtbot, edit: QDateEdit) -> QDate:
    """Change the date from the keyboard (one step down in the section under the cursor)."""
    before = edit.date()
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    assert edit.date() != before
    return edit.date()


def _asked_on_esc_cancel_keeps_discard_closes(qtbot, dialog, kept) -> None:
    """Esc asks; Cancel keeps the dialog and what `kept()` reads; Esc again, Discard closes."""
    assert dialog.has_unsaved_edits()
    shown = kept()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    _answer(qtbot, _question(qtbot, dialog), Button.Cancel)
    assert dialog.isVisible() and kept() == shown and dialog.has_unsaved_edits()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    _answer(qtbot, _question(qtbot, dialog), Button.Discard)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)


def _closes_at_once_on_esc(qtbot, dialog) -> None:
    assert not dialog.has_unsaved_edits()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and _no_question(dialog)


# -- the one pattern ------------------------------------------------------------------------


def test_the_clinical_tabs_and_dialogs_are_built_on_the_shared_bases():
    assert tab_class("episodes") is EpisodesTab and tab_class("diagnoses") is DiagnosesTab
    for tab in (EpisodesTab, DiagnosesTab):
        assert issubclass(tab, RecordListTab)
    for dialog in (AdmitDialog, AddDiagnosisDialog, ResolveDialog):
        assert issubclass(dialog, RecordDialog) and issubclass(dialog, HoldsEdits)


# -- Admit ----------------------------------------------------------------------------------


def _admit(qtbot, demo, clinician, person) -> tuple[EpisodesTab, AdmitDialog]:
    tab = _tab(qtbot, demo, EpisodesTab, clinician, person)
    assert tab.message.text() == "No episodes yet." and tab.model.rowCount() == 0
    opened = []
    tab.dialog_opened.connect(opened.append)
    qtbot.mouseClick(tab.admit_button, Qt.MouseButton.LeftButton)
    dialog = opened[-1]
    assert isinstance(dialog, AdmitDialog) and not dialog.save_button.isEnabled()
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=WAIT_MS)   # the tracks are in
    assert dialog.track_combo.count() > 0
    return tab, dialog


def test_an_untouched_admission_closes_on_esc_though_its_choices_loaded_after_it_showed(
        qtbot, demo, clinician, person):
    _tab_, dialog = _admit(qtbot, demo, clinician, person)
    assert dialog.clinician_combo.currentData() == clinician.user_id     # filled in for us
    _closes_at_once_on_esc(qtbot, dialog)


def test_a_changed_admission_is_asked_about_on_esc(qtbot, demo, clinician, person):
    tab, dialog = _admit(qtbot, demo, clinician, person)
    _step_date(qtbot, dialog.date_edit)
    _asked_on_esc_cancel_keeps_discard_closes(qtbot, dialog, dialog.date_edit.date)
    assert demo.services.episodes.list(clinician, person.id) == ()
    assert tab.model.rowCount() == 0


def test_an_admission_before_the_date_of_birth_is_refused_at_the_date(
        qtbot, demo, clinician, person):
    tab, dialog = _admit(qtbot, demo, clinician, person)
    dialog.date_edit.setDate(QDate(1985, 1, 1))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.fields.text("admission_date")), timeout=WAIT_MS)
    assert "before the date of birth" in dialog.fields.text("admission_date")
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert dialog.date_edit.date() == QDate(1985, 1, 1)                  # kept
    assert not dialog.banner.isVisible()
    assert demo.services.episodes.list(clinician, person.id) == ()

    # put right, it admits; the list reloads
    dialog.date_edit.setDate(QDate(2020, 6, 1))
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert [e.admission_date for e in tab.episodes] == [date(2020, 6, 1)]
    assert not tab.message.isVisible()


# -- Add diagnosis --------------------------------------------------------------------------


def _add(qtbot, demo, clinician, person, episode) -> tuple[DiagnosesTab, AddDiagnosisDialog]:
    tab = _tab(qtbot, demo, DiagnosesTab, clinician, person, episode)
    assert tab.add_button.isEnabled() and not tab.resolve_button.isEnabled()
    dialog = tab.open_add()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return tab, dialog


def _search(qtbot, dialog: AddDiagnosisDialog, text: str) -> None:
    with qtbot.waitSignal(dialog.searched, timeout=WAIT_MS):
        qtbot.keyClicks(dialog.search_edit, text)


def test_an_untouched_add_diagnosis_closes_on_esc(qtbot, demo, coded, clinician, person,
                                                  episode):
    _tab_, dialog = _add(qtbot, demo, clinician, person, episode)
    _closes_at_once_on_esc(qtbot, dialog)


def test_a_search_typed_into_add_diagnosis_is_asked_about_on_esc(
        qtbot, demo, coded, clinician, person, episode):
    tab, dialog = _add(qtbot, demo, clinician, person, episode)
    _search(qtbot, dialog, "alcohol dependence")
    assert dialog.choose("F10.20")
    _asked_on_esc_cancel_keeps_discard_closes(qtbot, dialog, dialog.search_edit.text)
    _idle(qtbot, demo)
    assert coded.diagnoses.list(clinician, episode.id) == () and tab.diagnoses == ()


def test_enter_in_the_search_searches_and_adds_nothing_enter_in_the_codes_adds(
        qtbot, demo, coded, clinician, person, episode):
    tab, dialog = _add(qtbot, demo, clinician, person, episode)
    _search(qtbot, dialog, "alcohol dependence")
    with qtbot.waitSignal(dialog.searched, timeout=WAIT_MS):
        qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    _idle(qtbot, demo)
    assert dialog.isVisible() and coded.diagnoses.list(clinician, episode.id) == ()
    assert dialog.choose("F10.20")
    dialog.results.setFocus()
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        qtbot.keyClick(dialog.results, Qt.Key.Key_Return)
    assert [d.icd10_code for d in tab.diagnoses] == ["F10.20"]


def test_a_bad_diagnosis_is_refused_at_its_field(qtbot, demo, coded, clinician, person,
                                                 episode, today):
    tab, dialog = _add(qtbot, demo, clinician, person, episode)
    # no code chosen: said at the code, nothing asked of the services
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.fields.text("code") == "Search and choose a code"
    assert demo.runner.pending == 0

    # an onset date in the future: refused by the service, at the onset date
    _search(qtbot, dialog, "alcohol dependence")
    assert dialog.choose("F10.20")
    assert dialog.fields.text("code") == ""
    ahead = today + timedelta(days=10)
    dialog.onset_edit.setDate(QDate(ahead.year, ahead.month, ahead.day))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.fields.text("onset_date")), timeout=WAIT_MS)
    assert "in the future" in dialog.fields.text("onset_date")
    assert dialog.fields.text("code") == "" and not dialog.banner.isVisible()
    assert dialog.isVisible() and dialog.search_edit.text() == "alcohol dependence"
    assert coded.diagnoses.list(clinician, episode.id) == ()

    # a code already current in the episode (added meanwhile): refused at the code
    coded.diagnoses.add(clinician, episode.id, "F10.20")
    dialog.onset_edit.setDate(dialog.onset_edit.minimumDate())           # no onset date
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.fields.text("code")), timeout=WAIT_MS)
    assert "already a current diagnosis" in dialog.fields.text("code")
    assert dialog.fields.text("onset_date") == "" and dialog.isVisible()
    assert len(coded.diagnoses.list(clinician, episode.id)) == 1
    dialog.discard_edits()


# -- Resolve --------------------------------------------------------------------------------


def _resolve(qtbot, demo, clinician, person, episode) -> tuple[DiagnosesTab, ResolveDialog]:
    tab = _tab(qtbot, demo, DiagnosesTab, clinician, person, episode)
    assert not tab.resolve_button.isEnabled()                 # nothing chosen yet
    tab.table.selectRow(0)
    assert tab.resolve_button.isEnabled()
    opened = []
    tab.dialog_opened.connect(opened.append)
    qtbot.mouseClick(tab.resolve_button, Qt.MouseButton.LeftButton)
    dialog = opened[-1]
    assert isinstance(dialog, ResolveDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return tab, dialog


def test_an_untouched_resolve_closes_on_esc(qtbot, demo, clinician, person, episode,
                                            diagnosis):
    _tab_, dialog = _resolve(qtbot, demo, clinician, person, episode)
    assert dialog.diagnosis.id == diagnosis.id
    _closes_at_once_on_esc(qtbot, dialog)


def test_a_changed_resolve_date_is_asked_about_on_esc(qtbot, demo, clinician, person,
                                                      episode, diagnosis):
    _tab_, dialog = _resolve(qtbot, demo, clinician, person, episode)
    _step_date(qtbot, dialog.date_edit)
    _asked_on_esc_cancel_keeps_discard_closes(qtbot, dialog, dialog.date_edit.date)
    assert demo.services.diagnoses.list(clinician, episode.id)[0].active


def test_a_resolve_date_in_the_future_is_refused_at_the_date(qtbot, demo, clinician, person,
                                                             episode, diagnosis, today):
    tab, dialog = _resolve(qtbot, demo, clinician, person, episode)
    ahead = today + timedelta(days=3)
    dialog.date_edit.setDate(QDate(ahead.year, ahead.month, ahead.day))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.fields.text("resolved_date")), timeout=WAIT_MS)
    assert "in the future" in dialog.fields.text("resolved_date")
    assert dialog.isVisible() and dialog.date_edit.date().toPython() == ahead
    assert demo.services.diagnoses.list(clinician, episode.id)[0].active

    # today: resolved; the list greys it and Resolve is off for it
    dialog.date_edit.setDate(QDate(today.year, today.month, today.day))
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert [d.resolved_date for d in tab.diagnoses] == [today]
    tab.table.selectRow(0)
    assert not tab.resolve_button.isEnabled()
    assert tab.open_resolve() is None
    assert tab.message.text() == "Choose a current diagnosis to resolve."


def test_a_diagnosis_resolved_elsewhere_meanwhile_is_said_in_the_banner(
        qtbot, demo, clinician, person, episode, diagnosis, today):
    _tab_, dialog = _resolve(qtbot, demo, clinician, person, episode)
    demo.services.diagnoses.resolve(clinician, diagnosis.id, diagnosis.version, today)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.banner.isVisible, timeout=WAIT_MS)
    assert "nothing was overwritten" in dialog.banner.text().lower() and dialog.isVisible()
    assert dialog.fields.text("resolved_date") == ""
    with pytest.raises(StaleVersion):
        demo.services.diagnoses.resolve(clinician, diagnosis.id, diagnosis.version, today)


# -- the Diagnoses tab without an episode ---------------------------------------------------


def test_the_diagnoses_tab_without_an_episode_says_to_admit_first(qtbot, demo, clinician,
                                                                  person):
    tab = _tab(qtbot, demo, DiagnosesTab, clinician, person)
    assert tab.message.isVisible()
    assert tab.message.text() == "No episode yet: admit the participant first."
    assert not tab.add_button.isEnabled() and not tab.resolve_button.isEnabled()
    assert tab.open_add() is None
    tab.reload()
    assert demo.runner.pending == 0 and tab.model.rowCount() == 0
