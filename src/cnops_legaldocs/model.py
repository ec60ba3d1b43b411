"""The notice and its register as typed, validated data, loaded from YAML with line numbers.

`load()` reads the package's embedded default (the CNOPS notice); `load(path)` reads another
file of the same shape. Every error names the file, line and field, never the offending value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from . import assets, yamldata
from .errors import ArgumentError
from .yamldata import Fields, Limit, Node, email, identifier, phone, url

LANGUAGES: tuple[str, ...] = ("fr", "ar")
"""The languages every document exists in (the source language first)."""

# Placeholders that prose may use; `LegalData.placeholders(lang)` fills them.
PLACEHOLDERS = frozenset({"body", "body_name", "acronym", "website", "phone", "app"})

_REFERENCE = re.compile(
    r"(?P<letter>[AD])-(?:(?P<code>[A-Z]+(?:-[A-Z]+)*)-)?(?P<seq>[0-9]{1,5})/(?P<year>[0-9]{4})"
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")

# The longest word of a value printed in a table cell (operation and contact titles,
# addresses): a longer one would widen its column past the page. Elsewhere long words wrap.
CELL_WORD = 25
# Sections are lettered A to L.
MAX_SECTIONS = 12
MAX_OPERATIONS = 5000  # a register far longer than any fund's: bounds the time of a render


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
class Authority:
    """The supervisory authority (the CNDP) to which a person may complain (law 09-08, art. 28)."""

    acronym: str
    name: Mapping[str, str]
    website: str


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
    """The whole source: notice, issuing body, supervisory authority, channels, contacts,
    operations and sections."""

    notice: NoticeInfo
    body: Body
    authority: Authority
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


def printed_fields(data: LegalData) -> Iterator[tuple[str, str]]:
    """Each value of the data that a document prints, as (its field as written in the data
    file, e.g. ``body.name.ar`` or ``sections[2].blocks[0].p``, its text)."""
    yield from _fields_of(data.notice, "notice")
    for name in ("body", "authority", "channels"):
        yield from _fields_of(getattr(data, name), name)
    for i, contact in enumerate(data.contacts):
        yield from _fields_of(contact, f"contacts[{i}]")
    for i, op in enumerate(data.operations):
        yield f"operations[{i}].title", op.title
        yield f"operations[{i}].reference", str(op.reference)
    for i, section in enumerate(data.sections):
        yield f"sections[{i}].title", section.title
        for j, block in enumerate(section.blocks):
            where = f"sections[{i}].blocks[{j}].{block.kind}"
            if block.text:
                yield where, block.text
            yield from ((f"{where}[{k}]", item) for k, item in enumerate(block.items))


def _fields_of(record: object, path: str) -> Iterator[tuple[str, str]]:
    for item in dataclasses.fields(record):  # type: ignore[arg-type]
        value = getattr(record, item.name)
        if isinstance(value, Mapping):
            yield from ((f"{path}.{item.name}.{k}", str(v)) for k, v in value.items())
        else:
            yield f"{path}.{item.name}", str(value)


# --------------------------------------------------------------------------------------------
# Loading


def load(source: str | os.PathLike[str] | Mapping[str, Any] | None = None) -> LegalData:
    """Load and validate a notice: from a file (a path), YAML text (a string of more than
    one line), a mapping of the same shape (as parsed from YAML or JSON), or, with nothing,
    the CNOPS notice embedded in the package. A mapping's errors name its fields (and the
    lines of its YAML form, ``<mapping>``)."""
    if source is None:
        default = assets.default_data()
        return loads(default.read_text(encoding="utf-8"), "cnops.yaml (embedded default)")
    if isinstance(source, Mapping):
        try:
            text = yaml.safe_dump(dict(source), allow_unicode=True, sort_keys=False)
        except yaml.YAMLError:
            raise ArgumentError("source: the mapping holds values YAML cannot hold") from None
        return loads(text, "<mapping>")
    if isinstance(source, str) and "\n" in source:
        return loads(source, "<text>")
    if not isinstance(source, str | os.PathLike):
        raise ArgumentError(
            f"source: expected a path, YAML text or a mapping, not {type(source).__name__}"
        )
    return loads(yamldata.read_text(source), str(source))


def loads(text: str, name: str = "<data>") -> LegalData:
    """Validate a notice given as YAML text; `name` is the file name used in messages."""
    return _Reader(name).read(text)


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.warnings: list[Warning_] = []

    def read(self, text: str) -> LegalData:
        root = yamldata.parse(text, self.name)
        top = Fields(root)
        yamldata.schema(top)
        notice = self.notice(top.need("notice"))
        body = self.body(top.need("body"))
        authority = self.authority(top.need("authority"))
        channels = self.channels(top.need("channels"))
        contacts = self.contacts(top.need("contacts"))
        operations = self.operations(top.need("operations"), contacts)
        sections = self.sections(top.need("sections"))
        top.done()
        return LegalData(
            notice=notice,
            body=body,
            authority=authority,
            channels=channels,
            contacts=tuple(contacts.values()),
            operations=operations,
            sections=sections,
            source=self.name,
            warnings=tuple(
                Warning_(message, self.name, line, path)
                for line, path, message in root.source.warnings
            )
            + tuple(self.warnings),
        )

    # -- validators -------------------------------------------------------------------------

    def prose(self, node: Node, limit: Limit = Limit.NAME, *, word: int | None = None) -> str:
        value = node.text(limit, word=word)
        for name in _PLACEHOLDER.findall(value):
            if name not in PLACEHOLDERS:
                known = ", ".join(sorted(PLACEHOLDERS))
                raise node.error(f"unknown placeholder %({name})s (known: {known})")
        if re.search(r"%(?!\(\w+\)s|%)", value):
            raise node.error("a lone % must be written %% (placeholders are %(name)s)")
        return value

    # -- parts ------------------------------------------------------------------------------

    def notice(self, node: Node) -> NoticeInfo:
        f = Fields(node)
        date_node = f.need("effective_date")
        date = date_node.scalar()
        if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
            raise date_node.error("expected a date written YYYY-MM-DD")
        version = f.need("version")
        info = NoticeInfo(
            title=self.prose(f.need("title")),
            version=version.text(Limit.CODE),
            effective_date=date,
            url=url(f.need("url")),
        )
        f.done()
        return info

    def body(self, node: Node) -> Body:
        f = Fields(node)
        body = Body(
            acronym=f.need("acronym").text(Limit.CODE),
            name=yamldata.localized(f.need("name"), LANGUAGES, Limit.NAME),
            short=yamldata.localized(f.need("short"), LANGUAGES, Limit.SHORT),
            website=url(f.need("website")),
            phone=phone(f.need("phone")),
            app=f.need("app").text(Limit.SHORT),
        )
        f.done()
        return body

    def authority(self, node: Node) -> Authority:
        f = Fields(node)
        authority = Authority(
            acronym=f.need("acronym").text(Limit.CODE),
            name=yamldata.localized(f.need("name"), LANGUAGES, Limit.NAME),
            website=url(f.need("website")),
        )
        f.done()
        return authority

    def channels(self, node: Node) -> Channels:
        f = Fields(node)
        channels = Channels(call_centre=phone(f.need("call_centre")), portal=url(f.need("portal")))
        f.done()
        return channels

    def contacts(self, node: Node) -> dict[str, Contact]:
        out: dict[str, Contact] = {}
        for item in node.sequence():
            f = Fields(item)
            id_node = f.need("id")
            cid = identifier(id_node)
            if cid in out:
                raise id_node.error(f"contact id {cid!r} is used twice")
            out[cid] = Contact(
                id=cid,
                title=self.prose(f.need("title"), word=CELL_WORD),
                email=email(f.need("email")),
                address=self.prose(f.need("address"), Limit.ENTRY, word=CELL_WORD),
            )
            f.done()
        return out

    def operations(self, node: Node, contacts: dict[str, Contact]) -> tuple[Operation, ...]:
        items = node.sequence(MAX_OPERATIONS)
        if not items:
            raise node.error("the register is empty: list at least one operation")
        seen: dict[Reference, int] = {}
        used: set[str] = set()
        out = []
        for item in items:
            f = Fields(item)
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
                    shown = f" {cid!r}" if yamldata.looks_like_id(cid) else ""
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

    def sections(self, node: Node) -> tuple[Section, ...]:
        out = []
        ids: set[str] = set()
        items = node.sequence()
        if len(items) > MAX_SECTIONS:
            raise node.error(f"too many sections ({len(items)}, at most {MAX_SECTIONS})")
        for item in items:
            f = Fields(item)
            id_node = f.need("id")
            sid = id_node.text()
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

    def block(self, node: Node) -> Block:
        f = Fields(node)
        kinds = list(f.items)
        if len(kinds) != 1:
            raise node.error("a block is one of: p, heading, list, operations, channels, contacts")
        kind = kinds[0]
        value = f.need(kind)
        if kind in ("p", "heading"):
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
                yield value.start_mark.line + 1, child, yamldata.fold(value.value)
            elif key == "list" and isinstance(value, yaml.SequenceNode):
                for i, item in enumerate(value.value):
                    yield item.start_mark.line + 1, f"{child}[{i}]", yamldata.fold(item.value)
            else:
                yield from _walk_prose(value, child)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _walk_prose(item, f"{path}[{i}]")
