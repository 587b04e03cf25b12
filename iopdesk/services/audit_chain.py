"""The tamper-evident audit chain: each event signs its content and the previous event's hash.

    hash = HMAC-SHA256(key, prev_hash ‖ canonical(event))

The key lives outside the database (a file readable only by its owner); the database keeps
only its fingerprint (an HMAC of a fixed label with the key, which gives nothing away about
the key), so a stolen copy of the database cannot sign an event. Every workstation of a
practice signs with the same key: one without it, or with another, is refused before it
writes (`practice_key`, and `append` again in the transaction), never given a new key that
would break the chain; the key is carried to it with `iopdesk audit key export|import`.

Event ids are handed out by the chain head in the action's own transaction, so they run
without gaps: an edited event fails its own HMAC, a deleted one leaves a gap or a broken
link, an inserted one a link or signature that does not match.

The head (last id and hash) is signed with the same key, so it cannot be rewound by hand to
hide a deleted tail; and a high-water mark outside the database (services.audit_mark) names
how far the trail had reached, so a tail deleted together with a head put back from an older
copy is found too. What the chain cannot prove: someone holding both the database and the key
can rewrite the whole history consistently; without the key, they cannot.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from iopdesk.db.audit_protection import (PG_TRIGGER_QUERY, TRIGGER_QUERY, pg_protection_problems,
                                         protection_problems)
from iopdesk.db.base import utcnow
from iopdesk.db.models import AuditChainHead, AuditEvent
from iopdesk.domain.audit import VerifyReport
from iopdesk.domain.enums import AuditOutcome
from iopdesk.domain.errors import IOPDeskError
from iopdesk.services.audit_mark import HighWaterMarks, MarkProblem

# Where a committed unit of work leaves the trail's new end for the high-water mark.
HEAD_INFO = "iopdesk_audit_head"

KEY_BYTES = 32
_FINGERPRINT_LABEL = b"IOPDesk audit key fingerprint"


# How a workstation gets the practice's key (every refusal about the key ends with it).
HOW_TO_COPY = ("copy the practice's audit key from a workstation that has it: run `iopdesk "
               "audit key export FILE` there, then `iopdesk audit key import FILE` here")


class AuditKeyProblem(IOPDeskError):
    """The audit key file is unreadable, damaged, or not the key the chain was signed with."""


class NotThePracticeKey(AuditKeyProblem):
    """This workstation has no audit key, or another one than the key the trail is signed
    with: it must not write (its events would break the chain)."""


def parse_key(text: str, where: object) -> bytes:
    """The key written in a key file's `text` (64 hexadecimal digits); AuditKeyProblem,
    naming `where`, for anything else."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError as exc:
        raise AuditKeyProblem(f"{where} is not an IOPDesk audit key (it should hold "
                              f"{KEY_BYTES * 2} hexadecimal digits)") from exc
    if len(key) != KEY_BYTES:
        raise AuditKeyProblem(f"{where} is not an IOPDesk audit key: it holds {len(key)} "
                              f"bytes, not {KEY_BYTES}")
    return key


def load_or_create_key(path: Path) -> bytes:
    """Read the key at `path`, creating it (owner-only) the first time."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return load_or_create_key(path)       # another process made it just now
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.hex() + "\n")
        return key
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise AuditKeyProblem(f"the audit key file {path} is damaged or unreadable ({exc}); "
                              "restore it from the practice's key backup") from exc
    if len(key) != KEY_BYTES:
        raise AuditKeyProblem(f"the audit key file {path} is damaged: it holds {len(key)} bytes, "
                              f"not {KEY_BYTES}; restore it from the practice's key backup")
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        path.chmod(0o600)                          # readable by its owner only
    return key


def fingerprint(key: bytes) -> str:
    """What the database stores about the key: HMAC(key, label). It tells whether a key is
    the one the trail is signed with; it cannot be turned back into the key."""
    return hmac.new(key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def short_fingerprint(key: bytes) -> str:
    """The first 16 digits of the fingerprint, for people to compare two key files by."""
    return fingerprint(key)[:16]


def signed_with(session: Session) -> str:
    """The fingerprint of the key the trail is signed with ("" before its first event)."""
    return session.scalar(select(AuditChainHead.key_fingerprint)
                          .where(AuditChainHead.id == 1)) or ""


def practice_key(session: Session, path: Path) -> bytes:
    """The key at `path`, when it is the one the trail of `session`'s database is signed
    with. A database whose trail has no event yet takes this workstation's key (made the
    first time); one whose trail is signed refuses a workstation without that key
    (NotThePracticeKey) and no key is made: a second key would break the chain."""
    signed = signed_with(session)
    if not signed:
        return load_or_create_key(path)
    if not path.exists():
        raise NotThePracticeKey(
            f"this workstation has no audit key ({path}), and the database's audit trail is "
            f"signed with the practice's key; nothing was written: {HOW_TO_COPY}")
    key = load_or_create_key(path)
    if not hmac.compare_digest(fingerprint(key), signed):
        raise NotThePracticeKey(
            f"the audit key of this workstation ({path}) is not the practice's key, which "
            f"signs the database's audit trail; nothing was written: move {path.name} away, "
            f"then {HOW_TO_COPY}")
    return key


# -- carrying the key to another workstation ---------------------------------------------------

MAX_KEY_FILE = 4096        # a key file is 65 bytes; anything much larger is not one


def read_key_file(source: Path) -> bytes:
    """The key in a key file someone brought (an export): AuditKeyProblem, naming it, when
    it is missing, unreadable or not a key."""
    try:
        with source.open("rb") as handle:
            data = handle.read(MAX_KEY_FILE + 1)
    except FileNotFoundError:
        raise AuditKeyProblem(f"there is no file {source}; nothing was changed") from None
    except IsADirectoryError:
        raise AuditKeyProblem(f"{source} is a folder, not a key file; nothing was changed") \
            from None
    except OSError as exc:
        raise AuditKeyProblem(f"cannot read {source}: {exc.strerror or exc}; nothing was "
                              "changed") from exc
    try:
        return parse_key(data.decode("ascii") if len(data) <= MAX_KEY_FILE else "-", source)
    except (UnicodeDecodeError, AuditKeyProblem):
        raise AuditKeyProblem(f"{source} is not an IOPDesk audit key (a key file holds "
                              f"{KEY_BYTES * 2} hexadecimal digits); nothing was changed") \
            from None


def export_key(key_path: Path, destination: Path) -> bytes:
    """Write this workstation's key to `destination` (a new file, owner-only); the key."""
    from iopdesk.services.files import write_private_file

    if not key_path.exists():
        raise AuditKeyProblem(f"this workstation has no audit key ({key_path}) to export; "
                              "nothing was written")
    key = load_or_create_key(key_path)
    write_private_file(destination, (key.hex() + "\n").encode("ascii"), overwrite=False)
    return key


def import_key(source: Path, key_path: Path, signed: str | None) -> tuple[bytes, bool]:
    """Make the key in `source` this workstation's (owner-only, at `key_path`); `signed` is
    the fingerprint the database's trail is signed with ("" unsigned, None not known).
    Returns the key and whether the file was written (False: it was there already). A key
    that does not sign the trail, or a different key already here, is refused."""
    from iopdesk.services.files import write_private_file

    key = read_key_file(source)
    if signed and not hmac.compare_digest(fingerprint(key), signed):
        raise NotThePracticeKey(f"{source} holds an audit key (fingerprint "
                                f"{short_fingerprint(key)}), but not the one that signs this "
                                "database's audit trail; nothing was changed: export the key "
                                "again on a workstation whose audit verify passes")
    if key_path.exists():
        here = load_or_create_key(key_path)
        if here == key:
            return key, False
        raise AuditKeyProblem(f"this workstation already has another audit key ({key_path}, "
                              f"fingerprint {short_fingerprint(here)}); nothing was changed: "
                              "it may have signed a trail of its own, so it is never replaced "
                              "here. Move it away (keep it) first, then import again")
    write_private_file(key_path, (key.hex() + "\n").encode("ascii"), overwrite=False,
                       create_folder=True)
    return key, True


def canonical(event_id: int, occurred_at: datetime, fields: Mapping[str, Any]) -> str:
    body = {"id": event_id, "occurred_at": occurred_at.isoformat(), **fields}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def sign(key: bytes, prev_hash: str, text: str) -> str:
    return hmac.new(key, (prev_hash + text).encode("utf-8"), hashlib.sha256).hexdigest()


def sign_head(key: bytes, head: AuditChainHead) -> str:
    body = json.dumps(["head", head.chain_id, head.last_event_id, head.last_hash,
                       head.chained_after, head.key_fingerprint], separators=(",", ":"))
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def _fields(row: AuditEvent) -> dict[str, Any]:
    return {"user_id": row.user_id, "username": row.username, "workstation": row.workstation,
            "action": row.action, "outcome": AuditOutcome(row.outcome).value,
            "participant_id": row.participant_id, "entity": row.entity,
            "entity_id": row.entity_id, "detail": row.detail}


def append(session: Session, key: bytes, **values: Any) -> AuditEvent:
    """Add the next event of the chain to `session` (it commits or rolls back with it)."""
    head = session.get(AuditChainHead, 1, with_for_update=True)
    if head is None:
        raise AuditKeyProblem("the database has no audit chain head; run `iopdesk db upgrade`")
    if not head.key_fingerprint:
        head.key_fingerprint = fingerprint(key)      # the first event: this key is the trail's
    elif not hmac.compare_digest(head.key_fingerprint, fingerprint(key)):
        # Another workstation's first event won (or the key file changed since the start):
        # an event signed with another key would break the chain for everyone.
        raise NotThePracticeKey("this workstation's audit key is not the practice's key, which "
                                f"signs the audit trail; nothing was written: {HOW_TO_COPY}")
    values["detail"] = json.loads(json.dumps(values.get("detail") or {}, default=str))
    # Rows slipped in behind IOPDesk's back must not block the practice's work: continue
    # after them (verification names them).
    highest = session.scalar(select(func.max(AuditEvent.id))) or 0
    row = AuditEvent(id=max(head.last_event_id, highest) + 1, occurred_at=utcnow(), **values)
    row.prev_hash = head.last_hash
    row.hash = sign(key, head.last_hash, canonical(row.id, row.occurred_at, _fields(row)))
    session.add(row)
    head.last_event_id, head.last_hash = row.id, row.hash
    head.signature = sign_head(key, head)
    if head.chain_id:
        session.info[HEAD_INFO] = (head.chain_id, row.id, row.hash)
    return row


def advance_mark(session: Session, marks: HighWaterMarks | None) -> None:
    """After a commit: move the trail's high-water mark to the event just written."""
    state = session.info.pop(HEAD_INFO, None)
    if marks is not None and state is not None:
        try:
            marks.advance(*state)
        except OSError:
            # The action is committed and stays so; a mark left behind only makes the
            # check weaker (it can never be ahead of the trail), and the next event retries.
            pass


def _protection(session: Session) -> list[str]:
    dialect = session.get_bind().dialect.name
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if dialect == "postgresql":
        return pg_protection_problems(session.execute(text(PG_TRIGGER_QUERY)).all(), revision)
    if dialect != "sqlite":
        return []
    return protection_problems(session.execute(text(TRIGGER_QUERY)).all(), revision)


def verify(session: Session, key: bytes, marks: HighWaterMarks | None = None,
           batch: int = 5000) -> VerifyReport:
    """Walk the chain from its start; report the first event edited, inserted or deleted,
    a head rewound or unsigned, a trail shorter than its high-water mark (`marks`), and
    missing append-only protection."""
    head = session.get(AuditChainHead, 1)
    if head is None:
        return VerifyReport(0, "the database has no audit chain head: the end of the trail "
                               "was deleted")
    if head.key_fingerprint and head.key_fingerprint != fingerprint(key):
        return VerifyReport(0, "the audit key file is not the key this audit trail was signed "
                               f"with; every event would look forged ({HOW_TO_COPY})")
    report = _chain_report(session, key, head, marks, batch)
    unprotected = _protection(session)
    if not unprotected:
        return report
    # A dropped trigger is a failure of its own, whatever the chain says.
    return VerifyReport(report.checked, "; ".join([*unprotected, *filter(None, [report.problem])]),
                        report.event_id)


def _chain_report(session: Session, key: bytes, head: AuditChainHead,
                  marks: HighWaterMarks | None, batch: int) -> VerifyReport:
    head_problem = _head_problem(head, key)
    if head_problem:
        return VerifyReport(0, head_problem)
    try:
        mark = marks.get(head.chain_id) if marks is not None and head.chain_id else None
    except MarkProblem as exc:
        return VerifyReport(0, str(exc))
    report = _walk(session, key, head, batch)
    if not report.ok or mark is None:
        return report
    return _against_mark(session, head, mark, report.checked) or report


def _head_problem(head: AuditChainHead, key: bytes) -> str | None:
    if head.signature:
        if not hmac.compare_digest(head.signature, sign_head(key, head)):
            return (f"the end of the audit chain was rewritten outside IOPDesk (it says event "
                    f"{head.last_event_id}, and its signature does not match): the trail was "
                    "rewound or cut short")
        return None
    if head.last_event_id > head.chained_after:
        return ("the end of the audit chain carries no signature: it was removed, or this "
                "database was upgraded from an older IOPDesk and has written no event since "
                "(log in once, then verify again)")
    return None


def _walk(session: Session, key: bytes, head: AuditChainHead, batch: int) -> VerifyReport:
    prev_id, prev_hash, checked = head.chained_after, "", 0
    query = (select(AuditEvent).where(AuditEvent.id > head.chained_after)
             .order_by(AuditEvent.id).execution_options(yield_per=batch))
    for row in session.scalars(query):
        checked += 1
        if row.id != prev_id + 1:
            missing = f"{prev_id + 1}" if row.id == prev_id + 2 else f"{prev_id + 1}–{row.id - 1}"
            return VerifyReport(checked, f"event {missing} is missing: deleted from the trail",
                                prev_id + 1)
        if row.prev_hash != prev_hash:
            return VerifyReport(checked, f"event {row.id} does not follow event {prev_id}: an "
                                         "event was inserted or replaced here", row.id)
        expected = sign(key, prev_hash, canonical(row.id, row.occurred_at, _fields(row)))
        if not hmac.compare_digest(expected, row.hash):
            return VerifyReport(checked, f"event {row.id} was altered after it was written "
                                         "(its signature does not match its content)", row.id)
        prev_id, prev_hash = row.id, row.hash
    if prev_id > head.last_event_id:
        return VerifyReport(checked, f"events {head.last_event_id + 1}–{prev_id} lie beyond the "
                                     f"end of the chain (event {head.last_event_id}): the end "
                                     "was rewound, or events were inserted outside IOPDesk",
                            head.last_event_id + 1)
    if prev_id < head.last_event_id:
        gone = head.last_event_id - prev_id
        return VerifyReport(checked, f"the last {gone} event(s), {prev_id + 1}–"
                                     f"{head.last_event_id}, were deleted: the trail was cut "
                                     "short", prev_id + 1)
    if prev_hash != head.last_hash:
        return VerifyReport(checked, f"event {prev_id} was replaced (it differs from the end of "
                                     "the chain)", prev_id)
    return VerifyReport(checked)


def _against_mark(session: Session, head: AuditChainHead, mark, checked: int
                  ) -> VerifyReport | None:
    """The trail must reach at least as far as its mark outside the database."""
    when = f"recorded {mark.at}"
    if mark.event_id > head.last_event_id:
        if head.last_event_id <= head.chained_after:
            return VerifyReport(checked, f"the audit trail was wiped: it had reached event "
                                         f"{mark.event_id} ({when}) and no event is left",
                                head.chained_after + 1)
        return VerifyReport(checked, f"the audit trail was cut short and its end rewound: it "
                                     f"had reached event {mark.event_id} ({when}), it now ends "
                                     f"at event {head.last_event_id}; events "
                                     f"{head.last_event_id + 1}–{mark.event_id} are gone",
                            head.last_event_id + 1)
    if mark.event_id > head.chained_after:
        stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == mark.event_id))
        if stored != mark.event_hash:
            return VerifyReport(checked, f"event {mark.event_id} differs from the one recorded "
                                         f"outside the database ({when}): the trail was "
                                         "rewritten from there on", mark.event_id)
    return None
