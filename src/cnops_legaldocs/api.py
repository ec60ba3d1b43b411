"""The public entry points: render one document of a kind, language and format."""

from __future__ import annotations

from collections.abc import Mapping

from . import documents
from .branches import Branch
from .documents import KINDS, PAPERS
from .errors import RenderError
from .model import LANGUAGES, LegalData
from .person import Person

FORMATS: tuple[str, ...] = ("pdf", "docx")
"""The file formats documents are rendered to."""

_DOCX_KINDS = frozenset({"notice", "register"})


def formats_of(kind: str) -> tuple[str, ...]:
    """The formats a kind is rendered to (the DOCX forms and poster are not written yet)."""
    return FORMATS if kind in _DOCX_KINDS else ("pdf",)


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
) -> bytes:
    """Render one document and return the file's bytes.

    `kind` is one of `KINDS`, `lang` one of `LANGUAGES`, `fmt` one of `FORMATS`;
    `branch` (from `load_branches`) adds an agency's block to a notice or poster;
    `pdf_variant` selects an archival or accessible PDF (``pdf/a-3u``, ``pdf/ua-1``…);
    `paper` is one of the kind's `PAPERS` (``A3`` or ``A4`` for the poster), None for the
    kind's own (A3 for the poster, A4 for the others).
    `person` pre-fills a form's identity fields (keys ``nom``, ``prenom``, ``cin``,
    ``immatriculation``, ``adresse``, ``telephone``, ``email``); a bad value raises
    `DataError` naming the field.
    """
    if fmt not in FORMATS:
        raise RenderError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if fmt not in formats_of(kind):
        raise RenderError(f"the {kind} is not available as {fmt.upper()}")
    if pdf_variant is not None and fmt != "pdf":
        raise RenderError(f"a PDF variant does not apply to the {fmt} format")
    filled = Person.from_mapping(person) if person is not None else None
    document = documents.build(data, kind, lang, branch=branch, person=filled, paper=paper)
    if fmt == "docx":
        from .renderers import docx

        return docx.render(document)
    if document.is_form and pdf_variant is not None and pdf_variant.startswith("pdf/a"):
        raise RenderError(
            "a fillable form cannot be PDF/A (its fields are drawn by the viewer): "
            "render it without --pdf-variant or with pdf/ua-1"
        )
    from .renderers import pdf

    return pdf.render(document, variant=pdf_variant, forms=document.is_form)


def preview(
    data: LegalData, kind: str, lang: str, *, dpi: int = 100, paper: str | None = None
) -> list[bytes]:
    """The pages of a document's PDF as PNG images at `dpi`, one per page, in order."""
    from . import previews

    previews.check_dpi(dpi)
    return previews.pages(render(data, kind, lang, paper=paper), dpi=dpi)


__all__ = ["FORMATS", "KINDS", "LANGUAGES", "PAPERS", "preview", "render"]
