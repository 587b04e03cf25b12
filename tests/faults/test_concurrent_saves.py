"""Two workstations save the same records at the same moment: exactly one save wins.

Two processes — desk-1 with Dana Cole logged in, desk-2 with Sam Ortiz — each load the same
participant, consent and intake draft with their versions, wait for one go signal, then save
a changed copy of each at once. For every record exactly one save is stored; the other is
refused with StaleVersion, whose message names who saved it and where; the stored record is
the winner's, one version on; only the winner's change is in the audit trail, and the trail
verifies. On SQLite and on PostgreSQL (where the loser may also be refused at the UPDATE,
after its version check passed).
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from fault_jobs import (CONSENT_PURPOSE, actor_of, intake_text, prepare_practice, reported,
                        services_at, verify_trail)
from sqlalchemy import func, select

from iopdesk.db.engine import make_session_factory, sqlite_url
from iopdesk.db.models import AuditEvent
from iopdesk.domain.chart import ConsentInput
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services.audit_chain import load_or_create_key

DESKS = {"desk-1": "dcole", "desk-2": "sortiz"}
STAFF = {"dcole": ("Dana Cole", ("front_desk", "clinician")),
         "sortiz": ("Sam Ortiz", ("front_desk", "clinician"))}
RECORDS = ("participant", "consent", "intake")


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request) -> str:
    """The database both workstations open: an SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        return sqlite_url(request.getfixturevalue("db_path"))
    return request.getfixturevalue("pg_url")


def _records(practice: dict, key_path: Path) -> dict[str, int]:
    """A participant with a consent, admitted, with an intake draft (made by Dana)."""
    services, engine = services_at(practice["url"], str(key_path), "desk-0")
    try:
        dana = actor_of(services, practice["staff"]["dcole"])
        person = services.participants.register(dana, ParticipantInput(
            first_name="Amaru", last_name="Quispe", date_of_birth=date(1990, 4, 4)))
        consent = services.consents.add(dana, person.id, ConsentInput(
            recipient_name="Dr. Helen Achebe", purpose=CONSENT_PURPOSE,
            information_scope="Attendance", effective_date=date(2026, 11, 1),
            expiry_event="upon discharge"))
        episode = services.episodes.admit(dana, person.id, practice["track_id"],
                                          date(2026, 11, 2), dana.user_id)
        services.intake.save_draft(dana, episode.id, intake_text("first"), None)
        return {"participant": person.id, "consent": consent.id, "episode": episode.id}
    finally:
        engine.dispose()


def _stored(practice: dict, key_path: Path, ids: dict[str, int]) -> dict[str, tuple]:
    """(version, the changed field) of each record as stored now."""
    services, engine = services_at(practice["url"], str(key_path), "desk-0")
    try:
        dana = actor_of(services, practice["staff"]["dcole"])
        person = services.participants.get(dana, ids["participant"])
        consent = services.consents.get(dana, ids["consent"])
        intake = services.intake.get(dana, ids["episode"])
        return {"participant": (person.version, person.city),
                "consent": (consent.version, consent.purpose.removesuffix(" purpose")),
                "intake": (intake.version, intake.presenting_problem.removeprefix("draft "))}
    finally:
        engine.dispose()


def _update_events(url: str) -> dict[str, int]:
    from iopdesk.db.migrate import open_database

    engine = open_database(url)
    try:
        with make_session_factory(engine)() as s:
            return {action: s.scalar(select(func.count()).where(AuditEvent.action == action))
                    for action in ("participant.update", "consents.update",
                                   "intake.save_draft")}
    finally:
        engine.dispose()


def _wait_loaded(started, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(out.exists() and out.read_bytes().startswith(b"loaded ")
               for _, out, _ in started):
            return
        time.sleep(0.002)
    raise AssertionError("the two workstations did not load the records in time")


def test_two_workstations_saving_at_once_one_wins_nothing_is_overwritten(
        fork_server, fault_cycles, shared_url, tmp_path):
    key_path = tmp_path / "config" / "audit-hmac.key"
    load_or_create_key(key_path)
    practice = prepare_practice(shared_url, STAFF)
    ids = _records(practice, key_path)
    before = _update_events(shared_url)
    rounds = fault_cycles(3)
    winners = {record: set() for record in RECORDS}
    moments = {"after you opened it": 0, "while you were saving it": 0}
    for round_ in range(rounds):
        go = tmp_path / f"go-{round_}"
        stored_before = _stored(practice, key_path, ids)
        started = fork_server.start(*[
            ("save", {"practice": practice, "key_path": str(key_path), "workstation": desk,
                      "username": username, "ids": ids, "go_file": str(go),
                      "tag": f"{desk} round {round_}"})
            for desk, username in DESKS.items()])
        try:
            _wait_loaded(started)
        finally:
            go.touch()                     # both go, or (the test failed) both end
        outcomes = fork_server.finish(started)
        results = {}
        for (desk, username), outcome in zip(DESKS.items(), outcomes):
            assert outcome.exit_code == 0 and outcome.err == "", outcome.err
            for kind, value in reported(outcome.out):
                if kind in ("saved", "stale"):
                    results.setdefault(value[0], {})[desk] = (kind, value[1])
        stored = _stored(practice, key_path, ids)
        for record in RECORDS:
            kinds = sorted(kind for kind, _ in results[record].values())
            assert kinds == ["saved", "stale"], (record, results[record])
            [winner] = [d for d, (kind, _) in results[record].items() if kind == "saved"]
            [loser] = [d for d in DESKS if d != winner]
            message = results[record][loser][1]
            name = STAFF[DESKS[winner]][0]
            assert f"{name} ({DESKS[winner]}) saved it on workstation {winner}" in message, \
                message
            assert "Nothing was overwritten" in message, message
            moments[next(m for m in moments if m in message)] += 1
            version, value = stored[record]
            assert version == stored_before[record][0] + 1 == results[record][winner][1]
            assert value == f"{winner} round {round_}", (record, stored[record])
            winners[record].add(winner)
    after = _update_events(shared_url)
    assert {a: after[a] - before[a] for a in after} == {
        "participant.update": rounds, "consents.update": rounds, "intake.save_draft": rounds}
    report = verify_trail(shared_url, str(key_path))
    assert report.problem is None, report.problem
    print(f"{shared_url.split(':')[0]}: {rounds} rounds; winners by record: "
          + ", ".join(f"{r} {sorted(w)}" for r, w in winners.items())
          + "; refused " + ", ".join(f"{n} times {m}" for m, n in moments.items()))
