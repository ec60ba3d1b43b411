"""Writing files safely: whole or not at all, and private when they hold personal data."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from .errors import RenderError

PRIVATE_MODE = 0o600  # owner only: files that hold a person's data
PUBLIC_MODE = 0o644
PRIVATE_DIR_MODE = 0o700  # folders made for files that hold personal data, whatever the umask
PUBLIC_DIR_MODE = 0o755

# The temporary files left only if the process is killed outright (SIGKILL, power loss):
# ".NAME.XXXXXXXX.part", XXXXXXXX from `tempfile.mkstemp`.
_PART = re.compile(r"\..+\.[a-z0-9_]{8}\.part")


class WriteError(RenderError):
    """A file (or, `into`, any file of a directory) could not be written; `reason` says why."""

    def __init__(self, target: Path | str, reason: str, *, into: bool = False) -> None:
        self.target, self.reason = target, reason
        super().__init__(f"cannot write {'to ' if into else ''}{target}: {reason}")


def write_atomic(path: str | os.PathLike[str], content: bytes, *, private: bool = False) -> Path:
    """Write `content` to `path` through a temporary file renamed into place, so that a reader
    (or a crash, a full disk, Ctrl-C) never sees half a file. `private` makes it owner-only."""
    with atomic_file(path, private=private) as fh:
        fh.write(content)
    return Path(path)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], *, private: bool = False) -> Iterator[BinaryIO]:
    """A binary file to write that appears at `path` whole, only when the block ends without
    an exception (for content streamed rather than held in memory). See `write_atomic`."""
    target = Path(path)
    check_target(target)
    made: list[Path] = []
    fd, tmp = _temporary(target, made, private)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            _finish(fh, tmp, private)
        check_target(target)  # a FIFO or device put there meanwhile is not replaced either
        os.replace(tmp, target)
    except BaseException as exc:
        _discard([tmp], made)
        if isinstance(exc, OSError):
            raise WriteError(target, _reason(exc)) from None
        raise


def write_all(
    files: Mapping[str | os.PathLike[str], bytes], *, private: bool = False
) -> list[Path]:
    """Write several files all or none: each is written in full (and synced) to a temporary
    ``.part`` file beside its target, and only when every one is are they renamed into place.
    On failure the temporary files, and the directories made for them, are removed."""
    staged: list[tuple[str, Path]] = []
    made: list[Path] = []
    for path in files:  # a target that cannot be replaced stops everything before any write
        check_target(Path(path))
    try:
        for path, content in files.items():
            target = Path(path)
            fd, tmp = _temporary(target, made, private)
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                _finish(fh, tmp, private)
        for _, target in staged:  # again, just before the first rename: nothing is half done
            check_target(target)
        _replace_all(staged)
        for directory in {target.parent for _, target in staged}:
            _sync_directory(directory)
    except BaseException as exc:
        _discard([tmp for tmp, _ in staged], made)
        if isinstance(exc, OSError):
            where = staged[-1][1] if staged else "the output"
            if exc.filename and not str(exc.filename).endswith(".part"):
                where = exc.filename
            raise WriteError(where, _reason(exc)) from None
        raise
    return [target for _, target in staged]


def _replace_all(staged: list[tuple[str, Path]]) -> None:
    """Rename each temporary file onto its target; if one rename fails (the target's folder
    removed or made read-only meanwhile), undo the earlier ones: a new target is removed, an
    existing one gets its former content back, kept under a second name (a hard link) until
    every rename is done. (Where the file system has no hard links, a replaced file keeps
    its new content.)"""
    done: list[tuple[Path, bool, str | None]] = []  # (target, existed, its former content)
    formers: list[str] = []
    try:
        for tmp, target in staged:
            existed = os.path.lexists(target)
            former = _second_name(target) if existed else None
            formers += [former] if former else []
            try:
                os.replace(tmp, target)
            except OSError as exc:
                exc.filename = str(target)  # the target, not the temporary file, is the news
                raise
            done.append((target, existed, former))
    except BaseException:
        for target, existed, former in reversed(done):
            with contextlib.suppress(OSError):
                if not existed:
                    os.unlink(target)
                elif former is not None:
                    os.replace(former, target)
        raise
    finally:
        _discard(formers, [])


def _second_name(target: Path) -> str | None:
    """A hard link to `target` beside it (a temporary name), or None if links fail here."""
    name = os.path.join(target.parent, f".{target.name}.{os.urandom(4).hex()}.part")
    try:
        os.link(target, name, follow_symlinks=False)
    except OSError:
        return None
    return name


def check_target(target: Path) -> None:
    """Refuse a target that is neither a new name nor a regular file (a folder, a FIFO, a
    device, a socket): replacing it would destroy it (``-o /dev/null`` run as root) or hang."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise WriteError(target, _reason(exc)) from None
    if stat.S_ISREG(mode) or stat.S_ISLNK(mode):  # a link is replaced, never followed
        return
    what = "a folder" if stat.S_ISDIR(mode) else "a device, pipe or socket"
    raise WriteError(target, f"it is {what}, not a file: choose another name")


def make_directory(directory: Path, *, private: bool, made: list[Path] | None = None) -> list[Path]:
    """Make `directory` and its missing parents (owner-only when `private`, whatever the
    umask); return those made, outermost first (also appended to `made` as they are)."""
    missing = [d for d in (directory, *directory.parents) if not os.path.lexists(d)]
    made = [] if made is None else made
    mode = PRIVATE_DIR_MODE if private else PUBLIC_DIR_MODE
    for d in reversed(missing):
        try:
            d.mkdir(mode)
        except FileExistsError:
            continue  # made meanwhile by another writer: not ours to remove
        os.chmod(d, mode)  # mkdir's mode is masked by the umask; an umask of 0 is no reason
        made.append(d)
    return made


def remove_stale_parts(directory: str | os.PathLike[str]) -> int:
    """Remove the temporary files a killed process left in `directory`; return how many."""
    removed = 0
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(directory):
            if entry.is_file(follow_symlinks=False) and _PART.fullmatch(entry.name):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def _temporary(target: Path, made: list[Path], private: bool = False) -> tuple[int, str]:
    """A new owner-only temporary file beside `target`, making (and recording in `made`) the
    directories it needs (owner-only when `private`)."""
    directory = target.parent
    try:
        make_directory(directory, private=private, made=made)
        # mkstemp creates the file owner-only: private content is never readable by others.
        return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        _discard([], made)
        raise WriteError(directory, _reason(exc), into=True) from None


def _finish(fh: BinaryIO, tmp: str, private: bool) -> None:
    fh.flush()
    os.fsync(fh.fileno())
    os.chmod(tmp, PRIVATE_MODE if private else PUBLIC_MODE)


def _discard(temporaries: list[str], made: list[Path]) -> None:
    for tmp in temporaries:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    for directory in reversed(made):
        with contextlib.suppress(OSError):
            directory.rmdir()


def _sync_directory(directory: Path) -> None:
    """Make the renames durable (best effort: not every platform syncs directories)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a directory"
    return exc.strerror or str(exc)
