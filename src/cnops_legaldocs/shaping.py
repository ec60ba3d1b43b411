"""A line of text shaped without a layout engine: fonts chosen, ordered, shaped (HarfBuzz).

What the forms' fast path (`fastpath`) needs to print a pre-filled value in its box as
WeasyPrint (Pango) would: the font of each character as Pango picks it from the CSS family
list (the first family that has the character; white space and format characters stay in the
font of the character before them), the embedding levels of the Unicode bidi algorithm from
FriBidi (the library Pango itself calls, so the order is the same to the character), runs of
one level and font shaped by HarfBuzz at Pango's scale (1/1024 CSS px, positions unrounded as
WeasyPrint asks), and the runs laid out left to right in visual order (rule L2).

Positions are in CSS px from the line's left edge; `fastpath` places the line in its box.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import uharfbuzz as hb

PANGO_SCALE = 1024  # Pango units per CSS px (WeasyPrint gives Pango sizes in px)


@dataclass(frozen=True)
class Face:
    """A font file ready to shape with: HarfBuzz face and font, and the characters it has."""

    name: str  # PostScript name
    path: Path
    face: hb.Face = field(repr=False)
    font: hb.Font = field(repr=False)
    upem: int = field(repr=False)
    cmap: frozenset[int] = field(repr=False)


@cache
def face(path: Path) -> Face:
    """The font at `path`, loaded once per process (HarfBuzz objects are immutable once made,
    and safe to share between threads)."""
    blob = hb.Blob.from_file_path(str(path))
    hb_face = hb.Face(blob)
    font = hb.Font(hb_face)
    name = hb_face.get_name(hb.OTNameIdPredefined.POSTSCRIPT_NAME) or path.stem
    return Face(name, path, hb_face, font, hb_face.upem, frozenset(hb_face.unicodes))


@cache
def _scaled(path: Path, scale: int) -> hb.Font:
    """A HarfBuzz font of `path` at `scale` units per em (one per size: never rescaled, so that
    threads can share it)."""
    font = hb.Font(face(path).face)
    font.scale = (scale, scale)
    return font


@dataclass(frozen=True)
class Glyph:
    """A shaped glyph, in visual order: font index (in the family list), glyph id, advance and
    offsets in Pango units (1/1024 CSS px; y upwards, as HarfBuzz gives it), and the text of
    its cluster (empty for the second and later glyphs of a cluster)."""

    font: int
    gid: int
    cluster: int  # index in the text of the first character of its cluster
    advance: int
    x_offset: int
    y_offset: int
    text: str


@dataclass(frozen=True)
class Line:
    glyphs: tuple[Glyph, ...]
    scale: int  # font size in Pango units
    fonts: frozenset[int]  # indices of the families used

    @property
    def width(self) -> float:
        """CSS px."""
        return sum(g.advance for g in self.glyphs) / PANGO_SCALE


def _kept_font(ch: str) -> bool:
    """Characters that do not change the font (Pango keeps the current one): spaces, format
    and control characters."""
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs")


def fonts_of(text: str, faces: Sequence[Face], levels: Sequence[int]) -> list[int] | None:
    """The index in `faces` of the font of each character, or None if one has no font: the
    first face that has it; a space or format character keeps the font of the character
    before it in the same bidi run (Pango itemizes by level first), else takes the next's."""
    out: list[int | None] = []
    for ch in text:
        if _kept_font(ch):
            out.append(None)
            continue
        index = next((i for i, f in enumerate(faces) if ord(ch) in f.cmap), None)
        if index is None:
            return None
        out.append(index)
    resolved: list[int | None] = list(out)
    for i in range(len(text)):
        if resolved[i] is None and i and levels[i - 1] == levels[i]:
            resolved[i] = resolved[i - 1]
    following: int | None = None
    for i in reversed(range(len(text))):
        if resolved[i] is None:
            resolved[i] = following
        else:
            following = resolved[i]
    first = next((i for i in resolved if i is not None), 0)
    return [first if i is None else i for i in resolved]


# --------------------------------------------------------------------------------------------
# Bidi: FriBidi, as Pango calls it

_PAR = {"ltr": 0x110, "rtl": 0x111}  # FRIBIDI_PAR_LTR, FRIBIDI_PAR_RTL


@cache
def _fribidi() -> ctypes.CDLL:
    name = ctypes.util.find_library("fribidi") or "libfribidi.so.0"
    lib = ctypes.CDLL(name)
    lib.fribidi_get_par_embedding_levels_ex.restype = ctypes.c_int8
    return lib


def levels(text: str, direction: str) -> list[int]:
    """The embedding level of each character of a paragraph of base `direction`."""
    lib = _fribidi()
    n = len(text)
    chars = (ctypes.c_uint32 * n)(*map(ord, text))
    types = (ctypes.c_uint32 * n)()
    brackets = (ctypes.c_uint32 * n)()
    out = (ctypes.c_int8 * n)()
    lib.fribidi_get_bidi_types(chars, n, types)
    lib.fribidi_get_bracket_types(chars, n, types, brackets)
    base = ctypes.c_uint32(_PAR[direction])
    if not lib.fribidi_get_par_embedding_levels_ex(types, brackets, n, ctypes.byref(base), out):
        raise RuntimeError("FriBidi failed")  # only on memory exhaustion
    return list(out)


def _visual_runs(runs: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Runs (start, end, level, font) in logical order, reordered visually (UAX 9, L2)."""
    if not runs:
        return runs
    order = list(runs)
    top = max(r[2] for r in order)
    lowest_odd = min((r[2] for r in order if r[2] % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if order[i][2] >= level:
                j = i
                while j < len(order) and order[j][2] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order


def shape(text: str, direction: str, faces: Sequence[Face], size: float, lang: str) -> Line:
    """`text` (one line, no line break) shaped at `size` CSS px in base `direction`.
    Raises LookupError if a character is in none of `faces`."""
    lv = levels(text, direction)
    fonts = fonts_of(text, faces, lv)
    if fonts is None:
        raise LookupError("a character is in none of the fonts")
    runs: list[tuple[int, int, int, int]] = []
    for i in range(len(text)):
        if runs and runs[-1][2] == lv[i] and runs[-1][3] == fonts[i]:
            runs[-1] = (runs[-1][0], i + 1, lv[i], fonts[i])
        else:
            runs.append((i, i + 1, lv[i], fonts[i]))
    scale = int(size * PANGO_SCALE + 0.5)  # pango_units_from_double
    glyphs: list[Glyph] = []
    for start, end, level, index in _visual_runs(runs):
        buf = hb.Buffer()
        buf.add_str(text, start, end - start)
        buf.guess_segment_properties()
        buf.direction = "rtl" if level % 2 else "ltr"
        buf.language = lang
        hb.shape(_scaled(faces[index].path, scale), buf)
        infos, positions = buf.glyph_infos, buf.glyph_positions
        bounds = sorted({info.cluster for info in infos} | {end})
        seen: set[int] = set()
        for info, pos in zip(infos, positions, strict=True):
            following = bounds[bounds.index(info.cluster) + 1]
            cluster = text[info.cluster : following]
            if not pos.x_advance and all(_kept_font(c) for c in cluster):
                continue  # an isolate or other invisible format character: Pango draws none
            first = info.cluster not in seen
            seen.add(info.cluster)
            glyphs.append(
                Glyph(
                    index,
                    info.codepoint,
                    info.cluster,
                    pos.x_advance,
                    pos.x_offset,
                    pos.y_offset,
                    cluster if first else "",
                )
            )
    return Line(tuple(glyphs), scale, frozenset(g.font for g in glyphs))
