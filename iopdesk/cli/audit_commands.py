"""`iopdesk audit verify`: walk the audit chain and name the first event that was tampered with."""

from __future__ import annotations

import argparse

from iopdesk.cli.common import EXIT_FAILED, EXIT_OK, error, open_engine, say
from iopdesk.config import Config


def register(commands, common: argparse.ArgumentParser) -> None:
    audit = commands.add_parser("audit", parents=[common], help="the audit trail")
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    actions.add_parser("verify", parents=[common],
                       help="check that no audit event was edited, inserted or deleted"
                       ).set_defaults(handler=verify)


def verify(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.engine import make_session_factory
    from iopdesk.services import build_services
    from iopdesk.services.audit_chain import KEY_BYTES, load_or_create_key
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
                      "trail it cannot be verified (restore the key file from its backup)")
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
