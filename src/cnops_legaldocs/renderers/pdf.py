"""PDF through WeasyPrint, with only the package's fonts and no access to anything else."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from .. import assets
from ..documents import Document
from ..errors import RenderError

log = logging.getLogger("cnops_legaldocs")

VARIANTS: tuple[str, ...] = (
    "pdf/a-1b", "pdf/a-2b", "pdf/a-2u", "pdf/a-3b", "pdf/a-3u", "pdf/a-4b", "pdf/a-4u",
    "pdf/ua-1",
)  # fmt: skip


# The print stylesheets, in cascade order: every document, then the forms' own rules.
STYLESHEETS: tuple[str, ...] = ("document.css", "forms.css", "poster.css")


class AssetFetcher(weasyprint.URLFetcher):
    """A URL fetcher that serves the package's font files and refuses everything else:
    no network, no other file, no data URL. A refused URL is logged without its address."""

    def fetch(self, url: str, headers: object = None) -> weasyprint.urls.URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if path in assets.allowed_files():
                return weasyprint.urls.URLFetcherResponse(url, path.read_bytes())
        raise ValueError("blocked: documents may only use the package's own assets")


@cache
def _harfbuzz_check() -> None:
    from weasyprint.text.ffi import harfbuzz_subset

    if not harfbuzz_subset:
        log.warning(
            "libharfbuzz-subset0 is not installed: fonts are subset by fontTools, about 20 "
            "times slower and not byte-reproducible (apt-get install libharfbuzz-subset0)"
        )


# The print stylesheets, in cascade order: every document, then the poster's own sheet.
_local = threading.local()


def _styles() -> tuple[FontConfiguration, list[weasyprint.CSS], AssetFetcher]:
    """Font configuration and parsed stylesheets, built once per thread and reused."""
    cached = getattr(_local, "styles", None)
    if cached is None:
        _harfbuzz_check()
        fetcher = AssetFetcher()
        font_config = FontConfiguration()
        faces = "\n".join(
            f'@font-face {{ font-family: "{f.family}"; src: url("{f.path.as_uri()}"); '
            f"font-weight: {f.weight}; font-style: {f.style}; }}"
            for f in assets.fonts()
        )
        css = "\n".join(
            (assets.templates_dir() / "style" / name).read_text(encoding="utf-8")
            for name in STYLESHEETS
        )
        sheets = [
            weasyprint.CSS(string=faces + "\n" + css, font_config=font_config, url_fetcher=fetcher)
        ]
        cached = _local.styles = (font_config, sheets, fetcher)
    return cached


def render(document: Document, *, variant: str | None = None, forms: bool = False) -> bytes:
    """Lay a document out as PDF; `variant` is a WeasyPrint PDF variant (e.g. ``pdf/a-3u``);
    `forms` turns the document's ``input`` and ``textarea`` elements into AcroForm fields."""
    if variant is not None and variant not in VARIANTS:
        raise RenderError(f"unknown PDF variant {variant!r} (choose from {', '.join(VARIANTS)})")
    return write(
        lay_out(document.html(), variant=variant, forms=forms), variant=variant, forms=forms
    )


def lay_out(
    html: str,
    *,
    variant: str | None = None,
    forms: bool = False,
    extra: Sequence[weasyprint.CSS] = (),
) -> weasyprint.Document:
    """Lay HTML out with the package's stylesheets (then `extra`), fonts and fetcher: the pages
    and their boxes, before drawing (`write` draws them)."""
    font_config, sheets, fetcher = _styles()
    page = weasyprint.HTML(
        string=html, base_url=assets.templates_dir().as_uri() + "/", url_fetcher=fetcher
    )
    return page.render(
        font_config=font_config,
        stylesheets=[*sheets, *extra],
        pdf_variant=variant,
        pdf_forms=forms,
        presentational_hints=False,
    )


def write(
    laid_out: weasyprint.Document, *, variant: str | None = None, forms: bool = False
) -> bytes:
    """Draw laid-out pages as PDF bytes."""
    return laid_out.write_pdf(pdf_variant=variant, pdf_forms=forms, uncompressed_pdf=False)


def stylesheet(css: str) -> weasyprint.CSS:
    """A stylesheet parsed with the package's fonts and fetcher, for `lay_out`'s `extra`."""
    font_config, _, fetcher = _styles()
    return weasyprint.CSS(string=css, font_config=font_config, url_fetcher=fetcher)
