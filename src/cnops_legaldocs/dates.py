"""The dates a file carries: from the data or ``SOURCE_DATE_EPOCH``, never from the clock.

A document's own dates (its creation and modification dates, any date printed on it) are the
notice's effective date: the same data gives the same file on any day. Anything else a file
has to stamp (the ``head`` table of a font instance, an archive entry) takes
``SOURCE_DATE_EPOCH`` (reproducible-builds.org) when it is set, the document's date otherwise.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from collections.abc import Iterator

from .errors import RenderError

_VARIABLE = "SOURCE_DATE_EPOCH"


def document_datetime(day: dt.date) -> dt.datetime:
    """A document date as a timestamp: midnight UTC of that day."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def stamp_epoch(day: dt.date) -> int:
    """Seconds since 1970 for stamps that are not document dates: ``SOURCE_DATE_EPOCH`` if
    set, else the document's date."""
    raw = os.environ.get(_VARIABLE)
    if raw is None:
        return int(document_datetime(day).timestamp())
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise RenderError(f"{_VARIABLE} must be a whole number of seconds since 1970-01-01")
    return value


_lock = threading.Lock()


@contextlib.contextmanager
def pinned_clock(epoch: int) -> Iterator[None]:
    """Let libraries that stamp files with the clock unless ``SOURCE_DATE_EPOCH`` is set
    (fontTools, when WeasyPrint instantiates a variable font) use `epoch` instead.

    The process environment is shared: concurrent renders in threads wait for each other here.
    """
    with _lock:
        saved = os.environ.get(_VARIABLE)
        os.environ[_VARIABLE] = str(epoch)
        try:
            yield
        finally:
            if saved is None:
                del os.environ[_VARIABLE]
            else:
                os.environ[_VARIABLE] = saved
