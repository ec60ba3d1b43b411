"""Temporary directories: every one the library (or WeasyPrint, for it) makes is removed.

WeasyPrint copies the fonts of each font configuration into a ``weasyprint-*`` directory of
its own (about 6 MB), removed only when the configuration is garbage-collected, which a
thread-local configuration in a long-lived thread, or a process stopped by a signal, never
is. So the library makes that directory itself (`make`), in the standard temporary directory
(``TMPDIR`` and the like are respected, see `tempfile.gettempdir`), and removes it when its
owner is collected, at interpreter exit (``atexit``; in a pool worker process, at the
worker's exit) or on `cleanup` (the CLI calls it on SIGTERM and SIGINT).

No writable temporary directory is a `RenderError` that says so.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import weakref
from multiprocessing import util as _mp_util

from .errors import RenderError

PREFIX = "cnops-legaldocs-"

_made: dict[str, int] = {}  # path -> pid of the process that made it
_lock = threading.Lock()


def make(owner: object | None = None, prefix: str = PREFIX) -> str:
    """A new private temporary directory, removed when `owner` is garbage-collected (if
    given), at exit, or on `cleanup`, whichever comes first."""
    try:
        path = tempfile.mkdtemp(prefix=prefix)
    except (FileNotFoundError, PermissionError, OSError) as exc:
        raise RenderError(
            "no writable temporary directory: the PDF renderer needs one for its fonts "
            f"({exc.strerror or exc}); set TMPDIR to a writable directory"
        ) from None
    with _lock:
        _made[path] = os.getpid()
    _at_exit()
    if owner is not None:
        weakref.finalize(owner, _remove, path)
    return path


def _remove(path: str) -> None:
    with _lock:
        pid = _made.pop(path, None)
    if pid == os.getpid():  # a forked child never removes its parent's directories
        shutil.rmtree(path, ignore_errors=True)


def cleanup() -> None:
    """Remove every temporary directory this process made and still has."""
    pid = os.getpid()
    with _lock:
        mine = [path for path, owner in _made.items() if owner == pid]
    for path in mine:
        _remove(path)


def remaining() -> list[str]:
    """The temporary directories this process made and has not removed yet."""
    pid = os.getpid()
    with _lock:
        return [path for path, owner in _made.items() if owner == pid]


_registered: set[int] = set()


def _at_exit() -> None:
    """Clean up at exit, once per process: ``atexit`` in the main process, and a
    multiprocessing finaliser in a pool worker (which leaves by ``os._exit``)."""
    pid = os.getpid()
    if pid in _registered:
        return
    _registered.add(pid)
    atexit.register(cleanup)
    _mp_util.Finalize(None, cleanup, exitpriority=10)
