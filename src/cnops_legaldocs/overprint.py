"""Glyphs drawn over a finished PDF by an incremental update: no parser, no writer per row.

A `Sheet` is a base PDF (a form laid out once) saved with a classic cross-reference table,
each page's content wrapped in ``q … Q`` (WeasyPrint leaves its page transformation set), with
the text of its page dictionaries kept as templates. Drawing on it (`Sheet.draw`) appends to
its bytes, as PDF's incremental updates allow (ISO 32000-1, 7.5.6): one content stream per
page, the fonts it uses (a HarfBuzz subset of the glyphs drawn, glyph ids kept), the
rewritten page dictionaries, a cross-reference section and a trailer pointing back at the
base's.

Glyphs are drawn in visual order, as WeasyPrint draws them, and named by CIDs of the row's
own: one per glyph *and text it stands for* (its cluster's), mapped to the glyph by a
CIDToGIDMap and to the text by a ToUnicode map, so that a glyph shared by two clusters (a
contextual form, a mark) cannot extract as the other's text (WeasyPrint's one text per glyph,
its issue #2841). No ActualText: poppler reverses an ActualText span of right-to-left text a
second time. The same inputs give the same bytes (subset tags derive from the glyphs).
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import pikepdf
import uharfbuzz as hb

from .shaping import PANGO_SCALE, Face, Line

_MARK_CONTENT = b"/CnopsOverprintContent"
_MARK_FONTS = b"/CnopsOverprintFonts"
# Tables a PDF reader needs of an embedded TrueType font drawn by glyph id (no shaping).
_DROPPED = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "name", "post", "DSIG", "meta")


@dataclass(frozen=True)
class _Page:
    number: int  # object number of the page dictionary
    template: bytes  # its text, with the markers of its content array and font resources


@dataclass(frozen=True)
class TextLine:
    """A shaped line drawn from (`x`, `y`): its left end on the baseline, in CSS px from the
    page's top left corner; `faces` are the fonts its glyphs index; `text` is its logical
    text, `color` RGB from 0 to 1."""

    line: Line
    faces: Sequence[Face]
    x: float
    y: float
    color: tuple[float, float, float]
    text: str


class Sheet:
    """A base PDF prepared for `draw`. Immutable once made: threads may share it."""

    def __init__(self, base: bytes) -> None:
        with pikepdf.open(io.BytesIO(base)) as pdf:
            for page in pdf.pages:
                own = page.obj.Contents
                streams = list(own) if isinstance(own, pikepdf.Array) else [own]
                page.obj.Contents = pikepdf.Array(
                    [pdf.make_stream(b"q\n"), *streams, pdf.make_stream(b"\nQ\n")]
                )
                resources = page.obj.get("/Resources", pikepdf.Dictionary())
                direct = pikepdf.Dictionary({k: v for k, v in resources.items()})
                direct.Font = pikepdf.Dictionary(
                    {k: v for k, v in resources.get("/Font", pikepdf.Dictionary()).items()}
                )
                page.obj.Resources = direct
            out = io.BytesIO()
            pdf.save(
                out,
                deterministic_id=True,
                compress_streams=True,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                object_stream_mode=pikepdf.ObjectStreamMode.disable,
            )
        self.data = out.getvalue()
        with pikepdf.open(io.BytesIO(self.data)) as pdf:
            pages = []
            for page in pdf.pages:
                page.obj.Contents.append(pikepdf.Name(_MARK_CONTENT.decode()))
                page.obj.Resources.Font[_MARK_FONTS.decode()] = pikepdf.Name("/Null")
                pages.append(_Page(page.obj.objgen[0], _unparse(page.obj)))
            self.pages = tuple(pages)
            self.heights = tuple(float(page.mediabox[3]) for page in pdf.pages)
            trailer = pdf.trailer
            self._trailer = b" ".join(
                key.encode() + b" " + trailer[key].unparse()
                for key in ("/Root", "/Info", "/ID")
                if key in trailer
            )
            self._size = int(trailer.Size)
        self._startxref = int(re.findall(rb"startxref\s+(\d+)", self.data)[-1])

    def draw(self, lines: Mapping[int, Sequence[TextLine]]) -> bytes:
        """The base with `lines` drawn over its pages (by page index)."""
        out = bytearray(self.data)
        if not out.endswith(b"\n"):
            out += b"\n"
        offsets: dict[int, int] = {}
        number = self._size

        def add(body: bytes, num: int | None = None) -> int:
            nonlocal number
            if num is None:
                num, number = number, number + 1
            offsets[num] = len(out)
            out.extend(b"%d 0 obj\n" % num + body + b"\nendobj\n")
            return num

        cids: dict[Face, dict[tuple[int, str], int]] = {}
        for _, page_lines in sorted(lines.items()):
            for text_line in page_lines:
                for glyph in text_line.line.glyphs:
                    table = cids.setdefault(text_line.faces[glyph.font], {})
                    table.setdefault((glyph.gid, glyph.text), len(table) + 1)
        names = {
            face: b"/OvF%d" % index for index, face in enumerate(sorted(cids, key=lambda f: f.name))
        }
        font_refs = {face: _add_font(add, face, cids[face]) for face in names}
        fonts = b" ".join(names[face] + b" %d 0 R" % ref for face, ref in font_refs.items())
        for index, page_lines in sorted(lines.items()):
            content = _content(page_lines, names, cids, self.heights[index])
            stream = add(_stream(zlib.compress(content, 6), b"/Filter /FlateDecode"))
            page = self.pages[index]
            body = page.template.replace(_MARK_CONTENT, b"%d 0 R" % stream)
            body = body.replace(_MARK_FONTS + b" /Null", fonts)
            add(body, page.number)
        xref = len(out)
        out += b"xref\n"
        for num in sorted(offsets):
            out += b"%d 1\n%010d 00000 n \n" % (num, offsets[num])
        out += b"trailer\n<< /Size %d %s /Prev %d >>\n" % (number, self._trailer, self._startxref)
        out += b"startxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)


def _unparse(obj: pikepdf.Dictionary) -> bytes:
    """An indirect dictionary's own text (its values as they are: references stay references)."""
    return b"<< %s >>" % b" ".join(k.encode() + b" " + v.unparse() for k, v in obj.items())


def _content(
    lines: Sequence[TextLine],
    names: Mapping[Face, bytes],
    cids: Mapping[Face, Mapping[tuple[int, str], int]],
    height: float,
) -> bytes:
    """The page content drawing `lines`, glyph by glyph as WeasyPrint draws a text box
    (weasyprint/draw/text.py: one TJ per font, its kerning numbers truncated alike), so that
    the glyphs land where a full render puts them."""
    parts = [b"q\n0.75 0 0 -0.75 0 %s cm\n" % _num(height)]
    for text_line in lines:
        parts.append(b"BT\n")
        parts.append(b"%s rg\n" % b" ".join(_num(c) for c in text_line.color))
        parts.append(b"1 0 0 -1 %s %s Tm\n" % (_num(text_line.x), _num(text_line.y)))
        parts.append(_show(text_line, names, cids))
        parts.append(b"ET\n")
    parts.append(b"Q\n")
    return b"".join(parts)


def _show(
    text_line: TextLine,
    names: Mapping[Face, bytes],
    cids: Mapping[Face, Mapping[tuple[int, str], int]],
) -> bytes:
    """The operators showing a line's glyphs from the current text position."""
    parts: list[bytes] = []
    size = text_line.line.scale / PANGO_SCALE
    items: list[bytes] = []

    def flush() -> None:
        if items:
            parts.append(b"[%s] TJ\n" % b" ".join(items))
            items.clear()

    current = None
    for glyph in text_line.line.glyphs:
        face = text_line.faces[glyph.font]
        if face is not current:
            flush()
            parts.append(b"%s %s Tf\n" % (names[face], _num(size)))
            current = face
        offset = glyph.x_offset / size
        rise = glyph.y_offset / 1000  # Pango's y offset is HarfBuzz's, negated
        shown = b"<%04X>" % cids[face][glyph.gid, glyph.text]
        if rise:
            flush()
            parts.append(b"%s Ts\n" % _num(rise))
            items.extend([_num(-offset), shown] if offset else [shown])
            flush()
            parts.append(b"0 Ts\n")
        else:
            items.extend([_num(-offset), shown] if offset else [shown])
        kerning = _width(face, glyph.gid) + offset - glyph.advance * 1000 / PANGO_SCALE / size
        if kerning:
            items.append(b"%d" % int(kerning))
    flush()
    return b"".join(parts)


@cache
def _advances(face: Face) -> hb.Font:
    return hb.Font(face.face)  # scale: units per em


def _width(face: Face, gid: int) -> int:
    """A glyph's advance in 1/1000 em, as the font's /W array gives it."""
    return round(_advances(face).get_glyph_h_advance(gid) * 1000 / face.upem)


def _num(value: float) -> bytes:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode()


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


@cache
def _metrics(face: Face) -> tuple[bytes, int, int]:
    """(FontBBox, ascent, descent) in 1/1000 em."""
    head = face.face.reference_table("head").data
    x0, y0, x1, y1 = struct.unpack(">hhhh", head[36:44])
    extents = hb.Font(face.face).get_font_extents("ltr")
    scale = 1000 / face.upem
    bbox = b"[%d %d %d %d]" % tuple(round(v * scale) for v in (x0, y0, x1, y1))
    return bbox, round(extents.ascender * scale), round(extents.descender * scale)


def subset(face: Face, gids: set[int]) -> bytes:
    """A TrueType font of `face` with only `gids` (ids kept), without layout tables, its
    variable axes (if any) at their defaults: HarfBuzz's subsetter."""
    plan = hb.SubsetInput()
    plan.glyph_set.update(gids | {0})
    plan.flags = hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.NO_LAYOUT_CLOSURE
    plan.drop_table_tag_set.update(int.from_bytes(t.encode(), "big") for t in _DROPPED)
    plan.unicode_set.clear()
    plan.pin_all_axes_to_default(face.face)
    made = hb.subset(face.face, plan)
    if made is None:
        raise RuntimeError(f"HarfBuzz could not subset {face.name}")
    return made.blob.data


def _add_font(add: Callable[[bytes], int], face: Face, cids: Mapping[tuple[int, str], int]) -> int:
    """The objects of a Type 0 font of `face` whose CIDs are `cids`; its object number."""
    gids = {gid for gid, _ in cids}
    program = subset(face, gids)
    tag = "".join(
        chr(65 + b % 26)
        for b in hashlib.sha256(repr((face.name, sorted(cids.items()))).encode()).digest()[:6]
    )
    name = f"/{tag}+{face.name}".encode()
    file = add(
        _stream(zlib.compress(program, 6), b"/Filter /FlateDecode /Length1 %d" % len(program))
    )
    bbox, ascent, descent = _metrics(face)
    descriptor = add(
        b"<< /Type /FontDescriptor /FontName %s /Flags 4 /FontBBox %s /ItalicAngle 0 "
        b"/Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R >>"
        % (name, bbox, ascent, descent, ascent, file)
    )
    by_cid = sorted((cid, gid, text) for (gid, text), cid in cids.items())
    widths = b" ".join(b"%d [%d]" % (cid, _width(face, gid)) for cid, gid, _ in by_cid)
    to_gid = b"\0\0" + b"".join(struct.pack(">H", gid) for _, gid, _ in by_cid)
    cid_map = add(_stream(zlib.compress(to_gid, 6), b"/Filter /FlateDecode"))
    cid_font = add(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont %s /CIDSystemInfo << /Registry "
        b"(Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /W [%s] "
        b"/CIDToGIDMap %d 0 R >>" % (name, descriptor, widths, cid_map)
    )
    texts = {cid: text for cid, _, text in by_cid}
    cmap = add(_stream(zlib.compress(_to_unicode(texts), 6), b"/Filter /FlateDecode"))
    return add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont %s /Encoding /Identity-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (name, cid_font, cmap)
    )


def _to_unicode(texts: Mapping[int, str]) -> bytes:
    entries = [
        b"<%04X> <%s>" % (cid, text.encode("utf-16-be").hex().upper().encode())
        for cid, text in sorted(texts.items())
        if text
    ]
    blocks = [
        b"%d beginbfchar\n%s\nendbfchar" % (len(chunk), b"\n".join(chunk))
        for chunk in (entries[i : i + 100] for i in range(0, len(entries), 100))
    ]
    return (
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + b"\n".join(blocks)
        + b"\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
