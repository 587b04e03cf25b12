"""`iopdesk db migrate-to URL`: the practice's SQLite file copied into an empty PostgreSQL
database in one transaction, verified, and the file left as it was; refusals in one line."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from cli_support import run
from iopdesk.db.models import Base


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _settle(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _sqlite_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in Base.metadata.tables}
    finally:
        conn.close()


def _pg(url: str):
    parsed = make_url(url)
    return psycopg.connect(host=parsed.query["host"], user=parsed.username,
                           dbname=parsed.database, autocommit=True)


def _pg_tables(url: str) -> list[str]:
    with _pg(url) as conn:
        return [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]


@pytest.fixture
def practice(demo_db, capsys, monkeypatch) -> Path:
    """The small demo practice with an audit trail signed by the configured key: the
    administrator logged in once (which writes audit events and makes the key)."""
    monkeypatch.setenv("IOPDESK_PASSWORD", "iopdesk-demo")
    code, _, err = run(capsys, "users", "list", "--database", demo_db, "--user", "admin")
    assert code == 0, err
    _settle(demo_db)
    return demo_db


def test_the_demo_practice_moves_to_a_server_whole(practice, pg_url, capsys):
    before = _digest(practice)
    counts = _sqlite_counts(practice)
    code, out, err = run(capsys, "db", "migrate-to", pg_url, "--database", practice)
    assert code == 0, err
    assert f"audit chain verified: {counts['audit_events']:,} events" in out
    assert counts["audit_events"] >= 1 and counts["participants"] > 0
    for name, rows in counts.items():                      # per-table counts are printed
        assert any(line.split() == [name, f"{rows:,}"] for line in out.splitlines()), name
    assert _digest(practice) == before                     # the file, byte for byte

    with _pg(pg_url) as conn:                              # the same rows on the server
        for name, rows in counts.items():
            assert conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == rows
    code, out, err = run(capsys, "audit", "verify", "--database", pg_url)
    assert code == 0, err
    assert f"{counts['audit_events']:,} events checked" in out

    # the server's ids continue after the copied ones, and its audit guards are on
    code, out, err = run(capsys, "users", "list", "--database", pg_url, "--user", "admin")
    assert code == 0, err
    assert run(capsys, "audit", "verify", "--database", pg_url)[0] == 0
    with _pg(pg_url) as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute("DELETE FROM audit_events")
    code, out, err = run(capsys, "db", "check", "--database", pg_url)
    assert code == 0, out + err


def test_an_encrypted_practice_moves_with_its_passphrase(practice, pg_url, capsys,
                                                         monkeypatch):
    monkeypatch.setenv("IOPDESK_NEW_PASSPHRASE", "correct horse battery")
    assert run(capsys, "db", "encrypt", "--database", practice)[0] == 0
    before = _digest(practice)
    monkeypatch.setenv("IOPDESK_PASSPHRASE", "correct horse battery")
    code, out, err = run(capsys, "db", "migrate-to", pg_url, "--database", practice)
    assert code == 0, err
    assert "audit chain verified" in out and _digest(practice) == before
    assert run(capsys, "audit", "verify", "--database", pg_url)[0] == 0


def test_a_database_that_holds_tables_is_refused(practice, pg_url, capsys):
    with _pg(pg_url) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
        conn.execute("INSERT INTO invoices VALUES (1)")
    code, out, err = run(capsys, "db", "migrate-to", pg_url, "--database", practice)
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "holds tables already (invoices)" in err
    assert "migrate-to copies into an empty database only" in err
    assert _pg_tables(pg_url) == ["invoices"]


def test_an_iopdesk_database_on_the_server_is_not_copied_over(practice, pg_url, capsys):
    assert run(capsys, "db", "migrate-to", pg_url, "--database", practice)[0] == 0
    code, _, err = run(capsys, "db", "migrate-to", pg_url, "--database", practice)
    assert code == 1 and "holds tables already" in err


def test_a_target_that_is_not_postgresql_is_refused(practice, tmp_path, capsys):
    target = tmp_path / "other.sqlite3"
    code, _, err = run(capsys, "db", "migrate-to", f"sqlite:///{target}", "--database",
                       practice)
    assert code == 1 and "is not a PostgreSQL database" in err
    assert not target.exists()


def test_no_source_database_is_refused_and_nothing_is_created(tmp_path, pg_url, capsys):
    missing = tmp_path / "nothing.sqlite3"
    code, _, err = run(capsys, "db", "migrate-to", pg_url, "--database", missing)
    assert code == 1 and "there is no IOPDesk database" in err
    assert not missing.exists() and _pg_tables(pg_url) == []


def test_an_older_source_is_sent_to_db_upgrade_first(practice, pg_url, capsys):
    conn = sqlite3.connect(practice)
    conn.execute("UPDATE alembic_version SET version_num = '0007'")
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "db", "migrate-to", pg_url, "--database", practice)
    assert code == 1 and "run `iopdesk db upgrade` on it first" in err
    assert _pg_tables(pg_url) == []


def test_without_the_audit_key_nothing_is_copied_and_no_key_is_made(practice, pg_url, capsys,
                                                                    tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("IOPDESK_CONFIG_DIR", str(elsewhere))
    code, _, err = run(capsys, "db", "migrate-to", pg_url, "--database", practice)
    assert code == 1 and "there is no audit key" in err
    assert not elsewhere.exists() and _pg_tables(pg_url) == []


def test_a_failure_mid_copy_leaves_the_server_empty(practice, pg_url, capsys):
    """A value SQLite kept but PostgreSQL refuses (longer than its column) stops the copy
    at that table: everything, the schema included, is rolled back."""
    conn = sqlite3.connect(practice)
    conn.execute("UPDATE participants SET chart_number = ? WHERE id = "
                 "(SELECT max(id) FROM participants)", ("X" * 40,))
    conn.commit()
    conn.close()
    _settle(practice)
    code, _, err = run(capsys, "db", "migrate-to", pg_url, "--database", practice)
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "failed at table participants and was rolled back" in err
    assert _pg_tables(pg_url) == []


def test_a_broken_audit_trail_is_not_committed(practice, pg_url, capsys):
    conn = sqlite3.connect(practice)
    conn.execute("DROP TRIGGER audit_events_no_update")
    conn.execute("UPDATE audit_events SET action = 'nothing happened' WHERE id = "
                 "(SELECT max(id) FROM audit_events)")
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "db", "migrate-to", pg_url, "--database", practice)
    assert code == 1 and "audit trail does not verify" in err and "was altered" in err
    assert _pg_tables(pg_url) == []
