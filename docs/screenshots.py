"""Screenshots of IOPDesk on the fictional demo practice, for the README.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots.py [--out docs/images]

Builds the small demo practice (seed 1, as of 2026-11-16) in a temporary folder, unless
`--database` names a demo file to copy, logs in as the demo clinician and saves:

- main-window.png  the Participants area after typing "ngu" (the search finds Nguyễn);
- chart.png        the chart of the first active participant found, on its Diagnoses tab;
- intake.png       the same chart on its Intake assessment tab;
- face-sheet.png   page 1 of that participant's face sheet, rendered by QtPdf;
- today.png        the supervisor's Today: the intakes awaiting their co-signature, the groups
                   they lead today and their caseload;
- insurance.png    the chart's Face sheet tab with the participant's insurance.

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
import time
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSettings, QSize  # noqa: E402
from PySide6.QtGui import QFont, QFontDatabase, QImage, QPainter  # noqa: E402
from PySide6.QtPdf import QPdfDocument  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from iopdesk.domain.errors import IOPDeskError  # noqa: E402

DEMO_SEED = 1
DEMO_AS_OF = date(2026, 11, 16)
SEARCH = "ngu"
WINDOW_SIZE = QSize(1280, 760)
PDF_DPI = 110
WAIT_S = 30.0
FONTS = Path(__file__).resolve().parents[1] / "iopdesk" / "reports" / "fonts"
SHOTS = ("main-window.png", "chart.png", "intake.png", "face-sheet.png", "today.png",
         "insurance.png")


class ScreenshotError(RuntimeError):
    """The demo did not reach the state a screenshot needs."""


def _wait_until(condition: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise ScreenshotError(f"gave up waiting for {what}")
        QApplication.processEvents()
        time.sleep(0.01)
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
        raise ScreenshotError(f"the face sheet did not load ({document.error()})")
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


def make_screenshots(out: Path, database: Path | None = None) -> list[Path]:
    """Save the README's pictures in `out` and return their paths."""
    from iopdesk.db.engine import make_session_factory, sqlite_url
    from iopdesk.db.migrate import open_database
    from iopdesk.demo import DEMO_PASSWORD
    from iopdesk.domain.enums import EpisodeStatus
    from iopdesk.services import build_services
    from iopdesk.ui.main_window import MainWindow, SessionInfo
    from iopdesk.ui.operations import Runner

    app = _application()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="iopdesk-shots-") as tmp:
        folder = Path(tmp)
        engine = open_database(sqlite_url(_build_demo(folder, database)))
        runner = Runner()
        window = None
        try:
            services = build_services(make_session_factory(engine), "front-office-1",
                                      audit_key=secrets.token_bytes(32),
                                      today=lambda: DEMO_AS_OF)
            if not services.staff.is_demo():
                raise ScreenshotError("the database is not a demo practice's: pictures for the "
                                      "README show fictional people only")
            actor = services.staff.log_in("clinician", DEMO_PASSWORD)
            settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
            info = SessionInfo(practice_name="", workstation="front-office-1",
                               database="~/.local/share/IOPDesk/demo.sqlite3")
            window = MainWindow(services, actor, runner, info, settings=settings,
                                today=lambda: DEMO_AS_OF)
            window.resize(WINDOW_SIZE)
            window.show()
            window.show_area("participants")
            model = window.participant_model
            window.participants.search_edit.setText(SEARCH)
            _wait_until(lambda: model.text == SEARCH and not model.loading
                        and runner.pending == 0, f"the search for {SEARCH!r}")
            rows = [model.row_at(i) for i in range(model.rowCount())]
            active = [row for row in rows if row.status is EpisodeStatus.ACTIVE]
            if not active:
                raise ScreenshotError(f"no active participant matches {SEARCH!r}")
            chosen = active[0]
            window.participants.table.selectRow(rows.index(chosen))
            _save(window, out / SHOTS[0])

            chart = window.open_chart(chosen.id)
            chart.resize(WINDOW_SIZE)
            _wait_until(lambda: chart.summary is not None and runner.pending == 0,
                        "the chart to open")
            if "diagnoses" in chart.tab_keys():
                chart.show_tab("diagnoses")
                _wait_until(lambda: runner.pending == 0, "the diagnoses to load")
            _save(chart, out / SHOTS[1])
            if "intake" in chart.tab_keys():
                chart.show_tab("intake")
                _wait_until(lambda: runner.pending == 0, "the intake to load")
            _save(chart, out / SHOTS[2])

            _save_pdf_page(services.documents.face_sheet(actor, chosen.id), out / SHOTS[3])

            chart.show_tab("face_sheet")
            _wait_until(lambda: runner.pending == 0, "the face sheet tab to load")
            _save(chart, out / SHOTS[5])
            window.charts.close_all()

            supervisor = services.staff.log_in("supervisor", DEMO_PASSWORD)
            boss = MainWindow(services, supervisor, runner, info, settings=settings,
                              today=lambda: DEMO_AS_OF)
            boss.resize(WINDOW_SIZE)
            boss.show()
            boss.show_area("today")
            today = boss.page("today")
            _wait_until(lambda: runner.pending == 0 and today.cosign_queue.topLevelItemCount()
                        + int(today.cosign_message.isVisible()) > 0, "the supervisor's Today")
            _save(boss, out / SHOTS[4])
            boss.close()
        finally:
            if window is not None:
                window.charts.close_all()
                window.close()
            runner.wait_for_done(10_000)
            app.processEvents()
            engine.dispose()
    return [out / name for name in SHOTS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "images",
                        help="folder for the PNG files (default: docs/images)")
    parser.add_argument("--database", type=Path,
                        help="a demo database to copy instead of building one")
    args = parser.parse_args(argv)
    os.environ["TZ"] = "America/Los_Angeles"     # the demo practice is in Oregon
    time.tzset()
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
