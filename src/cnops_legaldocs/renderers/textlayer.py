"""The PDF text layer: what copy, search and screen readers get back from the printed glyphs.

WeasyPrint 70 writes one ToUnicode entry per glyph: a glyph drawn for clusters of different
text (Amiri's contextual forms, lam-alef, marks) maps to the text of its first use wherever it
appears (WeasyPrint issue #2841), and glyph offsets (marks, cursive attachment) leave gaps that
readers take for spaces. Three steps fix both, in every reader that reads ToUnicode and widths
(poppler, PDFium, pdf.js):

1. While WeasyPrint draws (`install`, active for the whole process), every glyph whose text
   differs from the text its ToUnicode entry will hold is wrapped in a marked-content span
   ``/Span <</ActualText (text)>> BDC … EMC``: the standard way to say what a glyph stands for,
   which travels with the content stream (the forms' fast path stamps such streams as they are).
2. `exact(pdf)` rewrites the finished PDF: each (glyph, text, advance) gets a character code of
   its own in its Type 0 font (a ``CIDToGIDMap`` maps the new codes to the same glyph, so the
   pages draw the same), with its own ToUnicode entry and a width equal to the glyph's advance
   as drawn (the position adjustment after it is folded in, so no gap is left between the
   glyphs of a word); the spans are then removed (content streams are read and written as
   plain values: `contentstream`). A glyph that stands for several
   right-to-left letters (a lam-alef ligature) says them in visual order: the readers put a
   right-to-left run back in logical order character by character. Invisible format
   characters (bidi isolates and marks, word joiner) are dropped from every ToUnicode entry.
   In a tagged PDF, structure elements whose text is Arabic in a document of another language
   get ``/Lang (ar)``.
3. In `exact` too, composite glyphs added to the embedded font draw on the baseline a glyph
   WeasyPrint raised or lowered with a text rise (PDFium set it on a line of its own), and as
   one glyph a letter Amiri draws with two (pdf.js cut its text at the ActualText span, out of
   order). Rasterisers may place such a glyph a fraction of a pixel away; all else draws the
   same pixels.
4. For pdf.js (Firefox), which reads a space only in a gap to the right of the last glyph and
   takes a vowel mark for zero-width: WeasyPrint draws the runs of each line from left to
   right (`install`: a right-to-left line drawn leftwards from run to run read as glued
   words; runs in different fonts whose words touch are drawn rightwards too), and a
   right-to-left table row line by line across its cells, each line from left to right (cell
   by cell, leftwards, the words of cells side by side were glued), its cells without an
   Arabic letter last (PDFium reversed a reference read among Arabic words). For PDFium, which
   makes one line of what is drawn in a row on one baseline and reads it in one direction,
   the Arabic side of a bilingual table (French beside Arabic) is drawn after the rest of the
   text of its stacking context (the page). In `exact` the advances around vowel marks are
   shared out otherwise (an advance moved to an adjustment after the glyph): where pdf.js
   would see the letter after marks start far back it cut the line (`MARK_BACK`), and after
   a space it read a second space before the letter (`MARK_NEAR`). Same glyphs at the same
   places.

`exact` is a function of the PDF alone: apply it to any PDF drawn by WeasyPrint with `install`
active (the fast path: after stamping, on the whole file).
"""

from __future__ import annotations

import io
import math
import re
import struct
import unicodedata
from collections.abc import Iterator
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

import pikepdf

from . import (
    contentstream,
    engine,  # noqa: F401  (first: WeasyPrint without its library probes)
)

# isort: split
from weasyprint import draw as _draw
from weasyprint.formatting_structure import boxes as _boxes
from weasyprint.pdf.stream import Stream

# Format characters that must not reach extracted text (they are layout instructions).
INVISIBLE = frozenset("\u061c\u200b\u200e\u200f\u2060\u2066\u2067\u2068\u2069") | frozenset(
    chr(c) for c in range(0x202A, 0x202F)
)
_CLEAN = str.maketrans(dict.fromkeys(map(ord, INVISIBLE)))
_SPAN = "/Span"
_ACTUAL = "/ActualText"
_READ = frozenset({"q", "Q", "Tf", "Ts", "TJ", "Tj", "BDC", "BMC", "EMC", "Do"})
"""The operators whose operands `exact` reads (`contentstream.parse`): the others pass as they
are written."""


# -- 1. Recording, while WeasyPrint draws ------------------------------------------------------


class _Recorder(dict[int, str]):
    """A font's ``to_unicode``: keeps WeasyPrint's first text per glyph, and queues the text of
    every glyph occurrence in drawing order (``in`` answers no, so WeasyPrint computes it)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.queue: list[tuple[int, str]] = []
        self.assigned: list[_Said] = []  # glyphs recorded, not yet drawn

    def __contains__(self, key: object) -> bool:
        return False

    def __setitem__(self, glyph: int, text: str) -> None:
        self.queue.append((glyph, text))
        self.setdefault(glyph, text)


_TOKENS = re.compile(r"<([0-9a-f]*)>|([^<>]+)")


def _current_font(stream: Stream) -> Any:
    current = getattr(stream, "_current_font", None)
    if not current:
        return None
    for font in stream._fonts.values():
        if font.hash == current[0]:
            return font
    return None


def _hex_text(text: str) -> str:
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


@lru_cache(maxsize=8192)  # asked of the same letters and clusters thousands of times a page
def _rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


SILENT = "\u200d"
"""What a glyph that stands for no character of its own says (a second glyph of a one-letter
cluster): a format character, which pdf.js leaves out; poppler and PDFium read the span's
ActualText instead, which stays around such a cluster."""


def _clusters(queue: list[tuple[int, str]]) -> list[tuple[list[int], str]]:
    """The clusters of a run of glyph occurrences: (glyph indices in stream order, text).

    WeasyPrint gives a cluster's text to one of its glyphs (the logically last) and nothing to
    the others. A cluster with fewer characters than glyphs is joined to the next one in the
    stream when that gives enough characters for every glyph."""
    clusters: list[list[int]] = []
    texts: list[str] = []
    pending: list[int] = []  # silent glyphs waiting for the text glyph after them (LTR)
    for index, (_, said) in enumerate(queue):
        if said:
            if _rtl(said) and not pending:
                clusters.append([index])
            else:
                clusters.append([*pending, index])
                pending = []
            texts.append(said)
        elif clusters and _rtl(texts[-1]) and not pending:
            clusters[-1].append(index)  # a right-to-left cluster's text glyph comes first
        else:
            pending.append(index)
    if pending:
        clusters.append(pending)
        texts.append("")
    merged: list[tuple[list[int], str]] = []
    for glyphs, said in zip(clusters, texts, strict=True):
        if merged and len(merged[-1][1]) < len(merged[-1][0]) and _rtl(merged[-1][1] + said):
            # stream order; logically, this cluster comes first
            both = (merged[-1][0] + glyphs, said + merged[-1][1])
            if len(both[1]) >= len(both[0]) and " " not in both[1]:
                merged[-1] = both
                continue
        merged.append((glyphs, said))
    return merged


def share_out(text: str, count: int) -> list[str]:
    """What each of `count` glyphs (in stream order) drawn for `text` says: the characters in
    logical order, one a glyph, the last glyph the rest; `SILENT` for glyphs beyond them."""
    if count <= 0:
        return []
    if len(text) >= count:
        logical = [*text[: count - 1], text[count - 1 :]]
    else:
        logical = [*text, *[SILENT] * (count - len(text))]
    if not _rtl(text):
        return logical
    return [share[::-1] if _letters(share) > 1 else share for share in reversed(logical)]


@lru_cache(maxsize=8192)  # asked of every cluster drawn
def _letters(text: str) -> int:
    """How many right-to-left letters `text` holds: a glyph that stands for several (a
    lam-alef ligature) says them in visual order, as readers put a right-to-left run back in
    logical order character by character ("لا" read "ال")."""
    return sum(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


_Said = tuple[int, int, str, str, int]
"""A glyph occurrence and what it says: (glyph, cluster number, the cluster's text, the glyph's
own share of it, how many glyphs the cluster has). A plain tuple: one is made per glyph drawn."""


def _assign(queue: list[tuple[int, str]], first: int) -> list[_Said]:
    """What each glyph occurrence of `queue` says, its clusters numbered from `first`."""
    if all([said for _, said in queue]):  # most runs: each glyph says its own cluster
        return [(glyph, number, said, said, 1) for number, (glyph, said) in enumerate(queue, first)]
    out: list[_Said | None] = [None] * len(queue)
    for number, (glyphs, said) in enumerate(_clusters(queue), start=first):
        if len(glyphs) == 1:  # most clusters: the glyph says it all
            out[glyphs[0]] = (queue[glyphs[0]][0], number, said, said or SILENT, 1)
            continue
        for index, share in zip(glyphs, share_out(said, len(glyphs)), strict=True):
            out[index] = (queue[index][0], number, said, share, len(glyphs))
    return [s for s in out if s is not None]


def _show_text(self: Stream, text: str) -> None:
    font = _current_font(self)
    recorder = getattr(font, "to_unicode", None)
    if not isinstance(recorder, _Recorder) or font.bitmap:
        return _ORIGINAL_SHOW_TEXT(self, text)
    if recorder.queue:
        # WeasyPrint draws a glyph it raises (a mark) apart, after recording it: the glyphs
        # recorded so far are drawn in two or three calls, which share them out in order.
        first = recorder.assigned[-1][1] + 1 if recorder.assigned else 0
        recorder.assigned += _assign(recorder.queue, first)
        recorder.queue = []
    tokens = _TOKENS.findall(text)
    digits = "".join(g for g, _ in tokens)
    count = len(digits) // 4
    mine = recorder.assigned[:count]
    if (
        not count
        or len(digits) % 4
        or list(struct.unpack(f">{count}H", bytes.fromhex(digits))) != [s[0] for s in mine]
    ):
        recorder.assigned = []
        return _ORIGINAL_SHOW_TEXT(self, text)  # not as expected: leave it be
    recorder.assigned = recorder.assigned[count:]
    spans: dict[int, tuple[int, str]] = {}  # first glyph index: (last glyph index, text)
    index = 0
    while index < len(mine):
        glyph, number, said, _, size = mine[index]
        if size == 1:  # most clusters
            if said != recorder[glyph] or _letters(said) > 1:
                spans[index] = (index, said)
            index += 1
            continue
        last = index
        while last + 1 < len(mine) and mine[last + 1][1] == number:
            last += 1
        if last - index + 1 == size:  # the whole cluster (of several glyphs) is drawn here
            spans[index] = (last, said)
        else:  # a cluster drawn in two calls: each glyph says its share
            for part in range(index, last + 1):
                if mine[part][3] != recorder[mine[part][0]]:
                    spans[part] = (part, mine[part][3])
        index = last + 1
    if not spans:
        return _ORIGINAL_SHOW_TEXT(self, text)  # every glyph says its ToUnicode text
    out: list[str] = []
    pending: list[str] = []  # the TJ array being built
    closing: tuple[int, str] | None = None
    index = 0
    for glyphs, number in tokens:
        if number:
            pending.append(number)
            continue
        for start in range(0, len(glyphs), 4):
            if index in spans:
                if pending:
                    out.append(f"[{' '.join(pending)}] TJ")
                    pending = []
                closing = spans[index]
            pending.append(f"<{glyphs[start : start + 4]}>")
            if closing is not None and closing[0] == index:
                out.append(
                    f"/Span <</ActualText {_hex_text(closing[1])}>> BDC "
                    f"[{' '.join(pending)}] TJ EMC"
                )
                pending, closing = [], None
            index += 1
    if pending:
        out.append(f"[{' '.join(pending)}] TJ")
    self.stream.append("\n".join(out).encode())


def _add_font(self: Stream, pango_font: Any) -> Any:
    font, size = _ORIGINAL_ADD_FONT(self, pango_font)
    if not isinstance(font.to_unicode, _Recorder):
        font.to_unicode = _Recorder(font.to_unicode)
    # WeasyPrint asks for the font as it starts a line or changes fonts: what the font
    # recorded before was drawn or never will be (fonts outlive documents in a process).
    font.to_unicode.queue, font.to_unicode.assigned = [], []
    return font, size


def _left(child: Any) -> float:
    return float(getattr(child, "box", child).position_x)  # a box, or a stacking context's


_GROUPED_NUMBER = re.compile(r"\d\s+\d")


def _text(box: Any) -> str:
    box = getattr(box, "box", box)
    text = getattr(box, "text", None)
    return text if text is not None else "".join(map(_text, getattr(box, "children", ())))


def _kept(child: Any) -> bool:
    """Whether a run stays where WeasyPrint draws it: one with Latin letters (a reference, an
    address) or digits in groups ("05 38 00 20 20"). Drawn in the same text item as the
    right-to-left words beside it, pdf.js's bidi pass would reorder its pieces
    ("W-361/2017-D", "20 20 00 38 05"); drawn apart, it stays whole (glued to its neighbours,
    which are other words all the same)."""
    text = _text(child)
    return bool(_GROUPED_NUMBER.search(text)) or any(_latin(c) for c in text)


@lru_cache(maxsize=1024)
def _latin(char: str) -> bool:
    return unicodedata.bidirectional(char) == "L" and char.isalpha()


def _first_left(run: list[Any]) -> float:
    return _left(run[0])


def _touching(first: str, second: str) -> bool:
    """Whether two texts (in logical order) meet word to word, with nothing visible between:
    a space at the edge of a text item is lost in pdf.js's reading, a colon is not."""
    first, second = first.rstrip(), second.lstrip()
    return bool(first and second) and _wordy(first[-1]) and _wordy(second[0])


def _wordy(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN"


def _segments(children: list[Any]) -> Iterator[list[Any]]:
    """The children in runs that pdf.js can read as one text item: drawn in the same fonts (it
    starts a new item at every change of font, and items drawn left to right would come out
    in that order, the line's last words first), a run `_kept` alone."""
    segment: list[Any] = []
    key: object = None
    for child in children:
        fonts = None if _kept(child) else _fonts(child)
        if segment and (fonts is None or fonts != key):
            yield segment
            segment = []
        segment.append(child)
        key = fonts
    if segment:
        yield segment


def _fonts(box: Any) -> frozenset[tuple[Any, ...]]:
    """The font properties of a box's text (its text boxes'): runs that differ in them are
    drawn in different fonts. (The fonts Pango chose are not known before WeasyPrint shapes
    the text again to draw it.)"""
    box = getattr(box, "box", box)
    if not isinstance(box, _boxes.TextBox):
        return frozenset().union(*map(_fonts, getattr(box, "children", ())))
    style = box.style
    return frozenset(
        [tuple(str(style[key]) for key in ("font_family", "font_weight", "font_style",
                                           "font_stretch", "font_size"))]
    )  # fmt: skip


def _draw_inline_level(
    stream: Stream,
    page: Any,
    box: Any,
    offset_x: float = 0,
    text_overflow: str = "clip",
    block_ellipsis: str = "none",
) -> None:
    """WeasyPrint's drawing of a line (or inline box), its children drawn from left to right.

    WeasyPrint draws them in logical order: a right-to-left line drawn in several runs (a
    bold word, an isolated number, a link) goes leftwards from run to run. pdf.js joins text
    items without a space where the next one starts to the left of the last, and only reads a
    space in a gap to the right; drawn left to right, the line's runs are one item with its
    spaces, which pdf.js puts back in logical order. Nothing else changes: the same glyphs at
    the same places, and poppler and PDFium order text by position. A line ending with an
    ellipsis is left as it is (WeasyPrint gives it to the last child)."""
    children = getattr(box, "children", None)
    if (
        isinstance(box, (_boxes.LineBox, _boxes.InlineBox))
        and children
        and len(children) > 1
        and block_ellipsis == "none"
        and getattr(box, "block_ellipsis", "none") == "none"
    ):
        ordered: list[Any] = []
        glued: list[list[Any]] = []  # right-to-left runs in different fonts, words touching
        last = ""
        for segment in [*_segments(children), None]:
            text = "".join(map(_text, segment or ()))
            rtl = _rtl(text)
            arabic = segment is not None and rtl and not _kept(segment[0])
            if glued and not (arabic and _touching(last, text)):
                # pdf.js starts an item at each change of font, and reads a space between
                # two only if drawing goes rightwards ("أوافق" in bold, then " على": not
                # "أوافقعلى"); each run stays whole (drawn left to right)
                ordered += [child for run in sorted(glued, key=_first_left) for child in run]
                glued = []
            last = text
            if segment is None:
                break
            # pdf.js reads a text item without right-to-left letters as left to right
            run = sorted(segment, key=_left) if rtl else segment
            if arabic:
                glued.append(run)
            else:
                ordered += run
        if ordered != list(children):
            box = box.copy()  # the layout's box stays as it is
            box.children = ordered
    _ORIGINAL_DRAW_INLINE_LEVEL(stream, page, box, offset_x, text_overflow, block_ellipsis)


def _draw_block_level(page: Any, stream: Stream, blocks_and_cells: dict[Any, Any]) -> None:
    """WeasyPrint's drawing of the blocks' lines, a right-to-left table row's lines drawn
    line by line across its cells, each line from left to right, and the Arabic side of a
    bilingual table after the rest (`_right_to_left_side`).

    WeasyPrint draws a row's cells in logical order: in a right-to-left table, leftwards from
    cell to cell. pdf.js joins a text item to the next one without a space where the next
    starts to the left on the same line: the words of two cells side by side are read as one
    ("الاسم العائلي" + "الاسم الشخصي" as "…العائليالاسم…"). Drawn rightwards, it reads the
    gap between them as a space, each cell's line one item in its own order. PDFium makes a
    line of what is drawn on one baseline in a row, ordered by position: drawn line by line
    across the row, it reads the row a line of every cell at a time (cell by cell, it cut a
    line where a cell has more lines than the next; a cell spanning rows goes with its first
    row). The same glyphs at the same places; the structure tree (reading order) follows the
    boxes, not the drawing."""
    deferred = _DEFERRED.get()
    if deferred is None:  # the blocks of a stacking context (a page): the sides put off last
        token = _DEFERRED.set([])
        try:
            _draw_block_level(page, stream, blocks_and_cells)
            later = _DEFERRED.get()
        finally:
            _DEFERRED.reset(token)
        if later:
            _ORIGINAL_DRAW_BLOCK_LEVEL(page, stream, dict(later))
        return
    boxes = list(blocks_and_cells)
    side = _right_to_left_side(boxes, blocks_and_cells)
    if side:  # row by row, each from left to right (pdf.js: see above)
        cells = sorted(side, key=lambda cell: (cell.position_y, cell.position_x))
        deferred += [(cell, blocks_and_cells[cell]) for cell in cells]
        boxes = [box for box in boxes if box not in side]
    ordered: list[Any] = []
    row: list[Any] = []
    for box in [*boxes, None]:
        if row and (
            not isinstance(box, _boxes.TableCellBox) or box.position_y != row[0].position_y
        ):
            rtl = len(row) > 1 and all(cell.style["direction"] == "rtl" for cell in row)
            lines = _row_lines(row, blocks_and_cells) if rtl else None
            if lines is not None:
                _ORIGINAL_DRAW_BLOCK_LEVEL(page, stream, dict(ordered))
                ordered = []
                for line in lines:
                    _draw.draw_inline_level(stream, page, line)
            else:
                ordered += [(cell, blocks_and_cells[cell]) for cell in row]
            row = []
        if isinstance(box, _boxes.TableCellBox):
            row.append(box)
        elif box is not None:
            ordered.append((box, blocks_and_cells[box]))
    _ORIGINAL_DRAW_BLOCK_LEVEL(page, stream, dict(ordered))


_DEFERRED: ContextVar[list[tuple[Any, Any]] | None] = ContextVar("_DEFERRED", default=None)
"""While WeasyPrint draws the blocks of a stacking context: the cells `_right_to_left_side`
puts off until the rest is drawn (None outside such a drawing; a context of its own in each
thread)."""


def _right_to_left_side(boxes: list[Any], blocks_and_cells: dict[Any, Any]) -> set[Any]:
    """The cells of a table in two languages that hold the text of its right-to-left one (the
    Arabic side of the bilingual edition); none for any other table or block.

    A bilingual table sets the first lines of a row's French and Arabic sides on one
    baseline. PDFium makes one line of what is drawn one after the other on a baseline, and
    orders it in one direction, the direction of the language with more words: the Arabic of a
    row whose French has one line was read words last first ("Droit d'accès الولوج حق"), and
    a vowel mark apart from its word. Drawn after the rest of the text of the stacking
    context (the page; a positioned, clipped or translucent box holding the table), each
    Arabic line is a line of its own, read right to left, even in a table of one row (a
    heading) unless nothing follows it there; pdf.js, which reads in drawing order, reads the
    page's French, then its Arabic. A table in one language keeps its order (an Arabic label
    beside a value written left to right); a cell's language and direction are its computed
    ``lang`` and ``direction``. Drawn later, the text would paint over a box of the same
    stacking context drawn over it: the documents' blocks do not overlap."""
    if len(boxes) < 2 or not all(isinstance(box, _boxes.TableCellBox) for box in boxes):
        return set()
    if {box.style["direction"] for box in boxes} != {"ltr", "rtl"}:
        return set()  # one direction (most tables): no need to look for their text
    directions: dict[str, set[str]] = {}  # language: the directions of its cells with text
    for cell in boxes:
        if _found({cell: blocks_and_cells[cell]}):
            directions.setdefault(str(cell.style["lang"]), set()).add(cell.style["direction"])
    right = [lang for lang, found in directions.items() if found == {"rtl"}]
    if len(right) != 1 or {"ltr"} not in directions.values():
        return set()
    return {
        cell
        for cell in boxes
        if str(cell.style["lang"]) == right[0] and cell.style["direction"] == "rtl"
    }


def _row_lines(row: list[Any], blocks_and_cells: dict[Any, Any]) -> list[Any] | None:
    """The lines of a right-to-left row in drawing order (`_lines`), those of its cells
    without a right-to-left letter (a number, a reference, an e-mail) after the others; None
    where the row draws anything else.

    PDFium reads a line it makes of a row's first lines right to left, the Arabic words being
    more, and lays a token's pieces out from right to left with them ("ma.org.cnops@dic").
    Drawn after the lines below (a cell with more lines than one), the tokens of the row's
    first line make a line of their own, without an Arabic word, read left to right."""
    found: dict[bool, list[Any]] = {False: [], True: []}  # a token cell's lines: True
    for cell in row:
        lines = _found({cell: blocks_and_cells[cell]})
        if lines is None:
            return None
        found[_latin_cell(lines)] += lines
    return [*_ordered(found[False]), *_ordered(found[True])]


def _latin_cell(lines: list[Any]) -> bool:
    """Whether a cell's lines have something to read and no right-to-left letter."""
    text = "".join(map(_text, lines))
    return bool(text.strip()) and not _rtl(text)


def _lines(blocks_and_cells: dict[Any, Any]) -> list[Any] | None:
    """The line boxes that drawing `blocks_and_cells` draws, by baseline (within half a line)
    then from left to right; None where it draws anything else (a block-level image, a nested
    table)."""
    found = _found(blocks_and_cells)
    return None if found is None else _ordered(found)


def _found(blocks_and_cells: dict[Any, Any]) -> list[Any] | None:
    """The line boxes that drawing `blocks_and_cells` draws, in drawing order; None as in
    `_lines`."""
    found: list[Any] = []

    def walk(level: dict[Any, Any]) -> bool:
        for block, inner in level.items():
            if isinstance(block, _boxes.ReplacedBox) or (
                isinstance(block, _boxes.TableCellBox) and block not in blocks_and_cells
            ):
                return False
            if block.children and isinstance(block.children[-1], _boxes.LineBox):
                found.extend(block.children)
            if not walk(inner):
                return False
        return True

    return found if walk(blocks_and_cells) else None


def _ordered(found: list[Any]) -> list[Any]:
    """Line boxes by baseline (within half a line), then from left to right."""
    found = sorted(found, key=_baseline)
    rows: list[list[Any]] = []
    for line in found:
        if rows and _baseline(line) - _baseline(rows[-1][0]) < line.height / 2:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for same in rows for line in sorted(same, key=_left)]


def _baseline(line: Any) -> float:
    return float(line.position_y + line.baseline)


_ORIGINAL_SHOW_TEXT = Stream.show_text
_ORIGINAL_ADD_FONT = Stream.add_font
_ORIGINAL_DRAW_INLINE_LEVEL = _draw.draw_inline_level
_ORIGINAL_DRAW_BLOCK_LEVEL = _draw.draw_block_level


def install() -> None:
    """Have WeasyPrint mark every glyph whose text its ToUnicode entry would get wrong, draw
    each line's runs from left to right and a right-to-left table row line by line across its
    cells (for the whole process; idempotent). `exact` then makes the marks part of the
    fonts."""
    Stream.show_text = _show_text  # type: ignore[method-assign]
    Stream.add_font = _add_font  # type: ignore[method-assign]
    _draw.draw_inline_level = _draw_inline_level
    _draw.draw_block_level = _draw_block_level


# -- 2. Rewriting the finished PDF -------------------------------------------------------------


class _Font:
    """One Type 0 font of the PDF: its codes, their widths and texts, and the new codes.

    A new code that only says another text draws its glyph (``CIDToGIDMap``). One that also
    advances otherwise draws a copy of the glyph added to the embedded font with that advance,
    so that the widths of the PDF and of the font program agree (PDF/A requires it)."""

    def __init__(self, font: pikepdf.Dictionary) -> None:
        self.font = font
        self.cid = font.DescendantFonts[0]
        self.widths = _read_widths(self.cid.get("/W", pikepdf.Array()))
        self.texts = _read_to_unicode(font.ToUnicode.read_bytes())
        self.program = _program(self.cid)
        glyphs = self.program.glyph_count if self.program is not None else 0
        self.next = max([glyphs, *(c + 1 for c in self.widths), *(c + 1 for c in self.texts)])
        self.gid_of: dict[int, int] = {}
        self.shape_of: dict[int, Shape] = {}  # new code: what it draws, when not one glyph
        self.copies: dict[int, tuple[Shape, int]] = {}  # code: (glyphs drawn, advance)
        self.codes: dict[tuple[Shape, str, float], int] = {}
        self.memo: dict[tuple[int, str | None, float | None, int], int] = {}
        self.kinds: dict[int, str] = {}  # code: how pdf.js places it (`_pdfjs_kind`)
        self.folded: dict[tuple[int, float], tuple[int, float | None]] = {}  # see `_fold`

    @property
    def composable(self) -> bool:
        """Whether glyphs can be added to the font program (shifted or joined glyphs)."""
        return self.program is not None

    def shape(self, code: int) -> Shape:
        return self.shape_of.get(code, ((self.gid_of.get(code, code), 0, 0),))

    def code(self, code: int, text: str | None, advance: float | None, rise: int = 0) -> int:
        """The code that draws `code`'s glyph `rise` font units higher, stands for `text` and
        advances by `advance` (None: as `code` does; ignored where the font program cannot be
        given a copy)."""
        asked = (code, text, advance, rise)
        known = self.memo.get(asked)
        if known is None:
            shape = self.shape(code)
            if rise:
                shape = tuple((g, dx, dy + rise) for g, dx, dy in shape)
            known = self.memo[asked] = self._code(code, shape, text, advance)
        return known

    def joined(self, first: int, second: int, offset: int, text: str) -> int:
        """A code that draws `first`'s glyph and `second`'s `offset` units after it, as one
        glyph that stands for `text` (a letter Amiri draws with two glyphs)."""
        shape = (*self.shape(first), *((g, dx + offset, dy) for g, dx, dy in self.shape(second)))
        advance = offset + self.widths.get(second, 1000.0)
        return self._code(-1, shape, text, advance)

    def _code(self, code: int, shape: Shape, text: str | None, advance: float | None) -> int:
        if text is None:
            text = self.texts.get(code, "")
        width = self.widths.get(code, 1000.0)
        if advance is None or self.program is None:
            advance = width
        if text == self.texts.get(code, "") and advance == width and shape == self.shape(code):
            return code
        key = (shape, text, advance)
        if key not in self.codes:
            if self.next > 0xFFFF:
                return code  # no code left: keep the glyph's own
            new = self.codes[key] = self.next
            self.next += 1
            self.gid_of[new] = shape[0][0]
            self.widths[new] = advance
            self.texts[new] = text
            if len(shape) > 1 or shape[0][1:] != (0, 0):
                self.shape_of[new] = shape
                self.copies[new] = (shape, round(advance))
            elif advance != self.widths.get(shape[0][0], 1000.0):
                self.copies[new] = (shape, round(advance))
        return self.codes[key]

    def write(self, pdf: pikepdf.Pdf) -> None:
        cleaned = {code: text.translate(_CLEAN) for code, text in self.texts.items()}
        if self.codes or cleaned != self.texts:
            self.font.ToUnicode = pdf.make_stream(_to_unicode(cleaned))
        if not self.codes:
            return
        if self.copies and self.program is not None:
            self._copy_glyphs(pdf)
        old = self.cid.get("/CIDToGIDMap")
        table = bytearray(old.read_bytes()) if isinstance(old, pikepdf.Stream) else bytearray()
        table += struct.pack(f">{self.next - len(table) // 2}H", *range(len(table) // 2, self.next))
        for new, glyph in self.gid_of.items():
            table[2 * new : 2 * new + 2] = glyph.to_bytes(2, "big")
        self.cid.CIDToGIDMap = pdf.make_stream(bytes(table))
        self.cid.W = _write_widths(self.widths)
        descriptor = self.cid.FontDescriptor
        if "/CIDSet" in descriptor:  # PDF/A-1: every code used
            bits = bytearray(descriptor.CIDSet.read_bytes())
            bits += bytes(max(0, (self.next + 7) // 8 - len(bits)))
            for code in self.gid_of:
                bits[code // 8] |= 0x80 >> (code % 8)
            descriptor.CIDSet = pdf.make_stream(bytes(bits))

    def _copy_glyphs(self, pdf: pikepdf.Pdf) -> None:
        assert self.program is not None
        codes = sorted(self.copies)
        data = self.program.with_copies([self.copies[c] for c in codes])
        for index, code in enumerate(codes):
            self.gid_of[code] = self.program.glyph_count + index
        self.cid.FontDescriptor.FontFile2 = pdf.make_stream(data, Length1=len(data))


def _program(cid: pikepdf.Dictionary) -> _Program | None:
    """The embedded TrueType program, when glyphs can be added to it (1000 units per em)."""
    descriptor = cid.get("/FontDescriptor")
    data = descriptor.get("/FontFile2") if descriptor is not None else None
    if data is None:
        return None
    try:
        return _Program(data.read_bytes())
    except (_Unsupported, struct.error, KeyError):
        return None


class _Program:
    """A TrueType font program, read just enough to append copies of glyphs with their own
    advance (glyf, loca, hmtx, hhea, maxp): much faster than a full fontTools round trip."""

    def __init__(self, data: bytes) -> None:
        self.tables: dict[bytes, bytes] = {}
        count = struct.unpack(">H", data[4:6])[0]
        self.version = data[:4]
        for i in range(count):
            tag, _, offset, length = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
            self.tables[tag] = data[offset : offset + length]
        head, maxp = self.tables[b"head"], self.tables[b"maxp"]
        if struct.unpack(">H", head[18:20])[0] != 1000 or b"glyf" not in self.tables:
            raise _Unsupported
        self.long_loca = struct.unpack(">h", head[50:52])[0] == 1
        self.glyph_count = struct.unpack(">H", maxp[4:6])[0]

    def with_copies(self, copies: list[tuple[Shape, int]]) -> bytes:
        """The program with the glyphs (shape, advance) appended, in this order: a copy of
        a glyph, or a composite glyph of shifted ones (whole font units, so drawn the same)."""
        n, loca, glyf = self.glyph_count, self.tables[b"loca"], self.tables[b"glyf"]
        if self.long_loca:
            offsets = list(struct.unpack(f">{n + 1}I", loca[: 4 * (n + 1)]))
        else:
            offsets = [2 * o for o in struct.unpack(f">{n + 1}H", loca[: 2 * (n + 1)])]
        metrics_count = struct.unpack(">H", self.tables[b"hhea"][34:36])[0]
        hmtx = self.tables[b"hmtx"]

        def lsb_of(glyph: int) -> int:
            if glyph < metrics_count:
                return int(struct.unpack_from(">h", hmtx, 4 * glyph + 2)[0])
            return int(struct.unpack_from(">h", hmtx, 2 * (metrics_count + glyph))[0])

        metrics: list[tuple[int, int]] = []  # of the glyphs added
        out = bytearray(glyf[: offsets[n]])
        depth = 0
        for shape, advance in copies:
            glyph = shape[0][0]
            if len(shape) == 1 and shape[0][1:] == (0, 0):
                out += glyf[offsets[glyph] : offsets[glyph + 1]]
                lsb = lsb_of(glyph)
            else:
                composite, lsb = _composite(shape, glyf, offsets)
                out += composite
                depth = max(depth, 1 + max(self._depth(g, glyf, offsets) for g, _, _ in shape))
            out += bytes(-len(out) % 4)
            offsets.append(len(out))
            metrics.append((advance, lsb))
        total = n + len(copies)
        if total > 0xFFFF or (not self.long_loca and len(out) > 0x1FFFE):
            raise _Unsupported
        tables = dict(self.tables)
        tables[b"glyf"] = bytes(out)
        if self.long_loca:
            tables[b"loca"] = struct.pack(f">{total + 1}I", *offsets)
        else:
            tables[b"loca"] = struct.pack(f">{total + 1}H", *(o // 2 for o in offsets))
        if metrics_count == n:  # every glyph has its own advance: append the new ones
            body = hmtx[: 4 * n]
        else:  # the last advance repeats for the glyphs after `metrics_count`: write them out
            last = struct.unpack_from(">H", hmtx, 4 * (metrics_count - 1))[0]
            body = hmtx[: 4 * metrics_count] + b"".join(
                struct.pack(">Hh", last, lsb_of(g)) for g in range(metrics_count, n)
            )
        tables[b"hmtx"] = body + struct.pack(
            ">" + "Hh" * len(metrics), *(v for m in metrics for v in m)
        )
        hhea = tables[b"hhea"]
        advance_max = max([struct.unpack(">H", hhea[10:12])[0], *(m[0] for m in metrics)])
        tables[b"hhea"] = (
            hhea[:10]
            + struct.pack(">H", advance_max)
            + hhea[12:34]
            + struct.pack(">H", total)
            + hhea[36:]
        )
        maxp = bytearray(tables[b"maxp"])
        maxp[4:6] = struct.pack(">H", total)
        if depth and len(maxp) >= 32:  # version 1.0: the limits of composite glyphs
            points, contours = struct.unpack(">HH", maxp[6:10])
            old = struct.unpack(">HHHH", maxp[10:14] + maxp[28:32])
            maxp[10:14] = struct.pack(">HH", max(old[0], 2 * points), max(old[1], 2 * contours))
            maxp[28:32] = struct.pack(">HH", max(old[2], 2), max(old[3], depth))
        tables[b"maxp"] = bytes(maxp)
        head = tables[b"head"]
        tables[b"head"] = head[:8] + bytes(4) + head[12:]  # checkSumAdjustment, set below
        return _sfnt(self.version, tables)

    def _depth(self, glyph: int, glyf: bytes, offsets: list[int]) -> int:
        """How deep a glyph's components go (0: a simple glyph)."""
        data = glyf[offsets[glyph] : offsets[glyph + 1]]
        if len(data) < 10 or struct.unpack(">h", data[:2])[0] >= 0:
            return 0
        deepest, position = 0, 10
        while True:
            flags, component = struct.unpack(">HH", data[position : position + 4])
            deepest = max(deepest, 1 + self._depth(component, glyf, offsets))
            position += 4 + (4 if flags & 0x0001 else 2)
            position += 2 if flags & 0x0008 else 4 if flags & 0x0040 else 8 if flags & 0x0080 else 0
            if not flags & 0x0020:
                return deepest


Shape = tuple[tuple[int, int, int], ...]
"""What a code draws: glyphs of the font program, each (glyph id, x offset, y offset)."""


def _composite(shape: Shape, glyf: bytes, offsets: list[int]) -> tuple[bytes, int]:
    """A composite glyph drawing the glyphs of `shape` at their offsets, and its left side
    bearing (its xMin, as the originals have it, so that renderers place it the same)."""
    boxes = []
    for glyph, dx, dy in shape:
        data = glyf[offsets[glyph] : offsets[glyph + 1]]
        if len(data) >= 10:
            x0, y0, x1, y1 = struct.unpack(">hhhh", data[2:10])
            boxes.append((x0 + dx, y0 + dy, x1 + dx, y1 + dy))
    box = (
        (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
         max(b[3] for b in boxes))
        if boxes else (0, 0, 0, 0)
    )  # fmt: skip
    out = bytearray(struct.pack(">hhhhh", -1, *box))
    for index, (glyph, dx, dy) in enumerate(shape):
        more = 0x0020 if index < len(shape) - 1 else 0
        # ARG_1_AND_2_ARE_WORDS | ARGS_ARE_XY_VALUES: offsets as they are, not on the grid
        out += struct.pack(">HHhh", 0x0001 | 0x0002 | more, glyph, dx, dy)
    return bytes(out), box[0]


def _checksum(data: bytes) -> int:
    data += bytes(-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _sfnt(version: bytes, tables: dict[bytes, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = version + struct.pack(
        ">HHHH", count, power * 16, power.bit_length() - 1, count * 16 - power * 16
    )
    directory, body = bytearray(), bytearray()
    offset = 12 + 16 * count
    for tag in tags:
        data = tables[tag]
        directory += struct.pack(">4sIII", tag, _checksum(data), offset + len(body), len(data))
        body += data + bytes(-len(data) % 4)
    font = bytearray(header + directory + body)
    head = (
        12
        + 16 * count
        + sum(len(tables[t]) + (-len(tables[t]) % 4) for t in tags[: tags.index(b"head")])
    )
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    font[head + 8 : head + 12] = struct.pack(">I", adjustment)
    return bytes(font)


def _read_widths(array: pikepdf.Array) -> dict[int, float]:
    widths: dict[int, float] = {}
    items = list(array)
    i = 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):
            for offset, width in enumerate(items[i + 1]):
                widths[first + offset] = float(width)
            i += 2
        else:
            for code in range(first, int(items[i + 1]) + 1):
                widths[code] = float(items[i + 2])
            i += 3
    return widths


def _write_widths(widths: dict[int, float]) -> pikepdf.Array:
    out: list[Any] = []
    run: list[float] = []
    start = previous = -2
    for code in sorted(widths):
        if code != previous + 1 and run:
            out += [start, pikepdf.Array(run)]
            run = []
        if not run:
            start = code
        width = widths[code]
        run.append(int(width) if width == int(width) else round(width, 6))
        previous = code
    if run:
        out += [start, pikepdf.Array(run)]
    return pikepdf.Array(out)


_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def _read_to_unicode(data: bytes) -> dict[int, str]:
    if b"bfrange" in data:
        raise _Unsupported
    texts: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in _BFCHAR.findall(block):
            texts[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    return texts


def _to_unicode(texts: dict[int, str]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    items = sorted(texts.items())
    for i in range(0, len(items), 100):
        batch = items[i : i + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{c:04x}> <{t.encode('utf-16-be').hex()}>".encode() for c, t in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


class _Unsupported(Exception):
    """A font this module leaves as it is (not a WeasyPrint Type 0 font)."""


def _type0(font: pikepdf.Object) -> bool:
    return (
        isinstance(font, pikepdf.Dictionary)
        and font.get("/Subtype") == pikepdf.Name.Type0
        and font.get("/Encoding") == pikepdf.Name("/Identity-H")
        and "/ToUnicode" in font
    )


def exact(pdf_bytes: bytes) -> bytes:
    """The same PDF with an exact text layer (see the module's docstring); pages draw the same.
    Deterministic: the same input gives the same bytes. Written compressed, objects in object
    streams from PDF 1.5 on, whether the input was or not (`pdf.write` draws it uncompressed:
    each stream is then compressed once)."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        fonts: dict[tuple[int, int], _Font | None] = {}
        done: set[tuple[int, int]] = set()
        for page in pdf.pages:
            _rewrite(pdf, page.obj, fonts, done)
        for font in fonts.values():
            if font is not None:
                font.write(pdf)
        _languages(pdf)
        out = io.BytesIO()
        pdf.save(
            out,
            compress_streams=True,
            # Objects in streams where the version allows it (1.5), as WeasyPrint writes them
            # compressed: a PDF/A-1 (1.4) has none.
            object_stream_mode=pikepdf.ObjectStreamMode.generate
            if pdf.pdf_version >= "1.5"
            else pikepdf.ObjectStreamMode.disable,
            deterministic_id=True,
        )
        return out.getvalue()


def _font_of(
    resources: pikepdf.Dictionary, name: str, fonts: dict[Any, _Font | None]
) -> _Font | None:
    font = resources.get("/Font", {}).get(name) if resources is not None else None
    if font is None or not _type0(font):
        return None
    key = font.objgen
    if key not in fonts:
        try:
            fonts[key] = _Font(font)
        except _Unsupported:
            fonts[key] = None
    return fonts[key]


class _FontsOf:
    """The fonts of one content stream by resource name, each looked up once (the `_Font`s
    themselves are the document's, shared by its streams: `fonts`)."""

    def __init__(self, resources: pikepdf.Object, fonts: dict[Any, _Font | None]) -> None:
        self.resources, self.fonts = resources, fonts
        self.named: dict[str, _Font | None] = {}

    def __call__(self, name: str) -> _Font | None:
        if name not in self.named:
            self.named[name] = _font_of(self.resources, name, self.fonts)
        return self.named[name]


def _rewrite(
    pdf: pikepdf.Pdf, owner: pikepdf.Object, fonts: dict[Any, _Font | None], done: set[Any]
) -> None:
    """Rewrite the text of one content stream (a page or a form XObject), then of the forms
    it draws."""
    if owner.objgen in done:
        return
    done.add(owner.objgen)
    resources = owner.get("/Resources")
    instructions = _carry(contentstream.parse(_content(owner), _READ))
    font_of = _FontsOf(resources, fonts)
    instructions, changed = _unrise(instructions, font_of)
    out: list[Any] = []
    font: _Font | None = None
    span: tuple[str, list[Any]] | None = None  # an open ActualText span and what it holds
    depth = 0  # marked-content sequences opened inside it
    for operands, op in instructions:
        if span is not None:
            if op in ("BDC", "BMC"):
                depth += 1
            elif op == "EMC" and depth:
                depth -= 1
            elif op == "EMC":
                out += _respan(font, *span)
                span, changed = None, True
                continue
            if op == "Tf":
                font = font_of(operands[0])
            span[1].append((operands, op))
            continue
        if op == "Tf":
            font = font_of(operands[0])
        elif op == "BDC" and operands[0] == _SPAN and _ACTUAL in _properties(operands[1]):
            span = (_text_string(_properties(operands[1])[_ACTUAL]), [])
            continue
        elif op in ("TJ", "Tj") and font is not None:
            new = _retext(font, operands[0] if op == "TJ" else [operands[0]], None)
            if new is not None:
                out.append(([new], "TJ"))
                changed = True
                continue
        elif op == "Do" and resources is not None:
            xobject = resources.get("/XObject", {}).get(operands[0])
            if xobject is not None and xobject.get("/Subtype") == pikepdf.Name.Form:
                _rewrite(pdf, xobject, fonts, done)
        out.append((operands, op))
    out = _merge_arrays(out) if changed else out
    out, narrowed = _narrow(out, font_of)
    if changed or narrowed:
        data = contentstream.unparse(out)
        if isinstance(owner, pikepdf.Stream):
            owner.write(data)
        else:
            owner.Contents = pdf.make_stream(data)


def _content(owner: pikepdf.Object) -> bytes:
    """The decoded content of a form XObject, or of a page (its streams joined)."""
    if isinstance(owner, pikepdf.Stream):
        return owner.read_bytes()
    contents = owner.get("/Contents")
    if isinstance(contents, pikepdf.Array):
        return b"\n".join(part.read_bytes() for part in contents)
    return contents.read_bytes() if contents is not None else b""


def _text_string(raw: Any) -> str:
    """A PDF text string's text (UTF-16 with its byte order mark, or PDFDocEncoding)."""
    raw = raw if isinstance(raw, bytes) else b""
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    return raw.decode("pdfdoc", "replace")


def _respan(font: _Font | None, said: str, held: list[Any]) -> list[Any]:
    """A span's instructions with its text shared out over its glyphs. Glyphs that would
    say nothing of their own (more glyphs than letters: see `SILENT`) are joined into one
    composite glyph that says the span's text; where they cannot be, the span is kept."""
    arrays = [i for i, (_, op) in enumerate(held) if op in ("TJ", "Tj")]
    if font is None or not arrays:
        return _span(said, held)
    count = 0
    for i in arrays:
        items = held[i][0][0] if held[i][1] == "TJ" else [held[i][0][0]]
        count += sum(len(x) // 2 for x in items if isinstance(x, bytes))
    texts = share_out(said, count)
    if SILENT in texts and len(held) == 1:
        joined = _join(font, held[0], said)
        if joined is not None:
            return [joined]
    out = list(held)
    position = 0
    for i in arrays:
        operands, operator = held[i]
        array = operands[0] if operator == "TJ" else [operands[0]]
        n = sum(len(x) // 2 for x in array if isinstance(x, bytes))
        new = _retext(font, array, texts[position : position + n])
        position += n
        if new is not None:
            out[i] = ([new], "TJ")
    return _span(said, out) if SILENT in texts else out


def _join(font: _Font, instruction: Any, said: str) -> Any | None:
    """One text-showing instruction whose glyphs are drawn as one composite glyph saying
    `said` (None where the font cannot take it or an offset is not a whole font unit).

    A marked-content span would say it to poppler and PDFium, but pdf.js ignores ActualText
    and cuts its text items at every span, which put the pieces of the word out of order."""
    operands, operator = instruction
    array = operands[0] if operator == "TJ" else [operands[0]]
    if not font.composable:
        return None
    lead: list[Any] = []  # adjustments before the first glyph
    trail: list[Any] = []  # after the last
    codes: list[int] = []
    gaps: list[float] = []  # the adjustment after each glyph but the last
    for item in array:
        if isinstance(item, bytes):
            for j in range(0, len(item) - 1, 2):
                if codes:
                    gaps.append(sum(float(x) for x in trail))
                    trail = []
                codes.append((item[j] << 8) | item[j + 1])
        elif codes:
            trail.append(item)
        else:
            lead.append(item)
    if len(codes) != 2:
        return None
    position = font.widths.get(codes[0], 1000.0) - gaps[0]
    offset = round(position)
    if abs(position - offset) > 1e-6:
        return None
    code = font.joined(codes[0], codes[1], offset, said)
    joined = [*lead, code.to_bytes(2, "big"), *trail]
    new = _retext(font, joined, None)
    return ([new if new is not None else joined], "TJ")


def _span(said: str, held: list[Any]) -> list[Any]:
    properties = {_ACTUAL: b"\xfe\xff" + said.encode("utf-16-be")}
    return [([_SPAN, properties], "BDC"), *held, ([], "EMC")]


def _properties(operand: Any) -> dict[str, Any]:
    return operand if isinstance(operand, dict) else {}


MAX_REST = 0.01
"""The largest part of a text rise (in points) left out when a raised glyph is drawn by a
shifted copy: 0.014 pixel at 100 dpi, a tenth of a pixel at 600 dpi. Kept as a rise, it would
split the mark from its word again (PDFium)."""


def _unrise(instructions: list[Any], font_of: _FontsOf) -> tuple[list[Any], bool]:
    """The instructions with each text rise (``Ts``: a mark WeasyPrint raises or lowers)
    drawn by the glyph itself: a composite glyph shifted by the rise's whole font units,
    the rest (a fraction of a unit) left as a rise. PDFium put a raised mark on a line of its
    own; the glyphs now sit on their line's baseline. Whether anything changed."""
    if not any(op == "Ts" for _, op in instructions):
        return instructions, False
    out: list[Any] = []
    font: _Font | None = None
    size = rise = emitted = 0.0
    saved: list[tuple[float, float]] = []
    changed = False
    for operands, op in instructions:
        if op == "q":
            saved.append((rise, emitted))
        elif op == "Q" and saved:
            rise, emitted = saved.pop()
        elif op == "Tf":
            font, size = font_of(operands[0]), float(operands[1])
        elif op == "Ts":
            rise = float(operands[0])
            changed = True
            continue  # set below, where text is shown
        elif op in ("TJ", "Tj") and (rise or emitted):
            units = 0
            if rise and size and font is not None and font.composable:
                units = round(rise * 1000 / size)
            rest = round(rise - units * size / 1000, 6)
            if abs(rest) < MAX_REST:
                rest = 0.0
            if rest != emitted:
                out.append(([float(f"{rest:.6f}")], "Ts"))
                emitted = rest
            if units and font is not None:
                array = operands[0] if op == "TJ" else [operands[0]]
                operands, op = [_risen(font, array, units)], "TJ"
        out.append((operands, op))
    return out, changed


def _risen(font: _Font, array: list[Any], units: int) -> list[Any]:
    out: list[Any] = []
    for item in array:
        if isinstance(item, bytes):
            codes = [
                font.code((item[j] << 8) | item[j + 1], None, None, units)
                for j in range(0, len(item) - 1, 2)
            ]
            out.append(b"".join(c.to_bytes(2, "big") for c in codes))
        else:
            out.append(item)
    return out


def _retext(font: _Font, array: list[Any], texts: list[str] | None) -> list[Any] | None:
    """The TJ array with each glyph's code replaced by one that says its text (`texts`, in
    stream order; None: as it is) and advances as drawn (the whole part of the adjustment after
    it folded into its width; a mark drawn back over its letter gives part of its advance to
    the gap after it, see `MARK_BACK`). None when nothing changes."""
    items: list[bytes | float] = []  # no empty strings; adjustments in a row summed
    for item in array:
        if isinstance(item, bytes):
            if item:
                items.append(item)
        elif items and isinstance(items[-1], float):
            items[-1] += float(item)
        else:
            items.append(float(item))
    texts = list(reversed(texts)) if texts else []
    widths, code_of, folded = font.widths, font.code, font.folded
    out: list[Any] = []
    buffer = bytearray()
    changed = len(items) != len(array)
    rest: float | None = None  # what is left of the adjustment after the last glyph
    for i, item in enumerate(items):
        if isinstance(item, float):
            if rest is None:
                if buffer:
                    out.append(bytes(buffer))
                    buffer = bytearray()
                out.append(item)
                continue
            changed = True  # its whole part is folded into the width of the glyph before it
            if rest:
                out.append(bytes(buffer))
                buffer = bytearray()
                out.append(rest)
            rest = None
            continue
        last = len(item) - 2
        following = items[i + 1] if i + 1 < len(items) else None
        for j in range(0, last + 1, 2):
            code = (item[j] << 8) | item[j + 1]
            text = texts.pop() if texts else None
            if j == last and isinstance(following, float):
                known = folded.get((code, following)) if text is None else None
                if known is None:
                    known = _fold(font, code, text, following)
                    if text is None:
                        folded[(code, following)] = known
                new, rest = known
            else:  # no adjustment to fold: a glyph with no text of its own keeps its code
                new, rest = code if text is None else code_of(code, text, None), None
            if new != code:
                changed = True
            if (
                j == 0
                and not buffer
                and out
                and isinstance(out[-1], float)
                and out[-1] > MARK_BACK
                and _mark(font.texts.get(new, ""))
            ):
                # pdf.js takes a mark for zero-width: it follows the adjustment that moves
                # back over the letter, not the mark's advance, and cuts the line there.
                # Part of the advance moves to an adjustment after the mark (small enough
                # for PDFium not to read it as a space).
                drawn, gap = widths.get(new, 1000.0), math.ceil(out[-1] - MARK_BACK)
                narrower = code_of(code, font.texts.get(new), drawn - gap)
                if gap <= min(MARK_GAP, drawn) and widths.get(narrower) == drawn - gap:
                    changed = True
                    buffer += narrower.to_bytes(2, "big")
                    if rest is not None:
                        rest -= gap
                    elif j == last and isinstance(following, float):
                        rest = following - gap
                    else:
                        out += [bytes(buffer), float(-gap)]
                        buffer = bytearray()
                    continue
            buffer += new.to_bytes(2, "big")
    if not changed:
        return None
    if buffer:
        out.append(bytes(buffer))
    return out


def _fold(font: _Font, code: int, text: str | None, following: float) -> tuple[int, float | None]:
    """The code for a glyph followed by the adjustment `following`: the adjustment's whole part
    folded into its width where the glyph can be given that advance, and what is left of the
    adjustment then (None where it is not folded)."""
    # Widths are whole (PDFium reads them as integers): the fraction stays put.
    width, whole = font.widths.get(code, 1000.0), round(following)
    advance = width - whole if width - whole >= 0 else None
    new = font.code(code, text, advance)
    if advance is not None and font.widths.get(new) == advance:
        return new, following - whole
    return new, None


def _narrow(instructions: list[Any], font_of: _FontsOf) -> tuple[list[Any], bool]:
    """The instructions with `_narrow_before_marks` applied to each TJ array (once they are
    joined: a mark and the letter after it may have been drawn in two). Whether any changed."""
    font: _Font | None = None
    changed = False
    out: list[Any] = []
    for operands, op in instructions:
        if op == "Tf":
            font = font_of(operands[0])
        elif op == "TJ" and font is not None and isinstance(operands[0], list):
            narrowed = _narrow_before_marks(font, operands[0])
            if narrowed is not None:
                operands, changed = [narrowed], True
        out.append((operands, op))
    return out, changed


def _pdfjs_kind(text: str) -> str:
    """How pdf.js places a glyph that says `text`: "space" (skipped, its advance followed),
    "zero" (a mark, or a format character: its advance ignored) or "glyph"."""
    if text[:1].isspace():
        return "space"
    if text and (_has_mark(text) or unicodedata.category(text[-1]) == "Cf"):
        return "zero"
    return "glyph"


@lru_cache(maxsize=1024)
def _has_mark(text: str) -> bool:
    return any(unicodedata.category(c) == "Mn" for c in text)


def _narrow_before_marks(font: _Font, out: list[Any]) -> list[Any] | None:
    """`out` (a TJ array's items) with the advances pdf.js needs around vowel marks (it takes
    them for zero-width: their advance is not counted, the adjustments around them are), all
    drawn the same (an advance moved to an adjustment after the glyph). None: no change.

    - Where pdf.js would see the glyph after marks start more than `MARK_BACK` back from the
      glyph before them (the marks drawn, then an adjustment back to the next letter, which
      overlaps the last), the glyph before the marks advances less, by at most `MARK_GAP`.
    - Where pdf.js would read a space before the letter after marks: a gap inside a word
      ("سُجّل": a shadda drawn before its letter, which starts 0.12 em after the last), or a
      second space where a space comes before the marks (a mark drawn before its letter at the
      start of a word: "ابتداءً", read "ابتداء ً": pdf.js puts the first space before the
      mark). The last mark advances more, so that pdf.js sees its letter start `MARK_NEAR`
      after the glyph before them."""
    tokens: list[int | float] = []  # glyph codes and adjustments, in order
    for item in out:
        if isinstance(item, bytes):
            tokens += struct.unpack(f">{len(item) // 2}H", item[: len(item) // 2 * 2])
        else:
            tokens.append(float(item))
    kinds = font.kinds
    edits: dict[int, int] = {}  # token index of a glyph: how much more it advances
    previous: int | None = None  # the last glyph pdf.js places
    marked = False  # whether a mark was drawn since
    for index, token in enumerate(tokens):
        if isinstance(token, float):
            continue
        kind = kinds.get(token)
        if kind is None:
            kind = kinds[token] = _pdfjs_kind(font.texts.get(token, ""))
        if kind != "glyph":
            marked = marked or kind == "zero"
            continue
        if previous is not None and marked:
            between = range(previous + 1, index)
            marks = [
                j for j in between if isinstance(tokens[j], int) and kinds[tokens[j]] == "zero"
            ]
            if marks:
                spaces = [j for j in between if isinstance(tokens[j], int) and j not in marks]
                seen = sum(
                    -tokens[j] if isinstance(tokens[j], float) else font.widths.get(tokens[j], 1e3)
                    for j in between
                    if j not in marks
                )
                if seen < -MARK_BACK:
                    edits[previous] = -math.ceil(-seen - MARK_BACK)
                elif (not spaces or spaces[0] < marks[0]) and seen > MARK_SPACE:
                    edits[marks[-1]] = math.ceil(seen - MARK_NEAR)
        previous, marked = index, False
    if not edits:
        return None
    rebuilt: list[int | float] = []
    for index, token in enumerate(tokens):
        if index in edits and isinstance(token, int):
            width, more = font.widths.get(token, 1000.0), edits[index]
            follows = tokens[index + 1] if index + 1 < len(tokens) else None
            after = follows if isinstance(follows, float) else 0.0
            other = font.code(token, None, width + more)
            if (
                width + more >= 0
                and after - more <= MARK_GAP  # the gap after it (a negative adjustment)
                and font.widths.get(other) == width + more
            ):
                rebuilt += [other, float(more)]  # summed with `after` below
                continue
        rebuilt.append(token)
    array: list[Any] = []
    codes = bytearray()
    for token in rebuilt:
        if isinstance(token, int):
            codes += token.to_bytes(2, "big")
            continue
        if codes:
            array.append(bytes(codes))
            codes = bytearray()
        if array and isinstance(array[-1], float):
            array[-1] += token
        else:
            array.append(token)
    if codes:
        array.append(bytes(codes))
    return array


MARK_BACK = 150
"""How far back (thousandths of an em) pdf.js may see the glyph after a vowel mark start.
pdf.js takes a mark for zero-width: it follows the adjustment that moves back to draw the mark
over its letter, not the mark's advance, and cuts the line where the next glyph starts more
than 200 back ("ولا تُلزم" read as "ُلزم" … "ولا ت"). A mark drawn further back advances
less, by the difference, and the gap after it makes up for it: drawn the same."""
MARK_SPACE = 100
"""From how far after the glyph before marks (thousandths of an em) pdf.js reads a space before
the letter after them (its threshold: 102)."""
MARK_NEAR = 60
"""Where pdf.js is made to see such a letter start instead."""
MARK_GAP = 100
"""The largest gap left after a mark: PDFium reads a gap of half a space (Amiri: 146) inside a
text object as a space. A mark that would need more is left as it is."""


@lru_cache(maxsize=1024)
def _mark(text: str) -> bool:
    """Whether a glyph's text is only nonspacing marks (pdf.js draws them with no advance)."""
    return bool(text) and all(unicodedata.category(c) == "Mn" for c in text)


def _carry(instructions: list[Any]) -> list[Any]:
    """Move the adjustments that open a TJ array to the end of the TJ before it when only a
    text rise (``Ts``, vertical) lies between them: drawn the same, and the adjustment can then
    be folded into the width of the glyph it follows (a mark raised above its letter)."""
    out: list[Any] = []
    last: int | None = None  # the TJ before, when only rises followed it
    for operands, op in instructions:
        if op == "TJ":
            if last is not None:
                array = operands[0]
                lead = 0
                while lead < len(array) and (not isinstance(array[lead], bytes) or not array[lead]):
                    lead += 1
                if lead and any(not isinstance(a, bytes) for a in array[:lead]):
                    previous = out[last][0]
                    out[last] = ([[*previous[0], *array[:lead]]], out[last][1])
                    operands = [array[lead:]]
            last = len(out)
        elif op != "Ts":
            last = None
        out.append((operands, op))
    return out


def _merge_arrays(instructions: list[Any]) -> list[Any]:
    """Join TJ operators that follow each other into one (drawn the same)."""
    merged: list[Any] = []
    for operands, op in instructions:
        if op == "TJ" and merged and merged[-1][1] == "TJ" and isinstance(operands[0], list):
            merged[-1] = ([[*merged[-1][0][0], *operands[0]]], op)
            continue
        merged.append((operands, op))
    return merged


# -- Languages of the structure elements -------------------------------------------------------


def _arabic(text: str) -> bool:
    """Whether a text is Arabic: at least three quarters of its letters are."""
    letters = [c for c in text if unicodedata.category(c).startswith("L")]
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff")
    return bool(letters) and arabic >= 0.75 * len(letters)


def _languages(pdf: pikepdf.Pdf) -> None:
    """Give ``/Lang (ar)`` to each outermost structure element whose text is Arabic when the
    document's language is another (the bilingual edition's Arabic cells), so that a screen
    reader switches voice; the elements inside inherit it."""
    root = pdf.Root.get("/StructTreeRoot")
    lang = str(pdf.Root.get("/Lang", ""))
    if root is None or lang.startswith("ar"):
        return
    texts = _marked_texts(pdf)

    def text_of(element: pikepdf.Dictionary) -> str:
        page = element.get("/Pg")
        key = page.objgen if page is not None else None
        parts = []
        for kid in _kids(element):
            if isinstance(kid, int):
                parts.append(texts.get((key, kid), ""))
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                parts.append(text_of(kid))
            elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
                mcr_page = kid.get("/Pg", page)
                mcr_key = mcr_page.objgen if mcr_page is not None else None
                parts.append(texts.get((mcr_key, int(kid.MCID)), ""))
        return " ".join(parts)

    def mark(node: pikepdf.Object) -> None:
        for kid in _kids(node):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                if _arabic(text_of(kid)):
                    kid.Lang = pikepdf.String("ar")
                else:
                    mark(kid)

    mark(root)


def _elements(node: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    for kid in _kids(node):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


def _kids(node: pikepdf.Object) -> list[Any]:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _marked_texts(pdf: pikepdf.Pdf) -> dict[tuple[Any, int], str]:
    """The text (by ToUnicode) of each marked-content id, per page."""
    out: dict[tuple[Any, int], str] = {}
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        maps: dict[Any, dict[int, str]] = {}
        mcid: list[int | None] = []
        texts: dict[int, list[str]] = {}
        cmap: dict[int, str] = {}
        for operands, op in contentstream.parse(_content(page.obj), _READ):
            if op == "BDC":
                props = _properties(operands[1])
                mcid.append(int(props["/MCID"]) if "/MCID" in props else None)
            elif op == "BMC":
                mcid.append(None)
            elif op == "EMC" and mcid:
                mcid.pop()
            elif op == "Tf":
                font = resources.get("/Font", {}).get(operands[0]) if resources else None
                cmap = {}
                if font is not None and _type0(font):
                    if font.objgen not in maps:
                        try:
                            maps[font.objgen] = _read_to_unicode(font.ToUnicode.read_bytes())
                        except _Unsupported:
                            maps[font.objgen] = {}
                    cmap = maps[font.objgen]
            elif op in ("TJ", "Tj"):
                current = next((m for m in reversed(mcid) if m is not None), None)
                if current is None:
                    continue
                items = operands[0] if op == "TJ" else [operands[0]]
                for item in items:
                    if isinstance(item, bytes):
                        texts.setdefault(current, []).extend(
                            cmap.get(int.from_bytes(item[j : j + 2], "big"), "")
                            for j in range(0, len(item) - 1, 2)
                        )
        for number, parts in texts.items():
            out[(page.obj.objgen, number)] = "".join(parts)
    return out
