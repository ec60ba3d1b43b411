"""DOCX through python-docx: the document's semantic tree, walked into Word paragraphs, runs
and tables that a clerk can edit and restyle.

Every paragraph takes a named style (a French one and an "… Arabic" variant based on it:
bidi, Amiri, Arabic sizes), so the whole document is restyled from Word's style pane; the
few direct properties are structural (direction, table geometry, list spacing, a centred
number column). Arabic paragraphs are ``bidi`` and their Arabic runs ``rtl``; the LTR tokens
the document isolated (``span.ltr``) stay runs without ``rtl``, isolate characters included,
so that they read left to right in Word and LibreOffice alike. The fonts travel inside the
file (see `docx_fonts`). The XML details live in `ooxml`.

Style values mirror ``templates/style/document.css``; the tests compare the DOCX with the
PDF (words, page size) so that the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import copy
import io
import itertools
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from itertools import groupby

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Mm, Pt
from lxml import etree

from .. import assets
from ..bilingual import SIDES
from ..documents import Document
from ..errors import RenderError
from . import docx_fonts, ooxml

# --------------------------------------------------------------------------------------------
# Page geometry and styles (values of templates/style/document.css)

MM = 72 / 25.4  # points per millimetre


@dataclass(frozen=True)
class _Page:
    width: float  # mm
    height: float
    top: float
    right: float
    bottom: float
    left: float

    @property
    def text_width(self) -> float:
        """Width of the text block, in points."""
        return (self.width - self.left - self.right) * MM


_PAGES = {
    "notice": _Page(210, 297, top=24, right=18, bottom=22, left=18),
    "register": _Page(297, 210, top=20, right=15, bottom=18, left=15),
}
# Between the running header's rule and the text block, as between the block and the footer's.
_FURNITURE_GAP = 0.5  # mm


@dataclass(frozen=True)
class _Role:
    """What a paragraph style looks like, in French and in Arabic (sizes in points,
    spacing in millimetres, line height as a factor of the font size, as in CSS)."""

    name: str
    size: tuple[float, float] = (10.5, 12.5)
    line: tuple[float, float] = (1.45, 1.8)
    bold: bool = False
    color: str | None = None
    before: float = 0
    after: float = 0
    justify: bool = False
    keep_next: bool = False
    outline: int | None = None
    rule: tuple[str, float, float, str] | None = None  # side, width pt, space mm, colour
    end_tab: bool = False
    bullets: bool = False
    hyphenate: bool = True
    next: str | None = None


_ROLES: tuple[_Role, ...] = (
    _Role("Normal", color="111111"),
    _Role("Body Text", after=2, justify=True),
    _Role("Issuer", size=(9, 11), bold=True, color="333333", after=2, next="Title"),
    _Role("Title", size=(19, 22), line=(1.2, 1.5), bold=True, after=1, keep_next=True,
          next="Edition"),
    _Role("Edition", size=(9, 11), color="444444", after=6, next="Body Text"),
    _Role("Heading 1", size=(12.5, 14.5), bold=True, color="1F4E79", before=6, after=2,
          keep_next=True, outline=0, rule=("bottom", 0.6, 0.8, "1F4E79"), next="Body Text"),
    _Role("Heading 2", bold=True, before=3.5, after=1, keep_next=True, outline=1,
          next="Body Text"),
    _Role("List Bullet", after=0.8, bullets=True),
    _Role("Table Heading", size=(9, 11), bold=True, after=1, hyphenate=False),
    _Role("Table Text", size=(9, 11), after=1, hyphenate=False),
    _Role("Note", size=(9, 11), color="333333", before=3, after=2, justify=True),
    _Role("Header", size=(8, 9.5), line=(1.3, 1.3), color="555555",
          rule=("bottom", 0.5, 1.5, "999999"), end_tab=True, hyphenate=False),
    _Role("Footer", size=(8, 9.5), line=(1.3, 1.3), color="555555",
          rule=("top", 0.5, 1.5, "999999"), end_tab=True, hyphenate=False),
)  # fmt: skip
_ROLE = {role.name: role for role in _ROLES}
# The bilingual register sets thirteen columns across the page in smaller type (bilingual.css).
_BILINGUAL_ROLES = {
    "register": (
        _Role("Table Heading", size=(8, 9.5), line=(1.3, 1.4), bold=True, after=1,
              hyphenate=False),
        _Role("Table Text", size=(8, 9.5), line=(1.3, 1.4), after=1, hyphenate=False),
    ),
}  # fmt: skip
ARABIC_SUFFIX = " Arabic"
TABLE_STYLE = "Document Table"
PAIRS_STYLE = "Pairs Table"  # the bilingual edition's columns: no rules
_PAIRS_GUTTER = 4.0  # mm between the French and the Arabic column, as in the PDF
_MIDDLE = {"choices": 9.0}  # mm: the middle column of a row group (a tick box)
_NO_RULE = ("bottom", 0.0, 0.0, "auto")
STRONG, HYPERLINK = "Strong", "Hyperlink"
_TABLE_RULE = (0.5, "8A8A8A")  # width pt, colour
_CELL_PADDING = (1.2, 1.8, 0.2)  # top, sides, bottom (mm); paragraphs add 1 mm below
_BILINGUAL_PADDING = {"register": (0.8, 1.0, 0.0)}
# Column shares (%) of the bilingual contacts table, as bilingual.css fixes them: the French
# columns, the shared e-mail address, the Arabic columns.
_BILINGUAL_COLUMNS = {"contacts": (21, 18, 22, 18, 21)}
_HEADER_FILL = "E8EEF5"
_MEASURE_MARGIN = 1.06
_LIST_INDENT, _LIST_HANGING = 6.0, 3.5  # mm
_LIST_END = 2.0  # mm after a list
_NUM_LTR, _NUM_RTL = 1, 2

_LANGS = {"fr": "fr-MA", "ar": "ar-MA", "fr+ar": "fr-MA"}  # the bilingual edition's first
_FAMILY = {"fr": assets.LATIN_FAMILY, "ar": assets.ARABIC_FAMILY}


def render(document: Document) -> bytes:
    """Lay a document out as a DOCX file and return its bytes (the same for the same input)."""
    return _Writer(document).write()


# --------------------------------------------------------------------------------------------
# Inline content: pieces of text with the formatting the tree gave them


@dataclass(frozen=True)
class _State:
    bold: bool = False
    href: str | None = None
    ltr: bool = False  # inside an isolated left-to-right token
    nowrap: bool = False
    field: str | None = None  # PAGE, NUMPAGES
    literal: bool = False  # a tab that whitespace collapsing must keep


_Piece = tuple[str, _State]
_NOWRAP_CLASSES = {"nobr", "ltr", "ref"}
_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}
_SPACE = " \t\n\r"


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _inline(el: etree._Element, state: _State) -> Iterator[_Piece]:
    """The text of an element and its inline descendants, with their formatting."""
    classes = _classes(el)
    if el.tag in ("strong", "b"):
        state = replace(state, bold=True)
    elif el.tag == "a":
        state = replace(state, href=el.get("href"))
    elif el.tag not in ("span", "td", "th", "li", "p", "h1", "h2", "h3", "header", "footer"):
        raise RenderError(f"the DOCX renderer does not know the inline element <{el.tag}>")
    if "ltr" in classes or el.get("dir") == "ltr":
        state = replace(state, ltr=True)
    if classes & _NOWRAP_CLASSES:
        state = replace(state, nowrap=True)
    field = next((_FIELDS[c] for c in classes if c in _FIELDS), None)
    if field:
        yield "", replace(state, field=field)
        return
    if el.text:
        yield el.text, state
    for child in el:
        if child.tag == "br":
            yield "\n", replace(state, literal=True)
        else:
            yield from _inline(child, state)
        if child.tail:
            yield child.tail, state


def _collapse(pieces: list[_Piece]) -> list[_Piece]:
    """HTML white-space: runs of spaces and newlines become one space, none at the ends."""
    out: list[_Piece] = []
    after_space = True
    for text, state in pieces:
        if state.field or state.literal:
            out.append((text, state))
            after_space = state.literal
            continue
        chars = []
        for ch in text:
            if ch in _SPACE:
                if not after_space:
                    chars.append(" ")
                after_space = True
            else:
                chars.append(ch)
                after_space = False
        if chars:
            out.append(("".join(chars), state))
    while out and not out[-1][1].field and out[-1][0].endswith(" "):
        text, state = out.pop()
        if text.rstrip(" "):
            out.append((text.rstrip(" "), state))
    return out


def _direction_runs(text: str, rtl_context: bool) -> Iterator[tuple[str, bool]]:
    """Split text where its strong direction changes; neutrals stay with what precedes them
    (at the start, with the paragraph): yields (text, is_rtl)."""
    current, start = rtl_context, 0
    for i, ch in enumerate(text):
        kind = unicodedata.bidirectional(ch)
        strong = True if kind in ("R", "AL") else False if kind == "L" else None
        if strong is not None and strong != current:
            if i > start:
                yield text[start:i], current
            current, start = strong, i
    if start < len(text):
        yield text[start:], current


WORD_JOINER = "\u2060"
NARROW_NO_BREAK_SPACE = "\u202f"


def _no_break(text: str, rtl_paragraph: bool) -> str:
    """A token that must not wrap (``white-space: nowrap``): no-break spaces, and hyphens
    that do not break. Word's own no-break hyphen (U+2011) serves in left-to-right text; in a
    right-to-left paragraph LibreOffice 7.4 cuts a token holding one anywhere at a line end
    ("AMO-Pub|lic", "D-VS-157/201|6"), so there a word joiner follows the hyphen instead; it
    also breaks a number at a no-break space there ("05 38 00 20 2|0", seen in the narrow
    columns of the bilingual edition), and not at a narrow no-break space, which the digit
    groups of a phone number take instead."""
    text = text.replace(" ", "\u00a0")
    if rtl_paragraph:
        return text.replace("-", "-" + WORD_JOINER).replace("\u00a0", NARROW_NO_BREAK_SPACE)
    return text.replace("-", ooxml.NO_BREAK_HYPHEN)


_OPENING = ("Ps", "Pi")  # Unicode categories of opening brackets and quotes


def _glue_openers(pieces: list[_Piece]) -> list[_Piece]:
    """A word joiner between an opening bracket and the isolated token it opens: LibreOffice
    7.4 would break the line between them, leaving "(" alone at the line end."""
    out = list(pieces)
    for i, ((text, state), (_, following)) in enumerate(itertools.pairwise(pieces)):
        opens = bool(text) and unicodedata.category(text[-1]) in _OPENING
        if opens and not state.ltr and following.ltr:
            out[i] = (text + WORD_JOINER, state)
    return out


# --------------------------------------------------------------------------------------------
# The writer


class _Writer:
    def __init__(self, document: Document) -> None:
        self.source = document
        self.languages = document.languages
        # The language of what is being written: the document's, or a bilingual cell's.
        self.lang = document.languages[0]
        self.rtl = document.direction == "rtl"
        self.page = _PAGES[document.kind]
        self.width = self.page.text_width  # of the container being written, in points
        bilingual = len(self.languages) > 1
        overrides = _BILINGUAL_ROLES.get(document.kind, ()) if bilingual else ()
        self.roles = _ROLE | {role.name: role for role in overrides}
        padding = _BILINGUAL_PADDING.get(document.kind) if bilingual else None
        self.padding = padding or _CELL_PADDING
        self.doc = docx.Document()
        self.links: dict[str, str] = {}

    # -- entry -----------------------------------------------------------------------------

    def write(self) -> bytes:
        body = self.source.root.find("body")
        if body is None:
            raise RenderError("the document has no body")
        self._package()
        self._styles()
        self._numbering()
        self._section(body)
        for el in body:
            if el.tag not in ("header", "footer"):
                self._block(el, self.doc)
        out = io.BytesIO()
        self.doc.save(out)
        return ooxml.reproducible_zip(out.getvalue())

    def style(self, role: str) -> str:
        """The style name of a role in the current language."""
        return role + ARABIC_SUFFIX if self.rtl else role

    @contextmanager
    def language(self, el: etree._Element, width: float | None = None) -> Iterator[None]:
        """Write an element in its own language (``lang``, in the bilingual edition) and
        within `width` points, then return to the surrounding ones."""
        saved = self.lang, self.rtl, self.width
        lang = el.get("lang")
        if lang in _FAMILY:
            self.lang, self.rtl = lang, lang == "ar"
        if width is not None:
            self.width = width
        try:
            yield
        finally:
            self.lang, self.rtl, self.width = saved

    # -- package, properties, fonts --------------------------------------------------------

    def _package(self) -> None:
        part = self.doc.part
        package = part.package
        # The template's extras: a thumbnail, Word 2010 style effects, a bibliography store.
        ooxml.drop_relationships(package, [RT.THUMBNAIL])
        ooxml.drop_relationships(part, [ooxml.RT_STYLES_WITH_EFFECTS, RT.CUSTOM_XML])
        ooxml.replace_part(
            package,
            RT.EXTENDED_PROPERTIES,
            CT.OFC_EXTENDED_PROPERTIES,
            ooxml.app_properties("cnops-legaldocs"),
        )
        families = [
            docx_fonts.family(_FAMILY[lang]) if lang in self.languages
            else replace(docx_fonts.family(_FAMILY[lang]), faces={})
            for lang in ("fr", "ar")
        ]  # fmt: skip
        ooxml.font_table(part, families)
        ooxml.set_settings(
            self.doc.settings.element,
            latin_lang=_LANGS["fr"],
            bidi_lang=_LANGS["ar"],
            hyphenate=not self.rtl,
        )
        props = self.doc.core_properties
        created = ooxml.midnight_utc(self.source.created)
        props.title = self.source.title
        props.subject = self.source.subject
        props.author = props.last_modified_by = self.source.author
        props.keywords = ", ".join(self.source.keywords)
        props.language = _LANGS[self.source.lang]
        props.comments = ""
        props.category = ""
        props.revision = 1
        props.created = props.modified = created

    # -- styles ----------------------------------------------------------------------------

    def _styles(self) -> None:
        styles = self.doc.styles
        element = styles.element
        for style in element.findall(ooxml.w("style")):
            if style.get(ooxml.w("default")) != "1":
                element.remove(style)  # keep only the defaults Word expects
        defaults = element.find(ooxml.w("docDefaults"))
        r_pr = ooxml.rpr(defaults.find(ooxml.w("rPrDefault")))
        ooxml.set_fonts(r_pr, assets.LATIN_FAMILY, assets.ARABIC_FAMILY)
        ooxml.set_sizes(r_pr, *self.roles["Normal"].size)
        ooxml.set_lang(r_pr, _LANGS["fr"], _LANGS["ar"])
        p_pr = ooxml.ppr(defaults.find(ooxml.w("pPrDefault")))
        ooxml.set_spacing(p_pr, 0, 0, None)
        ooxml.set_widow_control(p_pr)

        for role in self.roles.values():
            for arabic in (False, True):
                self._paragraph_style(role, arabic)
        for role in self.roles.values():  # once all exist: the style Enter gives after this one
            for suffix in ("", ARABIC_SUFFIX):
                if role.next:
                    styles[role.name + suffix].next_paragraph_style = styles[role.next + suffix]
        strong = styles.add_style(STRONG, WD_STYLE_TYPE.CHARACTER)
        strong.quick_style = True
        ooxml.set_bold(ooxml.rpr(strong.element))
        link = styles.add_style(HYPERLINK, WD_STYLE_TYPE.CHARACTER)
        ooxml.set_no_underline(ooxml.rpr(link.element))  # as in the PDF: plain text
        table = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
        table.base_style = styles["Normal Table"]
        tbl_pr = ooxml.prop(table.element, "tblPr")
        ooxml.set_table_borders(tbl_pr, *_TABLE_RULE)
        top, side, bottom = (v * MM for v in self.padding)
        ooxml.set_cell_margins(tbl_pr, top, side, bottom)
        if len(self.languages) > 1:
            pairs = styles.add_style(PAIRS_STYLE, WD_STYLE_TYPE.TABLE)
            pairs.base_style = styles["Normal Table"]
            gutter = _PAIRS_GUTTER / 2 * MM
            ooxml.set_cell_margins(ooxml.prop(pairs.element, "tblPr"), 0, gutter, 0)

    def _paragraph_style(self, role: _Role, arabic: bool) -> None:
        styles = self.doc.styles
        name = role.name + (ARABIC_SUFFIX if arabic else "")
        if role.name == "Normal" and not arabic:
            style = styles["Normal"]
        else:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.style_id = name.replace(" ", "")  # Word's own ids: "Header", not "header"
            style.base_style = styles[role.name if arabic else "Normal"]
        style.quick_style = role.name not in ("Normal", "Header", "Footer")
        lang = "ar" if arabic else "fr"
        latin, script = role.size
        size = script if arabic else latin
        family = _FAMILY[lang]
        line = role.line[arabic] * size
        r_pr, p_pr = ooxml.rpr(style.element), ooxml.ppr(style.element)
        if arabic:
            ooxml.set_fonts(r_pr, family, family)
            ooxml.set_bidi(p_pr)
        ooxml.set_sizes(r_pr, size, script)
        if role.bold:
            ooxml.set_bold(r_pr)
        if role.color:
            ooxml.set_color(r_pr, role.color)
        ooxml.set_spacing(p_pr, role.before * MM, role.after * MM, line)
        if role.justify:
            ooxml.set_alignment(p_pr, "left" if arabic else "both")
        if role.keep_next:
            ooxml.set_keep_next(p_pr)
        if role.outline is not None:
            ooxml.set_outline_level(p_pr, role.outline)
        if not role.hyphenate:
            ooxml.set_no_hyphenation(p_pr)
        if role.rule:
            side, width, space, color = role.rule
            ooxml.set_border(p_pr, side, width, space * MM, color)
        if role.end_tab:
            ooxml.set_end_tab(p_pr, self.page.text_width)
        if role.bullets:
            ooxml.set_numbering(p_pr, _NUM_RTL if arabic else _NUM_LTR)

    def _numbering(self) -> None:
        # Created lazily by python-docx's template: the part exists, its content is replaced.
        numbering = self.doc.part.numbering_part.element
        lists = {
            num_id: ooxml.BulletList(
                label="•",
                font=_FAMILY[lang],
                indent_pt=_LIST_INDENT * MM,
                hanging_pt=_LIST_HANGING * MM,
                rtl=lang == "ar",
            )
            for num_id, lang in ((_NUM_LTR, "fr"), (_NUM_RTL, "ar"))
        }
        ooxml.bullet_definitions(numbering, lists)

    # -- section, header, footer -----------------------------------------------------------

    def _section(self, body: etree._Element) -> None:
        section = self.doc.sections[0]
        page = self.page
        landscape = page.width > page.height
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(page.width), Mm(page.height)
        section.top_margin, section.bottom_margin = Mm(page.top), Mm(page.bottom)
        section.left_margin, section.right_margin = Mm(page.left), Mm(page.right)
        # As in the PDF, the header sits in the top margin with its rule on the margin's edge,
        # the footer likewise below the text block: the block keeps the whole page area.
        gap = _FURNITURE_GAP * MM
        header, footer = body.find("header"), body.find("footer")
        height = partial(self._furniture_height)
        section.header_distance = Pt(page.top * MM - height("Header", header) - gap)
        section.footer_distance = Pt(page.bottom * MM - height("Footer", footer) - gap)
        section.gutter = Mm(0)
        if self.rtl:
            ooxml.set_section_rtl(section._sectPr)
        # As in the PDF, the first page carries the title block instead of a running header.
        section.different_first_page_header_footer = True
        if header is not None:
            self._furniture(header, section.header, "Header")
            blank = section.first_page_header.paragraphs[0]
            blank.style = self.doc.styles["Normal"]
            if self.rtl:
                ooxml.set_bidi(ooxml.ppr(blank._p))
        if footer is not None:
            self._furniture(footer, section.footer, "Footer")
            self._furniture(footer, section.first_page_footer, "Footer")

    def _furniture_height(self, role: str, el: etree._Element | None) -> float:
        """Height of a running header or footer with its rule, in points: one line, or in
        the bilingual edition a line per item of its taller half."""
        spec = self.roles[role]
        halves = _halves(el) if el is not None else []
        lines = max((len(half) for half in halves), default=1)
        line = max(spec.line[arabic] * spec.size[arabic]
                   for arabic in {lang == "ar" for lang in self.languages})  # fmt: skip
        rule = (spec.rule[2] * MM + spec.rule[1]) if spec.rule else 0
        return lines * line + rule

    def _furniture(self, el: etree._Element, part: object, role: str) -> None:
        """A running header or footer: its items spread from the start to the end edge; in
        the bilingual edition, a half for each language, its items one under the other."""
        halves = _halves(el)
        if halves:
            self._furniture_halves(halves, part, role)
            return
        paragraph = part.paragraphs[0]  # type: ignore[attr-defined]
        paragraph.style = self.doc.styles[self.style(role)]
        if self.rtl:
            ooxml.set_bidi(ooxml.ppr(paragraph._p))
        pieces: list[_Piece] = []
        for i, child in enumerate(el):
            if i:
                pieces.append(("\t", _State(literal=True)))
            pieces.extend(_collapse(list(_inline(child, _State()))))
        self._fill(paragraph._p, pieces)

    def _furniture_halves(self, halves: list[etree._Element], part: object, role: str) -> None:
        table = self._layout_table(part, [self.width / len(halves)] * len(halves))
        table._tbl.getparent().insert(0, table._tbl)  # before the part's own paragraph
        row = table.add_row()
        for cell, half in zip(row.cells, halves, strict=True):
            with self.language(half, self.width / len(halves) - _PAIRS_GUTTER * MM):
                for item in half:
                    paragraph = cell.add_paragraph()
                    paragraph.style = self.doc.styles[self.style(role)]
                    if self.rtl:
                        ooxml.set_bidi(ooxml.ppr(paragraph._p))
                    self._fill(paragraph._p, _collapse(list(_inline(item, _State()))))
            _drop_leading_empty(cell)
        # A header ends with a paragraph: the part's own, made as small as can be.
        last = part.paragraphs[-1]  # type: ignore[attr-defined]
        last.style = self.doc.styles["Normal"]
        p_pr = ooxml.ppr(last._p)
        ooxml.set_spacing(p_pr, 0, 0, 1)
        ooxml.set_sizes(ooxml.prop(p_pr, "rPr"), 1, 1)

    # -- blocks ----------------------------------------------------------------------------

    def _block(self, el: etree._Element, container: object) -> None:
        tag, classes = el.tag, _classes(el)
        if tag == "div" and "pairs" in classes:
            self._pairs(el, container)
        elif tag in ("section", "div"):
            for child in el:
                self._block(child, container)
        elif tag == "p":
            role = next((r for r in ("Issuer", "Edition", "Note") if r.lower() in classes),
                        "Body Text")  # fmt: skip
            self._paragraph(container, el, role)
        elif tag in ("h1", "h2", "h3"):
            self._paragraph(container, el, {"h1": "Title", "h2": "Heading 1",
                                            "h3": "Heading 2"}[tag])  # fmt: skip
        elif tag == "ul":
            items = [li for li in el if li.tag == "li"]
            for i, li in enumerate(items):
                p = self._paragraph(container, li, "List Bullet")
                if i == len(items) - 1:  # the list's own margin below its last item
                    ooxml.set_space_after(ooxml.ppr(p), _LIST_END * MM)
        elif tag == "table":
            self._table(el, container)
        else:
            raise RenderError(f"the DOCX renderer does not know the block element <{tag}>")

    def _paragraph(
        self,
        container: object,
        el: etree._Element,
        role: str,
        *,
        existing: object | None = None,
    ) -> etree._Element:
        with self.language(el):
            paragraph = existing or container.add_paragraph()  # type: ignore[attr-defined]
            paragraph.style = self.doc.styles[self.style(role)]
            p = paragraph._p
            if self.rtl:
                ooxml.set_bidi(ooxml.ppr(p))
            self._fill(p, _collapse(list(_inline(el, _State()))))
        return p

    def _fill(self, p: etree._Element, pieces: list[_Piece]) -> None:
        """Append runs (grouped in hyperlinks where the tree had links) to a paragraph."""
        if self.rtl:
            pieces = _glue_openers(pieces)
        for href, group in groupby(pieces, key=lambda piece: piece[1].href):
            target = p
            if href:
                target = ooxml.add_hyperlink(p, self._link(href))
            for text, state in group:
                style = STRONG if state.bold else HYPERLINK if href else None
                if state.field:
                    ooxml.add_field(target, state.field, "1", style=style)
                    continue
                if state.nowrap:
                    text = _no_break(text, self.rtl)
                if state.ltr:
                    ooxml.add_run(target, text, style=style)
                    continue
                for chunk, rtl in _direction_runs(text, self.rtl):
                    ooxml.add_run(target, chunk, style=style, rtl=rtl)

    def _link(self, href: str) -> str:
        if href not in self.links:
            self.links[href] = self.doc.part.relate_to(href, RT.HYPERLINK, is_external=True)
        return self.links[href]

    # -- tables ----------------------------------------------------------------------------

    def _pairs(self, el: etree._Element, container: object) -> None:
        """The bilingual edition's rows of pairs: a table without rules, French column,
        (a shared middle,) Arabic column, each cell written in its own language."""
        rows = [row for row in el if row.tag == "div"]
        columns = max((len(row) for row in rows), default=0)
        if not columns:
            return
        middle = next((mm for name, mm in _MIDDLE.items() if name in _classes(el)), None)
        if columns == 3:
            mid = (middle * MM) if middle else self.width / 4
            widths = [(self.width - mid) / 2, mid, (self.width - mid) / 2]
        else:
            widths = [self.width / columns] * columns
        table = self._layout_table(container, widths)
        after_rule, rule_after = False, self.roles["Heading 1"].after * MM
        for row_el in rows:
            row = table.add_row()
            ooxml.set_row(row._tr.get_or_add_trPr(), header=False)  # a pair is never split
            ruled = "h2" in _classes(row_el)
            for cell, cell_el, width in zip(row.cells, row_el, widths, strict=False):
                tc_pr = cell._tc.get_or_add_tcPr()
                if after_rule:
                    ooxml.set_cell_space(tc_pr, "top", rule_after)
                with self.language(cell_el, width - _PAIRS_GUTTER * MM):
                    for child in _blocks_of(cell_el):
                        self._block(child, cell)
                _drop_leading_empty(cell)
                if ruled:  # one rule under the pair, at one height (bilingual.css)
                    side, rule_width, space, color = self.roles["Heading 1"].rule or _NO_RULE
                    ooxml.set_cell_rule(tc_pr, side, rule_width, color)
                    for p in cell._tc.iter(ooxml.w("p")):
                        ooxml.set_no_border(ooxml.ppr(p), side)
                        ooxml.set_space_after(ooxml.ppr(p), space * MM)
            after_rule = ruled

    def _layout_table(self, container: object, widths: list[float]) -> object:
        """A table without rules, of the given column widths, across the container."""
        table = _add_table(container, len(widths), self.width)
        tbl = table._tbl
        ooxml.set_table(tbl.tblPr, style=self.doc.styles[PAIRS_STYLE].style_id,
                        width_pt=sum(widths), rtl=False, header_row=False)  # fmt: skip
        ooxml.set_table_grid(tbl, widths)
        return table

    def _table(self, el: etree._Element, container: object) -> None:
        rows: list[tuple[etree._Element, bool]] = []
        for child in el:
            if child.tag in ("thead", "tbody", "tfoot"):
                rows += [(tr, child.tag == "thead") for tr in child if tr.tag == "tr"]
            elif child.tag == "tr":
                rows.append((child, False))
        if not rows:
            return
        columns = max(sum(_span(cell) for cell in tr) for tr, _ in rows)
        shares = next((v for k, v in _BILINGUAL_COLUMNS.items() if k in _classes(el)), None)
        if shares and _bilingual(rows) and len(shares) == columns:
            widths = [self.width * share / sum(shares) for share in shares]
        else:
            widths = self._column_widths(rows, columns)
        table = _add_table(container, columns, self.width)
        tbl = table._tbl
        ooxml.set_table(
            tbl.tblPr,
            style=self.doc.styles[TABLE_STYLE].style_id,
            width_pt=self.width,
            rtl=self.rtl,
            header_row=any(head for _, head in rows),
        )
        ooxml.set_table_grid(tbl, widths)
        for tr, head in rows:
            row = table.add_row()
            ooxml.set_row(row._tr.get_or_add_trPr(), header=head)
            col = 0
            for cell_el in tr:
                span = _span(cell_el)
                cell = row.cells[col]
                if span > 1:
                    cell = cell.merge(row.cells[col + span - 1])
                heading = cell_el.tag == "th"
                ooxml.set_cell(
                    cell._tc.get_or_add_tcPr(),
                    width_pt=sum(widths[col : col + span]),
                    fill=_HEADER_FILL if heading else None,
                )
                self._cell(cell, cell_el, "Table Heading" if heading else "Table Text")
                col += span

    def _cell(self, cell: object, el: etree._Element, role: str) -> None:
        blocks = [child for child in el if child.tag == "p"]
        sources = blocks or [el]
        first = cell.paragraphs[0]  # type: ignore[attr-defined]
        with self.language(el):
            for i, source in enumerate(sources):
                p = self._paragraph(cell, source, role, existing=first if i == 0 else None)
                if "num" in _classes(el) or (source is not el and source.get("lang")):
                    ooxml.set_alignment(ooxml.ppr(p), "center")  # a number; a shared heading

    def _column_widths(self, rows: list[tuple[etree._Element, bool]], columns: int) -> list[float]:
        """Column widths as CSS's automatic table layout would give them: each column gets
        at least its longest unbreakable piece, then room in proportion to its content."""
        pad = 2 * self.padding[1] * MM + _TABLE_RULE[0]
        low, high = [pad] * columns, [pad] * columns
        for tr, head in rows:
            col = 0
            for cell in tr:
                span = _span(cell)
                if span == 1:
                    role = self.roles["Table Heading" if head else "Table Text"]
                    for source in [c for c in cell if c.tag == "p"] or [cell]:
                        with self.language(cell), self.language(source):
                            family, size = _FAMILY[self.lang], role.size[self.rtl]
                        pieces = _collapse(list(_inline(source, _State())))
                        text = "".join(t for t, _ in pieces)
                        words = _unbreakable(pieces)
                        width = partial(docx_fonts.text_width, name=family, size_pt=size,
                                        bold=role.bold)  # fmt: skip
                        high[col] = max(high[col], width(text) + pad)
                        # The estimate ignores kerning: a margin keeps a whole token whole.
                        longest = max(map(width, words), default=0) * _MEASURE_MARGIN
                        low[col] = max(low[col], longest + pad)
                col += span
        if _bilingual(rows):  # French columns, shared ones, the Arabic mirror of the French
            low = [max(a, b) for a, b in zip(low, reversed(low), strict=True)]
            high = [max(a, b) for a, b in zip(high, reversed(high), strict=True)]
        total = self.width
        if sum(high) <= total:
            return [h * total / sum(high) for h in high]
        if sum(low) >= total:
            return [lo * total / sum(low) for lo in low]
        extra = [h - lo for lo, h in zip(low, high, strict=True)]
        room = total - sum(low)
        return [lo + room * e / sum(extra) for lo, e in zip(low, extra, strict=True)]


def _bilingual(rows: list[tuple[etree._Element, bool]]) -> bool:
    """Whether a table's rows are the bilingual edition's: French cells, then Arabic."""
    langs = {cell.get("lang") for tr, _ in rows for cell in tr}
    return {"fr", "ar"} <= langs


_BLOCKS = frozenset({"section", "div", "p", "h1", "h2", "h3", "ul", "ol", "table"})


def _blocks_of(el: etree._Element) -> list[etree._Element]:
    """An element's blocks, its loose inline content (a tick box's label, the box itself)
    gathered into paragraphs of their own."""
    out: list[etree._Element] = []
    loose: etree._Element | None = None
    if (el.text or "").strip():
        loose = etree.Element("p")
        loose.text = el.text
        out.append(loose)
    for child in el:
        if child.tag in _BLOCKS:
            out.append(child)
            loose = None
            continue
        if loose is None:
            loose = etree.Element("p")
            out.append(loose)
        loose.append(copy.deepcopy(child))
    return out


def _halves(el: etree._Element) -> list[etree._Element]:
    """The language halves of a bilingual running header or footer (none otherwise)."""
    return [child for child in el if "half" in _classes(child) and child.get("lang") in SIDES]


def _add_table(container: object, columns: int, width_pt: float) -> object:
    """An empty table at the end of a document, table cell, header or footer."""
    if isinstance(container, docx.document.Document):
        return container.add_table(rows=0, cols=columns)
    try:
        return container.add_table(0, columns, Pt(width_pt))  # type: ignore[attr-defined]
    except TypeError:  # a table cell takes no width
        return container.add_table(0, columns)  # type: ignore[attr-defined]


def _drop_leading_empty(cell: object) -> None:
    """Remove the empty paragraph a new cell starts with, once something follows it."""
    tc = cell._tc  # type: ignore[attr-defined]
    first = tc.find(ooxml.w("p"))
    blocks = [child for child in tc if child.tag in (ooxml.w("p"), ooxml.w("tbl"))]
    if (
        first is not None
        and len(blocks) > 1
        and blocks[0] is first
        and not len(first.findall(ooxml.w("r")))
    ):
        tc.remove(first)


def _span(cell: etree._Element) -> int:
    try:
        return max(1, int(cell.get("colspan", "1")))
    except ValueError:
        return 1


def _unbreakable(pieces: list[_Piece]) -> list[str]:
    """The pieces of text a line cannot break inside: words, and no-wrap tokens whole."""
    out: list[str] = []
    for nowrap, group in groupby(pieces, key=lambda piece: piece[1].nowrap):
        text = "".join(t for t, _ in group)
        out += [text] if nowrap else text.split()
    return out
