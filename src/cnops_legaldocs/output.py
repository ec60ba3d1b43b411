"""Writing files safely: whole or not at all, and private when they hold personal data."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from .errors import RenderError

PRIVATE_MODE = 0o600  # owner only: files that hold a person's data
PUBLIC_MODE = 0o644

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
    made: list[Path] = []
    fd, tmp = _temporary(target, made)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            _finish(fh, tmp, private)
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
    try:
        for path, content in files.items():
            target = Path(path)
            fd, tmp = _temporary(target, made)
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                _finish(fh, tmp, private)
        for tmp, target in staged:
            os.replace(tmp, target)
        for directory in {target.parent for _, target in staged}:
            _sync_directory(directory)
    except BaseException as exc:
        _discard([tmp for tmp, _ in staged], made)
        if isinstance(exc, OSError):
            where = exc.filename or (staged[-1][1] if staged else "the output")
            raise WriteError(where, _reason(exc)) from None
        raise
    return [target for _, target in staged]


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


def _temporary(target: Path, made: list[Path]) -> tuple[int, str]:
    """A new owner-only temporary file beside `target`, making (and recording in `made`) the
    directories it needs."""
    directory = target.parent
    missing = [d for d in (directory, *directory.parents) if not d.exists()]
    try:
        for d in reversed(missing):
            try:
                d.mkdir()
            except FileExistsError:
                continue  # made meanwhile by another writer: not ours to remove
            made.append(d)
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
