"""`iopdesk db upgrade|check|backup|restore`: database care."""

from __future__ import annotations

import argparse
from pathlib import Path

from iopdesk.cli.common import EXIT_FAILED, EXIT_OK, error, open_engine, say
from iopdesk.config import Config


def register(commands, common: argparse.ArgumentParser) -> None:
    db = commands.add_parser("db", parents=[common], help="database care")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    actions.add_parser("upgrade", parents=[common],
                       help="bring the schema to this version (after a backup)"
                       ).set_defaults(handler=upgrade)
    check = actions.add_parser("check", parents=[common],
                               help="integrity, foreign keys, schema state, row counts")
    check.add_argument("--quick", action="store_true", help="quick_check instead of integrity_check")
    check.set_defaults(handler=check_command)
    backup = actions.add_parser("backup", parents=[common],
                                help="online backup to a timestamped file")
    backup.add_argument("--to", metavar="DIR", type=Path,
                        help="folder (default: backups/ beside the database)")
    backup.add_argument("--keep", type=int, metavar="N", help="backups to keep (default 10)")
    backup.set_defaults(handler=backup_command)
    restore = actions.add_parser("restore", parents=[common],
                                 help="replace the database with a verified backup")
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.set_defaults(handler=restore_command)


def upgrade(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.migrate import HEAD

    open_engine(config).dispose()
    say(f"The database is at schema revision {HEAD}: {config.database_url}")
    return EXIT_OK


def check_command(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.check import check_database

    report = check_database(config.database_url, quick=args.quick)
    say(f"Database: {config.database_url}")
    for what, result, ok in report.findings:
        say(f"  {what:<13} {'ok ' if ok else 'BAD'}  {result}")
    if report.counts:
        say("  rows          " + ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items())))
    if not report.ok:
        error("the database check found problems (see above)")
        return EXIT_FAILED
    return EXIT_OK


def backup_command(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.backup import backup_database

    info = backup_database(config.database_url, args.to or config.backup_dir,
                           keep=args.keep or config.backups_kept)
    say(f"Backed up to {info.path} ({info.size:,} bytes, verified)")
    return EXIT_OK


def restore_command(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.backup import restore_database

    info = restore_database(config.database_url, args.file, config.backup_dir,
                            keep=config.backups_kept)
    open_engine(config).dispose()  # an older backup is brought to this version's schema
    say(f"Restored {info.path} into {config.database_url}; the database it replaced is kept "
        f"in {config.backup_dir}")
    return EXIT_OK
