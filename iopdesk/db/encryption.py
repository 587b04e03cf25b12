"""Encrypting a database and its backups, and changing their passphrase.

The operations on whole databases; the SQLCipher primitives they use are in crypto.py.
"""

from __future__ import annotations

from pathlib import Path

from iopdesk.db.backup import list_backups, note_encrypted, verify_database_file
from iopdesk.db.crypto import (connect_file, database_errors, encrypt_file, is_encrypted,
                               normalize_passphrase, rekey_statement, take_alone)
from iopdesk.db.urls import sqlite_path
from iopdesk.domain.errors import DatabaseUnusable, ValidationError, WrongPassphrase


def _database_file(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise DatabaseUnusable("encryption at rest is for an SQLite database file; a "
                               "PostgreSQL server is protected by its own means")
    if not path.exists() or path.is_dir():
        raise DatabaseUnusable(f"there is no database at {path}")
    if path.stat().st_size == 0:
        raise DatabaseUnusable(f"{path} is empty: not a database yet")
    return path



def encrypt_database(url: str, passphrase: str, backup_dir: Path) -> Path:
    """Encrypt the plain database at `url` with `passphrase` (at least MIN_NEW_PASSPHRASE
    characters), then the plain backups of it in `backup_dir`.

    The encrypted copy is verified (integrity, foreign keys, the same rows in every table, the
    same schema revision and user_version) before it replaces the plain file, whose write-ahead
    log goes with it; on any failure the plain database is left untouched. Refuses a database
    that is already encrypted, or open elsewhere. Backups that cannot be encrypted (damaged)
    are left as they are: `plain_backups` lists them.
    """
    passphrase = normalize_passphrase(passphrase, new=True)
    path = _database_file(url)
    if is_encrypted(path):
        raise DatabaseUnusable(f"{path} is already encrypted (or is not an SQLite database): "
                               "change its passphrase with `iopdesk db rekey`")
    verify_database_file(path, what="The database")   # whole, IOPDesk, not newer than us
    encrypt_file(path, passphrase)
    encrypt_backups(backup_dir, path.stem, passphrase)
    return path


def encrypt_backups(backup_dir: Path, stem: str, passphrase: str) -> list[Path]:
    """Encrypt the plain backups of the database `stem` with `passphrase` (that of the
    database); returns those encrypted. Backups that cannot be (damaged) are left as they
    are: `plain_backups` lists them."""
    done = []
    for backup in plain_backups(backup_dir, stem):
        try:
            encrypt_file(backup, passphrase, alone=False)
        except (DatabaseUnusable, *database_errors()):
            continue            # damaged: left for the user to see (plain_backups)
        note_encrypted(backup)
        done.append(backup)
    return done


def plain_backups(backup_dir: Path, stem: str) -> list[Path]:
    """Backups of the database `stem` that are not encrypted."""
    return [p for p in list_backups(backup_dir, stem) if not is_encrypted(p)]


def _rekey_file(path: Path, old: str, new: str, *, alone: bool) -> None:
    connection = connect_file(path, old)
    try:
        connection.isolation_level = None
        if alone:
            take_alone(connection, path)
        connection.execute(rekey_statement(new)).fetchall()
    finally:
        connection.close()
    check = connect_file(path, new, readonly=True)
    try:
        result = check.execute("PRAGMA quick_check").fetchall()
    finally:
        check.close()
    if result != [("ok",)]:
        raise DatabaseUnusable(f"{path} does not check out after the new passphrase was set: "
                               f"{result[0][0] if result else '?'}")
    try:
        connect_file(path, old, readonly=True).close()
    except WrongPassphrase:
        return
    raise DatabaseUnusable(f"{path} still opens with the old passphrase: the change did not "
                           "take")


def rekey_database(url: str, old: str, new: str, *, backup_dir: Path | None = None
                   ) -> list[Path]:
    """Change the passphrase of the encrypted database at `url` with `PRAGMA rekey`, then
    check that it opens with `new` and no longer with `old`.

    The database must not be open elsewhere (it leaves WAL for the rekey, which also folds
    the log in). With `backup_dir`, its backups that open with `old` get `new` too (those
    with an older passphrase are left alone); returns the backups changed.
    """
    path = _database_file(url)
    if not is_encrypted(path):
        raise DatabaseUnusable(f"{path} is not encrypted: encrypt it with `iopdesk db encrypt`")
    old = normalize_passphrase(old, what="current passphrase")
    new = normalize_passphrase(new, new=True, what="new passphrase")
    if old == new:
        raise ValidationError({"new passphrase": "is the same as the current one"})
    _rekey_file(path, old, new, alone=True)
    changed: list[Path] = []
    for backup in list_backups(backup_dir, path.stem) if backup_dir is not None else []:
        if not is_encrypted(backup):
            continue
        try:
            _rekey_file(backup, old, new, alone=False)
        except (DatabaseUnusable, *database_errors()):
            continue
        changed.append(backup)
    return changed
