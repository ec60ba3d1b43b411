"""DOCX layout defects seen in LibreOffice's pages, fixed in the XML: back-to-back tables
(which Word and LibreOffice join, losing the repeated header row), the poster headings'
accent bars, the rule between the bilingual columns; and the DOCX read back as text by
python-docx and pandoc. (A law number broken after its hyphen: `test_docx.py`.)"""

from __future__ import annotations

import collections
import functools
import io
import itertools
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTCurve

import cnops_legaldocs as cl
from docxread import MM, Docx, letters, paragraph_text, plain, read_pdf, w

EDITIONS = [(kind, lang) for kind in cl.KINDS for lang in cl.EDITIONS]
BLOCKS = (w("p"), w("tbl"), w("sdt"))


def part(content: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return etree.fromstring(z.read(name))


@pytest.mark.parametrize("case", EDITIONS, ids="-".join)
def test_no_table_follows_a_table(rendered, case):
    document = part(rendered(*case, "docx"), "word/document.xml")
    body = document.find(w("body"))
    for container in [body, *body.iter(w("tc"))]:
        blocks = [child.tag for child in container if child.tag in BLOCKS]
        pairs = list(itertools.pairwise(blocks))
        assert (w("tbl"), w("tbl")) not in pairs
    assert [c.tag for c in body if c.tag in BLOCKS][-1] != w("tbl")


def test_arabic_heading_has_one_bar(rendered):
    styles = part(rendered("poster", "ar", "docx"), "word/styles.xml")
    style = next(s for s in styles.iter(w("style")) if s.get(w("styleId")) == "Heading1Arabic")
    borders = style.find(f"{w('pPr')}/{w('pBdr')}")
    assert borders.find(w("left")).get(w("val")) == "nil"
    assert borders.find(w("right")).get(w("val")) == "single"


def test_bilingual_register_repeats_its_header_row_in_libreoffice(rendered, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: run scripts/setup-system")
    source = tmp_path / "register.docx"
    source.write_bytes(rendered("register", "fr+ar", "docx"))
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    pages = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "register.pdf"), "-"],
        check=True, capture_output=True, text=True,
    ).stdout.split("\f")  # fmt: skip
    pages = [page for page in pages if page.strip()]
    assert len(pages) >= 2
    table_pages = [page for page in pages if "A-" in page]  # pages with a data row
    assert len(table_pages) >= 2
    for page in table_pages:
        assert "Traitement" in page and "Régime" in page  # the French header cells


# --------------------------------------------------------------------------------------------
# LibreOffice's pages: the rule between the bilingual columns, the poster headings' bars


@pytest.fixture(scope="module")
def libreoffice(rendered, tmp_path_factory):
    """libreoffice(kind, lang): the DOCX printed to PDF by LibreOffice, once, one call per
    file (see conftest.converted)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: run scripts/setup-system")
    work = tmp_path_factory.mktemp("libreoffice-layout")

    @functools.cache
    def convert(kind: str, lang: str) -> Path:
        source = work / f"{kind}-{lang}.docx"
        source.write_bytes(rendered(kind, lang, "docx"))
        subprocess.run(
            [soffice, "--headless", f"-env:UserInstallation={(work / 'profile').as_uri()}",
             "--convert-to", "pdf", "--outdir", str(work), str(source)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        return source.with_suffix(".pdf")

    return convert


def test_bilingual_columns_have_a_rule_between_them(libreoffice):
    """As in the PDF (bilingual.css: `.pair > .ar`'s left border), a thin rule runs down the
    middle of the text block, between the French and the Arabic column, on every page but
    one that the contacts table fills (its columns have rules of their own)."""
    pages = read_pdf(libreoffice("notice", "fr+ar"))
    middle = 105 * MM  # the notice's text block is centred on the A4 page
    ruled = [sum(y1 - y0 for x, y0, y1 in page.rules if abs(x - middle) < 2) for page in pages]
    assert ruled[0] > 0.6 * (297 - 24 - 22) * MM  # most of the first page's text block
    for page, length in zip(pages, ruled, strict=True):
        assert length > 50 or len({round(x) for x, _, _ in page.rules}) >= 5


BAR = (0xE3 / 255, 0xA3 / 255, 0x3B / 255)  # the poster headings' accent (poster.css)


def bars(path: Path) -> list[LTCurve]:
    page = next(iter(extract_pages(str(path))))
    found = {}
    for item in page:
        color = item.stroking_color if isinstance(item, LTCurve) else None
        if (isinstance(color, tuple) and len(color) == 3
                and all(abs(a - b) < 0.02 for a, b in zip(color, BAR, strict=True))
                and item.height > 10 and item.width < 1):  # fmt: skip
            found[round(item.x0), round(item.y0)] = item  # (LibreOffice draws some twice)
    return list(found.values())


@pytest.mark.parametrize("lang", ["fr", "ar", "fr+ar"])
def test_poster_headings_have_their_bar_inside_the_text_block(libreoffice, lang):
    """Each heading has its accent bar on its starting side, within the text block and beside
    its text, as in the PDF: a paragraph border is drawn outside the text's indent, where a
    cell does not show it (the bilingual poster had none) and the page margin is."""
    path = libreoffice("poster", lang)
    pages = read_pdf(path)
    width = pages[0].width
    margin = 2.6 * 14 * (0.75 if lang == "fr+ar" else 1)  # 2.6 rem, in points
    found = bars(path)
    assert len(found) == {"fr": 2, "ar": 2, "fr+ar": 4}[lang]
    for bar in found:
        assert margin - 0.5 <= bar.x0 and bar.x1 <= width - margin + 0.5
        line = next(ln for ln in pages[0].lines
                    if bar.y0 - 2 <= ln[0].y0 <= bar.y1 and ln[0].size > 15)  # fmt: skip
        gap = line[0].x0 - bar.x1 if bar.x0 < width / 2 else bar.x0 - line[-1].x1
        assert 0 < gap < 20  # the heading's text starts 0.8 rem from its bar


# --------------------------------------------------------------------------------------------
# Read back as text


def walk(container) -> list[str]:
    """The text of a document or cell's paragraphs, through python-docx's own API, tables
    included (a merged cell once)."""
    out = []
    for item in container.iter_inner_content():
        if isinstance(item, docx.table.Table):
            for row in item.rows:
                cells = {cell._tc: cell for cell in row.cells}
                for cell in cells.values():
                    out += walk(cell)
        else:
            out.append(item.text)
    return out


def body_words(content: bytes) -> list[str]:
    body = Docx(content).body
    return plain(" ".join(paragraph_text(p, controls=False) for p in body.iter(w("p")))).split()


@pytest.mark.parametrize("case", EDITIONS, ids="-".join)
def test_python_docx_reads_every_word(rendered, case):
    """python-docx's API (paragraphs, tables, cells) gives the body's every word, bilingual
    files included, whose text sits in the tables that set the languages side by side."""
    content = rendered(*case, "docx")
    words = plain(" ".join(walk(docx.Document(io.BytesIO(content))))).split()
    assert collections.Counter(words) == collections.Counter(body_words(content))


@pytest.mark.parametrize("case", EDITIONS, ids="-".join)
def test_pandoc_reads_every_word(rendered, case):
    """pandoc's plain text holds every table (no "[TABLE]" in place of one at its usual
    width) and every word of the body (wide lines, so that it cuts none to fit)."""
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        pytest.skip("pandoc is not installed: run scripts/setup-system")
    content = rendered(*case, "docx")

    def text(*options: str) -> str:
        return subprocess.run([pandoc, "-f", "docx", "-t", "plain", *options], input=content,
                              check=True, capture_output=True).stdout.decode()  # fmt: skip

    assert "[TABLE]" not in text()
    read = collections.Counter(letters(word) for word in plain(text("--columns=100000")).split())
    missing = collections.Counter(letters(word) for word in body_words(content)) - read
    assert not missing


def test_pandoc_reads_the_french_registers_references_as_typed(rendered, data):
    """Every CNDP reference of the French register, typed with "-", is in pandoc's text: its
    hyphens are plain where its word cannot start a line (Word's no-break hyphen reads as
    U+2011 in pandoc's text and in Word's search; LibreOffice's lines: `test_docx.py`)."""
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        pytest.skip("pandoc is not installed: run scripts/setup-system")
    text = subprocess.run(
        [pandoc, "-f", "docx", "-t", "plain", "--columns=100000"],
        input=rendered("register", "fr", "docx"),
        check=True,
        capture_output=True,
    ).stdout.decode()
    missing = [str(op.reference) for op in data.operations if str(op.reference) not in text]
    assert not missing
