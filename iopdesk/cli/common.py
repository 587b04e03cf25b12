"""What every sub-command shares: output, exit codes, opening the database."""

from __future__ import annotations

import sys

from iopdesk.config import Config

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def say(message: str) -> None:
    print(message, flush=True)


def error(message: str) -> None:
    print(f"iopdesk: error: {message}", file=sys.stderr, flush=True)


def backup_before_upgrade(config: Config):
    from iopdesk.db.backup import backup_database

    def backup() -> None:
        info = backup_database(config.database_url, config.backup_dir, keep=config.backups_kept,
                               label="before-upgrade")
        say(f"Backed up the database to {info.path} before upgrading it.")
    return backup


def open_engine(config: Config):
    """The database at this version's schema (upgraded after a backup when it is older)."""
    from iopdesk.db.migrate import open_database

    path = config.database_path
    backup = backup_before_upgrade(config) if path is not None and path.exists() else None
    return open_database(config.database_url, backup=backup)
