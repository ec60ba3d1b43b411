"""DOCX output: what Word reads in the XML, what LibreOffice prints from it, and that it says
the same as the PDF.

The four DOCX are rendered once, and converted to PDF in one LibreOffice call (a private
profile, so that parallel runs do not clash), on a machine where the document fonts are not
installed: what the converted PDF shows comes from the DOCX alone.
"""

from __future__ import annotations

import bisect
import collections
import io
import re
import shutil
import statistics
import subprocess
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from fontTools.ttLib import TTFont
from lxml import etree
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTLine, LTRect, LTTextLine

import cnops_legaldocs as cl
from cnops_legaldocs import documents
from cnops_legaldocs.api import formats_of
from cnops_legaldocs.renderers import ooxml

DOCX_KINDS = [kind for kind in cl.KINDS if "docx" in formats_of(kind)]
CASES = [(kind, lang) for kind in DOCX_KINDS for lang in cl.LANGUAGES]
ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LATIN = re.compile("[0-9A-Za-z\u00c0-\u024f]")
INVISIBLE = set("\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e\u200e\u200f\u061c\u2060")
MM = 72 / 25.4


def w(name: str) -> str:
    return qn(f"w:{name}")


# --------------------------------------------------------------------------------------------
# Fixtures: each document rendered once


@pytest.fixture(scope="session")
def trees(data: cl.LegalData) -> dict[tuple[str, str], documents.Document]:
    return {case: documents.build(data, *case) for case in CASES}


@pytest.fixture(scope="session")
def docx_files(rendered: Callable[..., bytes]) -> dict[tuple[str, str], bytes]:
    return {case: rendered(*case, "docx") for case in CASES}


@pytest.fixture(scope="session")
def opened(docx_files: dict[tuple[str, str], bytes]) -> dict[tuple[str, str], Docx]:
    return {case: Docx(content) for case, content in docx_files.items()}


@pytest.fixture(scope="session")
def weasy_pdfs(rendered: Callable[..., bytes], tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("weasyprint")
    paths = {}
    for case in CASES:
        paths[case] = out / f"{case[0]}-{case[1]}.pdf"
        paths[case].write_bytes(rendered(*case, "pdf"))
    return paths


@pytest.fixture(scope="session")
def converted(
    docx_files: dict[tuple[str, str], bytes], tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], Path]:
    """The DOCX printed to PDF by LibreOffice, all four in one call."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: run scripts/setup-system")
    work = tmp_path_factory.mktemp("libreoffice")
    sources = []
    for (kind, lang), content in docx_files.items():
        sources.append(work / f"{kind}-{lang}.docx")
        sources[-1].write_bytes(content)
    profile = (work / "profile").as_uri()
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf",
         "--outdir", str(work), *map(str, sources)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return {case: work / f"{case[0]}-{case[1]}.pdf" for case in CASES}


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


def paragraph_text(p: etree._Element, *, fields: bool = True) -> str:
    """A paragraph's text; without `fields`, field codes and results are left out."""
    out, depth = [], 0
    for r in runs(p):
        char = r.find(w("fldChar"))
        if char is not None:
            depth += {"begin": 1, "end": -1}.get(char.get(w("fldCharType")), 0)
            continue
        if fields or depth == 0:
            out.append(run_text(r))
    return "".join(out)


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


def read_pdf(path: Path) -> list[Page]:
    """Glyphs with positions, in pdfminer's text lines (which keep Amiri's raised and lowered
    letters on their line), and the vertical rules that draw table columns."""
    pages = []
    for layout in extract_pages(str(path), laparams=LAParams(char_margin=10_000)):
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
                    text += glyph.text
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
    order, sometimes with a letter repeated by a ligature's text mapping. Amiri draws the
    tatweel with the glyph that also joins lam, and WeasyPrint's text layer maps that glyph
    to the letter it first drew it for: a DOCX tatweel is read as the lam the PDF shows."""
    text = plain(word)
    if source == "docx":
        text = text.replace("\u0640", "\u0644")
    text = "".join(ch for ch in text if ch.isalnum() and unicodedata.category(ch) != "Mn")
    return "".join(sorted(set(text))) if ARABIC.search(text) else text


def bag(words: list[str], source: str = "pdf") -> collections.Counter[str]:
    keys = (word_key(word, source=source) for word in words)
    return collections.Counter(key for key in keys if key)


def body_lines(page: Page, kind: str) -> list[list[Glyph]]:
    """Lines of a page's text block (running header and footer left out)."""
    top, bottom = PAGE_MARGINS[kind]
    return [line for line in page.lines if bottom * MM < line_y(line) < page.height - top * MM]


PAGE_MARGINS = {"notice": (24, 22), "register": (20, 18)}  # top, bottom (document.css)
SIDE_MARGIN = {"notice": 18, "register": 15}


# --------------------------------------------------------------------------------------------
# The XML: right to left as Word expects it


@pytest.mark.parametrize("kind", DOCX_KINDS)
def test_every_arabic_paragraph_is_bidi_in_an_arabic_style(opened, kind):
    docx = opened[kind, "ar"]
    paragraphs = docx.paragraphs()
    assert len(paragraphs) > 20
    for p in paragraphs:
        assert p.find(f"{w('pPr')}/{w('bidi')}") is not None, paragraph_text(p)
        if paragraph_text(p).strip():
            style = docx.styles[docx.paragraph_style(p)]
            assert style.find(w("name")).get(w("val")).endswith(" Arabic")
            assert style.find(f"{w('pPr')}/{w('bidi')}") is not None
            jc = docx.paragraph_property(p, "jc")
            assert jc is None or jc.get(w("val")) in ("left", "center")  # start: flush right


@pytest.mark.parametrize("case", CASES)
def test_rtl_only_on_arabic_runs(opened, case):
    docx = opened[case]
    arabic_runs = 0
    for p in docx.paragraphs():
        for r in runs(p):
            text = run_text(r)
            rtl = r.find(f"{w('rPr')}/{w('rtl')}")
            if ARABIC.search(text):
                arabic_runs += 1
                assert rtl is not None, text
            if LATIN.search(text):
                assert not is_on(docx.run_property(p, r, "rtl")), text
    assert (arabic_runs > 50) == (case[1] == "ar")


@pytest.mark.parametrize("kind", DOCX_KINDS)
def test_arabic_runs_have_complex_script_font_size_weight_and_language(opened, kind):
    docx = opened[kind, "ar"]
    checked = 0
    for p in docx.paragraphs():
        for r in runs(p):
            if r.find(f"{w('rPr')}/{w('rtl')}") is None:
                continue
            checked += 1
            fonts = docx.run_property(p, r, "rFonts")
            assert fonts.get(w("cs")) == "Amiri"
            size, cs_size = docx.run_property(p, r, "sz"), docx.run_property(p, r, "szCs")
            assert cs_size.get(w("val")) == size.get(w("val"))
            assert int(cs_size.get(w("val"))) >= 19  # 9.5 pt, the smallest Arabic text
            if is_on(docx.run_property(p, r, "b")):
                assert is_on(docx.run_property(p, r, "bCs"))
            assert docx.run_property(p, r, "lang").get(w("bidi")) == "ar-MA"
    assert checked > 50


@pytest.mark.parametrize("case", CASES)
def test_no_saudi_default_and_no_template_leftovers(docx_files, case):
    with zipfile.ZipFile(io.BytesIO(docx_files[case])) as z:
        names = z.namelist()
        everything = b"".join(z.read(n) for n in names if n.endswith((".xml", ".rels")))
    assert b"ar-SA" not in everything
    assert b"python-docx" not in everything
    assert not any("thumbnail" in n or "stylesWithEffects" in n or "customXml" in n for n in names)


@pytest.mark.parametrize("case", CASES)
def test_properties_are_in_schema_order(opened, case):
    docx = opened[case]
    roots = [docx.body, *docx.headers, *docx.footers, docx.doc.styles.element,
             docx.doc.settings.element, docx.doc.part.numbering_part.element]  # fmt: skip
    checked = 0
    for root in roots:
        for element in root.iter():
            local = etree.QName(element).localname
            if local not in ooxml.CHILD_ORDER or etree.QName(element).namespace != ooxml.W_NS:
                continue
            order = ooxml.CHILD_ORDER[local]
            ranks = [order.index(etree.QName(c).localname) for c in element
                     if etree.QName(c).namespace == ooxml.W_NS]  # fmt: skip
            assert ranks == sorted(ranks), (local, [etree.QName(c).localname for c in element])
            checked += 1
    assert checked > 100
    # Independently of that table, the orders rendering.md singles out:
    for root in roots:
        for p_pr in root.iter(w("pPr")):
            names = [etree.QName(c).localname for c in p_pr]
            if "bidi" in names:
                before = set(names[: names.index("bidi")])
                assert not before & {"spacing", "ind", "jc", "rPr"}, names
        for r_pr in root.iter(w("rPr")):
            names = [etree.QName(c).localname for c in r_pr]
            if "rtl" in names:
                i = names.index("rtl")
                assert not set(names[:i]) & {"cs", "lang"}, names
                assert not set(names[i + 1 :]) & {"rStyle", "rFonts", "b", "sz", "szCs"}, names


@pytest.mark.parametrize("case", CASES)
def test_tables_are_bidi_visual_in_arabic_only(opened, case):
    tables = opened[case].body.findall(f".//{w('tbl')}")
    assert tables
    for table in tables:
        bidi_visual = table.find(f"{w('tblPr')}/{w('bidiVisual')}")
        assert (bidi_visual is not None) == (case[1] == "ar")
        header = table.find(f"{w('tr')}/{w('trPr')}/{w('tblHeader')}")
        assert header is not None  # the header row repeats on each page


@pytest.mark.parametrize("case", CASES)
def test_section_lists_and_page_fields(opened, case):
    docx = opened[case]
    arabic = case[1] == "ar"
    sect = docx.body.find(w("sectPr"))
    assert (sect.find(w("bidi")) is not None) == arabic
    numbering = docx.doc.part.numbering_part.element
    items = [p for p in docx.paragraphs() if "ListBullet" in (docx.paragraph_style(p) or "")]
    if case[0] == "notice":
        assert len(items) > 15
    for p in items:
        num_id = docx.paragraph_property(p, "numPr").find(w("numId")).get(w("val"))
        num = numbering.find(f"{w('num')}[@{w('numId')}='{num_id}']")
        abstract_id = num.find(w("abstractNumId")).get(w("val"))
        level = numbering.find(
            f"{w('abstractNum')}[@{w('abstractNumId')}='{abstract_id}']/{w('lvl')}"
        )
        assert level.find(w("lvlJc")).get(w("val")) == ("right" if arabic else "left")
    for footer in docx.footers:  # the first page's footer and the others'
        codes = " ".join(t.text for t in footer.iter(w("instrText")))
        assert "PAGE" in codes.split() and "NUMPAGES" in codes.split()


@pytest.mark.parametrize("case", CASES)
def test_named_styles_not_direct_formatting(opened, case):
    docx = opened[case]
    allowed_ppr = {"pStyle", "bidi", "spacing", "jc"}  # spacing: a list's end; jc: N° column
    used = collections.Counter()
    for p in docx.paragraphs():
        p_pr = p.find(w("pPr"))
        names = {etree.QName(c).localname for c in p_pr} if p_pr is not None else set()
        assert names <= allowed_ppr, names
        used[docx.paragraph_style(p)] += 1
        for r in runs(p):
            r_pr = r.find(w("rPr"))
            if r_pr is not None:
                assert {etree.QName(c).localname for c in r_pr} <= {"rStyle", "rtl"}
    suffix = "Arabic" if case[1] == "ar" else ""
    roles = ["Issuer", "Title", "Edition", "BodyText", "TableHeading", "TableText", "Header",
             "Footer"] + (["Heading1", "Heading2", "ListBullet"] if case[0] == "notice"
                          else ["Note"])  # fmt: skip
    for style_id in roles:
        assert used[style_id + suffix] > 0, style_id + suffix
    for style in docx.styles.values():  # every role has both variants, Arabic based on French
        name = style.find(w("name")).get(w("val"))
        if name.endswith(" Arabic"):
            base = name.removesuffix(" Arabic").replace(" ", "")
            assert style.find(w("basedOn")).get(w("val")) == base
            assert style.find(f"{w('rPr')}/{w('rFonts')}").get(w("cs")) == "Amiri"


@pytest.mark.parametrize("case", CASES)
def test_fonts_are_embedded_as_word_does(opened, case):
    docx = opened[case]
    family = "Amiri" if case[1] == "ar" else "Noto Serif"
    assert docx.doc.settings.element.find(w("embedTrueTypeFonts")) is not None
    table = docx.doc.part.part_related_by(RT.FONT_TABLE)
    entry = etree.fromstring(table.blob).find(f"{w('font')}[@{w('name')}='{family}']")
    weights = {}
    for kind in ("embedRegular", "embedBold", "embedItalic", "embedBoldItalic"):
        embed = entry.find(w(kind))
        assert embed is not None, kind
        part = table.related_parts[embed.get(qn("r:id"))]
        assert part.content_type == ooxml.OBFUSCATED_FONT
        font = TTFont(io.BytesIO(ooxml.obfuscate(part.blob, embed.get(w("fontKey")))))
        assert font["name"].getDebugName(1) == family
        assert "fvar" not in font  # static faces only
        weights[kind] = font["OS/2"].usWeightClass
    assert weights["embedRegular"] == 400 and weights["embedBold"] == 700


@pytest.mark.parametrize("case", CASES)
def test_core_properties_come_from_the_data(opened, trees, data, case):
    props = opened[case].doc.core_properties
    tree = trees[case]
    assert props.title == tree.title
    assert props.author == props.last_modified_by == data.body.name[case[1]]
    assert props.created.date() == props.modified.date() == data.notice.effective_date
    assert props.language == {"fr": "fr-MA", "ar": "ar-MA"}[case[1]]


def test_zip_entries_carry_a_fixed_date(docx_files):
    # Byte-identical across processes, clocks and time zones: tests/trust/test_reproducible.py
    # builds every document in another process (TZ=Asia/Tokyo) and compares the bytes.
    for content in docx_files.values():
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --------------------------------------------------------------------------------------------
# One content source: the DOCX says what the tree and the PDF say


def docx_body_words(docx: Docx) -> list[str]:
    return plain(" ".join(paragraph_text(p) for p in docx.body.iter(w("p")))).split()


@pytest.mark.parametrize("case", CASES)
def test_docx_carries_exactly_the_document_text(opened, trees, case):
    assert docx_body_words(opened[case]) == plain(trees[case].text()).split()


@pytest.mark.parametrize("case", CASES)
def test_word_parity_with_the_pdf(opened, weasy_pdfs, case):
    kind = case[0]
    docx = opened[case]
    pages = read_pdf(weasy_pdfs[case])
    pdf = bag([word for page in pages for word in words_of_lines(page, body_lines(page, kind))])
    words = bag(docx_body_words(docx), "docx")
    assert not words - pdf, "words of the DOCX missing from the PDF"
    # The PDF repeats the table header rows on each page a table runs onto: nothing else.
    header_rows = bag(
        [
            word
            for tr in docx.body.iter(w("tr"))
            if tr.find(f"{w('trPr')}/{w('tblHeader')}") is not None
            for word in plain(" ".join(paragraph_text(p) for p in tr.iter(w("p")))).split()
        ],
        "docx",
    )
    extra = pdf - words
    repeats = max((extra[k] // n for k, n in header_rows.items()), default=0)
    assert extra == collections.Counter({k: n * repeats for k, n in header_rows.items()})

    # Page furniture (page 2: the first has no running header) differs in page numbers only.
    second = pages[1]
    top, bottom = PAGE_MARGINS[kind]
    header = [ln for ln in second.lines if line_y(ln) > second.height - top * MM]
    footer = [ln for ln in second.lines if line_y(ln) < bottom * MM]
    header_docx = [paragraph_text(p) for h in docx.headers for p in h.iter(w("p"))]
    assert bag(words_of_lines(second, header)) == bag(" ".join(header_docx).split(), "docx")
    footer_docx = bag(paragraph_text(docx.footers[0].find(w("p")), fields=False).split(), "docx")
    footer_pdf = bag(words_of_lines(second, footer))
    assert sorted((footer_pdf - footer_docx).elements()) == sorted(["2", str(len(pages))])
    assert not footer_docx - footer_pdf


# --------------------------------------------------------------------------------------------
# What LibreOffice prints from the DOCX, on a machine without the document fonts


def fonts_installed() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    families = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True).stdout
    return bool(re.search(r"amiri|noto serif", families, re.IGNORECASE))


@pytest.mark.parametrize("case", CASES)
def test_converted_pdf_uses_the_embedded_fonts(converted, case):
    if fonts_installed():
        pytest.skip("Amiri or Noto Serif is installed system-wide: embedding is not tested")
    report = subprocess.run(
        ["pdffonts", str(converted[case])], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    fonts = {line.split()[0].split("+")[-1]: line.split()[-5] for line in report}
    expected = {"ar": {"Amiri-Regular", "Amiri-Bold"},
                "fr": {"NotoSerif-Regular", "NotoSerif-Bold"}}[case[1]]  # fmt: skip
    assert set(fonts) == expected
    assert set(fonts.values()) == {"yes"}  # embedded


@pytest.mark.parametrize("kind", DOCX_KINDS)
def test_arabic_lines_start_at_the_right_margin(converted, kind):
    starts, cells = collections.Counter(), 0
    for page in read_pdf(converted[kind, "ar"]):
        right = page.width - SIDE_MARGIN[kind] * MM
        for line in body_lines(page, kind):
            for column, glyphs in segments(page, line):
                glyphs = [g for g in glyphs if g.text.strip()]
                if not any(ARABIC.match(g.text) for g in glyphs):
                    continue
                end, begin = max(g.x1 for g in glyphs), min(g.x0 for g in glyphs)
                if column >= 0:  # a table cell: flush against its right rule, or centred
                    rules = page.columns(line_y(line))
                    gap_right = min(x for x in rules if x > end) - end
                    gap_left = begin - max(x for x in rules if x < begin)
                    assert abs(gap_right - 1.8 * MM) < 1.5 or abs(gap_right - gap_left) < 1.5
                    cells += 1
                    continue
                # Paragraphs and headings start at the margin; a list's label sits 2.5 mm
                # inside it, its text 6 mm (docx._LIST_INDENT, _LIST_HANGING).
                bullet = any(g.text == "•" for g in glyphs)
                allowed = (2.5 * MM,) if bullet else (0, 6 * MM)
                offset = right - end
                assert min(abs(offset - a) for a in allowed) < 1, reading(line)[0]
                starts[round(offset / MM, 1)] += 1
    assert starts[0.0] >= 5 and cells >= 30


@pytest.mark.parametrize("kind", DOCX_KINDS)
def test_french_lines_start_at_the_left_margin(converted, kind):
    for page in read_pdf(converted[kind, "fr"]):
        left = SIDE_MARGIN[kind] * MM
        for line in body_lines(page, kind):
            glyphs = [g for g in visible(line) if g.text.strip() and not page.in_table(g)]
            if glyphs:
                offset = min(g.x0 for g in glyphs) - left
                assert min(abs(offset - a) for a in (0, 2.5 * MM, 6 * MM)) < 1


def token_x(line: list[Glyph], pattern: str) -> float | None:
    text, xs = reading(line)
    match = re.search(pattern, text)
    return xs[match.start()] if match else None


@pytest.mark.parametrize("lang", cl.LANGUAGES)
def test_register_columns_run_in_reading_direction(converted, lang):
    rows = 0
    for page in read_pdf(converted["register", lang]):
        for line in page.lines:
            ref = token_x(line, r"[AD]-[A-Z]+-\d+/\d{4}")
            mail = token_x(line, r"[a-z]+@cnops\.org\.ma")
            number = token_x(line, r"^\s*\d{1,2}\b" if lang == "fr" else r"\b\d{1,2}\s*$")
            if ref is None or number is None:
                continue
            rows += 1
            order = [number, ref] + ([mail] if mail is not None else [])
            # The first logical column (N°) is leftmost in French, rightmost in Arabic.
            assert order == (sorted(order) if lang == "fr" else sorted(order, reverse=True))
    assert rows >= 10


def test_notice_contact_table_runs_right_to_left(converted):
    checked = 0
    for page in read_pdf(converted["notice", "ar"]):
        for line in page.lines:
            mail = token_x(line, r"[a-z]+@cnops\.org\.ma")
            if mail is None:
                continue
            right_of_mail = [g for g in line if g.x0 > mail + 60 and ARABIC.match(g.text)]
            assert right_of_mail  # the processing column, first in the source, is on the right
            checked += 1
    assert checked == 7


@pytest.mark.parametrize("kind", DOCX_KINDS)
def test_ltr_tokens_read_in_order(converted, kind):
    text = "\n".join(
        reading(line)[0] for page in read_pdf(converted[kind, "ar"]) for line in page.lines
    )
    text = text.replace("\u2011", "-").replace("\u2010", "-")
    for token in ("05 38 00 20 20", "09.08", "A-GA-104/2016", "dic@cnops.org.ma",
                  "https://www.cnops.org.ma"):  # fmt: skip
        assert token in text, token
    for reversed_token in ("20 20 00 38 05", "08.09"):
        assert reversed_token not in text


@pytest.mark.parametrize("case", CASES)
def test_pages_are_numbered_in_the_footer(converted, weasy_pdfs, case):
    kind, lang = case
    pages = read_pdf(converted[case])
    assert abs(pages[0].width - read_pdf(weasy_pdfs[case])[0].width) < 0.5
    total = len(pages)
    for number, page in enumerate(pages, 1):
        footer = [ln for ln in page.lines if line_y(ln) < PAGE_MARGINS[kind][1] * MM]
        pieces = [glyphs for ln in footer for _, glyphs in segments(page, ln)]
        # The folio is the footer's last item: on the left in Arabic, on the right in French.
        folio = min(pieces, key=lambda g: g[0].x0 if lang == "ar" else -g[0].x0)
        text, xs = reading(folio)
        numbers = [(int(m.group()), xs[m.start()]) for m in re.finditer(r"\d+", text)]
        assert sorted(n for n, _ in numbers) == sorted([number, total])
        first_read = min(numbers, key=lambda item: item[1] if lang == "fr" else -item[1])
        assert first_read[0] == number  # "Page 2 sur 4" / "الصفحة 2 من 4"


def test_cli_renders_docx(tmp_path, docx_files):
    from cnops_legaldocs import cli

    out = tmp_path / "notice-ar.docx"
    assert cli.main(["render", "notice", "--lang", "ar", "--format", "docx", "-o", str(out)]) == 0
    assert out.read_bytes() == docx_files["notice", "ar"]
    assert cli.main(["render", "notice", "--lang", "ar", "--format", "docx",
                     "--pdf-variant", "pdf/a-3u", "-o", str(tmp_path / "x.docx")]) == 2  # fmt: skip
    assert "docx" in cl.FORMATS  # so `build` writes every document as DOCX too
