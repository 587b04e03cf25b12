"""The main window on the demo practice: the participant list, its search and its paging."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from iopdesk.domain.names import search_key
from iopdesk.ui.participants.model import ParticipantIdRole

WAIT_MS = 10_000


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


def test_main_window_shows_the_demo_participants(qtbot, demo, open_window):
    window = open_window(loaded=True)
    actor = window.actor
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


def test_typing_narrows_the_list_and_clearing_restores_it(qtbot, demo, open_window):
    window = open_window(loaded=True)
    actor = window.actor
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


def test_unicode_names_are_found_without_their_accents(qtbot, open_window):
    window = open_window(loaded=True)
    model, search = window.participant_model, window.participants.search_edit
    for typed, last_name in (("wisn", "Wiśniewski"), ("oste", "Østergaard")):
        search.clear()
        qtbot.keyClicks(search, typed)
        wait_for_query(qtbot, model, typed)
        assert last_name in {model.row_at(r).last_name for r in range(model.rowCount())}


def test_a_search_matching_nobody_says_so(qtbot, open_window):
    window = open_window(loaded=True)
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


def test_fetch_more_pages_through_everyone(qtbot, demo, open_window):
    window = open_window(loaded=True, page_size=10)
    actor = window.actor
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


def test_ctrl_f_focuses_the_search_box(qtbot, open_window):
    window = open_window(loaded=True)
    listing = window.participants
    assert window.find_action.shortcut().toString() == "Ctrl+F"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    listing.table.setFocus()
    window.find_action.trigger()
    assert listing.search_edit.hasFocus() or QApplication.focusWidget() is listing.search_edit


def test_the_window_geometry_is_remembered(qtbot, settings, open_window):
    window = open_window(loaded=True)
    window.resize(700, 500)
    window.close()
    assert settings.value("main_window/geometry") is not None

    again = open_window(loaded=True)
    assert (again.width(), again.height()) == (700, 500)


def test_the_model_passes_the_model_tester(qtbot, qtmodeltester, open_window):
    window = open_window(loaded=True, page_size=10)
    qtmodeltester.check(window.participant_model)


def _choose(qtbot, model, combo, data) -> None:
    index = combo.findData(data)
    assert index > 0, data
    with qtbot.waitSignal(model.search_finished, timeout=WAIT_MS):
        combo.setCurrentIndex(index)
    qtbot.waitUntil(lambda: not model.loading, timeout=WAIT_MS)


def _all_rows(qtbot, model):
    while model.canFetchMore():
        model.fetchMore()
        qtbot.waitUntil(lambda: not model.loading, timeout=WAIT_MS)
    return [model.row_at(r) for r in range(model.rowCount())]


def test_filter_by_status_track_and_primary_clinician(qtbot, demo, open_window):
    from iopdesk.domain.enums import EpisodeStatus, Role

    window = open_window(loaded=True, page_size=10)
    actor = window.actor
    listing, model = window.participants, window.participant_model
    qtbot.waitUntil(lambda: listing.track_combo.isVisible()
                    and listing.clinician_combo.isVisible(), timeout=WAIT_MS)
    tracks = demo.services.staff.tracks(actor)
    clinicians = demo.services.staff.list_staff(actor, role=Role.CLINICIAN)
    assert listing.track_combo.count() == len(tracks) + 1
    assert listing.clinician_combo.count() == len(clinicians) + 1

    _choose(qtbot, model, listing.status_combo, EpisodeStatus.DISCHARGED)
    discharged = _all_rows(qtbot, model)
    assert discharged and {row.status for row in discharged} == {EpisodeStatus.DISCHARGED}

    _choose(qtbot, model, listing.status_combo, EpisodeStatus.ACTIVE)
    _choose(qtbot, model, listing.track_combo, tracks[0].id)
    rows = _all_rows(qtbot, model)
    expected = demo.services.participants.search(actor, "", status=EpisodeStatus.ACTIVE,
                                                 track_id=tracks[0].id, limit=500).rows
    assert [r.id for r in rows] == [r.id for r in expected] and rows
    assert {row.track_name for row in rows} == {tracks[0].name}

    clinician = next(c for c in clinicians
                     if demo.services.participants.search(
                         actor, "", status=EpisodeStatus.ACTIVE, track_id=tracks[0].id,
                         primary_clinician_id=c.id).rows)
    _choose(qtbot, model, listing.clinician_combo, clinician.id)
    rows = _all_rows(qtbot, model)
    expected = demo.services.participants.search(
        actor, "", status=EpisodeStatus.ACTIVE, track_id=tracks[0].id,
        primary_clinician_id=clinician.id, limit=500).rows
    assert [r.id for r in rows] == [r.id for r in expected]

    # typing still searches within the filters; back to "Any" shows everyone again
    listing.search_for(rows[0].last_name[:3])
    qtbot.waitUntil(lambda: not model.loading, timeout=WAIT_MS)
    assert rows[0].id in {r.id for r in _all_rows(qtbot, model)}
    assert {r.track_name for r in _all_rows(qtbot, model)} == {tracks[0].name}
    for combo in (listing.status_combo, listing.track_combo, listing.clinician_combo):
        combo.setCurrentIndex(0)
    listing.search_for("")
    qtbot.waitUntil(lambda: not model.loading and model.text == "", timeout=WAIT_MS)
    assert len(_all_rows(qtbot, model)) == len(everyone(demo, actor))


def test_filters_that_match_nobody_say_so(qtbot, demo, open_window):
    from iopdesk.domain.enums import EpisodeStatus, Role

    window = open_window(loaded=True)
    actor = window.actor
    listing, model = window.participants, window.participant_model
    qtbot.waitUntil(listing.track_combo.isVisible, timeout=WAIT_MS)
    search, staff = demo.services.participants.search, demo.services.staff
    status, clinician = next(
        (status, clinician) for status in EpisodeStatus
        for clinician in staff.list_staff(actor, role=Role.CLINICIAN)
        if not search(actor, "", status=status, primary_clinician_id=clinician.id).rows)
    _choose(qtbot, model, listing.status_combo, status)
    _choose(qtbot, model, listing.clinician_combo, clinician.id)
    assert model.rowCount() == 0
    assert listing.message.isVisible()
    assert listing.message.text() == "No participants match these filters."
