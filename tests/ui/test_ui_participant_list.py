"""The main window on the demo practice: the participant list, its search and its paging."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from iopdesk.app import build_main_window
from iopdesk.domain.names import search_key
from iopdesk.ui.participants.model import ParticipantIdRole

WAIT_MS = 10_000


def open_window(qtbot, demo, settings, info, *, page_size=None, username="frontdesk"):
    actor = demo.log_in(username)
    window = build_main_window(demo.services, actor, demo.runner, info, settings=settings,
                               page_size=page_size)
    qtbot.addWidget(window)
    window.show()
    model = window.participant_model
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() > 0, timeout=WAIT_MS)
    return window, actor


def everyone(demo, actor, text=""):
    """Every row the service finds for `text`, through all pages."""
    rows, after = [], None
    while True:
        page = demo.services.participants.search(actor, text, after=after, limit=500)
        rows.extend(page.rows)
        if page.next_after is None:
            return rows
        after = page.next_after


def shown_ids(model):
    return [model.index(r, 0).data(ParticipantIdRole) for r in range(model.rowCount())]


def wait_for_query(qtbot, model, text):
    qtbot.waitUntil(lambda: model.text == text and not model.loading, timeout=WAIT_MS)


def test_main_window_shows_the_demo_participants(qtbot, demo, settings, session_info):
    window, actor = open_window(qtbot, demo, settings, session_info)
    model = window.participant_model
    expected = everyone(demo, actor)
    assert len(expected) >= 30
    assert shown_ids(model) == [r.id for r in expected]
    first = expected[0]
    assert model.index(0, model.CHART).data() == first.chart_number
    assert model.index(0, model.NAME).data() == first.display_name
    assert model.index(0, model.PHONE).data() == first.phone
    assert str(first.date_of_birth.year) in model.index(0, model.BIRTH).data()
    assert model.headerData(model.NAME, Qt.Orientation.Horizontal) == "Name"
    assert "Demo Practice" in window.windowTitle()
    assert actor.display_name in window.user_label.text()
    assert "Front desk" in window.user_label.text()
    assert "test-station" in window.workstation_label.text()
    assert "/tmp/demo.sqlite3" in window.database_label.text()
    assert not window.participants.message.isVisible()


def test_typing_narrows_the_list_and_clearing_restores_it(qtbot, demo, settings, session_info):
    window, actor = open_window(qtbot, demo, settings, session_info)
    model, search = window.participant_model, window.participants.search_edit
    total = model.rowCount()

    qtbot.keyClicks(search, "ngu")
    wait_for_query(qtbot, model, "ngu")
    rows = [model.row_at(r) for r in range(model.rowCount())]
    assert 0 < len(rows) < total
    for row in rows:
        words = search_key(f"{row.last_name} {row.first_name} {row.preferred_name}").split()
        assert any(word.startswith("ngu") for word in words), row
    assert shown_ids(model) == [r.id for r in everyone(demo, actor, "ngu")]

    search.clear()
    wait_for_query(qtbot, model, "")
    assert model.rowCount() == total


def test_unicode_names_are_found_without_their_accents(qtbot, demo, settings, session_info):
    window, actor = open_window(qtbot, demo, settings, session_info)
    model, search = window.participant_model, window.participants.search_edit
    for typed, last_name in (("wisn", "Wiśniewski"), ("oste", "Østergaard")):
        search.clear()
        qtbot.keyClicks(search, typed)
        wait_for_query(qtbot, model, typed)
        assert last_name in {model.row_at(r).last_name for r in range(model.rowCount())}


def test_a_search_matching_nobody_says_so(qtbot, demo, settings, session_info):
    window, _ = open_window(qtbot, demo, settings, session_info)
    model, listing = window.participant_model, window.participants
    qtbot.keyClicks(listing.search_edit, "zzqxw")
    wait_for_query(qtbot, model, "zzqxw")
    assert model.rowCount() == 0
    assert listing.message.isVisible()
    assert "No participants match" in listing.message.text()
    assert "zzqxw" in listing.message.text()

    listing.search_edit.clear()
    wait_for_query(qtbot, model, "")
    assert model.rowCount() > 0
    assert not listing.message.isVisible()


def test_fetch_more_pages_through_everyone(qtbot, demo, settings, session_info):
    window, actor = open_window(qtbot, demo, settings, session_info, page_size=10)
    window.resize(900, 300)                          # a view shorter than two pages
    model, table = window.participant_model, window.participants.table
    expected = [r.id for r in everyone(demo, actor)]
    assert len(expected) > 20
    qtbot.waitUntil(lambda: not model.loading, timeout=WAIT_MS)
    shown = model.rowCount()
    assert shown % 10 == 0 and shown < len(expected)   # whole pages, fewer than everyone
    assert model.canFetchMore(QModelIndex())

    model.fetchMore(QModelIndex())
    assert not model.canFetchMore(QModelIndex())      # one page at a time
    qtbot.waitUntil(lambda: model.rowCount() == shown + 10 and not model.loading,
                    timeout=WAIT_MS)

    while model.canFetchMore(QModelIndex()):          # the view asks for more as it scrolls
        count = model.rowCount()
        table.scrollToBottom()
        qtbot.waitUntil(lambda c=count: model.rowCount() > c and not model.loading,
                        timeout=WAIT_MS)
    assert shown_ids(model) == expected
    assert not model.has_more


def test_ctrl_f_focuses_the_search_box(qtbot, demo, settings, session_info):
    window, _ = open_window(qtbot, demo, settings, session_info)
    listing = window.participants
    assert window.find_action.shortcut().toString() == "Ctrl+F"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    listing.table.setFocus()
    window.find_action.trigger()
    assert listing.search_edit.hasFocus() or QApplication.focusWidget() is listing.search_edit


def test_the_window_geometry_is_remembered(qtbot, demo, settings, session_info):
    window, _ = open_window(qtbot, demo, settings, session_info)
    window.resize(700, 500)
    window.close()
    assert settings.value("main_window/geometry") is not None

    again, _ = open_window(qtbot, demo, settings, session_info)
    assert (again.width(), again.height()) == (700, 500)


def test_the_model_passes_the_model_tester(qtbot, qtmodeltester, demo, settings, session_info):
    window, _ = open_window(qtbot, demo, settings, session_info, page_size=10)
    qtmodeltester.check(window.participant_model)
