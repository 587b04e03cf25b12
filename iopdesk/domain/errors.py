"""Errors the services raise and every caller (UI, CLI) turns into a message."""

from __future__ import annotations

import errno
from collections.abc import Mapping
from datetime import datetime


class IOPDeskError(Exception):
    """Base of the errors a user is meant to read."""


class ValidationError(IOPDeskError):
    """Input refused; `fields` maps each offending field to its message."""

    def __init__(self, fields: Mapping[str, str]):
        self.fields = dict(fields)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.fields.items()))


class PermissionDenied(IOPDeskError):
    """The acting user's roles do not allow this action (the refusal is audited)."""


class PasswordChangeRequired(PermissionDenied):
    """The acting user's password was set by an administrator (or has to change for another
    reason): until they choose their own, they may do nothing but change it."""


NOT_ISSUED = "this session was not issued by IOPDesk's log-in; log in again"


class SessionNotIssued(PermissionDenied):
    """The acting user was not issued by the services' log-in (built or changed by hand)."""

    def __init__(self) -> None:
        super().__init__(NOT_ISSUED)


class NotFound(IOPDeskError):
    """The record asked for does not exist."""


class StaleVersion(IOPDeskError):
    """Someone saved the record after it was loaded here; nothing was overwritten."""


class Conflict(IOPDeskError):
    """The change contradicts what is stored (a duplicate chart number, say)."""


class AuthenticationFailed(IOPDeskError):
    """Unknown user or wrong password."""


class DatabaseUnusable(IOPDeskError):
    """The file is missing, empty, damaged or not an IOPDesk database."""


class DatabaseBehind(DatabaseUnusable):
    """A shared database server's schema is older than this IOPDesk: only `iopdesk db upgrade`
    (run once, by whoever owns the schema) changes it; workstations never do."""


class DatabaseTooNew(IOPDeskError):
    """The database was written by a newer IOPDesk; this version will not touch it."""


class MigrationFailed(IOPDeskError):
    """A schema upgrade failed and was rolled back."""


class AccountLocked(AuthenticationFailed):
    """Too many failed log-ins: the account refuses every password until `until` (UTC)."""

    def __init__(self, message: str, until: datetime | None = None):
        self.until = until
        super().__init__(message)


class PassphraseRequired(DatabaseUnusable):
    """The database is encrypted: give its passphrase."""


class WrongPassphrase(DatabaseUnusable):
    """The passphrase given does not open the encrypted database (nothing was unlocked)."""


class NoDatabase(DatabaseUnusable):
    """There is no IOPDesk database where one was asked for (no file, an empty file, an empty
    SQLite database or server schema); nothing was created. Only `iopdesk init`, `iopdesk
    demo` and the app's first-run wizard create one."""


class StorageFailure(IOPDeskError):
    """The disk refused the work: the database (or a file) is read-only, the disk is full, or
    it reported an I/O error. `kind` says which; the message names the place and, for a full
    disk, the bytes left. The pieces are put into words here; whoever meets the failure
    (the engine, the command line, the app) measures the disk."""

    FULL = "full"
    READ_ONLY = "read-only"
    IO_ERROR = "I/O error"
    CANNOT_OPEN = "cannot open"

    def __init__(self, message: str, kind: str = IO_ERROR):
        self.kind = kind
        super().__init__(message)

    @classmethod
    def disk_full(cls, where: object, free: int | None) -> StorageFailure:
        left = "" if free is None else f": {free:,} bytes free"
        return cls(f"the disk holding {where} is full{left}; nothing was changed", cls.FULL)

    @classmethod
    def database_read_only(cls, where: object, reason: str) -> StorageFailure:
        return cls(f"the database is read-only: {where} {reason}; nothing was changed",
                   cls.READ_ONLY)

    @classmethod
    def disk_read_only(cls, where: object) -> StorageFailure:
        return cls(f"the disk holding {where} is read-only (mounted read-only); nothing was "
                   "written", cls.READ_ONLY)

    @classmethod
    def io_error(cls, where: object, detail: str) -> StorageFailure:
        return cls(f"the disk holding {where} reported an I/O error ({detail}): what was being "
                   "saved was not saved; check the disk", cls.IO_ERROR)

    @classmethod
    def cannot_open(cls, where: object, detail: str) -> StorageFailure:
        return cls(f"the database file {where} cannot be opened ({detail}); nothing was "
                   "changed", cls.CANNOT_OPEN)

    @classmethod
    def from_os_error(cls, error: OSError, free: int | None = None) -> StorageFailure | None:
        """What a failed file operation means, for a full disk (`free` bytes left), a
        read-only one or an I/O error; None for any other OSError."""
        where = error.filename if error.filename is not None else "the file"
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return cls.disk_full(where, free)
        if error.errno == errno.EROFS:
            return cls.disk_read_only(where)
        if error.errno == errno.EIO:
            return cls.io_error(where, error.strerror or "EIO")
        return None


class FileNotWritten(IOPDeskError, OSError):
    """A file the user asked for was not written: its name is refused, or the write failed.
    Nothing was changed on disk. Also an OSError, so that callers which handle a failed
    write as one keep doing so."""


class DestinationExists(FileNotWritten):
    """The file exists and replacing it was not asked for (`--force`, or a confirmation)."""


class DestinationNotWritable(FileNotWritten):
    """The name cannot take the file: a folder, a link, a device, a missing folder, or an
    existing file the user may not write (it is never replaced, asked or not)."""


class ServerUnusable(DatabaseUnusable):
    """A database server cannot be used: unreachable, refusing the log-in, without the
    database named, or older than IOPDesk needs. The message names the URL without its
    password and says what to do."""


class ToolMissing(DatabaseUnusable):
    """A program IOPDesk needs for the work (pg_dump, pg_restore) is not installed; the
    message names what to install."""
