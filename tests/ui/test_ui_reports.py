"""The Reports area at the keyboard, on a practice's Monday (checkin_support) where Ben
attended the whole morning meeting (9:00-12:00) and Ana half of it (the only meeting of
the week: both at risk of the minimum): the date box starts on
this week's first day, the week's hours are listed (each participant, track, hours against
the minimum, status), the track chooser narrows them; Preview PDF shows the hours report;
Save CSV writes the report owner-only, replacing a file only once the user says so, and the
save is in the audit trail; a week with nobody in the program says so, on screen and in the
PDF; a file name that can never be written is refused with nothing written."""

from __future__ import annotations

import csv
import io
import stat
from datetime import timedelta

import pytest
from attendance_areas import WAIT_MS, monday_desk, press, show_area
from checkin_support import Wall, local
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from sqlalchemy import select

from iopdesk.db.engine import make_session_factory
from iopdesk.db.models import AuditEvent
from iopdesk.ui.areas.reports import ReportsArea
from iopdesk.ui.reports.hours_model import HoursModel

from support import TODAY


@pytest.fixture
def desk(db_path, runner):
    """(services, the day, engine): Ben in 9:00-12:00, Ana 9:00-10:30 at Recovery skills."""
    wall = Wall()
    with monday_desk(db_path, runner, wall) as (services, day, engine):
        meeting = day.meetings["adult"]
        for key, out in (("ben", local(12)), ("ana", local(10, 30))):
            view = services.attendance.check_in(day.front_desk, day.people[key], meeting,
                                                at=local(9))
            wall.moment = out
            services.attendance.check_out(day.front_desk, view.id, view.version, at=out)
        yield services, day, engine


@pytest.fixture
def area(qtbot, desk, runner, settings):
    services, day, _engine = desk
    area = ReportsArea(services, day.front_desk, runner, today=lambda: TODAY + timedelta(2),
                       settings=settings)
    show_area(qtbot, area, area.hours_loaded, 1000, 600)
    assert QApplication.focusWidget() is area.date_edit
    return area


def _rows(area) -> dict[str, tuple[str, ...]]:
    model = area.model
    return {model.index(r, HoursModel.NAME).data():
            tuple(model.index(r, c).data() for c in (HoursModel.TRACK, HoursModel.HOURS,
                                                     HoursModel.MINIMUM, HoursModel.STATUS))
            for r in range(model.rowCount())}


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _exports(engine) -> list[AuditEvent]:
    with make_session_factory(engine)() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == "document.export")))


def _save_to(monkeypatch, target) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(target), "")))


def test_the_week_starts_on_its_first_day_and_lists_everyones_hours(qtbot, area):
    assert area.date_edit.date().toPython() == TODAY        # Wednesday's week: the Monday
    rows = _rows(area)
    assert rows["Okafor, Ben"] == ("Adult IOP", "3 h", "9 h", "At risk")
    assert rows["Garcia, Ana"][1] == "1 h 30 min"
    assert rows["Lindqvist, Cara"][:3] == ("Teen IOP", "0 min", "6 h")
    assert not area.message.isVisible()
    with qtbot.waitSignal(area.hours_loaded, timeout=WAIT_MS):     # the teen track alone
        area.track_combo.setFocus()
        qtbot.keyClick(area.track_combo, Qt.Key.Key_End)
    assert area.track_combo.currentText() == "Teen IOP"
    assert set(_rows(area)) == {"Lindqvist, Cara"}


def test_preview_pdf_shows_the_weeks_hours_report(qtbot, area, desk):
    _services, _day, engine = desk
    with qtbot.waitSignal(area.preview_opened, timeout=WAIT_MS) as opened:
        press(qtbot, Qt.Key.Key_Return)                      # Enter: the default, the preview
    preview = opened.args[0]
    qtbot.waitExposed(preview)
    text = _text(preview._pdf)
    assert "Hours" in text
    assert "Okafor" in text and "Lindqvist" in text
    assert "2026-11-16" in preview.windowTitle()
    with make_session_factory(engine)() as s:
        generated = [e.detail for e in s.scalars(select(AuditEvent).where(
            AuditEvent.action == "document.generate"))]
    assert [(d["document"], d["format"], d["week"]) for d in generated] == [
        ("hours_report", "pdf", "2026-11-16")]
    preview.close()


def test_save_csv_writes_the_report_owner_only_and_records_it(
        qtbot, area, desk, tmp_path, monkeypatch):
    _services, _day, engine = desk
    target = tmp_path / "hours"                              # ".csv" is added
    _save_to(monkeypatch, target)
    with qtbot.waitSignal(area.csv_saved, timeout=WAIT_MS) as saved:
        press(qtbot, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    written = tmp_path / "hours.csv"
    assert saved.args == [str(written)]
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    rows = {r["participant"]: r for r in csv.DictReader(io.StringIO(written.read_text()))}
    assert rows["Okafor, Ben"]["total_minutes"] == "180"
    assert rows["Garcia, Ana"]["total_minutes"] == "90"
    assert rows["Okafor, Ben"]["week_first"] == "2026-11-16"
    assert str(written) in area.status_label.text()
    [export] = _exports(engine)
    assert export.detail["document"] == "hours_report" and export.detail["how"] == "save"
    assert export.participant_id is None
    assert list(tmp_path.glob("*.part")) == []


def test_an_existing_file_is_replaced_only_when_the_user_says_so(
        qtbot, area, desk, tmp_path, monkeypatch):
    _services, _day, engine = desk
    target = tmp_path / "hours.csv"
    target.write_text("keep me")
    target.chmod(0o600)
    _save_to(monkeypatch, target)
    area.save_csv()
    box = area.replace_box
    qtbot.waitExposed(box)
    box.button(QMessageBox.StandardButton.No).click()
    qtbot.wait(300)
    assert target.read_text() == "keep me" and _exports(engine) == []
    area.save_csv()
    with qtbot.waitSignal(area.csv_saved, timeout=WAIT_MS):
        area.replace_box.button(QMessageBox.StandardButton.Yes).click()
    assert target.read_text().startswith("participant,")


def test_a_folder_as_the_file_is_refused_with_nothing_written(
        qtbot, area, desk, tmp_path, monkeypatch):
    _services, _day, engine = desk
    folder = tmp_path / "a-folder.csv"
    folder.mkdir()
    _save_to(monkeypatch, folder)
    shown = []
    monkeypatch.setattr("iopdesk.ui.reports.csv_saving.show_error",
                        lambda parent, title, error: shown.append((title, str(error))))
    area.save_csv()
    assert shown and "folder" in shown[0][1]
    assert list(folder.iterdir()) == [] and _exports(engine) == []


def test_a_week_with_nobody_says_so_on_screen_and_in_the_pdf(qtbot, area):
    for _ in range(3):                                       # before anyone was admitted
        with qtbot.waitSignal(area.hours_loaded, timeout=WAIT_MS):
            press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert area.date_edit.date().toPython() == TODAY - timedelta(weeks=3)
    area.next_button.setFocus()                              # Enter on a button presses it
    with qtbot.waitSignal(area.hours_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    assert area.date_edit.date().toPython() == TODAY - timedelta(weeks=2)
    area.date_edit.setFocus()
    with qtbot.waitSignal(area.hours_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert area.model.rowCount() == 0
    assert area.message.isVisible() and "Nobody" in area.message.text()
    with qtbot.waitSignal(area.preview_opened, timeout=WAIT_MS) as opened:
        press(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    text = _text(opened.args[0]._pdf)
    assert "No participants" in text
    opened.args[0].close()


def test_every_control_has_its_own_mnemonic_apart_from_the_menus(area):
    from PySide6.QtWidgets import QLabel, QPushButton

    from iopdesk.ui.main_window import MENU_MNEMONICS

    texts = [w.text() for w in area.findChildren(QPushButton)]
    texts += [w.text() for w in area.findChildren(QLabel) if w.buddy() is not None]
    letters = [t[t.index("&") + 1].lower() for t in texts if "&" in t]
    assert len(letters) == len(texts) == 7
    assert len(set(letters)) == len(letters)
    assert not set(letters) & MENU_MNEMONICS
