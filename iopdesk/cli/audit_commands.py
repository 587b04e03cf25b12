"""`iopdesk audit verify`: walk the audit chain and name the first event that was tampered with.

`iopdesk audit key export FILE` / `import FILE`: every workstation of a practice signs the
trail with the same key, which never goes into the database (a stolen copy of it could then
re-sign an altered trail). A new workstation gets it as a file carried from one that has it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from iopdesk.cli.common import EXIT_FAILED, EXIT_OK, error, notice, open_engine, say
from iopdesk.config import Config


def register(commands, common: argparse.ArgumentParser) -> None:
    audit = commands.add_parser("audit", parents=[common], help="the audit trail")
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    actions.add_parser("verify", parents=[common],
                       help="check that no audit event was edited, inserted or deleted"
                       ).set_defaults(handler=verify)
    key = actions.add_parser(
        "key", parents=[common], help="carry the practice's audit key to another workstation",
        description="Every workstation signs the audit trail with the practice's one key, "
                    "kept in a file outside the database. Export it on a workstation that has "
                    "it, carry the file (it is readable by its owner only), import it on the "
                    "new workstation, then delete the carried file.")
    keys = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    export = keys.add_parser("export", parents=[common],
                             help="write this workstation's audit key to a new file")
    export.add_argument("file", type=Path, metavar="FILE", help="a new file (never replaced)")
    export.set_defaults(handler=export_key)
    imported = keys.add_parser("import", parents=[common],
                               help="make an exported audit key this workstation's")
    imported.add_argument("file", type=Path, metavar="FILE", help="the exported key file")
    imported.set_defaults(handler=import_key)


def verify(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.engine import make_session_factory
    from iopdesk.services import build_services
    from iopdesk.services.audit_chain import HOW_TO_COPY, KEY_BYTES, load_or_create_key
    from iopdesk.services.audit_mark import HighWaterMarks, beside_key

    key_path = config.audit_key_path
    engine = open_engine(config)
    try:
        if not key_path.exists():
            with engine.connect() as conn:
                signed = conn.exec_driver_sql(
                    "SELECT key_fingerprint FROM audit_chain_head WHERE id = 1").scalar()
            if signed:
                error(f"there is no audit key at {key_path}; without the key that signed the "
                      f"trail it cannot be verified ({HOW_TO_COPY}, or restore the key file "
                      "from its backup)")
                return EXIT_FAILED
            key = bytes(KEY_BYTES)    # nothing was ever signed: no key file is made to check it
        else:
            key = load_or_create_key(key_path)
        services = build_services(make_session_factory(engine), config.workstation,
                                  audit_key=key)
        report = services.audit.verify_against(HighWaterMarks(beside_key(key_path), key))
    finally:
        engine.dispose()
    if report.ok:
        say(f"The audit trail is intact: {report.checked:,} events checked.")
        return EXIT_OK
    error(f"the audit trail was tampered with: {report.problem} "
          f"({report.checked:,} events checked)")
    return EXIT_FAILED


def export_key(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.services.audit_chain import export_key as write_copy
    from iopdesk.services.audit_chain import short_fingerprint

    key = write_copy(config.audit_key_path, args.file)
    say(f"Exported the audit key of this workstation (fingerprint {short_fingerprint(key)}) "
        f"to {args.file}, readable by its owner only.")
    say("Whoever holds it can sign audit events: carry it to the new workstation yourself, "
        f"run `iopdesk audit key import {args.file.name}` there, then delete the file.")
    return EXIT_OK


def import_key(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.private_files import describe_mode, is_loose
    from iopdesk.db.urls import without_password
    from iopdesk.services.audit_chain import import_key as install
    from iopdesk.services.audit_chain import short_fingerprint

    signed = _signed_with(config)
    key, written = install(args.file, config.audit_key_path, signed)
    where = without_password(config.database_url)
    matched = (f"it signs the audit trail of {where}" if signed else
               f"no database to check it against at {where}" if signed is None else
               f"the audit trail of {where} has no event yet: it will be signed with it")
    if written:
        say(f"Imported the audit key (fingerprint {short_fingerprint(key)}) into "
            f"{config.audit_key_path}, readable by its owner only; {matched}.")
    else:
        say(f"This workstation already has this audit key (fingerprint "
            f"{short_fingerprint(key)}); nothing was changed; {matched}.")
    if is_loose(args.file):
        notice(f"{args.file} is readable by other users of this computer "
               f"({describe_mode(args.file)}): delete it now")
    else:
        say(f"Delete {args.file} now (or lock it away with the practice's backups).")
    return EXIT_OK


def _signed_with(config: Config) -> str | None:
    """The fingerprint the configured database's trail is signed with ("" none yet), or None
    when there is no database there to ask (a workstation may get its key first)."""
    from sqlalchemy.orm import Session

    from iopdesk.domain.errors import NoDatabase
    from iopdesk.services.audit_chain import signed_with

    try:
        engine = open_engine(config)
    except NoDatabase:
        return None
    try:
        with Session(engine) as session:
            return signed_with(session)
    finally:
        engine.dispose()
