"""Pre-filled forms in volume: the form laid out once, each row's values laid out over it.

WeasyPrint spends most of a pre-filled form's time laying out the page, yet two rows differ
only by the identity values, printed as page text in their boxes (``span.value``). So a
`FormPrinter` (one per worker, kind and language) renders, once, the *base*: the form whose
value boxes are present but empty (no placeholder text), with its AcroForm of the remaining
fields, and reads from its layout where each value box is (page, border box). Per row it lays
out only the values: a small document of the same boxes, absolutely positioned at those places,
through the same stylesheets and fonts (so the same cascade: font, size, line height, direction
and wrapping), with transparent borders and no background (the base draws them), and stamps its
page over the base's (`stamp`). Rasterised, the result is the row rendered whole, pixel for
pixel (tests/test_batch_forms.py); it costs a fifth of the time.

Why that is exact: the forms' stylesheet makes a value's box independent of the value (the
identity grid's columns are sized by their labels, never by what is written in them), and a
box's text is laid out within the box alone. What a value can change is the height of its box:
a long address wraps onto more lines and the box grows, pushing what follows down. So each
row's boxes are measured in the values' layout; when they are not the base's height, the row
uses a base laid out with boxes of those heights (made once and kept: rows that wrap alike share
it). A row whose values, placed over the base, do not land exactly in its boxes (which the
stylesheet rules out, but a future template might not) is rendered whole instead (`slow`).
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import weasyprint
from lxml import etree

from . import documents
from .model import LegalData
from .person import Person
from .renderers import pdf
from .stamp import stamp

if TYPE_CHECKING:
    from .batch import Job

SLOT_CLASS = "value"
"""The class of a pre-filled value's box in the document tree (see `documents`)."""

_OVERLAY = "cnops-values"  # class of the values' document body, and its page name
_TOLERANCE = 1e-3  # CSS px (1/96 in): how far a measured box may be from the base's one


@dataclass(frozen=True)
class Slot:
    """Where a value's box is: page index and border box in CSS px, page coordinates."""

    page: int
    x: float
    y: float
    width: float
    height: float

    def matches(self, other: Slot) -> bool:
        return self.page == other.page and all(
            abs(a - b) <= _TOLERANCE
            for a, b in zip(
                (self.x, self.y, self.width, self.height),
                (other.x, other.y, other.width, other.height),
                strict=True,
            )
        )


@dataclass(frozen=True)
class Base:
    """The form laid out once for a set of filled fields (and box heights): its PDF, the
    value boxes and the sheets that put a page of values on a page of that size."""

    pdf: bytes
    slots: Mapping[str, Slot]
    sheets: tuple[weasyprint.CSS, ...]  # by page index


@dataclass
class Stats:
    """How the rows of a printer were made."""

    fast: int = 0  # values over the first base of their fields
    rebased: int = 0  # values over a base with taller boxes (wrapped values)
    slow: int = 0  # rendered whole


@dataclass
class FormPrinter:
    """Pre-filled forms of one kind and language, made fast; one per worker process.

    Bases are kept per set of filled fields and box heights, the `keep` most recent ones (so
    memory stays bounded however many rows and shapes go through). Threads may share a printer
    (a Dask worker runs tasks in threads): bases are made under a lock."""

    data: LegalData
    kind: str
    lang: str
    keep: int = 16
    stats: Stats = field(default_factory=Stats)
    _bases: OrderedDict[tuple[object, ...], Base] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in documents.FORM_KINDS:
            raise ValueError(f"{self.kind!r} is not a form")

    def render(self, person: Mapping[str, str]) -> bytes:
        """The PDF of the form pre-filled with `person`, as `api.render` makes it; a bad value
        raises `DataError` naming the field."""
        filled = Person.from_mapping(person)
        document = documents.build(self.data, self.kind, self.lang, person=filled)
        fields = tuple(_value_boxes(document.root))
        base = self.base(fields)
        pages, placed = _lay_out_values(document.root, base)
        rebased = not _fits(placed, base.slots, heights_only=True)
        if rebased:
            heights = tuple(placed[name].height for name in fields)
            base = self.base(fields, heights)
            pages, placed = _lay_out_values(document.root, base)
        if not _fits(placed, base.slots):
            self.stats.slow += 1
            return pdf.render(document, forms=True)
        if rebased:
            self.stats.rebased += 1
        else:
            self.stats.fast += 1
        created = self.data.notice.effective_date
        overlays = {page: pdf.write(laid_out, created=created) for page, laid_out in pages.items()}
        return stamp(base.pdf, overlays)

    def base(self, fields: tuple[str, ...], heights: tuple[float, ...] | None = None) -> Base:
        """The form with empty boxes for `fields` (of the given border-box `heights` in CSS px,
        or their own), laid out and drawn once, then kept."""
        key = (fields, heights)
        with self._lock:
            base = self._bases.get(key)
            if base is None:
                base = self._bases[key] = self._make_base(fields, heights)
                while len(self._bases) > self.keep:
                    self._bases.popitem(last=False)
            else:
                self._bases.move_to_end(key)
            return base

    def _make_base(self, fields: tuple[str, ...], heights: tuple[float, ...] | None) -> Base:
        empty = Person(dict.fromkeys(fields, ""))
        document = documents.build(self.data, self.kind, self.lang, person=empty)
        boxes = _value_boxes(document.root)
        for index, box in enumerate(boxes.values()):
            box.text = None
            for child in list(box):
                box.remove(child)
            if heights is not None:
                box.set("style", f"height: {heights[index]!r}px")
        laid_out = pdf.lay_out(document.html(), forms=True)
        slots = _slots(laid_out)
        sheets = tuple(
            pdf.stylesheet(_values_css(page.width, page.height, slots, number))
            for number, page in enumerate(laid_out.pages)
        )
        drawn = pdf.write(
            laid_out, forms=True, created=document.created, languages=document.languages
        )
        return Base(drawn, slots, sheets)


def _value_boxes(root: etree._Element) -> dict[str, etree._Element]:
    """The value boxes of a document tree by field name, in document order."""
    return {
        el.get("data-field"): el
        for el in root.iter("span")
        if SLOT_CLASS in el.get("class", "").split() and el.get("data-field")
    }


def _slots(laid_out: weasyprint.Document) -> dict[str, Slot]:
    """Where each value box was laid out (the first fragment of each)."""
    slots: dict[str, Slot] = {}

    def walk(box: object, page: int) -> None:
        box = getattr(box, "_box", box)  # an absolutely positioned box's placeholder
        element = getattr(box, "element", None)
        if (
            isinstance(box, weasyprint.formatting_structure.boxes.BlockBox)
            and element is not None
            and getattr(box, "element_tag", None) == "span"
            and SLOT_CLASS in (element.get("class") or "").split()
        ):
            name = element.get("data-field")
            if name and name not in slots:
                slots[name] = Slot(
                    page,
                    box.border_box_x(),
                    box.border_box_y(),
                    box.border_width(),
                    box.border_height(),
                )
            return
        for child in getattr(box, "children", ()):
            walk(child, page)

    for number, page in enumerate(laid_out.pages):
        walk(page._page_box, number)
    return slots


def _fits(placed: Mapping[str, Slot], slots: Mapping[str, Slot], heights_only=False) -> bool:
    """Whether every value box landed on its base box (or has at least its height)."""
    if placed.keys() != slots.keys():
        return False
    if heights_only:
        return all(abs(placed[n].height - slots[n].height) <= _TOLERANCE for n in slots)
    return all(placed[n].matches(slots[n]) for n in slots)


def _lay_out_values(
    root: etree._Element, base: Base
) -> tuple[dict[int, weasyprint.Document], dict[str, Slot]]:
    """The values laid out alone, page by page of `base` (`_values_html`, `_values_css`), and
    where each value's box landed."""
    pages: dict[int, weasyprint.Document] = {}
    placed: dict[str, Slot] = {}
    for page in sorted({slot.page for slot in base.slots.values()}):
        names = {name for name, slot in base.slots.items() if slot.page == page}
        laid_out = pdf.lay_out(_values_html(root, names), extra=(base.sheets[page],))
        pages[page] = laid_out
        for name, slot in _slots(laid_out).items():
            placed[name] = Slot(page, slot.x, slot.y, slot.width, slot.height)
    return pages, placed


def _values_css(width: float, height: float, slots: Mapping[str, Slot], page: int) -> str:
    """The stylesheet that puts the values of one page of a base where its boxes are: a page of
    its size without margins or margin boxes, each value box absolutely positioned on its base
    box, its border (kept for its width) and background left to the base."""
    rules = [
        f"@page {_OVERLAY} {{ size: {width!r}px {height!r}px; margin: 0;"
        " @top-center { content: none } @bottom-center { content: none } }",
        f"html body.{_OVERLAY} {{ page: {_OVERLAY} }}",
    ]
    rules += [
        f'span.{SLOT_CLASS}[data-field="{name}"] {{ position: absolute !important; '
        f"left: {slot.x!r}px !important; top: {slot.y!r}px !important; "
        f"width: {slot.width!r}px !important; margin: 0 !important; "
        "border-color: transparent !important; background: none !important }"
        for name, slot in slots.items()
        if slot.page == page
    ]
    return "\n".join(rules)


def _values_html(root: etree._Element, names: set[str]) -> str:
    """The document reduced to the value boxes of `names`, kept verbatim, inside bare copies of
    their ancestors (tag and attributes: what the cascade reads), boxes whose ancestors are
    alike sharing them (they are absolutely positioned: the flow between them is irrelevant)."""
    out = etree.Element(root.tag, dict(root.attrib))
    etree.SubElement(etree.SubElement(out, "head"), "meta", charset="utf-8")
    shells: dict[tuple[object, ...], etree._Element] = {}
    for name, box in _value_boxes(root).items():
        if name not in names:
            continue
        parent, key = out, ()
        for ancestor in reversed(list(box.iterancestors())[:-1]):  # below the root
            key += ((ancestor.tag, tuple(ancestor.attrib.items())),)
            if key not in shells:
                shells[key] = etree.SubElement(parent, ancestor.tag, dict(ancestor.attrib))
            parent = shells[key]
        copied = copy.deepcopy(box)
        copied.tail = None
        parent.append(copied)
    body = out.find("body")
    assert body is not None
    body.set("class", f"{body.get('class', '')} {_OVERLAY}".strip())
    return "<!DOCTYPE html>\n" + etree.tostring(out, encoding="unicode", method="html")


def prepare(data: LegalData, kind: str, lang: str, fmt: str) -> Callable[[Job], bytes]:
    """The forms' row renderer for `batch.render_many` (see `batch.Preparer`): a `FormPrinter`
    per worker for PDF, a `renderers.docx.fill.FormFiller` for DOCX."""
    from .batch import prepare_documents

    if fmt == "docx":  # the form's package built once, each row's values filled in
        from .renderers.docx import fill

        return fill.prepare(data, kind, lang)
    if fmt != "pdf":
        return prepare_documents(data, kind, lang, fmt)
    printer = FormPrinter(data, kind, lang)

    def render(job: Job) -> bytes:
        return printer.render(job.person or {})

    return render
