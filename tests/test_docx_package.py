"""The DOCX as a package fit to send: valid against the schema (openxml-audit, a port of the
Open XML SDK's validator), small (each face embedded cut down to the characters it sets, as
Word's "embed only the characters used"), with the ``docx_fonts`` choices that trade size for
editing.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from fontTools.ttLib import TTFont
from lxml import etree
from openxml_audit import OpenXmlValidator

import cnops_legaldocs as cl
from cnops_legaldocs import documents
from cnops_legaldocs.renderers.docx import fonts as docx_fonts
from cnops_legaldocs.renderers.docx import ooxml
from cnops_legaldocs.renderers.docx import subset as docx_subset
from docxread import Docx, w

EDITIONS = [(kind, lang) for kind in cl.KINDS for lang in cl.EDITIONS]  # build's 15 DOCX
FACES = {"embedRegular": "regular", "embedBold": "bold", "embedItalic": "italic",
         "embedBoldItalic": "bolditalic"}  # fmt: skip
KB = 1024
# The budgets for the default (subset) fonts, per kind and edition.
BUDGET = {"fr": 80 * KB, "ar": 150 * KB, "fr+ar": 250 * KB}
BUDGET_AR = {"rights-request": 200 * KB, "marketing-consent": 200 * KB, "poster": 200 * KB}


def budget(kind: str, lang: str) -> int:
    if lang == "fr" and kind in documents.FORM_KINDS:
        return 150 * KB  # a French form also carries Amiri's letters, for typing Arabic
    return BUDGET_AR.get(kind, BUDGET[lang]) if lang == "ar" else BUDGET[lang]


@pytest.fixture(scope="session")
def written(rendered, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    out = tmp_path_factory.mktemp("docx")
    paths = {}
    for kind, lang in EDITIONS:
        paths[kind, lang] = out / f"{kind}-{lang}.docx"
        paths[kind, lang].write_bytes(rendered(kind, lang, "docx"))
    return paths


@pytest.mark.parametrize("case", EDITIONS, ids="-".join)
def test_openxml_audit_finds_no_error(written, case):
    result = OpenXmlValidator().validate(written[case])
    assert result.error_count == 0, [str(error) for error in result.errors]


@pytest.mark.parametrize("case", EDITIONS, ids="-".join)
def test_every_relationship_id_resolves_in_its_own_part(written, case):
    """A hyperlink in a header or footer names a relationship of that part (the poster's
    footer link once named one of the body's)."""
    with zipfile.ZipFile(written[case]) as z:
        for name in z.namelist():
            if not (name.startswith("word/") and name.endswith(".xml")):
                continue
            rels_name = f"word/_rels/{Path(name).name}.rels"
            ids = set()
            if rels_name in z.namelist():
                ids = {r.get("Id") for r in etree.fromstring(z.read(rels_name))}
            for el in etree.fromstring(z.read(name)).iter():
                for attr in (qn("r:id"), qn("r:embed")):
                    if el.get(attr) is not None:
                        assert el.get(attr) in ids, (name, el.get(attr))


@pytest.mark.parametrize("case", EDITIONS, ids="-".join)
def test_size_within_budget(rendered, case):
    assert len(rendered(*case, "docx")) <= budget(*case)


def embedded(content: bytes) -> dict[tuple[str, str], TTFont]:
    """The faces a DOCX embeds, de-obfuscated: (family, face) -> font."""
    docx = Docx(content)
    table = docx.doc.part.part_related_by(RT.FONT_TABLE)
    out = {}
    for entry in etree.fromstring(table.blob).iter(w("font")):
        for local, face in FACES.items():
            embed = entry.find(w(local))
            if embed is None:
                continue
            part = table.related_parts[embed.get(qn("r:id"))]
            assert part.content_type == ooxml.OBFUSCATED_FONT
            blob = ooxml.obfuscate(part.blob, embed.get(w("fontKey")))
            out[entry.get(w("name")), face] = TTFont(io.BytesIO(blob))
    return out


def text_faces(docx: Docx) -> dict[tuple[str, str], set[str]]:
    """What each (family, face) sets, read with the tests' own property lookup: the run's
    rFonts, bold and italic as Word resolves them (complex-script ones for Arabic)."""
    out: dict[tuple[str, str], set[str]] = {}
    for p in docx.paragraphs():
        for r in p.iter(w("r")):
            text = "".join(t.text or "" for t in r.iter(w("t")))
            if not text:
                continue
            fonts = docx.run_property(p, r, "rFonts")
            rtl = docx.run_property(p, r, "rtl")
            for ch in text:
                arabic = rtl is not None or "\u0600" <= ch <= "\u06ff"
                family = fonts.get(w("cs" if arabic else "ascii")) if fonts is not None else None
                flags = []
                for name in ("bCs", "iCs") if arabic else ("b", "i"):
                    el = docx.run_property(p, r, name)
                    flags.append(el is not None and el.get(w("val"), "1") not in ("0", "false"))
                face = docx_subset.FACE_NAMES[flags[0], flags[1]]
                out.setdefault((family, face), set()).add(ch)
    return out


@pytest.mark.parametrize("case", EDITIONS, ids="-".join)
def test_subset_faces_are_the_ones_used_and_hold_every_character(rendered, case):
    kind, lang = case
    content = rendered(kind, lang, "docx")
    docx = Docx(content)
    settings = docx.doc.settings.element
    assert settings.find(w("embedTrueTypeFonts")) is not None
    assert settings.find(w("saveSubsetFonts")) is not None
    fonts = embedded(content)
    used = text_faces(docx)
    tick_box = "CNOPS Tick Box"
    document_faces = {key for key in fonts if key[0] != tick_box}
    used_faces = {key for key in used if key[0] in {"Amiri", "Noto Serif"}}
    if kind in documents.FORM_KINDS:  # either script may be typed in a form
        used_faces |= {("Amiri", "regular"), ("Noto Serif", "regular")}
    assert document_faces == used_faces
    assert ("Amiri", "italic") not in fonts and ("Amiri", "bolditalic") not in fonts
    for key, chars in used.items():
        if key[0] == tick_box or key not in fonts:
            continue
        cmap = fonts[key].getBestCmap()
        missing = {ch for ch in chars if ord(ch) not in cmap and ch.isprintable()}
        missing -= {"\u2060", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"}
        assert not missing, (key, sorted(missing))
    for key, font in fonts.items():
        if key[0] != tick_box:  # a subset: far fewer glyphs than the whole face
            whole = TTFont(io.BytesIO(docx_fonts.family(key[0]).faces[key[1]]))
            assert len(font.getGlyphOrder()) < len(whole.getGlyphOrder()) / 2, key
            assert "GSUB" in font or key[0] == "Noto Serif"  # Arabic still joins


def test_a_form_keeps_the_letters_to_type_in_both_scripts(rendered):
    fonts = embedded(rendered("rights-request", "fr", "docx"))
    for family in ("Amiri", "Noto Serif"):
        cmap = fonts[family, "regular"].getBestCmap()
        letters = "éèàçœ" if family == "Noto Serif" else "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
        assert all(ord(ch) in cmap for ch in letters + "AZaz09@"), family


def test_arabic_subset_still_joins(rendered):
    """The subset keeps the joining forms and ligatures: shaping "محمد" with the embedded
    face gives the glyphs the whole font gives."""
    import uharfbuzz as hb

    whole = docx_fonts.family("Amiri").faces["regular"]
    part = embedded(rendered("notice", "ar", "docx"))["Amiri", "regular"]
    buf = io.BytesIO()
    part.save(buf)

    def shaped(data: bytes, text: str) -> list[tuple[int, tuple[int, ...]]]:
        """Each glyph HarfBuzz picks: its advance and its outline's box (glyph ids and
        names differ between the whole font and the subset; the shapes do not)."""
        face = hb.Face(data)
        font = hb.Font(face)
        buffer = hb.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        hb.shape(font, buffer)
        tt = TTFont(io.BytesIO(data))
        order, glyf = tt.getGlyphOrder(), tt["glyf"]
        out = []
        for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
            glyph = glyf[order[info.codepoint]]
            box = (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax) if glyph.numberOfContours else ()
            out.append((pos.x_advance, box))
        return out

    for word in ("الحماية", "المعطيات", "لله"):  # joining forms, a lam-alef, a ligature
        assert shaped(buf.getvalue(), word) == shaped(whole, word), word
        assert len({box for _, box in shaped(whole, word)}) > 1


@pytest.mark.parametrize("mode", ["full", "none"])
def test_docx_fonts_modes(data, rendered, mode):
    content = cl.render(data, "notice", "ar", "docx", docx_fonts=mode)
    settings = Docx(content).doc.settings.element
    assert settings.find(w("saveSubsetFonts")) is None
    fonts = embedded(content)
    if mode == "none":
        assert fonts == {}
        assert settings.find(w("embedTrueTypeFonts")) is None
        assert len(content) < 40 * KB
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            assert not [n for n in z.namelist() if n.startswith("word/fonts/")]
        return
    assert {face for family, face in fonts if family == "Amiri"} == set(FACES.values())
    assert len(fonts["Amiri", "regular"].getGlyphOrder()) > 3000  # whole
    assert len(content) > 3 * len(rendered("notice", "ar", "docx"))


def test_docx_fonts_is_refused_for_a_pdf(data):
    with pytest.raises(cl.RenderError, match="DOCX fonts"):
        cl.render(data, "notice", "fr", "pdf", docx_fonts="full")
    with pytest.raises(cl.RenderError, match="unknown DOCX fonts mode"):
        cl.render(data, "notice", "fr", "docx", docx_fonts="some")


def test_a_written_docx_leaves_nothing_behind_in_memory(data):
    """A service renders thousands of DOCX: the styles read to choose the subset faces (and
    the XML they hold) go with each document (a cache on their method kept every one: 1.31×
    the memory after 150 renders), and the subset faces kept are bounded."""
    import gc

    for _ in range(3):
        cl.render(data, "notice", "fr", "docx")
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, docx_subset.Styles)]
    assert docx_subset.subset_face.cache_info().maxsize is not None
