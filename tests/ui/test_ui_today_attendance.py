"""Today's attendance, as its users meet it: the front desk sees each meeting of the day with
how many are here of those expected, the meeting running now marked and who is not here yet
under it, and the counts follow a check-in made through the services (the change bus); a
clinician sees their participants whose week is at risk and their authorizations running
out, and Enter on a row opens that chart; empty lists say so, and a list that cannot be
loaded says why without a crash.

The practice (time zone UTC) has an adult track meeting Monday 09:00-12:00 and 13:00-15:00,
Wednesday and Thursday 09:00-12:00 (11 h a week; the minimum is 9 h); the services' clock
stands at Monday TODAY 10:00, so the morning meeting is running."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from PySide6.QtCore import QLocale, Qt, QTime
from PySide6.QtWidgets import QMessageBox

from iopdesk.domain.authorizations import AuthorizationInput
from iopdesk.domain.errors import IOPDeskError
from iopdesk.domain.schedule import BlockInput
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services
from iopdesk.ui.areas.today import TodayArea
from iopdesk.ui.participants.model import birth_date_format

from support import AUDIT_KEY, TODAY

WAIT_MS = 10_000
NOW = datetime.combine(TODAY, time(10), tzinfo=UTC)
ADMITTED = TODAY                 # no week before to have fallen short in
NAMES = (("Ana", "Abbott"), ("Ben", "Baker"), ("Cal", "Carter"))


@pytest.fixture
def services(session_factory):
    """The services with their clock at TODAY 10:00 (UTC, the practice's zone)."""
    return build_services(session_factory, "desk-1", audit_key=AUDIT_KEY, today=lambda: TODAY,
                          now=lambda: NOW)


@pytest.fixture
def program(services, actors, track_id):
    """The week's blocks (their meetings made ahead) and three participants admitted to the
    track with the clinician as primary clinician: {last name: participant id}, and the ids of
    TODAY's meetings (the running one first)."""
    admin, clinician = actors["admin"], actors["clinician"]
    for weekday, start, end, title in ((0, 9, 12, "Recovery skills"), (0, 13, 15, "Process"),
                                       (2, 9, 12, "Recovery skills"),
                                       (3, 9, 12, "Recovery skills")):
        services.schedule.add_block(admin, track_id, BlockInput(
            weekday=weekday, start_time=time(start), end_time=time(end), title=title,
            facilitator_id=None, effective_from=date(2026, 11, 2)))
    people = {}
    for first, last in NAMES:
        person = services.participants.register(actors["front_desk"], ParticipantInput(
            first_name=first, last_name=last, date_of_birth=date(1985, 6, 1)))
        services.episodes.admit(clinician, person.id, track_id, ADMITTED,
                                primary_clinician_id=clinician.user_id)
        people[last] = person.id
    meetings = [m.id for m in services.attendance.day(admin, TODAY).meetings]
    return people, meetings


def _area(qtbot, services, runner, actor, *, day: date = TODAY) -> TodayArea:
    area = TodayArea(services, actor, runner, today=lambda: day)
    qtbot.addWidget(area)
    area.resize(1100, 800)
    area.show()
    return area


def _load(qtbot, area: TodayArea, *signals) -> None:
    with qtbot.waitSignals(list(signals), timeout=WAIT_MS):
        area.reload()


def _children(item) -> list[tuple[str, str, str]]:
    return [(item.child(i).text(0), item.child(i).text(1), item.child(i).text(2))
            for i in range(item.childCount())]


def _clock(hour: int, minute: int) -> str:
    """A time of day as the screens write it in this locale."""
    return QLocale().toString(QTime(hour, minute), QLocale.FormatType.ShortFormat)


def _rows(tree) -> list[list[str]]:
    return [[tree.topLevelItem(r).text(c) for c in range(tree.columnCount())]
            for r in range(tree.topLevelItemCount())]


def test_the_front_desk_sees_who_is_here_and_who_is_missing_live(
        qtbot, services, actors, runner, program):
    people, meetings = program
    desk = actors["front_desk"]
    services.attendance.check_in(desk, people["Abbott"], meetings[0],
                                 at=datetime.combine(TODAY, time(9, 5), tzinfo=UTC))
    area = _area(qtbot, services, runner, desk)
    _load(qtbot, area, area.meetings_loaded)

    tree = area.meetings
    assert tree.isVisible() and not area.meetings_message.isVisible()
    assert tree.topLevelItemCount() == 2
    running, afternoon = tree.topLevelItem(0), tree.topLevelItem(1)
    assert running.text(0).startswith("Running now · ")
    assert "Recovery skills" in running.text(0) and "Adult SUD IOP" in running.text(0)
    assert "1 here / 3 expected" in running.text(0)
    assert "2 not here yet" in running.text(0)
    assert _children(running) == [                  # those not here yet first
        ("Baker, Ben", "1002", "Not here yet"),
        ("Carter, Cal", "1003", "Not here yet"),
        ("Abbott, Ana", "1001", f"Here since {_clock(9, 5)}")]
    assert afternoon.text(0).startswith(_clock(13, 0))   # not "next": the track's morning
    assert "0 checked in / 3 expected" in afternoon.text(0)   # meeting is running
    assert {row[2] for row in _children(afternoon)} == {"Expected"}

    with qtbot.waitSignal(area.meetings_loaded, timeout=WAIT_MS):   # no reload asked
        services.attendance.check_in(desk, people["Baker"], meetings[0])
    running = area.meetings.topLevelItem(0)
    assert "2 here / 3 expected" in running.text(0) and "1 not here yet" in running.text(0)
    assert [row[0] for row in _children(running) if row[2] == "Not here yet"] == \
        ["Carter, Cal"]
    assert area.findChildren(QMessageBox) == []


def test_a_clinician_sees_the_week_at_risk_and_the_authorization_running_out(
        qtbot, services, actors, runner, program):
    people, meetings = program
    desk, clinician = actors["front_desk"], actors["clinician"]
    services.attendance.mark_absent(desk, people["Carter"], meetings[0], excused=False,
                                    reason="No call, no show")
    [episode] = services.episodes.list(clinician, people["Baker"])
    services.authorizations.add(clinician, episode.id, AuthorizationInput(
        payer="Columbia Mutual", number="CM-778", units=2, first_date=ADMITTED,
        last_date=TODAY + timedelta(days=30)))
    area = _area(qtbot, services, runner, clinician)
    _load(qtbot, area, area.at_risk_loaded, area.authorizations_loaded)

    assert area.at_risk.isVisible() and not area.at_risk_section.message.isVisible()
    [row] = _rows(area.at_risk)                     # the others can still make 9 h
    assert row == ["Carter, Cal", "1003", "This week: at risk", "0 min", "9 h",
                   "8 h more scheduled: 8 h at most", "Adult SUD IOP"]
    [alert] = _rows(area.authorizations)
    last = QLocale().toString(TODAY + timedelta(days=30), birth_date_format(QLocale()))
    assert alert == ["Baker, Ben", "1002", "Columbia Mutual", "2 units", last,
                     "2 of 2 units remain"]

    item = area.at_risk.topLevelItem(0)
    area.at_risk.setCurrentItem(item)
    area.at_risk.setFocus()
    with qtbot.waitSignal(area.participant_chosen, timeout=WAIT_MS) as chosen:
        qtbot.keyClick(area.at_risk, Qt.Key.Key_Return)
    assert chosen.args == [people["Carter"], "1003"]
    area.authorizations.setCurrentItem(area.authorizations.topLevelItem(0))
    with qtbot.waitSignal(area.participant_chosen, timeout=WAIT_MS) as chosen:
        qtbot.keyClick(area.authorizations, Qt.Key.Key_Enter)
    assert chosen.args == [people["Baker"], "1002"]

    with qtbot.waitSignal(area.at_risk_loaded, timeout=WAIT_MS):    # no reload asked
        services.attendance.mark_absent(desk, people["Abbott"], meetings[0], excused=True,
                                        reason="Court date")
    assert [r[0] for r in _rows(area.at_risk)] == ["Abbott, Ana", "Carter, Cal"]


def test_empty_lists_say_so(qtbot, services, actors, runner, program):
    supervisor = actors["supervisor"]                 # no participants of their own
    area = _area(qtbot, services, runner, supervisor)
    _load(qtbot, area, area.at_risk_loaded, area.authorizations_loaded)
    assert not area.at_risk.isVisible() and area.at_risk_section.message.isVisible()
    assert area.at_risk_section.message.text() == \
        "No one is at risk of missing this week's hours."
    assert not area.authorizations.isVisible()
    assert area.authorizations_section.message.text() == \
        "No authorization of your participants is running out."

    desk = _area(qtbot, services, runner, actors["front_desk"], day=TODAY + timedelta(days=1))
    _load(qtbot, desk, desk.meetings_loaded)          # Tuesday: no group meets
    assert not desk.meetings.isVisible() and desk.meetings_message.isVisible()
    assert desk.meetings_message.text() == "No groups meet today."
    assert desk.at_risk is None and desk.authorizations is None   # not the front desk's


def test_a_list_that_cannot_be_loaded_says_why(qtbot, services, actors, runner, program,
                                               monkeypatch):
    def refused(*_args, **_kwargs):
        raise IOPDeskError("The database server cannot be reached")

    monkeypatch.setattr(services.attendance, "day", refused)
    area = _area(qtbot, services, runner, actors["front_desk"])
    _load(qtbot, area, area.meetings_loaded)
    assert area.meetings_message.isVisible()
    assert area.meetings_message.text() == \
        "This list could not be loaded: The database server cannot be reached"
    assert area.findChildren(QMessageBox) == []
