"""Resuming a batch: which files of an output directory are complete for the jobs of this run.

Every output is written atomically, so a file under its final name is whole. Whole is not
enough: it must be the document this run would write. A corrected row, another notice file,
an edited template or another language would otherwise leave stale files in place. So the
directory keeps a manifest (``.cnops-batch/manifest.jsonl``, owner-only) recording, for each
file written, a digest of the job that wrote it: a file is complete when it exists and its
recorded digest is the new job's. The digest is keyed (HMAC) with a random key kept in the
manifest, so that the manifest alone does not confirm a guessed row. Only the coordinating
process writes the manifest, after a worker has reported the file written: a crash in between
costs one row rendered again, never a file taken for complete that is not.

One batch at a time per directory: a lock refuses a second one, whose clean-up of temporary
files would otherwise break the first's writes.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import IO

from .errors import RenderError
from .output import atomic_file, remove_stale_parts

STATE_DIR = ".cnops-batch"
"""The directory, inside the output directory, that holds the manifest and merge parts."""


class Manifest:
    """The record of complete files of one output directory, locked while open."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.state = self.directory / STATE_DIR
        try:
            self.state.mkdir(parents=True, exist_ok=True)
            os.chmod(self.state, 0o700)
        except OSError as exc:
            raise RenderError(f"cannot write to {self.directory}: {exc.strerror}") from None
        self._lock = _lock(self.state / "lock", self.directory)
        self.path = self.state / "manifest.jsonl"
        self.key, self.entries = self._read()
        self._compact()
        self._log: IO[str] = open(self.path, "a", encoding="utf-8")  # noqa: SIM115

    def digest(self, payload: bytes) -> str:
        return hmac.new(self.key, payload, hashlib.sha256).hexdigest()[:32]

    def complete(self, path: Path, digest: str) -> bool:
        """Whether `path` exists and was written by a job of digest `digest`."""
        return self.entries.get(self._rel(path)) == digest and path.is_file()

    def record(self, path: Path, digest: str) -> None:
        """Note that `path` was written whole by the job of `digest`."""
        rel = self._rel(path)
        self.entries[rel] = digest
        self._log.write(json.dumps({"file": rel, "digest": digest}) + "\n")
        self._log.flush()

    def forget(self, path: Path) -> None:
        self.entries.pop(self._rel(path), None)

    def close(self) -> None:
        self._log.close()
        self._lock.close()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------------

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.directory).as_posix()

    def _read(self) -> tuple[bytes, dict[str, str]]:
        key, entries = b"", {}
        with contextlib.suppress(FileNotFoundError), open(self.path, encoding="utf-8") as fh:
            for line in fh:
                try:  # a line cut short by a crash is skipped
                    item = json.loads(line)
                    if "key" in item:
                        key = bytes.fromhex(item["key"])
                    else:
                        entries[item["file"]] = item["digest"]
                except (ValueError, KeyError, TypeError):
                    continue
        if not key:
            key, entries = secrets.token_bytes(32), {}
        return key, entries

    def _compact(self) -> None:
        """Rewrite the manifest with the files still there; remove a killed run's leftovers."""
        folders = {self.directory, self.state / "parts"}
        for folder in folders | {(self.directory / f).parent for f in self.entries}:
            remove_stale_parts(folder)
        self.entries = {f: d for f, d in self.entries.items() if (self.directory / f).is_file()}
        lines = [{"key": self.key.hex()}] + [
            {"file": f, "digest": d} for f, d in self.entries.items()
        ]
        with atomic_file(self.path, private=True) as fh:
            fh.write("".join(json.dumps(item) + "\n" for item in lines).encode())


def _lock(path: Path, directory: Path) -> IO[bytes]:
    fh = open(path, "ab")  # noqa: SIM115 (held open for the run)
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
