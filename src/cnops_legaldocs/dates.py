"""The dates a file carries: from the data or ``SOURCE_DATE_EPOCH``, never from the clock.

A document's own dates (its creation and modification dates, any date printed on it) are the
notice's effective date: the same data gives the same file on any day. Anything else a file
has to stamp (the ``head`` table of a font instance, an archive entry) takes
``SOURCE_DATE_EPOCH`` (reproducible-builds.org) when it is set, the document's date otherwise.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
from collections.abc import Iterator

log = logging.getLogger("cnops_legaldocs")

_VARIABLE = "SOURCE_DATE_EPOCH"


def document_datetime(day: dt.date) -> dt.datetime:
    """A document date as a timestamp: midnight UTC of that day."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def stamp_epoch(day: dt.date) -> int:
    """Seconds since 1970 for stamps that are not document dates: ``SOURCE_DATE_EPOCH`` if
    set to a whole number of seconds, else the document's date. A host's invalid value is
    ignored (logged once): the library's own files do not depend on it."""
    own = int(document_datetime(day).timestamp())
    raw = os.environ.get(_VARIABLE)
    if raw is None:
        return own
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        global _warned
        if not _warned:
            _warned = True
            log.warning(
                "%s is not a whole number of seconds since 1970-01-01: ignored, the "
                "document's date stamps its files",
                _VARIABLE,
            )
        return own
    return value


_warned = False
_local = threading.local()
_hooked = False
_hook_lock = threading.Lock()


def _stamp_now() -> int:
    """fontTools' ``head`` clock: the stamp pinned in this thread, else fontTools' own."""
    from fontTools.misc.timeTools import timestampNow, timestampSinceEpoch

    epoch = getattr(_local, "epoch", None)
    return timestampNow() if epoch is None else timestampSinceEpoch(epoch)


@contextlib.contextmanager
def pinned_clock(epoch: int) -> Iterator[None]:
    """Within the block, in this thread only, font files that fontTools writes (the instance
    of a variable font WeasyPrint makes while drawing a PDF) are stamped `epoch` rather than
    the clock. The date goes to the code that writes it: the process environment is never
    changed, and threads do not wait for each other."""
    global _hooked
    if not _hooked:
        with _hook_lock:
            if not _hooked:
                from fontTools.ttLib.tables import _h_e_a_d

                _h_e_a_d.timestampNow = _stamp_now  # the only clock head.compile() reads
                _hooked = True
    saved = getattr(_local, "epoch", None)
    _local.epoch = epoch
    try:
        yield
    finally:
        _local.epoch = saved
