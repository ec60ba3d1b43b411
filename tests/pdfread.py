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


def tagged_texts(pdf: bytes) -> list[str]:
    """The text of each piece of marked content the structure tree of a tagged PDF refers to,
    in the tree's order: what a screen reader reads, and in which order."""
    import pikepdf
    from pdfminer.pdfdevice import PDFDevice
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    class Marked(PDFDevice):  # type: ignore[misc]
        """Text drawn inside each (page, MCID), through the fonts' ToUnicode."""

        def __init__(self, resources: PDFResourceManager) -> None:
            super().__init__(resources)
            self.page = 0
            self.open: list[int | None] = []
            self.texts: dict[tuple[int, int], str] = {}

        def begin_tag(self, tag, props=None):  # type: ignore[no-untyped-def]
            self.open.append(props.get("MCID") if isinstance(props, dict) else None)

        def end_tag(self) -> None:
            if self.open:
                self.open.pop()

        def render_string(self, textstate, seq, ncs, graphicstate):  # type: ignore[no-untyped-def]
            mcid = next((m for m in reversed(self.open) if m is not None), None)
            font = textstate.font
            text = "".join(
                font.to_unichr(cid) for item in seq if isinstance(item, bytes)
                for cid in font.decode(item)
            )  # fmt: skip
            key = (self.page, mcid)
            self.texts[key] = self.texts.get(key, "") + text

    resources = PDFResourceManager()
    device = Marked(resources)
    interpreter = PDFPageInterpreter(resources, device)
    for page in PDFPage.create_pages(PDFDocument(PDFParser(io.BytesIO(pdf)))):
        device.page = page.pageid
        interpreter.process_page(page)
    texts: list[str] = []

    def walk(node: pikepdf.Object, page: pikepdf.Object | None) -> None:
        page = node.get("/Pg", page)
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid, page)
            elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
                on = kid.get("/Pg", page)
                texts.append(device.texts.get((on.objgen[0], int(kid.MCID)), ""))
            elif not isinstance(kid, pikepdf.Dictionary) and page is not None:
                texts.append(device.texts.get((page.objgen[0], int(kid)), ""))

    with pikepdf.open(io.BytesIO(pdf)) as document:
        walk(document.Root.StructTreeRoot, None)
    return texts
