"""Databases for the PostgreSQL half of the suite, handed out one per test and put back as
they were: `CREATE DATABASE … TEMPLATE` copies some 10 MB (mostly the system catalogs) and
takes up to a second or two on a busy two-CPU machine, times a thousand tests. A database a
test is done with is instead emptied and given the template's rows again (a few milliseconds),
after checking that its schema is still the template's: a test that changed the schema (DDL,
grants, a migration) leaves its database to be dropped, never reused.

The reset works below the application, as the server's superuser: with
`session_replication_role = replica` no trigger or foreign key fires, so the append-only
audit tables can be emptied and the rows put back in any order; the sequences get their
template values again.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field

# What a test could change in a database's schema: any row of these catalogs it adds, drops or
# rewrites changes its xmin (the statistics VACUUM and ANALYZE keep in pg_class are updated in
# place, without a new xmin). Only the database's own objects are read (oid 16384 and up: the
# system's are below), which keeps the check to a few milliseconds.
_SCHEMA_CATALOGS = {"pg_class": "oid", "pg_trigger": "oid", "pg_proc": "oid",
                    "pg_constraint": "oid", "pg_namespace": "oid", "pg_extension": "oid",
                    "pg_rewrite": "oid", "pg_type": "oid", "pg_policy": "oid",
                    "pg_default_acl": "oid", "pg_index": "indexrelid",
                    "pg_sequence": "seqrelid", "pg_attribute": "attrelid"}
FINGERPRINT = ("SELECT md5(string_agg(x, ',' ORDER BY x)) FROM ("
               + " UNION ALL ".join(f"SELECT '{c}' || ctid::text || xmin::text FROM {c} "
                                    f"WHERE {key}::bigint >= 16384"
                                    for c, key in _SCHEMA_CATALOGS.items())
               + " UNION ALL SELECT 'd' || xmin::text FROM pg_database "
                 "WHERE datname = current_database()) AS s(x)")


@dataclass
class Snapshot:
    """What a template database holds: its tables' rows (binary COPY) and its sequences."""
    tables: list[str]
    rows: dict[str, bytes]
    sequences: list[tuple[str, int, bool]]


@dataclass
class DatabasePool:
    """Copies of one template database on `server` (tests/pg_server.py)."""
    server: object
    template: str
    free: list[tuple[str, str]] = field(default_factory=list)   # (name, schema fingerprint)
    in_use: dict[str, str] = field(default_factory=dict)        # name: schema fingerprint
    # one connection of ours to each copy, kept for its resets (a new one costs a process)
    connections: dict[str, object] = field(default_factory=dict)
    snapshot: Snapshot | None = None
    made: int = 0
    dropped: int = 0

    _names = itertools.count(1)

    def _connect(self, dbname: str):
        import psycopg

        return psycopg.connect(host=str(self.server.socket_dir), user="postgres",
                               dbname=dbname, autocommit=True)

    def _take_snapshot(self) -> Snapshot:
        with self._connect(self.template) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                "ORDER BY tablename")]
            rows: dict[str, bytes] = {}
            for table in tables:
                if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]:
                    with conn.cursor().copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy:
                        rows[table] = b"".join(bytes(chunk) for chunk in copy)
            sequences = [(r[0], r[1], r[2]) for r in conn.execute(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), "
                "coalesce(last_value, start_value), last_value IS NOT NULL FROM pg_sequences "
                "WHERE schemaname = 'public'")]
        return Snapshot(tables, rows, sequences)

    def acquire(self) -> str:
        """The name of a database holding exactly what the template holds."""
        if self.free:
            name, fingerprint = self.free.pop()
        else:
            if self.snapshot is None:
                self.snapshot = self._take_snapshot()
            name = f"{self.template}_{os.getpid()}_{next(self._names)}"
            self.server.create_database(name, template=self.template)
            self.made += 1
            conn = self.connections[name] = self._connect(name)
            conn.execute("SET session_replication_role = replica")
            fingerprint = conn.execute(FINGERPRINT).fetchone()[0]
        self.in_use[name] = fingerprint
        return name

    def release(self, name: str) -> None:
        """Put `name` back as the template left it, or drop it when its schema changed."""
        fingerprint = self.in_use.pop(name)
        conn = self.connections.pop(name)
        try:
            if self._reset(conn, fingerprint):
                self.connections[name] = conn
                self.free.append((name, fingerprint))
                return
        except Exception:                   # noqa: BLE001 - whatever went wrong: a new copy
            pass
        conn.close()
        self.server.drop_database(name)
        self.dropped += 1

    def _reset(self, conn, fingerprint: str) -> bool:
        """Empty the database of `conn` (ours, with `session_replication_role = replica`) and
        give it the template's rows and sequences, unless its schema changed (False)."""
        snapshot = self.snapshot
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        if conn.execute(FINGERPRINT).fetchone()[0] != fingerprint:
            return False
        with conn.transaction():
            conn.execute("; ".join(f"DELETE FROM {t}" for t in snapshot.tables))
            cursor = conn.cursor()
            for table, data in snapshot.rows.items():
                with cursor.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                    copy.write(data)
            for sequence, value, called in snapshot.sequences:
                cursor.execute("SELECT setval(%s, %s, %s)", (sequence, value, called))
        return True

    def close(self) -> None:
        """Close our connections (the server, dropped at the end, takes the copies along)."""
        for conn in self.connections.values():
            conn.close()
        self.connections.clear()
