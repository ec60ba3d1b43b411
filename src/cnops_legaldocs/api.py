"""The public entry points: render one document of a kind, language and format."""

from __future__ import annotations

from . import documents
from .documents import KINDS, PAPERS
from .errors import RenderError
from .model import LANGUAGES, LegalData

FORMATS: tuple[str, ...] = ("pdf",)
"""The file formats documents are rendered to."""


def render(
    data: LegalData,
    kind: str,
    lang: str,
    fmt: str = "pdf",
    *,
    pdf_variant: str | None = None,
    paper: str | None = None,
) -> bytes:
    """Render one document and return the file's bytes.

    `kind` is one of `KINDS`, `lang` one of `LANGUAGES`, `fmt` one of `FORMATS`;
    `pdf_variant` selects an archival or accessible PDF (``pdf/a-3u``, ``pdf/ua-1``…);
    `paper` is one of the kind's `PAPERS` (``A3`` or ``A4`` for the poster), None for the
    kind's own (A3 for the poster, A4 for the others).
    """
    if fmt not in FORMATS:
        raise RenderError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    document = documents.build(data, kind, lang, paper=paper)
    from .renderers import pdf

    return pdf.render(document, variant=pdf_variant)


def preview(
    data: LegalData, kind: str, lang: str, *, dpi: int = 100, paper: str | None = None
) -> list[bytes]:
    """The pages of a document's PDF as PNG images at `dpi`, one per page, in order."""
    from . import previews

    previews.check_dpi(dpi)
    return previews.pages(render(data, kind, lang, paper=paper), dpi=dpi)


__all__ = ["FORMATS", "KINDS", "LANGUAGES", "PAPERS", "preview", "render"]
