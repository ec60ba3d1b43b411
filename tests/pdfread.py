"""Read a PDF back as a reader sees it: lines of glyphs in visual order, positions, fonts."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine
from pypdf import PdfReader

from cnops_legaldocs.bidi import strip_controls


@dataclass(frozen=True)
class Line:
    """One printed line: its glyphs left to right as the eye reads them."""

    page: int
    visual: str  # glyphs sorted by x, normalised (NFKC), mirrored characters as in the PDF
    x0: float
    x1: float
    top: float
    fonts: frozenset[str]
    page_width: float
    size: float = 0.0  # the smallest glyph size on the line, in points


def lines(pdf: bytes) -> list[Line]:
    out: list[Line] = []
    for number, page in enumerate(
        extract_pages(io.BytesIO(pdf), laparams=LAParams(char_margin=50, line_margin=0.3)), 1
    ):
        for line in _text_lines(page):
            chars = sorted((c for c in line if isinstance(c, LTChar)), key=lambda c: c.x0)
            if not chars:
                continue
            text, last = [], None
            for c in chars:
                if last is not None and c.x0 - last > 0.15 * max(c.size, 1):
                    text.append(" ")
                text.append(c.get_text())
                last = c.x1
            visual = normalise("".join(text))
            if visual:
                out.append(
                    Line(
                        number,
                        visual,
                        min(c.x0 for c in chars),
                        max(c.x1 for c in chars),
                        page.height - max(c.y1 for c in chars),
                        frozenset(c.fontname for c in chars),
                        page.width,
                        min(c.size for c in chars),
                    )
                )
    return out


def _text_lines(container):  # type: ignore[no-untyped-def]
    for el in container:
        if isinstance(el, LTTextLine):
            yield el
        elif isinstance(el, LTTextContainer):
            yield from _text_lines(el)


def normalise(text: str) -> str:
    """NFKC (Arabic presentation forms to letters), no bidi controls, single spaces."""
    text = strip_controls(unicodedata.normalize("NFKC", text))
    return re.sub(r"\s+", " ", text).strip()


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def logical_words(pdf: bytes) -> str:
    """The text in logical order (pdfminer's extraction), normalised."""
    from pdfminer.high_level import extract_text

    return normalise(extract_text(io.BytesIO(pdf)))


@dataclass(frozen=True)
class Widget:
    """A form field of a PDF: its name, type, page, rectangle and accessible label."""

    name: str
    type: str  # "text", "multiline" or "checkbox"
    page: int
    rect: tuple[float, float, float, float]  # x0, y0, x1, y1
    label: str


def widgets(pdf: bytes) -> list[Widget]:
    """The form fields of a PDF in page and document order."""
    reader = PdfReader(io.BytesIO(pdf))
    out = []
    for number, page in enumerate(reader.pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Widget":
                continue
            if annot["/FT"] == "/Btn":
                kind = "checkbox"
            elif annot["/FT"] == "/Tx":
                kind = "multiline" if int(annot.get("/Ff", 0)) & (1 << 12) else "text"
            else:
                kind = str(annot["/FT"])
            x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
            rect = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
            out.append(Widget(str(annot["/T"]), kind, number, rect, str(annot.get("/TU", ""))))
    return out
