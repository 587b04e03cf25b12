"""Print sign-in sheet… (F10) in the Check-in area, at the keyboard, on a practice's Monday
(checkin_support): with no meeting selected it says so under the meetings; with one selected
(Tab past the day's list, arrows) the preview shows that meeting's sheet, naming who is
expected; a save from the preview is recorded in the audit trail; a cancelled meeting's sheet
is refused with the reason under the meetings, and no preview opens."""

from __future__ import annotations

import io
import stat

import pytest
from attendance_areas import WAIT_MS, monday_desk, press, show_area
from checkin_support import Wall
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog
from sqlalchemy import select

from iopdesk.db.engine import make_session_factory
from iopdesk.db.models import AuditEvent
from iopdesk.ui.areas.checkin import CheckInArea

from support import TODAY


@pytest.fixture
def desk(db_path, runner):
    """(services, the day, engine) over a fresh database file."""
    with monday_desk(db_path, runner, Wall()) as desk:
        yield desk


@pytest.fixture
def area(qtbot, desk, runner):
    services, day, _engine = desk
    area = CheckInArea(services, day.front_desk, runner, today=lambda: TODAY)
    show_area(qtbot, area, area.day_loaded, 1100, 700)
    return area


def _to_meeting(qtbot, area, title: str) -> None:
    """Tab from the search box past the check-in choice and the day's list onto the
    meetings, then the arrows onto `title`."""
    for _ in range(3):
        press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is area.meetings
    press(qtbot, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(area.meetings_model.rowCount()):
        if area.selected_meeting().title == title:
            return
        press(qtbot, Qt.Key.Key_Down)
    raise AssertionError(f"no meeting {title}")


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _audit(engine, action: str) -> list[AuditEvent]:
    with make_session_factory(engine)() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_no_meeting_selected_is_said_under_the_meetings(qtbot, area, desk):
    _services, _day, engine = desk
    assert QApplication.focusWidget() is area.search_edit
    before = len(_audit(engine, "document.generate"))
    with qtbot.assertNotEmitted(area.preview_opened, wait=300):
        press(qtbot, Qt.Key.Key_F10)
    assert area.meetings_error.isVisible()
    assert "Select a meeting" in area.meetings_error.text()
    assert len(_audit(engine, "document.generate")) == before
    _to_meeting(qtbot, area, "Teen group")                  # a choice takes the line away
    assert not area.meetings_error.isVisible()


def test_f10_previews_the_selected_meetings_sheet_and_a_save_is_recorded(
        qtbot, area, desk, tmp_path, monkeypatch):
    _services, _day, engine = desk
    _to_meeting(qtbot, area, "Recovery skills")
    with qtbot.waitSignal(area.preview_opened, timeout=WAIT_MS) as opened:
        press(qtbot, Qt.Key.Key_F10)
    preview = opened.args[0]
    qtbot.waitExposed(preview)
    assert preview.page_count >= 1
    text = _text(preview._pdf)
    assert "Recovery skills" in text
    assert "Okafor" in text and "Garcia" in text        # the adults expected
    assert "Lindqvist" not in text                       # the teenager is at another meeting
    assert not area.meetings_error.isVisible()

    target = tmp_path / "sheet.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(target), "")))
    with qtbot.waitSignal(area.recorded, timeout=WAIT_MS) as saved:
        preview.save_as()
    assert saved.args == ["save", str(target)]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    [export] = _audit(engine, "document.export")
    assert export.detail["document"] == "sign_in_sheet"
    assert export.detail["how"] == "save"
    preview.close()


def test_the_teen_groups_sheet_when_that_meeting_is_chosen(qtbot, area):
    _to_meeting(qtbot, area, "Teen group")
    with qtbot.waitSignal(area.preview_opened, timeout=WAIT_MS) as opened:
        press(qtbot, Qt.Key.Key_F10)
    text = _text(opened.args[0]._pdf)
    assert "Teen group" in text and "Lindqvist" in text
    assert "Okafor" not in text
    opened.args[0].close()


def test_a_cancelled_meetings_sheet_is_refused_under_the_meetings(qtbot, area, desk):
    services, day, _engine = desk
    week = services.schedule.week(day.admin, day.adult, TODAY)
    [meeting] = next(d.meetings for d in week.days if d.day == TODAY)
    with qtbot.waitSignal(area.day_loaded, timeout=WAIT_MS):
        services.schedule.cancel_meeting(day.admin, meeting.id, meeting.version, "Snow day")
    _to_meeting(qtbot, area, "Recovery skills")
    with qtbot.assertNotEmitted(area.preview_opened, wait=1000):
        press(qtbot, Qt.Key.Key_F10)
        qtbot.waitUntil(area.meetings_error.isVisible, timeout=WAIT_MS)
    assert "cancel" in area.meetings_error.text().lower()
