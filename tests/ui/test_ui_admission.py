"""Admitting to the track that fits the participant's age, the warning that must be
acknowledged when the chosen track does not, drop-downs as wide as their choices, and an
episode entered in error by a supervisor — driven as a user would on the demo practice."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton

from iopdesk.domain.enums import AgeGroup, AuditOutcome, EpisodeStatus
from iopdesk.domain.errors import PermissionDenied
from iopdesk.domain.validation import ParticipantInput
from iopdesk.ui.areas.today import TodayArea
from iopdesk.ui.chart.episodes_tab import AdmitDialog, EnterInErrorDialog, EpisodesTab
from iopdesk.ui.main_window import TODAY as TODAY_AREA

WAIT_MS = 10_000
REASON = "Admitted to the wrong chart"


@pytest.fixture
def today(demo) -> date:
    return demo.services.settings.clock().today()       # the practice's today


def _register(demo, last_name: str, born: date):
    desk = demo.log_in("frontdesk")
    return demo.services.participants.register(desk, ParticipantInput(
        first_name="Robin", last_name=last_name, date_of_birth=born))


@pytest.fixture
def adult(demo, today):
    """41 years old at the practice today."""
    return _register(demo, "Evenbrook", date(today.year - 41, 1, 1))


def _idle(qtbot, demo) -> None:
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)


def _tab(qtbot, demo, actor, person, *, with_birth_date: bool = True) -> EpisodesTab:
    summary = SimpleNamespace(current_episode_id=None,
                              date_of_birth=person.date_of_birth if with_birth_date else None)
    tab = EpisodesTab(demo.services, actor, demo.runner, person.id, summary, None)
    qtbot.addWidget(tab)
    tab.resize(900, 500)
    tab.show()
    _idle(qtbot, demo)
    return tab


def _open_admit(qtbot, tab: EpisodesTab) -> AdmitDialog:
    opened = []
    tab.dialog_opened.connect(opened.append)
    qtbot.mouseClick(tab.admit_button, Qt.MouseButton.LeftButton)
    dialog = opened[-1]
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=WAIT_MS)     # the choices are in
    return dialog


def _tracks(demo, actor):
    tracks = demo.services.staff.tracks(actor)
    adult = next(t for t in tracks if t.age_group is AgeGroup.ADULT)
    teen = next(t for t in tracks if t.age_group is AgeGroup.ADOLESCENT)
    return tracks, adult, teen


# -- the track that fits ----------------------------------------------------------------------

@pytest.mark.parametrize("with_birth_date", [True, False], ids=["banner", "read"])
def test_a_41_year_old_is_admitted_to_the_adult_track_by_default(
        qtbot, demo, adult, today, with_birth_date):
    clinician = demo.log_in("clinician")
    tracks, adult_track, _ = _tracks(demo, clinician)
    assert tracks[0].age_group is AgeGroup.ADOLESCENT     # the old default: the first track
    tab = _tab(qtbot, demo, clinician, adult, with_birth_date=with_birth_date)
    dialog = _open_admit(qtbot, tab)
    assert dialog.track_combo.currentData() == adult_track.id
    assert dialog.date_of_birth == adult.date_of_birth
    assert dialog.age_mismatch == "" and not dialog.age_box.isVisibleTo(dialog)
    assert not dialog.has_unsaved_edits()                   # a default is no edit
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert [(e.track_id, e.admission_date) for e in tab.episodes] == [(adult_track.id, today)]


def test_the_adolescent_track_warns_and_admits_only_once_acknowledged(qtbot, demo, adult):
    clinician, admin = demo.log_in("clinician"), demo.log_in("admin")
    _, adult_track, teen_track = _tracks(demo, clinician)
    tab = _tab(qtbot, demo, clinician, adult)
    dialog = _open_admit(qtbot, tab)
    dialog.track_combo.setCurrentIndex(dialog.track_combo.findData(teen_track.id))
    assert dialog.age_box.isVisibleTo(dialog)
    warning = dialog.age_warning.text()
    assert "41 years old" in warning and teen_track.name in warning
    assert "adolescent track (under 18)" in warning
    assert not dialog.acknowledge.isChecked()

    # not acknowledged: refused at the track, nothing saved
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.fields.text("track_id")), timeout=WAIT_MS)
    assert "Admit anyway" in dialog.fields.text("track_id")
    assert dialog.isVisible()
    _idle(qtbot, demo)
    assert demo.services.episodes.list(clinician, adult.id) == ()

    # back to an adult track: no warning; to the adolescent one again: not yet acknowledged
    dialog.track_combo.setCurrentIndex(dialog.track_combo.findData(adult_track.id))
    assert not dialog.age_box.isVisibleTo(dialog) and not dialog.fields.text("track_id")
    dialog.track_combo.setCurrentIndex(dialog.track_combo.findData(teen_track.id))
    assert dialog.age_box.isVisibleTo(dialog) and not dialog.acknowledge.isChecked()

    # acknowledged: admitted, and the audit event records it
    box = dialog.acknowledge                                   # a click on its tick box
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))
    assert box.isChecked()
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    [episode] = tab.episodes
    assert episode.track_id == teen_track.id and episode.status is EpisodeStatus.ACTIVE
    [event] = demo.services.audit.search(admin, action="episode.admit",
                                         participant_id=adult.id).rows
    detail = json.loads(event.detail)
    assert detail["age_mismatch_acknowledged"]["age"] == 41
    assert detail["age_mismatch_acknowledged"]["reason"] == dialog.age_mismatch


def test_the_drop_downs_are_as_wide_as_their_longest_choice(qtbot, demo, adult):
    clinician = demo.log_in("clinician")
    tab = _tab(qtbot, demo, clinician, adult)
    dialog = _open_admit(qtbot, tab)
    _idle(qtbot, demo)
    for combo in (dialog.track_combo, dialog.clinician_combo):
        texts = [combo.itemText(i) for i in range(combo.count())]
        metrics = combo.fontMetrics()
        longest = max(texts, key=metrics.horizontalAdvance)
        assert combo.sizeHint().width() >= metrics.horizontalAdvance(longest), longest
        assert combo.width() >= metrics.horizontalAdvance(longest), longest   # as shown
    dialog.reject()


# -- entered in error -------------------------------------------------------------------------

def test_a_supervisor_marks_an_episode_entered_in_error(qtbot, demo, adult, today, open_window):
    supervisor, admin = demo.log_in("supervisor"), demo.log_in("admin")
    _, adult_track, _ = _tracks(demo, supervisor)
    episode = demo.services.episodes.admit(supervisor, adult.id, adult_track.id, today,
                                           supervisor.user_id)
    window = open_window("supervisor", loaded=True)
    model = window.participant_model

    def status_listed() -> str:
        with qtbot.waitSignal(model.search_finished, timeout=WAIT_MS):
            model.set_query("Evenbrook")
        [row] = [r for r in range(model.rowCount())
                 if model.index(r, model.NAME).data().startswith("Evenbrook")]
        return model.index(row, model.STATUS).data()

    today_area = window.page(TODAY_AREA)
    assert isinstance(today_area, TodayArea)

    def caseload() -> set[int]:
        with qtbot.waitSignal(today_area.caseload_loaded, timeout=WAIT_MS):
            today_area.reload()
        return {today_area.caseload_model.row_at(r).episode_id
                for r in range(today_area.caseload_model.rowCount())}

    assert status_listed() == "Active" and episode.id in caseload()

    chart = window.open_chart(adult.id)
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT_MS)
    tab = chart.show_tab("episodes")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=WAIT_MS)
    assert not tab.error_button.isEnabled()                 # nothing chosen yet
    tab.table.selectRow(0)
    assert tab.error_button.isEnabled()
    opened = []
    tab.dialog_opened.connect(opened.append)
    qtbot.mouseClick(tab.error_button, Qt.MouseButton.LeftButton)
    dialog = opened[-1]
    assert isinstance(dialog, EnterInErrorDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)

    # no reason: refused at the reason, nothing saved
    qtbot.keyClicks(dialog.reason_edit, "   ")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Say why" in dialog.fields.text("reason")
    assert dialog.isVisible()
    _idle(qtbot, demo)
    assert [e.status for e in demo.services.episodes.list(supervisor, adult.id)] == [
        EpisodeStatus.ACTIVE]

    # with a reason: marked, and the list shows it struck through and greyed
    dialog.reason_edit.clear()
    qtbot.keyClicks(dialog.reason_edit, REASON)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    def marked_and_settled() -> bool:
        """The tab shows it marked, and nothing is on its way (the change set may have the
        chart rebuild its tabs: the current episode is gone)."""
        current = chart.show_tab("episodes")
        return (demo.runner.pending == 0 and current.model.rowCount() == 1
                and current.model.row_at(0).entered_in_error)

    qtbot.waitUntil(marked_and_settled, timeout=WAIT_MS)
    tab = chart.show_tab("episodes")
    [shown] = tab.episodes
    assert shown.id == episode.id and shown.entered_in_error
    status = tab.model.index(0, tab.model.STATUS)
    assert status.data() == "Entered in error"
    assert status.data(Qt.ItemDataRole.FontRole).strikeOut()
    assert status.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert REASON in status.data(Qt.ItemDataRole.ToolTipRole)
    assert "Samuel Okafor" in status.data(Qt.ItemDataRole.ToolTipRole)
    tab.table.selectRow(0)
    assert not tab.error_button.isEnabled()                  # marked once

    # gone from the participant list's status and from Today's caseload ...
    assert status_listed() == "" and episode.id not in caseload()
    # ... and in the audit trail, with the reason
    [event] = demo.services.audit.search(admin, action="episode.enter_in_error",
                                         participant_id=adult.id).rows
    assert (event.outcome, event.username, event.entity_id) == (
        AuditOutcome.OK, "supervisor", episode.id)
    assert json.loads(event.detail)["reason"] == REASON
    chart.close()


def test_a_clinician_has_no_such_action_and_the_service_refuses_them(
        qtbot, demo, adult, today):
    clinician, admin = demo.log_in("clinician"), demo.log_in("admin")
    _, adult_track, _ = _tracks(demo, clinician)
    episode = demo.services.episodes.admit(clinician, adult.id, adult_track.id, today)
    tab = _tab(qtbot, demo, clinician, adult)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=WAIT_MS)
    tab.table.selectRow(0)
    assert tab.error_button is None
    assert tab.findChild(QPushButton, "enterInErrorButton") is None
    assert tab.open_enter_in_error() is None
    with pytest.raises(PermissionDenied):
        demo.services.episodes.enter_in_error(clinician, episode.id, episode.version, REASON)
    [refusal] = demo.services.audit.search(admin, action="episode.enter_in_error",
                                           participant_id=adult.id).rows
    assert (refusal.outcome, refusal.username) == (AuditOutcome.REFUSED, "clinician")
    assert [e.status for e in demo.services.episodes.list(clinician, adult.id)] == [
        EpisodeStatus.ACTIVE]
