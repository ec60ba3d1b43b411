"""Which faces a DOCX uses and which characters each sets, and those faces cut down to them.

Word's "embed only the characters used in the document" writes ``w:saveSubsetFonts`` in the
settings and, for each face, a font reduced to the glyphs of the characters it sets, marked
``w:subsetted`` in the font table; a face nothing is set in (italic, where nothing is) is not
embedded. This module finds, for every run of the written document, its family and face as
Word resolves them (document defaults, the paragraph style and its bases, the character style
and its bases, the run's own properties; complex-script properties for right-to-left runs and
Arabic characters), and subsets each face with HarfBuzz, keeping every layout feature so that
Arabic still joins and ligates as with the whole font.

A form is filled on screen: what is typed there is set in the embedded faces too, so a form's
faces also keep the letters, digits and punctuation of both scripts (`TYPING`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

import uharfbuzz as hb
from lxml import etree

from ...errors import RenderError
from .ooxml import W_NS, w

FONT_MODES = ("subset", "full", "none")
"""How a DOCX carries its fonts: ``subset`` (the default: the faces used, cut down to the
characters used), ``full`` (every face whole, for a clerk who will edit the text) or ``none``
(fonts named only, for systems that have them installed)."""

# Characters every face keeps: page numbers (PAGE and NUMPAGES fields are updated on
# opening), the hyphen automatic hyphenation adds, the spaces, the invisible controls the
# writer puts around values and tokens (isolates, marks, joiners): a value's direction then
# changes no face.
ALWAYS = frozenset(map(ord, "0123456789-\u00a0 ")) | {
    0x2010, 0x2011, 0x202F, 0x2060, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C,
    0x200C, 0x200D,
}  # fmt: skip
TYPING = frozenset(
    [*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x152, 0x154), 0x178, 0x20AC,
     0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026,
     *range(0x060C, 0x060E), 0x061B, 0x061F, *range(0x0621, 0x0653), *range(0x0660, 0x066D)]
)  # fmt: skip
"""What a clerk or an insured person may type into a form: Latin-1 with the French œ, Ÿ,
euro sign, dashes, curly quotes and ellipsis; the Arabic letters, short vowels, comma,
semicolon, question mark and Arabic-Indic digits."""

FACE_NAMES = {(False, False): "regular", (True, False): "bold", (False, True): "italic",
              (True, True): "bolditalic"}  # fmt: skip

Usage = dict[tuple[str, str], set[int]]
"""(family, face) -> code points set in it."""

_Props = dict[str, object]


def _on(el: etree._Element) -> bool:
    return el.get(w("val"), "true").lower() not in ("0", "false", "off")


def _run_props(r_pr: etree._Element | None, props: _Props) -> _Props:
    """`props` updated with what a run-properties element sets."""
    if r_pr is None:
        return props
    out = dict(props)
    fonts = r_pr.find(w("rFonts"))
    if fonts is not None:
        for slot in ("ascii", "hAnsi", "cs"):
            if fonts.get(w(slot)):
                out[slot] = fonts.get(w(slot))
    for name in ("b", "bCs", "i", "iCs", "rtl"):
        el = r_pr.find(w(name))
        if el is not None:
            out[name] = _on(el)
    return out


class Styles:
    """The run properties a paragraph or character style gives, bases resolved."""

    def __init__(self, styles: etree._Element) -> None:
        self.by_id = {s.get(w("styleId")): s for s in styles.iter(w("style"))}
        defaults = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        self.defaults = _run_props(defaults, {})
        self._props: dict[str | None, tuple[tuple[str, object], ...]] = {}
        self.default_paragraph = next(
            (s.get(w("styleId")) for s in styles.iter(w("style"))
             if s.get(w("type")) == "paragraph" and _on_attr(s, "default")),
            None,
        )  # fmt: skip

    def props(self, style_id: str | None) -> tuple[tuple[str, object], ...]:
        # Memoised on the instance, not with functools.cache: a cache on the method would hold
        # every document's styles (and their XML) for the life of the process.
        if style_id in self._props:
            return self._props[style_id]
        style = self.by_id.get(style_id)
        if style is None:
            return ()
        base = style.find(w("basedOn"))
        inherited = dict(self.props(base.get(w("val")))) if base is not None else {}
        made = self._props[style_id] = tuple(_run_props(style.find(w("rPr")), inherited).items())
        return made


def _on_attr(el: etree._Element, name: str) -> bool:
    return el.get(w(name), "0").lower() in ("1", "true", "on")


def _arabic(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL", "AN")


def usage(styles: etree._Element, parts: Iterable[etree._Element],
          numbering: etree._Element | None = None) -> Usage:  # fmt: skip
    """The characters set in each (family, face) by the runs of `parts` (the body, headers,
    footers), and the bullets of `numbering`."""
    sheet = Styles(styles)
    used: Usage = {}
    for part in parts:
        for p in part.iter(w("p")):
            p_style = p.find(f"{w('pPr')}/{w('pStyle')}")
            p_id = p_style.get(w("val")) if p_style is not None else sheet.default_paragraph
            base = {**sheet.defaults, **dict(sheet.props(p_id))}
            for r in p.iter(w("r")):
                if r.getparent() is not p and _paragraph_of(r) is not p:
                    continue  # a nested paragraph's run (a text box): counted with it
                r_pr = r.find(w("rPr"))
                props = base
                if r_pr is not None:
                    r_style = r_pr.find(w("rStyle"))
                    if r_style is not None:
                        props = {**props, **dict(sheet.props(r_style.get(w("val"))))}
                props = _run_props(r_pr, props)
                text = "".join(t.text or "" for t in r.iter(w("t")))
                _add(used, text, props)
    if numbering is not None:
        for lvl in numbering.iter(w("lvl")):
            text = lvl.find(w("lvlText"))
            if text is not None and text.get(w("val")):
                _add(used, text.get(w("val")), _run_props(lvl.find(w("rPr")), sheet.defaults))
    return used


def _paragraph_of(el: etree._Element) -> etree._Element | None:
    for ancestor in el.iterancestors(w("p")):
        return ancestor
    return None


def _add(used: Usage, text: str, props: _Props) -> None:
    for ch in text:
        complex_script = bool(props.get("rtl")) or _arabic(ch)
        if complex_script:
            family, bold, italic = props.get("cs"), props.get("bCs"), props.get("iCs")
        else:
            slot = "ascii" if ord(ch) < 0x80 else "hAnsi"
            family, bold, italic = props.get(slot), props.get("b"), props.get("i")
        if not family:
            continue
        face = FACE_NAMES[bool(bold), bool(italic)]
        used.setdefault((str(family), face), set()).add(ord(ch))


def faces_to_embed(used: Usage, families: Mapping[str, Mapping[str, bytes]], *,
                   typing: bool) -> dict[str, dict[str, frozenset[int]]]:  # fmt: skip
    """For each family, the faces to embed and the characters each keeps: the faces that set
    something, each with what it sets (a family's faces all keep its characters of every
    face, so that a clerk's bold or a restyle still finds them), the `ALWAYS` characters; in
    a form, the `TYPING` ones too, and every family's regular face (what is typed may be in
    either script)."""
    out: dict[str, dict[str, frozenset[int]]] = {}
    for name, faces in families.items():
        chars = set().union(*(cps for (family, _), cps in used.items() if family == name))
        chars |= ALWAYS | (TYPING if typing else set())
        kept = {face for (family, face) in used if family == name and face in faces}
        if typing and "regular" in faces:
            kept.add("regular")
        if kept:
            out[name] = {face: frozenset(chars) for face in sorted(kept)}
    return out


@lru_cache(maxsize=32)  # a few faces × the character sets of the documents in use
def subset_face(data: bytes, unicodes: frozenset[int]) -> bytes:
    """A face reduced to the glyphs of `unicodes` and what its layout features reach from
    them (joining forms, ligatures, marks), its names, hinting and metrics kept; the same
    bytes for the same input. HarfBuzz's subsetter (the one browsers and Word-compatible
    tools use): a face in milliseconds, where fontTools took a second."""
    face = hb.Face(data)
    plan = hb.SubsetInput()
    plan.unicode_set.update(unicodes)
    for kept in (
        hb.SubsetInputSets.LAYOUT_FEATURE_TAG,
        hb.SubsetInputSets.LAYOUT_SCRIPT_TAG,
        hb.SubsetInputSets.NAME_ID,
        hb.SubsetInputSets.NAME_LANG_ID,
    ):
        every = plan.sets(kept)  # HarfBuzz's default keeps a few: make it all of them
        every.clear()
        every.invert()
    plan.flags = (
        hb.SubsetFlags.NAME_LEGACY
        | hb.SubsetFlags.NOTDEF_OUTLINE
        | hb.SubsetFlags.GLYPH_NAMES
        | hb.SubsetFlags.NO_PRUNE_UNICODE_RANGES
    )
    made = hb.subset(face, plan)
    if made is None:
        raise RenderError("HarfBuzz could not subset a font for the DOCX")
    return made.blob.data


__all__ = ["ALWAYS", "FONT_MODES", "TYPING", "W_NS", "faces_to_embed", "subset_face", "usage"]
