"""Output file names from a row's fields, safe on every file system.

A pattern such as ``{row}-{immatriculation}`` names each row's file; ``{row}`` is the row
number, zero-padded (``0001``). The result keeps letters (any script), digits, ``-``, ``_``
and ``.``; everything else (path separators, ``..``, spaces, characters Windows refuses,
control and bidi characters) is replaced, Windows' reserved device names (``CON``, ``NUL``,
``COM1``…) are avoided, and the length is bounded so that the name, its extension and the
temporary name of an atomic write fit the 255-byte limit of common file systems.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Mapping

from .errors import DataError

ROW = "row"
"""The pattern field holding the row number."""

MAX_BYTES = 120
"""Longest name in UTF-8 bytes, before its extension."""

_RUNS = re.compile(r"([._-])[._-]*")
_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$)", re.I)


def safe_name(text: str, max_bytes: int = MAX_BYTES) -> str:
    """`text` made into a file name that is safe everywhere (may return an empty string)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(_safe_char(ch) for ch in text if unicodedata.category(ch)[0] != "C")
    text = _RUNS.sub(r"\1", text)
    text = _trim(text)
    encoded = text.encode("utf-8")
    if len(encoded) > max_bytes:
        text = _trim(encoded[:max_bytes].decode("utf-8", errors="ignore"))
    if _RESERVED.fullmatch(text.split(".", 1)[0]):
        text = "_" + text
    return text


def _safe_char(ch: str) -> str:
    # Letters and digits of any script with their marks (Arabic vowels), "-", "_" and ".".
    if ch.isalnum() or ch in "-_." or unicodedata.category(ch) in ("Mn", "Mc"):
        return ch
    return "_"


def _trim(text: str) -> str:
    # No leading "." (hidden, "..") or "-" (read as an option), no trailing "." (Windows).
    return text.strip("._-")


def name_key(name: str) -> str:
    """The form under which two names are the same file on a case-insensitive or
    normalising file system (Windows, macOS)."""
    return unicodedata.normalize("NFC", name).casefold()


class NamePattern:
    """A checked ``--name`` pattern over the fields of the rows."""

    def __init__(self, pattern: str, fields: Iterable[str], *, width: int = 4) -> None:
        known = {ROW, *fields}
        self.pieces: list[tuple[str, str | None]] = []
        try:
            parsed = list(string.Formatter().parse(pattern))
        except ValueError as exc:
            raise DataError(
                f"malformed pattern ({exc}); write fields as {{name}}", field="--name"
            ) from None
        for literal, name, spec, conversion in parsed:
            if name is not None and (spec or conversion or name not in known):
                shown = ", ".join(f"{{{k}}}" for k in sorted(known))
                raise DataError(
                    f"unknown field {{{name}{'!' + conversion if conversion else ''}"
                    f"{':' + spec if spec else ''}}} (fields: {shown})",
                    field="--name",
                )
            self.pieces.append((literal, name))
        if not any(name for _, name in self.pieces):
            raise DataError(
                "the pattern uses no field: every row would get the same name", field="--name"
            )
        self.width = width
        self.pattern = pattern

    @property
    def fields(self) -> set[str]:
        return {name for _, name in self.pieces if name}

    def name(self, number: int, values: Mapping[str, str]) -> str:
        """The file name (without extension) of row `number`; never empty."""
        row = str(number).zfill(self.width)
        text = "".join(
            literal + ("" if name is None else row if name == ROW else values.get(name, ""))
            for literal, name in self.pieces
        )
        return safe_name(text) or row
