"""YAML read with line numbers, for every data file of the library (notice, branches).

`parse` turns YAML text into a root `Node`; a `Node` gives typed access to its value and
raises `DataError`s that name the file, line and field path; `Fields` consumes the keys of a
mapping one by one so that a missing or unknown (misspelt) key is an error, not silence. The
field validators shared by the data files (e-mail, phone, web address, id, per-language
text) live here too. No error message repeats the offending value.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from . import assets, bidi
from .errors import DataError

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Moroccan numbers: 0 then 9 digits (05 38 00 20 20), or +212 then 9 digits.
_PHONE = re.compile(r"(?:\+212|0)[ .-]?[5-8](?:[ .-]?[0-9]){8}")
_ID = re.compile(r"[a-z][a-z0-9-]{0,39}")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")  # a key shown in a field path
_SHOWN_KEY = re.compile(r"[a-z_]{1,30}")  # an unknown key repeated: a misspelt field name
_STR, _INT, _FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float"))

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Largest data file read (notice, agencies): 400 times the CNOPS notice, checked before
parsing so that a huge or endless file (``/dev/zero``) is refused at once."""

MAX_ITEMS = 500
"""Longest list of a data file unless its field says otherwise (`Node.sequence`)."""


class Limit(enum.IntEnum):
    """The longest value a field may hold, in characters once its spaces are folded: far above
    the CNOPS notice's own values, short enough that no value fills a page or a table cell."""

    CODE = 30  # acronym, version, CNDP reference
    SHORT = 60  # a body's short name, the app's name
    NAME = 200  # names, titles, headings
    ENTRY = 300  # a register entry's title, a postal address (both in table cells)
    EMAIL = 80
    URL = 120
    PROSE = 3000  # a paragraph or a list item


def fold(raw: str) -> str:
    """A data value as the documents print it: cleaned of invisible controls, spaces folded."""
    return " ".join(bidi.clean_value(raw).split())


@dataclass(frozen=True)
class _Source:
    name: str
    loader: yaml.SafeLoader
    warnings: list[tuple[int, str, str]]  # (line, field path, message)


class Node:
    """A YAML node with its path, for typed access and located errors."""

    def __init__(self, source: _Source, node: yaml.Node, path: str) -> None:
        self.source, self.node, self.path = source, node, path

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    def error(self, message: str, path: str | None = None) -> DataError:
        return DataError(message, file=self.source.name, line=self.line, field=path or self.path)

    def warn(self, message: str) -> None:
        """Record a problem that does not stop reading (reported by `check`)."""
        self.source.warnings.append((self.line, self.path, message))

    def child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        # Only a key shaped like a field name is shown: another may be data put in a key.
        key = key if _KEY.fullmatch(key) else "?"
        return f"{self.path}.{key}" if self.path else key

    def mapping(self) -> dict[str, Node]:
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error("expected a mapping of keys to values")
        out: dict[str, Node] = {}
        for key_node, value_node in self.node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise Node(self.source, key_node, self.path).error("a key must be a plain name")
            key = key_node.value
            child = Node(self.source, value_node, self.child_path(key))
            if key in out:
                raise Node(self.source, key_node, child.path).error("key given twice")
            out[key] = child
        return out

    def sequence(self, limit: int = MAX_ITEMS) -> list[Node]:
        """The items of a list of at most `limit` items."""
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.error("expected a list")
        if len(self.node.value) > limit:
            raise self.error(f"too many items ({len(self.node.value)}, at most {limit})")
        return [Node(self.source, n, self.child_path(i)) for i, n in enumerate(self.node.value)]

    def scalar(self) -> Any:
        """The value as YAML types it (int, date, bool, str…)."""
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.error("expected a single value, not a list or mapping")
        try:
            return self.source.loader.construct_object(self.node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError):
            # An impossible date (2026-13-45), an unknown !tag, bad base64…
            raise self.error("not a valid value (check dates, numbers, quotes and tags)") from None

    def source_text(self) -> str:
        """The value exactly as written, untyped: ``08:30`` stays text (YAML 1.1 would read
        ``8:30`` as the number 510), ``0538002020`` keeps its leading zero."""
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.error("expected a single value, not a list or mapping")
        return self.node.value.strip()

    def _written_text(self) -> str:
        """The scalar as text, strictly: a string, or a plain number as it is written
        (``1.10`` stays "1.10", ``0x1F`` stays "0x1F"); a date, yes/no, null or a tagged value
        (``!!binary``, ``!!float``) is no text."""
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.error("expected a single value, not a list or mapping")
        tag = self.node.tag
        if tag == _STR:
            return str(self.scalar())
        plain = self.source.loader.resolve(yaml.ScalarNode, self.node.value, (True, False))
        if tag in (_INT, _FLOAT) and tag == plain and self.node.style is None:
            return self.node.value
        raise self.error("expected text (put it in quotes if it is a date, number or yes/no)")

    def text(self, limit: Limit = Limit.NAME, *, word: int | None = None) -> str:
        """The value as one line of printable text: bidi controls and other invisible control
        characters removed (with a warning), spaces folded, never empty, at most `limit`
        characters, no word longer than `word`, and only characters the fonts can print."""
        raw = self._written_text()
        value = fold(raw)
        if value != " ".join(raw.split()):
            self.warn("invisible control characters removed (they could reorder the printed text)")
        if not value:
            raise self.error("must not be empty")
        if len(value) > limit:
            raise self.error(
                f"too long ({len(value)} characters, at most {int(limit)}): shorten it"
            )
        if word is not None and max(len(w) for w in value.split()) > word:
            raise self.error(
                f"a word is longer than {word} characters and would not fit its table column: "
                "add spaces or shorten it"
            )
        missing = assets.uncovered(value)
        if missing:
            shown = ", ".join(f"U+{ord(ch):04X}" for ch in sorted(missing)[:5])
            raise self.error(
                f"the document fonts cannot print some characters ({shown}; emoji and symbols "
                "are not supported): remove them"
            )
        return value


class Fields:
    """The keys of one mapping node, consumed one by one; unknown keys are errors."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.items = node.mapping()
        self.seen: set[str] = set()

    def get(self, key: str) -> Node | None:
        self.seen.add(key)
        return self.items.get(key)

    def need(self, key: str) -> Node:
        child = self.get(key)
        if child is None:
            unknown = [(k, n) for k, n in self.items.items() if k not in self.seen]
            hint = ""
            if unknown:
                other, node = unknown[0]
                shown = repr(other) if _SHOWN_KEY.fullmatch(other) else f"on line {node.line}"
                hint = f"; found unknown field {shown}, a misspelling?"
            raise self.node.error(
                f"missing (this field is required){hint}", self.node.child_path(key)
            )
        return child

    def done(self) -> None:
        for key, child in self.items.items():
            if key not in self.seen:
                # Only a key shaped like a field name is repeated: a wrong file's first line
                # may be a person's name and CIN.
                known = ", ".join(sorted(self.seen))
                raise child.error(
                    f"unknown field (check its spelling; the fields here are: {known})",
                    child.path if _SHOWN_KEY.fullmatch(key) else self.node.path or None,
                )


def read_text(path: str | Path) -> str:
    """A data file's UTF-8 text; an unreadable file is a `DataError` naming it."""
    name = str(path)
    try:
        with open(path, "rb") as fh:  # read at most the cap: a device or pipe may never end
            content = fh.read(MAX_FILE_BYTES + 1)
        if len(content) > MAX_FILE_BYTES:
            raise DataError(f"too large (more than {MAX_FILE_BYTES // 2**20} MB)", file=name)
        return content.decode("utf-8")
    except FileNotFoundError:
        raise DataError("file not found", file=name) from None
    except UnicodeDecodeError as exc:
        raise DataError(
            f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", file=name
        ) from None
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror})", file=name) from None


def parse(text: str, name: str) -> Node:
    """The root node of a YAML document; malformed or empty YAML is a located `DataError`."""
    if len(text) > MAX_FILE_BYTES:
        raise DataError(f"too large (more than {MAX_FILE_BYTES // 2**20} MB)", file=name)
    loader = _Loader("")
    try:
        loader = _Loader(text)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "malformed YAML"
        raise DataError(
            f"malformed YAML: {problem}",
            file=name,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        raise DataError(
            f"malformed YAML: character U+{exc.character:04X} is not allowed in a data file",
            file=name,
            line=before.count("\n") + 1,
            column=len(before) - before.rfind("\n"),
        ) from None
    except yaml.YAMLError:
        raise DataError("malformed YAML", file=name) from None
    except RecursionError:
        raise DataError("malformed YAML: lists or mappings nest too deeply", file=name) from None
    finally:
        loader.dispose()
    if root is None:
        raise DataError("the file is empty", file=name)
    return Node(_Source(name, loader, []), root, "")


class _Loader(yaml.SafeLoader):
    """The safe loader without aliases: ``*name`` repeats a part of the file, and nested
    aliases turn kilobytes into gigabytes ("billion laughs"); a data file writes values out."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # its name is not shown: it may be a value
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed: write the value out", event.start_mark
            )
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


def schema(fields: Fields, version: int = 1) -> None:
    """Check the file's ``schema`` key (the version of its shape)."""
    node = fields.need("schema")
    if node.scalar() != version:
        raise node.error(f"unsupported schema version (this library reads schema {version})")


# --------------------------------------------------------------------------------------------
# Field validators


# Validators shared by data files and by the persons of pre-filled forms (person.py). Their
# messages say what is expected and never repeat the value, which may be personal data.


def check_email(value: str) -> str:
    """`value` if it is an e-mail address, else `ValueError`."""
    if not _EMAIL.fullmatch(value):
        raise ValueError("not an e-mail address (expected name@domain.ma)")
    return value


def check_phone(value: str) -> str:
    """`value` if it is a Moroccan phone number, else `ValueError`."""
    if not _PHONE.fullmatch(value):
        raise ValueError("not a Moroccan phone number (expected e.g. 05 38 00 20 20)")
    return value


def check_url(value: str) -> str:
    """`value` if it is an http(s) address, else `ValueError`."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValueError("not a web address (expected https://…)")
    return value


def checked(node: Node, check: Callable[[str], str], limit: Limit = Limit.NAME) -> str:
    """The node's text validated by `check`, its error located at the node."""
    try:
        return check(node.text(limit))
    except ValueError as exc:
        raise node.error(str(exc)) from None


def email(node: Node) -> str:
    return checked(node, check_email, Limit.EMAIL)


def phone(node: Node) -> str:
    return checked(node, check_phone)


def url(node: Node) -> str:
    return checked(node, check_url, Limit.URL)


def looks_like_id(value: str) -> bool:
    """Whether `value` has the shape of an id, and so may be quoted in a message (anything
    else might be a person's data put in the wrong field)."""
    return bool(_ID.fullmatch(value))


def identifier(node: Node) -> str:
    """An id: lower-case ASCII letters, digits and hyphens (it may name a file)."""
    value = node.text()
    if not looks_like_id(value):
        raise node.error("an id is lower-case letters, digits and hyphens (at most 40)")
    return value


def localized(node: Node, langs: Iterable[str], limit: Limit = Limit.NAME) -> dict[str, str]:
    """A text given once per language: ``{fr: …, ar: …}``."""
    return {lang: child.text(limit) for lang, child in localized_nodes(node, langs).items()}


def localized_nodes(node: Node, langs: Iterable[str]) -> dict[str, Node]:
    """The node of each language of a per-language mapping (no other key allowed)."""
    fields = Fields(node)
    out = {lang: fields.need(lang) for lang in langs}
    fields.done()
    return out
