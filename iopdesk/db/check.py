"""`iopdesk db check`: integrity, foreign keys, schema state and row counts, without changing
anything (the database is opened read-only; an encrypted one with its passphrase)."""

from __future__ import annotations

from dataclasses import dataclass, field

from iopdesk.db.audit_protection import TRIGGER_QUERY, protection_problems
from iopdesk.db.crypto import connect_file, database_errors, is_encrypted
from iopdesk.db.engine import make_engine, sqlite_path, storage_failure
from iopdesk.db.migrate import (HEAD, REVISIONS, check_sqlite_file, describe_state, no_database,
                                refuse_unless_iopdesk, stored_revision)
from iopdesk.db.models import Base
from iopdesk.db.private_files import describe_mode, loose_files
from iopdesk.domain.errors import DatabaseUnusable


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[tuple[str, str, bool], ...]     # (what, result, ok)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(ok for _, _, ok in self.findings)


def _revision_finding(revision: str | None) -> tuple[str, str, bool]:
    state = describe_state(revision)
    return ("schema", state, revision == HEAD)


def _protection_finding(triggers, revision: str | None) -> tuple[str, str, bool]:
    problems = protection_problems(triggers, revision)
    return ("audit trail", "; ".join(problems) if problems else
            "append-only (its triggers refuse edits and deletions)", not problems)


def check_database(url: str, *, quick: bool = False,
                   passphrase: str | None = None) -> CheckReport:
    path = sqlite_path(url)
    if path is None:
        return _check_server(url)
    if not path.exists():
        raise DatabaseUnusable(f"there is no database at {path}")
    if path.stat().st_size == 0:
        raise DatabaseUnusable(f"{path} is empty: not a database yet")
    check_sqlite_file(path, passphrase=passphrase)
    findings: list[tuple[str, str, bool]] = []
    counts: dict[str, int] = {}
    modes = _modes_finding(path)           # before SQLite adds its -wal and -shm
    try:
        conn = connect_file(path, passphrase, readonly=True)
        try:
            pragma = "quick_check" if quick else "integrity_check"
            result = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
            findings.append(("integrity", "ok" if result == ["ok"] else "; ".join(result[:5]),
                             result == ["ok"]))
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            findings.append(("foreign keys", "ok" if not broken else
                             f"{len(broken)} rows point at missing rows (first: table "
                             f"{broken[0][0]}, row {broken[0][1]})", not broken))
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            refuse_unless_iopdesk(path, tables)     # another program's, or an empty one
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
            findings.append(_revision_finding(revision))
            findings.append(_protection_finding(conn.execute(TRIGGER_QUERY).fetchall(),
                                                revision))
            findings.append(("encryption", "SQLCipher (opened with its passphrase)"
                             if is_encrypted(path) else "none (a plain SQLite file)", True))
            for name in Base.metadata.tables:
                if name in tables:
                    counts[name] = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        finally:
            conn.close()
    except database_errors() as exc:
        raise (storage_failure(exc, path)        # a read-only, full or failing disk
               or DatabaseUnusable(f"{path} is damaged or not a database: {exc}")) from exc
    findings.append(modes)
    return CheckReport(findings=tuple(findings), counts=counts)


def _modes_finding(path) -> tuple[str, str, bool]:
    """Whether others can read the database's files (reported here; made owner-only at the
    next open, never by the check, which changes nothing)."""
    loose = loose_files(path)
    if not loose:
        return ("file modes", "readable by its owner only", True)
    return ("file modes", ", ".join(f"{p} is readable by others ({describe_mode(p)})"
                                    for p in loose)
            + f"; {'it' if len(loose) == 1 else 'they'} will be made owner-only at the next open",
            False)


def _check_server(url: str) -> CheckReport:
    """A PostgreSQL database: its server's version, constraints the server has not checked,
    the schema revision, the audit trail's triggers and the row counts (read in one
    snapshot). A server that cannot be used, or a database that is not IOPDesk's, is refused
    in one line."""
    from iopdesk.db.pg_roles import roles_that_may_change_the_trail
    from iopdesk.db.pg_tools import read_state
    from iopdesk.db.urls import without_password

    engine = make_engine(url)
    try:
        if stored_revision(engine) is None:
            raise no_database(without_password(url), ": it holds no tables yet")
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                version = conn.exec_driver_sql("SHOW server_version").scalar()
                unchecked = conn.exec_driver_sql(
                    "SELECT conrelid::regclass::text, conname FROM pg_constraint "
                    "WHERE NOT convalidated").all()
                state = read_state(conn)
                roles = roles_that_may_change_the_trail(conn)
    finally:
        engine.dispose()
    integrity = ("checked by the server; every constraint validated" if not unchecked else
                 f"{len(unchecked)} constraints were never checked against the rows (first: "
                 f"{unchecked[0][1]} on {unchecked[0][0]})")
    findings = (("server", f"PostgreSQL {version}", True),
                ("integrity", integrity, not unchecked),
                _revision_finding(state.revision),
                ("audit trail", "; ".join(state.unprotected) if state.unprotected else
                 "append-only (its triggers refuse edits and deletions)", not state.unprotected),
                _roles_finding(roles))
    return CheckReport(findings=findings, counts=state.counts)


def _roles_finding(found: list[tuple[str, bool]]) -> tuple[str, str, bool]:
    """Who may change the audit trail: the owner, its members and superusers by nature;
    BAD when a workstations' role is among them (iopdesk.db.pg_roles)."""
    wrong = [name for name, bad in found if bad]
    listed = ", ".join(name for name, _ in found)
    if wrong:
        return ("audit roles", f"may change the audit trail: {listed}; take those rights "
                               "from the workstations' roles (`iopdesk db grant ROLE` sets "
                               "theirs again)", False)
    return ("audit roles", f"only {listed} may change the audit trail; the workstations' "
                           "roles may read and append to it", True)


__all__ = ["CheckReport", "check_database", "REVISIONS"]
