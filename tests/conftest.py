"""Shared fixtures: the embedded data and each document rendered once per test session; every
DOCX, blank and pre-filled, printed by LibreOffice in one call."""

from __future__ import annotations

import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import cnops_legaldocs
import registers
from cnops_legaldocs import api, documents
from cnops_legaldocs.model import LegalData
from cnops_legaldocs.person import Person
from docxread import BRANCHED, CASES, PERSON, PREFILLED, Case, Docx


@pytest.fixture(scope="session")
def data() -> LegalData:
    return cnops_legaldocs.load()


@pytest.fixture(scope="session")
def rendered(data: LegalData) -> Callable[..., bytes]:
    """rendered(kind, lang, fmt="pdf", paper=None): the document's bytes, rendered once per
    session."""

    @cache
    def render(kind: str, lang: str, fmt: str = "pdf", paper: str | None = None) -> bytes:
        return cnops_legaldocs.render(data, kind, lang, fmt, paper=paper)

    return render


@pytest.fixture
def reuse_renders(
    monkeypatch: pytest.MonkeyPatch, data: LegalData, rendered: Callable[..., bytes]
) -> None:
    """Have `api.render` (as the command line calls it) return the session's render of the
    embedded notice rather than render it again, for tests of what surrounds rendering
    (writing, naming, failures); other data or options are rendered as usual."""
    real = api.render

    def render(source: LegalData, kind: str, lang: str, fmt: str = "pdf", **options: Any) -> bytes:
        paper = options.pop("paper", None)
        if source == data and all(value is None for value in options.values()):
            return rendered(kind, lang, fmt, paper)
        return real(source, kind, lang, fmt, paper=paper, **options)

    monkeypatch.setattr(api, "render", render)


@pytest.fixture(scope="session")
def big_register(data: LegalData) -> Callable[[str], bytes]:
    """big_register(lang): the register of `registers.ROWS` operations, rendered once per
    session for every test of long tables."""
    big = registers.big_register(data)

    @cache
    def render(lang: str) -> bytes:
        return cnops_legaldocs.render(big, "register", lang)

    return render


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _render(data: LegalData, case: Case, fmt: str) -> bytes:
    person = PERSON if case[2:] == ("prefilled",) else None
    branch = cnops_legaldocs.load_branches(EXAMPLES / "branches.yaml")[0]
    branch = branch if case[2:] == ("branch",) else None
    return cnops_legaldocs.render(data, case[0], case[1], fmt, person=person, branch=branch)


@pytest.fixture(scope="session")
def docx_files(data: LegalData) -> dict[Case, bytes]:
    """Every DOCX: blank (`CASES`), pre-filled (`PREFILLED`), with a branch (`BRANCHED`)."""
    return {case: _render(data, case, "docx") for case in [*CASES, *PREFILLED, *BRANCHED]}


@pytest.fixture(scope="session")
def opened(docx_files: dict[Case, bytes]) -> dict[Case, Docx]:
    return {case: Docx(content) for case, content in docx_files.items()}


@pytest.fixture(scope="session")
def weasy_pdfs(data: LegalData, tmp_path_factory: pytest.TempPathFactory) -> dict[Case, Path]:
    """The PDF of every case there is a DOCX of, as WeasyPrint makes it."""
    out = tmp_path_factory.mktemp("weasyprint")
    paths = {}
    for case in [*CASES, *PREFILLED, *BRANCHED]:
        paths[case] = out / f"{'-'.join(case)}.pdf"
        paths[case].write_bytes(_render(data, case, "pdf"))
    return paths


@pytest.fixture(scope="session")
def converted(docx_files: dict[Case, bytes], tmp_path_factory: pytest.TempPathFactory
              ) -> dict[Case, Path]:  # fmt: skip
    """Every DOCX printed to PDF by LibreOffice (a private profile, so that parallel runs do
    not clash), on a machine where the document fonts are not installed: what the PDF shows
    comes from the DOCX alone. One call per file: a LibreOffice session keeps the first
    document's embedded subset of a family for the documents opened after it (README, DOCX
    output), so each file is printed as it prints when opened on its own."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: run scripts/setup-system")
    work = tmp_path_factory.mktemp("libreoffice")
    sources = {}
    for case, content in docx_files.items():
        sources[case] = work / f"{'-'.join(case)}.docx"
        sources[case].write_bytes(content)
    profile = (work / "profile").as_uri()
    for source in sources.values():
        subprocess.run(
            [soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf",
             "--outdir", str(work), str(source)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    return {case: path.with_suffix(".pdf") for case, path in sources.items()}


@pytest.fixture(scope="session")
def trees(data: LegalData) -> dict[Case, documents.Document]:
    """The content tree of every case there is a DOCX of."""
    person = Person.from_mapping(PERSON)
    trees = {case: documents.build(data, *case) for case in CASES}
    trees |= {case: documents.build(data, *case[:2], person=person) for case in PREFILLED}
    branch = cnops_legaldocs.load_branches(EXAMPLES / "branches.yaml")[0]
    trees |= {case: documents.build(data, *case[:2], branch=branch) for case in BRANCHED}
    return trees


@pytest.fixture
def terminal_sigint() -> Iterator[None]:
    """SIGINT raising KeyboardInterrupt, as in a terminal, even when the tests run as a
    background job (a shell without job control starts those ignoring SIGINT); put back
    afterwards."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)
