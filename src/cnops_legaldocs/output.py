"""Writing files safely: whole or not at all, and private when they hold personal data."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import RenderError


class WriteError(RenderError):
    """A file could not be written; `reason` says why without naming the file."""

    def __init__(self, target: Path, reason: str) -> None:
        self.target, self.reason = target, reason
        super().__init__(f"cannot write {target}: {reason}")


# The temporary files `atomic_file` leaves only if the process is killed outright
# (SIGKILL, power loss): ".NAME.XXXXXXXX.part", XXXXXXXX from `tempfile.mkstemp`.
_PART = re.compile(r"\..+\.[a-z0-9_]{8}\.part")


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
    directory = target.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise WriteError(directory, _reason(exc)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600 if private else 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise WriteError(target, _reason(exc)) from None
        raise


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


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied"
    return exc.strerror or str(exc)
