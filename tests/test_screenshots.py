"""The README's screenshots are made by docs/screenshots.py from the demo practice: the
script runs (in its own process: it sets the application's font and style) and writes
pictures with something on them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "screenshots.py"
NAMES = ("main-window.png", "chart.png", "intake.png", "face-sheet.png", "today.png",
         "insurance.png")


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
    page = QImage(str(out / "face-sheet.png"))
    assert page.height() > page.width()          # a portrait letter page


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
