"""The chart window and its clinical tabs (episodes, diagnoses, intake), driven as a user would
on the demo practice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import Qt

from iopdesk.domain.demo_accounts import DEMO_PASSWORD
from iopdesk.domain.enums import AgeGroup, EpisodeStatus, LevelOfCare
from iopdesk.domain.errors import PermissionDenied
from iopdesk.domain.validation import ParticipantInput
from iopdesk.ui.chart.window import ChartWindow

WAIT_MS = 10_000


def _open_by_name(qtbot, window, name: str) -> ChartWindow:
    model = window.participant_model
    with qtbot.waitSignal(model.search_finished, timeout=WAIT_MS):
        qtbot.keyClicks(window.participants.search_edit, name)
    qtbot.waitUntil(lambda: not window.participants._debounce.isActive()
                    and not model.loading, timeout=WAIT_MS)
    assert model.rowCount() == 1
    qtbot.keyClick(window.participants.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(window.charts.windows()), timeout=WAIT_MS)
    chart = window.charts.windows()[0]
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT_MS)
    return chart


def _wait_idle(qtbot, demo):
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)


def test_clinician_opens_chart_sees_banner_and_suicide_alert(qtbot, demo, open_window):
    window = open_window("clinician")
    chart = _open_by_name(qtbot, window, "Ashley Whitaker")
    assert "Whitaker, Ashley" in chart.name_label.text()
    assert chart.summary.chart_number in chart.details_label.text()
    assert f"Age {chart.summary.age}" in chart.details_label.text()
    alerts = chart.alert_labels()
    assert alerts and alerts[0].objectName() == "alert_suicide_risk"
    assert "SUICIDE RISK" in alerts[0].text()
    assert "#b00020" in alerts[0].styleSheet() and "bold" in alerts[0].styleSheet()
    for title in ("Episodes", "Diagnoses", "Intake assessment"):
        assert title in chart.tab_titles()
    # the same participant again: the same window
    assert window.open_chart(chart.participant_id) is chart
    chart.show_tab("episodes")
    _wait_idle(qtbot, demo)
    chart.resize(1000, 640)
    assert not chart.grab().isNull()               # it paints (nothing is written)
    chart.close()


def test_admit_new_and_referred_participants_and_conflict_for_active(qtbot, demo, open_window):
    window = open_window("clinician")
    desk = demo.log_in("frontdesk")
    demo.services.participants.register(desk, ParticipantInput(
        first_name="Quentin", last_name="Zabriskie", date_of_birth=date(1990, 4, 2)))
    chart = _open_by_name(qtbot, window, "Zabriskie")
    assert chart.summary.current_episode_id is None
    tab = chart.show_tab("episodes")
    _wait_idle(qtbot, demo)
    dialog = tab.open_admit()
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=WAIT_MS)
    assert dialog.age_mismatch == ""             # the default track fits his age
    with qtbot.waitSignal(chart.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert chart.summary.current_episode_id is not None
    assert "Active" in chart.details_label.text()
    episodes = chart.show_tab("episodes")
    qtbot.waitUntil(lambda: episodes.model.rowCount() == 1, timeout=WAIT_MS)
    chart.close()

    # a referred participant: admitting starts the referral's episode (no second one)
    referred = window.open_chart(39)
    qtbot.waitUntil(lambda: referred.summary is not None, timeout=WAIT_MS)
    assert referred.summary.status is EpisodeStatus.REFERRED
    tab = referred.show_tab("episodes")
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=WAIT_MS)
    rows = tab.model.rowCount()
    dialog = tab.open_admit()
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(referred.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert referred.summary.status is EpisodeStatus.ACTIVE
    tab = referred.show_tab("episodes")
    qtbot.waitUntil(lambda: tab.model.rowCount() == rows
                    and tab.model.index(0, 2).data() == "Active", timeout=WAIT_MS)

    # admitted now: a second admission shows the conflict in the dialog, at the date
    dialog = tab.open_admit()
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "already admitted" in dialog.fields.text("admission_date"),
                    timeout=WAIT_MS)
    assert dialog.isVisible()
    dialog.reject()
    referred.close()


def test_add_diagnosis_by_words(qtbot, demo, icd10_table, open_window):
    demo.services.diagnoses.code_table = icd10_table
    window = open_window("clinician")
    chart = _open_by_name(qtbot, window, "Ashley Whitaker")
    tab = chart.show_tab("diagnoses")
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)
    before = {d.icd10_code for d in tab.diagnoses if d.active}
    assert "F10.20" not in before          # the demo (fixed seed) gives her other diagnoses
    dialog = tab.open_add()
    with qtbot.waitSignal(dialog.searched, timeout=WAIT_MS):
        qtbot.keyClicks(dialog.search_edit, "alcohol dependence")
    qtbot.waitUntil(lambda: dialog.choose("F10.20") or not dialog.isVisible(),
                    timeout=WAIT_MS)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "F10.20" in {d.icd10_code for d in tab.diagnoses if d.active}
    chart.close()


def _fresh_episode_chart(qtbot, demo, window, last_name: str) -> ChartWindow:
    desk = demo.log_in("frontdesk")
    person = demo.services.participants.register(desk, ParticipantInput(
        first_name="Test", last_name=last_name, date_of_birth=date(1985, 1, 1)))
    track = next(t for t in demo.services.staff.tracks(window.actor)
                 if t.age_group is AgeGroup.ADULT)
    demo.services.episodes.admit(window.actor, person.id, track.id, date.today())
    chart = window.open_chart(person.id)
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT_MS)
    return chart


def test_intake_sign_missing_ratings_then_complete_and_sign(qtbot, demo, open_window):
    window = open_window("clinician")
    chart = _fresh_episode_chart(qtbot, demo, window, "Intakeson")
    tab = chart.show_tab("intake")
    qtbot.waitSignal(tab.loaded, timeout=WAIT_MS) if tab.intake is None else None
    _wait_idle(qtbot, demo)
    tab.texts["presenting_problem"].setPlainText("Daily drinking, wants to stop")
    tab.texts["risk_screening"].setPlainText("Denies SI/HI")
    qtbot.mouseClick(tab.sign_button, Qt.MouseButton.LeftButton)
    # the fields are checked first: no password is asked while one is missing
    assert tab.sign_dialog is None
    assert "needs a rating" in tab.fields.text("asam_6")
    assert tab.fields.text("recommended_level")
    assert tab.texts["presenting_problem"].toPlainText() == "Daily drinking, wants to stop"

    for number, combo in tab.ratings.items():
        combo.setCurrentIndex(combo.findData(number % 3))
    tab.level_combo.setCurrentIndex(tab.level_combo.findData(LevelOfCare.IOP))
    qtbot.mouseClick(tab.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.sign_dialog is not None and tab.sign_dialog.isVisible(),
                    timeout=WAIT_MS)                    # saved, then the password is asked
    dialog = tab.sign_dialog
    qtbot.keyClicks(dialog.password_edit, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.signed, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    # the chart reloads after a signature: the intake tab is made again from the database
    qtbot.waitUntil(lambda: not any(a.objectName() == "alert_no_signed_intake"
                                    for a in chart.alert_labels()), timeout=WAIT_MS)
    tab = chart.show_tab("intake")
    qtbot.waitUntil(lambda: tab.intake is not None, timeout=WAIT_MS)
    assert tab.intake.signed
    assert tab.signed_label.text().startswith("Signed by Dana Whitfield")
    assert tab.texts["presenting_problem"].isReadOnly()
    assert not tab.save_button.isEnabled()
    chart.close()


def test_intake_stale_version_keeps_text(qtbot, demo, open_window):
    window = open_window("clinician")
    chart = _fresh_episode_chart(qtbot, demo, window, "Stalewood")
    tab = chart.show_tab("intake")
    _wait_idle(qtbot, demo)
    tab.texts["presenting_problem"].setPlainText("first")
    with qtbot.waitSignal(tab.saved, timeout=WAIT_MS):
        tab.save_draft()
    # someone else saves over it meanwhile
    other = replace(tab.intake.as_input(), medications="theirs")
    demo.services.intake.save_draft(window.actor, tab.episode_id, other, tab.intake.version)
    tab.texts["presenting_problem"].setPlainText("my careful words")
    tab.save_draft()
    qtbot.waitUntil(tab.stale.isVisible, timeout=WAIT_MS)
    assert "nothing was overwritten" in tab.stale.text()
    assert tab.texts["presenting_problem"].toPlainText() == "my careful words"
    chart.close()


def test_front_desk_sees_no_clinical_tabs(qtbot, demo, open_window):
    window = open_window("frontdesk")
    chart = _open_by_name(qtbot, window, "Ashley Whitaker")
    assert set(chart.summary.tabs) == {"face_sheet", "contacts", "consents", "attendance"}
    for title in ("Episodes", "Diagnoses", "Intake assessment"):
        assert title not in chart.tab_titles()
    assert not any(a.objectName() == "alert_suicide_risk" for a in chart.alert_labels())
    episode_id = demo.services.chart.open(demo.log_in("clinician"),
                                          chart.participant_id).current_episode_id
    with pytest.raises(PermissionDenied):
        demo.services.diagnoses.list(window.actor, episode_id)
    chart.close()


def test_ctrl_o_opens_selected_chart_and_ctrl_w_closes(qtbot, open_window):
    window = open_window("clinician")
    chart = _open_by_name(qtbot, window, "Ashley Whitaker")
    chart.close()
    qtbot.waitUntil(lambda: not window.charts.windows(), timeout=WAIT_MS)
    window.open_chart_action.trigger()
    qtbot.waitUntil(lambda: bool(window.charts.windows()), timeout=WAIT_MS)
    chart = window.charts.windows()[0]
    chart.activateWindow()
    chart.close_action.trigger()
    qtbot.waitUntil(lambda: not window.charts.windows(), timeout=WAIT_MS)
    assert window.open_chart_action.shortcut().toString() == "Ctrl+O"


def test_the_next_chart_opens_as_large_as_the_last_one_closed(qtbot, open_window):
    window = open_window("clinician")
    chart = _open_by_name(qtbot, window, "Ashley Whitaker")
    chart.resize(700, 520)                          # inside the offscreen 800×600 screen
    qtbot.waitUntil(lambda: chart.width() != 1000, timeout=WAIT_MS)
    size = (chart.width(), chart.height())
    chart.close()
    qtbot.waitUntil(lambda: not window.charts.windows(), timeout=WAIT_MS)
    window.open_chart_action.trigger()               # Ctrl+O: the same row, a new window
    qtbot.waitUntil(lambda: bool(window.charts.windows()), timeout=WAIT_MS)
    other = window.charts.windows()[0]
    assert (other.width(), other.height()) == size != (1000, 720)
    other.close()


def test_a_chart_window_with_unreadable_saved_geometry_opens_at_its_default_size(
        qtbot, settings, open_window):
    from PySide6.QtCore import QByteArray

    settings.setValue(ChartWindow.GEOMETRY_KEY, QByteArray(b"not a geometry"))
    window = open_window("clinician")
    chart = _open_by_name(qtbot, window, "Ashley Whitaker")
    assert (chart.width(), chart.height()) == (1000, 720)
    chart.close()
