"""Today opens the work: Enter or a double-click on a person opens their chart (the caseload
and the front desk's groups alike); a clinician's Today lists the groups they lead that day;
an empty Today says so, and a chart that can no longer be opened says why."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, QTime
from PySide6.QtWidgets import QMessageBox
from support import TODAY

from iopdesk.domain.accounts import NewUserInput
from iopdesk.domain.enums import Role
from iopdesk.ui.main_window import MainWindow

WAIT_MS = 10_000


def _today(qtbot, window, loaded: str):
    """The window's Today, shown, once its list `loaded` (a signal's name) has arrived."""
    today = window.page("today")
    with qtbot.waitSignal(getattr(today, loaded), timeout=WAIT_MS):
        window.show_area("today")
    return today


def _shown(value) -> str:
    return QLocale().toString(QTime(value.hour, value.minute), QLocale.FormatType.ShortFormat)


def _opened(qtbot, window, participant_id: int):
    qtbot.waitUntil(lambda: any(c.participant_id == participant_id
                                for c in window.charts.windows()), timeout=WAIT_MS)
    chart = next(c for c in window.charts.windows() if c.participant_id == participant_id)
    assert chart.isVisible()
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT_MS)
    return chart


def test_enter_and_double_click_on_the_caseload_open_the_chart(qtbot, open_window):
    window = open_window("clinician")
    today = _today(qtbot, window, "caseload_loaded")
    view, model = today.caseload, today.caseload_model
    assert model.rowCount() >= 2

    first = model.row_at(0)
    view.setCurrentIndex(model.index(0, model.NAME))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    chart = _opened(qtbot, window, first.participant_id)
    assert chart.summary.chart_number == first.chart_number
    assert window.current_area == "today"                  # Today stays where it was

    second = model.row_at(1)
    index = model.index(1, model.NAME)
    view.scrollTo(index)
    where = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)   # as a real
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)  # one comes
    _opened(qtbot, window, second.participant_id)
    assert len(window.charts.windows()) == 2

    view.setCurrentIndex(model.index(0, model.CHART))      # the same person again: the
    qtbot.keyClick(view, Qt.Key.Key_Enter)                 # chart already open comes forward
    assert len(window.charts.windows()) == 2


def test_enter_on_a_person_in_the_front_desk_s_groups_opens_the_chart(qtbot, open_window):
    window = open_window("frontdesk")
    today = _today(qtbot, window, "meetings_loaded")
    tree = today.meetings
    person = tree.topLevelItem(0).child(0)
    tree.setCurrentItem(person)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    chart = _opened(qtbot, window, int(person.data(0, Qt.ItemDataRole.UserRole + 1)))
    assert chart.summary.chart_number == person.text(1)


def test_a_clinician_s_today_lists_the_groups_they_lead(qtbot, open_window, demo):
    window = open_window("clinician")
    led = demo.services.today.my_groups(window.actor, TODAY)
    assert led, "the demo's clinician leads a group on TODAY"
    counts = {m.meeting_id: len(m.expected)
              for m in demo.services.today.front_desk(window.actor, TODAY)}
    today = _today(qtbot, window, "groups_loaded")
    tree = today.my_groups
    assert tree.isVisible() and not today.my_groups_message.isVisible()
    assert tree.topLevelItemCount() == len(led)
    for row, group in enumerate(led):
        item = tree.topLevelItem(row)
        assert (item.text(1), item.text(2)) == (group.title, group.track_name)
        assert item.text(3).startswith(f"{counts[group.meeting_id]} expected")
        assert item.text(0) == f"{_shown(group.start_time)}–{_shown(group.end_time)}"

    desk = open_window("frontdesk")
    assert desk.page("today").my_groups is None            # the front desk sees every group


def _new_clinician(demo, username: str):
    """A clinician with no caseload and no groups, logged in."""
    admin, temporary = demo.log_in("admin"), "temporary-pass-9"
    demo.services.users.add_user(admin, NewUserInput(
        username=username, display_name="New Clinician", roles=frozenset({Role.CLINICIAN})),
        temporary)
    actor = demo.services.staff.log_in(username, temporary)
    return demo.services.users.change_own_password(actor, temporary, "a-new-clinician-9")


def test_a_today_with_nothing_in_it_says_so_and_enter_opens_nothing(
        qtbot, demo, settings, session_info):
    window = MainWindow(demo.services, _new_clinician(demo, "newclin"), demo.runner,
                        session_info, settings=settings, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    today = window.page("today")
    with qtbot.waitSignals([today.caseload_loaded, today.groups_loaded], timeout=WAIT_MS):
        window.show_area("today")
    assert today.caseload_message.isVisible() and not today.caseload.isVisible()
    assert "No active participants" in today.caseload_message.text()
    assert today.my_groups_message.isVisible() and not today.my_groups.isVisible()
    assert today.my_groups_message.text() == "You lead no groups today."

    qtbot.keyClick(today, Qt.Key.Key_Return)
    qtbot.keyClick(today.caseload, Qt.Key.Key_Return)
    today._caseload_activated(today.caseload_model.index(0, 0))    # an index of no row
    assert window.charts.windows() == []
    assert window.findChildren(QMessageBox) == []                   # nothing went wrong


def test_a_chart_that_can_no_longer_be_opened_says_why(qtbot, open_window, demo):
    """The list was loaded; then the clinician's account was disabled at another desk: the
    chart opened from Today is refused by the services, and says so in its window."""
    window = open_window("clinician")
    today = _today(qtbot, window, "caseload_loaded")
    row = today.caseload_model.row_at(0)
    admin = demo.log_in("admin")
    demo.services.users.disable_user(admin, window.actor.user_id, "Left the practice")

    today.caseload.setCurrentIndex(today.caseload_model.index(0, 0))
    qtbot.keyClick(today.caseload, Qt.Key.Key_Return)
    [chart] = window.charts.windows()
    qtbot.waitUntil(chart.message.isVisible, timeout=WAIT_MS)
    assert chart.participant_id == row.participant_id and chart.summary is None
    assert chart.message.text().startswith("The chart could not be opened:")
    assert "may not" in chart.message.text()
    assert row.display_name not in chart.windowTitle()              # nothing of the record
