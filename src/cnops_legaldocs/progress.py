"""What a batch shows while it runs: counts, rate and time left, never a row's values.

On a terminal, one bar redrawn in place (at most ten times a second); elsewhere (a log, a
pipe, CI), a plain line at each tenth of the work and at least every `every` seconds;
nothing with `quiet`. A hand-written bar rather than tqdm: the plain-line mode for logs is
needed anyway, and what may be printed (counts only) stays under this module's control.
Failure lines (row, line, column, reason) are printed in every mode, quiet included.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO


class Progress:
    """Reports a batch of `total` rows on `stream` (standard error by default)."""

    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        quiet: bool = False,
        every: float = 30.0,
        tty: bool | None = None,
    ) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.every = every
        self.tty = self.stream.isatty() if tty is None else tty
        self.done = self.rendered = self.skipped = self.failed = 0
        self.start = self.last = time.monotonic()
        self._decile = -1
        self._drawn = False

    def update(self, *, rendered: int = 0, skipped: int = 0, failed: int = 0) -> None:
        """Count rows finished since the last call."""
        self.rendered += rendered
        self.skipped += skipped
        self.failed += failed
        self.done = self.rendered + self.skipped + self.failed
        if self.quiet:
            return
        now = time.monotonic()
        if self.tty:
            if now - self.last >= 0.1 or self.done >= self.total:
                self._draw()
                self.last = now
            return
        decile = self.done * 10 // max(self.total, 1)
        if decile != self._decile or now - self.last >= self.every:
            self._decile, self.last = decile, now
            print(f"progress: {self._status()}", file=self.stream, flush=True)

    def failure(self, message: str) -> None:
        """Print a failed row's line (the caller builds it from row, column and reason)."""
        self._clear()
        print(message, file=self.stream, flush=True)
        if self._drawn:
            self._draw()

    def close(self) -> None:
        """End the bar's line."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False

    # -- rendering ------------------------------------------------------------------------------

    def _status(self) -> str:
        percent = 100 * self.done // max(self.total, 1)
        parts = [f"{self.done}/{self.total} rows ({percent}%)"]
        elapsed = time.monotonic() - self.start
        if self.rendered and elapsed > 0:
            rate = self.rendered / elapsed
            parts.append(f"{rate:.1f} rows/s")
            if self.done < self.total:
                parts.append(f"{_duration((self.total - self.done) / rate)} left")
        if self.skipped:
            parts.append(f"{self.skipped} already done")
        if self.failed:
            parts.append(f"{self.failed} failed")
        return ", ".join(parts)

    def _draw(self) -> None:
        status = self._status()
        width = shutil.get_terminal_size((80, 24)).columns
        bar_width = max(10, min(40, width - len(status) - 4))
        filled = bar_width * self.done // max(self.total, 1)
        line = f"[{'#' * filled}{'.' * (bar_width - filled)}] {status}"
        self.stream.write("\r" + line[: width - 1].ljust(width - 1))
        self.stream.flush()
        self._drawn = True

    def _clear(self) -> None:
        if self._drawn:
            width = shutil.get_terminal_size((80, 24)).columns
            self.stream.write("\r" + " " * (width - 1) + "\r")


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
