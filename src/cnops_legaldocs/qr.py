"""The QR code that opens the online notice, made by segno from the notice's URL.

The PDF gets it as an inline vector ``<svg class="qr" data-url="…">`` in the document tree:
WeasyPrint draws inline SVG itself, so nothing is fetched and the asset-only URL fetcher
stays closed. A renderer that cannot draw SVG (DOCX) finds the element by its class and
embeds `png` of the same ``data-url`` instead.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from lxml import etree
from markupsafe import Markup

if TYPE_CHECKING:
    import segno

# Level M recovers about 15% of damaged modules (a scuffed or partly covered poster); segno
# raises it further when the symbol's size allows. The 4-module quiet zone is the standard's.
_ERROR = "m"
_BORDER = 4


def _code(url: str) -> segno.QRCode:
    import segno  # only the poster has a code: other documents do not pay its import

    return segno.make_qr(url, error=_ERROR)


def svg(url: str, label: str) -> Markup:
    """The code as an inline SVG element: dark modules on its own white square (it scans on
    any background), scalable by CSS, with `label` as its accessible name."""
    markup = _code(url).svg_inline(
        scale=1, border=_BORDER, dark="#000", light="#fff", svgclass="qr", lineclass=None,
        omitsize=True,
    )  # fmt: skip
    element = etree.fromstring(markup)
    element.set("data-url", url)
    element.set("role", "img")
    element.set("aria-label", label)
    return Markup(etree.tostring(element, encoding="unicode"))


def png(url: str, *, scale: int = 10, dpi: int | None = None) -> bytes:
    """The same code as a PNG (`scale` pixels a module), for renderers without SVG; `dpi`
    is recorded in the file."""
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="png", scale=scale, border=_BORDER, dpi=dpi)
    return buffer.getvalue()


def png_to_print(url: str, width_pt: float, *, dpi: int = 600) -> bytes:
    """The code as a PNG that prints sharp `width_pt` wide: a whole number of pixels a
    module, enough for `dpi` (a printer or viewer that smooths a scaled image then blurs
    nothing a phone needs)."""
    modules = _code(url).symbol_size(border=_BORDER)[0]
    scale = math.ceil(width_pt / 72 * dpi / modules)
    return png(url, scale=scale, dpi=dpi)
