"""The named styles of each kind of DOCX: what a paragraph role looks like, in French and in
Arabic, written into the style sheet so that a clerk restyles the document from Word's style
pane.

A role is one paragraph style and its "… Arabic" variant (bidi, Amiri, Arabic sizes), based
on it. The values mirror the print CSS (``templates/style/document.css``, ``forms.css``,
``poster.css``): sizes in points, spacing in millimetres, line heights as factors of the font
size. The tests compare each DOCX with its PDF (words, pages) so that the two cannot drift
apart unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import docx.document
from docx.enum.style import WD_STYLE_TYPE

from ... import assets
from . import fonts as docx_fonts
from . import ooxml

MM = 72 / 25.4  # points per millimetre
ARABIC_SUFFIX = " Arabic"
DOCUMENT_TABLE, LAYOUT_TABLE = "Document Table", "Layout Table"
PAIRS_TABLE = "Pairs Table"  # the bilingual edition's columns: no rules, a gutter between
STRONG, HYPERLINK, TICK_BOX, BLANK = "Strong", "Hyperlink", "Tick Box", "Blank"
STRONG_ACCENT, ACCENT = "Strong Accent", "1F4E79"


def style_id(name: str) -> str:
    """The id a style of `name` has here (Word's way: "Table Text" is "TableText"); runs and
    paragraphs refer to styles by id."""
    return name.replace(" ", "")


FAMILY = {"fr": assets.LATIN_FAMILY, "ar": assets.ARABIC_FAMILY}
LANGS = {"fr": "fr-MA", "ar": "ar-MA"}


@dataclass(frozen=True)
class Role:
    """What a paragraph style looks like, in French and in Arabic (sizes in points,
    spacing in millimetres, line height as a factor of the font size, as in CSS)."""

    name: str
    size: tuple[float, float] = (10.5, 12.5)
    line: tuple[float, float] = (1.45, 1.8)
    line_pt: float | None = None  # an exact line height in points, whatever the size
    auto_line: bool = False  # lines as high as what they hold (a picture), not exact
    bold: bool = False
    italic: bool = False  # in French only: Arabic has no italic tradition
    color: str | None = None
    before: float = 0
    after: float = 0
    justify: bool = False
    align: str | None = None  # "center", or "end" (right in French, left in Arabic)
    keep_next: bool = False
    outline: int | None = None
    rule: tuple[str, float, float, str] | None = None  # side, width pt, space mm, colour
    box: tuple[float, str, str, float, float] | None = None  # width pt, colour, line, v/h mm
    between: tuple[float, str] | None = None  # a rule between boxed lines: width pt, colour
    fill: str | None = None
    indent: tuple[float, float] = (0, 0)  # start, hanging (mm)
    end_tab: bool = False
    bullets: tuple[float, float] | None = None  # text indent, label offset (mm)
    hyphenate: bool = True
    latin: str | None = None  # the family of Latin text when not the language's
    accent: bool = False  # its strong text in the accent colour (STRONG_ACCENT)
    next: str | None = None


_HEADER = Role("Header", size=(8, 9.5), line=(1.3, 1.3), color="555555",
               rule=("bottom", 0.5, 1.5, "999999"), end_tab=True, hyphenate=False)  # fmt: skip
_FOOTER = replace(_HEADER, name="Footer", rule=("top", 0.5, 1.5, "999999"))

DOCUMENT_ROLES: tuple[Role, ...] = (
    Role("Normal", color="111111"),
    Role("Body Text", after=2, justify=True),
    Role("Issuer", size=(9, 11), bold=True, color="333333", after=2, next="Title"),
    Role("Title", size=(19, 22), line=(1.2, 1.5), bold=True, after=1, keep_next=True,
         next="Edition"),
    Role("Edition", size=(9, 11), color="444444", after=6, next="Body Text"),
    Role("Heading 1", size=(12.5, 14.5), bold=True, color="1F4E79", before=6, after=2,
         keep_next=True, outline=0, rule=("bottom", 0.6, 0.8, "1F4E79"), next="Body Text"),
    Role("Heading 2", bold=True, before=3.5, after=1, keep_next=True, outline=1,
         next="Body Text"),
    Role("List Bullet", after=0.8, bullets=(6.0, 3.5)),
    Role("Table Heading", size=(9, 11), bold=True, after=1, hyphenate=False),
    Role("Table Text", size=(9, 11), after=1, hyphenate=False),
    Role("Note", size=(9, 11), color="333333", before=3, after=2, justify=True),
    _HEADER,
    _FOOTER,
)  # fmt: skip
"""The notice and the register (document.css)."""

FIELD_LINE, FIELD_PADDING = 5.6, 1.1  # mm: a text box's line and the room above and below
# it, as in forms.css (with the borders, 8.2 mm for one line; a long value wraps, the box
# growing a line at a time)
SIGNATURE_HEIGHT = 22.0  # mm: the box to sign in
RULED_LINES, RULE_PITCH = 10, 8.0  # the request's box: 10 lines 8 mm apart (80 mm)
_FORM_BOX = (0.6, "444444", "single", 0, 1.5)

FORM_ROLES: tuple[Role, ...] = (
    Role("Normal", size=(9, 11), line=(1.3, 1.45), color="111111"),
    Role("Body Text", size=(9, 11), line=(1.3, 1.45), after=1.5),
    Role("Issuer", size=(9, 11), line=(1.3, 1.45), bold=True, color="333333", after=1,
         next="Title"),
    Role("Title", size=(14, 17), line=(1.2, 1.35), bold=True, after=1, keep_next=True,
         next="Subtitle"),
    Role("Subtitle", size=(8, 10), line=(1.3, 1.45), color="333333", after=1, next="Body Text"),
    Role("Instructions", size=(9, 11), line=(1.3, 1.45), italic=True, after=1.5),
    Role("Heading 1", size=(9.5, 11.5), line=(1.3, 1.45), bold=True, color="1F4E79",
         before=3.6, after=2.1, keep_next=True, outline=0, fill="E8EEF5",
         box=(0.1, "E8EEF5", "single", 0.6, 1.5), next="Body Text"),
    Role("Heading 2", size=(9, 10.5), line=(1.3, 1.45), bold=True, color="1F4E79", before=4,
         after=1, keep_next=True, outline=1, rule=("bottom", 0.5, 0.5, "1F4E79")),
    Role("List Bullet", size=(8.5, 10), line=(1.35, 1.35), color="222222", after=0.5,
         bullets=(4.0, 3.0)),
    Role("Choice", size=(9, 11), line=(1.3, 1.45), after=0.8, indent=(6, 6)),
    Role("Choice Small", size=(8.5, 10), line=(1.3, 1.35), after=1, indent=(6, 6)),
    Role("Contact", size=(8.5, 10), line=(1.3, 1.35), color="333333", before=1.5, after=0.6,
         keep_next=True, accent=True),
    Role("Field Label", size=(9, 11), line=(1.3, 1.45), hyphenate=False),
    Role("Field", size=(10, 11.5), line_pt=FIELD_LINE * MM, before=0.6, after=0.6,
         box=(*_FORM_BOX[:3], FIELD_PADDING, _FORM_BOX[4]), hyphenate=False),
    Role("Signature", size=(10, 11.5), line_pt=SIGNATURE_HEIGHT * MM - 2 * _FORM_BOX[0],
         box=_FORM_BOX, hyphenate=False),
    Role("Ruled Line", size=(10, 11.5), line_pt=RULE_PITCH * MM, box=_FORM_BOX,
         between=(0.4, "AAAAAA"), hyphenate=False),
    Role("Reserved", size=(8, 9.5), line=(1.3, 1.45), color="333333", before=2,
         box=(0.6, "777777", "dashed", 1.2, 2)),
    _HEADER,
    _FOOTER,
)  # fmt: skip
"""The rights request and the marketing consent (forms.css): the ruled lines' line height is
their pitch, the signature box's its height less its borders."""


def poster_roles(rem: float) -> tuple[Role, ...]:
    """The poster's roles (poster.css) for a root size `rem` (14 pt on A3): every size is
    in em of the sheet, which is 1 rem in French and 1.17 rem in Arabic."""

    def size(factor: float) -> tuple[float, float]:
        return (factor * rem, factor * rem * 1.17)

    rem_mm = rem / MM  # spacing is in millimetres
    latin = assets.LATIN_FAMILY
    roles = (
        Role("Normal", size=size(1), line=(1.35, 1.45), color="14212E"),
        Role("Body Text", size=size(1.15), line=(1.35, 1.45)),
        Role("Issuer", size=size(1.15), line=(1.35, 1.45), bold=True, color="D4E3F1",
             after=0.5 * rem_mm),
        Role("Title", size=size(3.3), line=(1.1, 1.2 * 3.2 / 3.3), bold=True, color="FFFFFF",
             after=0.8 * rem_mm),
        Role("Subtitle", size=size(1.15), line=(1.35, 1.45), color="EEF4FA"),
        Role("Lead", size=size(1.4), line=(1.3, 1.4), before=0.7 * rem_mm, after=1.2 * rem_mm,
             accent=True),
        Role("Heading 1", size=size(1.75), line=(1.2, 1.3), bold=True, color="1F4E79",
             after=0.8 * rem_mm, keep_next=True, outline=0,
             rule=("start", 0.35 * rem, 0.8 * rem_mm, "E3A33B")),
        Role("Heading 2", size=size(1.4), line=(1.2, 1.3), bold=True, color="1F4E79",
             after=0.45 * rem_mm, keep_next=True, outline=1),
        Role("Emphasis", size=size(1.2), line=(1.35, 1.45), bold=True, before=0.1 * rem_mm,
             after=1.6 * rem_mm),
        Role("Call Label", size=size(1.45), line=(1.35, 1.45), bold=True, color="FFFFFF"),
        Role("Phone", size=size(2.7), line=(1.2, 1.2), bold=True, color="FFFFFF",
             align="end", latin=latin),
        Role("Channel Label", size=size(1.3), line=(1.35, 1.45), bold=True, color="1F4E79",
             after=0.3 * rem_mm),
        Role("Address", size=size(1.35), line=(1.35, 1.45), bold=True, latin=latin),
        Role("Branch", size=size(1.15), line=(1.35, 1.45), accent=True),
        Role("Note", size=size(1.05), line=(1.35, 1.45), color="3A4754", after=1.2 * rem_mm),
        Role("Spacer", size=(1, 1), line_pt=0.8 * rem),  # between two boxes (0.8 rem)
        Role("Picture", size=(1, 1), auto_line=True, align="center"),
        Role("Footer", size=(1, 1), line_pt=1),  # the paragraph a footer must end with
        Role("Online Heading", size=size(1.6), line=(1.2, 1.3), bold=True, color="1F4E79",
             after=0.4 * rem_mm),
        Role("Online Text", size=size(1.15), line=(1.3, 1.3), after=0.3 * rem_mm),
        Role("Online Address", size=size(1.4), line=(1.3, 1.3), bold=True, color="1F4E79",
             after=0.3 * rem_mm, latin=latin),
        Role("Edition", size=size(0.85), line=(1.3, 1.3), color="5A6672", before=0.2 * rem_mm),
    )  # fmt: skip
    return roles


# --------------------------------------------------------------------------------------------
# Writing the style sheet


class Stylesheet:
    """The styles of one document: its roles, written into python-docx's style part."""

    def __init__(
        self,
        doc: docx.document.Document,
        roles: tuple[Role, ...],
        *,
        text_width_pt: float,
        cell_padding: tuple[float, float, float] | None = None,
        pairs_gutter: float | None = None,
    ) -> None:
        """`cell_padding` (mm) is the document tables'; `pairs_gutter` (mm), when given, adds
        the bilingual edition's table of pairs with that room between its columns."""
        self.doc = doc
        self.cell_padding = cell_padding or CELL_PADDING
        self.pairs_gutter = pairs_gutter
        self.roles = {role.name: role for role in roles}
        self.text_width = text_width_pt
        self.bullets: dict[tuple[str, bool], int] = {}
        for i, role in enumerate(r for r in roles if r.bullets):
            self.bullets[role.name, False] = 2 * i + 1
            self.bullets[role.name, True] = 2 * i + 2

    def write(self) -> None:
        styles = self.doc.styles
        element = styles.element
        for style in element.findall(ooxml.w("style")):
            if style.get(ooxml.w("default")) != "1":
                element.remove(style)  # keep only the defaults Word expects
        normal = self.roles["Normal"]
        defaults = element.find(ooxml.w("docDefaults"))
        r_pr = ooxml.rpr(defaults.find(ooxml.w("rPrDefault")))
        ooxml.set_fonts(r_pr, assets.LATIN_FAMILY, assets.ARABIC_FAMILY)
        ooxml.set_sizes(r_pr, *normal.size)
        ooxml.set_lang(r_pr, LANGS["fr"], LANGS["ar"])
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
        self._character_styles()
        self._table_styles()
        self._numbering()

    def _paragraph_style(self, role: Role, arabic: bool) -> None:
        styles = self.doc.styles
        name = role.name + (ARABIC_SUFFIX if arabic else "")
        if role.name == "Normal" and not arabic:
            style = styles["Normal"]
        else:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.style_id = style_id(name)  # Word's own ids: "Header", not "header"
            style.base_style = styles[role.name if arabic else "Normal"]
        style.quick_style = role.name not in ("Normal", "Header", "Footer")
        lang = "ar" if arabic else "fr"
        latin, script = role.size
        size = script if arabic else latin
        family = FAMILY[lang]
        line = ooxml.AUTO_LINE if role.auto_line else role.line_pt or role.line[arabic] * size
        r_pr, p_pr = ooxml.rpr(style.element), ooxml.ppr(style.element)
        if arabic or role.latin:
            ooxml.set_fonts(r_pr, role.latin or family, FAMILY["ar"])
        if arabic:
            ooxml.set_bidi(p_pr)
        ooxml.set_sizes(r_pr, size, script)
        if role.bold:
            ooxml.set_bold(r_pr)
        if role.italic:  # the Arabic variant upright, though based on the italic French one
            ooxml.set_italic(r_pr, on=not arabic)
        if role.color:
            ooxml.set_color(r_pr, role.color)
        ooxml.set_spacing(p_pr, role.before * MM, role.after * MM, line)
        if role.justify:
            ooxml.set_alignment(p_pr, "left" if arabic else "both")
        if role.align:
            # In a bidi paragraph, Word and LibreOffice read left and right as start and end.
            ooxml.set_alignment(p_pr, "right" if role.align == "end" else role.align)
        if role.keep_next:
            ooxml.set_keep_next(p_pr)
        if role.outline is not None:
            ooxml.set_outline_level(p_pr, role.outline)
        if not role.hyphenate:
            ooxml.set_no_hyphenation(p_pr)
        if role.rule:
            side, width, space, color = role.rule
            if side == "start":  # borders are physical sides, even in a bidi paragraph
                side = "right" if arabic else "left"
                if arabic:  # not also the French style's left one, inherited
                    ooxml.set_no_border(p_pr, "left")
                # The bar and its space inside the text block, as in the PDF (a padding
                # and a border of the heading's box): a paragraph border is drawn outside
                # the text's indent, in the page margin, or out of sight beyond a cell's
                # edge (LibreOffice drew no bar at the bilingual poster's headings).
                ooxml.set_indent(p_pr, space * MM + width)
            ooxml.set_border(p_pr, side, width, space * MM, color)
        if role.box:
            width, color, kind, vertical, horizontal = role.box
            for side in ("top", "left", "bottom", "right"):
                space = horizontal if side in ("left", "right") else vertical
                ooxml.set_border(p_pr, side, width, space * MM, color, kind)
            if role.between:
                ooxml.set_border(p_pr, "between", role.between[0], 0, role.between[1])
            # The border and its spacing inside the text block, as CSS's border-box.
            inset = horizontal * MM + width
            ooxml.set_indent(p_pr, inset, inset)
        if role.fill:
            ooxml.set_shading(p_pr, role.fill)
        if role.indent != (0, 0):
            start, hanging = role.indent
            ooxml.set_indent(p_pr, start * MM, 0, hanging * MM)
        if role.end_tab:
            ooxml.set_end_tab(p_pr, self.text_width)
        if role.bullets:
            ooxml.set_numbering(p_pr, self.bullets[role.name, arabic])

    def _character_styles(self) -> None:
        strong = self._character_style(STRONG)
        strong.quick_style = True
        ooxml.set_bold(ooxml.rpr(strong.element))
        if any(role.accent for role in self.roles.values()):
            accent = self._character_style(STRONG_ACCENT)
            accent.base_style = strong
            ooxml.set_color(ooxml.rpr(accent.element), ACCENT)
        link = self._character_style(HYPERLINK)
        ooxml.set_no_underline(ooxml.rpr(link.element))  # as in the PDF: plain text
        if "Choice" in self.roles:
            box = self._character_style(TICK_BOX)
            r_pr = ooxml.rpr(box.element)
            font = docx_fonts.TICK_BOX_FAMILY
            ooxml.set_fonts(r_pr, font, font)
            side = 3.8 * MM / docx_fonts.TICK_BOX_EM  # a 3.8 mm box, as forms.css draws it
            ooxml.set_sizes(r_pr, side, side)
            blank = self._character_style(BLANK)
            ooxml.set_underline(ooxml.rpr(blank.element), "dotted")

    def _character_style(self, name: str) -> Any:
        style = self.doc.styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
        style.style_id = style_id(name)
        return style

    def _table_styles(self) -> None:
        styles = self.doc.styles
        table = styles.add_style(DOCUMENT_TABLE, WD_STYLE_TYPE.TABLE)
        table.base_style = styles["Normal Table"]
        tbl_pr = ooxml.prop(table.element, "tblPr")
        ooxml.set_table_borders(tbl_pr, *TABLE_RULE)
        top, side, bottom = (v * MM for v in self.cell_padding)
        ooxml.set_cell_margins(tbl_pr, top, side, bottom)
        layout = styles.add_style(LAYOUT_TABLE, WD_STYLE_TYPE.TABLE)
        layout.base_style = styles["Normal Table"]
        ooxml.set_cell_margins(ooxml.prop(layout.element, "tblPr"), 0, 0, 0)
        if self.pairs_gutter is not None:
            pairs = styles.add_style(PAIRS_TABLE, WD_STYLE_TYPE.TABLE)
            pairs.base_style = styles["Normal Table"]
            gutter = self.pairs_gutter / 2 * MM
            ooxml.set_cell_margins(ooxml.prop(pairs.element, "tblPr"), 0, gutter, 0)

    def _numbering(self) -> None:
        # Created lazily by python-docx's template: the part exists, its content is replaced.
        numbering = self.doc.part.numbering_part.element
        lists = {}
        for (name, arabic), num_id in self.bullets.items():
            indent, hanging = self.roles[name].bullets or (0, 0)
            lang = "ar" if arabic else "fr"
            lists[num_id] = ooxml.BulletList(label="•", font=FAMILY[lang], indent_pt=indent * MM,
                                             hanging_pt=hanging * MM, rtl=arabic)  # fmt: skip
        ooxml.bullet_definitions(numbering, lists)


TABLE_RULE = (0.5, "8A8A8A")  # width pt, colour
CELL_PADDING = (1.2, 1.8, 0.2)  # top, sides, bottom (mm); paragraphs add 1 mm below
