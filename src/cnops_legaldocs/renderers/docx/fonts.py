"""The fonts a DOCX carries: the PDF's own faces, made fit for embedding, and their metrics.

A clerk's PC rarely has Amiri or Noto Serif, and Word or LibreOffice would then substitute
a font of their choosing (for Arabic, often one that shapes differently and is wider). So
the DOCX embeds the fonts as Word does (see `ooxml.font_table`): Amiri's four static faces as
published, and Noto Serif, a variable font that neither Word's embedding nor LibreOffice's PDF
export handle, as four static instances (400/700, upright/italic) cut down to the Latin
script. Instancing is deterministic and done at build time or once per machine
(`fontcache`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from functools import cache, lru_cache

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

from ... import assets, bidi, fontcache
from ...errors import RenderError
from .ooxml import FontFamily

FACES: dict[str, tuple[int, str]] = {
    "regular": (400, "normal"),
    "bold": (700, "normal"),
    "italic": (400, "italic"),
    "bolditalic": (700, "italic"),
}


class Faces(Mapping[str, bytes]):
    """Some of a family's static faces, each made on first use and kept: a static instance
    of a variable font takes seconds, and a subset DOCX embeds only the faces it uses."""

    def __init__(self, name: str, faces: Iterable[str] = tuple(FACES)) -> None:
        self.name = name
        self.faces = tuple(face for face in FACES if face in set(faces))

    def __getitem__(self, face: str) -> bytes:
        if face not in self.faces:
            raise KeyError(face)
        return _face(self.name, face)

    def __iter__(self) -> Iterator[str]:
        return iter(self.faces)

    def __len__(self) -> int:
        return len(self.faces)


@cache
def _face(name: str, face: str) -> bytes:
    weight, style = FACES[face]
    return _static_face(name, weight, style)


@cache
def family(name: str) -> FontFamily:
    """A family's font-table entry with its four static faces (made when first read), ready
    to embed."""
    faces = Faces(name)
    with TTFont(io.BytesIO(faces["regular"]), lazy=True) as font:
        os2 = font["OS/2"]
        panose = os2.panose
        panose_hex = "".join(
            f"{getattr(panose, field):02X}"
            for field in (
                "bFamilyType", "bSerifStyle", "bWeight", "bProportion", "bContrast",
                "bStrokeVariation", "bArmStyle", "bLetterForm", "bMidline", "bXHeight",
            )
        )  # fmt: skip
        signature = {
            "usb0": f"{os2.ulUnicodeRange1:08X}",
            "usb1": f"{os2.ulUnicodeRange2:08X}",
            "usb2": f"{os2.ulUnicodeRange3:08X}",
            "usb3": f"{os2.ulUnicodeRange4:08X}",
            "csb0": f"{os2.ulCodePageRange1:08X}",
            "csb1": f"{os2.ulCodePageRange2:08X}",
        }
    return FontFamily(name=name, panose=panose_hex, signature=signature, faces=faces)


def _static_face(name: str, weight: int, style: str) -> bytes:
    for face in assets.fonts():
        if face.family != name or face.style != style:
            continue
        if face.weight == str(weight):
            return face.path.read_bytes()
        if face.weight_range and face.weight_range[0] <= weight <= face.weight_range[1]:
            return _instance(str(face.path), weight)
    raise RenderError(f"no {name} font file for weight {weight}, style {style}")


def _instance(path: str, weight: int) -> bytes:
    """A static instance of a variable font at `weight` (default width), Latin only: shipped
    in the wheel or cached on disk, made once (`fontcache`)."""
    return fontcache.static_instance(path, weight)


@cache
def _metrics(name: str, face: str) -> tuple[dict[int, int], float]:
    """A face's advance widths per code point (in em/1000ths) and its units per em."""
    with TTFont(io.BytesIO(family(name).faces[face]), lazy=True) as font:
        hmtx = font["hmtx"]
        widths = {cp: hmtx[glyph][0] for cp, glyph in font.getBestCmap().items()}
        return widths, float(font["head"].unitsPerEm)


def text_width(text: str, name: str, size_pt: float, bold: bool = False) -> float:
    """The width of `text` set in a family at `size_pt`, from advance widths: a fair estimate
    for sizing table columns and finding where lines may start. Arabic is measured in its
    joined forms (arabic-reshaper picks them; isolated forms are half as wide again), without
    kerning or the font's ligatures."""
    units, upm = _units(text, name, bold)
    return units * (size_pt / upm)


@lru_cache(maxsize=16384)  # words recur across paragraphs and documents; reshaping is slow
def _units(text: str, name: str, bold: bool) -> tuple[float, float]:
    """The advance of `text` in font units, and the units per em."""
    if bidi.has_rtl(text):
        import arabic_reshaper

        text = arabic_reshaper.reshape(text)
    widths, upm = _metrics(name, "bold" if bold else "regular")
    default = widths.get(ord("n"), upm / 2)
    return sum(widths.get(ord(ch), default) for ch in text if ord(ch) not in _ZERO_WIDTH), upm


_ZERO_WIDTH = {0x2060, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C, 0x200C, 0x200D}


# --------------------------------------------------------------------------------------------
# The tick boxes' own font

TICK_BOX_FAMILY = "CNOPS Tick Box"
"""A font of two glyphs made here, embedded in the forms: an empty box (U+2610) and a crossed
one (U+2612). Neither document font has them, and the ones Word uses (MS Gothic, Segoe UI
Symbol) are missing elsewhere: with its own font a box prints the same size everywhere."""
UNCHECKED, CHECKED = "\u2610", "\u2612"
TICK_BOX_EM = 0.9
"""The box's side, in em: set at 12 pt it is 3.8 mm, as in the PDF (forms.css)."""

_UPM = 1000
_BOX = (50, -150, 950, 750)  # x0, y0, x1, y1 in font units: TICK_BOX_EM wide and high
_STROKE = 66  # 0.8 pt at 12 pt, the PDF's border
_CROSS_INSET, _CROSS_WIDTH = 176, 90  # the cross: from the frame's edge; its bars' width
_SIGNATURE = dict.fromkeys(("usb1", "usb2", "usb3", "csb1"), "00000000") | {
    "usb0": "00000001",  # Basic Latin (the space)
    "csb0": "00000001",  # Latin 1
}
_EPOCH = 3_849_984_000  # 2026-01-01, in seconds since 1904 (a fixed date: the same bytes)


@cache
def tick_box_family() -> FontFamily:
    """The tick-box font's font-table entry, its one face ready to embed."""
    return FontFamily(
        name=TICK_BOX_FAMILY,
        panose="05000000000000000000",  # decorative pictures (a symbol font)
        signature=_SIGNATURE,
        faces={"regular": _tick_box_font()},
    )


def _polygon(pen: TTGlyphPen, points: list[tuple[float, float]]) -> None:
    pen.moveTo(_round(points[0]))
    for point in points[1:]:
        pen.lineTo(_round(point))
    pen.closePath()


def _round(point: tuple[float, float]) -> tuple[int, int]:
    return round(point[0]), round(point[1])


def _box_glyph(crossed: bool) -> object:
    """A square frame (outer contour clockwise, inner counter-clockwise), and a cross."""
    pen = TTGlyphPen(None)
    x0, y0, x1, y1 = _BOX
    _polygon(pen, [(x0, y0), (x0, y1), (x1, y1), (x1, y0)])
    s = _STROKE
    _polygon(pen, [(x0 + s, y0 + s), (x1 - s, y0 + s), (x1 - s, y1 - s), (x0 + s, y1 - s)])
    if crossed:
        a, b = x0 + _CROSS_INSET, y0 + _CROSS_INSET
        c, d = x1 - _CROSS_INSET, y1 - _CROSS_INSET
        h = _CROSS_WIDTH / 2**1.5  # half the bar's width, along each axis of a 45° bar
        _polygon(pen, [(a - h, b + h), (c - h, d + h), (c + h, d - h), (a + h, b - h)])
        _polygon(pen, [(a + h, d + h), (c + h, b + h), (c - h, b - h), (a - h, d - h)])
    return pen.glyph()


def _tick_box_font() -> bytes:
    """The two boxes as a TrueType font, the same bytes every time."""
    glyphs = {
        ".notdef": TTGlyphPen(None).glyph(),
        "space": TTGlyphPen(None).glyph(),
        "uni2610": _box_glyph(crossed=False),
        "uni2612": _box_glyph(crossed=True),
    }
    builder = FontBuilder(_UPM, isTTF=True)
    builder.setupGlyphOrder(list(glyphs))
    builder.setupCharacterMap({0x20: "space", ord(UNCHECKED): "uni2610", ord(CHECKED): "uni2612"})
    builder.setupGlyf(glyphs)
    advances = {".notdef": 500, "space": 250, "uni2610": _UPM, "uni2612": _UPM}
    builder.setupHorizontalMetrics(
        {name: (advance, getattr(glyphs[name], "xMin", 0)) for name, advance in advances.items()}
    )
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable(
        {
            "familyName": TICK_BOX_FAMILY,
            "styleName": "Regular",
            "uniqueFontIdentifier": f"cnops-legaldocs: {TICK_BOX_FAMILY} Regular 1.000",
            "fullName": f"{TICK_BOX_FAMILY} Regular",
            "psName": TICK_BOX_FAMILY.replace(" ", "") + "-Regular",
            "version": "Version 1.000",
            "licenseDescription": "Public domain (CC0 1.0): two boxes drawn by cnops-legaldocs.",
        }
    )
    builder.setupOS2(
        sTypoAscender=800, sTypoDescender=-200, sTypoLineGap=0, usWinAscent=800,
        usWinDescent=200, fsType=0, ulUnicodeRange1=1, ulCodePageRange1=1,
        achVendID="NONE", usWeightClass=400,
    )  # fmt: skip
    # fsType 0: installable embedding, which Word and LibreOffice honour.
    builder.setupPost()
    builder.setupHead(unitsPerEm=_UPM, created=_EPOCH, modified=_EPOCH)
    out = io.BytesIO()
    builder.font.recalcTimestamp = False
    builder.font.save(out)
    return out.getvalue()
