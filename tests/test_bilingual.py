"""The bilingual edition (fr+ar) as a reader sees it: French in the left column and Arabic in
the right on every page, each pair starting at the same height, in the PDF and in the DOCX
as LibreOffice prints it; one set of form fields; one sheet for the poster.

Every fr+ar document is rendered once per session; the DOCX are converted to PDF in one
LibreOffice call (a private profile, so that parallel runs do not clash).
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from lxml import etree
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTTextContainer
from pypdf import PdfReader

import cnops_legaldocs as cl
import docxread
from cnops_legaldocs import bidi, bilingual, cli, documents, forms, load_branches, previews
from cnops_legaldocs.api import formats_of
from cnops_legaldocs.errors import RenderError
from cnops_legaldocs.renderers import langcss, pdf
from pdfread import pages

BOTH = bilingual.BILINGUAL
KINDS = list(cl.KINDS)
DOCX_KINDS = [kind for kind in KINDS if "docx" in formats_of(kind, BOTH)]
needs_docx = pytest.mark.skipif(
    not DOCX_KINDS, reason="the bilingual DOCX is not merged yet (api.formats_of)"
)
PDF_CASES = [(kind, None) for kind in KINDS] + [("poster", "A4")]
ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
NUMBERING = re.compile(r"^\S{1,3}[.-]$")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


# --------------------------------------------------------------------------------------------
# Fixtures: each bilingual document rendered once


@pytest.fixture(scope="session")
def data() -> cl.LegalData:
    return cl.load()


@pytest.fixture(scope="session")
def trees(data: cl.LegalData) -> dict[str, documents.Document]:
    return {kind: documents.build(data, kind, BOTH) for kind in KINDS}


@pytest.fixture(scope="session")
def pdfs(data: cl.LegalData) -> dict[tuple[str, str | None], bytes]:
    return {(kind, paper): cl.render(data, kind, BOTH, paper=paper) for kind, paper in PDF_CASES}


@pytest.fixture(scope="session")
def docx_files(data: cl.LegalData) -> dict[str, bytes]:
    return {kind: cl.render(data, kind, BOTH, "docx") for kind in DOCX_KINDS}


@pytest.fixture(scope="session")
def converted(docx_files: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The bilingual DOCX printed to PDF by LibreOffice, one call per file (a session keeps
    the first document's embedded subset of a family: see the README, DOCX output)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: run scripts/setup-system")
    work = tmp_path_factory.mktemp("libreoffice-bilingual")
    sources = []
    for kind, content in docx_files.items():
        sources.append(work / f"{kind}-bilingual.docx")
        sources[-1].write_bytes(content)
    profile = (work / "profile").as_uri()
    for source in sources:
        subprocess.run(
            [soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf",
             "--outdir", str(work), str(source)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    return {kind: (work / f"{kind}-bilingual.pdf").read_bytes() for kind in docx_files}


# --------------------------------------------------------------------------------------------
# Reading a page back: glyphs, and the segments of lines they form in each column


@dataclass(frozen=True)
class Glyph:
    page: int
    char: str
    x0: float
    x1: float
    top: float
    size: float
    font: str
    page_width: float

    @property
    def arabic(self) -> bool:
        return bool(ARABIC.search(self.char))

    @property
    def french(self) -> bool:
        """A letter of the Latin face (Arabic cells set their Latin tokens in Amiri)."""
        return bool(LETTER.search(self.char)) and "Amiri" not in self.font


@dataclass(frozen=True)
class Segment:
    """A run of glyphs on one line of one column, left to right as the eye sees it."""

    page: int
    text: str  # visual order, NFKC, without diacritics
    x0: float
    x1: float
    top: float
    size: float
    arabic: bool  # holds Arabic letters
    french: bool  # holds letters of the Latin face

    @property
    def logical(self) -> str:
        """The text in reading order (a right-to-left segment reversed)."""
        return self.text[::-1] if self.arabic else self.text


def _plain(text: str) -> str:
    text = bidi.strip_controls(unicodedata.normalize("NFKC", text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.replace("\u00ad", "").split())


def glyphs(pdf_bytes: bytes) -> list[Glyph]:
    """Every glyph of the text (diacritics aside), with its page, box, size and font."""
    out = []
    for number, page in enumerate(extract_pages(io.BytesIO(pdf_bytes)), 1):
        for char in _chars(page):
            text = _plain(char.get_text())
            if text:
                out.append(Glyph(number, text, char.x0, char.x1, page.height - char.y1,
                                 char.size, char.fontname, page.width))  # fmt: skip
    return out


def _chars(items: object) -> Iterator[LTChar]:
    for item in items:  # type: ignore[attr-defined]
        if isinstance(item, LTChar):
            yield item
        elif isinstance(item, LTTextContainer):
            yield from _chars(item)


def segments(pdf_bytes: bytes) -> list[Segment]:
    """Lines of glyphs (same page and top), cut where a gap wider than a space parts them: a
    column's line, or a table cell's."""
    lines: list[list[Glyph]] = []
    for g in sorted(glyphs(pdf_bytes), key=lambda g: (g.page, g.top)):
        if lines and lines[-1][0].page == g.page and abs(lines[-1][0].top - g.top) < 1:
            lines[-1].append(g)
        else:
            lines.append([g])
    out = []
    for line in lines:
        line.sort(key=lambda g: g.x0)
        # Word spaces: a justified line's are all wide; a gap much wider than the line's usual
        # space (and than half an em, a quarter in unjustified Arabic) parts two table cells.
        gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(line)
                if 0.15 * b.size < b.x0 - a.x1 < 1.2 * b.size]  # fmt: skip
        usual = sorted(gaps)[len(gaps) // 2] if gaps else 0
        runs = [[line[0]]]
        for g in line[1:]:
            em = 0.45 if "Amiri" in g.font and "Amiri" in runs[-1][-1].font else 0.8
            if g.x0 - runs[-1][-1].x1 > max(em * g.size, 2.2 * usual):
                runs.append([g])
            else:
                runs[-1].append(g)
        for run in runs:
            text = "".join(
                (" " if i and g.x0 - run[i - 1].x1 > 0.15 * g.size else "") + g.char
                for i, g in enumerate(run)
            )
            out.append(Segment(run[0].page, text, run[0].x0, max(g.x1 for g in run),
                               min(g.top for g in run), max(g.size for g in run),
                               any(g.arabic for g in run), any(g.french for g in run)))  # fmt: skip
    return out


def same_line(a: Glyph, b: Glyph) -> bool:
    return a.page == b.page and abs(a.top - b.top) < 0.5 * min(a.size, b.size)


# --------------------------------------------------------------------------------------------
# The pairs of the composed tree, and where their first words are printed


@dataclass(frozen=True)
class Pair:
    fr: str  # the first letters of the French side
    ar: str  # the first Arabic letters of the Arabic side
    short: tuple[bool, bool]  # whether each key is its side's whole text


KEY = 24  # letters: enough to tell a pair from the others (its side's first line or two)


def compact(text: str, arabic: bool) -> str:
    """The letters of a text only (Arabic ones, or the others), as a key to find it by; a
    letter repeated counts once (text extraction may double the lam of a lam-alef)."""
    pattern = ARABIC if arabic else LETTER
    letters = "".join(ch for ch in text if pattern.match(ch) and ch != "\u0640")  # no tatweel
    return re.sub(r"(.)\1+", r"\1", letters)


def pairs(tree: documents.Document) -> list[Pair]:
    """Every pair of the bilingual tree, in document order: rows of pairs, data-table rows
    (their first French and first Arabic column), form fields."""
    out = []
    for el in tree.root.find("body").iter():
        sides: list[etree._Element] = []
        if "pair" in (el.get("class") or "").split():
            sides = [c for c in el if c.get("lang") in ("fr", "ar")]
        elif el.tag == "tr":
            cells = [c for c in el if c.get("lang") in ("fr", "ar")]
            if {c.get("lang") for c in cells} == {"fr", "ar"}:
                sides = [next(c for c in cells if c.get("lang") == "fr"),
                         next(c for c in reversed(cells) if c.get("lang") == "ar")]  # fmt: skip
        if len(sides) == 2:
            texts = [_plain("".join(side.itertext())).split() for side in sides]
            # Without a section's letter ("A.", "هـ-"), which text extraction may garble.
            texts = [" ".join(words[1:] if words and NUMBERING.match(words[0]) else words)
                     for words in texts]  # fmt: skip
            fr, ar = compact(texts[0], False), compact(texts[1], True)
            if fr and ar:
                out.append(Pair(fr[:KEY], ar[:KEY], (len(fr) <= KEY, len(ar) <= KEY)))
    return out


def locate(segs: list[Segment], key: str, arabic: bool, start: int, whole: bool) -> int:
    """The index of the next segment, in reading order from `start`, where `key` begins: its
    letters, with those of the lines below it in the same column, start with `key` (after
    at most a section's letter; are `key`, when `key` is a whole short text)."""
    edge = (lambda s: s.x1) if arabic else (lambda s: s.x0)
    for i in range(start, len(segs)):
        first = compact(segs[i].logical, arabic)
        if not first or key[:3] not in first[:6]:
            continue
        letters, top = first, segs[i].top
        enough = len(key) + (0 if whole else 3)
        for below in segs[i + 1 :]:
            if len(letters) >= enough or below.page != segs[i].page:
                break
            if abs(edge(below) - edge(segs[i])) < 3 and 0 < below.top - top < 3 * below.size:
                letters, top = compact(letters + below.logical, arabic), below.top
        at = letters.find(key)
        if 0 <= at <= 3 and (not whole or len(letters) == at + len(key)):
            return i
    raise AssertionError(f"{key!r} not found after segment {start}")


def reading_order(segs: list[Segment], arabic: bool) -> list[Segment]:
    return sorted(segs, key=lambda s: (s.page, round(s.top), -s.x1 if arabic else s.x0))


# --------------------------------------------------------------------------------------------
# The columns and the pairs, in every bilingual PDF and converted DOCX


def printed() -> list[tuple[str, str | None, str]]:
    return [(kind, paper, "pdf") for kind, paper in PDF_CASES] + [
        (kind, None, "docx") for kind in DOCX_KINDS
    ]


@pytest.fixture(scope="session")
def read_back(pdfs, request) -> dict:
    """Glyphs and segments of each printed document, read once."""
    cache: dict = {}

    def get(kind: str, paper: str | None, fmt: str) -> tuple[list[Glyph], list[Segment]]:
        key = (kind, paper, fmt)
        if key not in cache:
            source = (
                pdfs[(kind, paper)] if fmt == "pdf" else request.getfixturevalue("converted")[kind]
            )
            cache[key] = (glyphs(source), segments(source))
        return cache[key]

    return get  # type: ignore[return-value]


def shared_headings(tree: documents.Document) -> list[str]:
    """The letters of the headings of the columns both languages share (N°, the CNDP
    reference, the e-mail address), each printed in both languages in the middle."""
    return [compact("".join(p.itertext()), p.get("lang") == "ar")
            for th in tree.root.iter("th") for p in th if p.get("lang")]  # fmt: skip


@pytest.mark.parametrize(("kind", "paper", "fmt"), printed())
def test_french_left_arabic_right_on_every_page(read_back, trees, kind, paper, fmt):
    glyph_list, segs = read_back(kind, paper, fmt)
    for page in sorted({g.page for g in glyph_list}):
        items = [g for g in glyph_list if g.page == page]
        french = [g for g in items if g.french]
        arabic = [g for g in items if g.arabic]
        assert french and arabic, f"page {page}: both languages on every page"
        # The French column is the left one, the Arabic the right one...
        middle = items[0].page_width / 2
        assert sorted(g.x0 for g in french)[len(french) // 2] < middle
        assert sorted(g.x0 for g in arabic)[len(arabic) // 2] > middle
        assert max(g.x0 for g in arabic) > middle > min(g.x0 for g in french)
    # ...and on each line no French word lies right of an Arabic one (but in the headings of
    # shared columns, the French over the Arabic).
    shared = shared_headings(trees[kind])

    def own(seg: Segment) -> bool:
        letters = compact(seg.logical, seg.arabic)
        return not any(letters and letters in heading for heading in shared)

    for a in [s for s in segs if s.arabic and own(s)]:
        for f in [s for s in segs if s.french and not s.arabic and own(s)]:
            level = f.page == a.page and f.top < a.top + a.size and a.top < f.top + f.size
            assert not (level and f.x0 > a.x1), f"page {a.page}: {f.text!r} right of {a.text!r}"


@pytest.mark.parametrize(("kind", "paper", "fmt"), printed())
def test_each_pair_starts_at_the_same_height(read_back, trees, kind, paper, fmt):
    _, segs = read_back(kind, paper, fmt)
    french = reading_order([s for s in segs if not s.arabic], arabic=False)
    arabic = reading_order([s for s in segs if s.arabic], arabic=True)
    at_fr = at_ar = 0
    checked = 0
    for pair in pairs(trees[kind]):
        at_fr = locate(french, pair.fr, False, at_fr, pair.short[0])
        at_ar = locate(arabic, pair.ar, True, at_ar, pair.short[1])
        f, a = french[at_fr], arabic[at_ar]
        at_fr, at_ar = at_fr + 1, at_ar + 1
        assert f.page == a.page, f"{pair}: pages {f.page} and {a.page}"
        line = 1.8 * max(f.size, a.size)  # the taller of the two lines
        assert abs(f.top - a.top) < line, f"{pair}: {f.top:.1f} against {a.top:.1f}"
        assert f.x0 < a.x0
        checked += 1
    assert checked >= 10


# --------------------------------------------------------------------------------------------
# Forms: one set of fields, labelled in both languages


def field_names(pdf_bytes: bytes) -> list[str]:
    """The AcroForm field names, in page and document order."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return [
        str(annot.get_object()["/T"])
        for page in reader.pages
        for annot in page.get("/Annots", [])
        if annot.get_object().get("/Subtype") == "/Widget"
    ]


@pytest.mark.parametrize("kind", documents.FORM_KINDS)
def test_a_bilingual_form_has_the_fields_of_either_language(pdfs, rendered, data, kind):
    names = field_names(pdfs[(kind, None)])
    assert len(names) == len(set(names))  # one field per name, not two forms glued together
    assert set(names) == set(field_names(rendered(kind, "fr")))
    assert set(names) == set(field_names(rendered(kind, "ar")))
    assert set(names) == {f.name for f in forms.fields(data, kind)}


@pytest.mark.parametrize("kind", documents.FORM_KINDS)
def test_each_field_is_labelled_in_both_languages(trees, kind):
    body = trees[kind].root.find("body")
    for control in body.iter("input", "textarea"):
        title = control.get("title", "")
        assert ARABIC.search(title) and LETTER.search(title), control.get("name")
        labels = [lab for lab in body.iter("label") if lab.get("for") == control.get("id")]
        if control.tag == "input":  # (the request's box is introduced by its hint)
            assert {lab.xpath("ancestor-or-self::*[@lang][1]")[0].get("lang")
                    for lab in labels} == {"fr", "ar"}, control.get("name")  # fmt: skip


def test_prefilled_values_are_printed_once(data):
    person = {"nom": "Alaoui", "prenom": "Salma", "cin": "AB123456", "immatriculation": "987"}
    pdf_bytes = cl.render(data, "rights-request", BOTH, person=person)
    text = "".join(g.char for g in glyphs(pdf_bytes))
    for value in ("Alaoui", "Salma", "AB123456"):
        assert text.count(value) == 1, value
    names = field_names(pdf_bytes)
    assert not {"nom", "prenom", "cin", "immatriculation"} & set(names)
    assert set(names) == set(field_names(cl.render(data, "rights-request", "fr", person=person)))


# --------------------------------------------------------------------------------------------
# Arabic tokens still read in order


def arabic_column(glyph_list: list[Glyph]) -> str:
    """The text of the right half of the pages (the Arabic column, Latin tokens included),
    line by line as the eye reads it, left to right."""
    lines: dict[tuple[int, int], list[Glyph]] = {}
    for g in glyph_list:
        if g.x0 > g.page_width / 2:
            lines.setdefault((g.page, round(g.top)), []).append(g)
    return "\n".join(
        "".join(g.char for g in sorted(line, key=lambda g: g.x0)) for line in lines.values()
    )


@pytest.mark.parametrize(("kind", "paper", "fmt"), printed())
def test_arabic_column_keeps_its_latin_tokens_in_order(read_back, data, kind, paper, fmt):
    glyph_list, _ = read_back(kind, paper, fmt)
    arabic = arabic_column(glyph_list)
    assert "2020003805" not in arabic and "08.09" not in arabic
    if kind != "poster":  # (the poster prints the call-centre number once, in the middle)
        assert "0538002020" in arabic
    if kind in ("notice", "register", "poster"):
        assert "09.08" in arabic
    if kind in ("notice", "rights-request"):  # (the register prints them once, in the middle)
        for op in data.operations:
            assert str(op.reference) in arabic, op.reference


# --------------------------------------------------------------------------------------------
# The poster: one sheet, one QR code


@pytest.mark.parametrize("paper", [None, "A4"])
def test_poster_is_one_sheet_with_one_qr_code(pdfs, data, tmp_path, paper):
    content = pdfs[("poster", paper)]
    assert pages(content) == 1
    image = tmp_path / "poster.png"
    image.write_bytes(previews.pages(content, dpi=100)[0])
    found = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
        capture_output=True, text=True,
    ).stdout.splitlines()  # fmt: skip
    assert found == [data.notice.url]


@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_poster_with_a_branch_is_still_one_sheet(data, paper):
    branch = load_branches(EXAMPLES / "branches.yaml")[0]
    content = cl.render(data, "poster", BOTH, branch=branch, paper=paper)
    assert pages(content) == 1
    text = "".join(g.char for g in glyphs(content))
    assert _plain(branch.name["fr"]).replace(" ", "") in text


# --------------------------------------------------------------------------------------------
# The composed tree: nothing written twice, nothing invented


def _texts(root: etree._Element, plain: bool = False) -> set[str]:
    body = root.find("body")
    texts = (t for el in body.iter() for t in (el.text, el.tail) if t and t.strip())
    return {" ".join((bidi.strip_controls(t) if plain else t).split()) for t in texts}


@pytest.mark.parametrize("kind", KINDS)
def test_every_word_comes_from_the_french_or_the_arabic_document(data, trees, kind):
    fr, ar = (documents.build(data, kind, lang) for lang in ("fr", "ar"))
    assert _texts(trees[kind].root) <= _texts(fr.root) | _texts(ar.root)
    # Both languages whole: every text of either document is in the bilingual one (a value
    # both share, printed once, without the Arabic one's isolates).
    both = _texts(fr.root, plain=True) | _texts(ar.root, plain=True)
    assert both <= _texts(trees[kind].root, plain=True)


def test_the_page_is_french_and_each_cell_says_its_language(trees):
    root = trees["notice"].root
    assert (root.get("lang"), root.get("dir")) == ("fr", "ltr")
    cells = [el for el in root.find("body").iter() if el.get("lang")]
    assert {(el.get("lang"), el.get("dir")) for el in cells} == {("fr", "ltr"), ("ar", "rtl")}
    for el in cells:
        text = "".join(el.itertext())
        assert bool(ARABIC.search(text)) == (el.get("lang") == "ar")


def test_documents_of_different_shapes_are_refused(data):
    fr = documents.build(data, "notice", "fr")
    ar = documents.build(data, "register", "ar")
    with pytest.raises(RenderError, match="differ in structure"):
        bilingual.compose_tree(fr.root, ar.root)


def test_metadata_in_both_languages(pdfs, docx_files):
    reader = PdfReader(io.BytesIO(pdfs[("notice", None)]))
    assert str(reader.trailer["/Root"]["/Lang"]) == "fr"
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    bag = re.search(r"<dc:language>.*?</dc:language>", xmp, re.S)
    assert bag and re.findall(r"<rdf:li>(\w+)</rdf:li>", bag.group()) == ["fr", "ar"]
    assert "/" in str(reader.metadata.title)
    title = reader.metadata.title
    assert ARABIC.search(title) and LETTER.search(title)
    for content in docx_files.values():
        assert open_docx(io.BytesIO(content)).core_properties.language == "fr-MA"


# --------------------------------------------------------------------------------------------
# The DOCX: rule-less tables of pairs, each cell in its own direction


@needs_docx
@pytest.mark.parametrize("kind", DOCX_KINDS)
def test_docx_no_word_is_cut_across_lines(converted, docx_files, kind):
    """LibreOffice's pages of each bilingual DOCX print every word whole, in its narrow
    columns too (see docxread.cut_words)."""
    found = docxread.cut_words(docxread.Docx(docx_files[kind]), docxread.read_pdf(converted[kind]))
    assert found == []


@needs_docx
@pytest.mark.parametrize("kind", DOCX_KINDS)
def test_docx_prints_on_as_many_pages_as_the_pdf(converted, pdfs, kind):
    """LibreOffice's pages of each bilingual DOCX are as many as the PDF's (the register's
    mirrored columns, too narrow for its addresses, took a page more)."""
    pages = len(PdfReader(io.BytesIO(converted[kind])).pages)
    assert pages == len(PdfReader(io.BytesIO(pdfs[kind, None])).pages)


def _arabic_words_only(text: str) -> bool:
    return all(unicodedata.bidirectional(ch) in ("AL", "R", "NSM", "WS") for ch in text)


@needs_docx
def test_docx_cells_run_in_their_own_direction(docx_files, trees):
    for kind, content in docx_files.items():
        doc = open_docx(io.BytesIO(content))
        body = doc.element.body
        assert body.find(qn("w:sectPr")).find(qn("w:bidi")) is None  # a left-to-right page
        for tbl in body.iter(qn("w:tbl")):
            assert tbl.find(f"{qn('w:tblPr')}/{qn('w:bidiVisual')}") is None  # French left
        arabic = french = 0
        for p in body.iter(qn("w:p")):
            text = "".join(t.text or "" for t in p.iter(qn("w:t")))
            if not text.strip():
                continue
            bidi_on = p.find(f"{qn('w:pPr')}/{qn('w:bidi')}") is not None
            if ARABIC.search(text):
                arabic += 1
                # (a column heading both languages share: a French line, then the Arabic one
                # in a right-to-left isolate, or without one where it is Arabic words only:
                # one right-to-left run by the bidi rules, as in the isolate)
                assert bidi_on or (
                    not text.startswith(bidi.RLI)
                    and (
                        bidi.RLI in text or _arabic_words_only(text[ARABIC.search(text).start() :])
                    )
                ), text
                runs = [r for r in p.iter(qn("w:r")) if ARABIC.search("".join(
                    t.text or "" for t in r.iter(qn("w:t"))))]  # fmt: skip
                assert all(r.find(f"{qn('w:rPr')}/{qn('w:rtl')}") is not None for r in runs)
            elif LETTER.search(text) and text[:1].isupper():
                french += 1
                assert not bidi_on, text
        least = 15 if kind == "poster" else 20  # (the poster: one sheet, 17 pairs of blocks)
        assert arabic > least and french > least, kind
        # Both scripts' families travel in the file (the faces used, cut to what is used)
        table = etree.fromstring(zipfile.ZipFile(io.BytesIO(content)).read("word/fontTable.xml"))
        embedded = {
            font.get(qn("w:name"))
            for font in table.iter(qn("w:font"))
            if font.find(qn("w:embedRegular")) is not None
        }
        assert {"Amiri", "Noto Serif"} <= embedded, embedded


# --------------------------------------------------------------------------------------------
# Stylesheets: language rules follow each element's language


def test_language_rules_are_rewritten_per_element():
    own, cell = langcss.rewrite_selector('html[lang="ar"] body.form h1')
    assert own == "html body.form h1:lang(ar)"
    assert cell == 'html body.form h1 [lang="ar"]'
    assert langcss.rewrite_selector('html.poster[dir="rtl"] .sheet h2')[0] == (
        "html.poster .sheet h2:lang(ar)"
    )
    assert langcss.rewrite_selector('html[lang="ar"]') == ("html:lang(ar)", 'html [lang="ar"]')
    assert langcss.rewrite_selector("table.fields td") == ("table.fields td", None)
    css = langcss.rewrite('html[lang="ar"] section.law { font-size: 10pt; margin: 0 }')
    assert 'html section.law [lang="ar"] { font-size: 10pt; }' in css  # inherited only
    assert "html section.law:lang(ar) { font-size: 10pt; margin: 0 }" in css


def test_one_language_pages_are_unchanged_by_the_rewriting(data, monkeypatch):
    document = documents.build(data, "poster", "ar")  # the sheet with the most language rules
    rewritten = pdf.render(document)
    monkeypatch.setattr(langcss, "rewrite", lambda css: css)
    monkeypatch.setattr(pdf._local, "styles", None)
    try:
        assert pdf.render(document) == rewritten
    finally:
        monkeypatch.undo()
        pdf._local.styles = None


# --------------------------------------------------------------------------------------------
# Command line


def test_render_and_preview_the_bilingual_edition(tmp_path):
    target = tmp_path / "notice.pdf"
    assert cli.main(["render", "notice", "--lang", "fr+ar", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF-")
    out = tmp_path / "previews"
    args = ["preview", "marketing-consent", "--lang", "fr+ar", "-o", str(out), "--dpi", "20"]
    assert cli.main([*args, "--page", "2"]) == 0
    assert [p.name for p in out.iterdir()] == ["marketing-consent-bilingual-p2.png"]
    assert cli.main([*args, "--page", "9"]) == 2  # there is no such page
    assert bilingual.file_tag(BOTH) == "bilingual" and bilingual.file_tag("ar") == "ar"
