"""`iopdesk db upgrade|check|backup|restore|encrypt|rekey`: database care.

An encrypted database's passphrase comes from IOPDESK_PASSPHRASE or is typed at the terminal;
a new one (encrypt, rekey) from IOPDESK_NEW_PASSPHRASE or typed twice. Never as an argument.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from iopdesk.cli.common import (EXIT_FAILED, EXIT_OK, NEW_PASSPHRASE_ENV, PASSPHRASE_ENV, error,
                                new_passphrase, open_engine, passphrase_for, say)
from iopdesk.config import Config
from iopdesk.domain.errors import DatabaseUnusable, PassphraseRequired

ENCRYPTED_HELP = (f"An encrypted database's passphrase is read from {PASSPHRASE_ENV}, or asked "
                  "for at the terminal; it is never given on the command line.")


def register(commands, common: argparse.ArgumentParser) -> None:
    db = commands.add_parser("db", parents=[common], help="database care",
                             description=ENCRYPTED_HELP)
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
    actions.add_parser(
        "encrypt", parents=[common], help="encrypt the database (SQLCipher) and its backups",
        description="Encrypt a plain database with a new passphrase (at least 8 characters) "
                    f"from {NEW_PASSPHRASE_ENV}, or typed twice. The encrypted copy is "
                    "verified before it replaces the plain file, which is then removed; its "
                    "backups are encrypted too. Without the passphrase nobody can open the "
                    "database again: keep it safe."
    ).set_defaults(handler=encrypt_command)
    actions.add_parser(
        "rekey", parents=[common], help="change the passphrase of an encrypted database",
        description=f"Change the passphrase: the current one from {PASSPHRASE_ENV} (or typed), "
                    f"the new one from {NEW_PASSPHRASE_ENV} (or typed twice). Backups that "
                    "open with the current passphrase get the new one too."
    ).set_defaults(handler=rekey_command)


def upgrade(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.migrate import HEAD
    from iopdesk.db.urls import without_password

    open_engine(config, upgrade=True).dispose()
    say(f"The database is at schema revision {HEAD}: {without_password(config.database_url)}")
    return EXIT_OK


def check_command(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.check import check_database
    from iopdesk.db.migrate import require_database_file

    if config.database_path is not None:
        require_database_file(config.database_path)     # reading never creates
    report = check_database(config.database_url, quick=args.quick,
                            passphrase=passphrase_for(config))
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
                           keep=args.keep or config.backups_kept,
                           passphrase=passphrase_for(config))
    say(f"Backed up to {info.path} ({info.size:,} bytes, verified"
        f"{', encrypted with the database passphrase' if info.encrypted else ''})")
    if info.unprotected:
        error("the backup was made, but the database's audit trail is not protected: "
              + "; ".join(info.unprotected) + " (run `iopdesk audit verify`)")
        return EXIT_FAILED
    return EXIT_OK


def restore_command(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.backup import restore_database
    from iopdesk.db.crypto import is_encrypted

    passphrase = passphrase_for(config, args.file)
    info = restore_database(config.database_url, args.file, config.backup_dir,
                            keep=config.backups_kept, passphrase=passphrase)
    path = config.database_path
    encrypted = path is not None and is_encrypted(path)
    # an older backup is brought to this version's schema
    engine = open_engine(config, passphrase=passphrase if encrypted else None)
    try:
        note = _restore_recorded(config, engine, info.path)
    finally:
        engine.dispose()
    say(f"Restored {info.path} into {config.database_url}"
        f"{' (encrypted)' if encrypted else ''}; the database it replaced is kept in "
        f"{config.backup_dir}")
    if note:
        say(note)
    return EXIT_OK


def _restore_recorded(config: Config, engine, restored: Path) -> str:
    """A restore rewinds the audit trail on purpose: record it in the trail, and move the
    trail's high-water mark back to its new end, noting the mark it replaced."""
    from iopdesk.db.engine import make_session_factory
    from iopdesk.services import build_services
    from iopdesk.services.audit_chain import load_or_create_key
    from iopdesk.services.audit_mark import HighWaterMarks, beside_key

    key_path = config.audit_key_path
    if not key_path.exists():
        return (f"There is no audit key at {key_path}: the restore was not recorded in the "
                "audit trail (restore the key file from its backup).")
    key = load_or_create_key(key_path)
    services = build_services(make_session_factory(engine), config.workstation, audit_key=key)
    replaced = services.audit.record_restore(HighWaterMarks(beside_key(key_path), key),
                                             restored.name)
    if replaced is None:
        return ""
    return (f"The audit trail now ends where the backup's did; it had reached event "
            f"{replaced.event_id} before the restore (recorded in the trail).")


def _database_file(config: Config) -> Path:
    path = config.database_path
    if path is None:
        raise DatabaseUnusable("encryption at rest is for an SQLite database file; a "
                               "PostgreSQL server is protected by its own means")
    if not path.exists() or path.stat().st_size == 0:
        raise DatabaseUnusable(f"there is no database at {path} to encrypt")
    return path


def encrypt_command(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.crypto import is_encrypted
    from iopdesk.db.encryption import encrypt_database, plain_backups

    path = _database_file(config)
    if is_encrypted(path):     # before asking for anything
        raise DatabaseUnusable(f"{path} is already encrypted (or is not an SQLite database): "
                               "change its passphrase with `iopdesk db rekey`")
    encrypt_database(config.database_url, new_passphrase(), config.backup_dir)
    say(f"Encrypted {path}; the plain file was removed once the encrypted copy verified.")
    left = plain_backups(config.backup_dir, path.stem)
    if left:
        error(f"{len(left)} backups could not be encrypted (damaged?) and still hold plain "
              "records: " + ", ".join(str(p) for p in left))
    say(f"From now on IOPDesk asks for the passphrase (or reads {PASSPHRASE_ENV}). Keep it "
        "safe: without it nobody, you included, can open the database or its backups.")
    return EXIT_FAILED if left else EXIT_OK


def rekey_command(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.backup import list_backups
    from iopdesk.db.crypto import is_encrypted
    from iopdesk.db.encryption import rekey_database

    path = config.database_path
    if path is None or not is_encrypted(path):
        raise DatabaseUnusable(f"{path or config.database_url} is not an encrypted database: "
                               "encrypt it with `iopdesk db encrypt`")
    old = passphrase_for(config)
    if old is None:
        raise PassphraseRequired(f"{path} is encrypted: give its current passphrase in "
                                 f"{PASSPHRASE_ENV} (or run this in a terminal to type it)")
    changed = rekey_database(config.database_url, old, new_passphrase(),
                             backup_dir=config.backup_dir)
    say(f"Changed the passphrase of {path}; {len(changed)} backups changed with it.")
    others = [p for p in list_backups(config.backup_dir, path.stem)
              if is_encrypted(p) and p not in changed]
    if others:
        say(f"{len(others)} older backups keep the passphrase they had: "
            + ", ".join(str(p) for p in others))
    return EXIT_OK
