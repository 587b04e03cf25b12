"""Changes between workstations on PostgreSQL: NOTIFY in the transaction that makes a change
(so only committed changes are heard), LISTEN on a connection of its own.

`notify(session, payload)` is called by the services before they commit. A `Listener` holds
the listening connection: `fileno()` is its socket, for an event loop to watch (no polling
interval: the UI wakes when the socket is readable), and `read()` takes what has arrived. A
lost connection raises `ListenerLost` from `read()`; `reconnect()` listens again (whatever was
sent meanwhile is lost: the listener's user reloads what it shows).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

CHANNEL = "iopdesk_changes"


class ListenerLost(Exception):
    """The listening connection is gone; notifications may have been missed."""


def notify(session: Session, payload: str) -> None:
    """Send `payload` on the channel when `session`'s transaction commits (never if it rolls
    back: PostgreSQL holds a NOTIFY until the commit)."""
    session.execute(text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": CHANNEL, "payload": payload})


def _conninfo(url: str) -> dict:
    parsed = make_url(url)
    info = {"dbname": parsed.database, "user": parsed.username, "password": parsed.password,
            "host": parsed.host, "port": parsed.port}
    info.update(parsed.query)           # ?host=/run/postgresql, sslmode=…
    return {k: v for k, v in info.items() if v not in (None, "")}


class Listener:
    def __init__(self, url: str):
        self._url = url
        self._conn = None
        self.reconnect()

    def reconnect(self) -> None:
        """Connect (again) and LISTEN; psycopg's error if the server cannot be reached."""
        import psycopg

        self.close()
        self._conn = psycopg.connect(autocommit=True, connect_timeout=5,
                                     **_conninfo(self._url))
        self._conn.execute(f"LISTEN {CHANNEL}")

    def fileno(self) -> int:
        return self._conn.pgconn.socket

    def read(self) -> list[str]:
        """The payloads that have arrived (none is waited for)."""
        import psycopg

        if self._conn is None or self._conn.closed:
            raise ListenerLost("the listening connection is closed")
        pgconn = self._conn.pgconn
        try:
            pgconn.consume_input()
        except psycopg.OperationalError as exc:
            raise ListenerLost(str(exc)) from exc
        if pgconn.status != psycopg.pq.ConnStatus.OK:
            raise ListenerLost("the listening connection was lost")
        payloads = []
        while (note := pgconn.notifies()) is not None:
            if note.relname.decode() == CHANNEL:
                payloads.append(note.extra.decode("utf-8", "replace"))
        return payloads

    def close(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._conn.close()
        self._conn = None
