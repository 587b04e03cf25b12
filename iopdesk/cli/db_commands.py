"""`iopdesk db upgrade|check|backup|restore|migrate-to|encrypt|rekey`: database care.

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
    from iopdesk.cli.db_roles_command import register_grant

    register_grant(actions, common)         # `db grant ROLE` (PostgreSQL roles)
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
    migrate = actions.add_parser(
        "migrate-to", parents=[common], help="copy the practice into an empty PostgreSQL database",
        description="Copy the practice's SQLite database (--database, IOPDESK_DATABASE_URL or "
                    "the default file) into the empty PostgreSQL database at URL, in one "
                    "transaction: the schema, every row with its id, the audit trail as it is. "
                    "The row counts and the audit chain are verified before it is committed; "
                    "the SQLite file is left as it was. The URL's password is never shown.")
    migrate.add_argument("url", metavar="URL",
                         help="postgresql+psycopg://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
    migrate.set_defaults(handler=migrate_to_command)
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
    from iopdesk.cli.db_roles_command import after_upgrade, before_upgrade
    from iopdesk.db.migrate import HEAD
    from iopdesk.db.urls import without_password

    before_upgrade(config)          # PostgreSQL: only the schema's owner upgrades it
    open_engine(config, upgrade=True).dispose()
    say(f"The database is at schema revision {HEAD}: {without_password(config.database_url)}")
    return after_upgrade(config)    # PostgreSQL: roles granted before get the new tables too


def check_command(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.check import check_database
    from iopdesk.db.migrate import require_database_file
    from iopdesk.db.urls import without_password

    if config.database_path is not None:
        require_database_file(config.database_path)     # reading never creates
    report = check_database(config.database_url, quick=args.quick,
                            passphrase=passphrase_for(config))
    say(f"Database: {without_password(config.database_url)}")
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
    from iopdesk.cli.common import notice
    from iopdesk.db.backup import is_pg_archive
    from iopdesk.db.crypto import is_encrypted
    from iopdesk.db.urls import without_password
    from iopdesk.services.backups import BackupPlace, restore_recorded

    path = config.database_path
    # a pg_dump archive (a server's backup) has no passphrase to ask for
    also = () if is_pg_archive(args.file) else (args.file,)
    passphrase = passphrase_for(config, *also) if path is not None else None
    place = BackupPlace(config.database_url, config.backup_dir, keep=config.backups_kept,
                        audit_key_path=config.audit_key_path, workstation=config.workstation,
                        passphrase=passphrase)
    # the app's restore too: verified, the schema brought to this version, the restore
    # recorded in the audit trail and the trail's high-water mark moved
    restored = restore_recorded(place, args.file, notify=notice)
    encrypted = path is not None and is_encrypted(path)
    say(f"Restored {restored.info.path} into {without_password(config.database_url)}"
        f"{' (encrypted)' if encrypted else ''}; the database it replaced is kept in "
        f"{config.backup_dir}")
    if restored.note:
        say(restored.note)
    return EXIT_OK


def migrate_to_command(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.db.migrate_to import migrate_to, refuse_unless_server, source_file

    refuse_unless_server(args.url)
    source_file(config.database_url)                    # reading never creates
    key_path = config.audit_key_path
    if not key_path.exists():
        raise DatabaseUnusable(f"there is no audit key at {key_path}: without the key that "
                               "signed the audit trail the copy cannot be verified (restore "
                               "the key file from its backup); nothing was copied")
    done = migrate_to(config.database_url, args.url, passphrase=passphrase_for(config),
                      verify=_audit_verifier(key_path))
    say(f"Copied {done.source} into {done.target}:")
    width = max(len(name) for name in done.counts)
    for name, rows in done.counts.items():
        say(f"  {name:<{width}}  {rows:>9,}")
    say(f"audit chain verified: {done.audit.checked:,} events")
    say(f"The SQLite file was left as it was. Point every workstation at the server "
        f"(--database or IOPDESK_DATABASE_URL={done.target}).")
    return EXIT_OK


def _audit_verifier(key_path: Path):
    """The audit chain's verification, run on the target inside the copy's transaction
    (db.migrate_to commits only when it passes)."""
    from sqlalchemy.orm import Session

    from iopdesk.services.audit_chain import load_or_create_key, verify
    from iopdesk.services.audit_mark import HighWaterMarks, beside_key

    key = load_or_create_key(key_path)              # it exists: nothing is created

    def check(connection):
        with Session(bind=connection) as session:
            return verify(session, key, HighWaterMarks(beside_key(key_path), key))
    return check


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
        if plain_backups(config.backup_dir, path.stem):
            return _finish_encrypting(config, path)
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


def _finish_encrypting(config: Config, path: Path) -> int:
    """An encryption cut short (killed, a power cut) after the database and before its
    backups: the backups still plain are encrypted with the database's passphrase."""
    from iopdesk.db.crypto import connect_file
    from iopdesk.db.encryption import encrypt_backups, plain_backups

    passphrase = passphrase_for(config)
    if passphrase is None:
        raise PassphraseRequired(
            f"{path} is encrypted, but {len(plain_backups(config.backup_dir, path.stem))} of "
            f"its backups are still plain: give its passphrase in {PASSPHRASE_ENV} (or run "
            "this in a terminal to type it) to encrypt them too")
    connect_file(path, passphrase, readonly=True).close()     # WrongPassphrase if not its own
    done = encrypt_backups(config.backup_dir, path.stem, passphrase)
    say(f"{path} was already encrypted; {len(done)} of its backups that were still plain "
        "are now encrypted with its passphrase.")
    left = plain_backups(config.backup_dir, path.stem)
    if left:
        error(f"{len(left)} backups could not be encrypted (damaged?) and still hold plain "
              "records: " + ", ".join(str(p) for p in left))
        return EXIT_FAILED
    return EXIT_OK


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
