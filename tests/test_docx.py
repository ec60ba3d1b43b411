"""DOCX output: what Word reads in the XML, what LibreOffice prints from it, and that it says
the same as the PDF, for every kind there is a DOCX of (`api.formats_of`).

The DOCX are rendered once per session and converted to PDF in one LibreOffice call (see
conftest.py), on a machine where the document fonts are not installed: what the converted
PDF shows comes from the DOCX alone. The forms' fields and the poster's QR code have their own
tests in test_docx_forms.py.
"""

from __future__ import annotations

import collections
import io
import itertools
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from fontTools.ttLib import TTFont
from lxml import etree

import cnops_legaldocs as cl
from cnops_legaldocs import documents
from cnops_legaldocs.renderers.docx import ooxml
from docxread import (
    ARABIC,
    BRANCHED,
    CASES,
    DOCX_KINDS,
    LATIN,
    MM,
    PAGE_MARGINS,
    PREFILLED,
    SIDE_MARGIN,
    bag,
    body_lines,
    cut_words,
    in_control,
    is_on,
    line_y,
    paragraph_text,
    plain,
    read_pdf,
    reading,
    run_text,
    runs,
    segments,
    story_words,
    token_x,
    visible,
    w,
    words_of_lines,
)

ASCII = re.compile("[A-Za-z0-9]")
DOCUMENTS = ["notice", "register"]  # the kinds laid out as running text and data tables
FORMS = list(documents.FORM_KINDS)
SRC = Path(__file__).resolve().parent.parent / "src"


# --------------------------------------------------------------------------------------------
# --------------------------------------------------------------------------------------------
# The XML: right to left as Word expects it


@pytest.mark.parametrize("kind", DOCX_KINDS)
def test_every_arabic_paragraph_is_bidi_in_an_arabic_style(opened, kind):
    docx = opened[kind, "ar"]
    paragraphs = docx.paragraphs()
    assert len(paragraphs) > 20
    for p in paragraphs:
        assert p.find(f"{w('pPr')}/{w('bidi')}") is not None, paragraph_text(p)
        if paragraph_text(p).strip():
            style = docx.styles[docx.paragraph_style(p)]
            assert style.find(w("name")).get(w("val")).endswith(" Arabic")
            assert style.find(f"{w('pPr')}/{w('bidi')}") is not None
            jc = docx.paragraph_property(p, "jc")
            if docx.paragraph_style(p) != "PhoneArabic":  # the poster's number: at the end
                assert jc is None or jc.get(w("val")) in ("left", "center")  # start: right


@pytest.mark.parametrize("case", CASES)
def test_rtl_only_on_arabic_runs(opened, case):
    docx = opened[case]
    arabic_runs = 0
    for p in docx.paragraphs():
        for r in runs(p):
            text = run_text(r)
            rtl = r.find(f"{w('rPr')}/{w('rtl')}")
            if ARABIC.search(text):
                arabic_runs += 1
                assert rtl is not None, text
            if LATIN.search(text):
                assert not is_on(docx.run_property(p, r, "rtl")), text
    assert (arabic_runs > 20) == (case[1] == "ar")


@pytest.mark.parametrize("kind", DOCX_KINDS)
def test_arabic_runs_have_complex_script_font_size_weight_and_language(opened, kind):
    docx = opened[kind, "ar"]
    checked = 0
    for p in docx.paragraphs():
        for r in runs(p):
            if r.find(f"{w('rPr')}/{w('rtl')}") is None:
                continue
            checked += 1
            fonts = docx.run_property(p, r, "rFonts")
            assert fonts.get(w("cs")) == "Amiri"
            size, cs_size = docx.run_property(p, r, "sz"), docx.run_property(p, r, "szCs")
            assert cs_size.get(w("val")) == size.get(w("val"))
            assert int(cs_size.get(w("val"))) >= 19  # 9.5 pt, the smallest Arabic text
            if is_on(docx.run_property(p, r, "b")):
                assert is_on(docx.run_property(p, r, "bCs"))
            assert docx.run_property(p, r, "lang").get(w("bidi")) == "ar-MA"
    assert checked > 20


@pytest.mark.parametrize("case", CASES)
def test_no_saudi_default_and_no_template_leftovers(docx_files, case):
    with zipfile.ZipFile(io.BytesIO(docx_files[case])) as z:
        names = z.namelist()
        everything = b"".join(z.read(n) for n in names if n.endswith((".xml", ".rels")))
    assert b"ar-SA" not in everything
    assert b"python-docx" not in everything
    assert not any("thumbnail" in n or "stylesWithEffects" in n or "customXml" in n for n in names)


@pytest.mark.parametrize("case", CASES)
def test_properties_are_in_schema_order(opened, case):
    docx = opened[case]
    roots = [docx.body, *docx.headers, *docx.footers, docx.doc.styles.element,
             docx.doc.settings.element, docx.doc.part.numbering_part.element]  # fmt: skip
    checked = 0
    for root in roots:
        for element in root.iter():
            local = etree.QName(element).localname
            if local not in ooxml.CHILD_ORDER or etree.QName(element).namespace != ooxml.W_NS:
                continue
            order = ooxml.CHILD_ORDER[local]
            ranks = [order.index(etree.QName(c).localname) for c in element
                     if etree.QName(c).namespace == ooxml.W_NS]  # fmt: skip
            assert ranks == sorted(ranks), (local, [etree.QName(c).localname for c in element])
            checked += 1
    assert checked > 100
    # Independently of that table, the orders rendering.md singles out:
    for root in roots:
        for p_pr in root.iter(w("pPr")):
            names = [etree.QName(c).localname for c in p_pr]
            if "bidi" in names:
                before = set(names[: names.index("bidi")])
                assert not before & {"spacing", "ind", "jc", "rPr"}, names
        for r_pr in root.iter(w("rPr")):
            names = [etree.QName(c).localname for c in r_pr]
            if "rtl" in names:
                i = names.index("rtl")
                assert not set(names[:i]) & {"cs", "lang"}, names
                assert not set(names[i + 1 :]) & {"rStyle", "rFonts", "b", "sz", "szCs"}, names


@pytest.mark.parametrize("case", CASES)
def test_tables_are_bidi_visual_in_arabic_only(opened, case):
    tables = opened[case].body.findall(f".//{w('tbl')}")
    assert tables
    for table in tables:
        bidi_visual = table.find(f"{w('tblPr')}/{w('bidiVisual')}")
        assert (bidi_visual is not None) == (case[1] == "ar")
        if case[0] in DOCUMENTS:
            header = table.find(f"{w('tr')}/{w('trPr')}/{w('tblHeader')}")
            assert header is not None  # the header row repeats on each page


@pytest.mark.parametrize("case", CASES)
def test_section_lists_and_page_fields(opened, case):
    docx = opened[case]
    arabic = case[1] == "ar"
    sections = list(docx.body.iter(w("sectPr")))  # the rights request has two
    assert len(sections) == (2 if case[0] == "rights-request" else 1)
    for sect in sections:
        assert (sect.find(w("bidi")) is not None) == arabic
    numbering = docx.doc.part.numbering_part.element
    items = [p for p in docx.paragraphs() if "ListBullet" in (docx.paragraph_style(p) or "")]
    assert len(items) > {"notice": 15, "register": -1, "poster": -1}.get(case[0], 2)
    for p in items:
        num_id = docx.paragraph_property(p, "numPr").find(w("numId")).get(w("val"))
        num = numbering.find(f"{w('num')}[@{w('numId')}='{num_id}']")
        abstract_id = num.find(w("abstractNumId")).get(w("val"))
        level = numbering.find(
            f"{w('abstractNum')}[@{w('abstractNumId')}='{abstract_id}']/{w('lvl')}"
        )
        assert level.find(w("lvlJc")).get(w("val")) == ("right" if arabic else "left")
    assert len(docx.footers) == (1 if case[0] == "poster" else 2)
    for footer in docx.footers:  # the first page's footer and the others'
        codes = " ".join(t.text for t in footer.iter(w("instrText"))).split()
        # The poster's footer is its QR band, a one-page sheet that has no page number.
        assert ("PAGE" in codes and "NUMPAGES" in codes) == (case[0] != "poster")


_FORM_ROLES = ["Issuer", "Title", "Subtitle", "Instructions", "BodyText", "Heading1",
               "Heading2", "Choice", "FieldLabel", "Field", "Signature", "ListBullet",
               "Reserved", "Header", "Footer"]  # fmt: skip
ROLES_USED = {
    "notice": ["Issuer", "Title", "Edition", "BodyText", "TableHeading", "TableText", "Header",
               "Footer", "Heading1", "Heading2", "ListBullet"],
    "register": ["Issuer", "Title", "Edition", "TableHeading", "TableText", "Header", "Footer",
                 "Note"],
    "rights-request": [*_FORM_ROLES, "ChoiceSmall", "Contact", "RuledLine"],
    "marketing-consent": _FORM_ROLES,
    "poster": ["Issuer", "Title", "Subtitle", "Lead", "Heading1", "Heading2", "BodyText",
               "Emphasis", "CallLabel", "Phone", "ChannelLabel", "Address", "Note",
               "OnlineHeading", "OnlineText", "OnlineAddress", "Edition", "Spacer", "Picture",
               "Footer"],
}  # fmt: skip
"""The styles each kind uses (at least once; all have a French and an Arabic variant)."""


@pytest.mark.parametrize("case", CASES)
def test_named_styles_not_direct_formatting(opened, case):
    docx = opened[case]
    # spacing: a list's end; jc: the N° column; sectPr: the end of a form's first page.
    allowed_ppr = {"pStyle", "bidi", "spacing", "jc", "sectPr"}
    used = collections.Counter()
    for p in docx.paragraphs():
        p_pr = p.find(w("pPr"))
        names = {etree.QName(c).localname for c in p_pr} if p_pr is not None else set()
        style = docx.paragraph_style(p)
        # A ruled box's lines repeat their style's borders: LibreOffice joins them only so.
        assert names <= allowed_ppr | ({"pBdr"} if style.startswith("RuledLine") else set())
        used[style] += 1
        for r in runs(p):
            r_pr = r.find(w("rPr"))
            if r_pr is not None:
                allowed = {"rStyle", "rtl"} | ({"rFonts"} if in_control(r) else set())
                assert {etree.QName(c).localname for c in r_pr} <= allowed
    suffix = "Arabic" if case[1] == "ar" else ""
    for style_id in ROLES_USED[case[0]]:
        assert used[style_id + suffix] > 0, style_id + suffix
    for style in docx.styles.values():  # every role has both variants, Arabic based on French
        name = style.find(w("name")).get(w("val"))
        if name.endswith(" Arabic"):
            base = name.removesuffix(" Arabic").replace(" ", "")
            assert style.find(w("basedOn")).get(w("val")) == base
            assert style.find(f"{w('rPr')}/{w('rFonts')}").get(w("cs")) == "Amiri"


@pytest.mark.parametrize("case", CASES)
def test_fonts_are_embedded_as_word_does(opened, case):
    """Static faces of the document's families, obfuscated as Word does. Which faces and
    which characters (a subset, by default): tests/test_docx_package.py."""
    docx = opened[case]
    kind, lang = case
    assert docx.doc.settings.element.find(w("embedTrueTypeFonts")) is not None
    table = docx.doc.part.part_related_by(RT.FONT_TABLE)
    faces = ("embedRegular", "embedBold", "embedItalic", "embedBoldItalic")
    own = "Amiri" if lang == "ar" else "Noto Serif"
    entries = {e.get(w("name")): e for e in etree.fromstring(table.blob).iter(w("font"))}
    expected = {"Amiri", "Noto Serif"} | ({"CNOPS Tick Box"} if kind in FORMS else set())
    assert set(entries) == expected
    assert entries[own].find(w("embedRegular")) is not None
    for family, entry in entries.items():
        weights = {}
        for face in faces:
            embed = entry.find(w(face))
            if embed is None:
                continue
            part = table.related_parts[embed.get(qn("r:id"))]
            assert part.content_type == ooxml.OBFUSCATED_FONT
            font = TTFont(io.BytesIO(ooxml.obfuscate(part.blob, embed.get(w("fontKey")))))
            assert font["name"].getDebugName(1) == family
            assert "fvar" not in font  # static faces only
            weights[face] = font["OS/2"].usWeightClass
        assert weights.get("embedRegular", 400) == 400
        assert weights.get("embedBold", 700) == 700


@pytest.mark.parametrize("case", CASES)
def test_core_properties_come_from_the_data(opened, trees, data, case):
    props = opened[case].doc.core_properties
    tree = trees[case]
    assert props.title == tree.title
    assert props.author == props.last_modified_by == data.body.name[case[1]]
    assert props.created.date() == props.modified.date() == data.notice.effective_date
    assert props.language == {"fr": "fr-MA", "ar": "ar-MA"}[case[1]]


def test_zip_entries_carry_a_fixed_date(docx_files):
    """python-docx stamps zip entries with the clock; ours are 1980-01-01. (Byte identity
    across processes and time zones, for every document and format, is
    tests/trust/test_reproducible.py.)"""
    for case in CASES:
        with zipfile.ZipFile(io.BytesIO(docx_files[case])) as z:
            assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --------------------------------------------------------------------------------------------
# One content source: the DOCX says what the tree and the PDF say


@pytest.mark.parametrize("case", CASES + PREFILLED + BRANCHED)
def test_docx_carries_exactly_the_document_text(opened, trees, case):
    assert story_words(opened[case], case[0]) == plain(trees[case].text()).split()


@pytest.mark.parametrize("case", CASES + PREFILLED + BRANCHED)
def test_word_parity_with_the_pdf(opened, weasy_pdfs, case):
    kind = case[0]
    docx = opened[case]
    pages = read_pdf(weasy_pdfs[case])
    pdf = bag([word for number, page in enumerate(pages, 1)
               for word in words_of_lines(page, body_lines(page, kind, number))])  # fmt: skip
    words = bag(story_words(docx, kind), "docx")
    assert not words - pdf, "words of the DOCX missing from the PDF"
    # The PDF repeats the table header rows on each page a table runs onto: nothing else.
    header_rows = bag(
        [
            word
            for tr in docx.body.iter(w("tr"))
            if tr.find(f"{w('trPr')}/{w('tblHeader')}") is not None
            for word in plain(" ".join(paragraph_text(p) for p in tr.iter(w("p")))).split()
        ],
        "docx",
    )
    extra = pdf - words
    repeats = max((extra[k] // n for k, n in header_rows.items()), default=0)
    assert extra == collections.Counter({k: n * repeats for k, n in header_rows.items()})

    # Page furniture (page 2: the first has no running header) differs in page numbers only.
    if kind == "poster" or len(pages) < 2:
        return
    second = pages[1]
    top, bottom = PAGE_MARGINS[kind]
    header = [ln for ln in second.lines if line_y(ln) > second.height - top * MM]
    footer = [ln for ln in second.lines if line_y(ln) < bottom * MM]
    header_docx = [paragraph_text(p) for h in docx.headers for p in h.iter(w("p"))]
    assert bag(words_of_lines(second, header)) == bag(" ".join(header_docx).split(), "docx")
    footer_docx = bag(paragraph_text(docx.footers[0].find(w("p")), fields=False).split(), "docx")
    footer_pdf = bag(words_of_lines(second, footer))
    assert sorted((footer_pdf - footer_docx).elements()) == sorted(["2", str(len(pages))])
    assert not footer_docx - footer_pdf


# --------------------------------------------------------------------------------------------
# What LibreOffice prints from the DOCX, on a machine without the document fonts


def fonts_installed() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    families = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True).stdout
    return bool(re.search(r"amiri|noto serif", families, re.IGNORECASE))


def fonts_expected(case: tuple[str, ...]) -> set[str]:
    """The faces LibreOffice prints a DOCX with: its own, and no substitute."""
    kind, lang = case[:2]
    faces = {"ar": {"Amiri-Regular", "Amiri-Bold"},
             "fr": {"NotoSerif-Regular", "NotoSerif-Bold"}}[lang]  # fmt: skip
    if kind in FORMS:
        faces.add("CNOPSTickBox-Regular")
        if lang == "fr":
            faces.add("NotoSerifItalic-Italic")  # the instructions
        if case[2:]:  # the Arabic name and address of a French form
            faces.add("Amiri-Regular")
    if kind == "poster" and lang == "ar":  # the call centre and addresses in the Latin face
        faces.add("NotoSerif-Bold")
    return faces


@pytest.mark.parametrize("case", CASES + PREFILLED)
def test_converted_pdf_uses_the_embedded_fonts(converted, case):
    if fonts_installed():
        pytest.skip("Amiri or Noto Serif is installed system-wide: embedding is not tested")
    report = subprocess.run(
        ["pdffonts", str(converted[case])], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    fonts = {line.split()[0].split("+")[-1]: line.split()[-5] for line in report}
    assert set(fonts) == fonts_expected(case)
    assert set(fonts.values()) == {"yes"}  # embedded


@pytest.mark.parametrize("kind", DOCUMENTS)
def test_arabic_lines_start_at_the_right_margin(converted, kind):
    starts, cells = collections.Counter(), 0
    for page in read_pdf(converted[kind, "ar"]):
        right = page.width - SIDE_MARGIN[kind] * MM
        for line in body_lines(page, kind):
            for column, glyphs in segments(page, line):
                blanks = sum(not g.text.strip() for g in glyphs)
                glyphs = [g for g in glyphs if g.text.strip()]
                if not any(ARABIC.match(g.text) for g in glyphs):
                    continue
                end, begin = max(g.x1 for g in glyphs), min(g.x0 for g in glyphs)
                if column >= 0:  # a table cell: flush against its right rule, or centred
                    rules = page.columns(line_y(line))
                    gap_right = min(x for x in rules if x > end) - end
                    gap_left = begin - max(x for x in rules if x < begin)
                    assert abs(gap_right - 1.8 * MM) < 1.5 or abs(gap_right - gap_left) < 1.5
                    cells += 1
                    continue
                # Paragraphs and headings start at the margin; a list's label sits 2.5 mm
                # inside it, its text 6 mm (docx._LIST_INDENT, _LIST_HANGING).
                bullet = any(g.text == "•" for g in glyphs)
                allowed = (2.5 * MM,) if bullet else (0, 6 * MM)
                offset = right - end
                # LibreOffice justifies a line in whole twips per space: a justified Arabic
                # line may stop short of the margin by up to a twip (0.05 pt) a space
                # (measured: 1.06 pt over the 23 spaces of the register's first line, once
                # "09.08" is an Arabic number of the line rather than an isolate; its last
                # line then stops 0.28 pt short).
                tolerance = 1 + 0.05 * blanks
                assert min(abs(offset - a) for a in allowed) < tolerance, reading(line)[0]
                starts[min(allowed, key=lambda a: abs(offset - a))] += 1
    assert starts[0] >= 5 and cells >= 30  # at the margin, within the tolerance above


@pytest.mark.parametrize("kind", DOCUMENTS)
def test_french_lines_start_at_the_left_margin(converted, kind):
    for page in read_pdf(converted[kind, "fr"]):
        left = SIDE_MARGIN[kind] * MM
        for line in body_lines(page, kind):
            glyphs = [g for g in visible(line) if g.text.strip() and not page.in_table(g)]
            if glyphs:
                offset = min(g.x0 for g in glyphs) - left
                assert min(abs(offset - a) for a in (0, 2.5 * MM, 6 * MM)) < 1


@pytest.mark.parametrize("lang", cl.LANGUAGES)
def test_register_columns_run_in_reading_direction(converted, lang):
    rows = 0
    for page in read_pdf(converted["register", lang]):
        for line in page.lines:
            ref = token_x(line, r"[AD]-[A-Z]+-\d+/\d{4}")
            mail = token_x(line, r"[a-z]+@cnops\.org\.ma")
            number = token_x(line, r"^\s*\d{1,2}\b" if lang == "fr" else r"\b\d{1,2}\s*$")
            if ref is None or number is None:
                continue
            rows += 1
            order = [number, ref] + ([mail] if mail is not None else [])
            # The first logical column (N°) is leftmost in French, rightmost in Arabic.
            assert order == (sorted(order) if lang == "fr" else sorted(order, reverse=True))
    assert rows >= 10


def test_notice_contact_table_runs_right_to_left(converted):
    checked = 0
    for page in read_pdf(converted["notice", "ar"]):
        for line in page.lines:
            mail = token_x(line, r"[a-z]+@cnops\.org\.ma")
            if mail is None:
                continue
            right_of_mail = [g for g in line if g.x0 > mail + 60 and ARABIC.match(g.text)]
            assert right_of_mail  # the processing column, first in the source, is on the right
            checked += 1
    assert checked == 7


TOKENS = {
    "notice": ["05 38 00 20 20", "09.08", "A-GA-104/2016", "dic@cnops.org.ma",
               "https://www.cnops.org.ma"],
    "register": ["09.08", "A-GA-104/2016", "dic@cnops.org.ma"],
    "rights-request": ["05 38 00 20 20", "09.08", "A-GA-104/2016", "dic@cnops.org.ma",
                       "https://www.cnops.org.ma", "AMO-Public"],
    "marketing-consent": ["05 38 00 20 20", "09.08", "https://www.cnops.org.ma",
                          "https://www.cndp.ma"],
    "poster": ["05 38 00 20 20", "09.08", "www.cnops.org.ma/mentions-legales", "CNOPS"],
}  # fmt: skip
"""Left-to-right tokens each Arabic document prints."""


@pytest.mark.parametrize("kind", DOCX_KINDS)
def test_ltr_tokens_read_in_order(converted, kind):
    text = "\n".join(
        reading(line)[0] for page in read_pdf(converted[kind, "ar"]) for line in page.lines
    )
    text = text.replace("\u2011", "-").replace("\u2010", "-")
    for token in TOKENS[kind]:
        assert token in text, token
    for reversed_token in ("20 20 00 38 05", "08.09"):
        assert reversed_token not in text


def script(text: str) -> str | None:
    return "latin" if ASCII.match(text) else "arabic" if ARABIC.match(text) else None


@pytest.mark.parametrize("kind", DOCX_KINDS)
def test_latin_and_arabic_glyphs_never_overlap(converted, kind):
    """LibreOffice 7.4 draws the end of a right-to-left isolate around Arabic text over the
    letters before it (the running header's "(CNOPS)" over the issuer's name): Arabic values
    in Arabic text are printed without that isolate."""
    checked = 0
    for page in read_pdf(converted[kind, "ar"]):
        for line in page.lines:
            glyphs = [g for g in visible(line) if g.text.strip()]
            for a, b in itertools.pairwise(glyphs):
                scripts = {script(a.text), script(b.text)}
                if scripts == {"latin", "arabic"}:
                    checked += 1
                    assert a.x1 - b.x0 < 1, (a.text, b.text, reading(line)[0])
    assert checked > 10


@pytest.mark.parametrize("case", CASES + PREFILLED + BRANCHED)
def test_same_pages_as_the_pdf(converted, weasy_pdfs, case):
    pages, pdf = read_pdf(converted[case]), read_pdf(weasy_pdfs[case])
    assert len(pages) == len(pdf)
    assert abs(pages[0].width - pdf[0].width) < 0.5
    assert abs(pages[0].height - pdf[0].height) < 0.5


@pytest.mark.parametrize("case", CASES + PREFILLED + BRANCHED)
def test_no_word_is_cut_across_lines(converted, opened, case):
    """Every word LibreOffice prints is a word of the DOCX, or a piece of one where a line may
    break (after a hyphen or a slash): none is cut where it does not fit its column."""
    assert cut_words(opened[case], read_pdf(converted[case])) == []


CUT_TOKEN = re.compile(r"(?:\b\d+|\b[A-Z]{1,2})-$")
"""A line ending inside a law number or a CNDP reference ("09-", "A-GA-")."""


@pytest.mark.parametrize("kind", ["notice", "register", "rights-request"])
def test_law_numbers_and_references_are_not_cut_after_a_hyphen(converted, opened, kind):
    """LibreOffice 7.4 breaks a line after a hyphen only to fit a word at its end. Word's
    no-break hyphen (U+2011) stays where a word holding a law number or reference may start
    a line; elsewhere the hyphen is plain, as pandoc and Word's search read it typed. On
    LibreOffice's pages no line ends inside a law number or reference ("09-|08",
    "A-GA-|104/2016"), and the plain hyphens are there."""
    lines = [
        reading(line)[0].strip() for page in read_pdf(converted[kind, "fr"]) for line in page.lines
    ]
    cut = [(a, b) for a, b in itertools.pairwise(lines) if CUT_TOKEN.search(a) and b[:1].isalnum()]
    assert not cut
    typed = "".join(t.text or "" for t in opened[kind, "fr"].body.iter(w("t")))
    assert re.search(r"\b09-08\b|\b[A-Z]-[A-Z]{2}-\d+/\d{4}", typed)


@pytest.mark.parametrize("case", [case for case in CASES if case[0] != "poster"])
def test_pages_are_numbered_in_the_footer(converted, weasy_pdfs, case):
    kind, lang = case
    pages = read_pdf(converted[case])
    total = len(pages)
    for number, page in enumerate(pages, 1):
        footer = [ln for ln in page.lines if line_y(ln) < PAGE_MARGINS[kind][1] * MM]
        pieces = [glyphs for ln in footer for _, glyphs in segments(page, ln)]
        # The folio is the footer's last item: on the left in Arabic, on the right in French.
        folio = min(pieces, key=lambda g: g[0].x0 if lang == "ar" else -g[0].x0)
        text, xs = reading(folio)
        numbers = [(int(m.group()), xs[m.start()]) for m in re.finditer(r"\d+", text)]
        assert sorted(n for n, _ in numbers) == sorted([number, total])
        first_read = min(numbers, key=lambda item: item[1] if lang == "fr" else -item[1])
        assert first_read[0] == number  # "Page 2 sur 4" / "الصفحة 2 من 4"


def test_cli_renders_docx(tmp_path, docx_files):
    from cnops_legaldocs import cli

    out = tmp_path / "notice-ar.docx"
    assert cli.main(["render", "notice", "--lang", "ar", "--format", "docx", "-o", str(out)]) == 0
    assert out.read_bytes() == docx_files["notice", "ar"]
    assert cli.main(["render", "notice", "--lang", "ar", "--format", "docx",
                     "--pdf-variant", "pdf/a-3u", "-o", str(tmp_path / "x.docx")]) == 2  # fmt: skip
    assert "docx" in cl.FORMATS  # so `build` writes every document as DOCX too
