"""Stamp pages over pages: one PDF's page content drawn on top of another's (pikepdf).

The stamp's content stream is appended to the base page's own, not wrapped in a form XObject,
so that the result has the structure of a page drawn in one go (text extractors and tests read
both alike). Each stream runs in its own saved graphics state (WeasyPrint sets its page
transformation without restoring it), and the stamp's resources are renamed so that they
cannot collide with the base's (WeasyPrint names fonts after their description: both files
name the same font alike, with different subsets).
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import pikepdf
from pikepdf import Name

# Which resource category the name operand of each operator refers to (ISO 32000-1, 7.8.3).
_OPERAND_CATEGORY: dict[str, str] = {
    "Tf": "/Font",
    "gs": "/ExtGState",
    "Do": "/XObject",
    "sh": "/Shading",
    "cs": "/ColorSpace",
    "CS": "/ColorSpace",
    "scn": "/Pattern",
    "SCN": "/Pattern",
    "BDC": "/Properties",
    "DP": "/Properties",
}
_PREFIX = "s"


def stamp(base: bytes, stamps: Mapping[int, bytes]) -> bytes:
    """`base` with the first page of each of `stamps` (by base page index) drawn over that
    page; everything else of `base` (fields, metadata, outlines) is kept as it is.
    Deterministic: the same inputs give the same bytes."""
    with pikepdf.open(io.BytesIO(base)) as pdf:
        for index, content in sorted(stamps.items()):
            with pikepdf.open(io.BytesIO(content)) as other:
                _stamp_page(pdf, pdf.pages[index], other, other.pages[0])
        out = io.BytesIO()
        pdf.save(
            out,
            deterministic_id=True,
            compress_streams=True,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            object_stream_mode=pikepdf.ObjectStreamMode.preserve,
        )
    return out.getvalue()


def _stamp_page(
    pdf: pikepdf.Pdf, page: pikepdf.Page, top_pdf: pikepdf.Pdf, top: pikepdf.Page
) -> None:
    renamed: dict[tuple[str, str], Name] = {}
    resources = page.obj.get("/Resources")
    if resources is None:
        resources = page.obj.Resources = pikepdf.Dictionary()
    top_resources = top.obj.get("/Resources", pikepdf.Dictionary())
    for category, entries in top_resources.items():
        if not isinstance(entries, pikepdf.Dictionary):
            continue  # /ProcSet: an array of procedure set names, nothing to merge
        if category not in resources:
            resources[category] = pikepdf.Dictionary()
        target = resources[category]
        for key, value in entries.items():
            new = Name(f"/{_PREFIX}{len(renamed)}.{key[1:]}")
            while new in target:
                new = Name(f"/{_PREFIX}{len(renamed)}x.{key[1:]}")
            if not value.is_indirect:  # copy_foreign copies indirect objects only
                value = top_pdf.make_indirect(value)
            target[new] = pdf.copy_foreign(value)
            renamed[(category, key)] = new
    instructions = []
    for operands, operator in pikepdf.parse_content_stream(top):
        category = _OPERAND_CATEGORY.get(str(operator))
        if category is not None:
            operands = [
                renamed.get((category, str(op)), op) if isinstance(op, Name) else op
                for op in operands
            ]
        instructions.append(pikepdf.ContentStreamInstruction(operands, operator))
    top_stream = pikepdf.unparse_content_stream(instructions)
    own = page.obj.Contents
    streams = list(own) if isinstance(own, pikepdf.Array) else [own]
    page.obj.Contents = pikepdf.Array(
        [
            pdf.make_stream(b"q\n"),
            *streams,
            pdf.make_stream(b"\nQ\nq\n" + top_stream + b"\nQ\n"),
        ]
    )
