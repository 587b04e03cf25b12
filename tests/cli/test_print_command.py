"""`iopdesk print face-sheet|consent`: documents of the demo practice written to PDF files,
as the acting user, with the print and the file in the audit trail."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from cli_support import as_json
from cli_support import query as _query
from cli_support import run as _run
from pypdf import PdfReader

from iopdesk.cli import acting_user, main
from iopdesk.demo import DEMO_PASSWORD
from iopdesk.services.documents import DocumentService


@pytest.fixture(autouse=True)
def as_a_script(monkeypatch):
    monkeypatch.setattr(acting_user, "interactive", lambda: False)
    monkeypatch.setenv("IOPDESK_PASSWORD", DEMO_PASSWORD)


def _pages(path: Path) -> list[str]:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _chart_of(db: Path | str, last_name: str) -> str:
    return _query(db, "SELECT chart_number FROM participants WHERE last_name = ?", last_name)[0][0]


def test_print_the_face_sheet_and_read_it_back(demo_database, tmp_path, capsys):
    chart = _chart_of(demo_database, "Nguyễn")
    out = tmp_path / "face sheet.pdf"
    code, said, err = _run(capsys, "print", "face-sheet", "--participant", chart, "--out", out,
                           "--user", "frontdesk", "--database", demo_database)
    assert (code, err) == (0, "")
    assert f"Wrote {out}" in said
    pages = _pages(out)
    assert "Page 1 of" in pages[0]
    assert "Nguyễn" in pages[0] and f"Chart {chart}" in pages[0]
    assert "Willow Creek Recovery & Wellness (DEMO)" in pages[0]
    assert "Face Sheet" in pages[0] and "by Rosa Delgado" in pages[0]
    assert out.stat().st_mode & 0o077 == 0          # protected health information: owner only
    assert list(tmp_path.glob(".*.part")) == []
    events = _query(demo_database, "SELECT action, username, detail FROM audit_events "
                             "WHERE action LIKE 'document.%' ORDER BY id")
    assert [(a, u) for a, u, _ in events] == [("document.generate", "frontdesk"),
                                             ("document.export", "frontdesk")]
    assert as_json(events[1][2])["to"] == str(out)


def test_print_a_consent_prefilled_from_the_record(demo_database, tmp_path, capsys):
    chart, consent_id, recipient = _query(
        demo_database, "SELECT p.chart_number, c.id, c.recipient_name FROM consents c JOIN "
                 "participants p ON p.id = c.participant_id WHERE c.revoked_on IS NULL "
                 "AND c.expiry_date >= '2026-11-16' AND c.is_part2 ORDER BY c.id LIMIT 1")[0]
    out = tmp_path / "consent.pdf"
    code, _said, err = _run(capsys, "print", "consent", "--participant", chart, "--consent",
                            consent_id, "--out", out, "--user", "frontdesk",
                            "--database", demo_database)
    assert (code, err) == (0, "")
    printed = " ".join(_pages(out))
    assert f"Consent no. {consent_id}" in printed and recipient in printed
    assert "42 CFR part 2 prohibits unauthorized use or disclosure of these records." in printed
    assert "REVOKED" not in printed and "EXPIRED" not in printed


def test_a_revoked_consent_prints_marked_revoked(demo_database, tmp_path, capsys):
    chart, consent_id = _query(
        demo_database, "SELECT p.chart_number, c.id FROM consents c JOIN participants p "
                 "ON p.id = c.participant_id WHERE c.revoked_on IS NOT NULL LIMIT 1")[0]
    out = tmp_path / "revoked.pdf"
    assert _run(capsys, "print", "consent", "--participant", chart, "--consent", consent_id,
                "--out", out, "--user", "clinician", "--database", demo_database)[0] == 0
    pages = _pages(out)
    assert all("REVOKED" in page for page in pages)
    assert "It does not authorize any disclosure" in pages[0]


def test_an_unknown_chart_is_a_clear_error_and_no_file(demo_database, tmp_path, capsys):
    out = tmp_path / "nobody.pdf"
    code, _said, err = _run(capsys, "print", "face-sheet", "--participant", "NO-SUCH-1",
                            "--out", out, "--user", "frontdesk", "--database", demo_database)
    assert code == 1
    assert "there is no participant with chart number NO-SUCH-1" in err
    assert not out.exists()


def test_a_consent_of_someone_else_is_refused(demo_database, tmp_path, capsys):
    consent_id, owner = _query(demo_database, "SELECT id, participant_id FROM consents LIMIT 1")[0]
    other = _query(demo_database, "SELECT chart_number FROM participants WHERE id != ? LIMIT 1",
                   owner)[0][0]
    out = tmp_path / "wrong.pdf"
    code, _said, err = _run(capsys, "print", "consent", "--participant", other, "--consent",
                            consent_id, "--out", out, "--user", "frontdesk",
                            "--database", demo_database)
    assert code == 1 and "is not one of this participant's consents" in err
    assert not out.exists()


def test_a_wrong_password_prints_nothing(demo_database, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("IOPDESK_PASSWORD", "not the password")
    out = tmp_path / "x.pdf"
    code, _said, err = _run(capsys, "print", "face-sheet", "--participant",
                            _chart_of(demo_database, "Nguyễn"), "--out", out, "--user", "frontdesk",
                            "--database", demo_database)
    assert code == 1 and "Unknown user name or wrong password" in err
    assert not out.exists()


def test_a_missing_folder_is_refused_before_logging_in(demo_database, tmp_path, capsys):
    code, _said, err = _run(capsys, "print", "face-sheet", "--participant", "1001", "--out",
                            tmp_path / "missing" / "x.pdf", "--user", "frontdesk",
                            "--database", demo_database)
    assert code == 1 and "does not exist; nothing was written" in err
    assert _query(demo_database, "SELECT count(*) FROM audit_events WHERE action = 'login'") == [(0,)]


def _events(db: Path | str) -> list[tuple]:
    return _query(db, "SELECT action FROM audit_events WHERE action LIKE 'document.%' "
                      "OR action = 'login'")


def test_an_existing_file_is_kept_without_force(demo_database, tmp_path, capsys):
    out = tmp_path / "face.pdf"
    out.write_bytes(b"an older file")
    code, said, err = _run(capsys, "print", "face-sheet", "--participant",
                           _chart_of(demo_database, "Nguyễn"), "--out", out, "--user", "frontdesk",
                           "--database", demo_database)
    assert (code, said) == (1, "")
    assert err == f"iopdesk: error: {out} exists; add --force to replace it\n"   # one line
    assert out.read_bytes() == b"an older file"
    assert _events(demo_database) == []            # refused before logging in: nothing printed
    assert list(tmp_path.glob(".*.part")) == []


def test_force_replaces_an_existing_file_whole_and_owner_only(demo_database, tmp_path, capsys):
    out = tmp_path / "face.pdf"
    out.write_bytes(b"an older file")
    out.chmod(0o644)
    chart = _chart_of(demo_database, "Nguyễn")
    code, said, err = _run(capsys, "print", "face-sheet", "--participant", chart, "--out", out,
                           "--user", "frontdesk", "--database", demo_database, "--force")
    assert (code, err) == (0, "") and f"Wrote {out}" in said
    assert out.read_bytes().startswith(b"%PDF-")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert list(tmp_path.glob(".*.part")) == []
    assert ("document.export",) in _events(demo_database)


def test_a_read_only_file_is_kept_even_with_force(demo_database, tmp_path, capsys):
    out = tmp_path / "face.pdf"
    out.write_bytes(b"somebody's file")
    out.chmod(0o444)                # the tests run as root, who could otherwise write it
    for force in ((), ("--force",)):
        code, said, err = _run(capsys, "print", "face-sheet", "--participant",
                               _chart_of(demo_database, "Nguyễn"), "--out", out, "--user",
                               "frontdesk", "--database", demo_database, *force)
        assert (code, said) == (1, "")
        assert f"{out} is read-only for you (mode 0444" in err and "nothing was written" in err
        assert len(err.splitlines()) == 1
        assert out.read_bytes() == b"somebody's file"
        assert stat.S_IMODE(out.stat().st_mode) == 0o444
    assert _events(demo_database) == [] and list(tmp_path.glob(".*.part")) == []


def test_a_link_is_not_written_through(demo_database, tmp_path, capsys):
    real = tmp_path / "real.pdf"
    real.write_bytes(b"the real file")
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    code, _said, err = _run(capsys, "print", "face-sheet", "--participant",
                            _chart_of(demo_database, "Nguyễn"), "--out", link, "--user", "frontdesk",
                            "--database", demo_database, "--force")
    assert code == 1 and "is a symbolic link" in err
    assert link.is_symlink() and real.read_bytes() == b"the real file"


def test_no_file_without_a_record_of_it(demo_database, tmp_path, capsys, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the audit trail is unavailable")
    monkeypatch.setattr(DocumentService, "record_export", broken)
    out = tmp_path / "face.pdf"
    with pytest.raises(RuntimeError):
        main(["print", "face-sheet", "--participant", _chart_of(demo_database, "Nguyễn"), "--out",
              str(out), "--user", "frontdesk", "--database", str(demo_database)])
    assert not out.exists() and list(tmp_path.glob(".*.part")) == []


def test_a_failed_write_is_a_clear_error_and_leaves_nothing(demo_database, tmp_path, capsys,
                                                           monkeypatch):
    def full_disk(*_args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("iopdesk.services.files.os.link", full_disk)
    monkeypatch.setattr("iopdesk.services.files.os.replace", full_disk)
    out = tmp_path / "face.pdf"
    code, _said, err = _run(capsys, "print", "face-sheet", "--participant",
                            _chart_of(demo_database, "Nguyễn"), "--out", out, "--user", "frontdesk",
                            "--database", demo_database)
    assert code == 1 and "No space left on device; nothing was written" in err
    assert not out.exists() and list(tmp_path.glob(".*.part")) == []


def test_print_needs_its_flags(capsys):
    with pytest.raises(SystemExit):
        main(["print", "consent", "--participant", "1001", "--out", "x.pdf"])
    assert "--consent" in capsys.readouterr().err
