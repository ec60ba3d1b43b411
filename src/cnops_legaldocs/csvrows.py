"""Rows of a CSV file (one document per row), checked up front and then streamed.

Opening a `CsvFile` reads the whole file once without keeping it: the encoding (UTF-8, with
or without the BOM spreadsheets write; anything else is refused with the line and byte of the
first bad byte), the header (column names compared without case or accents; missing required
columns, unknown columns, duplicate or empty names are errors naming them), the delimiter
(comma, semicolon as French spreadsheets write, or tab) and the number of rows. Iterating
then reads the file again, row by row, so memory stays flat however long it is.

Rows are numbered from 1 after the header, counting every record (a number matches the
record's place in the spreadsheet); entirely empty rows are skipped and counted. Messages
name the file, row, line and column, never a value.
"""

from __future__ import annotations

import codecs
import csv
import os
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DataError

_BOM = codecs.BOM_UTF8
_UTF16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_DELIMITERS = (",", ";", "\t")

MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest CSV file read: about two million rows of forms, checked before reading."""

MAX_HEADER = 4096
"""Longest header line, in characters: the known columns take a hundred."""

MAX_LINE = 64 * 1024
"""Longest line of a row (a person's fields take a few hundred characters)."""


@dataclass(frozen=True)
class Row:
    """One record: its number (1 = first after the header), starting line and values by
    column (whitespace around values removed, missing trailing fields empty)."""

    number: int
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class BadRow:
    """A record that cannot be read as a row (more fields than the header)."""

    number: int
    line: int
    reason: str


def column_key(name: str) -> str:
    """How a header cell is compared with the column names: "Prénom " is ``prenom``."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class CsvFile:
    """A CSV file of rows with known columns: `required` must be there, `optional` may be."""

    def __init__(
        self, path: str | Path, *, required: Iterable[str], optional: Iterable[str] = ()
    ) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.required = tuple(required)
        self.optional = tuple(optional)
        self.columns: tuple[str, ...] = ()
        self.delimiter = ","
        self.rows = 0  # rows to render (records that are not empty)
        self.empty = 0  # entirely empty records, skipped
        self._scan()

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional

    def __iter__(self) -> Iterator[Row | BadRow]:
        lines = self._lines()
        first = next(lines, None)
        if first is None:
            return
        reader = csv.reader(self._text(lines), delimiter=self.delimiter)
        end = first[0]
        for number, record in enumerate(self._records(reader), 1):
            start, end = end + 1, first[0] + reader.line_num
            if not any(field.strip() for field in record):
                continue
            if len(record) > len(self.columns):
                yield BadRow(
                    number,
                    start,
                    f"{len(record)} fields where the header has {len(self.columns)} "
                    f"(a {self._delimiter_name()} inside a value needs quotes)",
                )
                continue
            values = {col: field.strip() for col, field in zip(self.columns, record, strict=False)}
            for col in self.columns[len(record) :]:
                values[col] = ""
            yield Row(number, start, values)

    # -- reading ------------------------------------------------------------------------------

    def _lines(self) -> Iterator[tuple[int, str]]:
        """(line number, text) of each physical line, checking that it is UTF-8."""
        try:
            fh = open(self.path, "rb")  # noqa: SIM115 (closed by the generator)
        except FileNotFoundError:
            raise DataError("file not found", file=self.name) from None
        except OSError as exc:
            raise DataError(f"cannot be read ({exc.strerror})", file=self.name) from None
        with fh:
            try:
                info = os.fstat(fh.fileno())
            except OSError:
                info = None
            if info is not None and not stat.S_ISREG(info.st_mode):
                raise DataError("not a regular file (a device, pipe or folder?)", file=self.name)
            if info is not None and info.st_size > MAX_FILE_BYTES:
                raise DataError(
                    f"too large (more than {MAX_FILE_BYTES // 2**20} MB): split it", file=self.name
                )
            offset = 0
            for number, raw in enumerate(iter(lambda: fh.readline(MAX_LINE + 1), b""), 1):
                if b"\r" in raw.rstrip(b"\r\n"):
                    raise DataError(
                        "lines end with a lone carriage return (old Mac format): save it as "
                        "CSV UTF-8 (Excel: CSV UTF-8)",
                        file=self.name,
                        line=number,
                    )
                if len(raw) > MAX_LINE:
                    raise DataError(
                        f"line longer than {MAX_LINE} characters: is it a CSV file?",
                        file=self.name,
                        line=number,
                    )
                if number == 1:
                    if raw.startswith(_UTF16):
                        raise DataError(
                            "UTF-16 text; save it as CSV UTF-8 (Excel: CSV UTF-8)", file=self.name
                        )
                    if raw.startswith(_BOM):
                        raw, offset = raw[len(_BOM) :], len(_BOM)
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise DataError(
                        f"not UTF-8 (byte {offset + exc.start} of the file is not valid UTF-8; "
                        "Latin-1 or Windows-1252?): save it as CSV UTF-8 (Excel: CSV UTF-8) or "
                        "convert it (iconv -f WINDOWS-1252 -t UTF-8)",
                        file=self.name,
                        line=number,
                    ) from None
                offset += len(raw)
                yield number, text

    @staticmethod
    def _text(lines: Iterator[tuple[int, str]]) -> Iterator[str]:
        return (text for _, text in lines)

    def _records(self, reader: Any) -> Iterator[list[str]]:
        """The records of `reader`; malformed CSV (a NUL byte…) is a located `DataError`."""
        try:
            yield from reader
        except csv.Error as exc:
            raise DataError(
                f"malformed CSV ({exc})", file=self.name, line=1 + reader.line_num
            ) from None

    def _scan(self) -> None:
        lines = self._lines()
        first = next(lines, None)
        if first is None or not first[1].strip():
            raise DataError("no header line (the first line names the columns)", file=self.name)
        if len(first[1]) > MAX_HEADER:
            raise DataError(
                f"the header is longer than {MAX_HEADER} characters: is the first line a header?",
                file=self.name,
                line=1,
            )
        self.delimiter = self._sniff(first[1])
        try:
            (header,) = list(csv.reader([first[1]], delimiter=self.delimiter))
        except (csv.Error, ValueError):
            raise DataError("malformed CSV header", file=self.name, line=1) from None
        self.columns = self._header(header)
        reader = csv.reader(self._text(lines), delimiter=self.delimiter)
        for record in self._records(reader):
            if any(field.strip() for field in record):
                self.rows += 1
            else:
                self.empty += 1

    def _sniff(self, header: str) -> str:
        """The delimiter that splits the header into the most known column names."""
        known = set(self.known)

        def score(delimiter: str) -> int:
            try:
                (cells,) = list(csv.reader([header], delimiter=delimiter))
            except (csv.Error, ValueError):
                return -1
            return sum(column_key(c) in known for c in cells)

        return max(_DELIMITERS, key=score)

    def _header(self, cells: list[str]) -> tuple[str, ...]:
        columns = [column_key(c) for c in cells]
        missing = [c for c in self.required if c not in columns]
        if missing:
            # The cells are not repeated: without a header, the first line holds a person's data.
            raise DataError(
                f"missing required columns: {', '.join(missing)} (is the first line a header?)",
                file=self.name,
                line=1,
            )
        # Header cells are named by number, never quoted: a file without a header has a
        # person's data there, and a cell that is no known column may be anything.
        for index, col in enumerate(columns, 1):
            if not col:
                raise DataError(f"column {index} of the header has no name", file=self.name, line=1)
            if columns.index(col) < index - 1:
                shown = f"{col!r} " if col in self.known else ""
                raise DataError(
                    f"column {shown}is given twice (columns {columns.index(col) + 1} and {index})",
                    file=self.name,
                    line=1,
                )
        unknown = [str(i) for i, c in enumerate(columns, 1) if c not in self.known]
        if unknown:
            raise DataError(
                f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} of the "
                f"header (known: {', '.join(self.known)})",
                file=self.name,
                line=1,
            )
        return tuple(columns)

    def _delimiter_name(self) -> str:
        return {",": "comma", ";": "semicolon", "\t": "tab"}[self.delimiter]
