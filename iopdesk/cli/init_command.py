"""`iopdesk init`: the first run without the app — the practice and its administrator."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from iopdesk.cli.acting_user import PASSWORD_ENV, CommandRefused, describe, read_new_password
from iopdesk.cli.common import EXIT_FAILED, EXIT_OK, error, new_passphrase, open_engine, say
from iopdesk.config import Config
from iopdesk.domain.errors import NoDatabase, ValidationError

FLAGS = {
    "name": "--practice-name", "address_line1": "--address1", "address_line2": "--address2",
    "city": "--city", "state": "--state", "postal_code": "--zip", "phone": "--phone",
    "fax": "--fax", "npi": "--npi", "logo_png": "--logo", "username": "--admin-username",
    "display_name": "--admin-name", "credentials": "--admin-credentials",
    "email": "--admin-email", "admin_password": f"the password ({PASSWORD_ENV})",
}


def register(commands, common: argparse.ArgumentParser) -> None:
    init = commands.add_parser(
        "init", parents=[common],
        help="first run: create the practice and its administrator",
        description="Create the practice (its letterhead) and its first administrator in a "
                    "new database. The administrator's password comes from IOPDESK_PASSWORD, "
                    "or is asked twice in a terminal.")
    init.add_argument("--practice-name", required=True, metavar="NAME")
    init.add_argument("--admin-username", required=True, metavar="USERNAME")
    init.add_argument("--admin-name", required=True, metavar="NAME",
                      help="the administrator's full name")
    init.add_argument("--admin-credentials", default="", metavar="TEXT", help="e.g. LCSW")
    init.add_argument("--admin-email", default="", metavar="ADDRESS")
    init.add_argument("--address1", default="", metavar="TEXT")
    init.add_argument("--address2", default="", metavar="TEXT")
    init.add_argument("--city", default="")
    init.add_argument("--state", default="", metavar="XX")
    init.add_argument("--zip", default="", metavar="ZIP")
    init.add_argument("--phone", default="")
    init.add_argument("--fax", default="")
    init.add_argument("--npi", default="", metavar="NPI", help="the practice's 10-digit NPI")
    init.add_argument("--logo", type=Path, metavar="PNG", help="letterhead logo (a PNG file)")
    init.add_argument("--encrypt", action="store_true",
                      help="encrypt the new database (SQLCipher); the passphrase comes from "
                           "IOPDESK_NEW_PASSPHRASE, or is asked twice")
    init.set_defaults(handler=run)


def run(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.domain.accounts import NewUserInput, PracticeInput
    from iopdesk.domain.enums import Role

    logo = None
    if args.logo is not None:
        try:
            logo = args.logo.read_bytes()
        except OSError as exc:
            raise CommandRefused(f"--logo: cannot read {args.logo} ({exc.strerror})") from None
    practice = PracticeInput(name=args.practice_name, address_line1=args.address1,
                             address_line2=args.address2, city=args.city, state=args.state,
                             postal_code=args.zip, phone=args.phone, fax=args.fax, npi=args.npi,
                             logo_png=logo)
    admin = NewUserInput(username=args.admin_username, display_name=args.admin_name,
                         roles=frozenset({Role.ADMIN}), credentials=args.admin_credentials,
                         email=args.admin_email)
    from iopdesk.services.setup import check_setup

    try:
        try:
            with _services(config) as services:
                if not services.setup.needs_setup():
                    error(f"{config.database_url} already holds the practice "
                          f"“{services.staff.practice_name()}”; nothing was changed")
                    return EXIT_FAILED
        except NoDatabase:
            pass                    # the usual first run: the database is made below
        check_setup(practice, admin, None)          # before a new database file is made
        password = read_new_password(f"Password for the administrator {admin.username}: ",
                                     PASSWORD_ENV)
        check_setup(practice, admin, password)
        passphrase = new_passphrase() if args.encrypt else None
        with _services(config, create=True) as services:
            actor = services.setup.initialize(practice, admin, password)
            name = services.staff.practice_name()
    except ValidationError as refused:
        for line in describe(refused, FLAGS):
            error(line)
        error("nothing was created")
        return EXIT_FAILED
    if passphrase is not None:
        from iopdesk.db.encryption import encrypt_database

        encrypt_database(config.database_url, passphrase, config.backup_dir)
        say("The database is encrypted: IOPDesk asks for its passphrase (or reads "
            "IOPDESK_PASSPHRASE) from now on. Keep the passphrase safe: without it nobody can "
            "open the database or its backups.")
    say(f"Created the practice “{name}” in {config.database_url}.")
    say(f"The administrator {actor.username} can log in now, and add the other users "
        "(`iopdesk users add`, or in the app).")
    say(f"Keep a copy of the audit key {config.audit_key_path} with your backups: the audit "
        "trail cannot be verified without it.")
    return EXIT_OK


@contextmanager
def _services(config: Config, *, create: bool = False) -> Iterator:
    """The services over the configured database; with `create`, over a new one made
    owner-only when there is none (init is one of the commands that may create)."""
    from iopdesk.db.engine import make_session_factory
    from iopdesk.services import build_services_keyed

    engine = open_engine(config, create=create)
    try:
        yield build_services_keyed(make_session_factory(engine), config.workstation,
                                   key_path=config.audit_key_path)
    finally:
        engine.dispose()
