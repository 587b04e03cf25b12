"""`iopdesk users list|add|disable|enable|reset-password|change-password`, acting as
`--user NAME` (an administrator, except for change-password)."""

from __future__ import annotations

import argparse

from iopdesk.cli.acting_user import (CommandRefused, describe, log_in, open_services,
                                     read_new_password)
from iopdesk.cli.common import EXIT_FAILED, EXIT_OK, error, say
from iopdesk.config import Config
from iopdesk.domain.enums import Role
from iopdesk.domain.errors import PermissionDenied, ValidationError
from iopdesk.domain.time import format_time

FLAGS = {"username": "--username", "display_name": "--name", "roles": "--role",
         "credentials": "--credentials", "email": "--email", "needs_cosign": "--needs-cosign",
         "supervisor_id": "--supervisor", "password": "the new password (IOPDESK_NEW_PASSWORD)",
         "temporary_password": "the new password (IOPDESK_NEW_PASSWORD)",
         "new_password": "the new password (IOPDESK_NEW_PASSWORD)",
         "current_password": "the current password (IOPDESK_PASSWORD)", "reason": "--reason"}


def _role(text: str) -> Role:
    try:
        return Role(text.strip().lower().replace("-", "_"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not a role; choose from {', '.join(r.value for r in Role)}") from None


def register(commands, common: argparse.ArgumentParser) -> None:
    acting = argparse.ArgumentParser(add_help=False)
    acting.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                        help="who is acting (password: IOPDESK_PASSWORD, or asked)")
    parents = [common, acting]
    users = commands.add_parser("users", parents=parents, help="user accounts and roles",
                                description="Manage user accounts as an administrator. New "
                                "passwords come from IOPDESK_NEW_PASSWORD, or are asked twice.")
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", parents=parents, help="every account and its roles")
    listing.add_argument("--active-only", action="store_true", help="leave out disabled users")
    listing.set_defaults(handler=list_command)

    add = actions.add_parser("add", parents=parents,
                             help="a new account (its password must be changed at first log-in)")
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True, help="full name")
    add.add_argument("--role", required=True, action="append", type=_role, dest="roles",
                     help=f"repeat for several: {', '.join(r.value for r in Role)}")
    add.add_argument("--credentials", default="", help="e.g. LCSW, CADC")
    add.add_argument("--email", default="")
    add.add_argument("--needs-cosign", action="store_true",
                     help="their notes and plans need a supervisor's co-signature")
    add.add_argument("--supervisor", metavar="USERNAME", help="who co-signs their work")
    add.set_defaults(handler=add_command)

    disable = actions.add_parser("disable", parents=parents,
                                 help="stop an account from logging in (nothing is deleted)")
    disable.add_argument("username", metavar="USERNAME")
    disable.add_argument("--reason", default="")
    disable.set_defaults(handler=disable_command)

    enable = actions.add_parser("enable", parents=parents, help="let a disabled account back in")
    enable.add_argument("username", metavar="USERNAME")
    enable.set_defaults(handler=enable_command)

    reset = actions.add_parser("reset-password", parents=parents,
                               help="a temporary password (to change at the next log-in); "
                                    "ends a lockout")
    reset.add_argument("username", metavar="USERNAME")
    reset.set_defaults(handler=reset_command)

    change = actions.add_parser("change-password", parents=parents,
                                help="change the acting user's own password")
    change.set_defaults(handler=change_command)


def _acting(services, args: argparse.Namespace, **options):
    return log_in(services, getattr(args, "user", None), **options)


def _user_id(services, actor, username: str) -> int:
    wanted = username.strip().lower()
    for member in services.users.list_users(actor):
        if member.username.lower() == wanted:
            return member.id
    raise CommandRefused(f"there is no user “{username}”")


def _run(config: Config, args: argparse.Namespace, work, **options) -> int:
    """Log in, do `work(services, actor)`, and turn refusals into messages and exit 1."""
    with open_services(config) as services:
        actor = _acting(services, args, **options)
        try:
            return work(services, actor)
        except PermissionDenied as refused:
            error(f"{refused}. Only an administrator manages users.")
        except ValidationError as refused:
            for line in describe(refused, FLAGS):
                error(line)
            error("nothing was changed")
    return EXIT_FAILED


def _status(member, zone: str) -> str:
    if not member.active:
        return "disabled"
    if member.locked_until is not None:
        return f"locked until {format_time(member.locked_until, zone)}"
    if member.must_change_password:
        return "temporary password"
    return "active"


def list_command(config: Config, args: argparse.Namespace) -> int:
    def work(services, actor) -> int:
        members = services.users.list_users(actor, include_disabled=not args.active_only)
        zone = services.settings.time_zone()
        names = {m.id: m.username for m in members}
        rows = [("USERNAME", "NAME", "CREDENTIALS", "ROLES", "STATUS", "CO-SIGNED BY")]
        rows += [(m.username, m.display_name, m.credentials,
                  ",".join(sorted(r.value for r in m.roles)), _status(m, zone),
                  names.get(m.supervisor_id, "") if m.needs_cosign else "") for m in members]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            say("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        return EXIT_OK
    return _run(config, args, work)


def add_command(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.domain.accounts import NewUserInput

    def work(services, actor) -> int:
        supervisor_id = _user_id(services, actor, args.supervisor) if args.supervisor else None
        data = NewUserInput(username=args.username, display_name=args.name,
                            roles=frozenset(args.roles), credentials=args.credentials,
                            email=args.email, needs_cosign=args.needs_cosign,
                            supervisor_id=supervisor_id)
        password = read_new_password(f"Temporary password for {args.username}: ")
        member = services.users.add_user(actor, data, password)
        say(f"Added {member.username} ({member.display_name}; "
            f"{', '.join(sorted(r.value for r in member.roles))}). The password is temporary: "
            "they choose their own at the first log-in.")
        return EXIT_OK
    return _run(config, args, work)


def disable_command(config: Config, args: argparse.Namespace) -> int:
    def work(services, actor) -> int:
        member = services.users.disable_user(actor, _user_id(services, actor, args.username),
                                             args.reason)
        say(f"Disabled {member.username}: the account can no longer log in; everything it "
            "recorded stays.")
        return EXIT_OK
    return _run(config, args, work)


def enable_command(config: Config, args: argparse.Namespace) -> int:
    def work(services, actor) -> int:
        member = services.users.enable_user(actor, _user_id(services, actor, args.username))
        say(f"Enabled {member.username}: the account can log in again.")
        return EXIT_OK
    return _run(config, args, work)


def reset_command(config: Config, args: argparse.Namespace) -> int:
    def work(services, actor) -> int:
        user_id = _user_id(services, actor, args.username)
        password = read_new_password(f"Temporary password for {args.username}: ")
        member = services.users.reset_password(actor, user_id, password)
        say(f"{member.username} has a temporary password now (any lockout is over); they "
            "choose their own at the next log-in.")
        return EXIT_OK
    return _run(config, args, work)


def change_command(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.cli.acting_user import read_password

    if not getattr(args, "user", None):
        raise CommandRefused("say whose password changes with --user NAME")
    current = read_password(f"Current password of {args.user}: ")

    def work(services, actor) -> int:
        new = read_new_password("New password: ")
        services.users.change_own_password(actor, current, new)
        say(f"Changed the password of {actor.username}.")
        return EXIT_OK
    return _run(config, args, work, allow_temporary=True, password=current)
