"""Parser assembly and dispatch of the `iopdesk` command."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from importlib import import_module

from iopdesk import __version__
from iopdesk.cli.common import EXIT_FAILED, EXIT_OK, error, say
from iopdesk.config import DATABASE_FILE, Config, load_config
from iopdesk.domain.errors import IOPDeskError

# Each module (of iopdesk.cli) adds its sub-command: register(commands, common) with a
# handler(config, args). Imported only when a sub-command may be there: some import the
# services, and with them the ORM, which the app must not wait for (DESIGN §10).
COMMAND_MODULES = ("demo_command", "db_commands", "audit_commands", "init_command",
                   "users_commands", "print_command", "report_command")


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
    for name in COMMAND_MODULES:
        import_module(f"iopdesk.cli.{name}").register(commands, common)
    return parser


class _NotTheApp(Exception):
    pass


class _AppParser(argparse.ArgumentParser):
    def error(self, message: str):      # the whole parser will say it, with its usage
        raise _NotTheApp(message)


def _app_arguments(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """The options when there is nothing but the common ones (`iopdesk`, `iopdesk --demo`):
    the app then starts without the sub-commands' modules being imported. None when there is
    anything else (a sub-command, --help, --version, a mistake): the whole parser takes it."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:                        # plain `iopdesk`, as a launcher starts it
        return argparse.Namespace(command=None)
    parser = _AppParser(prog="iopdesk", parents=[_common()], add_help=False)
    try:
        args, rest = parser.parse_known_args(argv)
    except _NotTheApp:
        return None
    if rest:
        return None
    args.command = None
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _app_arguments(argv)
    if args is None:
        args = build_parser().parse_args(argv)
    # `iopdesk demo` sets default_file: with neither --database nor IOPDESK_DATABASE_URL it
    # builds the demo practice's file, where every other command uses the practice's.
    config = load_config(getattr(args, "database", None), demo=getattr(args, "demo", False),
                         default_file=getattr(args, "default_file", DATABASE_FILE))
    try:
        if args.command is None:
            return _open_app(config, demo=getattr(args, "demo", False))
        return args.handler(config, args)
    except IOPDeskError as exc:
        error(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        error("interrupted; nothing half-written was kept")
        return EXIT_FAILED
    except BrokenPipeError:        # the output went to `head` or a closed pager
        sys.stdout = None          # nothing more to flush at exit
        return EXIT_OK
    except Exception as exc:       # a disk or database failure: one line, no traceback
        message = failure_message(exc, config)
        if message is None:
            raise
        error(message)
        return EXIT_FAILED


def _database_error(exc: BaseException) -> bool:
    """An error of a database driver (sqlite3, sqlcipher3, psycopg) or SQLAlchemy's
    wrapping of one; told without importing any of them."""
    import sqlite3

    if isinstance(exc, sqlite3.Error):
        return True
    module = type(exc).__module__ or ""
    return module.split(".")[0] in ("sqlalchemy", "sqlcipher3", "psycopg")


def failure_message(exc: BaseException, config: Config) -> str | None:
    """One line for a failure of the disk (full, read-only, I/O error), of a file, or of the
    database that reached the top of a command; None for anything else (a bug: its traceback
    is worth more than a line)."""
    if not isinstance(exc, OSError) and not _database_error(exc):
        return None
    original = getattr(exc, "orig", None) or exc        # SQLAlchemy keeps the driver's error
    from iopdesk.db.engine import storage_failure

    failure = storage_failure(original, config.database_path)
    if failure is not None:
        return str(failure)
    if isinstance(original, OSError):
        where = f" ({original.filename})" if original.filename is not None else ""
        return f"{original.strerror or original}{where}; the command stopped there"
    return f"the database failed: {original}"


def _open_app(config: Config, *, demo: bool) -> int:
    path = config.database_path
    if demo and path is not None and (not path.exists() or path.stat().st_size == 0):
        from iopdesk.cli import demo_command

        say(f"Building the demo practice at {config.database_path} …")
        demo_command.build(config, seed=1, size="small", as_of=None)
    # The app turns Python's automatic garbage collection off for good and collects from
    # the GUI thread (ui.operations.install_collector); off from here already, no collection
    # runs while PySide6 and the windows' modules load (a few per cent of the start).
    gc.disable()
    from iopdesk.app import run_app

    return run_app(config)


if __name__ == "__main__":
    sys.exit(main())
