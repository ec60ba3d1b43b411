"""What runs in the service's worker processes: each loads the data and warms up once, then
renders documents, pre-filled forms and previews. Only small picklable values travel in (ids,
options, a person's values) and bytes travel out; nothing is written to disk."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import api, clauses, documents, opendata, previews
from ..branches import Branch, load_branches
from ..model import LegalData, load

_data: LegalData | None = None
_branches: dict[str, Branch] = {}


def initialize(
    data: str | None, branches: str | None, tmp: str | None = None, ready: Any = None
) -> None:
    """The pool's initializer: load the data and branches, warm up (`api.warm_up`), then put
    the process id on the queue `ready` (the pool counts a worker ready from then on).

    Ctrl-C and SIGTERM reach the whole process group: workers ignore them, so that the server
    lets the renders in progress finish and then shuts the pool down itself."""
    global _data, _branches
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # WeasyPrint keeps a temporary directory per font configuration and removes it only when
    # the object is collected, which a process's exit does not promise: each worker's temporary
    # files go in a directory of its own, under the pool's `tmp` (which the server removes once
    # the workers have stopped, even one that was killed), and removed when the worker exits.
    private = tempfile.mkdtemp(prefix="worker-", dir=tmp)
    tempfile.tempdir = private
    atexit.register(shutil.rmtree, private, ignore_errors=True)
    _data = api.warm_up(load(Path(data)) if data else None)
    _branches = {b.id: b for b in load_branches(branches)} if branches else {}
    # (`warm_up` laid out the forms' blanks with the usual filled fields.) The DOCX writer's
    # fonts (instances cut once per process), for both languages.
    api.render(_data, documents.FORM_KINDS[-1], "fr+ar", "docx")
    if ready is not None:
        ready.put(os.getpid())


def ping() -> int:
    """The worker's process id, once its initializer has run."""
    return os.getpid()


def document(kind: str, lang: str, fmt: str, paper: str | None, branch: str | None) -> bytes:
    """One document as `api.render` makes it (`branch`: an id of the branches file)."""
    assert _data is not None, "worker not initialized"
    return api.render(
        _data, kind, lang, fmt, paper=paper, branch=_branches[branch] if branch else None
    )


def form(kind: str, lang: str, fmt: str, person: Mapping[str, str]) -> bytes:
    """A form pre-filled with `person` (already validated), by `api.render` (which takes the
    forms' fast path for a one-language PDF)."""
    assert _data is not None, "worker not initialized"
    return api.render(_data, kind, lang, fmt, person=person)


def register(fmt: str) -> bytes:
    """The register as open data (`opendata.export_register`)."""
    assert _data is not None, "worker not initialized"
    return opendata.export_register(_data, fmt)


def clause(operation: str, lang: str, fmt: str, length: str) -> bytes:
    """An operation's information clause (`clauses.clause`)."""
    assert _data is not None, "worker not initialized"
    return clauses.clause(_data, operation, lang, fmt, length=length)


def pages(pdf: bytes, dpi: int) -> list[bytes]:
    """A PDF's pages as PNG images (`previews.pages`)."""
    return previews.pages(pdf, dpi=dpi)


def sleep(seconds: float) -> int:
    """Hold a worker for `seconds` (the tests' slow render; not routed)."""
    import time

    time.sleep(seconds)
    return os.getpid()
