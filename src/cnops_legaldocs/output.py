"""Writing files safely: whole or not at all, and private when they hold personal data."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .errors import RenderError

PRIVATE_MODE = 0o600  # owner only: files that hold a person's data
PUBLIC_MODE = 0o644


def write_atomic(path: str | os.PathLike[str], content: bytes, *, private: bool = False) -> Path:
    """Write `content` to `path` through a temporary file renamed into place, so that a reader
    (or a crash, a full disk, Ctrl-C) never sees half a file. `private` makes it owner-only."""
    return write_all({path: content}, private=private)[0]


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
            _stage(Path(path), content, private, staged, made)
        for tmp, target in staged:
            os.replace(tmp, target)
        for directory in {target.parent for _, target in staged}:
            _sync_directory(directory)
    except BaseException as exc:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        for directory in reversed(made):
            with contextlib.suppress(OSError):
                directory.rmdir()
        if isinstance(exc, OSError):
            where = exc.filename or (staged[-1][1] if staged else "the output")
            raise RenderError(f"cannot write {where}: {_reason(exc)}") from None
        raise
    return [target for _, target in staged]


def _stage(
    target: Path,
    content: bytes,
    private: bool,
    staged: list[tuple[str, Path]],
    made: list[Path],
) -> None:
    """Write `content` to a new temporary file beside `target`, recorded in `staged`."""
    directory = target.parent
    missing = [d for d in (directory, *directory.parents) if not d.exists()]
    try:
        for d in reversed(missing):
            d.mkdir()
            made.append(d)
        # mkstemp creates the file owner-only: private content is never readable by others.
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise RenderError(f"cannot write to {directory}: {_reason(exc)}") from None
    staged.append((tmp, target))
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, PRIVATE_MODE if private else PUBLIC_MODE)


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
