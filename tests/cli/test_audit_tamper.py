"""`iopdesk audit verify` and `iopdesk db check` against a tamperer who holds the database file
but not the audit key: a tail cut short, a wiped trail, a rewound head, dropped triggers."""

from __future__ import annotations

import sqlite3

import pytest

from iopdesk.cli import main

HEAD_TRIGGERS = ("audit_chain_head_no_delete", "audit_chain_head_no_insert",
                 "audit_chain_head_no_rewind")
EVENT_TRIGGERS = ("audit_events_no_update", "audit_events_no_delete")


@pytest.fixture
def demo(tmp_path, capsys, monkeypatch):
    """The demo practice with some work done as the administrator (each run logs in)."""
    db = tmp_path / "demo.sqlite3"
    assert main(["demo", "--database", str(db), "--as-of", "2026-11-16", "--seed", "2"]) == 0
    monkeypatch.setenv("IOPDESK_PASSWORD", "iopdesk-demo")
    for _ in range(4):
        assert main(["users", "list", "--database", str(db), "--user", "admin"]) == 0
    capsys.readouterr()
    return db


def _head(db) -> tuple:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT last_event_id, last_hash, signature FROM audit_chain_head"
                            ).fetchone()


def _events(db) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT max(id) FROM audit_events").fetchone()[0]


def _tamper(db, *statements, params=()) -> None:
    conn = sqlite3.connect(db)
    for trigger in (*HEAD_TRIGGERS, *EVENT_TRIGGERS):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for statement in statements:
        conn.execute(statement, params if "?" in statement else ())
    conn.commit()
    conn.close()


def _verify(db, capsys) -> tuple[int, str]:
    code = main(["audit", "verify", "--database", str(db)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_untouched_trail_verifies(demo, capsys):
    code, text = _verify(demo, capsys)
    assert code == 0 and "intact" in text


def test_a_tail_cut_short_with_the_head_rewound_by_hand_is_named(demo, capsys):
    last = _events(demo)
    keep = last - 5
    _tamper(demo, f"DELETE FROM audit_events WHERE id > {keep}",
            "UPDATE audit_chain_head SET last_event_id = ?, last_hash = "
            f"(SELECT hash FROM audit_events WHERE id = {keep})", params=(keep,))
    code, text = _verify(demo, capsys)
    assert code == 1
    assert "end of the audit chain was rewritten outside IOPDesk" in text
    assert f"says event {keep}" in text


def test_a_tail_cut_short_with_an_older_signed_head_put_back_is_named(demo, capsys,
                                                                     monkeypatch):
    old_id, old_hash, old_signature = _head(demo)     # a real, signed head of the past
    assert main(["users", "list", "--database", str(demo), "--user", "admin"]) == 0
    capsys.readouterr()
    newest = _events(demo)
    assert newest > old_id
    _tamper(demo, f"DELETE FROM audit_events WHERE id > {old_id}",
            "UPDATE audit_chain_head SET last_event_id = ?, last_hash = ?, signature = ?",
            params=(old_id, old_hash, old_signature))
    code, text = _verify(demo, capsys)
    assert code == 1
    assert "cut short" in text and f"had reached event {newest}" in text
    assert f"events {old_id + 1}–{newest} are gone" in text


def test_a_wiped_trail_is_named(demo, capsys):
    reached = _events(demo)
    _tamper(demo, "DELETE FROM audit_events",
            "UPDATE audit_chain_head SET last_event_id = chained_after, last_hash = '', "
            "signature = ''")
    code, text = _verify(demo, capsys)
    assert code == 1
    assert "the audit trail was wiped" in text and f"had reached event {reached}" in text


def test_a_head_rewound_over_events_still_there_is_named(demo, capsys):
    old_id, old_hash, old_signature = _head(demo)
    assert main(["users", "list", "--database", str(demo), "--user", "admin"]) == 0
    capsys.readouterr()
    newest = _events(demo)
    _tamper(demo, "UPDATE audit_chain_head SET last_event_id = ?, last_hash = ?, "
                  "signature = ?", params=(old_id, old_hash, old_signature))
    code, text = _verify(demo, capsys)
    assert code == 1
    assert f"events {old_id + 1}–{newest} lie beyond the end of the chain" in text
    assert "rewound" in text


def test_the_head_cannot_be_rewound_deleted_or_doubled_while_its_triggers_stand(demo):
    conn = sqlite3.connect(demo)
    for statement in ("UPDATE audit_chain_head SET last_event_id = last_event_id - 1",
                      "DELETE FROM audit_chain_head",
                      "INSERT INTO audit_chain_head (id, last_event_id, last_hash, "
                      "chained_after, key_fingerprint, chain_id, signature) "
                      "VALUES (2, 0, '', 0, '', '', '')",
                      "UPDATE audit_chain_head SET chain_id = 'another'"):
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(statement)
    conn.close()


@pytest.mark.parametrize("trigger", [*EVENT_TRIGGERS, *HEAD_TRIGGERS])
def test_a_dropped_trigger_fails_db_check_and_audit_verify(demo, capsys, trigger):
    conn = sqlite3.connect(demo)
    conn.execute(f"DROP TRIGGER {trigger}")
    conn.commit()
    conn.close()
    assert main(["db", "check", "--database", str(demo)]) == 1
    out = capsys.readouterr().out
    assert "audit trail" in out and "BAD" in out and f"{trigger} was dropped" in out
    code, text = _verify(demo, capsys)
    assert code == 1 and f"{trigger} was dropped" in text


def test_a_trigger_emptied_of_its_refusal_is_named(demo, capsys):
    conn = sqlite3.connect(demo)
    conn.execute("DROP TRIGGER audit_events_no_delete")
    conn.execute("CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
                 "BEGIN SELECT 1; END")
    conn.commit()
    conn.close()
    code, text = _verify(demo, capsys)
    assert code == 1 and "audit_events_no_delete was replaced" in text


def test_an_edited_high_water_mark_is_named(demo, capsys, tmp_path):
    import json
    import os

    marks = os.environ["IOPDESK_CONFIG_DIR"] + "/audit-high-water.json"
    data = json.load(open(marks))
    for entry in data["chains"].values():
        entry["event_id"] = 1
    json.dump(data, open(marks, "w"))
    code, text = _verify(demo, capsys)
    assert code == 1 and "high-water mark" in text and "was edited" in text


def test_the_db_check_reports_an_intact_trail(demo, capsys):
    assert main(["db", "check", "--database", str(demo)]) == 0
    assert "append-only" in capsys.readouterr().out
