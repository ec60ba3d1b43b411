"""DOCX layout defects seen in LibreOffice's pages, fixed in the XML: back-to-back tables
(which Word and LibreOffice join, losing the repeated header row), the Arabic heading's
accent bar, a law number broken after its hyphen."""

from __future__ import annotations

import io
import itertools
import shutil
import subprocess
import zipfile

import pytest
from lxml import etree

import cnops_legaldocs as cl
from docxread import w

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


def test_law_number_does_not_break_after_its_hyphen(rendered):
    document = part(rendered("notice", "fr", "docx"), "word/document.xml")
    text = "".join(t.text or "" for t in document.iter(w("t")))
    assert "09-08" not in text  # every hyphen before a digit is Word's no-break hyphen
    runs = [
        "".join("\u2011" if c.tag == w("noBreakHyphen") else c.text or "" for c in r
                if c.tag in (w("t"), w("noBreakHyphen")))
        for r in document.iter(w("r"))
    ]  # fmt: skip
    assert sum("n°\u00a009\u201108" in run or "09\u201108" in run for run in runs) >= 3


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
