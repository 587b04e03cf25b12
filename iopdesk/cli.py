"""The `iopdesk` command: the app by default, sub-commands for the database and the demo."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from iopdesk import __version__
from iopdesk.config import Config, load_config
from iopdesk.domain.errors import IOPDeskError, ValidationError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _common() -> argparse.ArgumentParser:
    """Options every sub-command accepts too (given after it or before it)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database", metavar="URL", default=argparse.SUPPRESS,
                        help="database URL or SQLite file (default: IOPDESK_DATABASE_URL, then "
                             "iopdesk.sqlite3 in the data directory)")
    common.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                        help="use the demo practice's database (demo.sqlite3 in the data directory)")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="iopdesk", parents=[common],
        description="IOPDesk: the clinical record and front desk of an Intensive Outpatient "
                    "Program. Without a sub-command it opens the app.")
    parser.add_argument("--version", action="version", version=f"IOPDesk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", parents=[common], help="build the fictional demo practice")
    demo.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    demo.add_argument("--size", choices=("small", "large"), default="small",
                      help="small: ~40 participants over months; large: 20 000 over 10 years")
    demo.add_argument("--as-of", metavar="YYYY-MM-DD", help="the demo's 'today' (default: today)")
    demo.add_argument("--replace", action="store_true",
                      help="replace an existing demo database (never a real practice's)")

    db = commands.add_parser("db", parents=[common], help="database care")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", parents=[common],
                           help="bring the schema to this version (after a backup)")
    check = db_commands.add_parser("check", parents=[common],
                                   help="integrity, foreign keys, schema state, row counts")
    check.add_argument("--quick", action="store_true", help="quick_check instead of integrity_check")
    backup = db_commands.add_parser("backup", parents=[common],
                                    help="online backup to a timestamped file")
    backup.add_argument("--to", metavar="DIR", type=Path, help="folder (default: backups/ beside "
                                                               "the database)")
    backup.add_argument("--keep", type=int, metavar="N", help="backups to keep (default 10)")
    restore = db_commands.add_parser("restore", parents=[common],
                                     help="replace the database with a verified backup")
    restore.add_argument("file", type=Path, metavar="FILE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config = load_config(getattr(args, "database", None), demo=getattr(args, "demo", False))
    try:
        if args.command is None:
            return _open_app(config, demo=getattr(args, "demo", False))
        if args.command == "demo":
            return _demo(config, args, explicit=hasattr(args, "database"))
        return _db(config, args)
    except IOPDeskError as exc:
        _error(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        _error("interrupted; nothing half-written was kept")
        return EXIT_FAILED


def _error(message: str) -> None:
    print(f"iopdesk: error: {message}", file=sys.stderr)


def _say(message: str) -> None:
    print(message, flush=True)


def _backup_first(config: Config):
    from iopdesk.db.backup import backup_database

    def backup() -> None:
        info = backup_database(config.database_url, config.backup_dir, keep=config.backups_kept,
                               label="before-upgrade")
        _say(f"Backed up the database to {info.path} before upgrading it.")
    return backup


def _open(config: Config):
    from iopdesk.db.engine import sqlite_path
    from iopdesk.db.migrate import open_database

    path = sqlite_path(config.database_url)
    backup = _backup_first(config) if path is not None and path.exists() else None
    return open_database(config.database_url, backup=backup)


def _open_app(config: Config, *, demo: bool) -> int:
    if demo and config.database_path is not None and not config.database_path.exists():
        _say(f"Building the demo practice at {config.database_path} …")
        _build_demo(config, seed=1, size="small", as_of=None)
    from iopdesk.app import run_app

    return run_app(config)


def _demo(config: Config, args: argparse.Namespace, *, explicit: bool) -> int:
    if not explicit:
        from iopdesk.config import DEMO_DATABASE_FILE, sqlite_url

        config = Config(data_dir=config.data_dir,
                        database_url=sqlite_url(config.data_dir / DEMO_DATABASE_FILE),
                        workstation=config.workstation)
    as_of = None
    if args.as_of:
        from iopdesk.domain.validation import parse_date

        try:
            as_of = parse_date(args.as_of, "--as-of")
        except ValidationError as exc:
            _error(str(exc))
            return EXIT_USAGE
    path = config.database_path
    if args.replace and path is not None and path.exists():
        _refuse_unless_demo(config)
        for extra in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            extra.unlink(missing_ok=True)
    summary = _build_demo(config, seed=args.seed, size=args.size, as_of=as_of)
    from iopdesk.services.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    _say(f"Demo practice written to {config.database_url}")
    _say("  " + ", ".join(f"{k} {v}" for k, v in sorted(summary.counts.items()) if v))
    _say(f"Accounts (password '{DEMO_PASSWORD}'): "
         + ", ".join(username for username, _name, _roles in DEMO_ACCOUNTS))
    return EXIT_OK


def _refuse_unless_demo(config: Config) -> None:
    from iopdesk.db.engine import make_session_factory
    from iopdesk.services import build_services

    engine = _open(config)
    try:
        staff = build_services(make_session_factory(engine), config.workstation).staff
        if staff.practice_name() is not None and not staff.is_demo():
            raise IOPDeskError(f"{config.database_url} holds the real practice "
                               f"“{staff.practice_name()}”; --replace only replaces a demo database")
    finally:
        engine.dispose()


def _build_demo(config: Config, *, seed: int, size: str, as_of: date | None):
    from iopdesk.services.demo import build_demo

    engine = _open(config)
    try:
        return build_demo(engine, seed=seed, size=size, as_of=as_of,
                          progress=lambda message: _say(f"  {message}"))
    finally:
        engine.dispose()


def _db(config: Config, args: argparse.Namespace) -> int:
    if args.db_command == "upgrade":
        from iopdesk.db.migrate import HEAD

        _open(config).dispose()
        _say(f"The database is at schema revision {HEAD}: {config.database_url}")
        return EXIT_OK
    if args.db_command == "check":
        return _check(config, quick=args.quick)
    if args.db_command == "backup":
        from iopdesk.db.backup import backup_database

        info = backup_database(config.database_url, args.to or config.backup_dir,
                               keep=args.keep or config.backups_kept)
        _say(f"Backed up to {info.path} ({info.size:,} bytes, verified)")
        return EXIT_OK
    if args.db_command == "restore":
        from iopdesk.db.backup import restore_database

        info = restore_database(config.database_url, args.file, config.backup_dir,
                                keep=config.backups_kept)
        _open(config).dispose()  # an older backup is brought to this version's schema
        _say(f"Restored {info.path} into {config.database_url}; the database it replaced is "
             f"kept in {config.backup_dir}")
        return EXIT_OK
    raise AssertionError(args.db_command)  # argparse allows no other value


def _check(config: Config, *, quick: bool) -> int:
    from iopdesk.db.check import check_database

    report = check_database(config.database_url, quick=quick)
    _say(f"Database: {config.database_url}")
    for what, result, ok in report.findings:
        _say(f"  {what:<13} {'ok ' if ok else 'BAD'}  {result}")
    if report.counts:
        _say("  rows          " + ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items())))
    if not report.ok:
        _error("the database check found problems (see above)")
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
