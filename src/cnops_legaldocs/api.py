"""The public entry points: render one document of a kind, language and format."""

from __future__ import annotations

from . import documents
from .branches import Branch
from .documents import KINDS
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
    branch: Branch | None = None,
    pdf_variant: str | None = None,
) -> bytes:
    """Render one document and return the file's bytes.

    `kind` is one of `KINDS`, `lang` one of `LANGUAGES`, `fmt` one of `FORMATS`;
    `branch` (from `load_branches`) adds an agency's block to a notice;
    `pdf_variant` selects an archival or accessible PDF (``pdf/a-3u``, ``pdf/ua-1``…).
    """
    if fmt not in FORMATS:
        raise RenderError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    document = documents.build(data, kind, lang, branch=branch)
    from .renderers import pdf

    return pdf.render(document, variant=pdf_variant)


__all__ = ["FORMATS", "KINDS", "LANGUAGES", "render"]
