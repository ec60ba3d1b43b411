"""Forms in a batch: rows from a CSV through the command line, --merge, resume, and the fast
path (the form laid out once, each row's values over it) drawing what `render` draws."""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from PIL import Image, ImageChops, ImageFilter

import cnops_legaldocs as lib
from cnops_legaldocs import fastpath, stamp
from cnops_legaldocs.documents import build
from cnops_legaldocs.person import Person
from cnops_legaldocs.renderers import pdf as pdf_renderer
from pdfread import lines, pages

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}

# Rows that exercise the layout: an Arabic name with a Latin first name, Latin only with the
# optional columns empty, long Latin values that wrap (address on two lines, e-mail on three),
# and a long Arabic address that wraps.
MIXED = {
    "nom": "العلوي",
    "prenom": "Mohammed",
    "cin": "be123456",
    "immatriculation": "123456789",
    "adresse": "12 زنقة الخليل، الرباط",
    "telephone": "06 12 34 56 78",
    "email": "m.alaoui@example.ma",
}
LATIN = {"nom": "Benali", "prenom": "Youssef", "cin": "C987654", "immatriculation": "100200301"}
LONG = {
    "nom": "El Fassi El Fihri Ben Abdeljalil",
    "prenom": "Abderrahmane-Mohammed",
    "cin": "BE123456",
    "immatriculation": "123456789",
    "adresse": "Résidence Al Andalous, Immeuble 12, Appartement 34, Avenue Mohammed VI, "
    "Quartier Hay Riad, 10100 Rabat",
    "telephone": "0612345678",
    "email": "abderrahmane.mohammed.elfassi.elfihri@example-long-domain.ma",
}
ARABIC = {
    "nom": "الإدريسي",
    "prenom": "فاطمة الزهراء",
    "cin": "AB1",
    "immatriculation": "7",
    "adresse": "حي الرياض، زنقة 5، رقم 12، الرباط 10100، بالقرب من المسجد الكبير، "
    "الطابق الثالث، الشقة رقم 9، عمارة النور، مقابل المدرسة الابتدائية",
}
ROWS = {"mixed": MIXED, "latin": LATIN, "long": LONG, "arabic": ARABIC}

HEADER = "nom,prenom,cin,immatriculation,adresse,telephone,email"
CSV_ROWS = [
    "العلوي,Mohammed,be123456,123456789,12 زنقة الخليل، الرباط,06 12 34 56 78,m.alaoui@example.ma",
    "Benali,Youssef,C987654,100200301,,,",
    "Alaoui,Karima,,100200302,,,",  # no CIN
    "Tazi,Omar,D456789,100200303,,,omar.tazi",  # not an e-mail address
    "Berrada,Salma,E112233,100200304,,0612345678,",
    "Amrani,Nadia,9876,100200305,,,",  # not a CIN
]
PERSONAL = {v for row in CSV_ROWS for v in row.split(",") if len(v) > 3}


@pytest.fixture(scope="module")
def data() -> lib.LegalData:
    return lib.load()


@cache
def printer(kind: str, lang: str) -> fastpath.FormPrinter:
    """One printer per kind and language for the module, as a worker keeps it."""
    return fastpath.FormPrinter(lib.load(), kind, lang, keep=3)


@cache
def slow(kind: str, lang: str, row: str) -> bytes:
    """The row laid out whole by WeasyPrint (not `lib.render`, which may take the fast path)."""
    document = build(lib.load(), kind, lang, person=Person.from_mapping(ROWS[row]))
    return pdf_renderer.render(document, forms=True)


@cache
def fast(kind: str, lang: str, row: str) -> bytes:
    return printer(kind, lang).render(ROWS[row])


def raster(pdf: bytes, dpi: int = 100) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def fields(pdf: bytes) -> list[tuple[int, str, str, tuple[float, ...]]]:
    """(page, name, type, rect rounded to 1/100 pt) of every form field, in page order."""
    out = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages):
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") == "/Widget":
                    rect = tuple(round(float(v), 2) for v in annot.Rect)
                    out.append((number, str(annot.T), str(annot.FT), rect))
    return out


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cnops_legaldocs.cli", *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
    )


# --------------------------------------------------------------------------------------------
# The fast path draws what `render` draws


CASES = [("marketing-consent", lang, row) for lang in ("ar", "fr") for row in ROWS] + [
    ("rights-request", lang, row) for lang in ("ar", "fr") for row in ("mixed", "long")
]


@pytest.mark.parametrize(("kind", "lang", "row"), CASES)
def test_fast_path_pages_are_pixel_identical_to_render(kind, lang, row):
    """Rasterised at 100 dpi, every page of the fast path's file is the same, pixel for pixel,
    as the row rendered alone, wrapped values included (no tolerance: the values are laid out
    by the same engine, with the same fonts and stylesheets, at the same places).

    But for Arabic values: `render` draws a glyph WeasyPrint raises, and Amiri's two-glyph
    lam, by a composite glyph (the text layer, issue 13), which rasterisers may place a
    fraction of a pixel away from the fast path's separate glyphs: there, every pixel lies
    within 64 of 255 levels of the 3×3 pixels around it on the other page."""
    expected, got = raster(slow(kind, lang, row)), raster(fast(kind, lang, row))
    assert len(got) == len(expected)
    arabic = any("\u0600" <= c <= "\u06ff" for value in ROWS[row].values() for c in value)
    for number, (a, b) in enumerate(zip(expected, got, strict=True), 1):
        assert a.size == b.size
        if not arabic:
            assert ImageChops.difference(a, b).getbbox() is None, f"page {number} differs"
            continue
        a, b = a.convert("L"), b.convert("L")
        for one, other in ((a, b), (b, a)):
            darker = ImageChops.subtract(other.filter(ImageFilter.MinFilter(3)), one)
            lighter = ImageChops.subtract(one, other.filter(ImageFilter.MaxFilter(3)))
            assert max(darker.getextrema()[1], lighter.getextrema()[1]) <= 64, number


@pytest.mark.parametrize(("kind", "lang", "row"), CASES)
def test_fast_path_keeps_the_remaining_fields(kind, lang, row):
    """The fillable fields left (tick boxes, place, date…) have the same names, types and
    places; the pre-filled identity fields are page text, not fields, in both."""
    assert fields(fast(kind, lang, row)) == fields(slow(kind, lang, row))
    names = {name for _, name, _, _ in fields(fast(kind, lang, row))}
    assert not names & set(ROWS[row])


def test_values_are_page_text_in_the_right_order():
    text = " | ".join(line.visual for line in lines(fast("marketing-consent", "fr", "long")))
    assert "Abderrahmane-Mohammed" in text and "Hay Riad, 10100 Rabat" in text
    text = " | ".join(line.visual for line in lines(fast("marketing-consent", "ar", "latin")))
    assert "Youssef" in text and "Benali" in text
    # The Arabic address reads right to left, as `render` prints it.
    slow_text = [line.visual for line in lines(slow("marketing-consent", "ar", "mixed"))]
    fast_text = [line.visual for line in lines(fast("marketing-consent", "ar", "mixed"))]
    assert fast_text == slow_text


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_wrapped_values_use_a_base_with_taller_boxes_not_the_slow_path(data, lang):
    printer = fastpath.FormPrinter(data, "marketing-consent", lang, keep=2)
    made = {}
    for row, person in ROWS.items():
        before = dataclasses.replace(printer.stats)
        printer.render(person)
        made[row] = next(  # the costliest path the row (or the printer's first plan) took
            how
            for how in ("slow", "rebased", "fast", "shaped")
            if getattr(printer.stats, how) > getattr(before, how)
        )
    assert made["long"] == made["arabic"] == "rebased"  # wrapped: a base with taller boxes
    assert "slow" not in made.values()
    # Bases are kept per filled fields and box heights, a bounded number of them.
    assert len(printer._bases) == 2


def test_the_fast_path_is_deterministic(data):
    again = fastpath.FormPrinter(data, "marketing-consent", "ar")
    assert again.render(ROWS["long"]) == fast("marketing-consent", "ar", "long")
    assert again.render(ROWS["mixed"]) == fast("marketing-consent", "ar", "mixed")


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_value_boxes_do_not_depend_on_the_values(data, lang):
    """What the fast path relies on: a value box's place and width are the same whatever the
    values (the identity grid is sized by its labels), only its height grows when it wraps."""

    def boxes(person: dict[str, str]) -> dict[str, fastpath.Slot]:
        document = build(data, "marketing-consent", lang, person=Person.from_mapping(person))
        return fastpath._slots(pdf_renderer.lay_out(document.html(), forms=True))

    short = boxes({**LATIN, "adresse": "1 rue A", "telephone": "0612345678", "email": "a@b.ma"})
    long = boxes(LONG)
    assert {n: (s.x, s.width) for n, s in short.items()} == {
        n: (s.x, s.width) for n, s in long.items()
    }
    page_width = 210 * 96 / 25.4
    assert all(s.x > 0 and s.x + s.width < page_width for s in long.values())
    assert long["adresse"].height > short["adresse"].height  # two lines
    assert long["nom"].height == short["nom"].height  # one line, either script


# --------------------------------------------------------------------------------------------
# Through the command line


@pytest.fixture(scope="module")
def people(tmp_path_factory) -> Path:
    return write_csv(tmp_path_factory.mktemp("csv") / "people.csv", CSV_ROWS)


@pytest.fixture(scope="module")
def ar_run(people, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("ar") / "out"
    args = ["batch", "marketing-consent", "--data", str(people), "--lang", "ar", "--jobs", "2"]
    return out, run_cli(*args, "--name", "{row}-{immatriculation}", "-o", str(out))


def test_a_csv_of_good_and_bad_rows(ar_run):
    out, result = ar_run
    assert result.returncode == 2, result.stderr
    assert "6 rows: 3 rendered, 0 already complete, 3 failed" in result.stdout
    assert "failed: row 3 (line 4): column cin: required, but empty" in result.stderr
    assert "failed: row 4 (line 5): column email: not an e-mail address" in result.stderr
    assert "failed: row 6 (line 7): column cin: not a CIN number" in result.stderr
    assert not [v for v in PERSONAL if v in result.stdout + result.stderr]
    files = sorted(p.name for p in out.glob("*.pdf"))
    assert files == ["0001-123456789.pdf", "0002-100200301.pdf", "0005-100200304.pdf"]
    for path in out.glob("*.pdf"):
        assert path.stat().st_mode & 0o777 == 0o600  # personal data: owner only
        assert pages(path.read_bytes()) == 1
    text = " | ".join(line.visual for line in lines((out / "0005-100200304.pdf").read_bytes()))
    assert "Berrada" in text and "Salma" in text and "0612345678" in text


def test_a_batch_file_looks_like_the_row_rendered_alone(ar_run, data):
    out, _ = ar_run
    alone = slow("marketing-consent", "ar", "mixed")  # MIXED laid out whole
    got, expected = raster((out / "0001-123456789.pdf").read_bytes()), raster(alone)
    assert ImageChops.difference(got[0], expected[0]).getbbox() is None
    assert fields((out / "0001-123456789.pdf").read_bytes()) == fields(alone)


def test_a_rerun_skips_complete_rows_and_renders_corrected_ones(people, tmp_path):
    out = tmp_path / "out"
    args = ["batch", "marketing-consent", "--lang", "fr", "--jobs", "2", "-o", str(out)]
    args += ["--name", "{row}-{immatriculation}"]
    assert run_cli(*args, "--data", str(people)).returncode == 2
    result = run_cli(*args, "--data", str(people))
    assert result.returncode == 2
    assert "6 rows: 0 rendered, 3 already complete, 3 failed" in result.stdout
    fixed = [
        row.replace(",,100200302", ",G1,100200302")
        .replace("omar.tazi", "omar.tazi@example.ma")
        .replace("Salma", "Selma")
        .replace(",9876,", ",F9876,")
        for row in CSV_ROWS
    ]
    result = run_cli(*args, "--data", str(write_csv(tmp_path / "fixed.csv", fixed)))
    assert result.returncode == 0, result.stderr
    # Rows 3, 4, 6 fixed; row 5 changed (its file is made again); rows 1, 2 as they were.
    assert "6 rows: 4 rendered, 2 already complete, 0 failed" in result.stdout
    text = " | ".join(line.visual for line in lines((out / "0005-100200304.pdf").read_bytes()))
    assert "Selma" in text and "Salma" not in text
    assert len(list(out.glob("*.pdf"))) == 6


def test_merge_of_forms(tmp_path):
    rows = [CSV_ROWS[0], CSV_ROWS[1], CSV_ROWS[4]]
    out = tmp_path / "out"
    result = run_cli(
        "batch", "rights-request", "--data", str(write_csv(tmp_path / "p.csv", rows)),
        "--lang", "fr", "--merge", "--name", "{row}-{nom}", "-o", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    merged = out / "rights-request-fr.pdf"
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == [merged.name]
    assert merged.stat().st_mode & 0o777 == 0o600
    content = merged.read_bytes()
    assert pages(content) == 6  # three requests of two pages
    for name, page in {"Mohammed": 1, "Youssef": 3, "Salma": 5}.items():
        assert [line.page for line in lines(content) if name in line.visual] == [page]
    with pikepdf.open(merged) as pdf:
        assert str(pdf.Root.Lang) == "fr"
        # A print file: the forms' fields (which would share names) are left out, without a
        # warning; their boxes are drawn on the pages.
        assert "/AcroForm" not in pdf.Root
        assert pdf.check_pdf_syntax() == []
        assert not [a for p in pdf.pages for a in p.get("/Annots", []) if a.Subtype == "/Widget"]
    assert "Warning" not in result.stderr
    # The first request's pages are the ones `render` makes for that row; what the three
    # share (the form but its values) is in the file once.
    alone = slow("rights-request", "fr", "mixed")  # MIXED laid out whole
    assert len(content) < 1.5 * len(alone)
    for a, b in zip(raster(alone), raster(content)[:2], strict=True):
        assert ImageChops.difference(a, b).getbbox() is None


def one_font_page(content: bytes) -> bytes:
    """A one-page PDF whose content draws with font /F1 (Helvetica)."""
    pdf = pikepdf.new()
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
    )
    pdf.add_blank_page(page_size=(200, 100))
    page = pdf.pages[0].obj
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(font)))
    page.Contents = pdf.make_stream(content)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "top",
    [
        b"BT /F1 9 Tf 10 50 Td <42> Tj ET",  # as WeasyPrint writes: renamed by a scan
        b"BT /F1 9 Tf 10 50 Td (/F1 is text) Tj ET",  # a literal string: parsed, then renamed
    ],
)
def test_stamp_renames_the_stamps_resources(top):
    base = one_font_page(b"BT /F1 12 Tf 10 10 Td <41> Tj ET")
    with pikepdf.open(io.BytesIO(stamp.stamp(base, {0: one_font_page(top)}))) as pdf:
        page = pdf.pages[0]
        (new,) = set(page.Resources.Font.keys()) - {"/F1"}
        fonts = [str(ops[0]) for ops, op in pikepdf.parse_content_stream(page) if str(op) == "Tf"]
        assert fonts == ["/F1", new]
        strings = [
            bytes(ops[0]) for ops, op in pikepdf.parse_content_stream(page) if str(op) == "Tj"
        ]
        assert strings[-1] in (b"B", b"/F1 is text")  # the text itself is left alone
