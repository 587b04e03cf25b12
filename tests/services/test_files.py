"""Writing a file the user named: whole or not at all, owner-only, never over a file the user
did not agree to replace or may not write, never through a link or over a device.

The tests run as root, who may write any file: a read-only file is judged by its mode."""

from __future__ import annotations

import csv
import errno
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from iopdesk.db.models import AuditEvent
from iopdesk.domain.errors import (DestinationExists, DestinationNotWritable, FileNotWritten,
                                   IOPDeskError)
from iopdesk.services import files
from iopdesk.services.files import (check_destination, mode_allows_writing, private_writer,
                                    write_private_file)

posix_only = pytest.mark.skipif(os.name != "posix", reason="modes and links are POSIX's")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


@pytest.fixture
def loose_umask():
    """A umask that would leave new files readable by everyone."""
    old = os.umask(0)
    yield
    os.umask(old)


@pytest.fixture
def existing(tmp_path) -> Path:
    path = tmp_path / "old.pdf"
    path.write_bytes(b"the old bytes")
    path.chmod(0o644)
    return path


# -- writing ------------------------------------------------------------------------------

@posix_only
def test_a_new_file_is_owner_only_whatever_the_umask(tmp_path, loose_umask):
    path = write_private_file(tmp_path / "new.pdf", b"%PDF-new", overwrite=False)
    assert path.read_bytes() == b"%PDF-new" and mode(path) == 0o600
    assert leftovers(tmp_path) == []


def test_an_existing_file_is_kept_unless_replacing_is_asked_for(existing):
    with pytest.raises(DestinationExists) as refused:
        write_private_file(existing, b"new", overwrite=False)
    assert str(existing) in str(refused.value) and "nothing was written" in str(refused.value)
    assert isinstance(refused.value, IOPDeskError)
    assert existing.read_bytes() == b"the old bytes" and leftovers(existing.parent) == []


@posix_only
def test_replacing_when_asked_gives_a_whole_owner_only_file(existing):
    write_private_file(existing, b"the new bytes", overwrite=True)
    assert existing.read_bytes() == b"the new bytes" and mode(existing) == 0o600
    assert leftovers(existing.parent) == []


@posix_only
def test_a_read_only_file_is_never_replaced_even_by_root(existing):
    existing.chmod(0o444)
    for overwrite in (False, True):
        with pytest.raises(DestinationNotWritable, match=r"read-only for you \(mode 0444"):
            write_private_file(existing, b"new", overwrite=overwrite)
    assert existing.read_bytes() == b"the old bytes" and mode(existing) == 0o444
    assert leftovers(existing.parent) == []


def test_a_file_os_access_refuses_is_not_replaced(existing, monkeypatch):
    real_access = os.access
    monkeypatch.setattr(files.os, "access",
                        lambda p, m, **kw: False if Path(p) == existing
                        else real_access(p, m, **kw))
    with pytest.raises(DestinationNotWritable):
        check_destination(existing, overwrite=True)
    assert existing.read_bytes() == b"the old bytes"


@posix_only
@pytest.mark.parametrize("dangling", [False, True])
def test_a_link_is_refused_and_what_it_names_untouched(tmp_path, dangling):
    real = tmp_path / "real.pdf"
    if not dangling:
        real.write_bytes(b"the real file")
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    with pytest.raises(DestinationNotWritable, match="symbolic link"):
        write_private_file(link, b"new", overwrite=True)
    assert link.is_symlink()
    assert (real.read_bytes() == b"the real file") if not dangling else not real.exists()
    assert leftovers(tmp_path) == []


@posix_only
def test_a_device_or_a_folder_is_never_replaced(tmp_path):
    with pytest.raises(DestinationNotWritable, match="not an ordinary file"):
        check_destination(Path(os.devnull), overwrite=True)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    with pytest.raises(DestinationNotWritable, match="is a folder"):
        check_destination(tmp_path, overwrite=True)


def test_a_missing_folder_is_refused_unless_it_may_be_made(tmp_path):
    target = tmp_path / "exports" / "inner" / "a.csv"
    before = tmp_path.stat().st_mode
    with pytest.raises(DestinationNotWritable, match="does not exist") as refused:
        write_private_file(target, b"x", overwrite=False)
    assert isinstance(refused.value, OSError)       # callers that catch OSError still do
    assert not target.parent.exists()
    write_private_file(target, b"x", overwrite=False, create_folder=True)
    assert target.read_bytes() == b"x"
    if os.name == "posix":
        assert mode(target) == 0o600
        assert mode(target.parent) == 0o700 and mode(target.parent.parent) == 0o700
    assert tmp_path.stat().st_mode == before        # a folder that existed is left alone


# -- failures leave nothing behind --------------------------------------------------------

def test_a_failed_rename_keeps_the_old_file_and_no_temporary(existing, monkeypatch):
    def full_disk(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(files.os, "replace", full_disk)
    with pytest.raises(FileNotWritten, match="No space left on device; nothing was written"):
        write_private_file(existing, b"new", overwrite=True)
    assert existing.read_bytes() == b"the old bytes" and leftovers(existing.parent) == []


def test_a_failed_record_leaves_no_file(tmp_path):
    target = tmp_path / "a.pdf"

    def record():
        raise RuntimeError("the audit trail is unavailable")
    with pytest.raises(RuntimeError):
        write_private_file(target, b"x", overwrite=False, before_replace=record)
    assert not target.exists() and leftovers(tmp_path) == []


def test_an_error_while_writing_leaves_no_file(tmp_path):
    target = tmp_path / "a.csv"
    with pytest.raises(ZeroDivisionError), private_writer(target, overwrite=False,
                                                          text=True) as handle:
        handle.write("half a line")
        raise ZeroDivisionError
    assert not target.exists() and leftovers(tmp_path) == []


def test_a_file_that_appears_meanwhile_is_kept(tmp_path):
    target = tmp_path / "a.pdf"
    with pytest.raises(DestinationExists, match="appeared"):
        write_private_file(target, b"mine", overwrite=False,
                           before_replace=lambda: target.write_bytes(b"theirs"))
    assert target.read_bytes() == b"theirs" and leftovers(tmp_path) == []


def test_without_hard_links_the_name_is_still_checked(tmp_path, monkeypatch):
    def no_links(*_args):
        raise OSError(errno.EPERM, "Operation not permitted")
    monkeypatch.setattr(files.os, "link", no_links)
    target = tmp_path / "a.pdf"
    write_private_file(target, b"mine", overwrite=False)
    assert target.read_bytes() == b"mine"
    other = tmp_path / "b.pdf"
    with pytest.raises(DestinationExists):
        write_private_file(other, b"mine", overwrite=False,
                           before_replace=lambda: other.write_bytes(b"theirs"))
    assert other.read_bytes() == b"theirs" and leftovers(tmp_path) == []


def test_text_is_written_with_the_encoding_and_newlines_asked_for(tmp_path):
    target = tmp_path / "a.csv"
    with private_writer(target, overwrite=False, text=True, encoding="utf-8",
                        newline="") as handle:
        csv.writer(handle).writerow(["Nguyễn", "a\nb"])
    assert target.read_bytes() == 'Nguyễn,"a\nb"\r\n'.encode()


# -- whose file may be written: the mode bits ---------------------------------------------

def fake_stat(mode_bits: int, uid: int, gid: int) -> os.stat_result:
    return os.stat_result((stat.S_IFREG | mode_bits, 0, 0, 1, uid, gid, 0, 0, 0, 0))


@posix_only
@pytest.mark.parametrize("bits, uid, gid, euid, writable", [
    (0o644, 1000, 1000, 1000, True),        # mine, owner may write
    (0o444, 1000, 1000, 1000, False),       # mine, read-only
    (0o464, 0, 1000, 1000, True),           # root's, my group may write
    (0o644, 0, 1000, 1000, False),          # root's, only root may write
    (0o646, 0, 0, 1000, True),              # anyone may write
    (0o604, 0, 0, 1000, False),             # foreign, the others' bit says no
    (0o600, 1000, 1000, 0, True),           # root: someone may write it
    (0o444, 1000, 1000, 0, False),          # root: nobody may write it
    (0o000, 0, 0, 0, False),
])
def test_who_may_write_by_the_mode(monkeypatch, bits, uid, gid, euid, writable):
    monkeypatch.setattr(files.os, "geteuid", lambda: euid)
    monkeypatch.setattr(files.os, "getegid", lambda: 1000 if euid else 0)
    monkeypatch.setattr(files.os, "getgroups", lambda: [1000] if euid else [0])
    assert mode_allows_writing(fake_stat(bits, uid, gid)) is writable


# -- the audit export ---------------------------------------------------------------------

@posix_only
def test_the_audit_export_is_owner_only_and_replaces_only_when_asked(
        services, actors, tmp_path, session_factory, loose_umask):
    target = tmp_path / "audit.csv"
    services.audit.export_csv(actors["admin"], target)
    assert mode(target) == 0o600
    first = target.read_bytes()

    with pytest.raises(DestinationExists):
        services.audit.export_csv(actors["admin"], target)
    assert target.read_bytes() == first

    services.audit.export_csv(actors["admin"], target, overwrite=True)
    assert mode(target) == 0o600 and target.read_bytes() != first  # the first export shows
    target.chmod(0o444)
    second = target.read_bytes()
    with pytest.raises(DestinationNotWritable):
        services.audit.export_csv(actors["admin"], target, overwrite=True)
    assert target.read_bytes() == second and leftovers(tmp_path) == []
    with session_factory() as s:
        exports = list(s.scalars(select(AuditEvent.detail)
                                 .where(AuditEvent.action == "audit.export")))
    assert [e["file"] for e in exports] == ["audit.csv", "audit.csv"]   # refusals: no record
