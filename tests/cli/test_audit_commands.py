"""`iopdesk audit verify` on the demo practice, after tampering, and with key trouble."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import tamper

from iopdesk.cli import main


@pytest.fixture
def demo(new_database, capsys) -> Path | str:
    """The demo practice `iopdesk demo` writes (a new SQLite file, or a PostgreSQL database)."""
    db = new_database
    assert main(["demo", "--database", str(db), "--as-of", "2026-11-16", "--seed", "2"]) == 0
    capsys.readouterr()
    return db


def test_verify_passes_on_the_demo_practice(demo, capsys):
    assert main(["audit", "verify", "--database", str(demo)]) == 0
    # the demo's administrator logging in, and recording the build
    assert "The audit trail is intact: 2 events checked" in capsys.readouterr().out


def test_verify_names_the_edited_event(demo, capsys):
    drop = ["DROP TRIGGER audit_events_no_update"] if isinstance(demo, Path) else []
    tamper(demo, *drop, "UPDATE audit_events SET action = 'nothing happened' WHERE id = 1")
    assert main(["audit", "verify", "--database", str(demo)]) == 1
    assert "event 1 was altered" in capsys.readouterr().err


def test_verify_without_the_key_that_signed_the_trail(demo, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("IOPDESK_CONFIG_DIR", str(tmp_path / "elsewhere"))
    assert main(["audit", "verify", "--database", str(demo)]) == 1
    assert "there is no audit key" in capsys.readouterr().err


def test_verify_with_a_damaged_key_file(demo, capsys, tmp_path, monkeypatch):
    config = tmp_path / "damaged"
    config.mkdir()
    (config / "audit-hmac.key").write_text("zz-not-a-key\n")
    monkeypatch.setenv("IOPDESK_CONFIG_DIR", str(config))
    assert main(["audit", "verify", "--database", str(demo)]) == 1
    err = capsys.readouterr().err
    assert "audit key file" in err and "is damaged" in err


def test_verify_with_another_practices_key(demo, capsys, tmp_path, monkeypatch):
    config = tmp_path / "other"
    config.mkdir()
    (config / "audit-hmac.key").write_text("ab" * 32 + "\n")
    monkeypatch.setenv("IOPDESK_CONFIG_DIR", str(config))
    assert main(["audit", "verify", "--database", str(demo)]) == 1
    assert "not the key this audit trail was signed with" in capsys.readouterr().err


def test_the_default_demo_database_is_signed_with_the_configured_key(capsys, tmp_path,
                                                                     monkeypatch):
    """`iopdesk demo` with no --database writes the demo file of the data directory; its audit
    trail must be verifiable with the key of the configuration directory."""
    monkeypatch.setenv("IOPDESK_CONFIG_DIR", str(tmp_path / "config"))
    assert main(["demo", "--as-of", "2026-11-16"]) == 0
    assert (tmp_path / "config" / "audit-hmac.key").is_file()
    assert main(["--demo", "audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out


def test_verify_where_there_is_no_database_creates_nothing(capsys, tmp_path, monkeypatch):
    """Reading never creates: no folder, no database, no audit key."""
    config = tmp_path / "config"
    monkeypatch.setenv("IOPDESK_CONFIG_DIR", str(config))
    missing = tmp_path / "nowhere" / "iopdesk.sqlite3"
    assert main(["audit", "verify", "--database", str(missing)]) == 1
    assert f"there is no IOPDesk database at {missing}" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == []
