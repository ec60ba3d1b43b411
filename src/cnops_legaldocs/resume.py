"""Resuming a batch: which files of an output directory are complete for the jobs of this run.

Every output is written atomically, so a file under its final name is whole. Whole is not
enough: it must be the document this run would write. A corrected row, another notice file,
an edited template or another language would otherwise leave stale files in place. So the
directory keeps a manifest (``.cnops-batch/manifest.jsonl``, owner-only) recording, for each
file written, a digest of the job that wrote it: a file is complete when it exists and its
recorded digest is the new job's. The digest is keyed (HMAC) with a random key kept outside
the output, owner-only in the user's state folder (`user_key`), so that nobody who can read
the output can test a guessed row against the manifest. Only the coordinating
process writes the manifest, after a worker has reported the file written: a crash in between
costs one row rendered again, never a file taken for complete that is not.

One batch at a time per directory: a lock refuses a second one, whose clean-up of temporary
files would otherwise break the first's writes.

The state folder is trusted only if it is a real folder owned by the user: a symbolic link
planted there (to make the batch write, chmod or delete elsewhere) is refused, and the files in
it are opened without following links.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import os
import secrets
import stat
from pathlib import Path
from typing import IO

from .errors import RenderError
from .output import WriteError, atomic_file, make_directory, remove_stale_parts

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

STATE_DIR = ".cnops-batch"
"""The directory, inside the output directory, that holds the manifest and merge parts."""


class Manifest:
    """The record of complete files of one output directory, locked while open."""

    def __init__(self, directory: str | os.PathLike[str], *, private: bool = True) -> None:
        """Open (making it, owner-only when `private`) the output `directory`'s manifest."""
        self.directory = Path(directory)
        self.state = self.directory / STATE_DIR
        try:
            make_directory(self.directory, private=private)
            _state_folder(self.state)
        except OSError as exc:
            raise WriteError(self.directory, _why(exc), into=True) from None
        self.key = user_key()
        self._lock = _lock(self.state / "lock", self.directory)
        self.path = self.state / "manifest.jsonl"
        try:
            self.entries = self._read()
            self.compact()
            self._log = _open(self.path, os.O_WRONLY | os.O_APPEND)
            self._size = os.fstat(self._log).st_size
        except OSError as exc:
            self._lock.close()
            raise WriteError(self.path, _why(exc)) from None

    def digest(self, payload: bytes) -> str:
        return hmac.new(self.key, payload, hashlib.sha256).hexdigest()[:32]

    def complete(self, path: Path, digest: str) -> bool:
        """Whether `path` exists and was written by a job of digest `digest`."""
        return self.entries.get(self._rel(path)) == digest and path.is_file()

    def record(self, path: Path, digest: str) -> None:
        """Note that `path` was written whole by the job of `digest`."""
        rel = self._rel(path)
        line = (json.dumps({"file": rel, "digest": digest}) + "\n").encode()
        try:
            written = os.write(self._log, line)
            if written != len(line):
                raise OSError(errno.ENOSPC, "short write")
        except OSError as exc:
            # The manifest stays whole: a line cut by a full disk is taken back.
            with contextlib.suppress(OSError):
                os.ftruncate(self._log, self._size)
            raise WriteError(self.path, _why(exc)) from None
        self._size += len(line)
        self.entries[rel] = digest

    def forget(self, path: Path) -> None:
        self.entries.pop(self._rel(path), None)

    def close(self) -> None:
        os.close(self._log)
        self._lock.close()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------------

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.directory).as_posix()

    def _read(self) -> dict[str, str]:
        entries: dict[str, str] = {}
        try:
            fd = _open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return entries
        with open(fd, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:  # a line cut short by a crash is skipped; so is an old manifest's key
                    item = json.loads(line)
                    entries[str(item["file"])] = str(item["digest"])
                except (ValueError, KeyError, TypeError):
                    continue
        return entries

    def compact(self) -> None:
        """Rewrite the manifest with the files still there (after a merge: without its parts'
        names); remove a killed run's leftovers."""
        folders = {self.directory, self.state / "parts"}
        for folder in folders | {(self.directory / f).parent for f in self.entries}:
            remove_stale_parts(folder)
        self.entries = {f: d for f, d in self.entries.items() if (self.directory / f).is_file()}
        lines = [{"file": f, "digest": d} for f, d in self.entries.items()]
        with atomic_file(self.path, private=True) as fh:
            fh.write("".join(json.dumps(item) + "\n" for item in lines).encode())
        if hasattr(self, "_log"):  # reopen: the rename left the old file behind
            os.close(self._log)
            self._log = _open(self.path, os.O_WRONLY | os.O_APPEND)
            self._size = os.fstat(self._log).st_size


def user_key() -> bytes:
    """The user's random key of the manifests' digests and the default file names, made once:
    ``$XDG_STATE_HOME/cnops-legaldocs/batch.key`` (or ``~/.local/state/…``), owner-only."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state"
    )
    folder = Path(base) / "cnops-legaldocs"
    path = folder / "batch.key"
    try:
        make_directory(folder, private=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        except FileExistsError:
            pass
        else:
            with open(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32) + "\n")
        with open(_open(path, os.O_RDONLY), encoding="ascii") as fh:
            key = bytes.fromhex(fh.read().strip())
    except (OSError, ValueError) as exc:
        reason = _why(exc) if isinstance(exc, OSError) else "it is damaged: delete it"
        raise RenderError(f"cannot use the batch key {path}: {reason}") from None
    if len(key) < 16:
        raise RenderError(f"cannot use the batch key {path}: it is damaged: delete it")
    return key


def _state_folder(state: Path) -> None:
    """Make the state folder, or accept it only if it is a real folder of the user's."""
    try:
        info = os.lstat(state)
    except FileNotFoundError:
        os.mkdir(state, 0o700)
        info = os.lstat(state)
    if not stat.S_ISDIR(info.st_mode):
        raise RenderError(f"{state} is not a folder (a link or a file): remove it, then run again")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise RenderError(f"{state} belongs to another user: remove it, then run again")
    os.chmod(state, 0o700)


def _open(path: Path, flags: int) -> int:
    """A file descriptor on `path`, never through a symbolic link (owner-only if made)."""
    return os.open(path, flags | _NOFOLLOW | (os.O_CREAT if flags & os.O_WRONLY else 0), 0o600)


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.ELOOP:
        return "a symbolic link is in the way"
    return exc.strerror or str(exc)


def _lock(path: Path, directory: Path) -> IO[bytes]:
    try:
        fd = _open(path, os.O_WRONLY | os.O_APPEND)
    except OSError as exc:
        raise WriteError(path, _why(exc)) from None
    fh = open(fd, "ab")  # noqa: SIM115 (held for the run)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        return fh
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise RenderError(f"another batch is writing to {directory}; wait for it to end") from None
    return fh
