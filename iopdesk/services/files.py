"""Writing a file the user named (a saved PDF, an audit export): whole or not at all, readable
by its owner only, and never over a file the user did not agree to replace or may not write.

- Whole or not at all: the bytes go to a temporary file beside the target (created 0600),
  are flushed and fsynced, and only then take the target's name (`os.replace`). A failure at
  any step removes the temporary file; the target is the old file or the complete new one.
- Replacing is asked for, never assumed (`overwrite=True`: the CLI's `--force`, the app's
  "Replace?"). Without it the new file takes its name with `os.link`, which fails if the name
  was taken meanwhile, so a file that appears between the check and the write is kept too.
- A file the user may not write is never replaced, asked or not. It is judged by its mode
  and owner as well as by `os.access`: root may replace anything, so for root a file whose
  mode lets nobody write it (0444) counts as read-only, as it would for its owner.
- Only ordinary files are replaced: not folders, devices (`--out /dev/null` as root would
  otherwise swap the device for a file), pipes or sockets.
- Symbolic links are refused, dangling or not. `os.replace` over a link replaces the link,
  not the file it names, so "through the link" is not what would happen; following it
  instead would write into a folder the user never chose, which is how a link planted in a
  shared folder makes a privileged program overwrite a file it should not. Naming the real
  file is always possible. Only the last part of the name is checked: folders reached
  through links (macOS's /tmp, a home on another disk) are ordinary.
- Folders are not created unless asked (`create_folder=True`, then 0700 as every folder
  IOPDesk makes); a folder the user picked is left as it is.

No Qt here: the CLI and the app's screens both call these functions.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from iopdesk.db.private_files import PRIVATE_FILE, ensure_private_dir
from iopdesk.domain.errors import DestinationExists, DestinationNotWritable, FileNotWritten

NOTHING_WRITTEN = "nothing was written"


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _effective() -> dict:
    return {"effective_ids": True} if os.access in os.supports_effective_ids else {}


def _owner(st: os.stat_result) -> str:
    try:
        import pwd
        return pwd.getpwuid(st.st_uid).pw_name
    except (ImportError, KeyError):
        return str(st.st_uid)


def mode_allows_writing(st: os.stat_result) -> bool:
    """Whether the mode bits let the current (effective) user write the file: the owner's
    bit for its owner, the group's for its group, the others' for the rest; for root (who
    may write anything) any write bit at all."""
    mode = st.st_mode
    if os.name != "posix":
        return bool(mode & stat.S_IWRITE)           # the read-only attribute
    euid = os.geteuid()
    if euid == 0:
        return bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    if st.st_uid == euid:
        return bool(mode & stat.S_IWUSR)
    if st.st_gid == os.getegid() or st.st_gid in os.getgroups():
        return bool(mode & stat.S_IWGRP)
    return bool(mode & stat.S_IWOTH)


def _check_folder(path: Path, *, create: bool) -> None:
    folder = path.parent
    if not folder.exists():
        if not create:
            raise DestinationNotWritable(f"cannot write {path}: the folder {folder} does not "
                                         f"exist; {NOTHING_WRITTEN}")
        try:
            ensure_private_dir(folder)
        except OSError as exc:
            raise DestinationNotWritable(f"cannot write {path}: the folder {folder} could "
                                         f"not be made ({_reason(exc)}); "
                                         f"{NOTHING_WRITTEN}") from exc
    if not folder.is_dir():
        raise DestinationNotWritable(f"cannot write {path}: {folder} is not a folder; "
                                     f"{NOTHING_WRITTEN}")
    if os.name == "posix" and not os.access(folder, os.W_OK | os.X_OK, **_effective()):
        raise DestinationNotWritable(f"cannot write {path}: you may not write in the folder "
                                     f"{folder}; {NOTHING_WRITTEN}")


def check_destination(path: Path | str, *, overwrite: bool,
                      create_folder: bool = False) -> Path:
    """The path to write (`~` expanded) when a new file may take that name; else
    DestinationNotWritable (it never can: a folder, a link, a device, a read-only or foreign
    file, a missing folder) or DestinationExists (it can, if `overwrite` is asked for).
    A missing folder is made (0700) only with `create_folder`."""
    path = Path(path).expanduser()
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        _check_folder(path, create=create_folder)
        return path
    except OSError as exc:              # a file where a folder should be, a name too long…
        raise DestinationNotWritable(f"cannot write {path}: {_reason(exc)}; "
                                     f"{NOTHING_WRITTEN}") from exc
    if stat.S_ISLNK(st.st_mode):
        raise DestinationNotWritable(f"{path} is a symbolic link; IOPDesk does not write "
                                     f"through links (name the file itself); "
                                     f"{NOTHING_WRITTEN}")
    if stat.S_ISDIR(st.st_mode):
        raise DestinationNotWritable(f"{path} is a folder; give the name of the file to "
                                     "write")
    if not stat.S_ISREG(st.st_mode):
        raise DestinationNotWritable(f"{path} is not an ordinary file (a device, a pipe or "
                                     f"a socket) and is never replaced; {NOTHING_WRITTEN}")
    if not (mode_allows_writing(st) and os.access(path, os.W_OK, **_effective())):
        raise DestinationNotWritable(
            f"{path} is read-only for you (mode {stat.S_IMODE(st.st_mode):04o}, owner "
            f"{_owner(st)}) and is never replaced; {NOTHING_WRITTEN}")
    if not overwrite:
        raise DestinationExists(f"{path} exists and replacing it was not asked for; "
                                f"{NOTHING_WRITTEN}")
    _check_folder(path, create=False)
    return path


def _sync_folder(folder: Path) -> None:
    """Make the new name durable too (POSIX; elsewhere the rename is what there is)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _put_in_place(temporary: str, target: Path, *, overwrite: bool) -> None:
    if overwrite:
        os.replace(temporary, target)
        return
    try:
        os.link(temporary, target)          # refuses a name taken since the check
    except FileExistsError:
        raise DestinationExists(f"{target} appeared while it was being written and was "
                                f"kept; {NOTHING_WRITTEN}") from None
    except OSError:
        # a file system without hard links (FAT, some network shares): the check made
        # just before is what there is
        if os.path.lexists(target):
            raise DestinationExists(f"{target} appeared while it was being written and was "
                                    f"kept; {NOTHING_WRITTEN}") from None
        os.replace(temporary, target)


@contextmanager
def private_writer(path: Path | str, *, overwrite: bool, text: bool = False,
                   encoding: str | None = None, newline: str | None = None,
                   before_replace: Callable[[], None] | None = None,
                   create_folder: bool = False) -> Iterator[IO]:
    """A file object to write the new file into (binary, or text with `text=True`). When
    the block ends without an error the data is fsynced, the destination checked again,
    `before_replace()` called (to record the export: a failed record leaves no file), and
    the file takes its name, 0600. If anything fails the temporary file is removed and the
    destination is untouched. Errors: FileNotWritten and its kinds, with a message for the
    user; an error raised by the block or by `before_replace` passes through unchanged
    unless it is an OSError."""
    target = check_destination(path, overwrite=overwrite, create_folder=create_folder)
    try:
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".part")
    except OSError as exc:
        raise DestinationNotWritable(f"cannot write in the folder {target.parent}: "
                                     f"{_reason(exc)}; {NOTHING_WRITTEN}") from exc
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, PRIVATE_FILE)     # mkstemp's 0600, whatever the umask
            handle = os.fdopen(fd, "w" if text else "wb",
                               **({"encoding": encoding, "newline": newline} if text else {}))
        except BaseException:
            os.close(fd)
            raise
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        check_destination(target, overwrite=overwrite)     # nothing changed meanwhile
        if before_replace is not None:
            before_replace()
        _put_in_place(temporary, target, overwrite=overwrite)
        _sync_folder(target.parent)
    except FileNotWritten:
        raise
    except OSError as exc:
        raise FileNotWritten(f"could not write {target}: {_reason(exc)}; "
                             f"{NOTHING_WRITTEN}") from exc
    finally:
        Path(temporary).unlink(missing_ok=True)


def write_private_file(path: Path | str, data: bytes, *, overwrite: bool,
                       before_replace: Callable[[], None] | None = None,
                       create_folder: bool = False) -> Path:
    """Write `data` to `path` as `private_writer` does; the path written."""
    with private_writer(path, overwrite=overwrite, before_replace=before_replace,
                        create_folder=create_folder) as handle:
        handle.write(data)
    return Path(path).expanduser()
