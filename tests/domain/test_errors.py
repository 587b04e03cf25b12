"""domain/errors.py: what each error carries and says — the fields of a refused input, the
end of a lockout, and a failed disk put into words (full, read-only, I/O error, or none)."""

from __future__ import annotations

import errno
from datetime import UTC, datetime

import pytest

from iopdesk.domain.errors import (NOT_ISSUED, AccountLocked, AuthenticationFailed,
                                   DatabaseUnusable, DestinationExists, DestinationNotWritable,
                                   FileNotWritten, IOPDeskError, NoDatabase, PassphraseRequired,
                                   PermissionDenied, SessionNotIssued, StorageFailure,
                                   ValidationError, WrongPassphrase)


def test_a_validation_error_keeps_its_own_copy_of_the_fields_and_names_them():
    fields = {"last_name": "Last name is required", "phone": "needs 10 digits"}
    error = ValidationError(fields)
    fields["city"] = "added later"
    assert error.fields == {"last_name": "Last name is required", "phone": "needs 10 digits"}
    assert str(error) == "last_name: Last name is required; phone: needs 10 digits"


def test_a_validation_error_without_fields_says_nothing():
    error = ValidationError({})
    assert error.fields == {} and str(error) == ""


def test_a_session_not_issued_is_a_refusal_with_its_message():
    error = SessionNotIssued()
    assert isinstance(error, PermissionDenied) and str(error) == NOT_ISSUED


def test_a_lockout_says_until_when():
    until = datetime(2026, 11, 16, 15, 30, tzinfo=UTC)
    error = AccountLocked("locked for 15 minutes", until)
    assert isinstance(error, AuthenticationFailed)
    assert error.until == until and str(error) == "locked for 15 minutes"
    assert AccountLocked("locked").until is None


@pytest.mark.parametrize("kind", [ValidationError, PermissionDenied, AuthenticationFailed,
                                  DatabaseUnusable, StorageFailure, FileNotWritten])
def test_every_error_for_the_user_is_an_iopdesk_error(kind):
    assert issubclass(kind, IOPDeskError)


def test_database_errors_a_user_can_act_on_are_unusable_databases():
    for kind in (PassphraseRequired, WrongPassphrase, NoDatabase):
        assert issubclass(kind, DatabaseUnusable)


def test_a_file_not_written_is_also_an_os_error():
    for kind in (FileNotWritten, DestinationExists, DestinationNotWritable):
        assert issubclass(kind, OSError) and issubclass(kind, IOPDeskError)
    assert issubclass(DestinationExists, FileNotWritten)
    with pytest.raises(OSError):
        raise DestinationExists("x.pdf exists")


# ---- a failed disk ----------------------------------------------------------------------------

@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_says_how_much_is_left(code):
    failure = StorageFailure.from_os_error(OSError(code, "No space", "/data/db.sqlite3"),
                                           free=1_234_567)
    assert failure.kind == StorageFailure.FULL
    assert str(failure) == ("the disk holding /data/db.sqlite3 is full: 1,234,567 bytes free; "
                            "nothing was changed")


def test_a_full_disk_without_a_measure_says_just_that():
    failure = StorageFailure.from_os_error(OSError(errno.ENOSPC, "No space", "db"))
    assert str(failure) == "the disk holding db is full; nothing was changed"
    assert str(StorageFailure.disk_full("db", 0)).endswith("full: 0 bytes free; nothing was "
                                                           "changed")


def test_a_read_only_disk_and_an_io_error():
    read_only = StorageFailure.from_os_error(OSError(errno.EROFS, "Read-only", "/mnt/db"))
    assert read_only.kind == StorageFailure.READ_ONLY
    assert "/mnt/db is read-only (mounted read-only)" in str(read_only)
    io = StorageFailure.from_os_error(OSError(errno.EIO, "Input/output error", "/mnt/db"))
    assert io.kind == StorageFailure.IO_ERROR
    assert "reported an I/O error (Input/output error)" in str(io)
    assert "(EIO)" in str(StorageFailure.from_os_error(OSError(errno.EIO, None)))


def test_an_os_error_without_a_file_name_names_the_file():
    failure = StorageFailure.from_os_error(OSError(errno.ENOSPC, "No space"))
    assert str(failure).startswith("the disk holding the file is full")


@pytest.mark.parametrize("code", [errno.ENOENT, errno.EACCES, errno.EEXIST, errno.EISDIR])
def test_other_os_errors_are_not_storage_failures(code):
    assert StorageFailure.from_os_error(OSError(code, "other", "x")) is None
    assert StorageFailure.from_os_error(OSError("no errno at all")) is None


def test_a_read_only_database_and_one_that_cannot_be_opened():
    read_only = StorageFailure.database_read_only("db.sqlite3", "is owned by another user")
    assert (read_only.kind, str(read_only)) == (
        StorageFailure.READ_ONLY,
        "the database is read-only: db.sqlite3 is owned by another user; nothing was changed")
    closed = StorageFailure.cannot_open("db.sqlite3", "permission denied")
    assert closed.kind == StorageFailure.CANNOT_OPEN
    assert str(closed) == ("the database file db.sqlite3 cannot be opened (permission denied); "
                           "nothing was changed")


def test_a_storage_failure_is_an_io_error_unless_told_otherwise():
    assert StorageFailure("something").kind == StorageFailure.IO_ERROR
