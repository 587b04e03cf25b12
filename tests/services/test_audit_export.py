"""The audit CSV export reads outside the write lock (other writers are not held up by a long
export) and puts its file in place only after its own audit event has committed."""

from __future__ import annotations

import csv
import threading
from datetime import date

import pytest
from sqlalchemy import select

from iopdesk.db.models import AuditEvent
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import audit as audit_module
from iopdesk.services import files

WAIT_S = 10


def _person(last_name: str) -> ParticipantInput:
    return ParticipantInput(first_name="Export", last_name=last_name,
                            date_of_birth=date(1980, 5, 6))


def _actions(session_factory) -> list[str]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _ids(session_factory) -> list[int]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


@pytest.fixture
def exports(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def test_a_long_export_blocks_no_other_writer(services, actors, session_factory, exports,
                                              monkeypatch):
    for name in ("Before", "Earlier"):
        services.participants.register(actors["front_desk"], _person(name))
    before = _ids(session_factory)
    assert len(before) >= 2

    reading, release = threading.Event(), threading.Event()
    real_rows = audit_module._csv_rows

    def slow_rows(session, query):
        for n, values in enumerate(real_rows(session, query)):
            yield values
            if n == 0:              # the read has begun: hold it open
                reading.set()
                assert release.wait(WAIT_S), "the test never let the export go on"

    monkeypatch.setattr(audit_module, "_csv_rows", slow_rows)
    target = exports / "audit.csv"
    outcome: dict[str, object] = {}

    def export() -> None:
        try:
            outcome["written"] = services.audit.export_csv(actors["admin"], target)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            outcome["error"] = exc

    worker = threading.Thread(target=export, name="slow-export")
    worker.start()
    try:
        assert reading.wait(WAIT_S)
        # while the export is reading: another service call that writes completes
        during = services.participants.register(actors["front_desk"], _person("During"))
        assert during.id is not None
        assert not target.exists()          # the export is still under way
        assert worker.is_alive()
    finally:
        release.set()
        worker.join(WAIT_S)
    assert "error" not in outcome, outcome.get("error")

    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # one snapshot: the rows that were there when the read began, not the one saved meanwhile
    assert [int(r["id"]) for r in rows] == before == list(range(before[0], before[-1] + 1))
    assert outcome["written"] == len(rows)
    actions = _actions(session_factory)
    assert actions[-1] == "audit.export" and "participant.register" in actions[len(before):]
    assert services.audit.verify(actors["admin"]).ok


def test_an_export_that_cannot_be_recorded_leaves_no_file(services, actors, session_factory,
                                                          exports, monkeypatch):
    services.participants.register(actors["front_desk"], _person("Recorded"))
    ctx = services.audit._ctx
    real_audit = ctx.audit

    def failing(session, actor, action, **kwargs):
        if action == "audit.export":
            raise RuntimeError("the audit trail could not be written")
        return real_audit(session, actor, action, **kwargs)

    monkeypatch.setattr(ctx, "audit", failing)
    target = exports / "audit.csv"
    with pytest.raises(RuntimeError, match="could not be written"):
        services.audit.export_csv(actors["admin"], target)
    assert list(exports.iterdir()) == []                    # no file, no temporary file

    kept = exports / "kept.csv"
    kept.write_text("an earlier export\n")
    with pytest.raises(RuntimeError, match="could not be written"):
        services.audit.export_csv(actors["admin"], kept, overwrite=True)
    assert kept.read_text() == "an earlier export\n"        # replaced only once recorded
    assert [p.name for p in exports.iterdir()] == ["kept.csv"]
    assert "audit.export" not in _actions(session_factory)


def test_the_file_takes_its_name_only_after_the_event_commits(services, actors,
                                                              session_factory, exports,
                                                              monkeypatch):
    target = exports / "audit.csv"
    seen: list[tuple[bool, list[str]]] = []
    real_put = files._put_in_place

    def watching(temporary, destination, *, overwrite):
        seen.append((destination.exists(), _actions(session_factory)))   # another connection
        return real_put(temporary, destination, overwrite=overwrite)

    monkeypatch.setattr(files, "_put_in_place", watching)
    services.participants.register(actors["front_desk"], _person("Ordered"))
    written = services.audit.export_csv(actors["admin"], target)
    [(existed, actions)] = seen
    assert not existed and actions[-1] == "audit.export"    # committed, file not yet there
    assert target.exists() and written == len(actions) - 1
