"""Previews: PNG pages of any document, named predictably, at the size the dpi asks for."""

from __future__ import annotations

import io
import math

import pytest
from PIL import Image
from pypdf import PdfReader

from cnops_legaldocs.cli import main
from pdfread import pages


def expected_pixels(pdf: bytes, dpi: int) -> list[tuple[int, int]]:
    """Each page's size in pixels at `dpi`: points × dpi / 72, rounded up."""
    return [
        (
            math.ceil(float(p.mediabox.width) * dpi / 72),
            math.ceil(float(p.mediabox.height) * dpi / 72),
        )
        for p in PdfReader(io.BytesIO(pdf)).pages
    ]


@pytest.mark.parametrize(("kind", "lang", "dpi"), [("notice", "ar", 40), ("register", "fr", 60)])
def test_preview_writes_one_png_per_page(rendered, tmp_path, capsys, kind, lang, dpi):
    out = tmp_path / "previews"
    assert main(["preview", kind, "--lang", lang, "-o", str(out), "--dpi", str(dpi)]) == 0
    pdf = rendered(kind, lang)
    total = pages(pdf)
    assert total > 1
    names = [f"{kind}-{lang}-p{n}.png" for n in range(1, total + 1)]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    printed = capsys.readouterr().out.split()
    assert printed == [str(out / name) for name in names]
    sizes = []
    for name in names:
        with Image.open(out / name) as image:
            assert image.format == "PNG"
            sizes.append(image.size)
    assert sizes == expected_pixels(pdf, dpi)


def test_poster_preview_is_an_a3_page_at_100_dpi(tmp_path):
    assert main(["preview", "poster", "--lang", "fr", "-o", str(tmp_path)]) == 0
    (png,) = tmp_path.iterdir()
    assert png.name == "poster-fr-p1.png"
    with Image.open(png) as image:
        # A3 is 297 × 420 mm: 1169.3 × 1653.5 pixels at 100 dpi
        assert image.size == (1170, 1654)
        # drawn, not blank: the masthead's dark blue and the white paper are both there
        colours = {colour for _, colour in image.convert("RGB").getcolors(1 << 20)}
        assert (255, 255, 255) in colours
        assert (31, 78, 121) in colours


def test_preview_honours_the_paper(tmp_path):
    assert main(["preview", "poster", "--lang", "ar", "--paper", "a4", "-o", str(tmp_path)]) == 0
    with Image.open(tmp_path / "poster-ar-p1.png") as image:
        assert image.size == (827, 1170)  # A4 at 100 dpi


@pytest.mark.parametrize("dpi", ["0", "5000"])
def test_preview_refuses_an_unreasonable_dpi_and_writes_nothing(tmp_path, capsys, dpi):
    out = tmp_path / "previews"
    assert main(["preview", "notice", "--lang", "fr", "-o", str(out), "--dpi", dpi]) == 2
    assert "dpi" in capsys.readouterr().err
    assert not out.exists()
