"""One print-ready PDF from many: the rows of a batch, in order, for a print shop.

pikepdf (qpdf) rather than pypdf: it copies pages between files in C++, keeps stream data in
the source files until it writes (memory holds object tables, not page content) and writes
the result to a file as it goes; the per-row fast path of the forms needs it to combine pages
anyway, so one PDF library serves both. Since an open source file holds a descriptor until the
result is written, files are merged in groups of at most `FAN_IN`, groups of groups after
that, so that ten thousand rows never open ten thousand files at once.

Print-ready: each document of more than one page is padded to an even number of pages with a
blank page, so that printed on both sides every document starts on a new sheet. Form fields are
left out (their boxes are drawn on the page: the widgets print nothing): one file of many forms
is for printing, and its forms' fields would share their names.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

import pikepdf

from .output import atomic_file

FAN_IN = 200


def merge_pdfs(parts: Sequence[Path], target: Path, *, private: bool = False) -> int:
    """Write `parts` as one PDF at `target` (atomically); return its number of pages."""
    if not parts:
        raise ValueError("nothing to merge")
    groups: list[Path] = list(parts)
    temporary: list[Path] = []
    pad = True
    try:
        while len(groups) > FAN_IN:
            merged = []
            for start in range(0, len(groups), FAN_IN):
                path = parts[0].parent / f".group-{len(temporary)}.pdf"  # beside the parts
                _merge(groups[start : start + FAN_IN], path, pad=pad, private=True)
                temporary.append(path)
                merged.append(path)
            groups, pad = merged, False  # documents were padded in the first round
        return _merge(groups, target, pad=pad, private=private)
    finally:
        for path in temporary:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)


def _merge(paths: Sequence[Path], target: Path, *, pad: bool, private: bool) -> int:
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(pikepdf.new())
        for index, path in enumerate(paths):
            source = stack.enter_context(pikepdf.open(path))
            if index == 0:
                _take_metadata(source, out)
            _drop_fields(source)
            out.pages.extend(source.pages)
            count = len(source.pages)
            if pad and count > 1 and count % 2:
                box = source.pages[-1].mediabox
                out.add_blank_page(page_size=(float(box[2]), float(box[3])))
        with atomic_file(target, private=private) as fh:
            out.save(fh, compress_streams=True, deterministic_id=True)
        return len(out.pages)


def _drop_fields(source: pikepdf.Pdf) -> None:
    """Remove the form fields of `source` (opened for reading: its file is left as it is)."""
    if "/AcroForm" not in source.Root:
        return
    del source.Root.AcroForm
    for page in source.pages:
        annots = page.obj.get("/Annots")
        if annots is not None:
            kept = [a for a in annots if a.get("/Subtype") != "/Widget"]
            page.obj.Annots = pikepdf.Array(kept)


def _take_metadata(source: pikepdf.Pdf, out: pikepdf.Pdf) -> None:
    """The first document's language and title for the whole (they share kind and language)."""
    if "/Lang" in source.Root:
        out.Root.Lang = source.Root.Lang
    for key in ("/Title", "/Author", "/Subject"):
        if key in source.docinfo:
            out.docinfo[key] = source.docinfo[key]
