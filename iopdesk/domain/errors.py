"""Errors the services raise and every caller (UI, CLI) turns into a message."""

from __future__ import annotations

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
