"""`iopdesk db grant ROLE`: on PostgreSQL, give the role the workstations connect with what
they need, run once by the schema's owner (the configured URL is the owner's).

The workstations' role reads and writes the practice's tables, reads and appends to the audit
trail but cannot change, delete or truncate it, and cannot change the schema (see
iopdesk.db.pg_roles). `db upgrade` is the owner's too: `before_upgrade` refuses any other
role in one line, and `after_upgrade` grants the tables an upgrade added to every role
granted before, so a practice never has to remember to run the grant again.
"""

from __future__ import annotations

import argparse

from iopdesk.cli.common import EXIT_FAILED, EXIT_OK, error, open_engine, say
from iopdesk.config import Config
from iopdesk.db.urls import backend
from iopdesk.domain.errors import DatabaseUnusable

GRANT_HELP = ("On a PostgreSQL server, give ROLE (the role the workstations connect with) what "
              "IOPDesk needs and nothing more: reading and writing the practice's tables, "
              "reading and appending to the audit trail (never changing, deleting or "
              "truncating it), no change to the schema. Run it as the schema's owner (the one "
              "who runs `iopdesk db upgrade`): --database names the owner's URL. It sets the "
              "same privileges each time; `iopdesk db upgrade` grants the tables it adds to "
              "every role granted here.")


def register_grant(actions, common: argparse.ArgumentParser) -> None:
    """Add `grant` to the actions of `iopdesk db`."""
    grant = actions.add_parser("grant", parents=[common], description=GRANT_HELP,
                               help="give the workstations' PostgreSQL role its privileges")
    grant.add_argument("role", metavar="ROLE", help="the role the workstations connect with")
    grant.set_defaults(handler=grant_command)


def _is_server(config: Config) -> bool:
    return backend(config.database_url) == "postgresql"


def grant_command(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.pg_roles import grant

    if not _is_server(config):
        raise DatabaseUnusable("`iopdesk db grant` is for a PostgreSQL server: an SQLite "
                               "database file has no roles (its file is readable by its owner "
                               "only); nothing was changed")
    engine = open_engine(config)
    try:
        with engine.begin() as conn:
            granted = grant(conn, args.role)
    finally:
        engine.dispose()
    say(f"Granted {granted.role} what a workstation needs on {granted.database}: reading and "
        f"writing {granted.tables} tables and using {granted.sequences} sequences; reading "
        f"and appending to the audit trail ({', '.join(granted.audit)}); reading "
        "alembic_version.")
    say(f"{granted.role} cannot change, delete or truncate audit events, nor change the "
        "schema. This command sets the same privileges each time it runs; `iopdesk db "
        "upgrade` grants the tables it adds to every role granted here.")
    return EXIT_OK


def before_upgrade(config: Config) -> None:
    """Refuse `db upgrade` in one line to a role that does not own the schema."""
    if not _is_server(config):
        return
    from sqlalchemy.exc import OperationalError

    from iopdesk.db.engine import make_engine
    from iopdesk.db.pg_roles import refuse_unless_owner

    engine = make_engine(config.database_url)
    try:
        try:
            conn = engine.connect()
        except OperationalError:
            return          # a server that cannot be reached: the opening says so, and why
        with conn:
            refuse_unless_owner(conn)
    finally:
        engine.dispose()


def after_upgrade(config: Config) -> int:
    """Grant the tables an upgrade added to every role granted before (one line saying so),
    or remind the owner to grant the workstations' role when none was."""
    if not _is_server(config):
        return EXIT_OK
    from iopdesk.db.engine import make_engine
    from iopdesk.db.pg_roles import RoleProblem, grant, granted_roles

    engine = make_engine(config.database_url)
    try:
        with engine.begin() as conn:
            roles = granted_roles(conn)
            for role in roles:
                try:
                    with conn.begin_nested():
                        grant(conn, role)
                except RoleProblem as problem:
                    error(f"the schema was upgraded, but {role} was not granted its new "
                          f"tables: {problem}")
                    return EXIT_FAILED
    finally:
        engine.dispose()
    if roles:
        say(f"Granted {', '.join(roles)} the workstations' privileges on every table again "
            "(as `iopdesk db grant` does), the new ones included.")
    else:
        say("No role holds the workstations' privileges yet: give the role they connect with "
            "its privileges with `iopdesk db grant ROLE`.")
    return EXIT_OK
