"""The participant table model against a scripted service: stale answers, errors, threads."""

from __future__ import annotations

import threading
from datetime import date

from PySide6.QtCore import QLocale, QModelIndex

from iopdesk.domain.enums import EpisodeStatus, Role
from iopdesk.domain.errors import PermissionDenied
from iopdesk.domain.readmodels import Page, ParticipantRow
from iopdesk.services import Actor
from iopdesk.ui.participants.list_widget import ParticipantListWidget
from iopdesk.ui.participants.model import ParticipantTableModel, birth_date_format

WAIT_MS = 5_000
# Built by hand, not issued by a log-in: the scripted service below only passes it along (the
# real services would refuse it; tests/services/test_acting_user.py).
ACTOR = Actor(user_id=1, username="frontdesk", display_name="Front Desk",
              roles=frozenset({Role.FRONT_DESK}), workstation="test-station")


def row(n: int, last: str = "Doe") -> ParticipantRow:
    return ParticipantRow(id=n, chart_number=str(1000 + n), last_name=last, first_name=f"P{n}",
                          preferred_name="", date_of_birth=date(1980, 1, 1), phone="",
                          status=EpisodeStatus.ACTIVE, track_name="Adult IOP")


class ScriptedParticipants:
    """Answers `search` from a list of rows; a text can be held back until released."""

    def __init__(self, rows, *, fail_with: Exception | None = None):
        self.rows = rows
        self.fail_with = fail_with
        self.held: dict[str, threading.Event] = {}
        self.calls: list[tuple[str, tuple | None, bool]] = []

    def search(self, actor, text="", *, after=None, limit=100):
        on_gui_thread = threading.current_thread() is threading.main_thread()
        self.calls.append((text, after, on_gui_thread))
        if text in self.held:
            self.held[text].wait(WAIT_MS / 1000)
        if self.fail_with is not None:
            raise self.fail_with
        matching = [r for r in self.rows if r.last_name.lower().startswith(text.lower())]
        start = 0 if after is None else after[0]
        chunk = matching[start:start + limit]
        more = start + limit < len(matching)
        return Page(rows=tuple(chunk), next_after=(start + limit,) if more else None)


def test_queries_run_off_the_gui_thread(qtbot, runner):
    service = ScriptedParticipants([row(n) for n in range(5)])
    model = ParticipantTableModel(service, ACTOR, runner)
    model.set_query("")
    qtbot.waitUntil(lambda: model.rowCount() == 5 and not model.loading, timeout=WAIT_MS)
    assert service.calls and not any(on_gui for _, _, on_gui in service.calls)


def test_answers_to_an_older_query_are_dropped(qtbot, runner):
    service = ScriptedParticipants([row(1, "Adams"), row(2, "Baker"), row(3, "Baxter")])
    service.held["a"] = threading.Event()
    model = ParticipantTableModel(service, ACTOR, runner)
    model.set_query("a")                      # slow: held until "b" has been answered
    model.set_query("b")
    qtbot.waitUntil(lambda: model.text == "b" and not model.loading, timeout=WAIT_MS)
    assert [model.row_at(r).last_name for r in range(model.rowCount())] == ["Baker", "Baxter"]
    service.held["a"].set()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT_MS)
    assert [model.row_at(r).last_name for r in range(model.rowCount())] == ["Baker", "Baxter"]


def test_no_next_page_is_fetched_while_a_new_query_is_on_its_way(qtbot, runner):
    service = ScriptedParticipants([row(n) for n in range(10)])
    model = ParticipantTableModel(service, ACTOR, runner, page_size=3)
    model.set_query("")
    qtbot.waitUntil(lambda: model.rowCount() == 3 and not model.loading, timeout=WAIT_MS)
    assert model.canFetchMore(QModelIndex())
    model.set_query("d")
    assert not model.canFetchMore(QModelIndex())
    qtbot.waitUntil(lambda: not model.loading, timeout=WAIT_MS)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda: not model.loading, timeout=WAIT_MS)
    assert [model.row_at(r).id for r in range(model.rowCount())] == list(range(10))


def test_a_failed_search_reaches_the_user(qtbot, runner):
    service = ScriptedParticipants([], fail_with=PermissionDenied("You may not see this list"))
    model = ParticipantTableModel(service, ACTOR, runner)
    listing = ParticipantListWidget(model)
    qtbot.addWidget(listing)
    listing.show()
    with qtbot.waitSignal(model.search_failed, timeout=WAIT_MS) as blocker:
        listing.start()
    assert blocker.args == ["You may not see this list"]
    assert not model.loading
    assert listing.message.isVisible()
    assert "You may not see this list" in listing.message.text()


def test_an_unexpected_error_is_described_not_swallowed(qtbot, runner):
    service = ScriptedParticipants([], fail_with=RuntimeError("disk I/O error"))
    model = ParticipantTableModel(service, ACTOR, runner)
    with qtbot.waitSignal(model.search_failed, timeout=WAIT_MS) as blocker:
        model.set_query("x")
    assert "disk I/O error" in blocker.args[0]


def test_the_search_box_waits_for_a_pause_in_typing(qtbot, runner):
    service = ScriptedParticipants([row(1, "Adams"), row(2, "Baker")])
    model = ParticipantTableModel(service, ACTOR, runner)
    listing = ParticipantListWidget(model)
    qtbot.addWidget(listing)
    listing.show()
    qtbot.keyClicks(listing.search_edit, "bake")
    qtbot.waitUntil(lambda: model.text == "bake" and not model.loading, timeout=WAIT_MS)
    assert [text for text, _, _ in service.calls] == ["bake"]   # one query, not four
    assert model.rowCount() == 1


def test_enter_on_a_single_match_opens_it(qtbot, runner):
    service = ScriptedParticipants([row(1, "Adams"), row(2, "Baker")])
    model = ParticipantTableModel(service, ACTOR, runner)
    listing = ParticipantListWidget(model)
    qtbot.addWidget(listing)
    qtbot.keyClicks(listing.search_edit, "bak")
    qtbot.waitUntil(lambda: model.text == "bak" and not model.loading, timeout=WAIT_MS)
    with qtbot.waitSignal(listing.participant_activated, timeout=WAIT_MS) as blocker:
        listing.search_edit.returnPressed.emit()
    assert blocker.args == [2]


def test_the_scripted_model_passes_the_model_tester(qtbot, qtmodeltester, runner):
    service = ScriptedParticipants([row(n) for n in range(7)])
    model = ParticipantTableModel(service, ACTOR, runner, page_size=3)
    model.set_query("")
    qtbot.waitUntil(lambda: model.rowCount() == 3 and not model.loading, timeout=WAIT_MS)
    qtmodeltester.check(model)


def test_birth_dates_have_four_digit_years_in_every_locale():
    assert birth_date_format(QLocale("en_US")) == "MM/dd/yyyy"
    assert birth_date_format(QLocale("de_DE")) == "dd.MM.yyyy"
    assert birth_date_format(QLocale(QLocale.Language.C)) == "yyyy-MM-dd"
