"""The assurés' forms: fields a viewer can fill, tick boxes from the register, pre-filled
identity printed where it belongs in both directions, and values that are refused."""

from __future__ import annotations

import io
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

import pytest
from bidi import get_display
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar
from pypdf import PdfReader

import cnops_legaldocs as lib
from cnops_legaldocs import catalogs, cli, documents, forms
from cnops_legaldocs.person import FIELDS, Person
from pdfread import widgets

FORMS = documents.FORM_KINDS
MM = 72 / 25.4  # PDF points per millimetre

# A person whose values mix scripts: an Arabic name, a Latin first name, an address that starts
# with digits (the case where a missing isolate visibly reorders the text).
LATIN_ADDRESS = "12, Rue Al Khalil, Hassan, Rabat"
ARABIC_ADDRESS = "12 زنقة الخليل، الرباط"
PERSON = {
    "nom": "العلوي",
    "prenom": "Mohammed",
    "cin": " be123456 ",
    "immatriculation": "123456789",
    "telephone": "06 12 34 56 78",
    "email": "m.alaoui@example.ma",
}


@pytest.fixture(scope="module")
def render(rendered: Callable[..., bytes]) -> Callable[..., bytes]:
    """Rendered forms, each made once (a blank one once for the session)."""

    @cache
    def render(kind: str, lang: str, address: str | None = None, prefilled: bool = False) -> bytes:
        if not prefilled:
            return rendered(kind, lang)
        person = {**PERSON, "adresse": address or LATIN_ADDRESS}
        return lib.render(lib.load(), kind, lang, person=person)

    return render


# --------------------------------------------------------------------------------------------
# Reading PDFs back


@dataclass(frozen=True)
class Glyph:
    text: str
    x0: float
    x1: float
    baseline: float
    size: float


def _chars(items: object) -> Iterator[LTChar]:
    for item in items:  # type: ignore[attr-defined]
        if isinstance(item, LTChar):
            yield item
        elif hasattr(item, "__iter__"):
            yield from _chars(item)


@cache
def glyphs(pdf: bytes, page: int = 0) -> tuple[Glyph, ...]:
    layout = list(extract_pages(io.BytesIO(pdf), laparams=LAParams(char_margin=50)))[page]
    return tuple(
        Glyph(unicodedata.normalize("NFKC", c.get_text()), c.x0, c.x1, c.matrix[5], c.size)
        for c in _chars(layout)
    )


def lines(pdf: bytes, page: int = 0) -> list[list[Glyph]]:
    """Glyphs grouped into visual lines (same baseline), each sorted left to right."""
    out: list[list[Glyph]] = []
    for g in sorted(glyphs(pdf, page), key=lambda g: -g.baseline):
        if out and abs(out[-1][0].baseline - g.baseline) < 1.5:
            out[-1].append(g)
        else:
            out.append([g])
    return [sorted(line, key=lambda g: g.x0) for line in out]


def visual(line: list[Glyph]) -> tuple[str, list[Glyph | None]]:
    """A line as the eye reads it left to right, with the glyph behind each character."""
    text, behind = [], []
    last = None
    for g in line:
        if last is not None and g.x0 - last.x1 > 0.15 * max(g.size, 1):
            text.append(" ")
            behind.append(None)
        for ch in g.text:
            text.append(ch)
            behind.append(g)
        last = g
    return "".join(text), behind


def find(pdf: bytes, shown: str, page: int = 0) -> list[Glyph]:
    """The glyphs that show `shown` (in visual, left-to-right order) on one line."""
    for line in lines(pdf, page):
        text, behind = visual(line)
        at = text.find(shown)
        if at >= 0:
            return [g for g in behind[at : at + len(shown)] if g is not None]
    raise AssertionError(f"{shown!r} is not on any line of page {page + 1}")


def seen(text: str, lang: str) -> str:
    """How `text` reads left to right on a page of `lang` (python-bidi as the oracle)."""
    return get_display(unicodedata.normalize("NFKC", text), base_dir="R" if lang == "ar" else "L")


def page_text(pdf: bytes) -> str:
    return " ".join(visual(line)[0] for p in range(page_count(pdf)) for line in lines(pdf, p))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


# --------------------------------------------------------------------------------------------
# Fields


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("kind", FORMS)
def test_fields_are_the_documented_ones(data, render, kind, lang):
    found = widgets(render(kind, lang))
    expected = forms.fields(data, kind)
    assert [(w.name, w.type) for w in found] == [(f.name, f.type) for f in expected]
    assert len({w.name for w in found}) == len(found)
    # Every field has an accessible name in the document's language.
    assert all(w.label for w in found)
    if lang == "ar":
        assert all(re.search("[\u0600-\u06ff]", w.label) for w in found)


def test_rights_request_field_names_are_stable(render):
    names = [w.name for w in widgets(render("rights-request", "fr"))]
    assert names[:7] == list(FIELDS)
    for name in (
        "mandataire",
        "droit_acces",
        "droit_rectification",
        "droit_opposition",
        "traitement_A-GA-104-2016",
        "traitement_D-VS-157-2016",
        "traitement_tous",
        "demande",
        "reponse_email",
        "piece_cin",
        "lieu",
        "date",
    ):
        assert name in names
    assert len(names) == 38


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("kind", FORMS)
def test_boxes_are_sized_for_a_pen(render, kind, lang):
    # A field's rectangle is the inside of its printed box.
    pdf = render(kind, lang)
    for w in widgets(pdf):
        width, height = w.rect[2] - w.rect[0], w.rect[3] - w.rect[1]
        if w.type == "checkbox":
            assert 3 * MM <= width <= 4.5 * MM and abs(width - height) < 0.1, w.name
        elif w.type == "text":
            assert height >= 7 * MM and width >= 25 * MM, w.name
        else:
            assert height >= 60 * MM and width >= 150 * MM, w.name


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_page_counts(render, lang):
    # The consent fits one A4 page; the request is one sheet printed on both sides, its
    # second page starting with the request itself.
    assert page_count(render("marketing-consent", lang)) == 1
    pdf = render("rights-request", lang)
    assert page_count(pdf) == 2
    pages = {w.name: w.page for w in widgets(pdf)}
    assert pages["traitement_tous"] == 0 and pages["demande"] == 1


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("kind", FORMS)
def test_page_text_stays_extractable(render, kind, lang):
    # Field fonts are embedded whole with a character-map-only Unicode map: page text drawn in
    # the same font would lose its shaped Arabic glyphs (pdfminer shows them as "(cid:N)").
    text = page_text(render(kind, lang))
    assert "(cid:" not in text


def test_a_form_is_not_pdf_a(data):
    with pytest.raises(lib.RenderError, match="PDF/A"):
        lib.render(data, "marketing-consent", "fr", pdf_variant="pdf/a-3u")


# --------------------------------------------------------------------------------------------
# Tick boxes from the register


def test_one_box_per_operation_of_the_register(data, render):
    names = [w.name for w in widgets(render("rights-request", "fr"))]
    boxes = [n for n in names if n.startswith("traitement_") and n != "traitement_tous"]
    assert len(boxes) == len(data.operations) == 15
    assert sorted(boxes) == sorted(
        "traitement_" + str(op.reference).replace("/", "-") for op in data.operations
    )


def test_boxes_follow_the_data():
    source = lib.assets.default_data().read_text(encoding="utf-8")
    added = (
        "  - title: Gestion des cartes d'assuré\n    reference: A-GC-999/2020\n    contact: dic\n"
    )
    changed = source.replace("operations:\n", "operations:\n" + added, 1)
    changed = changed.replace("  - title: Vidéosurveillance\n    reference: D-VS-157/2016\n", "")
    data = lib.loads(changed, "changed.yaml")
    pdf = lib.render(data, "rights-request", "fr")
    names = [w.name for w in widgets(pdf)]
    assert "traitement_A-GC-999-2020" in names
    assert "traitement_D-VS-157-2016" not in names
    assert [(w.name, w.type) for w in widgets(pdf)] == [
        (f.name, f.type) for f in forms.fields(data, "rights-request")
    ]
    assert find(pdf, "Gestion des cartes")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_each_box_stands_before_its_operation(data, render, lang):
    pdf = render("rights-request", lang)
    boxes = {w.name: w for w in widgets(pdf)}
    for op in data.operations:
        x0, y0, x1, y1 = boxes[forms.operation_field(op)].rect
        # The glyphs of the box's line: their baseline runs through the box.
        line = sorted((g for g in glyphs(pdf) if y0 - 1 <= g.baseline <= y1), key=lambda g: g.x0)
        if lang == "fr":  # the label starts just right of the box…
            label = [g for g in line if g.x0 >= x1]
            assert label[0].x0 - x1 < 4 * MM
            words = visual(label)[0]
            assert words.startswith(op.title.split()[0]), words
        else:  # …and just left of it in Arabic
            label = [g for g in line if g.x1 <= x0]
            assert x0 - label[-1].x1 < 4 * MM
            title = catalogs.translations("ar").gettext(op.title)
            assert seen(title.split()[0], "ar") in visual(label)[0]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_form_says_where_to_send_it(data, render, lang):
    pdf = render("rights-request", lang)
    text = page_text(pdf)
    for contact in data.contacts:
        assert contact.email in text
    assert data.channels.call_centre in text
    assert "www.cndp.ma" in text and "(CNDP)" in text.replace(")CNDP(", "(CNDP)")


# --------------------------------------------------------------------------------------------
# Pre-filled forms


LABELS = {
    "fr": {"nom": "Nom", "prenom": "Prénom", "cin": "N° de la CIN", "telephone": "Téléphone"},
    "ar": {"nom": "الاسم العائلي", "prenom": "الاسم الشخصي", "cin": "رقم البطاقة الوطنية"},
}
VALUES = {"nom": "العلوي", "prenom": "Mohammed", "cin": "BE123456", "telephone": "06 12 34 56 78"}


@pytest.mark.parametrize("kind", FORMS)
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_prefilled_values_sit_beside_their_labels(render, kind, lang):
    pdf = render(kind, lang, prefilled=True)
    for key, label in LABELS[lang].items():
        label_glyphs = find(pdf, seen(label, lang))
        value_glyphs = find(pdf, seen(VALUES[key], lang))
        # Same line: one baseline (find() looks within one line; check it all the same).
        assert abs(label_glyphs[0].baseline - value_glyphs[0].baseline) < 1.5, key
        if lang == "fr":  # the value follows the label to its right
            assert min(g.x0 for g in value_glyphs) > max(g.x1 for g in label_glyphs), key
        else:  # and to its left in Arabic
            assert max(g.x1 for g in value_glyphs) < min(g.x0 for g in label_glyphs), key


@pytest.mark.parametrize("kind", FORMS)
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_prefilled_fields_are_page_text_not_fields(data, render, kind, lang):
    pdf = render(kind, lang, prefilled=True)
    person = Person.from_mapping({**PERSON, "adresse": LATIN_ADDRESS})
    names = [w.name for w in widgets(pdf)]
    assert names == [f.name for f in forms.fields(data, kind, person)]
    assert not set(FIELDS) & set(names)
    assert "m.alaoui@example.ma" in page_text(pdf)


@pytest.mark.parametrize(
    ("lang", "address"),
    [("fr", ARABIC_ADDRESS), ("ar", LATIN_ADDRESS), ("fr", LATIN_ADDRESS), ("ar", ARABIC_ADDRESS)],
)
def test_a_value_keeps_its_own_order_in_either_direction(render, lang, address):
    # Each value is a first-strong isolate: it reads in its own direction whatever the page's.
    # Without it, "12, Rue…" in Arabic would print "Rue Al Khalil…, 12" and the Arabic address
    # in French would have its number on the wrong side.
    pdf = render("rights-request", lang, address=address, prefilled=True)
    direction = "ar" if bidi_rtl(address) else "fr"
    shown = find(pdf, seen(address, direction))
    assert shown
    label = {"fr": "Adresse", "ar": "العنوان"}[lang]
    label_glyphs = find(pdf, seen(label, lang))
    if lang == "fr":
        assert min(g.x0 for g in shown) > max(g.x1 for g in label_glyphs)
    else:
        assert max(g.x1 for g in shown) < min(g.x0 for g in label_glyphs)


def bidi_rtl(text: str) -> bool:
    first = next(ch for ch in text if unicodedata.bidirectional(ch) in ("L", "R", "AL"))
    return unicodedata.bidirectional(first) != "L"


def test_values_are_isolated_escaped_and_cleaned(data):
    person = Person.from_mapping(
        {"nom": "<b>Alaoui</b> & fils", "prenom": "\u202eMohammed\u200f", "cin": "A1"}
    )
    document = documents.build(data, "rights-request", "ar", person=person)
    spans = {s.get("data-field"): s for s in document.root.iter("span") if s.get("data-field")}
    assert set(spans) == {"nom", "prenom", "cin"}
    assert all(s.get("class") == "value" and len(s) == 0 for s in spans.values())
    assert spans["nom"].text == "\u2068<b>Alaoui</b> & fils\u2069"
    assert spans["prenom"].text == "\u2068Mohammed\u2069"
    # Markup stays text, and the LTR-token pass leaves values alone (no span.ltr inside).
    assert not document.root.findall(".//b")


def test_only_forms_are_prefilled(data):
    with pytest.raises(lib.RenderError, match="only forms"):
        lib.render(data, "notice", "fr", person={"nom": "Alaoui"})


# --------------------------------------------------------------------------------------------
# Refused values


@pytest.mark.parametrize(
    ("values", "field", "secret"),
    [
        ({"cin": "987654"}, "cin", "987654"),
        ({"cin": "ABC12345"}, "cin", "ABC12345"),
        ({"cin": "A1234567"}, "cin", "A1234567"),
        ({"email": "alaoui(at)example.ma"}, "email", "alaoui(at)example.ma"),
        ({"telephone": "12345"}, "telephone", "12345"),
        ({"nom": "X" * 61}, "nom", "X" * 61),
        ({"nom": "Alaoui \U0001f600"}, "nom", "Alaoui"),
        ({"immatriculation": "12#34"}, "immatriculation", "12#34"),
        ({"name": "Alaoui"}, "person", "Alaoui"),
        ({"nom": 42}, "nom", "42"),
    ],
)
def test_bad_values_name_the_field_not_the_value(values, field, secret):
    with pytest.raises(lib.DataError) as caught:
        Person.from_mapping(values)
    assert caught.value.field == field
    assert secret not in str(caught.value)


def test_unknown_key_is_named_only_when_it_looks_like_a_key():
    with pytest.raises(lib.DataError, match="unknown field 'name'"):
        Person.from_mapping({"name": "x"})
    with pytest.raises(lib.DataError) as caught:
        Person.from_mapping({"BE123456": "x"})
    assert "BE123456" not in str(caught.value)


def test_values_are_normalised():
    person = Person.from_mapping(
        {"cin": " ab 12345 ", "nom": "  Ben   Ali ", "email": "", "immatriculation": "a-12"}
    )
    assert person.values == {"nom": "Ben Ali", "cin": "AB12345", "immatriculation": "A-12"}
    assert person["email"] is None


def test_api_rejects_before_rendering(data):
    with pytest.raises(lib.DataError) as caught:
        lib.render(data, "rights-request", "fr", person={"cin": "99999"})
    assert caught.value.field == "cin" and "99999" not in str(caught.value)


def test_shared_validators_check_the_data_too():
    source = lib.assets.default_data().read_text(encoding="utf-8")
    bad = source.replace("website: https://www.cndp.ma", "website: www.cndp.ma")
    with pytest.raises(lib.DataError) as caught:
        lib.loads(bad, "bad.yaml")
    assert caught.value.field == "authority.website"


# --------------------------------------------------------------------------------------------
# Command line


def test_cli_set_prefills_a_private_file(tmp_path, capsys):
    out = tmp_path / "demande.pdf"
    prefill = ["--set", "nom=Alaoui", "--set", "cin=ab123456", "--set", "email=a@b.ma"]
    status = cli.main(["render", "rights-request", "--lang", "ar", "-o", str(out), *prefill])
    assert status == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    pdf = out.read_bytes()
    names = {w.name for w in widgets(pdf)}
    assert not {"nom", "cin", "email"} & names and {"prenom", "adresse"} <= names
    assert find(pdf, "AB123456") and find(pdf, "Alaoui")


@pytest.mark.parametrize(
    ("option", "secret"),
    [("cin=12AB", "12AB"), ("email=nobody", "nobody"), ("age=42", "42"), ("nom", "")],
)
def test_cli_bad_value_exits_2_without_echo(tmp_path, capsys, option, secret):
    out = tmp_path / "x.pdf"
    status = cli.main(
        ["render", "marketing-consent", "--lang", "fr", "-o", str(out), "--set", option]
    )
    assert status == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    if secret:
        assert secret not in err
    assert not out.exists()


def test_cli_blank_form(tmp_path):
    out = tmp_path / "consent.pdf"
    assert cli.main(["render", "marketing-consent", "--lang", "fr", "-o", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert [w.name for w in widgets(out.read_bytes())][:7] == list(FIELDS)
