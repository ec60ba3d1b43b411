"""PDF through WeasyPrint, with only the package's fonts and no access to anything else.

Each PDF is checked after layout: text that runs past its page or table column is an error,
never a silently clipped page. Dates come from the document (see `dates`), so the same
document gives the same bytes on any day and in any process.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .engine import weasyprint  # first: WeasyPrint without its library probes (see engine)

# isort: split
from lxml import etree
from weasyprint.document import Document as LaidOut
from weasyprint.document import DocumentMetadata
from weasyprint.formatting_structure import boxes
from weasyprint.pdf import VARIANTS as _WEASYPRINT_VARIANTS
from weasyprint.pdf.metadata import NS as _NAMESPACES
from weasyprint.text.fonts import FontConfiguration

from .. import assets, dates, tempdirs
from ..documents import Document
from ..errors import LayoutError, RenderError
from . import langcss, textlayer

log = logging.getLogger("cnops_legaldocs")

textlayer.install()  # WeasyPrint marks what each glyph says; `write` makes it the text layer

VARIANTS: tuple[str, ...] = tuple(
    sorted(v for v in _WEASYPRINT_VARIANTS if v.startswith(("pdf/a-", "pdf/ua-")))
)
"""WeasyPrint's archival (PDF/A) and accessible (PDF/UA) variants. PDF/X is left out: WeasyPrint
stamps it with the clock and a random identifier, so it could never be reproducible."""


# The print stylesheets, in cascade order: every document, then the forms', the poster's and the
# bilingual edition's own rules.
STYLESHEETS: tuple[str, ...] = ("document.css", "forms.css", "poster.css", "bilingual.css")


def stylesheets_of(document: Document) -> tuple[str, ...]:
    """The stylesheets a document needs, in cascade order. The others' rules select nothing
    in it (each is scoped to its kind of page); parsing and matching fewer rules makes a fresh
    process's first render and every style computation cheaper."""
    own = {
        "forms.css": document.is_form,
        "poster.css": document.kind == "poster",
        "bilingual.css": len(document.languages) > 1,
    }
    return tuple(name for name in STYLESHEETS if own.get(name, True))


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


_local = threading.local()


def _styles(
    names: Sequence[str] = STYLESHEETS,
) -> tuple[FontConfiguration, list[weasyprint.CSS], AssetFetcher]:
    """Font configuration and the parsed stylesheets `names` (the fonts' faces first), each
    parsed once per thread and reused."""
    cached = getattr(_local, "styles", None)
    if cached is not None and not cached[0]._folder.is_dir():
        cached = None  # its fonts' folder was removed (`tempdirs.cleanup`): make another
    if cached is None:
        _harfbuzz_check()
        fetcher = AssetFetcher()
        font_config = FontConfiguration()
        # WeasyPrint's own font folder, made where the library removes it (`tempdirs`).
        font_config._folder = Path(tempdirs.make(font_config, "weasyprint-"))
        faces = "\n".join(
            f'@font-face {{ font-family: "{f.family}"; src: url("{f.path.as_uri()}"); '
            + (f"font-weight: {f.weight}; " if f.weight else "")
            + f"font-style: {f.style}; }}"
            for f in assets.fonts()
        )
        sheets = {"": weasyprint.CSS(string=faces, font_config=font_config, url_fetcher=fetcher)}
        cached = _local.styles = (font_config, sheets, fetcher)
    font_config, sheets, fetcher = cached
    for name in names:
        if name not in sheets:
            css = (assets.templates_dir() / "style" / name).read_text(encoding="utf-8")
            sheets[name] = weasyprint.CSS(
                string=langcss.rewrite(css), font_config=font_config, url_fetcher=fetcher
            )
    return font_config, [sheets[""], *(sheets[name] for name in names)], fetcher


_WARM_UP = (
    '<html lang="fr"><body><p>Notice <b>CNOPS</b> <i>loi</i> 09-08 é</p>'
    '<p lang="ar" dir="rtl">الصندوق <b>الوطني</b> <i>لمنظمات</i></p></body></html>'
)


def warm_up() -> None:
    """Make this thread's font configuration and stylesheets, and draw a line of each
    script and face once (fonts loaded, shaped and subset), so that the next render pays
    for its own layout only."""
    write(lay_out(_WARM_UP), created=dt.date(2000, 1, 1))


def render(document: Document, *, variant: str | None = None, forms: bool = False) -> bytes:
    """Lay a document out as PDF; `variant` is a WeasyPrint PDF variant (e.g. ``pdf/a-3u``);
    `forms` turns the document's ``input`` and ``textarea`` elements into AcroForm fields."""
    if variant is not None and variant not in VARIANTS:
        raise RenderError(f"unknown PDF variant {variant!r} (choose from {', '.join(VARIANTS)})")
    laid_out = lay_out(
        document.html(), variant=variant, forms=forms, sheets=stylesheets_of(document)
    )
    _check_fits(laid_out, document)
    # What was made, never a value of it (--debug shows it).
    log.debug("the %s (%s, %s) laid out on %d pages", document.kind, document.lang,
              document.paper, len(laid_out.pages))  # fmt: skip
    return write(
        laid_out,
        variant=variant,
        forms=forms,
        created=document.created,
        languages=document.languages,
    )


def lay_out(
    html: str,
    *,
    variant: str | None = None,
    forms: bool = False,
    extra: Sequence[weasyprint.CSS] = (),
    sheets: Sequence[str] = STYLESHEETS,
) -> weasyprint.Document:
    """Lay HTML out with the package's stylesheets `sheets` (see `stylesheets_of`; then
    `extra`), fonts and fetcher: the pages and their boxes, before drawing (`write` draws
    them)."""
    font_config, parsed, fetcher = _styles(sheets)
    page = weasyprint.HTML(
        string=html, base_url=assets.templates_dir().as_uri() + "/", url_fetcher=fetcher
    )
    return page.render(
        font_config=font_config,
        stylesheets=[*parsed, *extra],
        pdf_variant=variant,
        pdf_forms=forms,
        presentational_hints=False,
    )


def write(
    laid_out: weasyprint.Document,
    *,
    created: dt.date,
    variant: str | None = None,
    forms: bool = False,
    languages: tuple[str, ...] | None = None,
) -> bytes:
    """Draw laid-out pages as PDF bytes. `created` (the document's date) pins every stamp;
    `languages` completes the XMP metadata of a whole document."""
    if languages is not None:
        _describe_language(laid_out.metadata, languages)
    # Noto Serif is a variable font: WeasyPrint has fontTools instantiate it, whose head table
    # takes the pinned date (this thread only; the environment is left alone).
    with dates.pinned_clock(dates.stamp_epoch(created)):
        # Uncompressed: `exact` rewrites most streams, and compresses each once as it writes.
        drawn = laid_out.write_pdf(pdf_variant=variant, pdf_forms=forms, uncompressed_pdf=True)
    return textlayer.exact(drawn)


def stylesheet(css: str) -> weasyprint.CSS:
    """A stylesheet parsed with the package's fonts and fetcher, for `lay_out`'s `extra`."""
    font_config, _, fetcher = _styles(())
    return weasyprint.CSS(string=css, font_config=font_config, url_fetcher=fetcher)


_EPSILON = 4  # CSS pixels (1 mm): a trailing space or rounding is not an overflow


def _check_fits(laid_out: LaidOut, document: Document) -> None:
    """Raise if any text runs past its page, its margin box (running header, footer, the
    poster's QR band) or the box (table cell, paragraph) that holds it, or if the poster takes
    more than its one sheet: a value too long to print is an error, never a clipped page."""
    where = f"the {document.kind} ({document.lang}, {document.paper})"
    if document.kind == "poster" and len(laid_out.pages) > 1:
        raise RenderError(
            f"{where} does not fit its one sheet ({len(laid_out.pages)} pages): shorten the "
            "longest values of the data (the body's name, the agency's name, address or hours)"
        )
    for number, page in enumerate(laid_out.pages, 1):
        page_box = page._page_box
        left, top = page_box.content_box_x(), page_box.content_box_y()
        area = (left, left + page_box.width, top, top + page_box.height)
        for child in page_box.children:
            if isinstance(child, boxes.MarginBox):
                # Running headers and footers are held by their own box, itself on the sheet.
                x, y = child.border_box_x(), child.border_box_y()
                limits = (
                    max(x, 0),
                    min(x + child.border_width(), page.width),
                    max(y, 0),
                    min(y + child.border_height(), page.height),
                )
                part = "the page's margin (running header, footer or band)"
            else:
                limits, part = area, "the page"
            out = list(_overflowing(child, *limits))
            if out:
                # The widest piece of text that runs out is what pushes the others out (an
                # unbreakable value); then its neighbours, in the margin box or in its block:
                # a band too full pushes out a heading of its own, not the value that fills it.
                piece, block = max(out, key=lambda found: found[0].width)
                around = child if isinstance(child, boxes.MarginBox) else block
                texts = (piece.text, *(t.text for t in text_boxes(around) if t is not piece))
                raise LayoutError(where, number, part, texts=texts)


def _overflowing(
    box: boxes.Box, left: float, right: float, top: float, bottom: float
) -> Iterator[tuple[boxes.TextBox, boxes.Box]]:
    """Each piece of text of `box` that runs out of the given area (or of the block that
    holds it), with that block."""
    if box.is_outside_marker:  # list bullets hang outside their item on purpose
        return
    if isinstance(box, boxes.BlockContainerBox):
        x = box.content_box_x()
        left, right = max(left, x), min(right, x + box.width)
    for child in box.all_children():
        if not isinstance(child, boxes.TextBox):
            for piece, block in _overflowing(child, left, right, top, bottom):
                yield piece, block if isinstance(block, boxes.BlockContainerBox) else box
        elif (
            child.width > _EPSILON
            and child.text.strip()
            and not (
                child.position_x >= left - _EPSILON
                and child.position_x + child.width <= right + _EPSILON
                and child.position_y >= top - _EPSILON
                and child.position_y + child.height <= bottom + _EPSILON
            )
        ):
            yield child, box


def text_boxes(box: boxes.Box) -> Iterator[boxes.TextBox]:
    """The pieces of text of a laid-out box, in order (the box itself if it is one)."""
    if isinstance(box, boxes.TextBox):
        yield box
    for child in box.all_children():
        yield from text_boxes(child)


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DC = "http://purl.org/dc/elements/1.1/"
_PREFIXES = {uri: prefix for prefix, uri in _NAMESPACES.items() if prefix}


def _describe_language(metadata: DocumentMetadata, languages: tuple[str, ...]) -> None:
    """Complete WeasyPrint's XMP metadata: add ``dc:language`` (WeasyPrint writes /Lang in the
    catalog only) and declare each namespace on the description that uses it, as some
    validators (PDFBox Preflight) require, rather than once on ``rdf:RDF``.

    /Lang holds one language, the page's ``lang``: French for the bilingual edition (its text
    starts in the French column; "fr+ar" is no language tag, and "mul" would tell a reader
    nothing). ``dc:language`` lists every language of the text, both for the bilingual
    edition, as Dublin Core allows. (WeasyPrint 70 writes no /Lang on the structure elements
    of a tagged PDF, so the Arabic cells' ``lang`` does not reach it.)"""
    generate = metadata.generate_rdf_metadata

    def rewritten(*args: object) -> bytes:
        descriptions = list(etree.fromstring(generate(*args)))
        language = etree.Element(f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""})
        bag = etree.SubElement(etree.SubElement(language, f"{{{_DC}}}language"), f"{{{_RDF}}}Bag")
        for lang in languages:
            etree.SubElement(bag, f"{{{_RDF}}}li").text = lang
        rdf = etree.Element(f"{{{_RDF}}}RDF", nsmap={"rdf": _RDF})
        for old in [*descriptions, language]:
            names = [*old.attrib, *(child.tag for child in old)]
            spaces = {etree.QName(name).namespace for name in names} - {_RDF, None}
            nsmap = {_PREFIXES[uri]: uri for uri in sorted(spaces)}
            new = etree.SubElement(rdf, old.tag, dict(old.attrib), nsmap=nsmap)
            new.extend(list(old))
        return etree.tostring(rdf, encoding="utf-8")

    metadata.generate_rdf_metadata = rewritten  # type: ignore[method-assign]
