"""What every sub-command shares: output, exit codes, opening the database, its passphrase."""

from __future__ import annotations

import os
import sys
import unicodedata
from pathlib import Path

from iopdesk.config import Config
from iopdesk.domain.errors import IOPDeskError, ValidationError, WrongPassphrase

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# The passphrase of an encrypted database comes from the environment or the terminal, never
# from a command-line argument (every user of the machine can read those with `ps`).
PASSPHRASE_ENV = "IOPDESK_PASSPHRASE"
NEW_PASSPHRASE_ENV = "IOPDESK_NEW_PASSPHRASE"
PROMPT_ATTEMPTS = 3


def say(message: str) -> None:
    print(message, flush=True)


def error(message: str) -> None:
    print(f"iopdesk: error: {message}", file=sys.stderr, flush=True)


def notice(message: str) -> None:
    """Something done on the side that the user should know of (one line, with the output)."""
    say(f"iopdesk: {message}")


def interactive() -> bool:
    """True when a person at a terminal can be asked (not under a script, a pipe or CI)."""
    try:
        return bool(sys.stdin and sys.stdin.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _ask(prompt: str) -> str:
    import getpass

    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise IOPDeskError("no passphrase was given; nothing was changed") from None


def _from_env(name: str) -> str | None:
    value = os.environ.get(name)
    if value == "":
        raise ValidationError({name: "is set but empty"})
    return value


def passphrase_for(config: Config, *also: Path) -> str | None:
    """The passphrase of the configured database, when it is encrypted (or of a file in
    `also` that is, such as a backup to restore): IOPDESK_PASSPHRASE, else typed at the
    terminal (three tries, each checked). None when nothing is encrypted, or when there is
    no way to ask: opening the database then says that a passphrase is required."""
    from iopdesk.db.crypto import connect_file, is_encrypted

    encrypted = [p for p in (config.database_path, *also) if p is not None and is_encrypted(p)]
    if not encrypted:
        return None
    given = _from_env(PASSPHRASE_ENV)
    if given is not None or not interactive():
        return given
    for attempt in range(1, PROMPT_ATTEMPTS + 1):
        typed = _ask(f"Passphrase of {encrypted[0]}: ")
        try:
            connect_file(encrypted[0], typed, readonly=True).close()
        except (WrongPassphrase, ValidationError) as exc:
            if attempt == PROMPT_ATTEMPTS:
                raise
            error(str(exc))
            continue
        return typed
    raise AssertionError("unreachable")  # pragma: no cover


def new_passphrase() -> str:
    """The passphrase to set (encrypt, rekey): IOPDESK_NEW_PASSPHRASE, else typed twice."""
    from iopdesk.db.crypto import MIN_NEW_PASSPHRASE, normalize_passphrase

    given = _from_env(NEW_PASSPHRASE_ENV)
    if given is not None:
        return normalize_passphrase(given, new=True, what=NEW_PASSPHRASE_ENV)
    if not interactive():
        raise IOPDeskError(f"give the new passphrase in {NEW_PASSPHRASE_ENV} (or run this in a "
                           "terminal to type it); nothing was changed")
    for attempt in range(1, PROMPT_ATTEMPTS + 1):
        typed = _ask(f"New passphrase (at least {MIN_NEW_PASSPHRASE} characters): ")
        try:
            typed = normalize_passphrase(typed, new=True, what="new passphrase")
        except ValidationError as exc:
            if attempt == PROMPT_ATTEMPTS:
                raise
            error(str(exc))
            continue
        again = _ask("The same passphrase again: ")
        if unicodedata.normalize("NFC", again) == typed:
            return typed
        if attempt == PROMPT_ATTEMPTS:
            break
        error("the two passphrases differ; try again")
    raise IOPDeskError("the two passphrases differ; nothing was changed")


def backup_before_upgrade(config: Config, passphrase: str | None = None):
    from iopdesk.db.backup import backup_database

    def backup() -> None:
        info = backup_database(config.database_url, config.backup_dir, keep=config.backups_kept,
                               label="before-upgrade", passphrase=passphrase)
        say(f"Backed up the database to {info.path} before upgrading it.")
    return backup


def open_engine(config: Config, passphrase: str | None = None, *, create: bool = False,
                upgrade: bool = False):
    """The database at this version's schema (upgraded after a backup when it is older).

    Only `create` (`iopdesk init`, `iopdesk demo`) makes a missing or empty database; every
    other command is refused with "there is no IOPDesk database at …" and nothing is created.
    Database files that others could read are made owner-only, with a line saying so for
    each. An encrypted database is opened with `passphrase`, or, when none is given, with
    the one `passphrase_for` finds."""
    from iopdesk.db.migrate import open_database

    if passphrase is None:
        passphrase = passphrase_for(config)
    path = config.database_path
    backup = (backup_before_upgrade(config, passphrase)
              if path is not None and path.exists() else None)
    return open_database(config.database_url, backup=backup, passphrase=passphrase,
                         create=create, upgrade=upgrade, notify=notice)
