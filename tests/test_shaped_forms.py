"""The forms' HarfBuzz path: a row's values shaped and drawn over the base without a layout
engine (fastpath.Plan, shaping, overprint) draw what `render` draws, extract as their text,
are reproducible and safe to share between threads."""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import io
import subprocess
from functools import cache
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from PIL import ImageChops

import cnops_legaldocs as lib
from cnops_legaldocs import fastpath, shaping
from cnops_legaldocs.documents import build
from cnops_legaldocs.person import Person
from cnops_legaldocs.renderers import pdf as pdf_renderer

ROOT = Path(__file__).resolve().parent.parent

# Rows of the same filled fields (all seven), so that after the first (laid out by WeasyPrint,
# which measures the boxes) the others go through the HarfBuzz path.
FIRST = {
    "nom": "Tazi",
    "prenom": "Omar",
    "cin": "D456789",
    "immatriculation": "100200303",
    "adresse": "3 rue de Fès, Rabat",
    "telephone": "0611223344",
    "email": "omar.tazi@example.ma",
}
ROWS = {
    # Arabic name and address with a number, Latin first name: in the French form the number
    # is set in Noto Serif, the Arabic in Amiri, the space between them in the number's run.
    "arabic": {
        **FIRST,
        "nom": "العلوي",
        "prenom": "فاطمة الزهراء",
        "adresse": "94 شارع محمد الخامس، الدار البيضاء",
        "telephone": "06 12 34 56 78",
    },
    "latin": {**FIRST, "nom": "El Idrissi", "prenom": "Karima", "email": "k.idrissi@example.ma"},
    # An address on two lines (the second such row: the first one measures the taller boxes).
    "wrapped": {
        **FIRST,
        "adresse": "Résidence Al Andalous, immeuble 7, appartement 34, avenue Mohammed VI, "
        "quartier Hay Riad, 10100 Rabat",
    },
}
WRAPPED_FIRST = {**ROWS["wrapped"], "adresse": ROWS["wrapped"]["adresse"].replace(" 7,", " 12,")}
CASES = [
    ("marketing-consent", lang, row) for lang in ("ar", "fr") for row in ("arabic", "latin")
] + [("marketing-consent", "ar", "wrapped"), ("rights-request", "ar", "arabic")]


@cache
def printer(kind: str, lang: str) -> fastpath.FormPrinter:
    made = fastpath.FormPrinter(lib.load(), kind, lang)
    made.render(FIRST)  # laid out by WeasyPrint: measures the boxes (the plan)
    made.render(WRAPPED_FIRST)  # likewise for a two-line address
    return made


@cache
def shaped(kind: str, lang: str, row: str) -> bytes:
    made = printer(kind, lang)
    before = made.stats.shaped
    pdf = made.render(ROWS[row])
    assert made.stats.shaped == before + 1, "not drawn by the HarfBuzz path"
    return pdf


@cache
def whole(kind: str, lang: str, row: str) -> bytes:
    """The row laid out whole by WeasyPrint (not `lib.render`, which may take the fast path)."""
    document = build(lib.load(), kind, lang, person=Person.from_mapping(ROWS[row]))
    return pdf_renderer.render(document, forms=True)


def raster(pdf: bytes, dpi: int = 100) -> list:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


@pytest.mark.parametrize(("kind", "lang", "row"), CASES)
def test_shaped_values_are_pixel_identical_to_render(kind, lang, row):
    """HarfBuzz at Pango's scale, FriBidi's order, Pango's choice of font per character and
    WeasyPrint's way of writing glyph positions: the same pixels at 100 dpi, no tolerance."""
    expected, got = raster(whole(kind, lang, row)), raster(shaped(kind, lang, row))
    assert len(got) == len(expected)
    for number, (a, b) in enumerate(zip(expected, got, strict=True), 1):
        assert ImageChops.difference(a, b).getbbox() is None, f"page {number} differs"


def _poppler(pdf: bytes) -> str:
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return "".join(ch for ch in text if ch not in "\u202a\u202b\u202c")  # poppler's own marks


def _pdfium(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_values_extract_as_their_text(lang):
    """Names, numbers and addresses come out of poppler and PDFium as written; the address
    with a number, which poppler reorders in the row rendered whole too, at least in PDFium."""
    pdf = shaped("marketing-consent", lang, "arabic")
    poppler, pdfium = _poppler(pdf), _pdfium(pdf)
    for key in ("nom", "prenom", "cin", "immatriculation", "telephone", "email"):
        value = ROWS["arabic"][key]
        assert value in poppler, key
        assert value in pdfium, key
    assert ROWS["arabic"]["adresse"] in pdfium
    # Where poppler does not find it, it does not in the row rendered whole either.
    address = ROWS["arabic"]["adresse"]
    assert (address in poppler) == (address in _poppler(whole("marketing-consent", lang, "arabic")))


def test_a_glyph_shared_by_two_texts_extracts_as_each():
    """Each (glyph, text) pair has its own CID: the same glyph standing for two texts cannot
    make one extract as the other (WeasyPrint's one text per glyph does)."""
    from cnops_legaldocs import overprint

    face = shaping.face(next(f.path for f in lib.assets.fonts() if f.family == "Noto Serif"))
    line = shaping.shape("ab", "ltr", (face,), 16, "fr")
    a, b = line.glyphs
    # The glyph of "a" drawn a second time as the text "x": a reader must extract "abx".
    line = dataclasses.replace(line, glyphs=(a, b, dataclasses.replace(a, text="x")))
    base = printer("marketing-consent", "fr")._plans[(frozenset(FIRST), ())]
    assert base is not None
    text_line = overprint.TextLine(line, (face,), 100, 100, (0, 0, 0), "abx")
    pdf = base.sheet.draw({0: [text_line]})
    assert "abx" in _pdfium(pdf).replace("\r\n", "")
    assert "abx" in _poppler(pdf)


def test_shaped_rows_are_reproducible_and_valid_pdf():
    again = fastpath.FormPrinter(lib.load(), "marketing-consent", "ar")
    again.render(FIRST)
    assert again.render(ROWS["arabic"]) == shaped("marketing-consent", "ar", "arabic")
    pdf = shaped("marketing-consent", "ar", "arabic")
    with pikepdf.open(io.BytesIO(pdf)) as doc:  # an incremental update qpdf reads whole
        assert len(doc.pages) == 1
        check = doc.check_pdf_syntax()
        assert not check, check
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True).stdout.decode()
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert names and all(n.split("+", 1)[1].split("-")[0] in {"Amiri", "Almarai"} for n in names)


def test_a_printer_is_safe_to_share_between_threads():
    made = printer("marketing-consent", "ar")
    rows = [dict(ROWS["latin"], immatriculation=str(100200400 + n)) for n in range(8)]
    alone = [made.render(row) for row in rows]
    with cf.ThreadPoolExecutor(4) as pool:
        assert list(pool.map(made.render, rows)) == alone


def test_fastpath_and_batch_import_no_cycle():
    """fastpath (and what it imports) never imports batch, which imports fastpath lazily."""
    import ast

    package = ROOT / "src" / "cnops_legaldocs"
    for module in ("fastpath", "shaping", "overprint", "stamp"):
        tree = ast.parse((package / f"{module}.py").read_text(encoding="utf-8"))
        imported = {
            alias.name if node.module is None else node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        assert "batch" not in imported and not any(".batch" in m for m in imported), module
