"""`iopdesk demo`: the fictional demo practice."""

from __future__ import annotations

import argparse
from datetime import date

from iopdesk.cli.common import EXIT_OK, EXIT_USAGE, error, open_engine, say
from iopdesk.config import DEMO_DATABASE_FILE, Config
from iopdesk.domain.errors import IOPDeskError, ValidationError


def register(commands, common: argparse.ArgumentParser) -> None:
    demo = commands.add_parser("demo", parents=[common], help="build the fictional demo practice")
    demo.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    demo.add_argument("--size", choices=("small", "large"), default="small",
                      help="small: ~40 participants over months; large: 20 000 over 10 years")
    demo.add_argument("--as-of", metavar="YYYY-MM-DD", help="the demo's 'today' (default: today)")
    demo.add_argument("--replace", action="store_true",
                      help="replace an existing demo database (never a real practice's)")
    # Into --database, else IOPDESK_DATABASE_URL, else the demo file of the data directory
    # (cli.main reads default_file), never into a real practice's database.
    demo.set_defaults(handler=run, default_file=DEMO_DATABASE_FILE)


def run(config: Config, args: argparse.Namespace) -> int:
    as_of = None
    if args.as_of:
        from iopdesk.domain.validation import parse_date

        try:
            as_of = parse_date(args.as_of, "--as-of")
        except ValidationError as exc:
            error(str(exc))
            return EXIT_USAGE
    path = config.database_path
    if args.replace and path is not None and path.exists() and path.stat().st_size:
        _refuse_unless_demo(config)
        for extra in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            extra.unlink(missing_ok=True)
    summary = build(config, seed=args.seed, size=args.size, as_of=as_of)
    from iopdesk.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    say(f"Demo practice written to {config.database_url}")
    say("  " + ", ".join(f"{k} {v}" for k, v in sorted(summary.counts.items()) if v))
    say(f"Accounts (password '{DEMO_PASSWORD}'): "
        + ", ".join(username for username, _name, _roles in DEMO_ACCOUNTS))
    return EXIT_OK


def _refuse_unless_demo(config: Config) -> None:
    from iopdesk.db.engine import make_session_factory
    from iopdesk.services import build_services
    from iopdesk.services.audit_chain import load_or_create_key

    engine = open_engine(config)
    try:
        staff = build_services(make_session_factory(engine), config.workstation,
                               audit_key=load_or_create_key(config.audit_key_path)).staff
        if staff.practice_name() is not None and not staff.is_demo():
            raise IOPDeskError(f"{config.database_url} holds the real practice "
                               f"“{staff.practice_name()}”; --replace only replaces a demo database")
    finally:
        engine.dispose()


def build(config: Config, *, seed: int, size: str, as_of: date | None):
    from iopdesk.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, build_demo
    from iopdesk.domain.enums import Role

    from iopdesk.db.engine import make_session_factory
    from iopdesk.services import build_services_keyed

    engine = open_engine(config, create=True)
    try:
        summary = build_demo(engine, seed=seed, size=size, as_of=as_of,
                             progress=lambda message: say(f"  {message}"))
        services = build_services_keyed(make_session_factory(engine), config.workstation,
                                        key_path=config.audit_key_path)
        # Recorded by the demo's administrator, logged in like anybody (the demo's password is
        # public): the trail names a real, checked user, not an anonymous "system".
        admin = services.staff.log_in(
            next(name for name, _, roles in DEMO_ACCOUNTS if Role.ADMIN in roles), DEMO_PASSWORD)
        services.audit.record_maintenance(admin, "demo.build", {"seed": seed, "size": size})
        return summary
    finally:
        engine.dispose()
