"""The roles of a PostgreSQL practice: an owner that changes the schema, and the role the
workstations connect with, which may append to the audit trail but never change it.

The triggers of revision 0009 refuse UPDATE, DELETE and TRUNCATE of audit events for every
role; privileges make the same refusal for the workstations' role without depending on them:
it holds SELECT and INSERT on `audit_events`, SELECT and the UPDATE of the four columns an
append moves on `audit_chain_head` (its SELECT … FOR UPDATE needs that, and nothing more),
SELECT only on `alembic_version`, and SELECT, INSERT, UPDATE, DELETE on every other table.
It owns nothing, so it can neither ALTER a table (switch a trigger off) nor run a migration.

`grant` sets exactly these privileges each time (everything else on the schema's tables is
revoked from the role first), so it can be run again after `db upgrade` added tables, and
`granted_roles` finds the roles it was run for, so the upgrade can grant them the new tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from iopdesk.domain.errors import IOPDeskError

AUDIT_EVENTS, CHAIN_HEAD, VERSIONS = "audit_events", "audit_chain_head", "alembic_version"
# What an append moves on the head (services.audit_chain.append); chain_id and chained_after
# are set by migrations only.
HEAD_COLUMNS = ("last_event_id", "last_hash", "key_fingerprint", "signature")
WORK = "SELECT, INSERT, UPDATE, DELETE"
# Table-level privileges the workstations' role must not have on the audit tables.
FORBIDDEN = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER")


class RoleProblem(IOPDeskError):
    """A role cannot be given the workstations' privileges, or is not the schema's owner."""


@dataclass(frozen=True)
class Granted:
    role: str
    database: str
    tables: int          # read and write
    sequences: int
    audit: tuple[str, ...]


def quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def schema_owner(conn: Connection) -> str | None:
    """The role that owns the IOPDesk schema (its `alembic_version`), None when there is none."""
    return conn.execute(text(
        "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename = :name"), {"name": VERSIONS}).scalar()


def acts_as(conn: Connection, role: str, owner: str) -> bool:
    """Whether `role` may do what `owner` may: it is the owner, a member of it, or a
    superuser."""
    return bool(conn.execute(text(
        "SELECT r.rolsuper OR pg_has_role(r.rolname, :owner, 'USAGE') FROM pg_roles r "
        "WHERE r.rolname = :role"), {"role": role, "owner": owner}).scalar())


def refuse_unless_owner(conn: Connection, command: str = "iopdesk db upgrade") -> None:
    """Refuse, in one line, a connection whose role does not own the schema (a workstation's
    role): only the owner changes the schema and grants privileges."""
    owner = schema_owner(conn)
    if owner is None:
        return                      # nothing yet: whoever builds the schema will own it
    me = conn.execute(text("SELECT current_user")).scalar()
    if not acts_as(conn, me, owner):
        database = conn.execute(text("SELECT current_database()")).scalar()
        raise RoleProblem(f"you are connected to {database} as {me}, which does not own its "
                          f"schema: run `{command}` as the database's owner ({owner}); "
                          "nothing was changed")


def _names(conn: Connection, query: str) -> list[str]:
    return list(conn.execute(text(query)).scalars())


def _check_role(conn: Connection, role: str, owner: str) -> None:
    row = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"),
                       {"role": role}).first()
    if row is None:
        raise RoleProblem(f"there is no role {role} on this server: create it first "
                          f"(CREATE ROLE {role} LOGIN PASSWORD '…'), then grant again")
    if row[0]:
        raise RoleProblem(f"{role} is a superuser, which may change anything, the audit trail "
                          "too: give the workstations a role of their own")
    if acts_as(conn, role, owner):
        raise RoleProblem(f"{role} is the schema's owner ({owner}) or a member of it, and so "
                          "may change the audit trail: give the workstations a role of their "
                          "own")


def grant(conn: Connection, role: str) -> Granted:
    """Give `role` what a workstation needs, and nothing more (run by the schema's owner, in
    `conn`'s transaction). The same privileges every time it runs."""
    refuse_unless_owner(conn, f"iopdesk db grant {role}")
    owner = schema_owner(conn)
    if owner is None:
        raise RoleProblem("this database has no IOPDesk schema yet: run `iopdesk db upgrade` "
                          "(as its owner) first")
    _check_role(conn, role, owner)
    who = quote(conn, role)
    database = conn.execute(text("SELECT current_database()")).scalar()
    _grant_connect(conn, who, role, database)
    tables = _names(conn, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                          "ORDER BY tablename")
    for table in tables:
        name = quote(conn, table)
        conn.execute(text(f"REVOKE ALL ON TABLE {name} FROM {who}"))
        if table == AUDIT_EVENTS:
            conn.execute(text(f"GRANT SELECT, INSERT ON TABLE {name} TO {who}"))
        elif table == CHAIN_HEAD:
            columns = ", ".join(HEAD_COLUMNS)
            conn.execute(text(f"GRANT SELECT, UPDATE ({columns}) ON TABLE {name} TO {who}"))
        elif table == VERSIONS:
            conn.execute(text(f"GRANT SELECT ON TABLE {name} TO {who}"))
        else:
            conn.execute(text(f"GRANT {WORK} ON TABLE {name} TO {who}"))
    sequences = _names(conn, "SELECT sequencename FROM pg_sequences "
                             "WHERE schemaname = current_schema()")
    for sequence in sequences:
        name = quote(conn, sequence)
        conn.execute(text(f"REVOKE ALL ON SEQUENCE {name} FROM {who}"))
        conn.execute(text(f"GRANT USAGE, SELECT ON SEQUENCE {name} TO {who}"))
    left = audit_rights(conn, role)
    if left:
        raise RoleProblem(f"{role} may still {', '.join(left)} through PUBLIC or a role it is "
                          "a member of; revoke that, then grant again (nothing was changed)")
    audit = tuple(t for t in (AUDIT_EVENTS, CHAIN_HEAD) if t in tables)
    return Granted(role, database, len(tables) - len(audit) - (VERSIONS in tables),
                   len(sequences), audit)


def _grant_connect(conn: Connection, who: str, role: str, database: str) -> None:
    """CONNECT on the database and USAGE on the schema; where the schema's owner does not
    own those (the server's administrator made the database), what PUBLIC has must do."""
    can = conn.execute(text(
        "SELECT pg_has_role(current_user, d.datdba, 'USAGE'), "
        "pg_has_role(current_user, n.nspowner, 'USAGE') FROM pg_database d, pg_namespace n "
        "WHERE d.datname = current_database() AND n.nspname = current_schema()")).one()
    schema = quote(conn, conn.execute(text("SELECT current_schema()")).scalar())
    if can[0]:
        conn.execute(text(f"GRANT CONNECT ON DATABASE {quote(conn, database)} TO {who}"))
    if can[1]:
        conn.execute(text(f"REVOKE CREATE ON SCHEMA {schema} FROM {who}"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {who}"))
    has = conn.execute(text(
        "SELECT has_database_privilege(:role, current_database(), 'CONNECT'), "
        "has_schema_privilege(:role, current_schema(), 'USAGE')"), {"role": role}).one()
    if not all(has):
        missing = "CONNECT on the database" if not has[0] else "USAGE on its schema"
        raise RoleProblem(f"{role} lacks {missing}, which only the server's administrator "
                          f"can grant (GRANT … TO {role}); nothing was changed")


def audit_rights(conn: Connection, role: str) -> list[str]:
    """What `role` may do to the audit tables beyond reading and appending ("UPDATE
    audit_events", …), however it holds it (directly, through PUBLIC or a membership)."""
    found = []
    for table in (AUDIT_EVENTS, CHAIN_HEAD):
        if conn.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar() is None:
            continue
        for privilege in FORBIDDEN:
            if conn.execute(text("SELECT has_table_privilege(:role, :t, :p)"),
                            {"role": role, "t": table, "p": privilege}).scalar():
                found.append(f"{privilege} {table}")
    return found


def granted_roles(conn: Connection) -> list[str]:
    """The roles `grant` was run for: those given INSERT on the audit events by the owner."""
    return _names(conn, (
        "SELECT DISTINCT r.rolname FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a "
        "JOIN pg_roles r ON r.oid = a.grantee WHERE c.oid = to_regclass('audit_events') "
        "AND a.privilege_type = 'INSERT' AND a.grantee <> c.relowner ORDER BY r.rolname"))


def roles_that_may_change_the_trail(conn: Connection) -> list[tuple[str, bool]]:
    """Every role that may change or delete audit events, as ("name (why)", wrong): the
    owner, its members and superusers by nature (they can also switch the triggers off);
    wrong when a role granted for the workstations is among them, or any other role holds a
    privilege on the trail it should not."""
    owner = schema_owner(conn)
    workstations = set(granted_roles(conn))
    found = []
    rows = conn.execute(text("SELECT rolname, rolsuper FROM pg_roles "
                             "WHERE rolname NOT LIKE 'pg\\_%' ORDER BY rolname")).all()
    for name, superuser in rows:
        mark = ", a workstations' role" if name in workstations else ""
        if superuser:
            found.append((f"{name} (superuser{mark})", bool(mark)))
        elif owner is not None and acts_as(conn, name, owner):
            why = "owner" if name == owner else f"member of {owner}"
            found.append((f"{name} ({why}{mark})", bool(mark)))
        else:
            rights = audit_rights(conn, name)
            if rights:
                found.append((f"{name} (may {', '.join(rights)}{mark})", True))
    return found
