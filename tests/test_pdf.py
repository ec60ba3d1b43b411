"""The PDFs as a reader sees them: fonts, language, furniture, and Arabic reading order."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from pypdf import PdfReader

import cnops_legaldocs
import registers
from cnops_legaldocs import documents
from pdfread import lines, logical_words, pages

KINDS_LANGS = [(k, lang) for k in ("notice", "register") for lang in ("fr", "ar")]  # paged
EVERY_KIND_LANG = [(k, lang) for k in documents.KINDS for lang in ("fr", "ar")]


def rtl(word: str) -> str:
    """How an Arabic word (without lam-alef) reads in glyph order, left to right."""
    return word[::-1]


def visual_text(pdf: bytes) -> str:
    return "\n".join(line.visual for line in lines(pdf))


@pytest.mark.parametrize(("kind", "lang"), EVERY_KIND_LANG)
def test_only_the_package_fonts_are_embedded(rendered, kind, lang):
    pdf = rendered(kind, lang)
    out = subprocess.run(
        ["pdffonts", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    rows = [row.split() for row in out.splitlines()[2:]]
    assert rows
    for row in rows:
        name, embedded, subset = row[0], row[-5], row[-4]
        if kind in documents.FORM_KINDS and name.endswith("Almarai"):
            assert embedded == "yes"  # the font form fields type in, embedded whole
            continue
        assert re.fullmatch(r"[A-Z]{6}\+(Amiri|Noto-?Serif)(-Bold)?(-Italic)?", name), name
        assert (embedded, subset) == ("yes", "yes")
    families = {row[0].split("+")[-1].split("-")[0] for row in rows}
    assert ("Amiri" in families) == (lang == "ar")


@pytest.mark.parametrize(("kind", "lang"), EVERY_KIND_LANG)
def test_language_and_metadata(rendered, data, kind, lang):
    reader = PdfReader(io.BytesIO(rendered(kind, lang)))
    assert reader.trailer["/Root"]["/Lang"] == lang
    meta = reader.metadata
    assert meta.author == data.body.name[lang]
    assert meta.title == documents.build(data, kind, lang).title
    assert str(meta["/CreationDate"]).startswith("D:20261126")


@pytest.mark.parametrize(("kind", "lang"), KINDS_LANGS)
def test_every_page_has_page_x_of_y_and_the_edition(rendered, kind, lang):
    pdf = rendered(kind, lang)
    total = pages(pdf)
    text = [line.visual for line in lines(pdf)]
    for n in range(1, total + 1):
        if lang == "fr":
            folio = f"Page {n} sur {total}"
        else:
            folio = f"{total} {rtl('من')} {n} {rtl('الصفحة')}"
        assert sum(folio in t for t in text) == 1, folio
    edition = "26 novembre 2026" if lang == "fr" else f"2026 {rtl('نونبر')} 26"
    # once in the title block, once in the footer of each page
    assert sum(edition in t for t in text) == total + 1


TOKENS = [
    "05 38 00 20 20",
    "09.08",
    "A-GA-104/2016",
    "A-AR-111/2016",
    "D-W-361/2017",
    "D-VS-157/2016",
    "dic@cnops.org.ma",
    "dacg@cnops.org.ma",
    "https://www.cnops.org.ma",
    "AMO-Public",
    "Cnops mobile",
    "2026",
    "1.0",
]


@pytest.mark.parametrize("token", TOKENS)
def test_arabic_notice_prints_latin_and_numeric_tokens_as_in_the_source(rendered, token):
    text = visual_text(rendered("notice", "ar"))
    assert token in text


def test_arabic_notice_never_prints_the_reversed_forms(rendered):
    text = visual_text(rendered("notice", "ar"))
    for reversed_form in ("20 20 00 38 05", "08.09", "08-09", "2016/104-GA-A"):
        assert reversed_form not in text


def test_without_isolation_plain_weasyprint_reverses_the_phone_number(data, monkeypatch):
    """The protection is what makes the tests above pass: remove it and the number flips."""
    monkeypatch.setattr(documents, "_isolate_ltr_tokens", lambda elem, rtl: None)
    text = visual_text(cnops_legaldocs.render(data, "notice", "ar"))
    assert "20 20 00 38 05" in text
    assert "05 38 00 20 20" not in text


@pytest.mark.parametrize("kind", ["notice", "register"])
def test_arabic_text_is_set_flush_right(rendered, kind):
    page_one = [line for line in lines(rendered(kind, "ar")) if line.page == 1]
    title = next(ln for ln in page_one if rtl("سجل") in ln.visual or rtl("القانوني") in ln.visual)
    margin = title.page_width - title.x1
    assert 40 < margin < 60  # the 18 mm (15 mm for the register) right margin, less bearings
    edition = next(line for line in page_one if rtl("الإصدار"[2:]) in line.visual)
    assert abs(edition.x1 - title.x1) < 2
    assert edition.x0 > title.page_width / 3  # a short line: it starts right, ends mid-page


def test_french_notice_reads_left_to_right(rendered):
    body = [
        line for line in lines(rendered("notice", "fr")) if line.visual.startswith("Sauf mention")
    ]
    assert len(body) == 1
    assert body[0].x0 < 60


def test_notice_carries_the_whole_source(rendered, data):
    words = logical_words(rendered("notice", "fr"))
    for op in data.operations:
        assert str(op.reference) in words
    for contact in data.contacts:
        assert contact.email in words
    for phrase in (
        "Propriété intellectuelle",
        "contrefaçon",
        "Caisse nationale des organismes de prévoyance sociale",
        "prospection directe",
        "déclaration à la CNDP sous le n° D-W-361/2017",
        "autorisation de la CNDP sous le n° A-GA-104/2016",
    ):
        assert phrase in words, phrase


def test_register_table_runs_right_to_left_in_arabic(rendered):
    page_one = [line for line in lines(rendered("register", "ar")) if line.page == 1]

    def x_of(word: str) -> float:
        line = next(ln for ln in page_one if rtl(word) in ln.visual)
        return line.x0 + (line.x1 - line.x0) * line.visual.index(rtl(word)) / len(line.visual)

    # the first logical column (N°) is rightmost, the last (address) leftmost
    assert x_of("الرقم") > x_of("المعالجة") > x_of("السنة") > x_of("العنوان")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_long_register_repeats_its_header_on_every_page(big_register, lang):
    pdf = big_register(lang)
    total = pages(pdf)
    assert total > 10
    header_word = "Adresse mail" if lang == "fr" else rtl("السنة")
    read = lines(pdf)
    per_page = {line.page for line in read if header_word in line.visual}
    assert per_page == set(range(1, total + 1))
    assert registers.reference(registers.ROWS - 1) in "\n".join(line.visual for line in read)
