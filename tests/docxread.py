"""Read a DOCX back as Word and LibreOffice do: its XML (effective properties, text,
content controls), and the PDF LibreOffice prints from it (glyphs with their positions, lines
as the eye reads them, words)."""

from __future__ import annotations

import bisect
import collections
import io
import re
import statistics
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from docx import Document as open_docx
from docx.oxml.ns import qn
from lxml import etree
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTLine, LTRect, LTTextLine

from cnops_legaldocs import api, documents
from cnops_legaldocs.model import LANGUAGES

DOCX_KINDS = [kind for kind in api.KINDS if "docx" in api.formats_of(kind)]
CASES = [(kind, lang) for kind in DOCX_KINDS for lang in LANGUAGES]
"""Every blank document there is a DOCX of: (kind, language)."""
PREFILLED = [(kind, lang, "prefilled") for kind in documents.FORM_KINDS for lang in LANGUAGES]
"""Every form, pre-filled with `PERSON`: (kind, language, "prefilled")."""
BRANCHED = [("poster", lang, "branch") for lang in LANGUAGES]
"""The poster with a branch block (the first of examples/branches.yaml): the longest sheet."""
PERSON = {
    "nom": "العلوي",
    "prenom": "Mohammed",
    "cin": "BE123456",
    "immatriculation": "123456789",
    "adresse": "12 زنقة الخليل، الرباط",
    "telephone": "06 12 34 56 78",
}
"""An assuré whose values mix scripts: an Arabic name and address, a Latin first name; the
e-mail is left blank, a field that stays fillable."""
Case = tuple[str, ...]

ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LATIN = re.compile("[0-9A-Za-z\u00c0-\u024f]")
INVISIBLE = set("\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e\u200e\u200f\u061c\u2060")
MM = 72 / 25.4


def w(name: str) -> str:
    return qn(f"w:{name}")


# --------------------------------------------------------------------------------------------
# Reading a DOCX: parts, effective properties, text


class Docx:
    """A rendered DOCX opened with python-docx, with the lookups the tests need."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.doc = open_docx(io.BytesIO(content))
        styles = self.doc.styles.element
        self.styles = {s.get(w("styleId")): s for s in styles.findall(w("style"))}
        self.default_rpr = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        self.body = self.doc.element.body
        parts = list(self.doc.part.related_parts.values())
        self.headers = [p.element for p in parts if p.partname.startswith("/word/header")]
        self.footers = [p.element for p in parts if p.partname.startswith("/word/footer")]

    def paragraphs(self) -> list[etree._Element]:
        """Every paragraph: body, table cells, headers and footers."""
        roots = [self.body, *self.headers, *self.footers]
        return [p for root in roots for p in root.iter(w("p"))]

    def style_chain(self, style_id: str | None) -> Iterator[etree._Element]:
        while style_id in self.styles:
            style = self.styles[style_id]
            yield style
            based = style.find(w("basedOn"))
            style_id = based.get(w("val")) if based is not None else None

    def paragraph_style(self, p: etree._Element) -> str | None:
        style = p.find(f"{w('pPr')}/{w('pStyle')}")
        return style.get(w("val")) if style is not None else "Normal"

    def run_property(self, p: etree._Element, r: etree._Element, name: str):
        """The rPr child `name` a run ends up with: its own, its character style's, its
        paragraph style's (through basedOn), then the document defaults."""
        sources = []
        r_pr = r.find(w("rPr"))
        if r_pr is not None:
            sources.append(r_pr)
            r_style = r_pr.find(w("rStyle"))
            if r_style is not None:
                sources += [s.find(w("rPr")) for s in self.style_chain(r_style.get(w("val")))]
        sources += [s.find(w("rPr")) for s in self.style_chain(self.paragraph_style(p))]
        sources.append(self.default_rpr)
        for source in sources:
            if source is not None and source.find(w(name)) is not None:
                return source.find(w(name))
        return None

    def paragraph_property(self, p: etree._Element, name: str):
        sources = [p.find(w("pPr"))]
        sources += [s.find(w("pPr")) for s in self.style_chain(self.paragraph_style(p))]
        for source in sources:
            if source is not None and source.find(w(name)) is not None:
                return source.find(w(name))
        return None


def runs(p: etree._Element) -> list[etree._Element]:
    return [r for r in p.iter(w("r"))]


def run_text(r: etree._Element) -> str:
    out = []
    for child in r:
        if child.tag == w("t"):
            out.append(child.text or "")
        elif child.tag in (w("tab"), w("br")):
            out.append(" ")
        elif child.tag == w("noBreakHyphen"):
            out.append("-")
    return "".join(out)


def paragraph_text(p: etree._Element, *, fields: bool = True, controls: bool = True) -> str:
    """A paragraph's text; without `fields`, field codes and results are left out, without
    `controls`, what content controls show (a tick box, a placeholder)."""
    out, depth = [], 0
    for r in runs(p):
        char = r.find(w("fldChar"))
        if char is not None:
            depth += {"begin": 1, "end": -1}.get(char.get(w("fldCharType")), 0)
            continue
        if not controls and in_control(r):
            continue
        if fields or depth == 0:
            out.append(run_text(r))
    return "".join(out)


def in_control(r: etree._Element) -> bool:
    """Whether a run is what a content control shows."""
    return any(a.tag == w("sdtContent") for a in r.iterancestors())


@dataclass(frozen=True)
class Control:
    """A content control: its tag (the field's name), alias (its label), type and place."""

    tag: str
    alias: str
    type: str  # "checkbox", "text" or "multiline"
    sdt: etree._Element

    @property
    def paragraph(self) -> etree._Element | None:
        """The paragraph an inline control stands in."""
        parent = self.sdt.getparent()
        return parent if parent is not None and parent.tag == w("p") else None

    @property
    def shown(self) -> str:
        return "".join(run_text(r) for r in self.sdt.find(w("sdtContent")).iter(w("r")))


def controls(docx: Docx) -> list[Control]:
    """The document's content controls in document order."""
    out = []
    for sdt in docx.body.iter(w("sdt")):
        props = sdt.find(w("sdtPr"))
        if props.find(qn("w14:checkbox")) is not None:
            kind = "checkbox"
        elif props.find(w("text")) is not None:
            kind = "text"
        else:
            kind = "multiline" if sdt.find(f"{w('sdtContent')}/{w('p')}") is not None else "?"
        value = {name: props.find(w(name)) for name in ("tag", "alias")}
        tag, alias = (v.get(w("val")) if v is not None else "" for v in value.values())
        out.append(Control(tag, alias, kind, sdt))
    return out


def story_words(docx: Docx, kind: str) -> list[str]:
    """The words of the document's own text, in order: the body, and the poster's footer (its
    QR band); what controls show is no text."""
    roots = [docx.body, *(docx.footers if kind == "poster" else [])]
    text = " ".join(paragraph_text(p, controls=False) for root in roots for p in root.iter(w("p")))
    return plain(text).split()


def is_on(element) -> bool:
    return element is not None and element.get(w("val"), "true") not in ("0", "false")


def plain(text: str) -> str:
    """Text as a reader sees it: NFKC, without bidi controls and word joiners."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch not in INVISIBLE)


# --------------------------------------------------------------------------------------------
# Reading a PDF: glyphs with their positions, lines as the eye reads them


@dataclass
class Glyph:
    text: str
    x0: float
    x1: float
    y0: float
    size: float


@dataclass
class Page:
    width: float
    height: float
    lines: list[list[Glyph]]  # text lines, top to bottom, each sorted left to right
    rules: list[tuple[float, float, float]]  # vertical rules (table borders): x, y0, y1

    @property
    def glyphs(self) -> list[Glyph]:
        return [glyph for line in self.lines for glyph in line]

    def columns(self, y: float) -> list[float]:
        """The x of the table rules crossing height `y` (none outside tables)."""
        return sorted(x for x, y0, y1 in self.rules if y0 - 1 <= y <= y1 + 1)

    def in_table(self, glyph: Glyph) -> bool:
        xs = self.columns(glyph.y0)
        return bool(xs) and xs[0] <= glyph.x0 <= xs[-1]


def read_pdf(path: Path | bytes) -> list[Page]:
    """Glyphs with positions, in pdfminer's text lines (which keep Amiri's raised and lowered
    letters on their line), and the vertical rules that draw table columns."""
    pages = []
    source = io.BytesIO(path) if isinstance(path, bytes) else str(path)
    for layout in extract_pages(source, laparams=LAParams(char_margin=10_000)):
        lines, rules = [], []
        stack = list(layout)
        while stack:
            item = stack.pop()
            if isinstance(item, LTTextLine):
                glyphs = [Glyph(c.get_text(), c.x0, c.x1, c.y0, c.size)
                          for c in item if isinstance(c, LTChar)]  # fmt: skip
                if glyphs:
                    lines.append(sorted(glyphs, key=lambda g: g.x0))
            elif isinstance(item, (LTLine, LTRect)) and abs(item.x1 - item.x0) < 1:
                rules.append(((item.x0 + item.x1) / 2, item.y0, item.y1))
            elif hasattr(item, "__iter__"):
                stack.extend(item)
        lines = merge_lines(lines)
        pages.append(Page(layout.width, layout.height, lines, rules))
    return pages


def merge_lines(lines: list[list[Glyph]]) -> list[list[Glyph]]:
    """Text lines sharing a baseline made one (pdfminer may cut one where bidi runs jump),
    sorted top to bottom."""
    merged: list[list[Glyph]] = []
    for line in sorted(lines, key=lambda ln: -line_y(ln)):
        if merged and abs(line_y(merged[-1]) - line_y(line)) < 1:
            merged[-1] = sorted(merged[-1] + line, key=lambda g: g.x0)
        else:
            merged.append(line)
    return merged


def line_y(line: list[Glyph]) -> float:
    return statistics.median(g.y0 for g in line)


def visible(line: list[Glyph]) -> list[Glyph]:
    """A line's glyphs as drawn. Glyphs without text are dropped; a space or bidi control
    that starts where a letter starts is a ghost (LibreOffice draws each isolate character
    as a space glyph that does not advance) and dropped; other ones are spaces."""
    starts = [g.x0 for g in line if g.text.strip() and g.text not in INVISIBLE]
    out = []
    for glyph in line:
        if not glyph.text:
            continue
        if glyph.text.strip() and glyph.text not in INVISIBLE:
            out.append(glyph)
        elif glyph.x1 - glyph.x0 > 0.5 and all(abs(glyph.x0 - x) > 0.6 for x in starts):
            out.append(Glyph(" ", glyph.x0, glyph.x1, glyph.y0, glyph.size))
    return out


def reading(line: list[Glyph]) -> tuple[str, list[float]]:
    """A line as the eye reads it, left to right, with each character's x position."""
    text, xs, last = [], [], None
    for glyph in visible(line):
        if last is not None and glyph.x0 - last > 0.15 * glyph.size and text[-1] != " ":
            text.append(" ")
            xs.append(last)
        for ch in glyph.text:
            text.append(ch)
            xs.append(glyph.x0)
        last = glyph.x1
    return "".join(text), xs


def segments(page: Page, line: list[Glyph]) -> list[tuple[int, list[Glyph]]]:
    """A line cut at table rules and wide gaps (between a running header's items), each
    piece keyed by its table column (-1 outside tables)."""
    rules = page.columns(line_y(line))
    out: list[tuple[int, list[Glyph]]] = []
    for glyph in visible(line):
        column = bisect.bisect(rules, (glyph.x0 + glyph.x1) / 2) if rules else -1
        last = out[-1] if out else None
        if last and last[0] == column and glyph.x0 - last[1][-1].x1 < 0.9 * glyph.size:
            last[1].append(glyph)
        else:
            out.append((column, [glyph]))
    return out


def words_of_lines(page: Page, lines: list[list[Glyph]]) -> list[str]:
    """Words of PDF lines: split at spaces, at gaps a space wide (WeasyPrint draws no space
    between two isolates), at cells; a word cut by a line-end hyphen (French hyphenation) is
    joined again with the next line of the same column."""
    out: list[str] = []
    carry: dict[int, str] = {}
    for line in lines:
        for column, glyphs in segments(page, line):
            text, last = "", None
            for glyph in glyphs:
                if unicodedata.category(glyph.text[0]) == "Mn":  # marks sit anywhere
                    text += glyph.text  # over their word: its extent, not a gap
                    last = glyph.x1 if last is None else max(last, glyph.x1)
                    continue
                if last is not None and glyph.x0 - last > 0.2 * glyph.size:
                    text += " "
                text += glyph.text
                last = glyph.x1
            words = text.split()
            if column in carry and words:
                words[0] = carry.pop(column) + words[0]
            if words and words[-1][-1] in "-\u2010\u00ad" and not ARABIC.search(words[-1]):
                carry[column] = words.pop()
            out += words
    return out + list(carry.values())


def word_key(word: str, *, source: str = "pdf") -> str:
    """A word reduced to what both outputs must agree on: letters and digits, NFKC, no
    Arabic marks. An Arabic word is keyed by its set of letters, as PDF text comes in visual
    order. (The PDF's text layer maps each glyph to the text it was drawn for,
    `renderers/textlayer.py`: a tatweel reads as a tatweel, not as the lam Amiri draws it
    with.)"""
    text = plain(word)
    text = "".join(ch for ch in text if ch.isalnum() and unicodedata.category(ch) != "Mn")
    return "".join(sorted(set(text))) if ARABIC.search(text) else text


def bag(words: list[str], source: str = "pdf") -> collections.Counter[str]:
    keys = (word_key(word, source=source) for word in words)
    return collections.Counter(key for key in keys if key)


def cut_words(docx: Docx, pages: list[Page]) -> list[str]:
    """The words of a DOCX's pages (as LibreOffice printed them) that are no word of its text:
    a word cut across two lines ("Vidéosurveillanc", "e"). A line may break after a hyphen or
    a slash, and a web address after a dot, where a line breaking rule lets it; a word cut
    by French hyphenation is joined again (`words_of_lines`). Arabic words are compared by
    their letters alone: LibreOffice's text layer maps some glyphs (ligatures, the tatweel)
    to no letter or another one, and may cut a word where a mark's glyph leaves a gap on its
    line, so a piece that makes a word with its neighbour on the page is no cut."""
    stories = [docx.body, *docx.headers, *docx.footers]
    text = " ".join(paragraph_text(p, controls=False) for s in stories for p in s.iter(w("p")))
    source = {letters(piece) for word in plain(text).split() for piece in _breaks(word)}
    words = [word for page in pages for word in words_of_lines(page, page.lines)]
    out = []
    for i, word in enumerate(words):
        key = letters(word)
        if not key or key in source or key.isdigit():
            continue
        neighbours = (words[i - 1] + word if i else word, word + "".join(words[i + 1 : i + 2]))
        if ARABIC.search(key) and any(letters(joined) in source for joined in neighbours):
            continue
        out.append(word)
    return out


def letters(word: str) -> str:
    """A word's letters and digits; an Arabic word's set of Arabic letters (no tatweel)."""
    kept = (ch for ch in plain(word) if ch.isalnum() and ch != "\u0640")
    text = "".join(ch for ch in kept if unicodedata.category(ch) != "Mn")
    if ARABIC.search(text):
        return "".join(sorted({ch for ch in text if ARABIC.match(ch)}))
    return text


def _breaks(word: str) -> set[str]:
    """The runs of a word's pieces between the places a line may break inside it."""
    after = r"(?<=[-/\u2011.])" if "://" in word else r"(?<=[-/\u2011])"
    parts = re.split(after, word)
    return {"".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)}


def token_x(line: list[Glyph], pattern: str) -> float | None:
    text, xs = reading(line)
    match = re.search(pattern, text)
    return xs[match.start()] if match else None


# --------------------------------------------------------------------------------------------
# Page geometry of each kind (the print CSS), to tell the text block from the furniture

PAGE_MARGINS = {  # top, bottom (mm): document.css, forms.css
    "notice": (24, 22),
    "register": (20, 18),
    "rights-request": (20, 16),
    "marketing-consent": (20, 16),
}
SIDE_MARGIN = {"notice": 18, "register": 15, "rights-request": 14, "marketing-consent": 14,
               "poster": 2.6 * 14 / MM}  # fmt: skip


def body_lines(page: Page, kind: str, number: int = 2) -> list[list[Glyph]]:
    """Lines of page `number`'s text block: the running header (none on the first page) and
    footer left out; the poster's QR band, its footer, is part of its text."""
    if kind == "poster":
        return page.lines
    top, bottom = PAGE_MARGINS[kind]
    if number == 1:
        top = 0
    return [line for line in page.lines if bottom * MM < line_y(line) < page.height - top * MM]
