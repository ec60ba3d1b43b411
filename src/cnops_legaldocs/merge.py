"""One print-ready PDF from many: the rows of a batch, in order, for a print shop.

The file is written as it goes: each part is opened, its pages and what they use are written to
the output and the part is closed, so that memory stays flat however many rows there are (qpdf
merging in memory kept every part open and every copied object until the end: 0.6 MB a form,
6 GB for ten thousand). Objects are copied as they are, streams never decompressed; an object
already written (same content, same references; annotations excepted, they belong to one page)
is written once, so that parts made from the same base (the forms' fast path: everything but
the values) share it: a thousand forms weigh 9 MB instead of 130.

Print-ready: each document of more than one page is padded to an even number of pages with a
blank page, so that printed on both sides every document starts on a new sheet. Form fields are
left out (their boxes are drawn on the page: the widgets print nothing): one file of many forms
is for printing, and its forms' fields would share their names.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import pikepdf

from .output import atomic_file

PAGES_PER_NODE = 128
"""Pages under each node of the output's page tree (a two-level tree, not one flat list)."""

# An indirect reference in qpdf's unparsed text, literal and hex strings skipped (qpdf escapes
# every parenthesis inside a literal string).
_TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|(\d+) (\d+) R")
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


def merge_pdfs(parts: Sequence[Path], target: Path, *, private: bool = False) -> int:
    """Write `parts` as one PDF at `target` (atomically); return its number of pages."""
    if not parts:
        raise ValueError("nothing to merge")
    with atomic_file(target, private=private) as fh:
        writer = _Writer(fh)
        for index, path in enumerate(parts):
            with pikepdf.open(path) as source:
                if index == 0:
                    writer.take_metadata(source)
                count = writer.add_pages(source)
                if count > 1 and count % 2:
                    box = source.pages[-1].mediabox
                    writer.add_blank_page(float(box[2]), float(box[3]))
        return writer.close()


class _Writer:
    """A PDF written object by object: numbers, offsets and a page tree kept, nothing else
    (and a digest of each object written, to write it once)."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.offsets: dict[int, int] = {}
        self.count = 0  # object numbers given
        self.position = 0
        self.digest = hashlib.sha256()
        self.written: dict[bytes, int] = {}  # object digest -> number
        self.root_pages = self._reserve()
        self.nodes: list[tuple[int, list[int]]] = []  # (number, page numbers) under the root
        self.pages = 0
        self.lang: bytes | None = None
        self.info: bytes = b"<< /Producer (cnops-legaldocs) >>"
        self._write(b"%PDF-1.7\n%\xb5\xb6\xb7\xb8\n")

    # -- the document -------------------------------------------------------------------------

    def take_metadata(self, source: pikepdf.Pdf) -> None:
        """The first part's language and title for the whole (they share kind and language)."""
        if "/Lang" in source.Root:
            self.lang = source.Root.Lang.unparse()
        entries = [
            key.encode() + b" " + source.docinfo[key].unparse()
            for key in ("/Title", "/Author", "/Subject")
            if key in source.docinfo
        ]
        self.info = b"<< " + b" ".join([*entries, b"/Producer (cnops-legaldocs)"]) + b" >>"

    def add_pages(self, source: pikepdf.Pdf) -> int:
        """Write every page of `source`, with what they use; return how many."""
        copier = _Copier(self, source)
        for page in source.pages:
            entries = {k: v for k, v in page.obj.items() if k not in ("/Parent", "/Annots")}
            for key in _INHERITED:
                if key not in entries and (value := _inherited(page.obj, key)) is not None:
                    entries[key] = value
            annots = [a for a in page.obj.get("/Annots", []) if a.get("/Subtype") != "/Widget"]
            if annots:
                entries["/Annots"] = pikepdf.Array(annots)
            number = copier.number_of(page.obj)  # first: an annotation may point back to it
            self._add_page(number, copier.text(pikepdf.Dictionary(entries).unparse()))
        return len(source.pages)

    def add_blank_page(self, width: float, height: float) -> None:
        box = f"[ 0 0 {width:g} {height:g} ]".encode()
        self._add_page(
            self._reserve(), b"<< /MediaBox " + box + b" /Resources << >> /Type /Page >>"
        )

    def close(self) -> int:
        """Write the page tree, catalog, cross-reference table and trailer; return the pages."""
        for node, kids in self.nodes:
            self._object(node, _pages_node(kids, self.root_pages))
        root_kids = " ".join(f"{node} 0 R" for node, _ in self.nodes)
        self._object(
            self.root_pages,
            f"<< /Count {self.pages} /Kids [ {root_kids} ] /Type /Pages >>".encode(),
        )
        catalog = b"<< /Pages %d 0 R /Type /Catalog" % self.root_pages
        catalog += (b" /Lang " + self.lang if self.lang else b"") + b" >>"
        root, info = self._reserve(), self._reserve()
        self._object(root, catalog)
        self._object(info, self.info)
        identifier = self.digest.hexdigest()[:32].encode()
        start = self.position
        lines = [b"xref\n0 %d\n" % (self.count + 1), b"0000000000 65535 f \n"]
        lines += [b"%010d 00000 n \n" % self.offsets[n] for n in range(1, self.count + 1)]
        self._write(b"".join(lines))
        self._write(
            b"trailer\n<< /ID [ <%s> <%s> ] /Info %d 0 R /Root %d 0 R /Size %d >>\n"
            % (identifier, identifier, info, root, self.count + 1)
            + b"startxref\n%d\n%%%%EOF\n" % start
        )
        return self.pages

    # -- objects ------------------------------------------------------------------------------

    def _add_page(self, number: int, body: bytes) -> None:
        if not self.nodes or len(self.nodes[-1][1]) == PAGES_PER_NODE:
            self.nodes.append((self._reserve(), []))
        node, kids = self.nodes[-1]
        kids.append(number)
        self.pages += 1
        self._object(number, body[:-2] + b"/Parent %d 0 R >>" % node)

    def _reserve(self) -> int:
        self.count += 1
        return self.count

    def object_once(self, body: bytes) -> int:
        """The number of an object with this body: the earlier one, or a new one written."""
        key = hashlib.sha256(body).digest()
        number = self.written.get(key)
        if number is None:
            number = self.written[key] = self._reserve()
            self._object(number, body)
        return number

    def _object(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.position
        self._write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def _write(self, data: bytes) -> None:
        self.fh.write(data)
        self.position += len(data)
        self.digest.update(data)


class _Copier:
    """The objects of one part, written to the output as their referrers need them."""

    def __init__(self, writer: _Writer, source: pikepdf.Pdf) -> None:
        self.writer, self.source = writer, source
        self.numbers: dict[tuple[int, int], int] = {}
        self.open: set[tuple[int, int]] = set()  # being copied: a reference back is a cycle
        self.reserved: set[tuple[int, int]] = set()

    def number_of(self, obj: pikepdf.Object) -> int:
        """The output number of an indirect object (a page: written by the writer)."""
        key = obj.objgen
        if key not in self.numbers:
            self.numbers[key] = self.writer._reserve()
        return self.numbers[key]

    def text(self, unparsed: bytes) -> bytes:
        """qpdf's unparsed text with every reference made to the output's object."""
        return _TOKEN.sub(self._reference, unparsed)

    def _reference(self, match: re.Match[bytes]) -> bytes:
        if match.group(1) is None:
            return match.group(0)  # a string
        key = (int(match.group(1)), int(match.group(2)))
        return b"%d 0 R" % self._copy(key)

    def _copy(self, key: tuple[int, int]) -> int:
        number = self.numbers.get(key)
        if number is not None:
            return number
        if key in self.open:  # a cycle: this object gets its number now, written when done
            number = self.numbers[key] = self.writer._reserve()
            self.reserved.add(key)
            return number
        self.open.add(key)
        obj = self.source.get_object(key)
        if isinstance(obj, pikepdf.Stream):
            head = {k: v for k, v in obj.stream_dict.items() if k != "/Length"}
            data = obj.read_raw_bytes()
            body = self.text(pikepdf.Dictionary(head).unparse())[:-2]
            body += b"/Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
        else:
            body = self.text(obj.unparse(resolved=True))
        self.open.discard(key)
        if key in self.reserved or _page_specific(obj):
            number = self.numbers.setdefault(key, self.writer._reserve())
            self.writer._object(number, body)
        else:
            number = self.numbers[key] = self.writer.object_once(body)
        return number


def _page_specific(obj: pikepdf.Object) -> bool:
    """Whether an object belongs to one page, even where another is the same (an annotation:
    a page's /Annots may not share one with another page, nor list one twice)."""
    return isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.Annot


def _inherited(page: pikepdf.Dictionary, key: str) -> pikepdf.Object | None:
    node = page.get("/Parent")
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def _pages_node(kids: list[int], parent: int) -> bytes:
    refs = " ".join(f"{kid} 0 R" for kid in kids)
    return f"<< /Count {len(kids)} /Kids [ {refs} ] /Parent {parent} 0 R /Type /Pages >>".encode()
