"""Parser assembly and dispatch of the `iopdesk` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from iopdesk import __version__
from iopdesk.cli import (audit_commands, db_commands, demo_command, init_command,
                         print_command, users_commands)
from iopdesk.cli.common import EXIT_FAILED, EXIT_OK, error, say
from iopdesk.config import Config, load_config
from iopdesk.domain.errors import IOPDeskError

# Each module adds its sub-command: register(commands, common) with a handler(config, args).
COMMAND_MODULES = (demo_command, db_commands, audit_commands, init_command, users_commands,
                   print_command)


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
    for module in COMMAND_MODULES:
        module.register(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config = load_config(getattr(args, "database", None), demo=getattr(args, "demo", False))
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


def _open_app(config: Config, *, demo: bool) -> int:
    if demo and config.database_path is not None and not config.database_path.exists():
        say(f"Building the demo practice at {config.database_path} …")
        demo_command.build(config, seed=1, size="small", as_of=None)
    from iopdesk.app import run_app

    return run_app(config)


if __name__ == "__main__":
    sys.exit(main())
