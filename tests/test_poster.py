"""The branch poster as a passer-by sees it: one sheet, large type, the essentials, a QR code
that a phone reads to the notice's address."""

from __future__ import annotations

import io
import math
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTTextContainer
from pypdf import PdfReader

import cnops_legaldocs
from cnops_legaldocs import documents, load_branches, previews, qr
from cnops_legaldocs.errors import RenderError
from pdfread import lines, pages

LANGS = ["fr", "ar"]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MM = 72 / 25.4  # points per millimetre
A3 = (297, 420)
A4 = (210, 297)


def rtl(text: str) -> str:
    """How Arabic text (without lam-alef) reads in glyph order, left to right."""
    return text[::-1]


def page_size_mm(pdf: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return float(box.width) / MM, float(box.height) / MM


def decode_qr(png: bytes, tmp_path: Path) -> list[str]:
    """The symbols zbarimg finds in an image, one string each."""
    image = tmp_path / "page.png"
    image.write_bytes(png)
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
        capture_output=True,
        text=True,
    )
    return out.stdout.splitlines()


def glyph_sizes(pdf: bytes, wanted: str) -> list[float]:
    """The sizes, in points, of every glyph whose character is in `wanted`."""
    sizes = []

    def walk(items):  # type: ignore[no-untyped-def]
        for item in items:
            if isinstance(item, LTChar) and item.get_text() in wanted:
                sizes.append(item.size)
            elif isinstance(item, LTTextContainer):
                walk(item)

    for page in extract_pages(io.BytesIO(pdf)):
        walk(page)
    return sizes


# -- paper -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_poster_is_one_a3_sheet_by_default(rendered, lang):
    pdf = rendered("poster", lang)
    assert pages(pdf) == 1
    assert page_size_mm(pdf) == pytest.approx(A3, abs=0.5)


@pytest.mark.parametrize("lang", LANGS)
def test_poster_on_a4_is_the_same_sheet_reduced(rendered, lang):
    a4, a3 = rendered("poster", lang, paper="A4"), rendered("poster", lang)
    assert pages(a4) == 1
    assert page_size_mm(a4) == pytest.approx(A4, abs=0.5)
    # the same lines, each at 1/√2 of its A3 size and position
    big, small = lines(a3), lines(a4)
    assert [line.visual for line in small] == [line.visual for line in big]
    for b, s in zip(big, small, strict=True):
        assert s.size == pytest.approx(b.size / math.sqrt(2), rel=0.01)
        assert s.top == pytest.approx(b.top / math.sqrt(2), abs=1.5)


def test_paper_is_offered_by_the_poster_only(data):
    with pytest.raises(RenderError, match="notice is laid out for A4 paper only"):
        cnops_legaldocs.render(data, "notice", "fr", paper="A3")
    with pytest.raises(RenderError, match="unknown paper size 'B5'"):
        cnops_legaldocs.render(data, "poster", "fr", paper="B5")
    assert documents.build(data, "register", "fr").paper == "A4"
    assert documents.build(data, "poster", "fr").paper == "A3"


# -- content -----------------------------------------------------------------------------------


def test_french_poster_has_the_essentials(rendered, data):
    text = " ".join(line.visual for line in lines(rendered("poster", "fr")))
    for phrase in (
        f"{data.body.name['fr']} ({data.body.acronym})",
        "est responsable du traitement de vos données",
        "Droit d’accès",
        "Droit de rectification",
        "Droit d’opposition",
        "gratuitement, sur justification de l’identité",
        f"Centre d’appel {data.channels.call_centre}",
        "Portail des services en ligne",
        "www.cnops.org.ma/mentions-legales",
        "Version 1.0, en vigueur à compter du 26 novembre 2026",
    ):
        assert phrase in text, phrase


def test_arabic_poster_has_the_essentials_in_reading_order(rendered, data):
    text = "\n".join(line.visual for line in lines(rendered("poster", "ar")))
    for phrase in ("حق الولوج", "حق التصحيح", "حق التعرض", "مجانًا"):
        assert rtl(phrase) in text, phrase
    assert f"){data.body.acronym}(" in text  # the acronym reads LTR; RTL parentheses mirror
    # Latin and numeric tokens read left to right, in source order
    assert data.channels.call_centre in text
    assert "20 20 00 38 05" not in text
    assert "09.08" in text
    assert "www.cnops.org.ma/mentions-legales" in text
    assert "www.cnops.org.ma" in text.splitlines()  # the portal, on its own line


@pytest.mark.parametrize("lang", LANGS)
def test_addresses_are_links_to_the_full_urls(rendered, data, lang):
    page = PdfReader(io.BytesIO(rendered("poster", lang))).pages[0]
    uris = {annot.get_object()["/A"]["/URI"] for annot in page["/Annots"]}
    assert uris == {data.channels.portal, data.notice.url}


def test_arabic_rights_run_right_to_left(rendered):
    heads = {
        line.visual: line.x0
        for line in lines(rendered("poster", "ar"))
        if line.visual in {rtl("حق الولوج"), rtl("حق التصحيح"), rtl("حق التعرض")}
    }
    assert heads[rtl("حق الولوج")] > heads[rtl("حق التصحيح")] > heads[rtl("حق التعرض")]
    french = {line.visual: line.x0 for line in lines(rendered("poster", "fr"))}
    assert french["Droit d’accès"] < french["Droit de rectification"] < french["Droit d’opposition"]


# -- type size ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("paper", "scale"), [("A3", 1), ("A4", 1 / math.sqrt(2))])
def test_type_is_large_enough_to_read_from_a_step_away(rendered, lang, paper, scale):
    body = [
        line
        for line in lines(rendered("poster", lang, paper=paper))
        if "2026" not in line.visual  # the edition line, for whoever replaces the poster
    ]
    assert len(body) > 20
    assert min(line.size for line in body) >= 14 * scale
    assert max(line.size for line in body) >= 44 * scale  # the title


@pytest.mark.parametrize("lang", LANGS)
def test_call_centre_number_is_set_large(rendered, data, lang):
    digits = glyph_sizes(rendered("poster", lang), "0123456789")
    large = [size for size in digits if size >= 30]
    assert len(large) == sum(ch.isdigit() for ch in data.channels.call_centre)


# -- QR code -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("paper", ["A3", "A4"])
def test_qr_code_opens_the_online_notice(rendered, data, tmp_path, lang, paper):
    (png,) = previews.pages(rendered("poster", lang, paper=paper), dpi=100)
    assert decode_qr(png, tmp_path) == [data.notice.url]


def test_qr_code_follows_the_data(data, tmp_path):
    url = "https://www.cnss.ma/fr/mentions-legales?edition=2"
    other = replace(data, notice=replace(data.notice, url=url))
    (png,) = previews.pages(cnops_legaldocs.render(other, "poster", "ar"), dpi=100)
    assert decode_qr(png, tmp_path) == [url]


@pytest.mark.parametrize("lang", LANGS)
def test_qr_code_is_vector_drawn(rendered, lang):
    """No raster image in the PDF: the code is paths, sharp at any print size."""
    page = PdfReader(io.BytesIO(rendered("poster", lang))).pages[0]
    xobjects = page["/Resources"].get("/XObject", {})
    subtypes = {xobjects[name].get_object().get("/Subtype") for name in xobjects}
    assert "/Image" not in subtypes


def test_qr_element_is_marked_for_other_renderers(data):
    root = documents.build(data, "poster", "ar").root
    (svg,) = root.iter("svg")
    assert svg.get("class") == "qr"
    assert svg.get("data-url") == data.notice.url
    assert svg.get("aria-label") == "رمز QR للإشعار القانوني على الإنترنت"


def test_qr_png_for_renderers_without_svg(data, tmp_path):
    assert decode_qr(qr.png(data.notice.url), tmp_path) == [data.notice.url]


# -- the branch block -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_branch_block_fits_on_the_sheet(data, tmp_path, lang):
    branch = load_branches(EXAMPLES / "branches.yaml")[0]
    pdf = cnops_legaldocs.render(data, "poster", lang, branch=branch)
    assert pages(pdf) == 1
    text = "\n".join(line.visual for line in lines(pdf))
    if lang == "fr":
        assert "Votre agence : Délégation régionale de Rabat" in text
        assert "Du lundi au vendredi, de 08:30 à 16:30" in text
    else:
        assert "08:30" in text and "16:30" in text
        assert rtl("وكالتكم") in text
    (png,) = previews.pages(pdf, dpi=100)
    assert decode_qr(png, tmp_path) == [data.notice.url]


def test_without_a_branch_there_is_no_branch_block(data):
    assert not documents.build(data, "poster", "fr").root.xpath("//*[@class='branch']")
