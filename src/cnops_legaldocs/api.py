"""The public entry points: render one document of a kind, language and format."""

from __future__ import annotations

from . import documents
from .documents import KINDS
from .errors import RenderError
from .model import LANGUAGES, LegalData

FORMATS: tuple[str, ...] = ("pdf", "docx")
"""The file formats documents are rendered to."""


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
    `pdf_variant` selects an archival or accessible PDF (``pdf/a-3u``, ``pdf/ua-1``…).
    """
    if fmt not in FORMATS:
        raise RenderError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if pdf_variant is not None and fmt != "pdf":
        raise RenderError(f"a PDF variant does not apply to the {fmt} format")
    document = documents.build(data, kind, lang)
    if fmt == "docx":
        from .renderers import docx

        return docx.render(document)
    from .renderers import pdf

    return pdf.render(document, variant=pdf_variant)


__all__ = ["FORMATS", "KINDS", "LANGUAGES", "render"]
