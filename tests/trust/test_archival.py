"""Archival and accessible PDF: printed documents are PDF/A-3u by default with full metadata;
pdf/ua-1 is tagged with a language and a structure tree; fillable forms refuse PDF/A."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from lxml import etree

from cnops_legaldocs import api, documents, model
from cnops_legaldocs.errors import RenderError
from cnops_legaldocs.renderers.pdf import VARIANTS

from . import readback
from .conftest import COMBINATIONS, Run

PDF = [c for c in COMBINATIONS if c[2] == "pdf"]
PRINTED = [c for c in PDF if c[0] not in documents.FILLABLE_KINDS]


@pytest.mark.parametrize("combo", PRINTED, ids="-".join)
def test_printed_documents_are_pdf_a_3u(combo: tuple[str, str, str], default_renders: dict) -> None:
    content = default_renders[combo]
    xmp = readback.xmp(content)
    assert readback.xmp_value(xmp, "pdfaid:part") == "3"
    assert readback.xmp_value(xmp, "pdfaid:conformance") == "U"
    root = readback.catalog(content)
    intents = [i.get_object() for i in root["/OutputIntents"]]
    assert [i["/S"] for i in intents] == ["/GTS_PDFA1"]
    assert "/DestOutputProfile" in intents[0]
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert "/ID" in reader.trailer and not reader.is_encrypted
    for obj in readback.all_objects(reader):
        if isinstance(obj, dict) and obj.get("/Type") == "/FontDescriptor":
            assert "/FontFile2" in obj or "/FontFile3" in obj or "/FontFile" in obj
        if (
            isinstance(obj, dict)
            and obj.get("/Type") == "/Font"
            and obj.get("/Subtype") == "/Type0"
        ):
            assert "/ToUnicode" in obj  # "u": every glyph maps back to text
        if isinstance(obj, dict) and obj.get("/Type") == "/Annot":
            assert obj["/F"] == 4  # printable
        assert not (isinstance(obj, dict) and obj.get("/S") == "/JavaScript")


@pytest.mark.parametrize("combo", PRINTED, ids="-".join)
def test_metadata_names_the_document(
    combo: tuple[str, str, str], default_renders: dict, default_data: model.LegalData
) -> None:
    kind, lang, _ = combo
    content = default_renders[combo]
    document = documents.build(default_data, kind, lang)
    info = readback.info(content)
    xmp = readback.xmp(content)
    expected = {
        "/Title": document.title,
        "/Author": document.author,
        "/Subject": document.subject,
        "/Keywords": ", ".join(document.keywords),
    }
    assert {key: info.get(key) for key in expected} == expected
    assert readback.xmp_value(xmp, "dc:title") == document.title
    assert readback.xmp_value(xmp, "dc:creator") == document.author
    assert readback.xmp_value(xmp, "dc:description") == document.subject
    assert readback.xmp_value(xmp, "pdf:Keywords") == ", ".join(document.keywords)
    assert readback.xmp_value(xmp, "dc:language") == lang
    assert readback.catalog(content)["/Lang"] == lang
    assert default_data.body.acronym in document.keywords
    # Metadata is plain text: no isolate or other control character.
    assert all(v.isprintable() for v in [*expected.values(), *document.keywords])


@pytest.mark.parametrize("combo", PDF, ids="-".join)
def test_pdf_ua_1_is_tagged(combo: tuple[str, str, str], default_data: model.LegalData) -> None:
    content = api.render(default_data, *combo, pdf_variant="pdf/ua-1")
    root = readback.catalog(content)
    assert root["/Lang"] == combo[1]
    assert "/StructTreeRoot" in root
    tree = root["/StructTreeRoot"].get_object()
    assert tree["/K"]  # the structure has content
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = readback.xmp(content)
    assert readback.xmp_value(xmp, "pdfuaid:part") == "1"
    assert readback.xmp_value(xmp, "dc:title")


def test_plain_pdf_on_request(default_data: model.LegalData) -> None:
    content = api.render(default_data, "notice", "fr", pdf_variant=api.PLAIN)
    root = readback.catalog(content)
    assert "/OutputIntents" not in root and "/Metadata" not in root
    assert readback.info(content)["/Title"]


FILLABLE = sorted(documents.FILLABLE_KINDS)


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.startswith("pdf/a-")])
@pytest.mark.parametrize("kind", FILLABLE)
def test_a_fillable_form_refuses_pdf_a(
    kind: str, variant: str, default_data: model.LegalData
) -> None:
    with pytest.raises(RenderError, match="a fillable form cannot be PDF/A"):
        api.render(default_data, kind, "fr", pdf_variant=variant)


@pytest.mark.parametrize("kind", FILLABLE)
def test_a_fillable_form_is_plain_pdf_by_default(kind: str) -> None:
    assert api.pdf_variant_for(kind, None) is None
    assert api.pdf_variant_for(kind, "pdf/ua-1") == "pdf/ua-1"


@pytest.mark.parametrize("kind", FILLABLE)
def test_the_cli_says_why_a_form_cannot_be_pdf_a(
    kind: str, tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    out = tmp_path / "form.pdf"
    run = run_cli("render", kind, "--lang", "ar", "--pdf-variant", "pdf/a-3u", "-o", str(out))
    assert run.code == 2
    assert "fillable form cannot be PDF/A" in run.err and "Traceback" not in run.err
    assert not out.exists()


# -- an independent validator ------------------------------------------------------------------

_JARS = [
    "preflight",
    "pdfbox2",
    "fontbox2",
    "xmpbox",
    "commons-logging",
    "javax.activation",
    "jaxb-api",
]
_CLASSPATH = ":".join(f"/usr/share/java/{jar}.jar" for jar in _JARS)
# Rules of PDF/A-1 that PDF/A-2 and 3 relaxed: cross-reference streams (1.4), a compressed
# metadata stream (1.2.7), the CIDSet of subset fonts (3.1.11).
_PDF_A1_ONLY = {"1.4", "1.2.7", "3.1.11"}
# The PDF/A-3u identification (part 3, conformance U), which a PDF/A-1 validator reports once it
# can read the XMP: the text layer's rewrite (renderers/textlayer.py, qpdf) leaves /Metadata
# uncompressed, as PDF/A-1 wants, where WeasyPrint compressed it (1.2.7).
_PDF_A1_ONLY |= {"7.11.1", "7.11.2"}


@pytest.fixture(scope="session")
def preflight(
    default_data: model.LegalData, default_renders: dict, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[bool, set[str]]]:
    """PDFBox Preflight (Debian libpdfbox2-java), which validates PDF/A-1b, run once over every
    printed document as PDF/A-1b and as rendered by default (PDF/A-3u): for each file name
    ``KIND-LANG-a1b.pdf`` and ``KIND-LANG-a3u.pdf``, whether it is valid and its error codes."""
    if shutil.which("java") is None or not all(
        Path(f"/usr/share/java/{jar}.jar").exists() for jar in _JARS
    ):
        pytest.skip("PDFBox Preflight is not installed (scripts/setup-system installs it)")
    folder = tmp_path_factory.mktemp("preflight")
    paths = []
    for combo in PRINTED:
        name = "-".join(combo[:2])
        strict = api.render(default_data, *combo, pdf_variant="pdf/a-1b")
        for variant, content in (("a1b", strict), ("a3u", default_renders[combo])):
            paths.append(folder / f"{name}-{variant}.pdf")
            paths[-1].write_bytes(content)
    listing = folder / "files.txt"
    listing.write_text("".join(f"{path}\n" for path in paths))
    validator = ["java", "-cp", _CLASSPATH, "org.apache.pdfbox.preflight.Validator_A1b"]
    result = subprocess.run(
        [*validator, "xml", "group", str(listing)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert "Exception" not in output, output
    report = etree.parse(str(folder / "files.txt.preflight.xml")).getroot()
    found = {
        element.get("name"): (
            element.findtext("isValid") == "true",
            {code.text for code in element.iter("code")},
        )
        for element in report.iter("preflight")
    }
    assert sorted(found) == sorted(path.name for path in paths)
    return found


@pytest.mark.parametrize("combo", PRINTED, ids="-".join)
def test_preflight_validates_pdf_a(
    combo: tuple[str, str, str], preflight: dict[str, tuple[bool, set[str]]]
) -> None:
    """The same document as PDF/A-1b passes Preflight; the default PDF/A-3u fails only rules
    that part 3 no longer has."""
    name = "-".join(combo[:2])
    valid, errors = preflight[f"{name}-a1b.pdf"]
    assert valid, errors
    _, errors = preflight[f"{name}-a3u.pdf"]
    assert errors <= _PDF_A1_ONLY
