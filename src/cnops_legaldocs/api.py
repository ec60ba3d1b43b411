"""The public entry points: render one document of a kind, language and format."""

from __future__ import annotations

from collections.abc import Mapping

from . import documents
from .branches import Branch
from .documents import EDITIONS, KINDS, PAPERS
from .errors import RenderError
from .model import LANGUAGES, LegalData
from .person import Person

FORMATS: tuple[str, ...] = ("pdf", "docx")
"""The file formats documents are rendered to."""


def formats_of(kind: str, lang: str | None = None) -> tuple[str, ...]:
    """The formats a kind (in `lang`) is rendered to: every format, the bilingual edition
    included (in DOCX, its rows of pairs are rule-less tables, each cell in its language)."""
    if kind not in KINDS:
        raise RenderError(f"unknown document kind {kind!r} (choose from {', '.join(KINDS)})")
    return FORMATS


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
    branch: Branch | None = None,
    pdf_variant: str | None = None,
    person: Mapping[str, str] | None = None,
    paper: str | None = None,
    docx_fonts: str | None = None,
) -> bytes:
    """Render one document and return the file's bytes.

    `kind` is one of `KINDS`, `lang` one of `EDITIONS` (a language of `LANGUAGES`, or
    ``fr+ar``: the bilingual edition, French left and Arabic right), `fmt` one of `FORMATS`;
    `branch` (from `load_branches`) adds an agency's block to a notice or poster;
    `pdf_variant` selects an archival or accessible PDF (``pdf/a-3u``, ``pdf/ua-1``…) or
    ``"none"``; by default printed documents are `ARCHIVAL_VARIANT`, fillable forms plain.
    `paper` is one of the kind's `PAPERS` (``A3`` or ``A4`` for the poster), None for the
    kind's own (A3 for the poster, A4 for the others).
    `docx_fonts` is how a DOCX carries its fonts: ``subset`` (default: the faces used, cut
    down to the characters used), ``full`` (whole faces, to edit) or ``none`` (named only).
    `person` pre-fills a form's identity fields (keys ``nom``, ``prenom``, ``cin``,
    ``immatriculation``, ``adresse``, ``telephone``, ``email``); a bad value raises
    `DataError` naming the field.
    """
    if fmt not in FORMATS:
        raise RenderError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if fmt not in formats_of(kind, lang):
        raise RenderError(f"the {kind} ({lang}) is not available as {fmt.upper()}")
    if pdf_variant is not None and fmt != "pdf":
        raise RenderError(f"a PDF variant does not apply to the {fmt} format")
    if docx_fonts is not None and fmt != "docx":
        raise RenderError(f"the DOCX fonts option does not apply to the {fmt} format")
    variant = pdf_variant_for(kind, pdf_variant) if fmt == "pdf" else None
    filled = Person.from_mapping(person) if person is not None else None
    document = documents.build(data, kind, lang, branch=branch, person=filled, paper=paper)
    if fmt == "docx":
        from .renderers import docx

        return docx.render(document, fonts=docx_fonts or "subset")
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


def warm_up(data: LegalData | None = None) -> LegalData:
    """Load the data (the embedded notice by default), catalogs, templates and fonts, and lay
    out the blank forms once, so that a long-running process's first render costs what the
    next one does. Returns the data. Call it once per process (a pool's initializer)."""
    from .model import load

    data = load() if data is None else data
    for lang in EDITIONS:
        for kind in documents.FORM_KINDS:
            render(data, kind, lang, "pdf")
    return data


def preview(
    data: LegalData, kind: str, lang: str, *, dpi: int = 100, paper: str | None = None
) -> list[bytes]:
    """The pages of a document's PDF as PNG images at `dpi`, one per page, in order."""
    from . import previews

    previews.check_dpi(dpi)
    return previews.pages(render(data, kind, lang, paper=paper), dpi=dpi)


__all__ = [
    "EDITIONS", "FORMATS", "KINDS", "LANGUAGES", "PAPERS", "preview", "render", "warm_up",
]  # fmt: skip
