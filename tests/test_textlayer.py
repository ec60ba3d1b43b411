"""The PDF text layer (issue 13): what poppler, PDFium and pdf.js extract from the Arabic and
bilingual documents is the text that was written, and the pages draw the same."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable

import lxml.html
import pikepdf
import pypdfium2
import pytest

import cnops_legaldocs
import textread
from cnops_legaldocs import documents
from cnops_legaldocs.model import LegalData
from cnops_legaldocs.renderers import textlayer

KINDS = ("notice", "register", "poster", "rights-request", "marketing-consent")
LANGS = ("ar", "fr+ar")


def _source_words(data: LegalData, kind: str, lang: str) -> list[str]:
    html = documents.build(data, kind, lang).html()
    return textread.arabic_words(" ".join(lxml.html.fromstring(html).itertext()))


@pytest.fixture(scope="session")
def unfixed(data: LegalData) -> Callable[[str, str], bytes]:
    """The document as WeasyPrint alone writes it: no spans, no rewriting."""
    cache: dict[tuple[str, str], bytes] = {}

    def render(kind: str, lang: str) -> bytes:
        if (kind, lang) not in cache:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(textlayer.Stream, "show_text", textlayer._ORIGINAL_SHOW_TEXT)
                patch.setattr(textlayer, "exact", lambda pdf: pdf)
                cache[kind, lang] = cnops_legaldocs.render(data, kind, lang, "pdf")
        return cache[kind, lang]

    return render


@pytest.mark.parametrize("engine", ["poppler", "pdfium"])
def test_the_fix_raises_the_share_of_source_words(
    engine: str, data: LegalData, rendered: Callable[..., bytes], unfixed: Callable[..., bytes]
) -> None:
    """Removing the fix (WeasyPrint's own text layer) makes the share of extracted Arabic
    words that are words of the source fall, and brings back the doubled lam."""
    source = _source_words(data, "notice", "ar")
    fixed = textread.extract({"x": rendered("notice", "ar")}, engine)["x"]
    plain = textread.extract({"x": unfixed("notice", "ar")}, engine)["x"]
    share_fixed, _ = textread.share(fixed, source)
    share_plain, _ = textread.share(plain, source)
    assert share_fixed > share_plain
    doubled = "الإللكتروني"
    assert doubled in textread.normalise(plain)
    assert doubled not in textread.normalise(fixed)


@pytest.mark.parametrize("kind", KINDS)
def test_no_invisible_format_character_reaches_extracted_text(
    kind: str, rendered: Callable[..., bytes]
) -> None:
    pdfs = {lang: rendered(kind, lang) for lang in LANGS}
    for engine in ("poppler", "pdfium"):
        for lang, text in textread.extract(pdfs, engine).items():
            assert not textread.INVISIBLE.search(text), (engine, kind, lang)


def _bitmaps(pdf: bytes) -> list[bytes]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [bytes(page.render(scale=100 / 72).to_pil().tobytes()) for page in document]
    finally:
        document.close()


@pytest.mark.parametrize(("kind", "lang"), [("notice", "ar"), ("rights-request", "fr+ar")])
def test_pages_draw_the_same_at_100_dpi(
    kind: str, lang: str, rendered: Callable[..., bytes], unfixed: Callable[..., bytes]
) -> None:
    assert _bitmaps(rendered(kind, lang)) == _bitmaps(unfixed(kind, lang))


def test_rewriting_is_deterministic(unfixed: Callable[..., bytes]) -> None:
    pdf = unfixed("poster", "ar")
    assert textlayer.exact(pdf) == textlayer.exact(pdf)


@pytest.mark.skipif(not textread.pdfjs_available(), reason="npm ci in tests/pdfjs first")
def test_pdfjs_reads_the_arabic_notice(rendered: Callable[..., bytes], data: LegalData) -> None:
    """pdf.js (Firefox) reads the notice; its share is recorded, not yet at the target."""
    text = textread.extract({"x": rendered("notice", "ar")}, "pdfjs")["x"]
    share, _ = textread.share(text, _source_words(data, "notice", "ar"))
    assert "الإللكتروني" not in textread.normalise(text)
    assert share > 0.9


def test_arabic_cells_of_the_bilingual_edition_carry_their_language(data: LegalData) -> None:
    """In the tagged bilingual notice, the Arabic cells' structure elements say /Lang (ar)
    (the document's is fr); French cells inherit French."""
    pdf = pikepdf.open(
        io.BytesIO(cnops_legaldocs.render(data, "notice", "fr+ar", "pdf", pdf_variant="pdf/ua-1"))
    )
    assert str(pdf.Root.Lang) == "fr"
    marked: list[str] = []

    def walk(node: pikepdf.Object) -> None:
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                if str(kid.get("/Lang", "")) == "ar":
                    marked.append(str(kid.S))
                else:
                    walk(kid)

    walk(pdf.Root.StructTreeRoot)
    assert len(marked) >= 40  # every Arabic cell, heading and table cell of the notice
    assert {"/TD", "/TH"} <= set(marked)


PHRASES = (
    "الإشعار القانوني",
    "الملكية الفكرية",
    "الموقع الإلكتروني",
    "جميع المحتويات الواردة في هذا الموقع",
    "المعطيات ذات الطابع الشخصي",
    "الصندوق الوطني لمنظمات الاحتياط الاجتماعي",
    "اللجنة الوطنية لمراقبة حماية المعطيات ذات الطابع الشخصي",
    "المسؤول عن المعالجة",
    "طبيعة المعلومات الواردة",
    "محتوى التطبيق قابل للتعديل دون إشعار مسبق",
    "الخدمات الإلكترونية",
    "الاستمارات الورقية",
    "بطريقة نزيهة ومشروعة",
    "لغايات مشروعة ومحددة",
    "وبشكل متناسب مع هذه الغايات",
    "ساري المفعول",
    "حقوق المؤلف",
    "معطياته أو أي عنصر آخر من مكوناته",
    "القرارات التي قد تتخذ",
    "البريد الإلكتروني",
)


def _flat(text: str) -> str:
    """As a search box compares: normalised, vowel marks dropped, spaces collapsed."""
    text = "".join(c for c in textread.normalise(text) if unicodedata.category(c) != "Mn").replace(
        "\u200d", ""
    )
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("engine", ["poppler", "pdfium"])
def test_twenty_phrases_are_found(
    engine: str, data: LegalData, rendered: Callable[..., bytes]
) -> None:
    source = _flat(
        " ".join(lxml.html.fromstring(documents.build(data, "notice", "ar").html()).itertext())
    )
    text = _flat(textread.extract({"x": rendered("notice", "ar")}, engine)["x"])
    assert all(_flat(p) in source for p in PHRASES)
    missing = [p for p in PHRASES if _flat(p) not in text]
    assert not missing, missing
