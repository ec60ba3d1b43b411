"""A PDF's text as three readers extract it (poppler, PDFium, pdf.js), and how much of its
Arabic is the source's: the measure of issue 13."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import pypdfium2

PDFJS = Path(__file__).parent / "pdfjs"
ENGINES = ("poppler", "pdfium", "pdfjs")

# Marks readers add around right-to-left lines (poppler), not from the file.
_READER_MARKS = str.maketrans(dict.fromkeys([0x202A, 0x202B, 0x202C]))
_ARABIC_WORD = re.compile(r"[\u0621-\u064a\u064b-\u0652\u0670\u0671-\u06d3\u0640]+")
INVISIBLE = re.compile("[\u2066-\u2069\u200e\u200f\u2060]")


def pdfjs_available() -> bool:
    return shutil.which("node") is not None and (PDFJS / "node_modules" / "pdfjs-dist").is_dir()


def extract(pdfs: dict[str, bytes], engine: str) -> dict[str, str]:
    """Each PDF's text (pages joined by form feeds) as `engine` extracts it."""
    if engine == "pdfium":
        return {name: _pdfium(data) for name, data in pdfs.items()}
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for name, data in pdfs.items():
            paths[name] = Path(folder) / f"{len(paths)}.pdf"
            paths[name].write_bytes(data)
        if engine == "poppler":
            return {
                name: subprocess.run(
                    ["pdftotext", "-enc", "UTF-8", str(path), "-"],
                    check=True,
                    capture_output=True,
                ).stdout.decode()
                for name, path in paths.items()
            }
        run = subprocess.run(
            ["node", str(PDFJS / "text.mjs"), *map(str, paths.values())],
            check=True,
            capture_output=True,
            text=True,
        )
        by_path = {}
        for line in run.stdout.splitlines():
            item = json.loads(line)
            by_path[item["file"]] = "\f".join(item["pages"])
        return {name: by_path[str(path)] for name, path in paths.items()}


def _pdfium(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    try:
        pages = []
        for page in document:
            text = page.get_textpage()
            pages.append(text.get_text_range())
            text.close()
            page.close()
        return "\f".join(pages)
    finally:
        document.close()


def normalise(text: str) -> str:
    """NFKC (presentation forms back to letters), without the readers' own bidi marks, and
    with the tatweel a justified line may add removed."""
    return unicodedata.normalize("NFKC", text).translate(_READER_MARKS)


def arabic_words(text: str) -> list[str]:
    return _ARABIC_WORD.findall(normalise(text))


def share(extracted: str, source: Iterable[str]) -> tuple[float, list[str]]:
    """The share of the extracted Arabic words that are words of the source, and the others."""
    known = set(source)
    words = arabic_words(extracted)
    wrong = [w for w in words if w not in known]
    return (1 - len(wrong) / len(words)) if words else 1.0, wrong
