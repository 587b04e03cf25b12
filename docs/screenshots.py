"""Screenshots of IOPDesk on the fictional demo practice, for the README.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots.py [--out docs/images]

Builds the small demo practice (seed 1, as of Thursday 2026-11-19, when both tracks meet) in a
temporary folder, unless `--database` names a demo file to copy. The services' clock stands at
6:20 PM that day at the practice: the adolescents' last group and the adults' first are
running. The day's attendance so far is first recorded through the attendance service as the
front desk would have (screenshots_day.py: early and late arrivals, an early leave, an excused
absence, someone not here yet). Then, as the demo clinician, it saves:

- main-window.png  the Participants area after typing "ngu" (the search finds Nguyễn);
- chart.png        the chart of the first active participant found, on its Diagnoses tab;
- intake.png       the same chart on its Intake assessment tab;
- insurance.png    the chart's Face sheet tab with the participant's insurance;
- face-sheet.png   page 1 of that participant's face sheet, rendered by QtPdf;
- attendance.png   the chart's Attendance tab, after a clinician corrected a time earlier in
                   the week: the weeks against the minimum, this week's meetings and the
                   steps of the corrected one;
- schedule.png     the Schedule: the adult track's next week, with its Thanksgiving closure;
- hours.png        Reports: this week's hours of everyone against their track's minimum;
- checkin.png      as the front desk, Check-in: the day's meetings and list, the search typed
                   for the person missing from a running group;
- desk-today.png   the front desk's Today: the groups running now, who is here, who is not;
- sign-in-sheet.png  page 1 of the sign-in sheet of the adults' group running now;
- today.png        as the supervisor, Today: the intakes awaiting their co-signature, the
                   groups they lead today, who is at risk this week and their caseload.

The windows are drawn with the bundled DejaVu Sans and the Fusion style, so the pictures do
not depend on the fonts and theme of the machine that makes them. Nothing here touches the
user's own data folder or settings. Times show in the demo practice's zone (Pacific).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sqlite3
import sys
import tempfile
import time as clock
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import (  # noqa: E402
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QSettings,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QFontDatabase, QImage, QKeyEvent, QPainter  # noqa: E402
from PySide6.QtPdf import QPdfDocument  # noqa: E402
from PySide6.QtWidgets import QAbstractItemView, QApplication, QSplitter, QWidget  # noqa: E402
from screenshots_day import PICTURE_TIME, correct_earlier, record_day  # noqa: E402

from iopdesk.domain.errors import IOPDeskError  # noqa: E402

DEMO_SEED = 1
DEMO_AS_OF = date(2026, 11, 19)         # a Thursday: both tracks meet
SEARCH = "ngu"
WINDOW_SIZE = QSize(1280, 760)
TALL_HEIGHT = 900
PDF_DPI = 110
WAIT_S = 30.0
FONTS = Path(__file__).resolve().parents[1] / "iopdesk" / "reports" / "fonts"
SHOTS = ("main-window.png", "chart.png", "intake.png", "face-sheet.png", "today.png",
         "insurance.png", "attendance.png", "schedule.png", "hours.png", "checkin.png",
         "desk-today.png", "sign-in-sheet.png")
AUDIT_KEY = secrets.token_bytes(32)     # this run's: the demo's trail is thrown away after


class ScreenshotError(RuntimeError):
    """The demo did not reach the state a screenshot needs."""


def _wait_until(condition: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    deadline = clock.monotonic() + timeout_s
    while not condition():
        if clock.monotonic() > deadline:
            raise ScreenshotError(f"gave up waiting for {what}")
        QApplication.processEvents()
        clock.sleep(0.01)
    QApplication.processEvents()


def _application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    for ttf in sorted(FONTS.glob("DejaVuSans*.ttf")):
        QFontDatabase.addApplicationFont(str(ttf))
    app.setFont(QFont("DejaVu Sans", 9))
    return app


def _build_demo(folder: Path, database: Path | None) -> Path:
    from iopdesk.db.engine import sqlite_url
    from iopdesk.db.migrate import open_database
    from iopdesk.demo import build_demo

    path = folder / "demo.sqlite3"
    if database is not None:
        if not database.is_file():
            raise ScreenshotError(f"there is no database file {database}")
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:                                    # the backup API copies what the WAL holds too
            with closing(sqlite3.connect(path)) as copy:
                source.backup(copy)
        except sqlite3.DatabaseError as exc:
            raise ScreenshotError(f"cannot copy the database {database}: {exc}") from exc
        finally:
            source.close()
        return path
    engine = open_database(sqlite_url(path), create=True)
    try:
        build_demo(engine, seed=DEMO_SEED, size="small", as_of=DEMO_AS_OF)
    finally:
        engine.dispose()
    return path


def _save(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise ScreenshotError(f"could not write {path}")


def _save_pdf_page(pdf: bytes, path: Path) -> None:
    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.pageCount() < 1:
        raise ScreenshotError(f"{path.name}: the PDF did not load ({document.error()})")
    points = document.pagePointSize(0)
    size = QSize(round(points.width() * PDF_DPI / 72), round(points.height() * PDF_DPI / 72))
    page = document.render(0, size)
    framed = QImage(size.width() + 2, size.height() + 2, QImage.Format.Format_RGB32)
    framed.fill(0x9E9E9E)                     # a thin grey edge shows where the paper ends
    painter = QPainter(framed)
    painter.fillRect(1, 1, size.width(), size.height(), 0xFFFFFF)   # the page is transparent
    painter.drawImage(1, 1, page)
    painter.end()
    if not framed.save(str(path)):
        raise ScreenshotError(f"could not write {path}")


@dataclass
class _Practice:
    """One demo database at one moment of its practice, and the windows opened on it."""

    services: Any
    day: date
    now: datetime
    runner: Any
    settings: QSettings
    windows: list = field(default_factory=list)

    def window(self, username: str, area: str):
        """A main window of the demo user `username`, showing `area`."""
        from iopdesk.demo import DEMO_PASSWORD
        from iopdesk.ui.main_window import MainWindow, SessionInfo

        info = SessionInfo(practice_name="", workstation="front-office-1",
                           database="~/.local/share/IOPDesk/demo.sqlite3")
        actor = self.services.staff.log_in(username, DEMO_PASSWORD)
        window = MainWindow(self.services, actor, self.runner, info, settings=self.settings,
                            today=lambda: self.day)
        self.windows.append(window)
        window.resize(WINDOW_SIZE)
        window.show()
        window.show_area(area)
        return window

    def close(self) -> None:
        for window in self.windows:
            window.charts.close_all()
            window.close()


def _practice(engine, day: date, at: time, runner, settings: QSettings) -> _Practice:
    """The demo's services with their clock at `at` on `day`, at the practice."""
    from iopdesk.db.engine import make_session_factory
    from iopdesk.services import build_services

    def services(now: Callable[[], datetime] | None = None):
        clock = {} if now is None else {"now": now}
        return build_services(make_session_factory(engine), "front-office-1",
                              audit_key=AUDIT_KEY, today=lambda: day, **clock)

    moment = datetime.combine(day, at, ZoneInfo(services().settings.time_zone())).astimezone(UTC)
    practice = _Practice(services(lambda: moment), day, moment, runner, settings)
    if not practice.services.staff.is_demo():
        raise ScreenshotError("the database is not a demo practice's: pictures for the README "
                              "show fictional people only")
    return practice


def make_screenshots(out: Path, database: Path | None = None) -> list[Path]:
    """Save the README's pictures in `out` and return their paths."""
    from iopdesk.db.engine import sqlite_url
    from iopdesk.db.migrate import open_database
    from iopdesk.demo import DEMO_PASSWORD
    from iopdesk.ui.operations import Runner

    app = _application()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="iopdesk-shots-") as tmp:
        folder = Path(tmp)
        settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        runner = Runner()
        engine = open_database(sqlite_url(_build_demo(folder, database)))
        practice = None
        try:
            practice = _practice(engine, DEMO_AS_OF, PICTURE_TIME, runner, settings)
            record_day(practice.services, DEMO_PASSWORD, practice.now)
            _chart_shots(practice, out)
            _desk_shots(practice, out)
            _supervisor_shot(practice, out)
        finally:
            if practice is not None:
                practice.close()
            runner.wait_for_done(10_000)
            app.processEvents()
            engine.dispose()
    return [out / name for name in SHOTS]


def _search(window, runner) -> Any:
    """The participant list after typing SEARCH, its first active match selected."""
    from iopdesk.domain.enums import EpisodeStatus

    model = window.participant_model
    window.participants.search_edit.setText(SEARCH)
    _wait_until(lambda: model.text == SEARCH and not model.loading and runner.pending == 0,
                f"the search for {SEARCH!r}")
    rows = [model.row_at(i) for i in range(model.rowCount())]
    active = [row for row in rows if row.status is EpisodeStatus.ACTIVE]
    if not active:
        raise ScreenshotError(f"no active participant matches {SEARCH!r}")
    window.participants.table.selectRow(rows.index(active[0]))
    return active[0]


def _chart_shots(practice: _Practice, out: Path) -> None:
    """The participant search, the chart of the first active participant it finds (its
    Diagnoses, Intake, Face sheet and Attendance tabs), the face sheet, the Schedule's adult
    track next week and the week's hours in Reports."""
    from iopdesk.demo import DEMO_PASSWORD

    window, runner = practice.window("clinician", "participants"), practice.runner
    chosen = _search(window, runner)
    _save(window, out / SHOTS[0])
    zone = practice.services.settings.time_zone()
    corrected = correct_earlier(practice.services, DEMO_PASSWORD, chosen.id, zone)
    chart = window.open_chart(chosen.id)
    chart.resize(WINDOW_SIZE)
    _wait_until(lambda: chart.summary is not None and runner.pending == 0, "the chart to open")
    for key, name in (("diagnoses", SHOTS[1]), ("intake", SHOTS[2]),
                      ("face_sheet", SHOTS[5])):
        if key in chart.tab_keys():
            chart.show_tab(key)
            _wait_until(lambda: runner.pending == 0, f"the {key} tab to load")
        _save(chart, out / name)
    _save_pdf_page(practice.services.documents.face_sheet(window.actor, chosen.id),
                   out / SHOTS[3])

    chart.resize(WINDOW_SIZE.width(), TALL_HEIGHT)      # three lists: room for each
    tab = chart.show_tab("attendance")
    _wait_until(lambda: runner.pending == 0 and tab.weeks_model.rowCount() > 0,
                "the attendance tab to load")
    splitter = tab.findChild(QSplitter)
    total = sum(splitter.sizes())
    splitter.setSizes([total * 25 // 100, total * 55 // 100, total * 20 // 100])  # as dragged
    meetings = tab.meetings_model
    found = [row for row in range(meetings.rowCount())
             if meetings.row_at(row).meeting_id == corrected]
    if found:
        tab.meetings_table.selectRow(found[0])
        _wait_until(lambda: runner.pending == 0 and tab.steps_model.rowCount() > 0,
                    "the corrected attendance's steps")
    _save(chart, out / SHOTS[6])
    window.charts.close_all()

    window.show_area("schedule")
    schedule = window.page("schedule")
    _wait_until(lambda: runner.pending == 0 and schedule.week is not None, "the schedule")
    adults = [t.id for t in schedule.tracks if "adult" in t.name.lower()]
    if adults:
        schedule.show_track(adults[0])
    schedule.next_week()
    _wait_until(lambda: runner.pending == 0, "next week's schedule")
    _save(window, out / SHOTS[7])

    window.show_area("reports")
    reports = window.page("reports")
    _wait_until(lambda: runner.pending == 0 and reports.model.rowCount() > 0,
                "the week's hours")
    _save(window, out / SHOTS[8])


def _supervisor_shot(practice: _Practice, out: Path) -> None:
    boss = practice.window("supervisor", "today")
    today, runner = boss.page("today"), practice.runner
    _wait_until(lambda: runner.pending == 0 and today.cosign_queue.topLevelItemCount()
                + int(today.cosign_message.isVisible()) > 0, "the supervisor's Today")
    _save(boss, out / SHOTS[4])


def _desk_shots(practice: _Practice, out: Path) -> None:
    """The front desk's Today (only the groups running unfolded), Check-in with the search
    typed for the first person missing from a running group, their line chosen, and the
    sign-in sheet of the last group running."""
    window, runner = practice.window("frontdesk", "today"), practice.runner
    tree = window.page("today").meetings
    _wait_until(lambda: runner.pending == 0 and tree.topLevelItemCount() > 0,
                "the front desk's Today")
    meetings = practice.services.attendance.day(window.actor).meetings   # the tree's order
    for row, meeting in enumerate(meetings[:tree.topLevelItemCount()]):
        tree.topLevelItem(row).setExpanded(meeting.running)
    _save(window, out / SHOTS[10])

    window.show_area("check_in")
    area = window.page("check_in")
    _wait_until(lambda: runner.pending == 0 and area.view is not None, "the check-in day")
    running = [m for m in area.view.meetings if m.running and m.missing]
    if not running:
        raise ScreenshotError("no group is running with someone missing at the pictures' time")
    missing = running[0].missing[0]
    index = area.day_model.index(area.day_model.row_of((missing, running[0].id)), 0)
    area.day_table.setCurrentIndex(index)
    area.day_table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)
    name = next(r.name for r in area.view.rows if r.participant_id == missing)
    for letter in name.split(",")[0][:3]:       # typed as keys are: names are not all ASCII
        QApplication.sendEvent(area.search_edit, QKeyEvent(
            QEvent.Type.KeyPress, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, letter))
    _wait_until(lambda: runner.pending == 0 and area.matches_model.rowCount() > 0,
                "the check-in search")
    _save(window, out / SHOTS[9])
    sheet = practice.services.documents.sign_in_sheet(window.actor, running[-1].id)
    _save_pdf_page(sheet, out / SHOTS[11])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "images",
                        help="folder for the PNG files (default: docs/images)")
    parser.add_argument("--database", type=Path,
                        help="a demo database to copy instead of building one")
    args = parser.parse_args(argv)
    os.environ["TZ"] = "America/Los_Angeles"     # the demo practice is in Oregon
    clock.tzset()
    try:
        for path in make_screenshots(args.out, args.database):
            print(path)
    except ScreenshotError as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 1
    except IOPDeskError as exc:
        print(f"screenshots: cannot use the database {args.database or ''}: {exc}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
