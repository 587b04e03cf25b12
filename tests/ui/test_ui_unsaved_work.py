"""Unsaved work is never lost silently, and screens learn what changed: typed intake text
survives F5, closing the chart and logging out through Save / Discard / Cancel; a rename shows
in the banner, the title and the list without a reload; a change made at another workstation
to the intake being edited shows a banner instead of a reload."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from support import AUDIT_KEY, TODAY

from iopdesk.db.engine import make_session_factory, sqlite_url
from iopdesk.db.migrate import open_database
from iopdesk.domain.enums import AgeGroup
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services
from iopdesk.ui.changes import change_bus
from iopdesk.ui.main_window import MainWindow

WAIT_MS = 10_000
Button = QMessageBox.StandardButton


@pytest.fixture
def window(qtbot, demo, session_info, settings):
    actor = demo.log_in("clinician")
    main = MainWindow(demo.services, actor, demo.runner, session_info, settings=settings,
                      today=lambda: TODAY)
    qtbot.addWidget(main)
    main.show()
    return main


def _idle(qtbot, demo):
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)


def _chart_with_episode(qtbot, demo, window, last_name: str):
    desk = demo.log_in("frontdesk")
    person = demo.services.participants.register(desk, ParticipantInput(
        first_name="Test", last_name=last_name, date_of_birth=date(1985, 1, 1)))
    track = next(t for t in demo.services.staff.tracks(window.actor)
                 if t.age_group is AgeGroup.ADULT)
    demo.services.episodes.admit(window.actor, person.id, track.id, TODAY)
    chart = window.open_chart(person.id)
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT_MS)
    return chart


def _intake(qtbot, demo, chart):
    tab = chart.show_tab("intake")
    qtbot.waitUntil(lambda: tab._shown is not None, timeout=WAIT_MS)
    _idle(qtbot, demo)
    return tab


def _question(qtbot, parent) -> QMessageBox:
    """The Save / Discard / Cancel question showing now (an answered one may linger until
    it is deleted)."""
    def showing() -> list[QMessageBox]:
        return [box for box in parent.findChildren(QMessageBox, "unsavedQuestion")
                if box.isVisible()]
    qtbot.waitUntil(lambda: len(showing()) == 1, timeout=WAIT_MS)
    return showing()[0]


def _answer(qtbot, box: QMessageBox, button: Button) -> None:
    qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)


def _type(qtbot, tab, text: str) -> None:
    edit = tab.texts["presenting_problem"]
    edit.setFocus()
    edit.clear()
    qtbot.keyClicks(edit, text)


def _press_f5(qtbot, chart) -> None:
    chart.reload_action.trigger()


def test_f5_asks_and_cancel_keeps_discard_drops_save_stores(qtbot, demo, window):
    chart = _chart_with_episode(qtbot, demo, window, "Refresher")
    tab = _intake(qtbot, demo, chart)
    assert not tab.has_unsaved_edits()
    _type(qtbot, tab, "Drinks daily since the layoff")
    assert tab.has_unsaved_edits()

    _press_f5(qtbot, chart)
    box = _question(qtbot, chart)
    assert "Intake assessment" in box.text()
    _answer(qtbot, box, Button.Cancel)                  # Cancel: nothing happens
    _idle(qtbot, demo)
    assert chart.tab_widget("intake") is tab
    assert tab.texts["presenting_problem"].toPlainText() == "Drinks daily since the layoff"

    _press_f5(qtbot, chart)
    _answer(qtbot, _question(qtbot, chart), Button.Discard)     # Discard: reloaded, gone
    qtbot.waitUntil(lambda: chart.tab_widget("intake") is not tab, timeout=WAIT_MS)
    tab = _intake(qtbot, demo, chart)
    assert tab.texts["presenting_problem"].toPlainText() == ""
    assert demo.services.intake.get(window.actor, tab.episode_id) is None

    _type(qtbot, tab, "Wants to keep his job")
    _press_f5(qtbot, chart)
    _answer(qtbot, _question(qtbot, chart), Button.Save)        # Save: stored, then reloaded
    qtbot.waitUntil(lambda: chart.tab_widget("intake") is not tab, timeout=WAIT_MS)
    tab = _intake(qtbot, demo, chart)
    assert tab.texts["presenting_problem"].toPlainText() == "Wants to keep his job"
    stored = demo.services.intake.get(window.actor, tab.episode_id)
    assert stored.presenting_problem == "Wants to keep his job"
    assert not tab.has_unsaved_edits()


def test_closing_the_chart_asks_and_each_answer_does_what_it_says(qtbot, demo, window):
    chart = _chart_with_episode(qtbot, demo, window, "Closewell")
    tab = _intake(qtbot, demo, chart)
    episode_id = tab.episode_id
    _type(qtbot, tab, "Panic attacks at work")

    chart.close()
    _answer(qtbot, _question(qtbot, chart), Button.Cancel)
    assert chart.isVisible() and tab.has_unsaved_edits()

    chart.close()
    _answer(qtbot, _question(qtbot, chart), Button.Save)
    qtbot.waitUntil(lambda: not window.charts.windows(), timeout=WAIT_MS)
    assert demo.services.intake.get(window.actor, episode_id).presenting_problem \
        == "Panic attacks at work"

    chart = window.open_chart(chart.participant_id)
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT_MS)
    tab = _intake(qtbot, demo, chart)
    _type(qtbot, tab, "Thrown away on purpose")
    chart.close()
    _answer(qtbot, _question(qtbot, chart), Button.Discard)
    qtbot.waitUntil(lambda: not window.charts.windows(), timeout=WAIT_MS)
    assert demo.services.intake.get(window.actor, episode_id).presenting_problem \
        == "Panic attacks at work"


def test_a_refused_save_keeps_the_chart_open_with_the_text(qtbot, demo, window):
    chart = _chart_with_episode(qtbot, demo, window, "Refusedsave")
    tab = _intake(qtbot, demo, chart)
    tab.texts["presenting_problem"].setPlainText("x" * 30_000)   # longer than a field takes
    chart.close()
    _answer(qtbot, _question(qtbot, chart), Button.Save)
    _idle(qtbot, demo)
    qtbot.waitUntil(lambda: bool(tab.fields.text("presenting_problem"))
                    or tab.message.isVisible(), timeout=WAIT_MS)
    assert chart.isVisible() and tab.has_unsaved_edits()


def test_logging_out_asks_about_a_chart_s_unsaved_text(qtbot, demo, window):
    chart = _chart_with_episode(qtbot, demo, window, "Logoutson")
    tab = _intake(qtbot, demo, chart)
    _type(qtbot, tab, "Sleeps four hours a night")
    window.close()
    box = _question(qtbot, window)
    _answer(qtbot, box, Button.Cancel)
    assert window.isVisible() and chart.isVisible() and tab.has_unsaved_edits()
    window.close()
    _answer(qtbot, _question(qtbot, window), Button.Discard)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.charts.windows(), timeout=WAIT_MS)


def test_a_rename_shows_in_banner_title_and_list_without_a_reload(qtbot, demo, window):
    chart = _chart_with_episode(qtbot, demo, window, "Oldname")
    sheet = chart.show_tab("face_sheet")
    qtbot.waitUntil(lambda: sheet.participant is not None, timeout=WAIT_MS)
    window.show_area("participants")
    window.participants.search_for("Oldname")
    qtbot.waitUntil(lambda: window.participant_model.rowCount() == 1
                    and not window.participant_model.loading, timeout=WAIT_MS)
    dialog = sheet.edit()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.fields.widget("last_name").clear()
    qtbot.keyClicks(dialog.fields.widget("last_name"), "Newname")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.accept()
    qtbot.waitUntil(lambda: "Newname" in chart.name_label.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Newname" in chart.windowTitle(), timeout=WAIT_MS)
    window.participants.search_for("Newname")
    qtbot.waitUntil(lambda: window.participant_model.rowCount() == 1
                    and not window.participant_model.loading, timeout=WAIT_MS)
    assert window.participant_model.row_at(0).last_name == "Newname"


def test_the_participant_list_reloads_when_someone_registers(qtbot, demo, window):
    window.show_area("participants")
    window.participants.search_for("Newcomer")
    qtbot.waitUntil(lambda: not window.participant_model.loading, timeout=WAIT_MS)
    assert window.participant_model.rowCount() == 0
    desk = demo.log_in("frontdesk")
    demo.services.participants.register(desk, ParticipantInput(
        first_name="Nia", last_name="Newcomer", date_of_birth=date(1990, 2, 3)))
    qtbot.waitUntil(lambda: window.participant_model.rowCount() == 1, timeout=WAIT_MS)


@pytest.fixture
def other_workstation(demo_db):
    """A second service stack over the same database: another workstation's services."""
    engine = open_database(sqlite_url(demo_db))
    yield build_services(make_session_factory(engine), "desk-2", audit_key=AUDIT_KEY)
    engine.dispose()


def test_a_change_from_another_workstation_shows_a_banner_not_a_reload(
        qtbot, demo, window, other_workstation):
    # What PostgreSQL's NOTIFY will carry: the other stack's change sets reach this bus.
    other_workstation.changes.subscribe(change_bus(demo.services).announce)
    chart = _chart_with_episode(qtbot, demo, window, "Twodesks")
    tab = _intake(qtbot, demo, chart)
    _type(qtbot, tab, "My words, not saved yet")

    supervisor = other_workstation.staff.log_in("supervisor", _password())
    from iopdesk.domain.clinical import IntakeInput
    other_workstation.intake.save_draft(supervisor, tab.episode_id,
                                        IntakeInput(presenting_problem="Theirs"), None)
    qtbot.waitUntil(tab.stale.isVisible, timeout=WAIT_MS)
    assert "desk-2" in tab.stale.text() and "Your text is still here" in tab.stale.text()
    assert tab.texts["presenting_problem"].toPlainText() == "My words, not saved yet"
    assert chart.tab_widget("intake") is tab


def test_a_change_from_another_workstation_reloads_a_form_not_being_edited(
        qtbot, demo, window, other_workstation):
    other_workstation.changes.subscribe(change_bus(demo.services).announce)
    chart = _chart_with_episode(qtbot, demo, window, "Quietdesk")
    tab = _intake(qtbot, demo, chart)
    supervisor = other_workstation.staff.log_in("supervisor", _password())
    from iopdesk.domain.clinical import IntakeInput
    other_workstation.intake.save_draft(supervisor, tab.episode_id,
                                        IntakeInput(presenting_problem="Theirs"), None)
    qtbot.waitUntil(lambda: tab.texts["presenting_problem"].toPlainText() == "Theirs",
                    timeout=WAIT_MS)
    assert not tab.stale.isVisible() and not tab.has_unsaved_edits()


def _password() -> str:
    from iopdesk.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


def test_a_tab_that_fails_to_import_says_so_in_its_place(qtbot, demo, window, monkeypatch):
    from iopdesk.ui.chart import tabs

    monkeypatch.setitem(tabs.TAB_WIDGETS, "contacts", "iopdesk.ui.chart.no_such_tab:Nope")
    chart = _chart_with_episode(qtbot, demo, window, "Brokentab")
    assert "Contacts and family" in chart.tab_titles()          # not silently missing
    shown = chart.show_tab("contacts")
    assert shown.objectName() == "tabError"
    assert "could not be opened" in shown.text() and "no_such_tab" in shown.text()
    assert chart.show_tab("face_sheet").objectName() != "tabError"   # the others work


def test_a_contact_typed_into_a_dialog_is_kept_by_cancel_and_asked_about_at_close(
        qtbot, demo, window):
    chart = _chart_with_episode(qtbot, demo, window, "Dialogkeep")
    tab = chart.show_tab("contacts")
    qtbot.waitSignal(tab.loaded, timeout=WAIT_MS)
    _idle(qtbot, demo)
    dialog = tab.add()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    assert not dialog.has_unsaved_edits()
    qtbot.keyClicks(dialog.fields.widget("name"), "Rene Okafor")
    assert dialog.has_unsaved_edits()

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)                   # Esc asks first
    _answer(qtbot, _question(qtbot, dialog), Button.Cancel)
    assert dialog.isVisible() and dialog.fields.widget("name").text() == "Rene Okafor"

    chart.close()                                               # the chart asks too
    box = _question(qtbot, chart)
    assert "Rene Okafor" not in box.text()                     # (names the form, not data)
    _answer(qtbot, box, Button.Discard)
    qtbot.waitUntil(lambda: not window.charts.windows(), timeout=WAIT_MS)
    assert not any(c.name == "Rene Okafor"
                   for c in demo.services.contacts.list(window.actor, chart.participant_id))


def test_an_untouched_dialog_closes_without_a_question(qtbot, demo, window):
    chart = _chart_with_episode(qtbot, demo, window, "Dialogplain")
    tab = chart.show_tab("contacts")
    qtbot.waitSignal(tab.loaded, timeout=WAIT_MS)
    dialog = tab.add()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)


def test_a_half_typed_registration_is_asked_about_on_esc_and_at_log_out(qtbot, demo, window):
    dialog = window.registrations.open()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.fields.widget("last_name"), "Halfway")
    assert dialog.has_unsaved_edits()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    _answer(qtbot, _question(qtbot, dialog), Button.Cancel)
    assert dialog.isVisible() and dialog.fields.widget("last_name").text() == "Halfway"

    window.close()                                          # logging out asks too
    _answer(qtbot, _question(qtbot, window), Button.Cancel)
    assert window.isVisible() and dialog.isVisible()
    window.close()
    _answer(qtbot, _question(qtbot, window), Button.Discard)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    assert demo.services.participants.search(window.actor, "Halfway").rows == ()


def test_a_half_typed_new_user_is_asked_about_and_an_untouched_one_closes(qtbot, demo,
                                                                           settings,
                                                                           session_info):
    admin = MainWindow(demo.services, demo.log_in("admin"), demo.runner, session_info,
                       settings=settings, today=lambda: TODAY)
    qtbot.addWidget(admin)
    admin.show()
    users = admin.open_users()
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)
    dialog = users.add_user()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)                   # untouched: closes at once
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)

    dialog = users.add_user()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.username_edit, "newhire")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    _answer(qtbot, _question(qtbot, dialog), Button.Discard)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)


def test_the_users_list_shows_an_account_added_at_another_workstation(
        qtbot, demo, settings, session_info, other_workstation):
    from iopdesk.domain.accounts import NewUserInput
    from iopdesk.domain.enums import Role

    other_workstation.changes.subscribe(change_bus(demo.services).announce)
    admin = MainWindow(demo.services, demo.log_in("admin"), demo.runner, session_info,
                       settings=settings, today=lambda: TODAY)
    qtbot.addWidget(admin)
    users = admin.open_users()
    qtbot.waitUntil(lambda: users.model.rowCount() > 0 and demo.runner.pending == 0,
                    timeout=WAIT_MS)
    before = users.model.rowCount()
    there = other_workstation.staff.log_in("admin", _password())
    other_workstation.users.add_user(there, NewUserInput(
        username="newcomer", display_name="Nell Newcomer", roles=frozenset({Role.CLINICIAN})),
        "temporary-pass-9")
    qtbot.waitUntil(lambda: users.model.rowCount() == before + 1, timeout=WAIT_MS)
