"""What every service shares: the acting user, the unit of work, the clock, the audit writer."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from iopdesk.db.base import Base
from iopdesk.db.engine import WRITE
from iopdesk.db.live import notify
from iopdesk.db.models import Episode, StaffRole, StaffUser
from iopdesk.domain.areas import change_of, record_types
from iopdesk.domain.changes import ChangeSet, RecordChange, from_payload, to_payload
from iopdesk.domain.enums import AuditOutcome, Role
from iopdesk.domain.errors import NotFound, SessionNotIssued
from iopdesk.domain.time import utc_now
from iopdesk.services import audit_chain
from iopdesk.services.audit_mark import HighWaterMarks

log = logging.getLogger(__name__)

def owner_look_up(table_name: str):
    """How to find whose record a row of `table_name` is: its `participant_id`, or the
    participant of its `episode_id`'s episode (LookupError for a table with neither)."""
    table = Base.metadata.tables[table_name]
    if "participant_id" in table.c:
        return select(table.c.participant_id).where(table.c.id == bindparam("id"))
    if "episode_id" in table.c:
        return (select(Episode.participant_id)
                .join(table, table.c.episode_id == Episode.id)
                .where(table.c.id == bindparam("id")))
    raise LookupError(f"{table_name} rows belong to no participant's chart")


# For a refused call naming a record by id (the record types of domain.areas): its table,
# and how to find whose record it is.
OWNER_OF = {r.id_arg: (r.table, owner_look_up(r.table)) for r in record_types() if r.id_arg}

_CURRENT_ROLES = (select(StaffRole.role, StaffUser.must_change_password)
                  .join(StaffUser, StaffUser.id == StaffRole.user_id)
                  .where(StaffUser.id == bindparam("user_id"), StaffUser.active.is_(True)))


@dataclass(frozen=True)
class Actor:
    """The person acting, as the services see them; made only by log-in.

    `seal` is what makes it theirs: the ServiceContext that issued the Actor (log-in, first-run
    setup, a password change) signed its fields with a secret of its own, and every guarded
    call checks that signature first. An Actor built by hand, or changed with
    `dataclasses.replace`, has no valid seal and is refused.
    """

    user_id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    workstation: str
    must_change_password: bool = False
    seal: str = field(default="", repr=False, compare=False)

    def has(self, role: Role) -> bool:
        return role in self.roles


def _sealed(user_id: int, username: str, display_name: str, roles: frozenset[Role],
            workstation: str, must_change_password: bool, nonce: str) -> bytes:
    """The bytes an Actor's seal signs: every field, in a form with one reading only."""
    return json.dumps([user_id, username, display_name, sorted(roles), workstation,
                       must_change_password, nonce],
                      ensure_ascii=False, separators=(",", ":")).encode()


def claimed_by(actor: Any) -> dict[str, Any]:
    """What an actor the services did not issue claims to be, for the audit trail."""
    user_id = getattr(actor, "user_id", None)
    roles = getattr(actor, "roles", None)
    if isinstance(roles, (set, frozenset)):
        roles = sorted(str(role)[:32] for role in roles)[:8]
    return {"claimed_user_id": user_id if user_id is None or type(user_id) is int
            else repr(user_id)[:64],
            "claimed_username": str(getattr(actor, "username", ""))[:64],
            "claimed_roles": roles if isinstance(roles, list) else repr(roles)[:64],
            "claimed_workstation": str(getattr(actor, "workstation", ""))[:64]}


_CHANGED = "iopdesk.changed"          # Session.info: the RecordChanges of this transaction
_CHANGED_BY = "iopdesk.changed_by"    # and who made them


class ChangeFeed:
    """Where committed change sets are announced: `subscribe(listener)` and every change set
    is given to `listener`, on the thread that committed it (a worker, in the app: the UI's
    change bus takes it over to the GUI thread).

    On a database server, the change sets of other workstations arrive through `remote()`:
    a RemoteChanges whose socket an event loop watches (None on SQLite: one workstation)."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[ChangeSet], None]] = []
        self.origin = secrets.token_hex(8)      # this feed's mark on what it sends
        self.server_url: str | None = None      # set for a database server

    def remote(self) -> RemoteChanges | None:
        """A listener of the other workstations' change sets (None on SQLite)."""
        return RemoteChanges(self.server_url, self.origin) if self.server_url else None

    def subscribe(self, listener: Callable[[ChangeSet], None]) -> Callable[[], None]:
        """Call `listener` with each change set from now on; returns what unsubscribes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners \
            else None

    def announce(self, change_set: ChangeSet) -> None:
        """Tell every listener. The change is committed: a listener that fails is logged,
        never turned into the failure of the save that made the change."""
        for listener in tuple(self._listeners):
            try:
                listener(change_set)
            except Exception:
                log.exception("a change-set listener failed")


class RemoteChanges:
    """The other workstations' change sets, as they are committed: watch `fileno()`, then
    `read()`. `read()` raises ListenerLost when the connection is gone; `reconnect()` then
    listens again, and its caller reloads what it shows (changes may have been missed)."""

    def __init__(self, url: str, origin: str):
        from iopdesk.db.live import Listener

        self._origin = origin
        self._listener = Listener(url)

    def fileno(self) -> int:
        return self._listener.fileno()

    def read(self) -> list[ChangeSet]:
        found = []
        for payload in self._listener.read():
            try:
                origin, change_set = from_payload(payload)
            except ValueError:
                log.warning("a notification that is not a change set was ignored")
                continue
            if origin != self._origin:          # our own were announced here already
                found.append(change_set)
        return found

    def reconnect(self) -> None:
        self._listener.reconnect()

    def close(self) -> None:
        self._listener.close()


class ServiceContext:
    def __init__(self, session_factory: sessionmaker[Session], workstation: str, *,
                 audit_key: bytes, today: Callable[[], date] = date.today,
                 now: Callable[[], datetime] = utc_now,
                 audit_marks: HighWaterMarks | None = None):
        if len(audit_key) < 16:
            raise ValueError("the audit key must be at least 16 bytes")
        self.session_factory = session_factory
        self.workstation = workstation
        self.audit_key = audit_key
        self.today = today
        # The UTC clock (aware datetimes): the practice's today and printed times come from it.
        self.now = now
        # The trail's high-water mark outside the database, moved after each commit that
        # wrote an audit event (None: no mark is kept, as in tests of one database).
        self.audit_marks = audit_marks
        # Seals the Actors this context issues: made anew for every context, kept nowhere,
        # so an Actor of another run (or of other services in this one) is not valid here.
        self._actor_key = secrets.token_bytes(32)
        self.changes = ChangeFeed()
        bind = session_factory.kw.get("bind")
        if bind is not None and bind.dialect.name == "postgresql":
            self.changes.server_url = bind.url.render_as_string(hide_password=False)

    def issue_actor(self, *, user_id: int, username: str, display_name: str,
                    roles: frozenset[Role], must_change_password: bool = False) -> Actor:
        """A sealed Actor at this workstation. Only the services call this, once they have
        checked who is acting (the password at log-in, the first-run setup)."""
        roles = frozenset(roles)
        nonce = secrets.token_hex(8)
        mac = hmac.new(self._actor_key, _sealed(user_id, username, display_name, roles,
                                                self.workstation, must_change_password, nonce),
                       hashlib.sha256).hexdigest()
        return Actor(user_id=user_id, username=username, display_name=display_name,
                     roles=roles, workstation=self.workstation,
                     must_change_password=must_change_password, seal=f"{nonce}.{mac}")

    def reissue(self, actor: Actor, *, must_change_password: bool) -> Actor:
        """`actor` issued anew with the flag changed (after a password change)."""
        if not self.issued(actor):
            raise SessionNotIssued()
        return self.issue_actor(user_id=actor.user_id, username=actor.username,
                                display_name=actor.display_name, roles=actor.roles,
                                must_change_password=must_change_password)

    def issued(self, actor: Any) -> bool:
        """True for an Actor this context issued, unchanged since: one HMAC, cheap enough
        to run before every guarded call."""
        if type(actor) is not Actor or not isinstance(actor.seal, str):
            return False
        nonce, _, mac = actor.seal.partition(".")
        try:
            expected = hmac.new(self._actor_key,
                                _sealed(actor.user_id, actor.username, actor.display_name,
                                        actor.roles, actor.workstation,
                                        actor.must_change_password, nonce),
                                hashlib.sha256).hexdigest()
            return hmac.compare_digest(expected, mac)
        except (TypeError, ValueError):     # fields or a seal of a kind no log-in gives
            return False

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises. Once
        committed, what it changed is announced as a change set (see domain.changes)."""
        change_set = None
        with self.session_factory() as session:
            with session.begin():
                session.connection(execution_options=WRITE)
                yield session
                change_set = self._change_set(session)
                if change_set is not None and self.changes.server_url:
                    # heard by the other workstations when (and only if) this commits
                    notify(session, to_payload(change_set, self.changes.origin))
            audit_chain.advance_mark(session, self.audit_marks)
        if change_set is not None:
            self.changes.announce(change_set)

    def _change_set(self, session: Session) -> ChangeSet | None:
        changed: list[RecordChange] = session.info.pop(_CHANGED, [])
        actor: Actor | None = session.info.pop(_CHANGED_BY, None)
        if not changed:
            return None
        return ChangeSet(changes=tuple(changed), user_id=actor.user_id if actor else None,
                         username=actor.username if actor else "",
                         display_name=actor.display_name if actor else "",
                         workstation=self.workstation, at=self.now())

    def audit(self, session: Session, actor: Actor | None, action: str, *,
              participant_id: int | None = None, entity: str = "", entity_id: int | None = None,
              detail: Mapping[str, Any] | None = None,
              outcome: AuditOutcome = AuditOutcome.OK, username: str | None = None) -> None:
        """Add an audit event to `session`: it commits or rolls back with the action. An
        event of a change (domain.areas.CHANGE_ACTIONS) is also noted for the change set."""
        if outcome == AuditOutcome.OK:
            change = change_of(action, entity_id=entity_id, participant_id=participant_id)
            if change is not None:
                session.info.setdefault(_CHANGED, []).append(change)
                session.info.setdefault(_CHANGED_BY, actor)
        audit_chain.append(
            session, self.audit_key,
            user_id=actor.user_id if actor else None,
            username=username or (actor.username if actor else "-"),
            workstation=self.workstation,
            action=action,
            outcome=outcome,
            participant_id=participant_id,
            entity=entity,
            entity_id=entity_id,
            detail=dict(detail or {}),
        )

    def current_roles(self, actor: Actor) -> frozenset[Role]:
        """The actor's roles as stored now; none once the account is disabled, and none for
        an Actor this context did not issue."""
        return self.current_standing(actor)[0]

    def current_standing(self, actor: Actor) -> tuple[frozenset[Role], bool]:
        """(the actor's roles as stored now, whether they must change their password first):
        no roles once the account is disabled, and none for an Actor this context did not
        issue. The password flag is the stored one too: a password an administrator resets
        during someone's session stops that session's work at its next call."""
        if not self.issued(actor):
            return frozenset(), False
        # Core, not a Session: this runs before every guarded call, the search's keystrokes too.
        # On a server, one statement in autocommit: no BEGIN and ROLLBACK round trips.
        with self.session_factory.kw["bind"].connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            rows = conn.execute(_CURRENT_ROLES, {"user_id": actor.user_id}).all()
        must_change = any(bool(row.must_change_password) for row in rows)
        return frozenset(row.role for row in rows) & actor.roles, must_change

    def record_refusal(self, actor: Actor, action: str, permission: Any,
                       arguments: Mapping[str, Any]) -> None:
        """Audit a refused call in a transaction of its own, naming whose record it aimed at.

        An actor this context did not issue is not taken at its word: the event has no
        user id (nobody proved who acted), the user name it claims (as a failed log-in
        records the name typed), and in its detail everything it claimed.
        """
        if self.issued(actor):
            who: Actor | None = actor
            username = None
            detail = {"needs": str(permission), "roles": sorted(actor.roles)}
        else:
            claimed = claimed_by(actor)
            who, username = None, claimed["claimed_username"] or "-"
            detail = {"needs": str(permission), "reason": "not issued by log-in", **claimed}
        participant_id = arguments.get("participant_id")
        target = next(((name, value) for name, value in arguments.items()
                       if name in OWNER_OF and isinstance(value, int)), None)
        with self.unit_of_work() as session:
            if not isinstance(participant_id, int) and target is not None:
                participant_id = session.scalar(OWNER_OF[target[0]][1], {"id": target[1]})
            self.audit(session, who, action,
                       participant_id=participant_id if isinstance(participant_id, int) else None,
                       entity=OWNER_OF[target[0]][0] if target else "",
                       entity_id=target[1] if target else None,
                       outcome=AuditOutcome.REFUSED, username=username, detail=detail)


def get_or_404(session: Session, model: type, row_id: int, what: str):
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"{what} {row_id} does not exist")
    return row
