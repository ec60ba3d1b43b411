"""The public entry points: render one document of a kind, language and format."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from . import assets, catalogs, documents
from .branches import Branch
from .documents import EDITIONS, KINDS, PAPERS
from .errors import ArgumentError, LayoutError, RenderError
from .model import LANGUAGES, LegalData
from .person import NO_ONE, Person

if TYPE_CHECKING:
    from .fastpath import FormPrinter

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

PDF_VARIANTS: tuple[str, ...] = (
    "pdf/a-1a", "pdf/a-1b", "pdf/a-2a", "pdf/a-2b", "pdf/a-2u", "pdf/a-3a", "pdf/a-3b",
    "pdf/a-3u", "pdf/a-4e", "pdf/a-4f", "pdf/a-4u", "pdf/ua-1", "pdf/ua-2",
)  # fmt: skip
"""WeasyPrint's archival and accessible variants (`renderers.pdf.VARIANTS`, which a test
compares), named here so that what does not draw a PDF (a DOCX) never imports WeasyPrint."""

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
    _check_arguments(data, kind, lang, fmt, branch, pdf_variant, person, paper)
    if fmt not in FORMATS:
        raise RenderError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if fmt not in formats_of(kind, lang):
        raise RenderError(f"the {kind} ({lang}) is not available as {fmt.upper()}")
    if pdf_variant is not None and fmt != "pdf":
        raise RenderError(f"a PDF variant does not apply to the {fmt} format")
    if docx_fonts is not None and fmt != "docx":
        raise RenderError(f"the DOCX fonts option does not apply to the {fmt} format")
    variant = pdf_variant_for(kind, pdf_variant) if fmt == "pdf" else None
    if _fast_form(kind, lang, fmt, branch, variant, person, paper):
        assert person is not None
        return _form_printer(data, kind, lang).render(person)
    filled = Person.from_mapping(person) if person is not None else None
    document = documents.build(data, kind, lang, branch=branch, person=filled, paper=paper)
    if fmt == "docx":
        from .renderers import docx

        return docx.render(document, fonts=docx_fonts or "subset")
    from .renderers import pdf

    try:
        return pdf.render(document, variant=variant, forms=kind in documents.FILLABLE_KINDS)
    except LayoutError as exc:
        raise exc.naming(
            documents.field_holding(data, lang, exc.texts, person), data.source
        ) from None


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


# --------------------------------------------------------------------------------------------
# Arguments


def _check_arguments(
    data: object,
    kind: object,
    lang: object,
    fmt: object,
    branch: object,
    pdf_variant: object,
    person: object,
    paper: object,
) -> None:
    """Raise `ArgumentError` naming the first argument of the wrong type, or `RenderError`
    for a known type but an unknown value (kind, language)."""
    if not isinstance(data, LegalData):
        raise ArgumentError(f"data: expected LegalData (from load()), not {type(data).__name__}")
    for name, value in (("kind", kind), ("lang", lang), ("fmt", fmt)):
        if not isinstance(value, str):
            raise ArgumentError(f"{name}: expected text, not {type(value).__name__}")
    for name, value in (("pdf_variant", pdf_variant), ("paper", paper)):
        if value is not None and not isinstance(value, str):
            raise ArgumentError(f"{name}: expected text or None, not {type(value).__name__}")
    if branch is not None and not isinstance(branch, Branch):
        raise ArgumentError(
            f"branch: expected a Branch (from load_branches()) or None, not {type(branch).__name__}"
        )
    if person is not None and not isinstance(person, Mapping):
        raise ArgumentError(
            f"person: expected a mapping of field to text, or None, not {type(person).__name__}"
        )
    if kind not in KINDS:
        raise RenderError(f"kind: unknown document kind {kind!r} (choose from {', '.join(KINDS)})")
    if lang not in EDITIONS:
        raise RenderError(f"lang: unknown language {lang!r} (choose from {', '.join(EDITIONS)})")


# --------------------------------------------------------------------------------------------
# Pre-filled forms: the batch's fast path for one document too

_PRINTERS_KEPT = 4  # data objects whose printers are kept (a service has one)
_printers: OrderedDict[int, tuple[LegalData, dict[tuple[str, str], FormPrinter]]] = OrderedDict()
_printers_lock = threading.Lock()


def _fast_form(
    kind: str,
    lang: str,
    fmt: str,
    branch: object,
    variant: str | None,
    person: object,
    paper: str | None,
) -> bool:
    """Whether a render is a pre-filled form the batch's fast path makes: a plain PDF of a
    form in one language, A4, no branch."""
    return (
        person is not None
        and kind in documents.FORM_KINDS
        and lang in LANGUAGES
        and fmt == "pdf"
        and variant is None
        and branch is None
        and paper in (None, *PAPERS[kind][:1])
    )


def _form_printer(data: LegalData, kind: str, lang: str) -> FormPrinter:
    """The process's `FormPrinter` of a form and language for `data`: made once, shared by
    threads (a printer makes its bases under its own lock)."""
    with _printers_lock:
        entry = _printers.get(id(data))
        if entry is None or entry[0] is not data:
            entry = _printers[id(data)] = (data, {})
            while len(_printers) > _PRINTERS_KEPT:
                _printers.popitem(last=False)
        else:
            _printers.move_to_end(id(data))
        printers = entry[1]
        printer = printers.get((kind, lang))
        if printer is None:
            from .fastpath import FormPrinter

            printer = printers[(kind, lang)] = FormPrinter(data, kind, lang)
        return printer


_REQUIRED = ("nom", "prenom", "cin", "immatriculation")
"""The fields a form is usually filled with: their blank is laid out by `warm_up`."""


def warm_up(data: LegalData | None = None) -> LegalData:
    """Load the data (the embedded notice by default), catalogs, templates and fonts, and lay
    out the blank forms once, so that a long-running process's first render costs what the
    next one does. Returns the data. Call it once per process (a pool's initializer); the PDF
    renderer's font configuration is per thread, so this thread is the one made ready.

    No font is instanced here unless no wheel-built or cached instance exists (`fontcache`)."""
    from .model import load
    from .renderers import pdf
    from .renderers.docx import fonts as docx_fonts

    data = load() if data is None else data
    if not isinstance(data, LegalData):
        raise ArgumentError(f"data: expected LegalData (from load()), not {type(data).__name__}")
    pdf.warm_up()
    for name in {face.family for face in assets.fonts()} - {assets.FIELD_FAMILY}:
        docx_fonts.family(name)
    for lang in LANGUAGES:
        catalogs.catalog(lang)
        for kind in documents.FORM_KINDS:
            printer = _form_printer(data, kind, lang)
            printer.render({name: NO_ONE[name] for name in _REQUIRED})  # laid out and kept
    return data


def preview(
    data: LegalData,
    kind: str,
    lang: str,
    *,
    dpi: int = 100,
    paper: str | None = None,
    person: Mapping[str, str] | None = None,
    branch: Branch | None = None,
) -> list[bytes]:
    """The pages of a document's PDF as PNG images at `dpi`, one per page, in order;
    `paper`, `person` and `branch` as for `render`."""
    from . import previews

    if isinstance(dpi, bool) or not isinstance(dpi, int):
        raise ArgumentError(f"dpi: expected a whole number, not {type(dpi).__name__}")
    previews.check_dpi(dpi)
    content = render(data, kind, lang, paper=paper, person=person, branch=branch)
    return previews.pages(content, dpi=dpi)


__all__ = [
    "ARCHIVAL_VARIANT", "EDITIONS", "FORMATS", "KINDS", "LANGUAGES", "PAPERS", "PLAIN",
    "formats_of", "pdf_variant_for", "preview", "render", "warm_up",
]  # fmt: skip
