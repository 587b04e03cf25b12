"""domain/changes.py: which audited actions are changes (and of what), and what a change set
says — the charts and kinds it touches, whether it is one's own, and who made it, for a
banner."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from iopdesk.domain.areas import CHANGE_ACTIONS, change_of
from iopdesk.domain.changes import ChangeSet, RecordChange, RecordKind

AT = datetime(2026, 11, 16, 17, 14, tzinfo=UTC)
CONTACT = RecordChange(RecordKind.CONTACT, 31, participant_id=7, created=True)
PERSON = RecordChange(RecordKind.PARTICIPANT, 7, participant_id=7)
OTHER = RecordChange(RecordKind.PARTICIPANT, 9, participant_id=9)
USER = RecordChange(RecordKind.USER, 3)
SAVE = ChangeSet(changes=(CONTACT, PERSON, OTHER, USER), user_id=3, username="dcole",
                 display_name="Dana Cole", workstation="desk-2", at=AT)


@pytest.mark.parametrize("action, kind, created", [
    ("participant.register", RecordKind.PARTICIPANT, True),
    ("participant.update", RecordKind.PARTICIPANT, False),
    ("episode.admit", RecordKind.EPISODE, True),
    ("intake.sign", RecordKind.INTAKE, False),
    ("contacts.add", RecordKind.CONTACT, True),
    ("consents.revoke", RecordKind.CONSENT, False),
    ("coverage.end", RecordKind.COVERAGE, False),
    ("password.change", RecordKind.USER, False),
    ("setup.initialize", RecordKind.SETTINGS, True),
])
def test_a_change_action_names_its_record(action, kind, created):
    change = change_of(action, entity_id=12, participant_id=7)
    assert change == RecordChange(kind=kind, record_id=12, participant_id=7, created=created)


@pytest.mark.parametrize("action", ["login", "participant.search", "participant.read",
                                    "document.print", "audit.export", "", "Participant.update",
                                    "participant.update "])
def test_reads_prints_and_unknown_actions_change_nothing(action):
    assert change_of(action, entity_id=1, participant_id=1) is None


def test_a_change_may_belong_to_no_chart_and_no_record_yet():
    assert change_of("settings.update", entity_id=None, participant_id=None) == RecordChange(
        RecordKind.SETTINGS, None, None, False)


def test_every_change_action_is_an_area_dot_verb_of_a_known_kind():
    for action, (kind, created) in CHANGE_ACTIONS.items():
        area, _, verb = action.partition(".")
        assert area and verb and action == action.strip().lower(), action
        assert isinstance(kind, RecordKind) and isinstance(created, bool)
    # every kind of record can be changed by some action
    assert {kind for kind, _ in CHANGE_ACTIONS.values()} == set(RecordKind)


def test_the_charts_and_kinds_a_change_set_touches():
    assert SAVE.participants == frozenset({7, 9})           # the user's record has no chart
    assert SAVE.kinds == {RecordKind.CONTACT, RecordKind.PARTICIPANT, RecordKind.USER}
    empty = ChangeSet(changes=())
    assert empty.participants == frozenset() and empty.kinds == frozenset()
    assert not empty.touches()


@pytest.mark.parametrize("kind, participant_id, record_id, touched", [
    (None, None, None, True),                               # anything at all
    (RecordKind.CONTACT, None, None, True),
    (RecordKind.CONSENT, None, None, False),
    (None, 7, None, True), (None, 8, None, False),
    (RecordKind.PARTICIPANT, 9, None, True),
    (RecordKind.CONTACT, 9, None, False),                   # each condition on one change
    (RecordKind.PARTICIPANT, 7, 7, True),
    (RecordKind.PARTICIPANT, 7, 9, False),
    (None, None, 31, True), (None, None, 32, False),
    (RecordKind.USER, None, 3, True),
])
def test_touches_asks_of_one_change_all_that_is_given(kind, participant_id, record_id,
                                                      touched):
    assert SAVE.touches(kind, participant_id=participant_id, record_id=record_id) is touched


def test_one_s_own_change_is_the_same_user_at_the_same_workstation():
    assert SAVE.made_by(3, "desk-2")
    assert not SAVE.made_by(3, "desk-1")                    # the same user elsewhere
    assert not SAVE.made_by(4, "desk-2")
    assert not SAVE.made_by(None, "desk-2")
    anonymous = ChangeSet(changes=(USER,))
    assert anonymous.made_by(None, "")


def test_a_banner_says_who_where_and_when():
    assert SAVE.describe("America/New_York") == \
        f"Dana Cole (dcole) at desk-2 at {AT.astimezone(ZoneInfo('America/New_York')):%H:%M}"
    assert SAVE.describe() == f"Dana Cole (dcole) at desk-2 at {AT:%H:%M}"     # UTC
    assert ChangeSet(changes=(), username="dcole").describe() == "dcole"
    assert ChangeSet(changes=(), workstation="desk-2").describe() == "someone at desk-2"
    assert ChangeSet(changes=()).describe() == "someone"


def test_record_kinds_are_their_stored_names():
    assert RecordKind("consent") is RecordKind.CONSENT
    with pytest.raises(ValueError):
        RecordKind("consents")


def test_a_change_set_travels_as_a_payload_and_back():
    from iopdesk.domain.changes import from_payload, to_payload

    origin, back = from_payload(to_payload(SAVE, "desk-2:41"))
    assert (origin, back) == ("desk-2:41", SAVE)


def test_a_change_set_too_long_for_a_payload_travels_as_anything():
    from iopdesk.domain.changes import PAYLOAD_MAX, from_payload, to_payload

    many = ChangeSet(changes=tuple(RecordChange(RecordKind.CONTACT, n, participant_id=n)
                                   for n in range(2000)), username="bulk")
    text = to_payload(many, "x")
    assert len(text.encode()) <= PAYLOAD_MAX
    _, back = from_payload(text)
    assert back.everything and back.touches(RecordKind.INTAKE, participant_id=5)
    assert back.username == "bulk"


@pytest.mark.parametrize("text", ["", "[]", "{}", '{"origin": "x", "changes": [["nope", 1, 1, 0]]}',
                                  '{"origin": "x", "changes": 3}', "not json"])
def test_anything_else_is_not_a_change_set(text):
    from iopdesk.domain.changes import from_payload

    with pytest.raises(ValueError):
        from_payload(text)
