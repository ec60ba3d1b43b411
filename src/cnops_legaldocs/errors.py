"""The library's exceptions: one hierarchy, each with a message a clerk can act on."""

from __future__ import annotations


def printable(text: str) -> str:
    """Text safe to show on a terminal or in a log: control, format (bidi) and separator
    characters, which could rewrite or reorder the line, are shown as escapes."""
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


class LegalDocsError(Exception):
    """Base class of every error this library raises on purpose."""


class DataError(LegalDocsError):
    """Input data is invalid: says which file, line and field, never the offending value."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where += f":{self.line}" if where else f"line {self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f"{self.field}: " if self.field else ""
        text = f"{where}: {field}{self.message}" if where else f"{field}{self.message}"
        return printable(text)


class TranslationError(LegalDocsError):
    """A message catalog is missing, incomplete or inconsistent with its source."""


class RenderError(LegalDocsError):
    """A document could not be produced (unknown kind, language or format, or a failed write)."""


class LayoutError(RenderError):
    """Text runs out of its page, of a margin box (running header, footer, band) or of its
    column. `field` is the data field (``notice.url``, ``person.adresse``) whose value does
    not fit, when the text could be traced back to one; the text itself is never shown."""

    def __init__(
        self,
        where: str,
        page: int,
        part: str,
        *,
        texts: tuple[str, ...] = (),
        field: str | None = None,
    ) -> None:
        self.where, self.page, self.part, self.field = where, page, part, field
        # The text that runs out, then its neighbours: to find the field it came from, never
        # part of the message.
        self.texts = texts
        if field is None:
            cause = "Shorten the longest words or values of the data"
        else:
            cause = f"The value of {field} is too long for it: shorten it"
        super().__init__(
            f"{where} does not fit its pages: on page {page}, text runs out of {part} or of "
            f"its column. {cause}"
        )

    def naming(self, field: str | None, source: str = "") -> LayoutError:
        """The same error, naming the field (if found) and the data file it is in."""
        if field is not None and source and not source.startswith("<"):
            field = f"{field} (in {source})"
        return LayoutError(self.where, self.page, self.part, texts=self.texts, field=field)


class ArgumentError(RenderError, TypeError):
    """A library function was called with an argument of the wrong type; the message names
    the argument. Also a `TypeError`, as Python's own functions raise."""
