"""The audit trail's high-water mark: how far each trail has reached, kept outside the database.

A file beside the audit key (`audit-high-water.json`, readable by its owner only) holds, for
each trail (the chain id of its database), the last event written, its hash and when, signed
with the audit key. It moves forward after each committed audit event. A database whose trail
ends before its mark was cut short, wiped or rewound, even when whoever did it rewound the
chain's head to match: the mark is not in the database.

The mark only moves forward. A restore from a backup rewinds the trail on purpose: it is
recorded (`rebase`) with the mark it replaced, so the gap stays explained.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from iopdesk.db.private_files import PRIVATE_FILE, ensure_private_dir
from iopdesk.domain.errors import IOPDeskError

MARK_FILE = "audit-high-water.json"
KEPT = 64            # trails remembered (a practice has one or two; a demo rebuilt is a new one)


@dataclass(frozen=True)
class Mark:
    chain_id: str
    event_id: int
    event_hash: str
    at: str
    signature: str
    restored_from: str = ""      # set when a restore rewound the trail to this point
    replaced_event_id: int = 0   # the mark the restore replaced

    def payload(self) -> str:
        return json.dumps([self.chain_id, self.event_id, self.event_hash, self.at,
                           self.restored_from, self.replaced_event_id],
                          separators=(",", ":"), ensure_ascii=False)


def sign_mark(key: bytes, mark: Mark) -> str:
    return hmac.new(key, b"IOPDesk high-water mark|" + mark.payload().encode("utf-8"),
                    hashlib.sha256).hexdigest()


class MarkProblem(IOPDeskError):
    """The high-water mark file cannot be read or was edited."""


def beside_key(key_path: Path) -> Path:
    """Where the marks live: beside the audit key, so both are kept (and backed up) together."""
    return key_path.with_name(MARK_FILE)


class HighWaterMarks:
    """The marks file at `path`, signed with `key`."""

    def __init__(self, path: Path, key: bytes):
        self.path = path
        self._key = key

    def _load(self) -> dict[str, dict]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise MarkProblem(f"the audit high-water mark {self.path} cannot be read: "
                              f"{exc.strerror or exc}") from exc
        try:
            data = json.loads(text)
            chains = data["chains"]
            if not isinstance(chains, dict):
                raise TypeError("chains is not a mapping")
            return chains
        except (ValueError, KeyError, TypeError) as exc:
            raise MarkProblem(f"the audit high-water mark {self.path} is damaged ({exc}); "
                              "it cannot vouch for the trail's length") from exc

    def get(self, chain_id: str) -> Mark | None:
        """The mark of the trail `chain_id`, checked; None when it has none."""
        entry = self._load().get(chain_id)
        if entry is None:
            return None
        try:
            mark = Mark(chain_id=chain_id, event_id=int(entry["event_id"]),
                        event_hash=str(entry["event_hash"]), at=str(entry["at"]),
                        signature=str(entry["signature"]),
                        restored_from=str(entry.get("restored_from", "")),
                        replaced_event_id=int(entry.get("replaced_event_id", 0)))
        except (KeyError, TypeError, ValueError) as exc:
            raise MarkProblem(f"the audit high-water mark {self.path} is damaged ({exc})") \
                from exc
        if not hmac.compare_digest(mark.signature, sign_mark(self._key, mark)):
            raise MarkProblem(f"the audit high-water mark {self.path} was edited: its signature "
                              "does not match (or it was signed with another audit key)")
        return mark

    def advance(self, chain_id: str, event_id: int, event_hash: str) -> None:
        """Move the trail's mark to `event_id` (never back)."""
        chains = self._load_for_write()
        current = chains.get(chain_id)
        if current is not None and int(current.get("event_id", 0)) >= event_id:
            return
        self._put(chains, Mark(chain_id, event_id, event_hash, _now(), ""))

    def rebase(self, chain_id: str, event_id: int, event_hash: str, restored_from: str) -> Mark | None:
        """A restore put the trail back at `event_id`: the mark follows, noting the one it
        replaced (returned, or None when there was none)."""
        chains = self._load_for_write()
        before = self.get(chain_id) if chain_id in chains else None
        self._put(chains, Mark(chain_id, event_id, event_hash, _now(), "",
                               restored_from=restored_from,
                               replaced_event_id=before.event_id if before else 0))
        return before

    def _load_for_write(self) -> dict[str, dict]:
        try:
            return self._load()
        except MarkProblem:
            return {}       # a damaged file is replaced by a good one (verify named it)

    def _put(self, chains: dict[str, dict], mark: Mark) -> None:
        signed = Mark(**{**vars(mark), "signature": sign_mark(self._key, mark)})
        chains[mark.chain_id] = {k: v for k, v in vars(signed).items() if k != "chain_id"}
        if len(chains) > KEPT:
            newest = sorted(chains, key=lambda c: str(chains[c].get("at", "")), reverse=True)
            chains = {c: chains[c] for c in newest[:KEPT]}
        ensure_private_dir(self.path.parent)
        staged = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"format": 1, "chains": chains}, handle, indent=1, sort_keys=True)
            # No fsync: the database committed first (synchronous=FULL), so after a power cut
            # the mark can only be behind the trail, never ahead of it (no false alarm).
            os.replace(staged, self.path)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
