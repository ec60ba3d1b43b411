"""Reading rendered files back as a reader (or an attacker) would: text, visual order,
embedded content, metadata. One function per question, dispatched on the file format, so that
a new format (DOCX) is covered by adding its reader here."""

from __future__ import annotations

import io
import os
import re
import subprocess
import tempfile
import unicodedata
import zipfile
from functools import cache
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from lxml import etree
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine

from cnops_legaldocs.bidi import BIDI_CONTROLS


def normalise(text: str) -> str:
    """Text as compared in the tests: NFKC (Arabic presentation forms), no bidi controls,
    spaces folded."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if ch not in BIDI_CONTROLS)
    return " ".join(text.split())


# -- text ------------------------------------------------------------------------------------


def page_texts(content: bytes, fmt: str) -> list[str]:
    """The text of each page, normalised."""
    if fmt == "pdf":
        document = pypdfium2.PdfDocument(content)
        try:
            return [normalise(page.get_textpage().get_text_range()) for page in document]
        finally:
            document.close()
    if fmt == "docx":
        return page_texts(_docx_as_pdf(content), "pdf")
    pytest.fail(f"no text reader for format {fmt!r}: add one to tests/trust/readback.py")


def text(content: bytes, fmt: str) -> str:
    """All the text of a file, normalised."""
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = [
                archive.read(name)
                for name in archive.namelist()
                if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name)
            ]
        w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        return normalise(
            " ".join(t.text or "" for p in parts for t in etree.fromstring(p).iter(f"{w}t"))
        )
    return " ".join(page_texts(content, fmt))


def glyphs_outside_the_page(pdf: bytes) -> int:
    """How many visible glyphs of a PDF are drawn past the edges of their page."""
    document = pypdfium2.PdfDocument(pdf)
    outside = 0
    try:
        for page in document:
            width, height = page.get_size()
            textpage = page.get_textpage()
            for index in range(textpage.count_chars()):
                if not textpage.get_text_range(index, 1).strip():
                    continue
                left, bottom, right, top = textpage.get_charbox(index)
                outside += not (0 <= left <= right <= width and 0 <= bottom <= top <= height)
    finally:
        document.close()
    return outside


# -- visual order ----------------------------------------------------------------------------


def visual_lines(content: bytes, fmt: str) -> list[str]:
    """Every text line as the eye reads its glyphs: left to right by position (so a correct
    Arabic word reads reversed, and a Latin token inside Arabic reads as written)."""
    return list(_visual_lines(content, fmt))


@cache  # the same file is read in several tests (and clean and spiked data give one file)
def _visual_lines(content: bytes, fmt: str) -> tuple[str, ...]:
    if fmt == "docx":
        content, fmt = _docx_as_pdf(content), "pdf"
    if fmt != "pdf":
        pytest.fail(f"no visual-order reader for format {fmt!r}: add one to readback.py")
    out = []
    for page in extract_pages(io.BytesIO(content), laparams=LAParams(char_margin=50)):
        for line in _lines(page):
            # Words are told apart by the gaps between visible glyphs. Blank glyphs are left
            # out: LibreOffice draws its spaces with a glyph it maps to an isolate character,
            # which would otherwise fill the gap (and glue the words together).
            chars = sorted(
                (c for c in line if isinstance(c, LTChar) and normalise(c.get_text())),
                key=lambda c: c.x0,
            )
            pieces, right = [], None
            for char in chars:
                if right is not None and char.x0 - right > 0.15 * max(char.size, 1):
                    pieces.append(" ")
                pieces.append(char.get_text())
                right = char.x1 if right is None else max(right, char.x1)
            out.append(normalise("".join(pieces)))
    return tuple(out)


def _lines(container: object) -> list[LTTextLine]:
    found = []
    for element in container:  # type: ignore[attr-defined]
        if isinstance(element, LTTextLine):
            found.append(element)
        elif isinstance(element, LTTextContainer):
            found.extend(_lines(element))
    return found


# A LibreOffice profile of this test process's own: another soffice running on the machine
# (a second test run, an editor) cannot lock it; made once, then reused by every conversion.
_PROFILE = Path(tempfile.gettempdir()) / f"cnops-legaldocs-soffice-{os.getpid()}"


@cache
def _docx_as_pdf(content: bytes) -> bytes:
    """A DOCX laid out by LibreOffice, to read it as a reader sees it."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, "document.docx")
        source.write_bytes(content)
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation={_PROFILE.as_uri()}",
             "--convert-to", "pdf", "--outdir", tmp, str(source)],
            check=True,
            capture_output=True,
            timeout=120,
        )  # fmt: skip
        return Path(tmp, "document.pdf").read_bytes()


# -- embedded content ------------------------------------------------------------------------


def is_package_qr(content: bytes, name: str, url: str) -> bool:
    """Whether the DOCX part `name` is a QR code that the package drew for `url` and nothing
    else: a PNG whose only decoded symbol is exactly `url` (zbarimg)."""
    if not name.startswith("word/media/") or not name.endswith(".png"):
        return False
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        image = archive.read(name)
    if not image.startswith(b"\x89PNG"):
        return False
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-"], input=image, capture_output=True, timeout=60
    )
    return result.returncode == 0 and result.stdout.decode().splitlines() == [url]


def embedded_files(content: bytes, fmt: str) -> list[str]:
    """What the file carries besides its own text and fonts: attachments, embedded or external
    objects. Empty for a file that fetched nothing."""
    if fmt == "pdf":
        reader = pypdf.PdfReader(io.BytesIO(content))
        found = [f"attachment {name}" for name in reader.attachments]
        for obj in all_objects(reader):
            if isinstance(obj, dict):
                kind = obj.get("/Type") or obj.get("/Subtype")
                if kind in ("/EmbeddedFile", "/Filespec", "/FileAttachment", "/Image"):
                    found.append(str(kind))
        return found
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            found = [
                n for n in archive.namelist() if n.startswith(("word/embeddings", "word/media"))
            ]
            for name in archive.namelist():
                if name.endswith(".rels"):
                    rels = etree.fromstring(archive.read(name))
                    found += [
                        rel.get("Target", "")
                        for rel in rels
                        if rel.get("TargetMode") == "External"
                        and not rel.get("Type", "").endswith("/hyperlink")
                    ]
        return found
    pytest.fail(f"no embedded-content reader for format {fmt!r}: add one to readback.py")


def raw_bytes(content: bytes, fmt: str) -> bytes:
    """Every byte the file holds once decompressed (streams of a PDF, members of a zip)."""
    if fmt == "pdf":
        reader = pypdf.PdfReader(io.BytesIO(content))
        parts = [content]
        for obj in all_objects(reader):
            if isinstance(obj, pypdf.generic.StreamObject):
                parts.append(obj.get_data())
        return b"\n".join(parts)
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    pytest.fail(f"no raw reader for format {fmt!r}: add one to readback.py")


def all_objects(reader: pypdf.PdfReader) -> list[object]:
    """Every indirect object of a PDF, those inside object streams included."""
    numbers = set(reader.xref_objStm)
    for generation in reader.xref.values():
        numbers.update(generation)
    objects = []
    for number in sorted(numbers):
        try:
            objects.append(reader.get_object(number))
        except Exception:  # a free or broken entry: not content
            continue
    return objects


# -- PDF metadata ----------------------------------------------------------------------------


def xmp(content: bytes) -> etree._Element:
    reader = pypdf.PdfReader(io.BytesIO(content))
    stream = reader.trailer["/Root"]["/Metadata"].get_object()
    return etree.fromstring(stream.get_data())


XMP_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
}


def xmp_value(root: etree._Element, name: str) -> str | None:
    """A property of the XMP packet, written as attribute or element (``pdfaid:part``)."""
    prefix, local = name.split(":")
    qualified = f"{{{XMP_NS[prefix]}}}{local}"
    for description in root.iter(f"{{{XMP_NS['rdf']}}}Description"):
        if qualified in description.attrib:
            return description.get(qualified)
        element = description.find(qualified)
        if element is not None:
            items = element.findall(".//rdf:li", XMP_NS)
            return items[0].text if items else element.text
    return None


def catalog(content: bytes) -> pypdf.generic.DictionaryObject:
    return pypdf.PdfReader(io.BytesIO(content)).trailer["/Root"]


def info(content: bytes) -> dict[str, str]:
    metadata = pypdf.PdfReader(io.BytesIO(content)).metadata or {}
    return {key: str(value) for key, value in metadata.items()}
