"""The forms and the poster as Word documents: fields a clerk fills on screen or by hand (content
controls named as the PDF's fields), pre-filled values where they belong, and a QR code that a
phone reads from the page LibreOffice prints.

Documents come from the session fixtures of conftest.py (one LibreOffice call for all).
"""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from bidi import get_display
from docx.oxml.ns import qn
from PIL import Image

from cnops_legaldocs import catalogs, documents, forms
from cnops_legaldocs.person import Person
from cnops_legaldocs.renderers.docx import fonts as docx_fonts
from cnops_legaldocs.renderers.docx.styles import RULED_LINES
from docxread import (
    ARABIC,
    MM,
    PERSON,
    PREFILLED,
    SIDE_MARGIN,
    Glyph,
    body_lines,
    controls,
    line_y,
    paragraph_text,
    plain,
    read_pdf,
    reading,
    visible,
    w,
)
from pdfread import widgets

FORMS = list(documents.FORM_KINDS)
BLANK = [(kind, lang) for kind in FORMS for lang in ("fr", "ar")]
ALL_FORMS = BLANK + PREFILLED
BOX = docx_fonts.UNCHECKED


def w14(name: str) -> str:
    return qn(f"w14:{name}")


def seen(text: str, lang: str) -> str:
    """How `text` reads left to right on a page of `lang` (python-bidi as the oracle)."""
    return get_display(unicodedata.normalize("NFKC", text), base_dir="R" if lang == "ar" else "L")


# --------------------------------------------------------------------------------------------
# The fields: content controls named and typed as the PDF's fields


@pytest.mark.parametrize("case", ALL_FORMS, ids="-".join)
def test_controls_are_the_pdf_fields(opened, weasy_pdfs, data, case):
    """One control per field of the PDF, same names, types and order: the pre-filled identity
    fields, page text in both, are no field of either."""
    found = controls(opened[case])
    pdf = widgets(weasy_pdfs[case].read_bytes())
    assert [(c.tag, c.type) for c in found] == [(f.name, f.type) for f in pdf]
    person = Person.from_mapping(PERSON) if case[2:] else None
    assert [c.tag for c in found] == [f.name for f in forms.fields(data, case[0], person)]
    # The visible label Word shows on a control is the PDF field's accessible name.
    assert [c.alias for c in found] == [plain(f.label) for f in pdf]
    if case[1] == "ar":
        assert all(ARABIC.search(c.alias) for c in found)
    ids = [c.sdt.find(f"{w('sdtPr')}/{w('id')}").get(w("val")) for c in found]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", BLANK, ids="-".join)
def test_tick_boxes_are_w14_checkboxes_before_their_labels(opened, case):
    boxes = [c for c in controls(opened[case]) if c.type == "checkbox"]
    assert len(boxes) >= 6
    for box in boxes:
        state = box.sdt.find(f"{w('sdtPr')}/{w14('checkbox')}")
        assert state.find(w14("checked")).get(w14("val")) == "0"
        for name, char in (("checkedState", "2612"), ("uncheckedState", "2610")):
            element = state.find(w14(name))
            assert element.get(w14("val")) == char
            assert element.get(w14("font")) == docx_fonts.TICK_BOX_FAMILY
        assert box.shown == BOX
        run = box.sdt.find(f"{w('sdtContent')}/{w('r')}")
        assert run.find(f"{w('rPr')}/{w('rStyle')}").get(w("val")) == "TickBox"
        # First in its paragraph, then a tab to the label's hanging indent.
        p = box.paragraph
        assert p.index(box.sdt) == 1 and p[0].tag == w("pPr")
        assert box.sdt.getnext().find(w("tab")) is not None
        style = p.find(f"{w('pPr')}/{w('pStyle')}").get(w("val"))
        assert style.removesuffix("Arabic") in ("Choice", "ChoiceSmall")
        assert plain(paragraph_text(p, controls=False)).strip()


@pytest.mark.parametrize("case", ALL_FORMS, ids="-".join)
def test_text_fields_are_plain_text_controls_in_boxes(opened, case):
    fields = [c for c in controls(opened[case]) if c.type != "checkbox"]
    assert fields
    for field in fields:
        props = field.sdt.find(w("sdtPr"))
        if field.type == "text":
            # A placeholder of blank spaces across the box, which typing replaces.
            assert props.find(w("showingPlcHdr")) is not None
            assert field.shown.strip() == "" and len(field.shown) >= 10
            style = field.paragraph.find(f"{w('pPr')}/{w('pStyle')}").get(w("val"))
            assert style.removesuffix("Arabic") == "Field"
        else:  # the request: a block control around the ruled lines to write on
            assert field.tag == "demande" and field.paragraph is None
            lines = field.sdt.findall(f"{w('sdtContent')}/{w('p')}")
            assert len(lines) == RULED_LINES
            for p in lines:
                style = p.find(f"{w('pPr')}/{w('pStyle')}").get(w("val"))
                assert style.removesuffix("Arabic") == "RuledLine"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_one_tick_box_per_operation_of_the_register(opened, data, lang):
    boxes = {c.tag: c for c in controls(opened["rights-request", lang])}
    operations = [op for _, ops in forms.operation_groups(data) for op in ops]
    tags = [tag for tag in boxes if tag.startswith("traitement_") and tag != "traitement_tous"]
    assert tags == [forms.operation_field(op) for op in operations]
    assert len(tags) == len(data.operations) == 15
    gettext = catalogs.translations(lang).gettext
    for op in operations:
        label = plain(paragraph_text(boxes[forms.operation_field(op)].paragraph, controls=False))
        title = plain(gettext(op.title) if lang == "ar" else op.title)
        assert label.strip().startswith(title), label
        assert str(op.reference) in label


@pytest.mark.parametrize("case", PREFILLED, ids="-".join)
def test_prefilled_values_are_page_text_in_their_boxes(opened, case):
    docx = opened[case]
    tags = {c.tag for c in controls(docx)}
    boxes = [p for p in docx.body.iter(w("p"))
             if (p.find(f"{w('pPr')}/{w('pStyle')}").get(w("val")) or "").startswith("Field")
             and not p.findall(f".//{w('sdt')}")]  # fmt: skip
    shown = [plain(paragraph_text(p)) for p in boxes]
    person = Person.from_mapping(PERSON)
    for key in PERSON:
        assert key not in tags
        assert person[key] in shown, key
    assert "email" in tags  # left blank: still a field to fill


# --------------------------------------------------------------------------------------------
# What LibreOffice prints


def box_lines(path: Path) -> list[tuple[int, list[Glyph]]]:
    """(page number, line) for every printed line with a tick box."""
    return [
        (number, line)
        for number, page in enumerate(read_pdf(path), 1)
        for line in page.lines
        if any(g.text == BOX for g in line)
    ]


@pytest.mark.parametrize("case", BLANK, ids="-".join)
def test_each_printed_box_stands_before_its_label(opened, converted, case):
    lines = box_lines(converted[case])
    boxes = [c for c in controls(opened[case]) if c.type == "checkbox"]
    assert sum(sum(g.text == BOX for g in line) for _, line in lines) == len(boxes)
    for _, line in lines:
        glyphs = [g for g in visible(line) if g.text.strip()]
        for i, glyph in enumerate(glyphs):
            if glyph.text != BOX:
                continue
            # A box 3.8 mm wide, as the PDF's (its glyph is TICK_BOX_EM of its advance).
            assert abs((glyph.x1 - glyph.x0) * docx_fonts.TICK_BOX_EM - 3.8 * MM) < 0.3
            # The label starts 6 mm from the box's start edge: right of it in French, left
            # of it in Arabic.
            if case[1] == "fr":
                label = glyphs[i + 1]
                assert label.text != BOX and 0 < label.x0 - glyph.x0 < 6.5 * MM
            else:
                label = glyphs[i - 1]
                assert label.text != BOX and 0 < glyph.x1 - label.x1 < 6.5 * MM


@pytest.mark.parametrize("case", BLANK, ids="-".join)
def test_headings_start_at_the_margin_of_their_direction(converted, trees, case):
    """The title and the parts' headings: flush left in French, flush right in Arabic (the
    shading of a part's heading is inset 1.5 mm)."""
    kind, lang = case
    root = trees[case].root
    headings = [plain(" ".join("".join(h.itertext()).split())) for h in root.iter("h1", "h2")]
    margin = SIDE_MARGIN[kind] * MM
    found = 0
    for number, page in enumerate(read_pdf(converted[case]), 1):
        for line in body_lines(page, kind, number):
            text = plain(reading(line)[0])
            on_line = [heading for heading in headings if seen(heading, lang) in text]
            if not on_line:
                continue
            found += len(on_line)  # two, when two parts stand side by side
            # The line starts at the margin (with the first of them).
            glyphs = [g for g in visible(line) if g.text.strip()]
            if lang == "fr":
                offset = min(g.x0 for g in glyphs) - margin
            else:
                offset = page.width - margin - max(g.x1 for g in glyphs)
            assert -0.5 < offset < 2.5 * MM, text
    assert found == len(headings)


@pytest.mark.parametrize("case", PREFILLED, ids="-".join)
def test_prefilled_values_sit_beside_their_labels(converted, case):
    lang = case[1]
    labels = {"fr": {"nom": "Nom", "prenom": "Prénom", "cin": "N° de la CIN",
                     "adresse": "Adresse"},
              "ar": {"nom": "الاسم العائلي", "prenom": "الاسم الشخصي",
                     "cin": "رقم البطاقة الوطنية", "adresse": "العنوان"}}[lang]  # fmt: skip
    page = read_pdf(converted[case])[0]
    for key, label in labels.items():
        value = Person.from_mapping(PERSON)[key]
        direction = "ar" if ARABIC.search(value) else "fr"
        line = next(ln for ln in page.lines if seen(label, lang) in plain(reading(ln)[0]))
        text = plain(reading(line)[0])
        # The value reads in its own direction, whatever the page's, beside its label.
        shown = seen(value, direction)
        assert shown in text, key
        at, label_at = text.index(shown), text.index(seen(label, lang))
        if lang == "fr":
            assert at > label_at + len(label), key
        else:
            assert at + len(shown) <= label_at, key


def test_arabic_references_keep_their_brackets(converted):
    """LibreOffice may break a line between a bracket and the LTR token it opens: the
    brackets go inside the token's isolate, so that each reference keeps both."""
    text = "\n".join(
        plain(reading(line)[0])
        for page in read_pdf(converted["rights-request", "ar"])
        for line in page.lines
    )
    references = re.findall(r".?[A-D]-[A-Z]{1,2}-\d{3}/\d{4}.?", text)
    assert len(references) == 15
    for reference in references:
        assert reference[0] in "()" and reference[-1] in "()", reference


# --------------------------------------------------------------------------------------------
# The poster


def decode_qr(png: Path) -> list[str]:
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
    )
    return out.stdout.splitlines()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_poster_qr_code_opens_the_online_notice(converted, data, tmp_path, lang):
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", str(converted["poster", lang]), str(tmp_path / "p")],
        check=True,
    )
    (page,) = sorted(tmp_path.glob("p*.png"))
    assert decode_qr(page) == [data.notice.url]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_poster_qr_code_is_sharp_and_described(opened, data, lang):
    docx = opened["poster", lang]
    (footer,) = docx.footers
    (blip,) = footer.iter(qn("a:blip"))
    (extent,) = footer.iter(qn("wp:extent"))
    (described,) = footer.iter(qn("wp:docPr"))
    svg = documents.build(data, "poster", lang).root.find(".//svg")
    assert described.get("descr") == svg.get("aria-label")
    part = docx.doc.sections[0].footer.part.related_parts[blip.get(qn("r:embed"))]
    image = Image.open(io.BytesIO(part.blob))
    width_in = int(extent.get("cx")) / 914400
    assert image.width / width_in >= 600  # dots per inch, printed at its size
    assert abs(width_in * 72 - 8.5 * 14) < 1  # 8.5 rem on A3, as in the PDF


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_poster_qr_band_is_at_the_foot_of_the_sheet(converted, lang):
    (page,) = read_pdf(converted["poster", lang])
    band_top = 14.4 * 14  # rem, the bottom margin that keeps the band
    below = [line for line in page.lines if line_y(line) < band_top]
    above = [line for line in page.lines if line_y(line) >= band_top]
    assert any("cnops.org.ma/mentions-legales" in reading(line)[0] for line in below)
    assert not any("mentions-legales" in reading(line)[0] for line in above)
    assert min(line_y(line) for line in below) > 2.2 * 14  # above the bottom edge's margin


def test_poster_headings_bar_on_the_start_side(opened):
    for lang, side in (("fr", "left"), ("ar", "right")):
        docx = opened["poster", lang]
        style = docx.styles["Heading1" + ("Arabic" if lang == "ar" else "")]
        borders = style.find(f"{w('pPr')}/{w('pBdr')}")
        # The Arabic style is based on the French one: its left bar is explicitly none.
        assert [b.tag for b in borders if b.get(w("val")) != "nil"] == [w(side)]
        if lang == "ar":
            assert borders.find(w("left")).get(w("val")) == "nil"
