"""Pre-filled DOCX forms in volume: the form's package built once per worker, each row's
values written into a copy of its XML.

Two rows of a form differ only by the identity values, page text in their boxes: the box
grid's columns are sized by the labels, never by the values, and the fonts keep every letter
one may type (`subset.TYPING`). So a `FormFiller` (one per worker, kind and language) writes
the form whole once for each set of filled fields (that set decides which fields stay content
controls, and so their numbering), recording where each value's paragraph is and how it was
written (language, direction, room). Per row it builds the document's tree (the values as the
template cleans and isolates them), writes only the value paragraphs, through the same writer
and stylesheet, into a copy of the body, and zips it with the other parts, deflated once.

The result is byte for byte the row rendered whole (tests/test_docx_fill.py). A row with a
character the fonts do not keep is rendered whole instead (its fonts differ).
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement
from docx.text.paragraph import Paragraph
from lxml import etree

from ... import documents
from ...model import LegalData
from ...person import Person
from . import ooxml
from .forms import FormLayout
from .subset import ALWAYS, TYPING
from .writer import Writer, classes

if TYPE_CHECKING:
    from ...batch import Job

DOCUMENT_PART = "word/document.xml"
MAX_BASES = 16  # bases kept per worker, the least recently used dropped


def _field_of(td: etree._Element) -> str | None:
    """The form field a grid cell's value fills (``data-field`` of its ``span.value``)."""
    for span in td.iter("span"):
        if "value" in classes(span) and span.get("data-field"):
            return span.get("data-field")
    return None


@dataclass(frozen=True)
class Slot:
    """Where a value's paragraph is in the body (child indices from the document element)
    and how it was written."""

    path: tuple[int, ...]
    lang: str
    rtl: bool
    width: float
    field_width: float


class _RecordingForm(FormLayout):
    """The form layout, noting each value paragraph it writes."""

    def __init__(self, writer: Writer) -> None:
        super().__init__(writer)
        self.values: dict[str, tuple[etree._Element, Slot]] = {}

    def _grid_cell(self, cell: Any, td: etree._Element, width: float) -> None:
        super()._grid_cell(cell, td, width)
        field = _field_of(td)
        if field is not None:
            w = self.w
            slot = Slot((), w.lang, w.rtl, w.width, _field_width(width))
            self.values[field] = (cell.paragraphs[0]._p, slot)


def _field_width(width: float) -> float:
    from .forms import _FIELD, MM

    border, _, _, _, padding = _FIELD.box or (0, "", "", 0, 0)
    return width - 2 * (padding * MM + border)


def _path(element: etree._Element) -> tuple[int, ...]:
    path = []
    while element.getparent() is not None:
        parent = element.getparent()
        path.append(parent.index(element))
        element = parent
    return tuple(reversed(path))


def _at(root: etree._Element, path: tuple[int, ...]) -> etree._Element:
    for i in path:
        root = root[i]
    return root


@dataclass
class Base:
    """The form written whole for one set of filled fields."""

    writer: Writer
    slots: dict[str, Slot]
    document: etree._Element  # the document part's element, as written
    entries: list[ooxml.ZipEntry | None]  # None: the document part's place


class FormFiller:
    """Renders pre-filled DOCX forms of one kind and language (one per worker)."""

    def __init__(self, data: LegalData, kind: str, lang: str) -> None:
        self.data, self.kind, self.lang = data, kind, lang
        self.bases: OrderedDict[frozenset[str], Base] = OrderedDict()

    def render(self, values: Mapping[str, object]) -> bytes:
        person = Person.from_mapping(values)
        if not all(ord(ch) in TYPING | ALWAYS for value in person.values.values() for ch in value):
            return _whole(self._build(person))[0]  # a character the fonts may not keep
        filled = frozenset(person.values)
        base = self.bases.get(filled)
        if base is None:
            content, base = _base(self._build(person))
            self.bases[filled] = base
            while len(self.bases) > MAX_BASES:  # memory stays flat whatever the rows
                self.bases.popitem(last=False)
            return content
        self.bases.move_to_end(filled)
        return self._fill(base, person)

    def _build(self, person: Person) -> documents.Document:
        return documents.build(self.data, self.kind, self.lang, person=person)

    def _cells(self, person: Person) -> dict[str, etree._Element]:
        """Each filled field's value cell as the built form has it. A one-language form's
        cell holds the value's span alone (`documents.value_element`): two thirds of a row's
        time went into building the whole form again for it. The bilingual form is built."""
        if self.lang != documents.BILINGUAL:
            rtl = documents.DIRECTIONS[self.lang] == "rtl"
            cells = {}
            for field, text in person.values.items():
                cells[field] = td = etree.Element("td", {"class": "field"})
                td.append(documents.value_element(text, field, rtl=rtl))
            return cells
        cells = {}
        for td in self._build(person).root.iter("td"):
            field = _field_of(td)
            if field is not None:
                cells[field] = td
        return cells

    def _fill(self, base: Base, person: Person) -> bytes:
        cells = self._cells(person)
        if set(cells) != set(base.slots):  # another layout than the base's: write it whole
            return _whole(self._build(person))[0]
        document = copy.deepcopy(base.document)
        w = base.writer
        for field, slot in base.slots.items():
            old = _at(document, slot.path)
            p = OxmlElement("w:p")
            saved = w.lang, w.rtl, w.width
            w.lang, w.rtl, w.width = slot.lang, slot.rtl, slot.width
            try:
                w.paragraph(None, cells[field], "Field", existing=Paragraph(p, w.doc._body),
                            field_width=slot.field_width)  # fmt: skip
            finally:
                w.lang, w.rtl, w.width = saved
            old.getparent().replace(old, p)
        part = ooxml.deflate(DOCUMENT_PART, serialize_part_xml(document))
        return ooxml.write_zip(entry or part for entry in base.entries)


def _whole(tree: documents.Document) -> tuple[bytes, Writer]:
    writer = Writer(tree, _RecordingForm)
    return writer.write(), writer


def _base(tree: documents.Document) -> tuple[bytes, Base]:
    content, writer = _whole(tree)
    form: _RecordingForm = writer.extension  # type: ignore[assignment]
    document = writer.doc.element
    slots = {}
    for field, (p, slot) in form.values.items():
        slots[field] = Slot(_path(p), slot.lang, slot.rtl, slot.width, slot.field_width)
    entries: list[ooxml.ZipEntry | None] = []
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        for name in z.namelist():
            entries.append(None if name == DOCUMENT_PART else ooxml.deflate(name, z.read(name)))
    base = Base(writer, slots, document, entries)
    return content, base


def prepare(data: LegalData, kind: str, lang: str) -> Callable[[Job], bytes]:
    """The DOCX forms' row renderer for `batch.render_many` (see `batch.prepare_form`)."""
    filler = FormFiller(data, kind, lang)

    def render(job: Job) -> bytes:
        return filler.render(job.person or {})

    return render
