"""The main window as a navigation shell: the areas each role sees, switching by click and by
Ctrl+1…6, the area and geometry remembered, the Admin screens as pages, the Today lists,
Print face sheet… through the preview (recorded in the audit trail), background errors in a
dialog and the busy indicator."""

from __future__ import annotations

import time

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from support import TODAY

from iopdesk.domain.errors import PermissionDenied
from iopdesk.ui.areas.today import TodayArea

WAIT_MS = 10_000


class Without:
    """The services of this build minus some (a build where they do not exist yet)."""

    def __init__(self, services, *missing: str, **replaced):
        self._services, self._missing, self._replaced = services, missing, replaced

    def __getattr__(self, name: str):
        if name in self._missing:
            raise AttributeError(name)
        return self._replaced.get(name) or getattr(self._services, name)


def nav_titles(window) -> list[str]:
    return [window.nav.item(row).text() for row in range(window.nav.count())]


def menu_titles(window) -> list[str]:
    return [action.text().replace("&", "") for action in window.menuBar().actions()]


def go_menu(window) -> list[tuple[str, str]]:
    menu = window.menuBar().actions()[1].menu()
    return [(a.text(), a.shortcut().toString()) for a in menu.actions()]


def test_front_desk_sees_today_and_participants_and_no_admin(open_window):
    window = open_window("frontdesk")
    assert window.area_keys() == ("today", "check_in", "participants", "schedule", "reports")
    assert nav_titles(window) == ["Today", "Check-in", "Participants", "Schedule", "Reports"]
    assert go_menu(window) == [("Today", "Ctrl+1"), ("Check-in", "Ctrl+2"),
                               ("Participants", "Ctrl+3"), ("Schedule", "Ctrl+4"),
                               ("Reports", "Ctrl+5")]
    assert menu_titles(window) == ["File", "Go", "Participants"]
    assert window.admin_menu is None
    assert not window.show_area("admin") and window.current_area == "participants"


def test_admin_sees_the_admin_area_clinicians_their_today(open_window):
    admin = open_window("admin")
    assert admin.area_keys() == ("today", "check_in", "participants", "schedule", "reports",
                                 "admin")   # Today: the backups
    assert "Admin" in menu_titles(admin)
    assert go_menu(admin) == [("Today", "Ctrl+1"), ("Check-in", "Ctrl+2"),
                              ("Participants", "Ctrl+3"), ("Schedule", "Ctrl+4"),
                              ("Reports", "Ctrl+5"), ("Admin", "Ctrl+6")]
    clinician = open_window("clinician")
    assert clinician.area_keys() == ("today", "check_in", "participants", "schedule",
                                     "reports")


def test_areas_without_a_screen_or_a_service_are_not_shown(open_window, demo):
    window = open_window("frontdesk", Without(demo.services, "today", "documents",
                                              "attendance", "schedule"))
    assert window.area_keys() == ("participants",)
    assert window.face_sheets is None
    assert [a.text() for a in window.menuBar().actions()[2].menu().actions()] == \
        ["&Find participant", "&Open chart"]
    for key in ("check_in", "schedule", "reports"):
        assert not window.show_area(key)


def test_the_first_start_opens_participants_with_the_keyboard_in_the_search(qtbot,
                                                                            open_window):
    window = open_window("frontdesk", active=True)
    assert window.current_area == "participants"
    assert window.stack.currentWidget() is window.participants
    assert window.nav.currentItem().text() == "Participants"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.participants.search_edit,
                    timeout=WAIT_MS)


def test_switch_areas_by_click_and_by_keyboard(qtbot, open_window):
    window = open_window("admin", active=True)
    changes = []
    window.area_changed.connect(changes.append)
    item = window.nav.item(5)
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.nav.visualItemRect(item).center())
    assert window.current_area == "admin" and window.stack.currentWidget().objectName() \
        == "adminArea"
    assert window.nav.currentRow() == 5
    qtbot.keyClick(window.nav, Qt.Key.Key_Up)               # arrows move through the list
    assert window.current_area == "reports" and window.nav.hasFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_Down)
    assert window.current_area == "admin" and window.nav.hasFocus()

    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area == "participants"
    assert window.stack.currentWidget() is window.participants
    assert window.nav.currentRow() == 2
    assert QApplication.focusWidget() is window.participants.search_edit
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area == "admin"
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area == "reports"
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)   # Find
    assert window.current_area == "participants"
    assert changes == ["admin", "reports", "admin", "participants", "admin", "reports",
                       "participants"]


def test_the_area_and_the_geometry_are_remembered(qtbot, open_window):
    window = open_window("frontdesk")
    window.resize(720, 520)       # within the offscreen screen (800 × 600)
    window.show_area("today")
    window.close()

    again = open_window("frontdesk")
    assert again.current_area == "today"
    assert isinstance(again.stack.currentWidget(), TodayArea)
    assert again.nav.currentItem().text() == "Today"
    assert (again.width(), again.height()) == (720, 520)
    other = open_window("admin")                # each user comes back to their own area
    assert other.current_area == "participants"


def test_a_remembered_area_the_user_no_longer_has_falls_back(open_window, settings):
    settings.setValue("main_window/area/frontdesk", "admin")
    assert open_window("frontdesk").current_area == "participants"


def test_the_admin_menu_opens_users_and_audit_log_as_pages(qtbot, open_window):
    window = open_window("admin")
    users = window.open_users()
    assert window.current_area == "admin" and not users.isWindow()
    qtbot.waitUntil(lambda: users.model.rowCount() > 0, timeout=WAIT_MS)
    assert users.isVisible()
    assert users.refresh_button.text() == "Refresh"       # Alt+F stays the File menu's
    assert users.add_button.text() == "Add…"              # Alt+A stays the Admin menu's
    assert users.edit_button.text() == "&Edit…"
    area = window.page("admin")
    assert area.audit is None                             # not loaded before it is wanted
    audit = window.open_audit_log()
    assert area.tabs.currentWidget().isAncestorOf(audit) and not audit.isWindow()
    qtbot.waitUntil(lambda: audit.model.rowCount() > 0, timeout=WAIT_MS)
    window.show_area("participants")
    window.audit_action.trigger()
    assert window.current_area == "admin" and audit.isVisible()


def test_today_for_the_front_desk_lists_the_day_s_groups(qtbot, open_window, demo):
    window = open_window("frontdesk")
    actor = window.actor
    expected = demo.services.today.front_desk(actor, TODAY)
    assert expected, "the demo practice has groups on TODAY"
    today = window.page("today")
    with qtbot.waitSignal(today.meetings_loaded, timeout=WAIT_MS):
        window.show_area("today")
    assert today.caseload is None                          # no clinical content for them
    tree = today.meetings
    assert tree.topLevelItemCount() == len(expected)
    first, group = expected[0], tree.topLevelItem(0)
    assert first.title in group.text(0) and first.track_name in group.text(0)
    assert f"{len(first.expected)} expected" in group.text(0)
    assert group.childCount() == len(first.expected)
    person = first.expected[0]
    child = group.child(0)
    assert (child.text(0), child.text(1)) == (person.display_name, person.chart_number)
    assert "16" in today.date_label.text() and "2026" in today.date_label.text()
    assert "Front desk" in today.who_label.text()

    tree.itemActivated.emit(child, 0)                      # Enter or double-click
    [chart] = window.charts.windows()                      # the person's chart opens
    assert chart.participant_id == person.participant_id and chart.isVisible()
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT_MS)
    assert chart.summary.chart_number == person.chart_number
    tree.itemActivated.emit(group, 0)                      # a group is no one's chart
    assert window.charts.windows() == [chart]


def test_today_for_a_clinician_shows_their_caseload(qtbot, open_window, demo):
    window = open_window("clinician")
    rows = demo.services.today.caseload(window.actor)
    today = window.page("today")
    with qtbot.waitSignal(today.caseload_loaded, timeout=WAIT_MS):
        window.show_area("today")
    assert today.meetings is None
    model = today.caseload_model
    assert model.rowCount() == len(rows) > 0
    assert [model.row_at(r).participant_id for r in range(model.rowCount())] == \
        [r.participant_id for r in rows]
    assert model.index(0, model.NAME).data() == rows[0].display_name


def test_the_caseload_model_passes_the_model_tester(qtbot, qtmodeltester, open_window):
    window = open_window("supervisor")
    today = window.page("today")
    with qtbot.waitSignal(today.caseload_loaded, timeout=WAIT_MS):
        window.show_area("today")
    qtmodeltester.check(today.caseload_model)


def type_text(widget, text: str) -> None:
    """Key presses carrying `text`, as a keyboard layout or input method delivers them
    (QTest.keyClicks knows ASCII keys only)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                     Qt.KeyboardModifier.NoModifier, char))


def select_first_participant(qtbot, window):
    model = window.participant_model
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() > 0, timeout=WAIT_MS)
    window.participants.table.selectRow(0)
    return model.row_at(0)


def test_print_face_sheet_previews_and_records_the_save(qtbot, monkeypatch, tmp_path,
                                                        open_window, demo):
    window = open_window("frontdesk", active=True)
    action = window.face_sheets.action
    assert action.shortcut().toString() == "Ctrl+P" and not action.isEnabled()
    row = select_first_participant(qtbot, window)
    assert action.isEnabled() and action in window.participants.table.actions()

    with qtbot.waitSignal(window.face_sheets.preview_opened, timeout=WAIT_MS) as opened:
        qtbot.keyClick(window.participants.table, Qt.Key.Key_P,
                       Qt.KeyboardModifier.ControlModifier)
    preview = opened.args[0]
    assert preview.isVisible() and preview.readable and preview.page_count >= 1
    assert row.chart_number in preview.windowTitle()

    target = tmp_path / "sheet.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    with qtbot.waitSignal(window.face_sheets.recorded, timeout=WAIT_MS) as recorded:
        preview.save_action.trigger()
    assert recorded.args == ["save", str(target)]
    assert target.read_bytes()[:5] == b"%PDF-"
    admin = demo.log_in("admin")
    events = demo.services.audit.search(admin, participant_id=row.id,
                                        action="document.export").rows
    assert events and events[0].username == "frontdesk"
    assert str(target) in str(events[0].detail)
    assert "recorded" in window.statusBar().currentMessage()


@pytest.mark.parametrize("typed", ["ngu", "uyễ"])
def test_three_letters_find_nguyen_and_the_printed_face_sheet_reads_back(
        qtbot, monkeypatch, tmp_path, open_window, typed):
    """Type three letters of "Nguyễn" (without or with its accents), pick the row, Ctrl+P,
    save, and read the saved PDF's text."""
    window = open_window("frontdesk", active=True)
    model = window.participant_model
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() > 0, timeout=WAIT_MS)
    window.participants.search_edit.setFocus()
    type_text(window.participants.search_edit, typed)
    qtbot.waitUntil(lambda: model.text == typed and not model.loading, timeout=WAIT_MS)
    found = [model.row_at(r) for r in range(model.rowCount())]
    assert found and all(row.last_name == "Nguyễn" for row in found)
    window.participants.table.selectRow(0)
    with qtbot.waitSignal(window.face_sheets.preview_opened, timeout=WAIT_MS) as opened:
        qtbot.keyClick(window.participants.table, Qt.Key.Key_P,
                       Qt.KeyboardModifier.ControlModifier)
    target = tmp_path / "face-sheet.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    with qtbot.waitSignal(window.face_sheets.recorded, timeout=WAIT_MS):
        opened.args[0].save_action.trigger()
    printed = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    assert f"Nguyễn, {found[0].first_name}" in printed
    assert f"Chart {found[0].chart_number}" in printed
    assert "Page 1 of" in printed and "Face Sheet" in printed


def test_face_sheet_only_from_the_participants_area(qtbot, open_window):
    window = open_window("frontdesk")
    select_first_participant(qtbot, window)
    window.show_area("today")
    assert not window.face_sheets.action.isEnabled()
    window.show_area("participants")
    assert window.face_sheets.action.isEnabled()


def test_a_face_sheet_refused_is_said_in_a_dialog(qtbot, open_window, demo):
    class Refusing:
        def render(self, actor, document, participant_id, record_id=None):
            raise PermissionDenied(f"You may not print this {document.replace('_', ' ')}")

    window = open_window("frontdesk", Without(demo.services, documents=Refusing()))
    select_first_participant(qtbot, window)
    window.face_sheets.action.trigger()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox) is not None, timeout=WAIT_MS)
    assert window.findChild(QMessageBox).text() == "You may not print this face sheet"


def test_a_preview_built_while_locked_waits_for_the_window(qtbot, open_window):
    window = open_window("frontdesk")
    row = select_first_participant(qtbot, window)
    with qtbot.waitSignal(window.face_sheets.preview_opened, timeout=WAIT_MS) as opened:
        window.face_sheets.open(row)
        window.hide()                                   # what the lock does
    preview = opened.args[0]
    assert not preview.isVisible()
    window.show()
    assert preview.isVisible()


def test_background_errors_reach_the_user_in_a_dialog(qtbot, open_window):
    window = open_window("frontdesk")
    window.runner.submit(lambda: 1 / 0)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox) is not None, timeout=WAIT_MS)
    assert "division by zero" in window.findChild(QMessageBox).text()


def test_long_background_work_shows_the_busy_indicator(qtbot, open_window):
    window = open_window("frontdesk")
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=WAIT_MS)
    window.runner.submit(lambda: time.sleep(0.8))
    assert not window.busy_bar.isVisible()                # not for a moment's work
    qtbot.waitUntil(window.busy_bar.isVisible, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.busy_bar.isVisible(), timeout=WAIT_MS)


def test_the_print_actions_are_the_chart_documents_the_user_may_print(qtbot, open_window):
    """Built from the areas' declarations: the front desk prints the face sheet and the
    attendance history, a clinician the intake assessment too, all from the Participants menu
    on the selected person."""
    desk = open_window("frontdesk", loaded=True)
    assert list(desk.printing.printers) == ["face-sheet", "attendance-history"]
    clinician = open_window("clinician", loaded=True)
    assert list(clinician.printing.printers) == ["face-sheet", "attendance-history", "intake"]
    menu = next(a.menu() for a in clinician.menuBar().actions()
                if a.text() == "&Participants")
    texts = [a.text() for a in menu.actions()]
    assert "Print &face sheet…" in texts and "Print intake assessment…" in texts
    assert "Print attendance history…" in texts
    intake = clinician.printing.printers["intake"]
    assert not intake.action.isEnabled()                   # no one chosen yet
    clinician.participants.table.selectRow(0)
    assert intake.action.isEnabled()
    with qtbot.waitSignal(intake.preview_opened, timeout=WAIT_MS) as opened:
        intake.action.trigger()
    dialog = opened.args[0]
    assert dialog.windowTitle().startswith("Intake assessment — ")
    dialog.close()
