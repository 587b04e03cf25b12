"""How command-line work logs in: the acting user (`--user`), passwords from the environment
or the terminal, and the services over the chosen database.

Passwords are read from IOPDESK_PASSWORD (the acting user's; for `init`, the new
administrator's) and IOPDESK_NEW_PASSWORD (a password being set), else asked with getpass
when the command runs in a terminal; never from a command-line flag (it would show in `ps`
and the shell history).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from getpass import getpass

from iopdesk.cli.common import open_engine
from iopdesk.config import Config
from iopdesk.domain.errors import IOPDeskError, ValidationError

PASSWORD_ENV = "IOPDESK_PASSWORD"
NEW_PASSWORD_ENV = "IOPDESK_NEW_PASSWORD"


class CommandRefused(IOPDeskError):
    """The command cannot go on (no password given, passwords differ, no such user...)."""


def interactive() -> bool:
    """True when a person can answer a prompt (stdin is a terminal)."""
    stdin = sys.stdin
    return stdin is not None and stdin.isatty()


def _ask(prompt: str) -> str:
    try:
        return getpass(prompt)
    except EOFError:
        raise CommandRefused("no password was given; nothing was changed") from None


def read_password(prompt: str, env_name: str = PASSWORD_ENV) -> str:
    value = os.environ.get(env_name)
    if value is not None:
        return value
    if not interactive():
        raise CommandRefused(f"no password: set {env_name} or run the command in a terminal")
    return _ask(prompt)


def read_new_password(prompt: str, env_name: str = NEW_PASSWORD_ENV) -> str:
    """A password being set: from `env_name`, else typed twice."""
    value = os.environ.get(env_name)
    if value is not None:
        return value
    if not interactive():
        raise CommandRefused(f"no password: set {env_name} or run the command in a terminal")
    first = _ask(prompt)
    if _ask("Type it again: ") != first:
        raise CommandRefused("the two passwords differ; nothing was changed")
    return first


@contextmanager
def open_services(config: Config, *, must_exist: bool = True) -> Iterator:
    """The services over the configured database (closed when the block ends)."""
    from iopdesk.db.engine import make_session_factory
    from iopdesk.services import build_services_keyed

    engine = open_engine(config, create=not must_exist)
    try:
        yield build_services_keyed(make_session_factory(engine), config.workstation,
                                   key_path=config.audit_key_path)
    finally:
        engine.dispose()


def log_in(services, username: str | None, *, allow_temporary: bool = False,
           password: str | None = None):
    """The Actor of `--user`, logged in like the app does (audited, lockout and all)."""
    if not username:
        raise CommandRefused("say who is acting with --user NAME")
    if password is None:
        password = read_password(f"Password for {username}: ")
    try:
        actor = services.staff.log_in(username, password)
    except ValidationError as refused:
        raise CommandRefused(f"the password of {username}: "
                             f"{' '.join(refused.fields.values())}") from None
    if actor.must_change_password and not allow_temporary:
        raise CommandRefused(
            f"{actor.username} has a temporary password: change it first (in the app, or "
            f"`iopdesk users change-password --user {actor.username}`)")
    return actor


def describe(refused: ValidationError, flags: dict[str, str]) -> list[str]:
    """One line per bad field, naming the flag (or variable) a person typed it in."""
    return [f"{flags.get(field, field)}: {message}" for field, message in refused.fields.items()]
