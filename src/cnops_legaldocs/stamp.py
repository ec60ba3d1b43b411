"""Stamp pages over pages: one PDF's page content drawn on top of another's (pikepdf).

The stamp's content stream is appended to the base page's own, not wrapped in a form XObject,
so that the result has the structure of a page drawn in one go (text extractors and tests read
both alike). Each stream runs in its own saved graphics state (WeasyPrint sets its page
transformation without restoring it), and the stamp's resources are renamed so that they
cannot collide with the base's (WeasyPrint names fonts after their description: both files
name the same font alike, with different subsets). Streams are copied as they are, never
decompressed and compressed again.
"""

from __future__ import annotations

import io
import re
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
    top_stream = _renamed_content(top, renamed)
    own = page.obj.Contents
    streams = list(own) if isinstance(own, pikepdf.Array) else [own]
    page.obj.Contents = pikepdf.Array(
        [
            pdf.make_stream(b"q\n"),
            *streams,
            pdf.make_stream(b"\nQ\nq\n" + top_stream + b"\nQ\n"),
        ]
    )


# What may hide a name token from a plain scan: a literal string, a comment, inline image data.
_OPAQUE = re.compile(rb"[(%]|(?:^|\s)ID\s")


def _renamed_content(page: pikepdf.Page, renamed: Mapping[tuple[str, str], Name]) -> bytes:
    """The page's content with its resource names replaced. Most streams (WeasyPrint's: hex
    strings, no comments, no inline images) are renamed with a scan of their name tokens,
    which is exact there (a "/" always starts a name); others are parsed and rewritten."""
    content = page.obj.Contents
    streams = list(content) if isinstance(content, pikepdf.Array) else [content]
    raw = b"\n".join(stream.read_bytes() for stream in streams)
    by_name = {str(old).encode()[1:]: str(new).encode()[1:] for (_, old), new in renamed.items()}
    if len(by_name) == len(renamed) and not _OPAQUE.search(raw):
        if not by_name:
            return raw
        names = b"|".join(re.escape(name) for name in sorted(by_name, key=len, reverse=True))
        token = re.compile(rb"/(" + names + rb")(?=[\s()<>\[\]{}/%]|$)")
        return token.sub(lambda m: b"/" + by_name[m.group(1)], raw)
    instructions = []
    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            instructions.append(instruction)
            continue
        operands, operator = instruction.operands, instruction.operator
        category = _OPERAND_CATEGORY.get(str(operator))
        if category is not None:
            operands = [
                renamed.get((category, str(op)), op) if isinstance(op, Name) else op
                for op in operands
            ]
        instructions.append(pikepdf.ContentStreamInstruction(operands, operator))
    return pikepdf.unparse_content_stream(instructions)
