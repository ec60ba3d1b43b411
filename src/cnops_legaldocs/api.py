"""The public entry points: render one document of a kind, language and format."""

from __future__ import annotations

from . import documents
from .documents import KINDS
from .errors import RenderError
from .model import LANGUAGES, LegalData

FORMATS: tuple[str, ...] = ("pdf",)
"""The file formats documents are rendered to."""

ARCHIVAL_VARIANT = "pdf/a-3u"
"""The PDF variant of printed documents (the notice, the register) unless told otherwise.

PDF/A because these documents are archived (law 09-08, CNOPS's archive management): the file
carries its fonts, colour profile and metadata and needs nothing else to be read in decades.
Part 3 (PDF 1.7) rather than 2, because it allows associated files, so that an archive can keep
the structured source beside the printed text; rather than 4, because it is PDF 2.0, which
archives and readers accept less widely. Level "u" rather than "b": it adds the promise that
every glyph maps back to Unicode, so the Arabic and French of an archived notice can be
searched and copied, not only looked at (WeasyPrint maps every glyph it writes).
"""

PLAIN = "none"
"""The `pdf_variant` that asks for a plain PDF, neither PDF/A nor PDF/UA."""


def render(
    data: LegalData,
    kind: str,
    lang: str,
    fmt: str = "pdf",
    *,
    pdf_variant: str | None = None,
) -> bytes:
    """Render one document and return the file's bytes.

    `kind` is one of `KINDS`, `lang` one of `LANGUAGES`, `fmt` one of `FORMATS`;
    `pdf_variant` selects an archival or accessible PDF (``pdf/a-3u``, ``pdf/ua-1``…) or
    ``"none"``; by default printed documents are `ARCHIVAL_VARIANT`, fillable forms plain.
    """
    if fmt not in FORMATS:
        raise RenderError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    variant = pdf_variant_for(kind, pdf_variant)
    document = documents.build(data, kind, lang)
    from .renderers import pdf

    return pdf.render(document, variant=variant, forms=kind in documents.FILLABLE_KINDS)


def pdf_variant_for(kind: str, requested: str | None) -> str | None:
    """The WeasyPrint variant a document is written in (None: plain PDF)."""
    fillable = kind in documents.FILLABLE_KINDS
    if requested is None:
        return None if fillable else ARCHIVAL_VARIANT
    if requested == PLAIN:
        return None
    if fillable and requested.startswith("pdf/a-"):
        raise RenderError(
            f"a fillable form cannot be PDF/A ({requested}): PDF/A forbids form fields that "
            f"the reader's viewer draws; choose the variant {PLAIN!r} or 'pdf/ua-1'"
        )
    return requested


__all__ = ["FORMATS", "KINDS", "LANGUAGES", "render"]
