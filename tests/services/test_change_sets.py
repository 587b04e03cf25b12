"""Change sets: what a committed change touched is announced once, after the commit, with
who made it; reads, refusals and failed saves announce nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from iopdesk.domain.areas import CHANGE_ACTIONS
from iopdesk.domain.changes import ChangeSet, RecordChange, RecordKind
from iopdesk.domain.errors import PermissionDenied, ValidationError
from iopdesk.domain.validation import ParticipantInput

LAN = ParticipantInput(first_name="Thị Lan", last_name="Nguyễn", date_of_birth=date(1988, 3, 14),
                       phone="555-201-3344")


@pytest.fixture
def announced(services) -> list[ChangeSet]:
    seen: list[ChangeSet] = []
    services.changes.subscribe(seen.append)
    return seen


def test_a_registration_announces_the_new_participant_with_who_and_where(
        services, actors, announced):
    lan = services.participants.register(actors["front_desk"], LAN)
    [change_set] = announced
    assert RecordChange(RecordKind.PARTICIPANT, lan.id, lan.id, created=True) \
        in change_set.changes
    assert (change_set.username, change_set.workstation) == ("frontdesk", "test-station")
    assert change_set.at is not None and change_set.touches(RecordKind.PARTICIPANT,
                                                            participant_id=lan.id)
    assert change_set.made_by(actors["front_desk"].user_id, "test-station")
    assert not change_set.made_by(actors["front_desk"].user_id, "desk-2")


def test_an_update_announces_a_change_not_a_creation(services, actors, announced):
    lan = services.participants.register(actors["front_desk"], LAN)
    announced.clear()
    services.participants.update(actors["front_desk"], lan.id, lan.version,
                                 replace(LAN, first_name="Lan", chart_number=lan.chart_number))
    [change_set] = announced
    assert change_set.changes == (RecordChange(RecordKind.PARTICIPANT, lan.id, lan.id),)
    assert "Frontdesk (frontdesk) at test-station" in change_set.describe()


def test_reads_refusals_and_failed_saves_announce_nothing(services, actors, announced):
    lan = services.participants.register(actors["front_desk"], LAN)
    announced.clear()
    services.participants.get(actors["clinician"], lan.id)                   # a read
    with pytest.raises(PermissionDenied):                                  # a refusal
        services.users.list_users(actors["front_desk"])
    with pytest.raises(ValidationError):                                   # nothing saved
        services.participants.update(actors["front_desk"], lan.id, lan.version,
                                     replace(LAN, last_name=""))
    assert announced == []


def test_a_failing_listener_never_fails_the_save(services, actors, announced):
    def broken(_change_set):
        raise RuntimeError("a listener's bug")

    services.changes.subscribe(broken)
    lan = services.participants.register(actors["front_desk"], LAN)
    assert lan.id and len(announced) == 1


def test_unsubscribing_stops_the_announcements(services, actors):
    seen: list[ChangeSet] = []
    stop = services.changes.subscribe(seen.append)
    stop()
    services.participants.register(actors["front_desk"], LAN)
    assert seen == []


# Audited actions that change no record a screen shows: reads, searches, prints, log-in
# lock-outs and the audit trail's own upkeep. A new action must be put here or in
# domain.areas.CHANGE_ACTIONS.
# (co-signature's guard action "cosign.sign" is audited only when refused: the co-signature
# itself is the change "intake.cosign".)
NOT_CHANGES = {"audit.actions", "audit.export", "audit.maintenance", "audit.search",
               "audit.verify", "chart.open", "consents.view", "contacts.view", "cosign.queue",
               "cosign.sign", "coverage.view", "db.restore", "diagnosis.search_codes",
               "diagnosis.view", "document.export", "document.generate", "episode.list",
               "intake.view", "login.locked", "participant.duplicates", "participant.search",
               "participant.view", "practice.tracks", "staff.list", "today.caseload",
               "today.front_desk", "today.my_groups", "user.list",
               # the front desk's day: reads
               "schedule.week", "schedule.blocks", "schedule.closures", "attendance.day",
               "attendance.find", "attendance.weeks", "attendance.hours",
               "attendance.history", "attendance.at_risk", "authorization.view",
               "authorization.warnings"}


def _audited_actions() -> set[str]:
    import pathlib
    import re

    import iopdesk.services as services_package

    source = "\n".join(path.read_text() for path in
                       pathlib.Path(services_package.__file__).parent.glob("*.py")
                       if not path.name.startswith("demo"))
    return set(re.findall(r'"([a-z_]+\.[a-z_]+)"', source))


def test_every_change_action_is_one_the_services_audit():
    """A change action named here and never audited would be a kind no screen ever hears of."""
    assert sorted(set(CHANGE_ACTIONS) - _audited_actions()) == []


def test_every_audited_action_is_a_change_or_known_not_to_be_one():
    """A new action that changes records but is not in CHANGE_ACTIONS would leave every
    screen showing the old record."""
    names = {a for a in _audited_actions()
             if a.split(".")[0] in {n.split(".")[0] for n in (*CHANGE_ACTIONS, *NOT_CHANGES)}}
    assert sorted(names - set(CHANGE_ACTIONS) - NOT_CHANGES) == []
