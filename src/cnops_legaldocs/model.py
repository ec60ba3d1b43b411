"""The notice and its register as typed, validated data, loaded from YAML with line numbers.

`load()` reads the package's embedded default (the CNOPS notice); `load(path)` reads another
file of the same shape. Every error names the file, line and field, never the offending value.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from . import assets, bidi
from .errors import DataError

LANGUAGES: tuple[str, ...] = ("fr", "ar")
"""The languages every document exists in (the source language first)."""

# Placeholders that prose may use; `LegalData.placeholders(lang)` fills them.
PLACEHOLDERS = frozenset({"body", "body_name", "acronym", "website", "phone", "app"})

_REFERENCE = re.compile(
    r"(?P<letter>[AD])-(?:(?P<code>[A-Z]+(?:-[A-Z]+)*)-)?(?P<seq>[0-9]{1,5})/(?P<year>[0-9]{4})"
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Moroccan numbers: 0 then 9 digits (05 38 00 20 20), or +212 then 9 digits.
_PHONE = re.compile(r"(?:\+212|0)[ .-]?[5-8](?:[ .-]?[0-9]){8}")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_ID = re.compile(r"[a-z][a-z0-9-]{0,39}")


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


# The longest word of a value printed in a table cell (operation and contact titles,
# addresses): a longer one would widen its column past the page. Elsewhere long words wrap.
CELL_WORD = 25
# Sections are lettered A to L.
MAX_SECTIONS = 12


class Regime(enum.Enum):
    """How the CNDP covers an operation: derived from the reference's first letter."""

    AUTHORISATION = "A"
    DECLARATION = "D"


@dataclass(frozen=True)
class Reference:
    """A CNDP reference such as ``A-GA-104/2016``, ``D-716/2021`` or ``A-R-H-50/2015``."""

    letter: str
    code: str | None
    sequence: int
    year: int

    @classmethod
    def parse(cls, text: str) -> Reference:
        """Parse a reference; raise `ValueError` if it is not of the CNDP's form."""
        match = _REFERENCE.fullmatch(text.strip())
        if not match:
            raise ValueError("not a CNDP reference (expected A-CODE-123/2016 or D-123/2021)")
        year = int(match["year"])
        if not 2009 <= year <= 2100:
            raise ValueError("the year of a CNDP reference is 2009 (law 09-08) or later")
        return cls(match["letter"], match["code"], int(match["seq"]), year)

    @property
    def regime(self) -> Regime:
        return Regime(self.letter)

    def __str__(self) -> str:
        code = f"{self.code}-" if self.code else ""
        return f"{self.letter}-{code}{self.sequence}/{self.year}"


@dataclass(frozen=True)
class Contact:
    """The service that answers requests about some operations."""

    id: str
    title: str
    email: str
    address: str


@dataclass(frozen=True)
class Operation:
    """One processing operation of the register; `contact` is None for the general channels."""

    title: str
    reference: Reference
    contact: Contact | None
    line: int | None = field(default=None, compare=False)

    @property
    def regime(self) -> Regime:
        return self.reference.regime


@dataclass(frozen=True)
class Channels:
    """The general ways to exercise one's rights: call centre and online portal."""

    call_centre: str
    portal: str


@dataclass(frozen=True)
class Body:
    """The issuing body (CNOPS today): names per language, never hard-coded in templates."""

    acronym: str
    name: Mapping[str, str]
    short: Mapping[str, str]
    website: str
    phone: str
    app: str


@dataclass(frozen=True)
class NoticeInfo:
    """The notice's title, version, effective date and online address."""

    title: str
    version: str
    effective_date: dt.date
    url: str


@dataclass(frozen=True)
class Block:
    """A piece of a section: ``p``, ``heading``, ``list`` (with `items`) or a generated block
    (``operations``, ``channels``, ``contacts``) whose content comes from the register."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Warning_:
    """A problem that does not stop rendering, reported by `check`."""

    message: str
    file: str | None
    line: int | None
    field: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else (self.file or "")
        return f"{where}: {self.field}: {self.message}"


@dataclass(frozen=True)
class LegalData:
    """The whole source: notice, issuing body, channels, contacts, operations and sections."""

    notice: NoticeInfo
    body: Body
    channels: Channels
    contacts: tuple[Contact, ...]
    operations: tuple[Operation, ...]
    sections: tuple[Section, ...]
    source: str = field(default="", compare=False)
    warnings: tuple[Warning_, ...] = field(default=(), compare=False)

    def placeholders(self, lang: str) -> dict[str, str]:
        """Values for the ``%(name)s`` placeholders of the prose, in `lang`."""
        return {
            "body": self.body.short[lang],
            "body_name": self.body.name[lang],
            "acronym": self.body.acronym,
            "website": self.body.website,
            "phone": self.body.phone,
            "app": self.body.app,
        }

    def operations_of(self, contact: Contact | None) -> tuple[Operation, ...]:
        """The operations a contact handles (None: those left to the general channels)."""
        return tuple(op for op in self.operations if op.contact == contact)


# --------------------------------------------------------------------------------------------
# Loading


def load(path: str | Path | None = None) -> LegalData:
    """Load and validate a notice; with no path, the CNOPS notice embedded in the package."""
    if path is None:
        source = assets.default_data()
        text = source.read_text(encoding="utf-8")
        name = "cnops.yaml (embedded default)"
    else:
        name = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DataError("file not found", file=name) from None
        except UnicodeDecodeError as exc:
            raise DataError(
                f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", file=name
            ) from None
        except OSError as exc:
            raise DataError(f"cannot be read ({exc.strerror})", file=name) from None
    return loads(text, name)


def loads(text: str, name: str = "<data>") -> LegalData:
    """Validate a notice given as YAML text; `name` is the file name used in messages."""
    return _Reader(name).read(text)


def _fold(raw: str) -> str:
    """A data value as the documents print it: cleaned of invisible controls, spaces folded."""
    return " ".join(bidi.clean_value(raw).split())


class _Node:
    """A YAML node with its path, for typed access and located errors."""

    def __init__(self, reader: _Reader, node: yaml.Node, path: str) -> None:
        self.reader, self.node, self.path = reader, node, path

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    def error(self, message: str, path: str | None = None) -> DataError:
        return DataError(message, file=self.reader.name, line=self.line, field=path or self.path)

    def _child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        key = key if len(key) <= 40 else key[:39] + "…"
        return f"{self.path}.{key}" if self.path else key

    def mapping(self) -> dict[str, _Node]:
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error("expected a mapping of keys to values")
        out: dict[str, _Node] = {}
        for key_node, value_node in self.node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Node(self.reader, key_node, self.path).error("a key must be a plain name")
            key = key_node.value
            child = _Node(self.reader, value_node, self._child_path(key))
            if key in out:
                raise _Node(self.reader, key_node, child.path).error("key given twice")
            out[key] = child
        return out

    def sequence(self) -> list[_Node]:
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.error("expected a list")
        return [_Node(self.reader, n, self._child_path(i)) for i, n in enumerate(self.node.value)]

    def scalar(self) -> Any:
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.error("expected a single value, not a list or mapping")
        try:
            return self.reader.loader.construct_object(self.node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError):
            # An impossible date (2026-13-45), an unknown !tag, bad base64…
            raise self.error("not a valid value (check dates, numbers, quotes and tags)") from None

    def text(self, limit: Limit = Limit.NAME, *, word: int | None = None) -> str:
        """The value as one line of printable text: bidi controls and other invisible control
        characters removed (with a warning), spaces folded, length and fonts checked."""
        value = self.scalar()
        if isinstance(value, bool) or value is None or isinstance(value, dt.date):
            raise self.error("expected text")
        raw = str(value)
        value = _fold(raw)
        if value != " ".join(raw.split()):
            self.reader.warn(
                self, "invisible control characters removed (they could reorder the printed text)"
            )
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


class _Fields:
    """The keys of one mapping node, consumed one by one; unknown keys are errors."""

    def __init__(self, node: _Node) -> None:
        self.node = node
        self.items = node.mapping()
        self.seen: set[str] = set()

    def get(self, key: str) -> _Node | None:
        self.seen.add(key)
        return self.items.get(key)

    def need(self, key: str) -> _Node:
        child = self.get(key)
        if child is None:
            path = f"{self.node.path}.{key}" if self.node.path else key
            raise self.node.error("missing (this field is required)", path)
        return child

    def done(self) -> None:
        for key, child in self.items.items():
            if key not in self.seen:
                raise child.error("unknown field (check its spelling)")


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.loader: yaml.SafeLoader
        self.warnings: list[Warning_] = []

    def warn(self, node: _Node, message: str) -> None:
        self.warnings.append(Warning_(message, self.name, node.line, node.path))

    def read(self, text: str) -> LegalData:
        try:
            self.loader = yaml.SafeLoader(text)
            try:
                root = self.loader.get_single_node()
            finally:
                self.loader.dispose()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or "malformed YAML"
            raise DataError(
                f"malformed YAML: {problem}",
                file=self.name,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            ) from None
        except yaml.reader.ReaderError as exc:
            before = text[: exc.position]
            raise DataError(
                f"malformed YAML: character U+{exc.character:04X} is not allowed in a data file",
                file=self.name,
                line=before.count("\n") + 1,
                column=len(before) - before.rfind("\n"),
            ) from None
        except yaml.YAMLError:
            raise DataError("malformed YAML", file=self.name) from None
        except RecursionError:
            raise DataError(
                "malformed YAML: lists or mappings nest too deeply", file=self.name
            ) from None
        if root is None:
            raise DataError("the file is empty", file=self.name)
        top = _Fields(_Node(self, root, ""))
        schema = top.need("schema")
        if schema.scalar() != 1:
            raise schema.error("unsupported schema version (this library reads schema 1)")
        notice = self.notice(top.need("notice"))
        body = self.body(top.need("body"))
        channels = self.channels(top.need("channels"))
        contacts = self.contacts(top.need("contacts"))
        operations = self.operations(top.need("operations"), contacts)
        sections = self.sections(top.need("sections"))
        top.done()
        return LegalData(
            notice=notice,
            body=body,
            channels=channels,
            contacts=tuple(contacts.values()),
            operations=operations,
            sections=sections,
            source=self.name,
            warnings=tuple(self.warnings),
        )

    # -- validators -------------------------------------------------------------------------

    def prose(self, node: _Node, limit: Limit = Limit.NAME, *, word: int | None = None) -> str:
        value = node.text(limit, word=word)
        for name in _PLACEHOLDER.findall(value):
            if name not in PLACEHOLDERS:
                known = ", ".join(sorted(PLACEHOLDERS))
                raise node.error(f"unknown placeholder %({name})s (known: {known})")
        if re.search(r"%(?!\(\w+\)s|%)", value):
            raise node.error("a lone % must be written %% (placeholders are %(name)s)")
        return value

    def email(self, node: _Node) -> str:
        value = node.text(Limit.EMAIL)
        if not _EMAIL.fullmatch(value):
            raise node.error("not an e-mail address (expected name@domain.ma)")
        return value

    def phone(self, node: _Node) -> str:
        value = node.text()
        if not _PHONE.fullmatch(value):
            raise node.error("not a Moroccan phone number (expected e.g. 05 38 00 20 20)")
        return value

    def url(self, node: _Node) -> str:
        value = node.text(Limit.URL)
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            raise node.error("not a web address (expected https://…)")
        return value

    def localized(self, node: _Node, limit: Limit) -> dict[str, str]:
        fields = _Fields(node)
        out = {lang: fields.need(lang).text(limit) for lang in LANGUAGES}
        fields.done()
        return out

    # -- parts ------------------------------------------------------------------------------

    def notice(self, node: _Node) -> NoticeInfo:
        f = _Fields(node)
        date_node = f.need("effective_date")
        date = date_node.scalar()
        if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
            raise date_node.error("expected a date written YYYY-MM-DD")
        version = f.need("version")
        info = NoticeInfo(
            title=self.prose(f.need("title")),
            version=version.text(Limit.CODE),
            effective_date=date,
            url=self.url(f.need("url")),
        )
        f.done()
        return info

    def body(self, node: _Node) -> Body:
        f = _Fields(node)
        body = Body(
            acronym=f.need("acronym").text(Limit.CODE),
            name=self.localized(f.need("name"), Limit.NAME),
            short=self.localized(f.need("short"), Limit.SHORT),
            website=self.url(f.need("website")),
            phone=self.phone(f.need("phone")),
            app=f.need("app").text(Limit.SHORT),
        )
        f.done()
        return body

    def channels(self, node: _Node) -> Channels:
        f = _Fields(node)
        channels = Channels(
            call_centre=self.phone(f.need("call_centre")), portal=self.url(f.need("portal"))
        )
        f.done()
        return channels

    def contacts(self, node: _Node) -> dict[str, Contact]:
        out: dict[str, Contact] = {}
        for item in node.sequence():
            f = _Fields(item)
            id_node = f.need("id")
            cid = id_node.text()
            if not _ID.fullmatch(cid):
                raise id_node.error("an id is lower-case letters, digits and hyphens (at most 40)")
            if cid in out:
                raise id_node.error(f"contact id {cid!r} is used twice")
            out[cid] = Contact(
                id=cid,
                title=self.prose(f.need("title"), word=CELL_WORD),
                email=self.email(f.need("email")),
                address=self.prose(f.need("address"), Limit.ENTRY, word=CELL_WORD),
            )
            f.done()
        return out

    def operations(self, node: _Node, contacts: dict[str, Contact]) -> tuple[Operation, ...]:
        items = node.sequence()
        if not items:
            raise node.error("the register is empty: list at least one operation")
        seen: dict[Reference, int] = {}
        used: set[str] = set()
        out = []
        for item in items:
            f = _Fields(item)
            ref_node = f.need("reference")
            try:
                reference = Reference.parse(ref_node.text(Limit.CODE))
            except ValueError as exc:
                raise ref_node.error(str(exc)) from None
            if reference in seen:
                raise ref_node.error(
                    f"CNDP reference {reference} is already used at line {seen[reference]}"
                )
            seen[reference] = ref_node.line
            contact = None
            contact_node = f.get("contact")
            if contact_node is None:
                self.warnings.append(
                    Warning_(
                        f"operation {reference} has no contact: it falls back to the general "
                        "channels (call centre, portal)",
                        self.name,
                        item.line,
                        f"{item.path}.contact",
                    )
                )
            else:
                cid = contact_node.text()
                if cid not in contacts:
                    known = ", ".join(contacts)
                    shown = f" {cid!r}" if _ID.fullmatch(cid) else ""
                    raise contact_node.error(f"unknown contact id{shown} (known: {known})")
                contact = contacts[cid]
                used.add(cid)
            title = self.prose(f.need("title"), Limit.ENTRY, word=CELL_WORD)
            out.append(Operation(title, reference, contact, item.line))
            f.done()
        for cid in contacts.keys() - used:
            self.warnings.append(
                Warning_("contact handles no operation", self.name, None, f"contacts.{cid}")
            )
        return tuple(out)

    def sections(self, node: _Node) -> tuple[Section, ...]:
        out = []
        ids: set[str] = set()
        items = node.sequence()
        if len(items) > MAX_SECTIONS:
            raise node.error(f"too many sections ({len(items)}, at most {MAX_SECTIONS})")
        for item in items:
            f = _Fields(item)
            id_node = f.need("id")
            sid = id_node.text()
            if not _ID.fullmatch(sid):
                raise id_node.error("an id is lower-case letters, digits and hyphens (at most 40)")
            if sid in ids:
                raise id_node.error(f"section id {sid!r} is used twice")
            ids.add(sid)
            title = self.prose(f.need("title"))
            blocks = tuple(self.block(b) for b in f.need("blocks").sequence())
            f.done()
            out.append(Section(sid, title, blocks))
        if not out:
            raise node.error("the notice has no section")
        return tuple(out)

    def block(self, node: _Node) -> Block:
        f = _Fields(node)
        kinds = list(f.items)
        if len(kinds) != 1:
            raise node.error("a block is one of: p, heading, list, operations, channels, contacts")
        kind = kinds[0]
        value = f.need(kind)
        if kind == "heading":
            return Block(kind, text=self.prose(value))
        if kind == "p":
            return Block(kind, text=self.prose(value, Limit.PROSE))
        if kind == "list":
            return Block(kind, items=tuple(self.prose(i, Limit.PROSE) for i in value.sequence()))
        if kind in ("operations", "channels", "contacts"):
            if value.scalar() != "all":
                raise value.error(f"write `{kind}: all` (the whole register is shown)")
            return Block(kind)
        raise value.error(
            "unknown block kind (use p, heading, list, operations, channels or contacts)"
        )


def prose_strings(text: str, name: str = "<data>") -> Iterator[tuple[int, str, str]]:
    """Each translatable string of a data file as (line, field path, text), for extraction."""
    loads(text, name)  # validate first: a broken file never reaches the catalog
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    yield from _walk_prose(root, "")


# Fields whose values are prose (translated); everything else is a name, code or address.
_PROSE_FIELDS = {"title", "address", "p", "heading", "list"}


def _walk_prose(node: yaml.Node, path: str) -> Iterator[tuple[int, str, str]]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            key = key_node.value
            child = f"{path}.{key}" if path else key
            if key in _PROSE_FIELDS and isinstance(value, yaml.ScalarNode):
                yield value.start_mark.line + 1, child, _fold(value.value)
            elif key == "list" and isinstance(value, yaml.SequenceNode):
                for i, item in enumerate(value.value):
                    yield item.start_mark.line + 1, f"{child}[{i}]", _fold(item.value)
            else:
                yield from _walk_prose(value, child)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _walk_prose(item, f"{path}[{i}]")
