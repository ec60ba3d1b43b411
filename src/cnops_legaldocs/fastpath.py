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

Most rows run no layout engine at all (`Plan`, `shaped`): once a set of filled fields (and a
pattern of wrapped values) has been laid out that way, its boxes are measured with probe values
and later rows are shaped by HarfBuzz (`shaping`) and drawn over the base by an incremental
update (`overprint`), pixel-identical (tests/test_shaped_forms.py).

Threads may share a printer (`api.render` keeps one per process): bases and plans are made
under a lock and never change once made; HarfBuzz fonts are immutable, one per size.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from . import assets, bidi, documents, overprint, shaping
from .model import LegalData
from .person import NO_ONE, Person
from .renderers import pdf
from .renderers.engine import weasyprint
from .stamp import stamp

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
    stylesheets: tuple[str, ...]  # the package's stylesheets of the form (`pdf.stylesheets_of`)


@dataclass
class Stats:
    """How the rows of a printer were made."""

    shaped: int = 0  # values shaped by HarfBuzz and drawn over the base: no layout engine
    fast: int = 0  # values laid out by WeasyPrint over the first base of their fields
    rebased: int = 0  # values over a base with taller boxes (wrapped values)
    slow: int = 0  # rendered whole


@dataclass
class FormPrinter:
    """Pre-filled forms of one kind and language, made fast; one per worker process.

    Bases are kept per set of filled fields and box heights, the `keep` most recent ones (so
    memory stays bounded however many rows and shapes go through), likewise plans. Threads may
    share a printer (a Dask worker runs tasks in threads): bases and plans are made under a
    lock."""

    data: LegalData
    kind: str
    lang: str
    keep: int = 16
    stats: Stats = field(default_factory=Stats)
    _bases: OrderedDict[tuple[object, ...], Base] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _plans: OrderedDict[tuple[object, ...], Plan | None] = field(
        default_factory=OrderedDict, repr=False
    )

    def __post_init__(self) -> None:
        if self.kind not in documents.FORM_KINDS:
            raise ValueError(f"{self.kind!r} is not a form")

    def render(self, person: Mapping[str, str]) -> bytes:
        """The PDF of the form pre-filled with `person`, as `api.render` makes it; a bad value
        raises `DataError` naming the field."""
        filled = Person.from_mapping(person)
        names = frozenset(filled.values)
        if (names, ()) not in self._plans:  # measured on values of no one: the same plan,
            self._render(Person.from_mapping({n: NO_ONE[n] for n in names}))  # any history
        return self._render(filled)

    def _render(self, filled: Person) -> bytes:
        names = frozenset(filled.values)
        first = self._plans.get((names, ()))  # one line per value: its frames measure widths
        shaped = first.shape(filled.values, self.lang) if first is not None else None
        wrapped = _wrapped(shaped) if shaped is not None else ()
        plan = self._plans.get((names, wrapped)) if shaped is not None else None
        if plan is not None and shaped is not None:
            self.stats.shaped += 1
            return plan.draw(shaped)
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
        if shaped is not None or not rebased:
            self._plan((names, wrapped), document.root, filled, base, pages)
            plan = self._plans.get((names, wrapped)) if shaped is not None else None
            if plan is not None and shaped is not None:  # as the rows after it will be
                self.stats.shaped += 1
                return plan.draw(shaped)
        created = self.data.notice.effective_date
        overlays = {page: pdf.write(laid_out, created=created) for page, laid_out in pages.items()}
        return stamp(base.pdf, overlays)

    def _plan(
        self,
        key: tuple[object, ...],
        root: etree._Element,
        filled: Person,
        base: Base,
        pages: Mapping[int, weasyprint.Document],
    ) -> None:
        """Make, once per set of filled fields and wrapped values, the plan that draws a row's
        values without a layout engine (None when this form's boxes do not allow it)."""
        if key in self._plans:
            return
        with self._lock:
            if key not in self._plans:
                self._plans[key] = Plan.make(root, filled, base, self.lang, pages)
                while len(self._plans) > self.keep:
                    self._plans.popitem(last=False)

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
        stylesheets = pdf.stylesheets_of(document)
        laid_out = pdf.lay_out(document.html(), forms=True, sheets=stylesheets)
        slots = _slots(laid_out)
        sheets = tuple(
            pdf.stylesheet(_values_css(page.width, page.height, slots, number))
            for number, page in enumerate(laid_out.pages)
        )
        drawn = pdf.write(
            laid_out, forms=True, created=document.created, languages=document.languages
        )
        return Base(drawn, slots, sheets, stylesheets)


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
        laid_out = pdf.lay_out(
            _values_html(root, names), extra=(base.sheets[page],), sheets=base.stylesheets
        )
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


# --------------------------------------------------------------------------------------------
# Values shaped by HarfBuzz, drawn over the base: no layout engine per row

_PROBES = ("\u0628", "H", "H \u0628")  # a line in Arabic, in Latin, in both
"""Calibration texts: a line's baseline depends on the fonts on it (each font's ascent)."""


@dataclass(frozen=True)
class Frame:
    """What WeasyPrint does with one value box, measured once: its content box (CSS px), the
    fonts of its family list, size and colour, and by the set of fonts on a line, where the
    line's baseline is below its top and how tall the line is."""

    page: int
    x: float
    top: float
    width: float
    faces: tuple[shaping.Face, ...]
    size: float
    color: tuple[float, float, float]
    baselines: Mapping[frozenset[int], float]
    heights: Mapping[frozenset[int], float]


ShapedRow = dict[str, tuple[list[tuple[shaping.Line, str]], str]]
"""By field: the value's lines (shaped, with their logical text) and its direction."""


def _wrapped(shaped: ShapedRow) -> tuple[object, ...]:
    """What makes a row's boxes taller than one line: the values on several lines, and the
    fonts on each of their lines."""
    return tuple(
        (name, tuple(line.fonts for line, _ in lines))
        for name, (lines, _) in sorted(shaped.items())
        if len(lines) > 1
    )


@dataclass(frozen=True)
class Plan:
    """A base (for a set of filled fields and wrapped values) as an `overprint.Sheet`, and the
    frame of each value box: a row that wraps alike is drawn from these alone."""

    sheet: overprint.Sheet
    frames: Mapping[str, Frame]
    rtl: bool  # the document is right to left (its values' Latin tokens are isolated)

    @classmethod
    def make(
        cls,
        root: etree._Element,
        filled: Person,
        base: Base,
        lang: str,
        pages: Mapping[int, weasyprint.Document],
    ) -> Plan | None:
        """Measure the frames from WeasyPrint's layout of probe values; None if the row's
        values are not printed as `printed` says or a box is not one `Frame` can describe."""
        rtl = (root.get("dir") or "") == "rtl"
        boxes = _value_boxes(root)
        for name, box in boxes.items():
            if "".join(box.itertext()) != printed(filled.values[name], name, rtl)[0]:
                return None
        frames: dict[str, dict[str, object]] = {}
        for probe in _PROBES:
            if frames and all(_measured(frame, probe) for frame in frames.values()):
                continue  # its fonts are another probe's (Arabic documents: Amiri for both)
            probe_root = copy.deepcopy(root)
            for box in _value_boxes(probe_root).values():
                for child in list(box):
                    box.remove(child)
                box.text = f"{bidi.FSI}{probe}{bidi.PDI}"
                box.set("dir", bidi.direction(probe))
            probe_pages, placed = _lay_out_values(probe_root, base)
            if placed.keys() != base.slots.keys() or any(
                not dataclasses.replace(placed[n], height=s.height).matches(s)
                for n, s in base.slots.items()
            ):
                return None
            for page, laid_out in probe_pages.items():
                for name, found in _text_boxes(laid_out).items():
                    frame = frames.get(name) or _frame_style(found.box, page)
                    if frame is None or not _measure(frame, found, probe, lang):
                        return None
                    frames[name] = frame
        if frames.keys() != boxes.keys():
            return None
        plan = cls(
            overprint.Sheet(base.pdf),
            {name: Frame(**values) for name, values in frames.items()},  # type: ignore[arg-type]
            rtl,
        )
        shaped = plan.shape(filled.values, lang)
        counts = {
            name: len(found.lines)
            for p in pages.values()
            for name, found in _text_boxes(p, single=False).items()
        }
        if shaped is None or counts != {n: len(lines) for n, (lines, _) in shaped.items()}:
            return None  # WeasyPrint wraps this row's values otherwise
        return plan

    def shape(self, values: Mapping[str, str], lang: str) -> ShapedRow | None:
        """The row's values shaped and broken into lines, or None if one cannot be (a word
        wider than its box, a font or line the frames were not measured with)."""
        out: ShapedRow = {}
        for name, frame in self.frames.items():
            text, direction = printed(values[name], name, self.rtl)
            try:
                lines = _break(text, direction, frame, lang)
            except LookupError:
                return None
            if lines is None or any(line.fonts not in frame.baselines for line, _ in lines):
                return None
            out[name] = (lines, direction)
        return out

    def draw(self, shaped: ShapedRow) -> bytes:
        """The row's PDF: its shaped values drawn over the base."""
        pages: dict[int, list[overprint.TextLine]] = {}
        for name, (lines, direction) in shaped.items():
            frame = self.frames[name]
            top = frame.top
            for line, logical in lines:
                x = frame.x if direction == "ltr" else frame.x + frame.width - line.width
                pages.setdefault(frame.page, []).append(
                    overprint.TextLine(
                        line,
                        frame.faces,
                        x,
                        top + frame.baselines[line.fonts],
                        frame.color,
                        logical,
                    )
                )
                top += frame.heights[line.fonts]
        return self.sheet.draw(pages)


def _logical(text: str) -> str:
    return "".join(ch for ch in text if ch not in bidi.BIDI_CONTROLS)


def _break(
    text: str, direction: str, frame: Frame, lang: str
) -> list[tuple[shaping.Line, str]] | None:
    """`text` in lines that fit the frame's width, broken after spaces as Pango breaks them
    (greedy, trailing space not counted), or None if a word alone is too wide (WeasyPrint
    would break inside it) or the text holds nested isolates (boxes WeasyPrint lays out
    apart)."""
    whole = shaping.shape(text, direction, frame.faces, frame.size, lang)
    if whole.width <= frame.width:
        return [(whole, _logical(text))]
    if any(ch in text[1:-1] for ch in bidi.BIDI_CONTROLS) or "\n" in text:
        return None
    advances = [0] * (len(text) + 1)
    for glyph in whole.glyphs:
        advances[glyph.cluster] += glyph.advance
    limit = frame.width * shaping.PANGO_SCALE
    lines: list[tuple[shaping.Line, str]] = []
    start = 0
    while True:
        end, width, best = start, 0, None
        while end < len(text):
            if text[end] == " " and end > start:
                if width > limit:
                    break
                best = end
            width += advances[end]
            end += 1
        if width <= limit and end == len(text):
            best = len(text)
        if best is None:
            return None
        line = shaping.shape(text[start:best], direction, frame.faces, frame.size, lang)
        if line.width > frame.width:
            return None
        lines.append((line, _logical(text[start:best])))
        if best == len(text):
            return lines
        start = best + 1


@dataclass
class _Found:
    box: object  # the value's block box
    lines: list[tuple[float, float, float, float, float]]  # top, height, baseline, left, right


def _measured(frame: dict[str, object], probe: str) -> bool:
    """Whether a line of `probe` would have fonts the frame was measured with already."""
    text = f"{bidi.FSI}{probe}{bidi.PDI}"
    faces = frame["faces"]
    assert isinstance(faces, tuple)
    fonts = shaping.fonts_of(text, faces, shaping.levels(text, bidi.direction(probe)))
    baselines = frame.get("baselines", {})
    assert isinstance(baselines, dict)
    return fonts is not None and frozenset(fonts[1:-1]) in baselines


def _measure(frame: dict[str, object], found: _Found, probe: str, lang: str) -> bool:
    """Record where a probe's line has its baseline and how tall it is, by the fonts on it;
    False if WeasyPrint placed or measured it otherwise than `Plan.draw` would."""
    faces = frame["faces"]
    assert isinstance(faces, tuple)
    direction = bidi.direction(probe)
    line = shaping.shape(f"{bidi.FSI}{probe}{bidi.PDI}", direction, faces, frame["size"], lang)  # type: ignore[arg-type]
    (top, height, baseline, left, right), *more = found.lines
    x = float(frame["x"])  # type: ignore[arg-type]
    if direction == "rtl":
        x += float(frame["width"]) - line.width  # type: ignore[arg-type]
    drawn = left if direction == "ltr" else right - line.width
    if more or abs(drawn - x) > _TOLERANCE or abs(right - left - line.width) > 0.01:
        return False
    if abs(top - float(frame["top"])) > _TOLERANCE:  # type: ignore[arg-type]
        return False
    frame.setdefault("baselines", {})[line.fonts] = baseline - top  # type: ignore[index]
    frame.setdefault("heights", {})[line.fonts] = height  # type: ignore[index]
    return True


def printed(value: str, name: str, rtl: bool) -> tuple[str, str]:
    """The text of a value's box as `documents` writes it (isolated, its Latin tokens isolated
    again in a right-to-left document), and the box's direction."""
    span = documents.value_element(value, name, rtl=rtl)
    return "".join(span.itertext()), span.get("dir") or "ltr"


@functools.cache
def _faces(families: tuple[str, ...]) -> tuple[shaping.Face, ...] | None:
    """The regular faces of a CSS family list, or None if one is not a document font."""
    faces = []
    for family in families:
        face = next(
            (
                f
                for f in assets.fonts()
                if f.family == family and f.style == "normal" and f.weight in ("400", None)
            ),
            None,
        )
        if face is None:
            return None
        faces.append(shaping.face(face.path))
    return tuple(faces)


def _frame_style(box: object, page: int) -> dict[str, object] | None:
    style = box.style  # type: ignore[attr-defined]
    faces = _faces(tuple(style["font_family"]))
    if (
        faces is None
        or style["font_weight"] != 400
        or style["font_style"] != "normal"
        or style["letter_spacing"] != "normal"
        or style["word_spacing"] != 0
        or style["text_align_all"] != "start"
    ):
        return None
    *rgb, alpha = style["color"]
    if alpha != 1:
        return None
    return {
        "page": page,
        "x": box.content_box_x(),  # type: ignore[attr-defined]
        "top": box.content_box_y(),  # type: ignore[attr-defined]
        "width": box.width,  # type: ignore[attr-defined]
        "faces": faces,
        "size": style["font_size"],
        "color": tuple(rgb),
    }


def _text_boxes(laid_out: weasyprint.Document, single: bool = True) -> dict[str, _Found]:
    """Each value box with text, and its lines: top, height, baseline (page CSS px), and the
    left and right ends of their text (only boxes of one line if `single`)."""
    out: dict[str, _Found] = {}
    blank = bidi.FSI + bidi.PDI + bidi.LRI + " "

    def walk(box: object) -> None:
        box = getattr(box, "_box", box)
        element = getattr(box, "element", None)
        if (
            isinstance(box, weasyprint.formatting_structure.boxes.BlockBox)
            and element is not None
            and SLOT_CLASS in (element.get("class") or "").split()
        ):
            lines = []
            for line in box.children:
                found = [t for t in pdf.text_boxes(line) if t.text.strip(blank)]
                if found:
                    first = found[0]
                    lines.append(
                        (
                            line.position_y,
                            line.height,
                            first.position_y + first.baseline,
                            min(t.position_x for t in found),
                            max(t.position_x + t.width for t in found),
                        )
                    )
            if lines and (len(lines) == 1 or not single):
                out[element.get("data-field")] = _Found(box, lines)
            return
        for child in getattr(box, "children", ()):
            walk(child)

    for page in laid_out.pages:
        walk(page._page_box)
    return out
