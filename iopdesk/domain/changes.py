"""What a committed change touched, as one plain value: the change set.

A change operation (a save, a registration, an admission…) commits one transaction; the
services then announce a `ChangeSet` naming each record it created or changed — its kind, its
id, whose chart it belongs to — with who made the change, where and when. Lists, tabs,
banners and titles reload only what a change set touches; a form holding unsaved edits of a
touched record says so instead of reloading over them. The value is plain (no ORM, no Qt) so
that it can travel between workstations as it is.

Which audited actions are changes, and of which kind of record, is declared with the areas
that keep the records (`domain.areas.CHANGE_ACTIONS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from iopdesk.domain.time import DEFAULT_ZONE, format_time


class RecordKind(StrEnum):
    PARTICIPANT = "participant"
    EPISODE = "episode"
    INTAKE = "intake"
    DIAGNOSIS = "diagnosis"
    CONTACT = "contact"
    CONSENT = "consent"
    COVERAGE = "coverage"
    USER = "user"
    SETTINGS = "settings"
    SCHEDULE = "schedule"              # weekly blocks, closures, the meetings made from them
    ATTENDANCE = "attendance"          # a participant at a meeting: check-in, out, absence
    AUTHORIZATION = "authorization"    # a payer's units for an episode


@dataclass(frozen=True)
class RecordChange:
    """One record created or changed."""

    kind: RecordKind
    record_id: int | None
    participant_id: int | None = None
    created: bool = False


@dataclass(frozen=True)
class ChangeSet:
    """What one committed change operation touched, and who made it, where and when."""

    changes: tuple[RecordChange, ...]
    user_id: int | None = None
    username: str = ""
    display_name: str = ""
    workstation: str = ""
    at: datetime | None = None
    # Anything may have changed (a listening connection was lost and came back: changes may
    # have been missed): every list, tab and banner reloads.
    everything: bool = False

    @classmethod
    def anything(cls) -> ChangeSet:
        return cls(changes=tuple(RecordChange(kind, None) for kind in RecordKind),
                   everything=True)

    @property
    def participants(self) -> frozenset[int]:
        return frozenset(c.participant_id for c in self.changes if c.participant_id is not None)

    @property
    def kinds(self) -> frozenset[RecordKind]:
        return frozenset(c.kind for c in self.changes)

    def touches(self, kind: RecordKind | None = None, *, participant_id: int | None = None,
                record_id: int | None = None) -> bool:
        """Whether any change is of `kind` (any kind when None), of that participant's chart
        and of that record (each when given)."""
        if self.everything:
            return True
        return any((kind is None or c.kind == kind)
                   and (participant_id is None or c.participant_id == participant_id)
                   and (record_id is None or c.record_id == record_id)
                   for c in self.changes)

    def made_by(self, user_id: int | None, workstation: str) -> bool:
        """Whether this user at this workstation made it (their own save, not someone else's)."""
        return self.user_id == user_id and self.workstation == workstation

    def describe(self, zone: str | tzinfo = DEFAULT_ZONE) -> str:
        """'Dana Cole (dcole) at desk-2 at 09:14' — who, where, when (in the practice's
        `zone`), for a banner."""
        who = (f"{self.display_name} ({self.username})" if self.display_name
               else self.username or "someone")
        where = f" at {self.workstation}" if self.workstation else ""
        when = f" at {format_time(self.at, zone)}" if self.at else ""
        return f"{who}{where}{when}"


PAYLOAD_MAX = 7900          # bytes: PostgreSQL's NOTIFY takes at most 8000


def to_payload(change_set: ChangeSet, origin: str) -> str:
    """The change set as JSON, to travel between workstations (a NOTIFY payload), marked
    with its `origin` (the process that made it, which announces it itself). Too long for a
    payload, it travels as "anything may have changed"."""
    import json

    body = {"origin": origin, "user_id": change_set.user_id,
            "username": change_set.username, "display_name": change_set.display_name,
            "workstation": change_set.workstation,
            "at": change_set.at.isoformat() if change_set.at else None,
            "changes": [[c.kind.value, c.record_id, c.participant_id, c.created]
                        for c in change_set.changes]}
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode("utf-8")) > PAYLOAD_MAX:
        body["changes"], body["everything"] = [], True
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return text


def from_payload(text: str) -> tuple[str, ChangeSet]:
    """(origin, change set) of a payload `to_payload` made; ValueError for anything else."""
    import json

    try:
        body = json.loads(text)
        if body.get("everything"):
            change_set = ChangeSet.anything()
        else:
            change_set = ChangeSet(changes=tuple(
                RecordChange(RecordKind(kind), record_id, participant_id, bool(created))
                for kind, record_id, participant_id, created in body["changes"]))
        at = datetime.fromisoformat(body["at"]) if body.get("at") else None
        return str(body["origin"]), ChangeSet(
            changes=change_set.changes, everything=change_set.everything,
            user_id=body.get("user_id"), username=body.get("username") or "",
            display_name=body.get("display_name") or "",
            workstation=body.get("workstation") or "", at=at)
    except (TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"not a change set: {exc}") from exc
