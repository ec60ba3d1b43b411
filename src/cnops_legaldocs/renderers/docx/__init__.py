"""DOCX through python-docx: the document's semantic tree as Word paragraphs, runs and tables
that a clerk can edit and restyle.

The writer core (`writer`) knows nothing of forms and posters: this package gives it the
blocks only they have (`forms`, `poster`). Styles live in `styles`, the embedded fonts in
`fonts`, WordprocessingML details in `ooxml`.
"""

from __future__ import annotations

import logging

from ...documents import FORM_KINDS, Document
from .forms import FormLayout
from .poster import PosterLayout
from .subset import FONT_MODES
from .writer import Extension, Writer

log = logging.getLogger("cnops_legaldocs")


def _extension(document: Document) -> type[Extension] | None:
    if document.kind in FORM_KINDS:
        return FormLayout
    if document.kind == "poster":
        return PosterLayout
    return None


def render(document: Document, *, fonts: str = "subset") -> bytes:
    """Lay a document out as a DOCX file and return its bytes (the same for the same input);
    `fonts` is one of `FONT_MODES`: how the file carries its fonts."""
    content = Writer(document, _extension(document), fonts=fonts).write()
    # What was made, never a value of it (--debug shows it).
    log.debug("the %s (%s, %s) written as DOCX, fonts %s: %d bytes", document.kind,
              document.lang, document.paper, fonts, len(content))  # fmt: skip
    return content


__all__ = ["FONT_MODES", "render"]
