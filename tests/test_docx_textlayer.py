"""The DOCX as text (issue 13): what python-docx, pandoc and LibreOffice's PDF of it give back
of the Arabic register, where CNDP references, phone numbers and e-mails sit in Arabic text.

Measured, not met: the DOCX writer keeps references and numbers in order and on one line with
bidi isolates (U+2066…2069), word joiners (U+2060) and narrow no-break spaces (U+202F); the
three readers give them back (LibreOffice's PDF too), and a reference or a phone number typed on
a keyboard is not found in the XML's text (`MISSED`). The e-mail is. The failing expectations
are marked `xfail(strict=True)`: they fail the run the day they pass, so that the mark goes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document as open_docx

import cnops_legaldocs
from cnops_legaldocs.model import LegalData

INVISIBLE = re.compile("[\u2066-\u2069\u200e\u200f\u2060]")
"""The format characters the issue names: they must not reach extracted text."""
TYPED = {
    "reference": "A-GA-104/2016",
    "phone": "05 38 00 20 20",
    "e-mail": "dic@cnops.org.ma",
}
"""As a person types them in a search box."""
READERS = ("python-docx", "pandoc", "libreoffice-pdf")
LANGS = ("ar", "fr+ar")


def _python_docx(path: Path) -> str:
    document = open_docx(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="session")
def docx_texts(data: LegalData, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """(reader, language): the text of the register's DOCX as each reader gives it."""
    for tool in ("pandoc", "soffice", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed: run scripts/setup-system")
    work = tmp_path_factory.mktemp("docx-text")
    texts = {}
    for lang in LANGS:
        path = work / f"register-{lang.replace('+', '-')}.docx"
        path.write_bytes(cnops_legaldocs.render(data, "register", lang, "docx"))
        texts["python-docx", lang] = _python_docx(path)
        texts["pandoc", lang] = subprocess.run(
            ["pandoc", "--from", "docx", "--to", "plain", "--wrap", "none", "--columns",
             "100000", str(path)],  # the register's wide tables whole, not cut
            check=True, capture_output=True, text=True, timeout=120,
        ).stdout  # fmt: skip
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation={(work / 'profile').as_uri()}",
             "--convert-to", "pdf", "--outdir", str(work), str(path)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        texts["libreoffice-pdf", lang] = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path.with_suffix(".pdf")), "-"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    return texts


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("reader", READERS)
def test_the_arabic_register_reads_back(
    reader: str, lang: str, docx_texts: dict[tuple[str, str], str]
) -> None:
    """Each reader gets the register's Arabic and its e-mails (the check that the texts
    below are the register's)."""
    text = docx_texts[reader, lang]
    assert "سجل معالجات المعطيات ذات الطابع الشخصي" in re.sub(r"\s+", " ", text)
    assert TYPED["e-mail"] in text


@pytest.mark.xfail(
    strict=True, reason="the DOCX writer isolates tokens with U+2066…2069 and joins with U+2060"
)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("reader", READERS)
def test_no_invisible_format_character(
    reader: str, lang: str, docx_texts: dict[tuple[str, str], str]
) -> None:
    assert not INVISIBLE.search(docx_texts[reader, lang])


MISSED = {
    ("python-docx", "ar", "reference"),
    ("python-docx", "ar", "phone"),
    ("python-docx", "fr+ar", "phone"),
    ("pandoc", "ar", "reference"),
    ("pandoc", "ar", "phone"),
    ("pandoc", "fr+ar", "reference"),
    ("pandoc", "fr+ar", "phone"),
}
"""Measured: a typed reference (word joiners after its hyphens, in Arabic cells) or phone
number (narrow no-break spaces) is not found in the DOCX's XML text, which python-docx and
pandoc give back. LibreOffice's PDF of it gives both, and the bilingual register prints its
references in the shared middle column, without word joiners, where python-docx finds them."""


@pytest.mark.parametrize(
    ("reader", "lang", "what"),
    [
        pytest.param(
            *case,
            marks=[pytest.mark.xfail(strict=True, reason="MISSED")] if case in MISSED else [],
        )
        for case in [
            (r, lang, w) for r in READERS for lang in LANGS for w in ("reference", "phone")
        ]
    ],
)
def test_a_typed_reference_or_phone_is_found(
    reader: str, lang: str, what: str, docx_texts: dict[tuple[str, str], str]
) -> None:
    assert TYPED[what] in docx_texts[reader, lang]
