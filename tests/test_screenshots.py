"""The README's screenshots are made by docs/screenshots.py from the demo practice: the
script runs (in its own process: it sets the application's font and style) and writes
pictures with something on them; the day it records first (docs/screenshots_day.py) has an
example of every status the pictures are meant to show."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QImage
from support import AUDIT_KEY, TODAY

from iopdesk.db.engine import make_session_factory, sqlite_url
from iopdesk.db.migrate import open_database
from iopdesk.demo import DEMO_PASSWORD
from iopdesk.domain.enums import AttendanceStatus
from iopdesk.services import build_services

DOCS = Path(__file__).resolve().parents[1] / "docs"
SCRIPT = DOCS / "screenshots.py"
NAMES = ("main-window.png", "chart.png", "intake.png", "face-sheet.png", "today.png",
         "insurance.png", "attendance.png", "schedule.png", "hours.png", "checkin.png",
         "desk-today.png", "sign-in-sheet.png")
PAGES = ("face-sheet.png", "sign-in-sheet.png")
THURSDAY = date(2026, 11, 19)           # both demo tracks meet
ZONE = "America/Los_Angeles"            # the demo practice's

sys.path.insert(0, str(DOCS))
import screenshots_day  # noqa: E402


def _colours(image: QImage) -> int:
    """How many different colours a coarse grid of the picture's pixels has."""
    step_x, step_y = max(1, image.width() // 60), max(1, image.height() // 60)
    return len({image.pixel(x, y) for x in range(0, image.width(), step_x)
                for y in range(0, image.height(), step_y)})


def _run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_script_draws_the_main_window_chart_and_face_sheet_from_the_demo(demo_db, tmp_path):
    out = tmp_path / "images"
    done = _run("--out", str(out), "--database", str(demo_db))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(out / name) for name in NAMES]
    for name in NAMES:
        image = QImage(str(out / name))
        assert not image.isNull(), name
        assert image.width() >= 900 and image.height() >= 700, name
        assert _colours(image) > 8, f"{name} is (nearly) blank"
    for name in PAGES:
        page = QImage(str(out / name))
        assert page.height() > page.width(), name    # a portrait letter page


def test_script_says_what_went_wrong_with_a_database_that_is_not_one(tmp_path):
    bogus = tmp_path / "not-a-database.sqlite3"
    bogus.write_text("these are not the pages of a database")
    done = _run("--out", str(tmp_path / "images"), "--database", str(bogus))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "database" in done.stderr.lower()
    assert not (tmp_path / "images" / "main-window.png").exists()


def test_script_refuses_a_database_that_is_not_the_demo(practice_db, tmp_path):
    done = _run("--out", str(tmp_path / "images"), "--database", str(practice_db))
    assert done.returncode == 1
    assert "not a demo practice" in done.stderr
    assert not (tmp_path / "images" / "main-window.png").exists()


@pytest.fixture
def practice_db(services, engine, db_path) -> Path:
    """A (fictional) real practice's database, not the demo."""
    from iopdesk.domain.accounts import NewUserInput, PracticeInput
    from iopdesk.domain.enums import Role

    services.setup.initialize(
        PracticeInput(name="Riverside IOP", city="Portland", state="OR"),
        NewUserInput(username="admin", display_name="Ada Admin", roles=frozenset({Role.ADMIN})),
        "admin-password-1")
    return db_path


def _services(demo_db: Path, day: date, at: time):
    engine = open_database(sqlite_url(demo_db))
    moment = datetime.combine(day, at, ZoneInfo(ZONE)).astimezone(UTC)
    services = build_services(make_session_factory(engine), "test-station", audit_key=AUDIT_KEY,
                              today=lambda: day, now=lambda: moment)
    return services, engine, moment


def test_the_recorded_day_has_every_status_the_pictures_show(demo_db):
    services, engine, now = _services(demo_db, THURSDAY, screenshots_day.PICTURE_TIME)
    try:
        screenshots_day.record_day(services, DEMO_PASSWORD, now)
        desk = services.staff.log_in("frontdesk", DEMO_PASSWORD)
        day = services.attendance.day(desk)
    finally:
        engine.dispose()
    running = [m for m in day.meetings if m.running]
    assert {m.track_id for m in running} == {r.track_id for r in day.rows}   # both tracks
    marks = [a for r in day.rows for a in r.attendance]
    for meeting in running:
        assert len(meeting.missing) == 1, meeting.title             # someone not here yet
        assert meeting.here_count == meeting.expected_count - 2     # and one excused
    assert any(a.here and a.late for a in marks)
    assert any(a.left_early and not a.here for a in marks)
    excused = [a for a in marks if a.status == AttendanceStatus.EXCUSED]
    assert {a.absence_reason for a in excused} == {screenshots_day.EXCUSE}
    for meeting in day.meetings:
        if meeting.end <= now:                  # over: everyone who came is checked out
            assert meeting.here_count == 0 and meeting.attended_count > 0, meeting.title
        if meeting.start > now:                 # ahead: only the excused are recorded
            assert all(r.at(meeting.id) is None
                       or r.at(meeting.id).status == AttendanceStatus.EXCUSED
                       for r in day.rows), meeting.title


def test_a_clinician_corrects_a_time_earlier_in_the_week_with_its_reason(demo_db):
    monday, engine, evening = _services(demo_db, TODAY, time(21, 30))   # the groups over
    try:
        screenshots_day.record_day(monday, DEMO_PASSWORD, evening)
        person = next(r for r in monday.attendance.day(
            monday.staff.log_in("frontdesk", DEMO_PASSWORD)).rows if r.attendance
            and r.attendance[0].time_in is not None).participant_id
    finally:
        engine.dispose()
    tuesday, engine, _ = _services(demo_db, date(2026, 11, 17), time(12, 0))
    try:
        meeting_id = screenshots_day.correct_earlier(tuesday, DEMO_PASSWORD, person, ZONE)
        clinician = tuesday.staff.log_in("clinician", DEMO_PASSWORD)
        week = tuesday.attendance.weeks(clinician, person, 1)[0]
        view = next(m.attendance for m in week.meetings if m.meeting_id == meeting_id)
        steps = tuesday.attendance.history(clinician, view.id)
    finally:
        engine.dispose()
    assert steps[-1].changed_by == clinician.display_name
    assert steps[-1].in_after != steps[-1].in_before
    assert steps[-1].reason.startswith("The sign-in sheet says ")
