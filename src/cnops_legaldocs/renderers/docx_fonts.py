"""The fonts a DOCX carries: the PDF's own faces, made fit for embedding, and their metrics.

A clerk's PC rarely has Amiri or Noto Serif, and Word or LibreOffice would then substitute
a font of their choosing (for Arabic, often one that shapes differently and is wider). So
the DOCX embeds the fonts as Word does (see `ooxml.font_table`): Amiri's four static faces as
published, and Noto Serif, a variable font that neither Word's embedding nor LibreOffice's PDF
export handle, as four static instances (400/700, upright/italic) cut down to the Latin
script. Instancing is deterministic and done once per process.
"""

from __future__ import annotations

import io
from functools import cache

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

from .. import assets, bidi
from ..errors import RenderError
from .ooxml import FontFamily

FACES: dict[str, tuple[int, str]] = {
    "regular": (400, "normal"),
    "bold": (700, "normal"),
    "italic": (400, "italic"),
    "bolditalic": (700, "italic"),
}

# What a static Latin face keeps of a pan-European font: Latin, its diacritics, punctuation,
# currency and letterlike symbols, arrows, mathematical operators and geometric bullets.
_LATIN = [
    *range(0x0020, 0x007F), *range(0x00A0, 0x0250), *range(0x02B0, 0x0370),
    *range(0x1E00, 0x1F00), *range(0x2000, 0x20D0), *range(0x2100, 0x2200),
    *range(0x2200, 0x2300), *range(0x25A0, 0x2600),
]  # fmt: skip


@cache
def family(name: str) -> FontFamily:
    """A family's font-table entry with its four static faces, ready to embed."""
    faces = {face: _static_face(name, weight, style) for face, (weight, style) in FACES.items()}
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


@cache
def _latin(path: str) -> bytes:
    """A font cut down to the Latin script (fontTools' default layout features, all names)."""
    font = TTFont(path, recalcTimestamp=False)
    options = subset.Options()
    options.layout_scripts = ["latn", "DFLT"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_LATIN)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _instance(path: str, weight: int) -> bytes:
    """A static instance of a variable font at `weight` (default width), Latin only."""
    font = TTFont(io.BytesIO(_latin(path)), recalcTimestamp=False)
    axes = {axis.axisTag: axis.defaultValue for axis in font["fvar"].axes}
    axes["wght"] = weight
    instancer.instantiateVariableFont(font, axes, inplace=True, updateFontNames=True)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@cache
def _metrics(name: str, face: str) -> tuple[dict[int, int], float]:
    """A face's advance widths per code point (in em/1000ths) and its units per em."""
    with TTFont(io.BytesIO(family(name).faces[face]), lazy=True) as font:
        hmtx = font["hmtx"]
        widths = {cp: hmtx[glyph][0] for cp, glyph in font.getBestCmap().items()}
        return widths, float(font["head"].unitsPerEm)


def text_width(text: str, name: str, size_pt: float, bold: bool = False) -> float:
    """The width of `text` set in a family at `size_pt`, from advance widths: a fair estimate
    for sizing table columns. Arabic is measured in its joined forms (arabic-reshaper picks
    them; isolated forms are half as wide again), without kerning or the font's ligatures."""
    if bidi.has_rtl(text):
        import arabic_reshaper

        text = arabic_reshaper.reshape(text)
    widths, upm = _metrics(name, "bold" if bold else "regular")
    default = widths.get(ord("n"), upm / 2)
    return sum(widths.get(ord(ch), default) for ch in text if ord(ch) not in _ZERO_WIDTH) * (
        size_pt / upm
    )


_ZERO_WIDTH = {0x2060, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C, 0x200C, 0x200D}
