"""Two workstations on one PostgreSQL server: a check-in made through the other
workstation's services (another service stack, another front desk) shows up in this one's
open Check-in area, through the live channel (ui.changes), without a refresh."""

from __future__ import annotations

import pytest
from checkin_support import Wall, desk_services, set_up_day

from iopdesk.db.engine import make_engine
from iopdesk.db.migrate import run_migrations
from iopdesk.ui.areas.checkin import CheckInArea
from iopdesk.ui.checkin.models import DayModel

from support import TODAY

WAIT_MS = 10_000


@pytest.fixture
def two_desks(pg_url, runner):
    """(desk A's services, the day, desk B's services) on one server, one clock."""
    run_migrations(pg_url)
    wall = Wall()
    wall.set(9, 4)
    engine_a, engine_b = make_engine(pg_url), make_engine(pg_url)
    desk_a = desk_services(engine_a, "desk-a", wall)
    day = set_up_day(desk_a, engine_a)
    desk_b = desk_services(engine_b, "desk-b", wall)
    yield desk_a, day, desk_b
    runner.wait_for_done(WAIT_MS)
    engine_a.dispose()
    engine_b.dispose()


def test_another_workstation_s_check_in_shows_up_in_the_open_list(qtbot, two_desks, runner):
    desk_a, day, desk_b = two_desks
    actor_b = desk_b.staff.log_in("frontdesk", "desk-password-1")
    area = CheckInArea(desk_b, actor_b, runner, today=lambda: TODAY)
    qtbot.addWidget(area)
    area.show()
    with qtbot.waitSignal(area.day_loaded, timeout=WAIT_MS):
        area.area_shown()
        area.focus_first()          # as the window does when it brings the area up
    row = area.day_model.row_of((day.people["ben"], day.meetings["adult"]))
    assert area.day_model.index(row, DayModel.STATUS).data() == "Expected"

    desk_a.attendance.check_in(day.clinician, day.people["ben"])       # at the other desk

    def here() -> bool:
        row = area.day_model.row_of((day.people["ben"], day.meetings["adult"]))
        return (area.day_model.index(row, DayModel.STATUS).data(),
                area.day_model.index(row, DayModel.IN).data()) == ("Here", "9:04 AM")
    qtbot.waitUntil(here, timeout=WAIT_MS)
    counts = area.meetings_model
    adult = next(r for r in range(counts.rowCount())
                 if counts.row_at(r).id == day.meetings["adult"])
    assert counts.index(adult, counts.HERE).data() == "1"
