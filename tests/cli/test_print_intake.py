"""`iopdesk print intake`: the participant's signed intake assessment written to a PDF file by
clinical staff, with the print and the file in the audit trail; no file, and one clear line,
when there is nothing signed to print or the user may not see clinical content."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from cli_support import as_json
from cli_support import query as _query
from cli_support import run as _run
from pypdf import PdfReader

from iopdesk.cli import acting_user, main
from iopdesk.demo import DEMO_PASSWORD

SIGNED_CHART = """
SELECT p.chart_number, i.presenting_problem FROM participants p
JOIN episodes e ON e.participant_id = p.id
JOIN intake_assessments i ON i.episode_id = e.id
WHERE i.status != 'draft' AND NOT EXISTS (
    SELECT 1 FROM episodes later WHERE later.participant_id = p.id
    AND later.admission_date > e.admission_date)
ORDER BY p.id LIMIT 1"""
UNSIGNED_CHART = """
SELECT p.chart_number FROM participants p
WHERE NOT EXISTS (SELECT 1 FROM episodes e JOIN intake_assessments i ON i.episode_id = e.id
                  WHERE e.participant_id = p.id AND i.status != 'draft')
ORDER BY p.id LIMIT 1"""


@pytest.fixture(autouse=True)
def as_a_script(monkeypatch):
    monkeypatch.setattr(acting_user, "interactive", lambda: False)
    monkeypatch.setenv("IOPDESK_PASSWORD", DEMO_PASSWORD)


def _documents(db: Path | str) -> list[tuple]:
    return _query(db, "SELECT action, username, outcome, detail FROM audit_events "
                      "WHERE action LIKE 'document.%' ORDER BY id")


def test_print_the_intake_and_read_it_back(demo_database, tmp_path, capsys):
    chart, problem = _query(demo_database, SIGNED_CHART)[0]
    out = tmp_path / "intake.pdf"
    code, said, err = _run(capsys, "print", "intake", "--participant", chart, "--out", out,
                           "--user", "clinician", "--database", demo_database)
    assert (code, err) == (0, "")
    assert f"Wrote {out}" in said
    pages = [" ".join(p.extract_text().split())
             for p in PdfReader(io.BytesIO(out.read_bytes())).pages]
    printed = " ".join(pages)
    assert "Intake Assessment" in printed and problem in printed
    assert "Electronically signed by" in printed and "ASAM dimensions" in printed
    assert all(f"Chart {chart}" in page and f"of {len(pages)}" in page for page in pages)
    assert out.stat().st_mode & 0o077 == 0
    events = _documents(demo_database)
    assert [(a, u, o) for a, u, o, _ in events] == [("document.generate", "clinician", "ok"),
                                                   ("document.export", "clinician", "ok")]
    assert as_json(events[0][3])["document"] == "intake_assessment"
    assert as_json(events[1][3])["to"] == str(out)


def test_no_signed_intake_is_one_clear_line_and_no_file(demo_database, tmp_path, capsys):
    [(chart,)] = _query(demo_database, UNSIGNED_CHART)
    out = tmp_path / "intake.pdf"
    code, said, err = _run(capsys, "print", "intake", "--participant", chart, "--out", out,
                           "--user", "clinician", "--database", demo_database)
    assert code == 1 and "Wrote" not in said
    assert len(err.splitlines()) == 1
    assert f"(chart {chart}) has no signed intake assessment to print" in err
    assert "sign it first" in err
    assert not out.exists() and list(tmp_path.glob(".*.part")) == []
    assert _documents(demo_database) == []


def test_the_front_desk_may_not_print_it(demo_database, tmp_path, capsys):
    chart, _problem = _query(demo_database, SIGNED_CHART)[0]
    out = tmp_path / "intake.pdf"
    code, said, err = _run(capsys, "print", "intake", "--participant", chart, "--out", out,
                           "--user", "frontdesk", "--database", demo_database)
    assert code == 1 and "Wrote" not in said
    assert len(err.splitlines()) == 1 and "view clinical" in err
    assert not out.exists()
    assert [(a, u, o) for a, u, o, _ in _documents(demo_database)] == [
        ("document.generate", "frontdesk", "refused")]


def test_the_command_is_listed_with_the_other_documents(capsys):
    with pytest.raises(SystemExit) as done:
        main(["print", "--help"])
    assert done.value.code == 0
    said = capsys.readouterr().out
    assert "intake" in said and "the participant's signed intake assessment" in said
