"""Encryption at rest (DESIGN §6): SQLCipher database files, their passphrase, `encrypt` and
`rekey`.

The passphrase never travels inside a URL (it would be shown, logged and mangled by URL
quoting): it is a separate argument everywhere, turned into the first statement of every
connection to an encrypted file, `PRAGMA key = '…'`, and checked at once.

Light at import: the log-in window calls `is_encrypted` before SQLAlchemy is loaded, so this
module imports only the standard library at the top; sqlcipher3 is loaded on first use.
"""

from __future__ import annotations

import os
import sqlite3
import unicodedata
from pathlib import Path

from iopdesk.db.private_files import create_private_file, flush_to_disk
from iopdesk.domain.errors import (DatabaseUnusable, PassphraseRequired, ValidationError,
                                   WrongPassphrase)

SQLITE_HEADER = b"SQLite format 3\x00"
MIN_NEW_PASSPHRASE = 8            # characters, for a passphrase being set (encrypt, rekey)
PASSPHRASE_HOW = "give its passphrase in IOPDESK_PASSPHRASE, or type it when asked"
SQLITE_NOTADB = 26
LOCK_WAIT_SECONDS = 2.0
SIDECARS = ("-wal", "-shm", "-journal")

_sqlcipher = None


# -- the passphrase --------------------------------------------------------------------------

def is_encrypted(path: Path) -> bool:
    """True when `path` is a non-empty file that does not start with the SQLite header: an
    SQLCipher database (or something that is no database at all: only the key can tell)."""
    try:
        with Path(path).open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError:          # missing, a folder, unreadable
        return False
    return bool(head) and head != SQLITE_HEADER


def normalize_passphrase(passphrase: str, *, new: bool = False, what: str = "passphrase") -> str:
    """The passphrase as it is given to SQLCipher, or a ValidationError that says what is wrong.

    Any text works (quotes, `@:/`, accents, other scripts, emoji); it is normalized to Unicode
    NFC so that the same passphrase typed on another keyboard or system opens the database.
    A `new` passphrase (encrypt, rekey) must have at least MIN_NEW_PASSPHRASE characters.
    """
    if not isinstance(passphrase, str):
        raise TypeError("a passphrase is text (str)")
    if passphrase == "":
        raise ValidationError({what: "is empty"})
    if "\x00" in passphrase:
        raise ValidationError({what: "contains a NUL character, which SQLite cannot take"})
    try:
        passphrase.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError({what: "is not valid text (it holds bytes that are not UTF-8: "
                                     "check the encoding of the terminal or the environment)"}
                              ) from None
    normalized = unicodedata.normalize("NFC", passphrase)
    if new and len(normalized) < MIN_NEW_PASSPHRASE:
        raise ValidationError({what: f"is too short: at least {MIN_NEW_PASSPHRASE} characters"})
    return normalized


def usable_passphrase(passphrase: str, path: Path | None) -> str:
    """An existing database's passphrase, normalized; one that no database can have (empty,
    NUL, not text) is a WrongPassphrase that says why, so callers ask again as for any
    wrong one."""
    try:
        return normalize_passphrase(passphrase)
    except ValidationError as exc:
        problem = exc.fields.get("passphrase", str(exc))
        where = "the in-memory database" if path is None else str(path)
        raise WrongPassphrase(f"the passphrase {problem}, so it cannot open {where}") from None


def _literal(passphrase: str) -> str:
    return "'" + normalize_passphrase(passphrase).replace("'", "''") + "'"


def key_statement(passphrase: str) -> str:
    """`PRAGMA key = '…'` with the passphrase quoted as an SQL string (single quotes doubled)."""
    return f"PRAGMA key = {_literal(passphrase)}"


def rekey_statement(passphrase: str) -> str:
    return f"PRAGMA rekey = {_literal(passphrase)}"


# -- connections -----------------------------------------------------------------------------

def load_sqlcipher():
    """The sqlcipher3 DB-API module, with SQLCipher's own logging to stderr turned off (a
    wrong key is reported by IOPDesk, not as `hmac check failed` lines on the terminal)."""
    global _sqlcipher
    if _sqlcipher is None:
        try:
            import sqlcipher3
        except ImportError as exc:   # pragma: no cover - a dependency of the package
            raise DatabaseUnusable("encrypted databases need the sqlcipher3 package, which "
                                   "is not installed") from exc
        probe = sqlcipher3.connect(":memory:")
        try:
            probe.execute("PRAGMA cipher_log_level = NONE").fetchall()
        finally:
            probe.close()
        _sqlcipher = sqlcipher3
    return _sqlcipher


def database_errors() -> tuple[type[BaseException], ...]:
    """The DB-API errors of both drivers (plain files use sqlite3, encrypted ones sqlcipher3)."""
    if _sqlcipher is None:
        return (sqlite3.DatabaseError,)
    return (sqlite3.DatabaseError, _sqlcipher.DatabaseError)


def passphrase_required(path: Path, what: str = "") -> PassphraseRequired:
    lead = f"{what} {path}" if what else str(path)
    return PassphraseRequired(f"{lead} is not an SQLite database, or it is an encrypted one: "
                              f"{PASSPHRASE_HOW}")


def wrong_passphrase(path: Path | None, what: str = "") -> DatabaseUnusable:
    """The error for a key that does not open `path`, told apart from a plain file."""
    where = "the in-memory database" if path is None else str(path)
    if path is not None and path.exists() and not is_encrypted(path) and path.stat().st_size:
        return DatabaseUnusable(f"{(what + ' ') if what else ''}{path} is not encrypted: open it "
                                "without a passphrase (or encrypt it with `iopdesk db encrypt`)")
    return WrongPassphrase(f"the passphrase does not open {where} (a wrong passphrase, or a "
                           "damaged or foreign file); nothing was unlocked or changed")


def unlock(connection, passphrase: str, path: Path | None, what: str = "") -> None:
    """Key a fresh sqlcipher3 connection (this must be its first statement) and prove at once
    that the key opens the file: a wrong one raises WrongPassphrase."""
    sqlcipher = load_sqlcipher()
    connection.execute(key_statement(usable_passphrase(passphrase, path)))
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", SQLITE_NOTADB) != SQLITE_NOTADB:
            raise           # busy, I/O error…: not a question of the key
        raise wrong_passphrase(path, what) from None


def _uri(path: Path, readonly: bool) -> str:
    return Path(path).resolve().as_uri() + ("?mode=ro" if readonly else "")


def connect_file(path: Path, passphrase: str | None, *, readonly: bool = False,
                 what: str = ""):
    """A DB-API connection to an existing database file: through sqlcipher3, keyed and
    checked, when the file is encrypted; through the standard sqlite3 when it is plain (the
    passphrase is then not used)."""
    if not is_encrypted(path):
        return sqlite3.connect(_uri(path, readonly), uri=True)
    if passphrase is None:
        raise passphrase_required(path, what)
    sqlcipher = load_sqlcipher()
    connection = sqlcipher.connect(_uri(path, readonly), uri=True, timeout=LOCK_WAIT_SECONDS)
    try:
        unlock(connection, passphrase, path, what)
    except BaseException:
        connection.close()
        raise
    return connection


def create_keyed(path: Path, passphrase: str | None):
    """A connection to a new (absent or empty) file: encrypted with `passphrase`, or plain."""
    if passphrase is None:
        return sqlite3.connect(path)
    connection = load_sqlcipher().connect(str(path))
    try:
        unlock(connection, passphrase, path)
    except BaseException:
        connection.close()
        raise
    return connection


# -- whole-file operations -------------------------------------------------------------------

def remove_with_sidecars(path: Path) -> None:
    for suffix in ("", *SIDECARS):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def take_alone(connection, path: Path) -> None:
    """Leave WAL for a rollback journal, which SQLite allows only to the one connection to
    the file: so the write-ahead log is folded into the file, and a database still open in
    IOPDesk (here or on another workstation) is refused before anything changes."""
    try:
        mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except database_errors() as exc:
        raise DatabaseUnusable(f"{path} is in use ({exc}): close IOPDesk on every workstation "
                               "that has it open, then try again; nothing was changed") from exc
    if str(mode).lower() != "delete":
        raise DatabaseUnusable(f"{path} is in use: close IOPDesk on every workstation that "
                               "has it open, then try again; nothing was changed")


def _tables(connection, schema: str = "main") -> list[str]:
    return [row[0] for row in connection.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' ORDER BY name")]


def snapshot(connection, schema: str = "main") -> dict[str, object]:
    """What a faithful copy must have: the rows of every table (FTS shadow tables included),
    the schema revision and user_version."""
    counts = {name: connection.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0]
              for name in _tables(connection, schema)}
    revision = None
    if "alembic_version" in counts:
        row = connection.execute(f"SELECT version_num FROM {schema}.alembic_version").fetchone()
        revision = row[0] if row else None
    user_version = connection.execute(f"PRAGMA {schema}.user_version").fetchone()[0]
    return {"counts": counts, "revision": revision, "user_version": user_version}


def export_file(source: Path, source_passphrase: str | None, target: Path,
                target_passphrase: str | None, *, connection=None) -> dict[str, object]:
    """Copy `source` into the new file `target` with `sqlcipher_export` (plain → encrypted,
    encrypted → plain, or one key → another), in one read transaction of the source; returns
    the source's snapshot, for `verify_copy`."""
    sqlcipher = load_sqlcipher()
    if target.exists() and target.stat().st_size:
        raise DatabaseUnusable(f"{target} already exists; nothing was changed")
    own = connection is None
    if own:   # not read-only: a database ATTACHed to a read-only connection is read-only too
        connection = sqlcipher.connect(str(source), timeout=LOCK_WAIT_SECONDS)
    try:
        connection.isolation_level = None
        if own and source_passphrase is not None:
            unlock(connection, source_passphrase, source)
        key = _literal(target_passphrase) if target_passphrase is not None else "''"
        target_literal = "'" + str(target).replace("'", "''") + "'"
        connection.execute(f"ATTACH DATABASE {target_literal} AS encrypted KEY {key}")
        try:
            connection.execute("BEGIN")
            try:
                state = snapshot(connection)
                connection.execute("SELECT sqlcipher_export('encrypted')").fetchall()
                # sqlcipher_export copies schema and rows, not the header's user_version
                connection.execute(f"PRAGMA encrypted.user_version = {int(state['user_version'])}")
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        finally:
            connection.execute("DETACH DATABASE encrypted")
    finally:
        if own:
            connection.close()
    return state


def verify_copy(target: Path, passphrase: str | None, expected: dict[str, object]) -> None:
    """Open the copy as a user would and compare it with the source's snapshot; raise
    DatabaseUnusable on any difference."""
    if (passphrase is not None) != is_encrypted(target):
        raise DatabaseUnusable(f"the copy {target} is not "
                               f"{'encrypted' if passphrase is not None else 'plain'}")
    connection = connect_file(target, passphrase, readonly=True, what="The copy")
    try:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:
            raise DatabaseUnusable(f"the copy {target} is damaged: {result[0] if result else '?'}")
        if connection.execute("PRAGMA foreign_key_check").fetchall():
            raise DatabaseUnusable(f"the copy {target} has rows pointing at missing rows")
        found = snapshot(connection)
    finally:
        connection.close()
    for part in ("revision", "user_version", "counts"):
        if found[part] != expected[part]:
            raise DatabaseUnusable(f"the copy {target} differs from its source ({part}: "
                                   f"{found[part]!r} instead of {expected[part]!r})")


def replace_file(staged: Path, target: Path) -> None:
    """Put the verified `staged` file in place of `target` atomically, and drop the target's
    write-ahead log and shared memory (they belong to the file replaced)."""
    os.replace(staged, target)
    for suffix in SIDECARS:
        Path(f"{target}{suffix}").unlink(missing_ok=True)
        Path(f"{staged}{suffix}").unlink(missing_ok=True)
    flush_to_disk(target.parent)


def _staging(path: Path, suffix: str) -> Path:
    staged = path.with_name(f"{path.name}.{suffix}")
    remove_with_sidecars(staged)       # left over by an interrupted run: never the database
    return staged


def encrypt_file(path: Path, passphrase: str, *, alone: bool = True) -> None:
    """Encrypt the plain SQLite file `path` in place: export to a new encrypted file beside
    it, verify that copy against the source, then replace the source with it. Until the copy
    verifies, nothing is removed; if anything fails, the plain file is left as it was."""
    passphrase = normalize_passphrase(passphrase, new=True)
    staged = _staging(path, "encrypting")
    create_private_file(staged)        # owner-only before SQLCipher writes into it
    sqlcipher = load_sqlcipher()
    source = sqlcipher.connect(str(path), timeout=LOCK_WAIT_SECONDS)
    try:
        source.isolation_level = None
        if alone:
            take_alone(source, path)
        expected = export_file(path, None, staged, passphrase, connection=source)
        verify_copy(staged, passphrase, expected)
    except BaseException:
        remove_with_sidecars(staged)
        if alone:       # the plain database stays as it was, in WAL mode
            try:
                source.execute("PRAGMA journal_mode = WAL").fetchall()
            except database_errors():
                pass
        source.close()
        raise
    source.close()
    replace_file(staged, path)


__all__ = ["MIN_NEW_PASSPHRASE", "SQLITE_HEADER", "connect_file", "encrypt_file",
           "is_encrypted", "key_statement", "normalize_passphrase", "unlock"]
