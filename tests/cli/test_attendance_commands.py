"""`iopdesk print sign-in-sheet` and `iopdesk report hours` on the demo practice: the files
written (owner only) and read back, the print and the file in the audit trail; bad input
refused in one line with nothing written. On SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from cli_support import as_json
from cli_support import query as _query
from cli_support import run as _run
from pypdf import PdfReader

from iopdesk.cli import acting_user
from iopdesk.demo import DEMO_PASSWORD

WEEK = "2026-11-16"
ADULT = "Adult Substance Use IOP"


@pytest.fixture(autouse=True)
def as_a_script(monkeypatch):
    monkeypatch.setattr(acting_user, "interactive", lambda: False)
    monkeypatch.setenv("IOPDESK_PASSWORD", DEMO_PASSWORD)


def _text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _meeting(db) -> int:
    return _query(db, "SELECT id FROM group_meetings WHERE meeting_date = ? AND NOT cancelled "
                      "ORDER BY id LIMIT 1", WEEK)[0][0]


def _documents(db) -> list[tuple]:
    return [(action, as_json(detail)["document"]) for action, detail in _query(
        db, "SELECT action, detail FROM audit_events WHERE action LIKE 'document.%' "
            "ORDER BY id")]


def test_print_a_sign_in_sheet(demo_database, tmp_path, capsys):
    meeting = _meeting(demo_database)
    out = tmp_path / "sheet.pdf"
    code, said, err = _run(capsys, "print", "sign-in-sheet", "--meeting", meeting, "--out", out,
                           "--user", "frontdesk", "--database", demo_database)
    assert (code, err) == (0, "") and f"Wrote {out}" in said
    text = _text(out)
    assert "Group Sign-In Sheet" in text and "Willow Creek Recovery & Wellness (DEMO)" in text
    assert out.stat().st_mode & 0o077 == 0
    assert list(tmp_path.glob(".*.part")) == []
    assert _documents(demo_database) == [("document.generate", "sign_in_sheet"),
                                         ("document.export", "sign_in_sheet")]


def test_a_sign_in_sheet_goes_to_a_file_named_for_the_meeting_by_default(
        demo_database, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    meeting = _meeting(demo_database)
    code, _said, err = _run(capsys, "print", "sign-in-sheet", "--meeting", meeting, "--user",
                            "frontdesk", "--database", demo_database)
    assert (code, err) == (0, "")
    assert "Group Sign-In Sheet" in _text(tmp_path / f"sign-in-sheet-{meeting}.pdf")


def test_report_the_weeks_hours_as_csv(demo_database, tmp_path, capsys):
    out = tmp_path / "hours.csv"
    code, said, err = _run(capsys, "report", "hours", "--week", WEEK, "--out", out, "--user",
                           "clinician", "--database", demo_database)
    assert (code, err) == (0, "") and f"Wrote {out}" in said
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert rows and {r["week_first"] for r in rows} == {WEEK}
    assert len({r["track"] for r in rows}) == 2                 # every track
    assert out.stat().st_mode & 0o077 == 0
    assert _documents(demo_database) == [("document.generate", "hours_report"),
                                         ("document.export", "hours_report")]


@pytest.mark.parametrize("track", [ADULT, "adult  substance use iop", "id"])
def test_report_one_track_by_name_or_number(demo_database, tmp_path, capsys, track):
    if track == "id":
        track = str(_query(demo_database, "SELECT id FROM program_tracks WHERE name = ?",
                           ADULT)[0][0])
    out = tmp_path / "adult.csv"
    code, _said, err = _run(capsys, "report", "hours", "--week", "2026-11-18", "--track", track,
                            "--format", "csv", "--out", out, "--user", "frontdesk",
                            "--database", demo_database)
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert rows and {r["track"] for r in rows} == {ADULT}


def test_report_the_hours_as_pdf(demo_database, tmp_path, capsys):
    out = tmp_path / "hours.pdf"
    code, _said, err = _run(capsys, "report", "hours", "--week", WEEK, "--format", "pdf",
                            "--out", out, "--user", "supervisor", "--database", demo_database)
    assert (code, err) == (0, "")
    assert "Weekly Attendance and Hours" in _text(out)


BAD = {
    "a bad date": (["report", "hours", "--week", "2026-13-01", "--out", "{out}"],
                   "--week 2026-13-01: not a date"),
    "no date": (["report", "hours", "--out", "{out}"], "give a day of the week with --week"),
    "an unknown track": (["report", "hours", "--week", WEEK, "--track", "Yoga", "--out",
                          "{out}"], "there is no track Yoga"),
    "an unknown format": (["report", "hours", "--week", WEEK, "--format", "xlsx", "--out",
                           "{out}"], "--format xlsx: choose csv or pdf"),
    "no --out": (["report", "hours", "--week", WEEK], "give the file to write with --out"),
    "an unwritable path": (["report", "hours", "--week", WEEK, "--out", "{missing}"],
                           "does not exist; nothing was written"),
    "an unknown meeting": (["print", "sign-in-sheet", "--meeting", "999999", "--out", "{out}"],
                           "999999"),
    "a meeting not a number": (["print", "sign-in-sheet", "--meeting", "tuesday", "--out",
                                "{out}"], "--meeting tuesday: the meeting's number is a whole"),
    "no meeting": (["print", "sign-in-sheet", "--out", "{out}"],
                   "give the meeting's number with --meeting"),
    "a sheet to an unwritable path": (["print", "sign-in-sheet", "--meeting", "1", "--out",
                                       "{missing}"], "does not exist; nothing was written"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_and_writes_nothing(demo_database, tmp_path, capsys,
                                                  monkeypatch, case):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    arguments, message = BAD[case]
    out, missing = here / "out.file", here / "no such folder" / "out.csv"
    argv = [a.format(out=out, missing=missing) for a in arguments]
    code, said, err = _run(capsys, *argv, "--user", "frontdesk", "--database", demo_database)
    assert code != 0 and "Wrote" not in said
    assert err.count("\n") == 1 and err.startswith("iopdesk: error: ") and message in err
    assert list(here.iterdir()) == []
    assert [a for a, _ in _documents(demo_database)] == []
