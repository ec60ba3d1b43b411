"""The information clause, read back in every format: for each of the 15 operations and each
language, it names the operation's reference, its regime worded right, its purpose and the
right contact (the operation's own service, or the general channels)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from functools import cache

import docx
import lxml.html
import pytest
from markdown_it import MarkdownIt

import cnops_legaldocs
import docxread
from cnops_legaldocs import bidi, catalogs, clauses, documents
from cnops_legaldocs.cli import main
from cnops_legaldocs.errors import RenderError
from cnops_legaldocs.model import LegalData, Operation, Regime
from pdfread import lines, logical_words

DATA = cnops_legaldocs.load()
REFS = [str(op.reference) for op in DATA.operations]
LANGS = ("fr", "ar", "fr+ar")
TEXT_FORMATS = ("txt", "html", "md")

# The regime as the clause words it, and what it must never say instead (from the catalogs).
REGIME_WORDS = {
    "fr": {Regime.AUTHORISATION: "autorisé par la CNDP", Regime.DECLARATION: "déclaré à la CNDP"},
    "ar": {Regime.AUTHORISATION: "مأذون بها", Regime.DECLARATION: "مصرح بها"},
}


def sides(lang: str) -> tuple[str, ...]:
    return ("fr", "ar") if lang == "fr+ar" else (lang,)


def operation(ref: str) -> Operation:
    return next(op for op in DATA.operations if str(op.reference) == ref)


def expected(op: Operation, lang: str) -> dict[str, list[str]]:
    """What the clause must say in one language: phrases from the catalogs and the data."""
    gettext = catalogs.translations(lang).gettext
    if op.contact is not None:
        contact = [op.contact.email, gettext(op.contact.title), gettext(op.contact.address)]
    else:
        contact = [DATA.channels.call_centre, DATA.channels.portal]
    other = next(r for r in Regime if r is not op.regime)
    return {
        "ltr": [str(op.reference), *([op.contact.email] if op.contact else contact)],
        "words": [gettext(op.title), REGIME_WORDS[lang][op.regime], *contact],
        "never": [REGIME_WORDS[lang][other]],
    }


def plain(text: str) -> str:
    """Text as read: NFC, no bidi controls or word joiners, single (no-break) spaces."""
    text = bidi.strip_controls(unicodedata.normalize("NFC", text)).replace("\u2060", "")
    return " ".join(text.replace("\u00a0", " ").split())


def assert_says(text: str, op: Operation, lang: str) -> None:
    text = plain(text).replace("\u00a0", " ")
    for side in sides(lang):
        want = expected(op, side)
        for phrase in want["words"]:
            assert plain(phrase) in text, (side, phrase)
        for phrase in want["never"]:
            assert phrase not in text, (side, phrase)


@cache
def made(ref: str, lang: str, fmt: str, length: str = "short") -> bytes:
    return cnops_legaldocs.clause(DATA, ref, lang, fmt, length=length)


# --------------------------------------------------------------------------------------------
# Text, HTML, Markdown


@pytest.mark.parametrize("length", clauses.LENGTHS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("ref", REFS)
def test_text_names_reference_regime_purpose_and_contact(ref, lang, length):
    text = made(ref, lang, "txt", length).decode("utf-8")
    assert_says(text, operation(ref), lang)
    assert not text.startswith("\ufeff")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("ref", REFS)
def test_html_fragment_says_it_in_sections_with_lang_and_dir(ref, lang):
    html = made(ref, lang, "html").decode("utf-8")
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    sections = root.findall("section")
    assert [(s.get("lang"), s.get("dir")) for s in sections] == [
        (side, documents.DIRECTIONS[side]) for side in sides(lang)
    ]
    for section in sections:
        assert_says(section.text_content(), operation(ref), section.get("lang"))
    # Arabic: every Latin or numeric token is in its own left-to-right span and isolate.
    for section in (s for s in sections if s.get("lang") == "ar"):
        ltr = {plain(s.text_content()) for s in section.iter("span") if s.get("dir") == "ltr"}
        for token in expected(operation(ref), "ar")["ltr"]:
            assert token in ltr, token


def test_html_keeps_references_and_numbers_on_one_line():
    html = made("D-W-361/2017", "fr", "html").decode()
    assert "D-\u2060W-\u2060361/\u20602017" in html and "05\u00a038\u00a000\u00a020\u00a020" in html


@pytest.mark.parametrize("lang", LANGS)
def test_html_is_safe_to_include(lang):
    for ref in REFS:
        for length in clauses.LENGTHS:
            root = lxml.html.fragment_fromstring(
                made(ref, lang, "html", length), create_parent="div"
            )
            for el in root.iter():
                assert el.tag in {"div", "section", "h2", "h3", "p", "a", "span", "strong"}
                for name, value in el.attrib.items():
                    assert name in ("lang", "dir", "href"), name
                    if name == "href":
                        assert value.startswith(("https://", "mailto:")), value


def test_html_escapes_markup_in_the_data():
    hostile = DATA.operations[0].title.replace("Gestion", "<script>alert(1)</script> <b onclick=x>")
    ops = (type(DATA.operations[0])(hostile, DATA.operations[0].reference, None),)
    data = type(DATA)(**{**DATA.__dict__, "operations": ops})
    html = cnops_legaldocs.clause(data, REFS[0], "fr", "html").decode()
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    assert not root.findall(".//script") and not root.findall(".//b")
    assert "<script>alert(1)</script>" in root.text_content()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("ref", REFS)
def test_markdown_reads_back_as_the_clause(ref, lang):
    source = made(ref, lang, "md", "full").decode("utf-8")
    html = MarkdownIt("commonmark").render(source)
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    assert_says(root.text_content(), operation(ref), lang)
    # headings are headings, links are links, and the Arabic sits in a right-to-left block
    assert root.findall(".//h2") and root.findall(".//h3")
    hrefs = {a.get("href") for a in root.iter("a")}
    assert "https://www.cndp.ma" in hrefs
    rtl = [d for d in root.iter("div") if d.get("dir") == "rtl"]
    assert len(rtl) == (1 if "ar" in sides(lang) else 0)
    if rtl:
        assert rtl[0].get("lang") == "ar" and rtl[0].findall(".//p")


def test_markdown_escapes_what_would_be_markup():
    title = "Gestion *des* [liens](http://x) _soulignés_ # et <b>"
    ops = (type(DATA.operations[0])(title, DATA.operations[0].reference, None),)
    data = type(DATA)(**{**DATA.__dict__, "operations": ops})
    source = cnops_legaldocs.clause(data, REFS[0], "fr", "md").decode()
    root = lxml.html.fragment_fromstring(MarkdownIt("commonmark").render(source), "div")
    assert title in root.text_content()
    assert not root.findall(".//em") and not root.findall(".//b")


@pytest.mark.parametrize("lang", ("fr", "ar"))
def test_short_clause_sits_under_a_form(lang):
    for ref in REFS:
        text = made(ref, lang, "txt").decode()
        assert clauses.text_length(text) <= clauses.SHORT_LIMIT, ref
        assert "\n" not in text.strip()  # one paragraph
        full = made(ref, lang, "txt", "full").decode()
        assert clauses.text_length(full) > clauses.SHORT_LIMIT


def test_a_short_clause_longer_than_the_limit_is_refused():
    op = DATA.operations[0]
    ops = (type(op)("Gestion " * 30, op.reference, op.contact),)
    data = type(DATA)(**{**DATA.__dict__, "operations": ops})
    with pytest.raises(RenderError, match="more than 700"):
        cnops_legaldocs.clause(data, REFS[0], "fr")
    assert cnops_legaldocs.clause(data, REFS[0], "fr", length="full")


def test_arabic_text_isolates_latin_and_numeric_tokens():
    text = made("D-W-361/2017", "ar", "txt").decode()
    for token in ("D-W-361/2017", "05 38 00 20 20", "09.08", "https://www.cnops.org.ma"):
        assert f"{bidi.LRI}{token}{bidi.PDI}" in text
    assert "09-08" not in text  # Arabic writes the law's number 09.08


def test_operations_without_contact_fall_back_to_the_general_channels():
    for ref in ("D-W-361/2017", "D-VS-157/2016"):
        text = plain(made(ref, "fr", "txt").decode())
        assert "centre d’appel 05 38 00 20 20" in text.replace("\u00a0", " ")
        assert "@cnops.org.ma" not in text
    assert "dic@cnops.org.ma" in made("A-GA-104/2016", "fr", "txt").decode()


# --------------------------------------------------------------------------------------------
# Operation lookup


@pytest.mark.parametrize("key", ["A-GA-104/2016", "a-ga-104-2016", " a-ga-104/2016 "])
def test_operation_by_reference_or_id(key):
    assert clauses.find_operation(DATA, key).reference == DATA.operations[0].reference


def test_unknown_operation_names_the_close_matches():
    with pytest.raises(clauses.UnknownOperation) as caught:
        clauses.find_operation(DATA, "A-GA-104/2015")
    assert "A-GA-104/2016" in caught.value.matches
    assert "A-GA-104/2016" in str(caught.value)


def test_cli_unknown_operation_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "c.txt"
    args = ["render", "clause", "--operation", "A-GA-140/2016", "--lang", "fr", "-o", str(out)]
    assert main(args) == 2
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert "A-GA-104/2016" in capsys.readouterr().err


def test_cli_writes_the_clause(tmp_path):
    out = tmp_path / "c.html"
    argv = ["render", "clause", "--operation", "a-cg-107-2016", "--lang", "ar", "--format",
            "html", "--length", "full", "-o", str(out)]  # fmt: skip
    assert main(argv) == 0
    assert out.read_bytes() == made("A-CG-107/2016", "ar", "html", "full")


# --------------------------------------------------------------------------------------------
# PDF (A5) and DOCX


def ar_key(text: str) -> str:
    """Arabic letters as a key that survives glyph order: without marks, lam and alef (a
    lam-alef ligature reads back as lam, alef in either order)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        ch for ch in text if unicodedata.category(ch) != "Mn" and ch not in "لاأإآ\u0640"
    )


def fr_key(text: str) -> str:
    """French text without spaces and hyphens (justified lines are hyphenated)."""
    return re.sub(r"[\s\-\u00ad\u00a0\u2010]+", "", plain(text))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("ref", REFS)
def test_pdf_is_one_a5_page_that_says_it(ref, lang):
    pdf = made(ref, lang, "pdf")
    read = lines(pdf)
    assert {ln.page for ln in read} == {1}
    assert round(read[0].page_width) == 420  # A5: 148 mm
    visual = "\n".join(ln.visual for ln in read)
    op = operation(ref)
    assert str(op.reference) in visual  # never broken across lines
    if "fr" in sides(lang):
        logical = fr_key(logical_words(pdf))
        for phrase in expected(op, "fr")["words"]:
            assert fr_key(phrase) in logical, phrase
        assert fr_key(expected(op, "fr")["never"][0]) not in logical
    if "ar" in sides(lang):
        want = expected(op, "ar")
        for token in want["ltr"]:  # the LTR tokens print in their own order
            assert token in visual, token
        keyed = ar_key(visual)
        for phrase in want["words"]:
            for word in bidi.strip_controls(phrase).split():
                if bidi.has_rtl(word):
                    assert ar_key(word)[::-1] in keyed, word
        own = REGIME_WORDS["ar"][op.regime].split()
        for word in set(want["never"][0].split()) - set(own):
            assert ar_key(word)[::-1] not in keyed


def test_pdf_only_the_package_fonts():
    out = subprocess.run(
        ["pdffonts", "-"], input=made(REFS[0], "fr+ar", "pdf"), capture_output=True, check=True
    ).stdout.decode()
    fonts = {line.split()[0].split("+")[-1] for line in out.splitlines()[2:]}
    assert fonts == {"Amiri", "Noto-Serif"}, fonts


def docx_paragraphs(content: bytes) -> list[tuple[str, bool, str]]:
    """(style, bidi, text) of each paragraph."""
    document = docx.Document(io.BytesIO(content))
    out = []
    for p in document.paragraphs:
        ppr = p._p.pPr
        rtl = ppr is not None and ppr.find(docx.oxml.ns.qn("w:bidi")) is not None
        out.append((p.style.name, rtl, plain(docxread.plain(p.text))))
    return out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("ref", REFS)
def test_docx_paragraphs_say_it_styled_and_in_their_direction(ref, lang):
    paragraphs = docx_paragraphs(made(ref, lang, "docx"))
    op = operation(ref)
    for side in sides(lang):
        mine = [(style, text) for style, rtl, text in paragraphs if rtl == (side == "ar")]
        assert mine, side
        for style, _text in mine:
            assert style == "Body Text" + (" Arabic" if side == "ar" else "")
        assert_says(" ".join(text for _, text in mine), op, side)


def test_docx_full_clause_has_headings():
    styles = [style for style, _, _ in docx_paragraphs(made(REFS[-1], "ar", "docx", "full"))]
    assert styles[0] == "Heading 1 Arabic" and styles.count("Heading 2 Arabic") == 5


def test_without_isolation_the_arabic_pdf_reverses_the_phone_number(monkeypatch):
    """The protection is what makes the Arabic PDF tests pass: remove it and the number flips."""
    monkeypatch.setattr(documents, "_isolate_ltr_tokens", lambda elem, rtl: None)
    pdf = cnops_legaldocs.clause(DATA, "D-W-361/2017", "ar", "pdf")
    visual = "\n".join(ln.visual for ln in lines(pdf))
    assert "20 20 00 38 05" in visual and "05 38 00 20 20" not in visual


def test_same_input_same_bytes():
    again: Callable[[str], bytes] = lambda fmt: cnops_legaldocs.clause(DATA, REFS[3], "ar", fmt)  # noqa: E731
    assert again("pdf") == made(REFS[3], "ar", "pdf")
    assert again("docx") == made(REFS[3], "ar", "docx")


def test_data_fixture_is_the_embedded_notice(data: LegalData):
    assert data == DATA


@pytest.mark.parametrize(
    "argv",
    [
        ["render", "clause", "--lang", "fr"],  # no --operation
        ["render", "notice", "--lang", "fr", "--format", "txt"],  # a text format: clauses only
        ["render", "notice", "--lang", "fr", "--operation", "A-GA-104/2016"],
        ["render", "clause", "--operation", "A-GA-104/2016", "--lang", "fr", "--paper", "A4"],
    ],
)
def test_cli_refuses_options_that_do_not_apply(tmp_path, argv):
    out = tmp_path / "out.bin"
    assert main([*argv, "-o", str(out)]) == 2
    assert not out.exists()


def test_libreoffice_prints_the_docx_with_its_embedded_fonts(tmp_path):
    """Pasted into a Word form or opened in LibreOffice, the clause reads the same: printed by
    LibreOffice (the fonts are not installed on this machine: they come from the DOCX)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: run scripts/setup-system")
    source = tmp_path / "clause.docx"
    source.write_bytes(made("D-VS-157/2016", "fr+ar", "docx", "full"))
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pdf = (tmp_path / "clause.pdf").read_bytes()
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
    names = {line.split()[0].split("+")[-1] for line in fonts.stdout.decode().splitlines()[2:]}
    assert {n.split("-")[0] for n in names} == {"Amiri", "NotoSerif"}, names
    rows = glyph_rows(pdf)
    for token in ("D-VS-157/2016", "05 38 00 20 20", "https://www.cndp.ma"):
        # in the French and in the Arabic clause, in the order of the source
        assert rows.count(token.replace(" ", "")) >= 2, token
    assert fr_key("Traitement déclaré à la CNDP") in fr_key(logical_words(pdf))


def glyph_rows(pdf: bytes) -> str:
    """The glyphs of each printed line left to right, without spaces (pdfminer's own grouping
    of lines splits LibreOffice's Arabic lines around their Latin runs)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar

    def chars(container):  # type: ignore[no-untyped-def]
        for item in container:
            if isinstance(item, LTChar):
                yield item
            elif hasattr(item, "__iter__"):
                yield from chars(item)

    rows: list[str] = []
    for page in extract_pages(io.BytesIO(pdf)):
        glyphs = sorted(chars(page), key=lambda c: -c.matrix[5])  # baselines
        row: list = []
        for c in glyphs:
            if row and abs(row[-1].matrix[5] - c.matrix[5]) > 2:
                rows.append("".join(g.get_text() for g in sorted(row, key=lambda g: g.x0)))
                row = []
            row.append(c)
        if row:
            rows.append("".join(g.get_text() for g in sorted(row, key=lambda g: g.x0)))
    return "\n".join(re.sub(r"[^\S\n]", "", r) for r in rows)
