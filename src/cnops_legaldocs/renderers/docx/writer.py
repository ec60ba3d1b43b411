"""DOCX through python-docx: the document's semantic tree, walked into Word paragraphs, runs
and tables that a clerk can edit and restyle.

Every paragraph takes a named style (see `styles`: a French one and an "… Arabic"
variant based on it), so the whole document is restyled from Word's style pane; the few
direct properties are structural (direction, table geometry, list spacing, a centred number
column). Arabic paragraphs are ``bidi`` and their Arabic runs ``rtl``; the LTR tokens the
document isolated (``span.ltr``) stay runs without ``rtl``, so that they read left to right
in Word and LibreOffice alike; their isolate characters are kept only where the Unicode bidi
algorithm needs them (see `unisolate`), so that the text reads back as typed. The fonts
travel inside the file
(see `fonts`). The XML details live in `ooxml`; what only forms have (fields as content
controls) in `forms`, what only the poster has in `poster`: the package
hands them to the writer, which imports neither.
"""

from __future__ import annotations

import copy
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from functools import partial
from itertools import groupby
from typing import Any, Protocol

import docx
import docx.document
import docx.table
from docx.enum.section import WD_ORIENT
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Mm, Pt
from lxml import etree

from ... import bidi
from ...bilingual import SIDES
from ...documents import FORM_KINDS, Document
from ...errors import RenderError
from . import fonts as docx_fonts
from . import ooxml, unisolate
from . import styles as docx_styles
from . import subset as docx_subset
from .styles import FAMILY, LANGS, MM, Role, style_id

# --------------------------------------------------------------------------------------------
# Page geometry


@dataclass(frozen=True)
class Page:
    width: float  # mm
    height: float
    top: float
    right: float
    bottom: float
    left: float
    first_top: float | None = None  # the first page's top margin, when it differs
    header_gap: float = 0.5  # mm between the running header's rule and the text block
    footer_gap: float = 0.5  # mm between the text block and the footer's rule
    footer_distance: float | None = None  # mm from the bottom edge, when the footer is a
    # band anchored there (the poster's), not a running footer just under the text

    @property
    def text_width(self) -> float:
        """Width of the text block, in points."""
        return (self.width - self.left - self.right) * MM


_PAGES = {
    "notice": Page(210, 297, top=24, right=18, bottom=22, left=18),
    "register": Page(297, 210, top=20, right=15, bottom=18, left=15),
    # forms.css: the first page has no running header and a smaller top margin.
    "form": Page(210, 297, top=20, right=14, bottom=16, left=14, first_top=12),
}
POSTER_REM = {"A3": 14.0, "A4": 14.0 / 2**0.5}  # poster.css: the root size per paper
_BILINGUAL_TYPE = 0.75  # bilingual.css: the bilingual poster's type, of one language's


def poster_rem(document: Document) -> float:
    """The poster's root font size in points, the unit of its type and margins."""
    return POSTER_REM[document.paper] * (_BILINGUAL_TYPE if len(document.languages) > 1 else 1)


_PAPER = {"A3": (297, 420), "A4": (210, 297)}


def page_of(document: Document) -> Page:
    """The page a document is laid out on (the values of its print CSS)."""
    if document.kind == "poster":
        rem = poster_rem(document) / MM  # in mm (the page's rem: the root's size)
        width, height = _PAPER[document.paper]
        return Page(width, height, top=2.4 * rem, right=2.6 * rem, bottom=14.4 * rem,
                    left=2.6 * rem, footer_distance=2.2 * rem)  # fmt: skip
    return _PAGES["form" if document.kind in FORM_KINDS else document.kind]


def roles_of(document: Document) -> tuple[Role, ...]:
    if document.kind == "poster":
        roles = docx_styles.poster_roles(poster_rem(document))
        if len(document.languages) > 1:  # bilingual.css: the masthead's title 2.4 rem, not 3.3
            roles = tuple(replace(r, size=(r.size[0] * 2.4 / 3.3, r.size[1] * 2.4 / 3.3))
                          if r.name == "Title" else r for r in roles)  # fmt: skip
        return roles
    if document.kind in FORM_KINDS:
        return docx_styles.FORM_ROLES
    if len(document.languages) > 1 and document.kind in _BILINGUAL_ROLES:
        overrides = {role.name: role for role in _BILINGUAL_ROLES[document.kind]}
        return tuple(overrides.get(role.name, role) for role in docx_styles.DOCUMENT_ROLES)
    return docx_styles.DOCUMENT_ROLES


# The bilingual register sets thirteen columns across the page in smaller type (bilingual.css).
_BILINGUAL_ROLES = {
    "register": (
        Role("Table Heading", size=(8, 9.5), line=(1.3, 1.4), bold=True, after=1,
             hyphenate=False),
        Role("Table Text", size=(8, 9.5), line=(1.3, 1.4), after=1, hyphenate=False),
    ),
}  # fmt: skip
_BILINGUAL_PADDING = {"register": (0.8, 1.0, 0.0)}  # mm: top, sides, bottom of table cells
# Column shares (%) of the bilingual contacts table, as bilingual.css fixes them: the French
# columns, the shared e-mail address, the Arabic columns.
_BILINGUAL_COLUMNS = {"contacts": (21, 18, 22, 18, 21)}
_PAIRS_GUTTER = 4.0  # mm between the French and the Arabic column, as in the PDF
_MIDDLE = {"choices": 9.0}  # mm: the middle column of a row group (a tick box)


class Extension(Protocol):
    """The blocks only some kinds have, written through the shared writer."""

    def block(self, el: etree._Element, container: object) -> bool:
        """Write `el` if it is one of the kind's own blocks; False leaves it to the writer."""
        ...


# --------------------------------------------------------------------------------------------
# Inline content: pieces of text with the formatting the tree gave them


@dataclass(frozen=True)
class Control:
    """A form field the tree asks for: its stable name, type and visible label."""

    name: str
    type: str  # "text" or "checkbox"
    label: str


@dataclass(frozen=True)
class State:
    """How a piece of inline text is to be written."""

    bold: bool = False
    href: str | None = None
    ltr: bool = False  # inside an isolated left-to-right token
    nowrap: bool = False
    field: str | None = None  # PAGE, NUMPAGES
    literal: bool = False  # a tab that whitespace collapsing must keep
    control: Control | None = None  # a form field
    blank: bool = False  # a line to write on (span.blank)
    rtl_value: bool = False  # a right-to-left value, not inside a left-to-right token


_Piece = tuple[str, State]
# Word keeps at most 255 characters in a document property (python-docx refuses more): a
# longer title, subject or keyword list (long names filling the placeholders) is shortened.
_PROPERTY_LENGTH = 255


def _property(text: str) -> str:
    return text if len(text) <= _PROPERTY_LENGTH else text[: _PROPERTY_LENGTH - 1] + "…"


_NOWRAP_CLASSES = {"nobr", "ltr", "ref"}
_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}
_SPACE = " \t\n\r"
_INLINE = {"span", "td", "th", "li", "p", "h1", "h2", "h3", "header", "footer", "label"}
BLANK_WIDTH = 35.0  # mm: span.blank in forms.css
_BLANK_SHARE = 0.8  # of the line, at most


def classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _inline(el: etree._Element, state: State) -> Iterator[_Piece]:
    """The text of an element and its inline descendants, with their formatting."""
    cls = classes(el)
    if el.tag in ("strong", "b"):
        state = replace(state, bold=True)
    elif el.tag == "a":
        state = replace(state, href=el.get("href"))
    elif el.tag == "input":
        kind = el.get("type", "text")
        label = bidi.strip_controls(" ".join((el.get("title") or "").split()))
        yield "", replace(state, control=Control(el.get("name", ""), kind, label))
        if kind == "checkbox":
            yield "\t", State(literal=True)  # to the label's hanging indent
        return
    elif el.tag not in _INLINE:
        raise RenderError(f"the DOCX renderer does not know the inline element <{el.tag}>")
    if "blank" in cls:
        yield "\u00a0", replace(state, blank=True)
        return
    if "ltr" in cls or el.get("dir") == "ltr":
        state = replace(state, ltr=True)
    elif "value" in cls and el.get("dir") == "rtl":
        state = replace(state, rtl_value=True)
    if cls & _NOWRAP_CLASSES:
        state = replace(state, nowrap=True)
    field = next((_FIELDS[c] for c in cls if c in _FIELDS), None)
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


def pieces_of(el: etree._Element) -> list[_Piece]:
    """An element's inline content, white space collapsed as HTML does."""
    return _collapse(list(_inline(el, State())))


def _collapse(pieces: list[_Piece]) -> list[_Piece]:
    """HTML white-space: runs of spaces and newlines become one space, none at the ends."""
    out: list[_Piece] = []
    after_space = True
    for text, state in pieces:
        if state.field or state.literal or state.control or state.blank:
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
    while out and not _kept(out[-1][1]) and out[-1][0].endswith(" "):
        text, state = out.pop()
        if text.rstrip(" "):
            out.append((text.rstrip(" "), state))
    return out


def _kept(state: State) -> bool:
    return bool(state.field or state.control or state.blank)


def plain_text(el: etree._Element) -> str:
    return "".join(text for text, _ in pieces_of(el))


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
ZERO_WIDTH_SPACE = "\u200b"  # a line may break here (Word's and LibreOffice's)


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


def _breakable_address(text: str) -> str:
    """A web address that may break after its "//" and after a dot of what follows, where
    the PDF breaks it ("https://", "www.cnops.org.", "ma" in a narrow column): a zero-width
    space at each, else LibreOffice cuts it anywhere ("https://www.cnop|s.org.ma")."""
    head, scheme, rest = text.partition("://")
    if not scheme:
        return text
    return head + scheme + ZERO_WIDTH_SPACE + rest.replace(".", "." + ZERO_WIDTH_SPACE)


_HYPHEN_DIGIT = re.compile(r"-(?=\d)")


def _hyphen_digit(text: str, rtl_paragraph: bool) -> str:
    """No line break after a hyphen that a digit follows ("loi n° 09-08"), as Unicode's line
    breaking (and so the PDF) has it; LibreOffice 7.4 breaks there. A no-break hyphen, or in
    a right-to-left paragraph the hyphen and a word joiner (see `_no_break`)."""
    if "-" not in text:
        return text
    return _HYPHEN_DIGIT.sub("-" + WORD_JOINER if rtl_paragraph else ooxml.NO_BREAK_HYPHEN, text)


_RTL_ISOLATES = (bidi.RLI, bidi.FSI)


def _unisolate_rtl_values(pieces: list[_Piece]) -> list[_Piece]:
    """A right-to-left value in right-to-left text without its isolate characters:
    LibreOffice 7.4 draws such an isolate's end over the letters before it. The isolate
    changes nothing there: the value's own Latin and numeric tokens keep their isolates."""
    out = []
    for text, state in pieces:
        if state.rtl_value and not state.ltr:
            text = text.lstrip("".join(_RTL_ISOLATES)).rstrip(bidi.PDI)
        out.append((text, state))
    return out


def _enclose_tokens(pieces: list[_Piece]) -> list[_Piece]:
    """Brackets around an isolated left-to-right token moved inside its isolate, where they
    read the same: LibreOffice 7.4 may break a line between a bracket and the token it
    opens, leaving "(" alone at the line end."""
    out = list(pieces)
    for i in range(1, len(out) - 1):
        (before, b_state), (token, t_state), (after, a_state) = out[i - 1 : i + 2]
        isolated = t_state.ltr and token[:1] == bidi.LRI and token[-1:] == bidi.PDI
        same_link = b_state.href == t_state.href == a_state.href
        if isolated and same_link and not b_state.ltr and not a_state.ltr and (
                before.endswith("(") and after.startswith(")")):  # fmt: skip
            out[i - 1] = (before[:-1], b_state)
            out[i] = (f"{bidi.LRI}({token[1:-1]}){bidi.PDI}", t_state)
            out[i + 1] = (after[1:], a_state)
    return [(text, state) for text, state in out if text or _kept(state) or state.literal]


_LINE_SCALES = (0.9, 0.925, 0.95, 0.975, 1.0, 1.025, 1.05, 1.075, 1.1)
"""Line lengths tried by `Writer._line_starts`, as shares of the container's."""

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


def _is_text(state: State) -> bool:
    return not (state.control or state.blank or state.field)


def _paragraph_text(pieces: list[_Piece]) -> str:
    """A paragraph's text as `_plain_tokens` and `_plain_hyphens` weigh it: a field, a form
    control or a blank counts as one digit."""
    return "".join(text if _is_text(state) else "0" for text, state in pieces)


def _edited(pieces: list[_Piece], edits: dict[int, str]) -> list[_Piece]:
    """The pieces with `edits` ({index in `_paragraph_text`: replacement}) made in their text;
    a piece of text left empty goes."""
    out, offset = [], 0
    for text, state in pieces:
        if not _is_text(state):
            offset += 1
            out.append((text, state))
            continue
        edited = "".join(edits.get(offset + i, ch) for i, ch in enumerate(text))
        offset += len(text)
        if edited or state.literal:
            out.append((edited, state))
    return out


def _plain_tokens(
    pieces: list[_Piece], rtl: bool, line_starts: Callable[[str], set[int] | None]
) -> list[_Piece]:
    """A paragraph's pieces without the isolates, word joiners and narrow no-break spaces
    the Unicode bidi algorithm does not need (see `unisolate`), so that its text reads back
    as typed; `line_starts` tells where the text's lines may start."""
    text = _paragraph_text(pieces)
    if bidi.PDI not in text:  # no isolate to weigh (most paragraphs): no lines to measure
        return pieces
    edits = unisolate.plain(text, rtl, line_starts=line_starts(text))
    return _edited(pieces, edits) if edits else pieces


def _plain_hyphens(
    pieces: list[_Piece], line_starts: Callable[[str], set[int] | None]
) -> list[_Piece]:
    """A left-to-right paragraph's pieces with a plain hyphen for each no-break hyphen whose
    word cannot start a line (`line_starts`: where the text's lines may start; None: anywhere):
    LibreOffice 7.4 breaks after a hyphen only to fit a word at a line's end. Word's no-break
    hyphen is a character of its own (U+2011) in pandoc's text and Word's search, where a
    reference typed with "-" is then not found."""
    text = _paragraph_text(pieces)
    if ooxml.NO_BREAK_HYPHEN not in text:
        return pieces
    starts = line_starts(text)
    if starts is None:
        return pieces
    edits = {}
    for word in re.finditer(r"[^ ]+", text):  # words as `Writer._line_starts` counts them
        if not any(word.start() <= j < word.end() for j in starts):
            for i in range(word.start(), word.end()):
                if text[i] == ooxml.NO_BREAK_HYPHEN:
                    edits[i] = "-"
    return _edited(pieces, edits)


# --------------------------------------------------------------------------------------------
# The writer


class Writer:
    """Writes one document: the parts every kind shares, and the hooks (`extension`) where a
    form or the poster lays out what only it has."""

    def __init__(
        self,
        document: Document,
        extension: Callable[[Writer], Extension] | None = None,
        *,
        fonts: str = "subset",
    ) -> None:
        if fonts not in docx_subset.FONT_MODES:
            modes = ", ".join(docx_subset.FONT_MODES)
            raise RenderError(f"unknown DOCX fonts mode {fonts!r} (choose from {modes})")
        self.fonts = fonts
        self.source = document
        self.languages = document.languages
        self.bilingual = len(self.languages) > 1
        # The language of what is being written: the document's, or a bilingual cell's.
        self.lang = document.languages[0]
        self.rtl = document.direction == "rtl"
        self.page = page_of(document)
        self.width = self.page.text_width  # of the container being written, in points
        self.roles = {role.name: role for role in roles_of(document)}
        padding = _BILINGUAL_PADDING.get(document.kind) if self.bilingual else None
        self.padding = padding or docx_styles.CELL_PADDING
        self.doc = docx.Document()
        self.links: dict[tuple[str, str], str] = {}
        self.controls = 0
        self._style_ids: dict[str, str | None] = {}  # see `set_style`
        self.wrap_links = False  # see `_wrapping_links`
        self.cell_room: float | None = None  # a table cell's line length (points)
        # What only some kinds have (a form's fields, the poster's band), given by the
        # package: the writer itself knows nothing of forms and posters.
        self.extension: Extension | None = extension(self) if extension else None

    # -- entry -----------------------------------------------------------------------------

    def write(self) -> bytes:
        body = self.source.root.find("body")
        if body is None:
            raise RenderError("the document has no body")
        self._package()
        docx_styles.Stylesheet(
            self.doc,
            tuple(self.roles.values()),
            text_width_pt=self.page.text_width,
            cell_padding=self.padding,
            pairs_gutter=_PAIRS_GUTTER if self.bilingual else None,
        ).write()
        self._section(body)
        for el in body:
            if el.tag not in ("header", "footer"):
                self.block(el, self.doc)
        self._separate_tables()
        self._font_table()
        out = io.BytesIO()
        self.doc.save(out)
        return ooxml.reproducible_zip(out.getvalue())

    def style(self, role: str) -> str:
        """The style name of a role in the current language."""
        return role + docx_styles.ARABIC_SUFFIX if self.rtl else role

    @contextmanager
    def language(self, el: etree._Element | None, width: float | None = None) -> Iterator[None]:
        """Write an element in its own language (``lang``, in the bilingual edition) and
        within `width` points, then return to the surrounding ones."""
        saved = self.lang, self.rtl, self.width
        lang = el.get("lang") if el is not None else None
        if lang in FAMILY:
            self.lang, self.rtl = lang, lang == "ar"
        if width is not None:
            self.width = width
        try:
            yield
        finally:
            self.lang, self.rtl, self.width = saved

    def size(self, role: str) -> float:
        """A role's font size in the document's language, in points."""
        return self.roles[role].size[self.rtl]

    def family(self, role: str | None = None) -> str:
        """The family a role's text is set in (its Latin family for a Latin-only role)."""
        spec = self.roles.get(role or "")
        return (spec.latin if spec and spec.latin else None) or FAMILY[self.lang]

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
        ooxml.set_settings(
            self.doc.settings.element,
            latin_lang=LANGS["fr"],
            bidi_lang=LANGS["ar"],
            hyphenate=not self.rtl,
            fonts=self.fonts,
        )
        props = self.doc.core_properties
        created = ooxml.midnight_utc(self.source.created)
        props.title = _property(self.source.title)
        props.subject = _property(self.source.subject)
        props.author = props.last_modified_by = _property(self.source.author)
        props.keywords = _property(", ".join(self.source.keywords))
        props.language = LANGS[self.languages[0]]  # the bilingual edition's first
        props.comments = ""
        props.category = ""
        props.revision = 1
        props.created = props.modified = created

    def _separate_tables(self) -> None:
        """A paragraph between two tables that follow each other, and after a table that
        ends the body: Word and LibreOffice join back-to-back tables into one, whose header
        row then repeats nowhere (the bilingual data tables follow a table of pairs), and
        readers that list paragraphs (python-docx, pandoc) find the text's sequence. The
        paragraph is as small as can be (1 pt), so that the page stays the PDF's."""
        body = self.doc.element.body
        containers = [body, *body.iter(ooxml.w("tc"))]
        for container in containers:
            blocks = [c for c in container if c.tag in (ooxml.w("p"), ooxml.w("tbl"),
                                                         ooxml.w("sdt"))]  # fmt: skip
            for before, after in itertools.pairwise(blocks):
                if before.tag == after.tag == ooxml.w("tbl"):
                    after.addprevious(self._separator())
            if container is body and blocks and blocks[-1].tag == ooxml.w("tbl"):
                blocks[-1].addnext(self._separator())

    def _separator(self) -> etree._Element:
        p = ooxml.OxmlElement("w:p")
        p_pr = ooxml.ppr(p)
        ooxml.prop(p_pr, "pStyle", val=self.doc.styles["Normal"].style_id)
        if self.rtl:
            ooxml.set_bidi(p_pr)
        ooxml.set_spacing(p_pr, 0, 0, 1)
        ooxml.set_sizes(ooxml.prop(p_pr, "rPr"), 1, 1)
        return p

    def _font_table(self) -> None:
        """The font table, written last: with `fonts` "subset", each face the document
        sets text in, cut down to the characters it sets (see `subset`)."""
        families = self._families()
        if self.fonts == "none":
            families = [replace(family, faces={}) for family in families]
        elif self.fonts == "subset":
            families = self._subset(families)
        ooxml.font_table(self.doc.part, families, subsetted=self.fonts == "subset")

    def _subset(self, families: list[ooxml.FontFamily]) -> list[ooxml.FontFamily]:
        part = self.doc.part
        stories = [part.element]
        for rel in part.rels.values():
            if rel.reltype in (RT.HEADER, RT.FOOTER):
                stories.append(rel.target_part.element)
        numbering = part.numbering_part.element
        used = docx_subset.usage(self.doc.styles.element, stories, numbering)
        tick_box = docx_fonts.TICK_BOX_FAMILY
        faces = docx_subset.faces_to_embed(
            used,
            {f.name: f.faces for f in families if f.name != tick_box},
            typing=self.source.is_form,
        )
        out = []
        for family in families:
            if family.name == tick_box:  # two glyphs: nothing to cut
                out.append(family)
                continue
            kept = faces.get(family.name, {})
            out.append(replace(family, faces={
                face: docx_subset.subset_face(family.faces[face], chars)
                for face, chars in kept.items()
            }))  # fmt: skip
        return out

    def _families(self) -> list[ooxml.FontFamily]:
        """The font table: the language's family (both, in the bilingual edition) with its
        four faces; the other one named
        only, or with the faces the document may need (a form's values and what is typed
        into it may be in either script; the poster sets numbers and addresses in the Latin
        face); the forms' tick-box font."""
        kept = {lang: set(docx_fonts.FACES) if lang in self.languages else set()
                for lang in FAMILY}  # fmt: skip
        if self.source.is_form and not self.bilingual:
            kept["ar" if self.lang == "fr" else "fr"] = {"regular"}
        if self.source.kind == "poster" and self.lang == "ar":
            kept["fr"] = {"regular", "bold"}
        families = []
        for lang in ("fr", "ar"):
            family = docx_fonts.family(FAMILY[lang])
            families.append(replace(family, faces=docx_fonts.Faces(family.name, kept[lang])))
        if self.source.is_form:
            families.append(docx_fonts.tick_box_family())
        return families

    # -- section, header, footer -----------------------------------------------------------

    def _section(self, body: etree._Element) -> None:
        section = self.doc.sections[0]
        page = self.page
        landscape = page.width > page.height
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(page.width), Mm(page.height)
        top = page.first_top or page.top
        section.top_margin, section.bottom_margin = Mm(top), Mm(page.bottom)
        section.left_margin, section.right_margin = Mm(page.left), Mm(page.right)
        # As in the PDF, the header sits in the top margin with its rule on the margin's edge,
        # the footer likewise below the text block: the block keeps the whole page area.
        section.header_distance = Pt(self._header_distance(top, body.find("header")))
        section.footer_distance = Pt(
            page.footer_distance * MM
            if page.footer_distance is not None
            else page.bottom * MM
            - self._furniture_height("Footer", body.find("footer"))
            - page.footer_gap * MM
        )
        section.gutter = Mm(0)
        if self.rtl:
            ooxml.set_section_rtl(section._sectPr)
        header, footer = body.find("header"), body.find("footer")
        if header is None and footer is None:
            return
        # As in the PDF, the first page carries the title block instead of a running header.
        section.different_first_page_header_footer = True
        if header is not None:
            self._furniture(header, section.header, "Header")
            blank = section.first_page_header.paragraphs[0]
            self.set_style(blank, "Normal")
            if self.rtl:
                ooxml.set_bidi(ooxml.ppr(blank._p))
        if footer is not None:
            self._furniture(footer, section.footer, "Footer")
            self._furniture(footer, section.first_page_footer, "Footer")

    def _header_distance(self, top_mm: float, header: etree._Element | None = None) -> float:
        height = self._furniture_height("Header", header)
        return top_mm * MM - height - self.page.header_gap * MM

    def _furniture_height(self, role: str, el: etree._Element | None = None) -> float:
        """Height of a running header or footer with its rule, in points: one line, or in
        the bilingual edition a line per item of its taller half."""
        spec = self.roles.get(role)
        if spec is None:
            return 0
        halves = _halves(el)
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
        self.set_style(paragraph, self.style(role))
        if self.rtl:
            ooxml.set_bidi(ooxml.ppr(paragraph._p))
        pieces: list[_Piece] = []
        for i, child in enumerate(el):
            if i:
                pieces.append(("\t", State(literal=True)))
            pieces.extend(pieces_of(child))
        self.fill(paragraph._p, pieces)

    def _furniture_halves(self, halves: list[etree._Element], part: Any, role: str) -> None:
        widths = [self.width / len(halves)] * len(halves)
        table = self.pairs_table(part, widths)
        table._tbl.getparent().insert(0, table._tbl)  # before the part's own paragraph
        row = table.add_row()
        for cell, half, width in zip(row.cells, halves, widths, strict=True):
            with self.language(half, width - _PAIRS_GUTTER * MM):
                for item in half:
                    paragraph = cell.add_paragraph()
                    self.set_style(paragraph, self.style(role))
                    if self.rtl:
                        ooxml.set_bidi(ooxml.ppr(paragraph._p))
                    self.fill(paragraph._p, pieces_of(item))
            _drop_leading_empty(cell)
        # A header ends with a paragraph: the part's own, made as small as can be.
        last = part.paragraphs[-1]
        self.set_style(last, "Normal")
        p_pr = ooxml.ppr(last._p)
        ooxml.set_spacing(p_pr, 0, 0, 1)
        ooxml.set_sizes(ooxml.prop(p_pr, "rPr"), 1, 1)

    def new_page_section(self) -> None:
        """End the current section with the last paragraph and go on on a new page with the
        page's usual margins (a form's first page has a smaller top margin): the new section
        keeps the running header and footer."""
        body = self.doc.element.body
        last = body[-2] if len(body) > 1 else None  # the last block before the body's sectPr
        if last is None or last.tag != ooxml.w("p"):
            last = self.doc.add_paragraph()._p
        current = body.sectPr
        ooxml.insert(ooxml.ppr(last), copy.deepcopy(current))
        for name in ("headerReference", "footerReference", "titlePg"):
            ooxml.remove(current, name)  # inherited from the previous section
        section = self.doc.sections[-1]
        section.top_margin = Mm(self.page.top)
        header = self.source.root.find("body/header")
        section.header_distance = Pt(self._header_distance(self.page.top, header))

    # -- blocks ----------------------------------------------------------------------------

    _P_ROLES = ("Issuer", "Edition", "Note")

    def block(self, el: etree._Element, container: object) -> None:
        """Write a block element of the tree (and its descendants) into `container`."""
        if self.extension is not None and self.extension.block(el, container):
            return
        tag, cls = el.tag, classes(el)
        if tag == "div" and "pairs" in cls:
            self._pairs(el, container)
        elif tag in ("section", "div"):
            for child in el:
                self.block(child, container)
        elif tag == "p":
            role = next((r for r in self._P_ROLES if r.lower() in cls), "Body Text")
            self.paragraph(container, el, role)
        elif tag in ("h1", "h2", "h3"):
            self.paragraph(container, el, {"h1": "Title", "h2": "Heading 1",
                                           "h3": "Heading 2"}[tag])  # fmt: skip
        elif tag == "ul":
            self.bullets(container, el, "List Bullet")
        elif tag == "table":
            self._table(el, container)
        else:
            raise RenderError(f"the DOCX renderer does not know the block element <{tag}>")

    def bullets(self, container: object, el: etree._Element, role: str) -> None:
        items = [li for li in el if li.tag == "li"]
        for i, li in enumerate(items):
            p = self.paragraph(container, li, role)
            if i == len(items) - 1:  # the list's own margin below its last item
                ooxml.set_space_after(ooxml.ppr(p), _LIST_END * MM)

    def set_style(self, paragraph: Any, name: str) -> None:
        """``paragraph.style = name``, as python-docx writes it (no ``w:pStyle`` for the
        default style), the style's id looked up once per document: python-docx scans the
        styles part at every assignment, a quarter of a pre-filled form's row."""
        if name not in self._style_ids:
            style = self.doc.styles[name]
            self._style_ids[name] = self.doc.part.get_style_id(style, style.type)
        paragraph._p.style = self._style_ids[name]

    def paragraph(
        self,
        container: object,
        el: etree._Element | None,
        role: str,
        *,
        existing: object | None = None,
        field_width: float | None = None,
    ) -> etree._Element:
        """A paragraph of `role` with the inline content of `el` (none: empty), appended to
        `container` or filling its `existing` empty paragraph; `field_width` (points) is the
        room a text field's control takes."""
        with self.language(el) if el is not None else nullcontext():
            paragraph = existing or container.add_paragraph()  # type: ignore[attr-defined]
            self.set_style(paragraph, self.style(role))
            p = paragraph._p
            if self.rtl:
                ooxml.set_bidi(ooxml.ppr(p))
            if el is not None:
                self.fill(p, pieces_of(el), role=role, field_width=field_width)
        return p

    def fill(
        self,
        p: etree._Element,
        pieces: list[_Piece],
        *,
        role: str = "Normal",
        field_width: float | None = None,
    ) -> None:
        """Append runs (grouped in hyperlinks where the tree had links) to a paragraph."""
        pieces = [
            (text, state) if not _is_text(state) else (self._spelled(text, state), state)
            for text, state in pieces
        ]
        if self.rtl:
            pieces = _glue_openers(_enclose_tokens(_unisolate_rtl_values(pieces)))
        # The length of the paragraph's lines is known in the body and in the table cells
        # written `in_cell`, not in the other tables (which keep the page's width).
        known = self.cell_room is not None or not p.xpath("ancestor::w:tc")
        starts = partial(self._line_starts, role) if known else lambda text: None
        pieces = _plain_tokens(pieces, self.rtl, starts)
        if not self.rtl:
            pieces = _plain_hyphens(pieces, starts)
        accent = role in self.roles and self.roles[role].accent
        strong = style_id(docx_styles.STRONG_ACCENT if accent else docx_styles.STRONG)
        for href, group in groupby(pieces, key=lambda piece: piece[1].href):
            target = p
            if href:
                target = ooxml.add_hyperlink(p, self._link(href, p))
            for text, state in group:
                style = strong if state.bold else style_id(docx_styles.HYPERLINK) if href else None
                if state.control:
                    self._control(target, state.control, role, field_width)
                    continue
                if state.blank:
                    space = docx_fonts.text_width("\u00a0", self.family(role), self.size(role))
                    # At most the line's width: a longer run of spaces overflows the line's
                    # end, where LibreOffice draws no underline (a narrow bilingual column).
                    room = min(BLANK_WIDTH * MM, _BLANK_SHARE * self.width)
                    blank = "\u00a0" * round(room / space)
                    ooxml.add_run(target, blank, style=style_id(docx_styles.BLANK))
                    continue
                if state.field:
                    ooxml.add_field(target, state.field, "1", style=style)
                    continue
                if state.ltr:
                    ooxml.add_run(target, text, style=style)
                    continue
                for chunk, rtl in _direction_runs(text, self.rtl):
                    ooxml.add_run(target, chunk, style=style, rtl=rtl)

    def _line_starts(self, role: str, text: str) -> set[int] | None:
        """Where the lines of a paragraph of `role` holding `text` may start (indices of its
        words), laid out word by word in lines from 10% shorter to 10% longer than the
        container's less the role's indent (the measure leaves out kerning and ligatures);
        None when not known (a line break in the text, a role without metrics)."""
        spec = self.roles.get(role)
        if "\n" in text or spec is None:
            return None
        bold = spec.bold
        family, size = self.family(role), self.size(role)
        room = self.cell_room if self.cell_room is not None else self.width
        room -= spec.indent[0] * MM
        space = docx_fonts.text_width(" ", family, size, bold)
        words = [(m.start(), docx_fonts.text_width(m.group(), family, size, bold))
                 for m in re.finditer(r"[^ ]+", text)]  # fmt: skip
        starts = set()
        for scale in _LINE_SCALES:
            line = room * scale
            x = None
            for start, width in words:
                if x is not None and x + space + width > line:
                    starts.add(start)
                    x = None
                x = width if x is None else x + space + width
                if x > line:  # longer than a line: cut anywhere
                    starts.add(start)
        return starts

    def _spelled(self, text: str, state: State) -> str:
        """A piece's text with the characters that keep it on one line (see `_no_break`)."""
        if state.href and self.wrap_links:
            text = _breakable_address(text)
        return _no_break(text, self.rtl) if state.nowrap else _hyphen_digit(text, self.rtl)

    def _control(self, p: etree._Element, control: Control, role: str, width: float | None) -> None:
        self.controls += 1
        if control.type == "checkbox":
            ooxml.add_checkbox_control(
                p,
                tag=control.name,
                alias=control.label,
                number=self.controls,
                style=style_id(docx_styles.TICK_BOX),
                font=docx_fonts.TICK_BOX_FAMILY,
                unchecked=docx_fonts.UNCHECKED,
                checked=docx_fonts.CHECKED,
            )
            return
        # Blank spaces across the box: the placeholder a click selects and typing replaces.
        space = docx_fonts.text_width(" ", self.family(role), self.size(role))
        room = 0.9 * (width if width is not None else 30 * MM)
        ooxml.add_text_control(p, tag=control.name, alias=control.label, number=self.controls,
                               placeholder=" " * max(4, int(room / space)),
                               rtl=self.rtl)  # fmt: skip

    def _link(self, href: str, p: etree._Element) -> str:
        """The relationship id of `href` in the part that holds `p` (the body, or a header or
        footer: each part has its own relationships)."""
        part = self._part_of(p)
        key = (str(part.partname), href)
        if key not in self.links:
            self.links[key] = part.relate_to(href, RT.HYPERLINK, is_external=True)
        return self.links[key]

    def _part_of(self, p: etree._Element) -> Any:
        root = p.getroottree().getroot()
        if root is self.doc.element:
            return self.doc.part
        for part in self.doc.part.package.iter_parts():
            if getattr(part, "_element", None) is root:
                return part
        raise RenderError("a paragraph outside the document's parts")

    # -- tables ----------------------------------------------------------------------------

    def layout_table(self, container: object, widths: list[float]) -> Any:
        """A borderless table with columns of `widths` (points) and no rows yet, laid out in
        the document's direction, for the parts of a page set side by side."""
        table = _new_table(container, len(widths), self.page.text_width)
        ooxml.set_table(
            table._tbl.tblPr,
            style=self.doc.styles[docx_styles.LAYOUT_TABLE].style_id,
            width_pt=sum(widths),
            rtl=self.rtl,
            header_row=False,
        )
        ooxml.set_table_grid(table._tbl, widths)
        return table

    def pairs_table(self, container: object, widths: list[float]) -> Any:
        """A table without rules for the bilingual edition: French column first, always."""
        table = _new_table(container, len(widths), self.width)
        ooxml.set_table(table._tbl.tblPr, style=self.doc.styles[docx_styles.PAIRS_TABLE].style_id,
                        width_pt=sum(widths), rtl=False, header_row=False)  # fmt: skip
        ooxml.set_table_grid(table._tbl, widths)
        return table

    def _pairs(self, el: etree._Element, container: object) -> None:
        """The bilingual edition's rows of pairs: a table without rules, French column,
        (a shared middle,) Arabic column, each cell written in its own language."""
        rows = [row for row in el if row.tag == "div"]
        columns = max((len(row) for row in rows), default=0)
        if not columns:
            return
        middle = next((mm for name, mm in _MIDDLE.items() if name in classes(el)), None)
        if columns == 3:
            mid = (middle * MM) if middle else self.width / 4
            widths = [(self.width - mid) / 2, mid, (self.width - mid) / 2]
        else:
            widths = [self.width / columns] * columns
        table = self.pairs_table(container, widths)
        heading = self.roles["Heading 1"]
        divide = _divide(el) if columns == 2 else None
        after_rule = False
        for row_el in rows:
            row = table.add_row()
            ooxml.set_row(row._tr.get_or_add_trPr(), header=False)  # a pair is never split
            # (a rule beside a heading, the poster's, stays the paragraph's own)
            ruled = "h2" in classes(row_el) and (heading.rule or ("",))[0] == "bottom"
            for cell, cell_el, width in zip(row.cells, row_el, widths, strict=False):
                tc_pr = cell._tc.get_or_add_tcPr()
                rule = {}
                if ruled:  # one rule under the pair, at one height (bilingual.css)
                    side, rule_width, _, color = heading.rule  # type: ignore[misc]
                    rule[side] = ooxml.Border(rule_width, color)
                if divide and cell_el.get("lang") == "ar":  # the rule between the columns
                    rule["left"] = divide
                ooxml.set_cell(tc_pr, width_pt=width, borders=rule)
                if after_rule:
                    ooxml.set_cell_space(tc_pr, "top", heading.after * MM)
                with self.language(cell_el, width - _PAIRS_GUTTER * MM):
                    for child in _blocks_of(cell_el):
                        self.block(child, cell)
                _drop_leading_empty(cell)
                if ruled:
                    side, _, space, _ = heading.rule  # type: ignore[misc]
                    for p in cell._tc.iter(ooxml.w("p")):
                        ooxml.set_no_border(ooxml.ppr(p), side)
                        ooxml.set_space_after(ooxml.ppr(p), space * MM)
            after_rule = ruled

    def fill_cell(self, cell: Any, blocks: list[etree._Element]) -> None:
        """Write blocks into a table cell, in place of its initial empty paragraph."""
        first = cell.paragraphs[0]._p
        for el in blocks:
            self.block(el, cell)
        written = len(cell._tc.findall(ooxml.w("p"))) > 1
        if written and first.find(ooxml.w("r")) is None:
            cell._tc.remove(first)

    def _table(self, el: etree._Element, container: object) -> None:
        rows: list[tuple[etree._Element, bool]] = []
        for child in el:
            if child.tag in ("thead", "tbody", "tfoot"):
                rows += [(tr, child.tag == "thead") for tr in child if tr.tag == "tr"]
            elif child.tag == "tr":
                rows.append((child, False))
        if not rows:
            return
        columns = max(sum(span(cell) for cell in tr) for tr, _ in rows)
        shares = next((v for k, v in _BILINGUAL_COLUMNS.items() if k in classes(el)), None)
        wrap_links = bool(shares) and _bilingual(rows) and len(shares) == columns
        if wrap_links:
            widths = [self.width * share / sum(shares) for share in shares]
        else:
            widths = self._column_widths(rows, columns, _fixed_shares(el, rows, self.bilingual))
        table = _new_table(container, columns, self.width)
        tbl = table._tbl
        ooxml.set_table(
            tbl.tblPr,
            style=self.doc.styles[docx_styles.DOCUMENT_TABLE].style_id,
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
                n = span(cell_el)
                cell = row.cells[col]
                if n > 1:
                    cell = cell.merge(row.cells[col + n - 1])
                heading = cell_el.tag == "th"
                ooxml.set_cell(
                    cell._tc.get_or_add_tcPr(),
                    width_pt=sum(widths[col : col + n]),
                    fill=_HEADER_FILL if heading else None,
                )
                room = sum(widths[col : col + n]) - 2 * self.padding[1] * MM
                with self._wrapping_links(wrap_links), self.in_cell(room):
                    self._cell(cell, cell_el, "Table Heading" if heading else "Table Text")
                col += n

    @contextmanager
    def in_cell(self, room: float) -> Iterator[None]:
        """Write a table cell whose lines are `room` points long (see `_line_starts`)."""
        saved, self.cell_room = self.cell_room, room
        try:
            yield
        finally:
            self.cell_room = saved

    @contextmanager
    def _wrapping_links(self, on: bool) -> Iterator[None]:
        """Web addresses may wrap in the narrow columns of the bilingual contacts table
        (bilingual.css): see `_breakable_address`."""
        saved, self.wrap_links = self.wrap_links, on
        try:
            yield
        finally:
            self.wrap_links = saved

    def _cell(self, cell: object, el: etree._Element, role: str) -> None:
        blocks = [child for child in el if child.tag == "p"]
        if len(blocks) > 1 and el.get("lang") is None and all(b.get("lang") for b in blocks):
            self._shared_heading(cell, blocks, role)
            return
        sources = blocks or [el]
        first = cell.paragraphs[0]  # type: ignore[attr-defined]
        with self.language(el):
            for i, source in enumerate(sources):
                p = self.paragraph(cell, source, role, existing=first if i == 0 else None)
                if "num" in classes(el) or (source is not el and source.get("lang")):
                    ooxml.set_alignment(ooxml.ppr(p), "center")  # a number; a shared heading

    def _shared_heading(self, cell: Any, sources: list[etree._Element], role: str) -> None:
        """The heading of a column both languages share ("Référence CNDP" over "مرجع اللجنة
        الوطنية (CNDP)"): one centred paragraph, a line per language, the other language's
        line isolated in its own direction. One paragraph, not one per language: a table
        whose cells hold several paragraphs is one pandoc can only write as a grid table,
        and thirteen columns of grid table do not fit its text width ("[TABLE]" in its
        place). The paragraph's exact line height is the taller language's."""
        pieces: list[_Piece] = []
        for i, source in enumerate(sources):
            if i:
                pieces.append(("\n", State(literal=True)))
            part = pieces_of(source)
            lang = source.get("lang")
            if lang == "ar":  # as `fill` writes a right-to-left paragraph
                part = _glue_openers(_enclose_tokens(_unisolate_rtl_values(part)))
            if lang != self.lang and part:
                isolate = bidi.ISOLATES["rtl" if lang == "ar" else "ltr"]
                part[0] = (isolate + part[0][0], part[0][1])
                part[-1] = (part[-1][0] + bidi.PDI, part[-1][1])
            pieces += part
        p = self.paragraph(cell, None, role, existing=cell.paragraphs[0])
        self.fill(p, pieces, role=role)
        p_pr = ooxml.ppr(p)
        ooxml.set_alignment(p_pr, "center")
        spec = self.roles[role]
        line = max(spec.line[rtl] * spec.size[rtl] for rtl in (False, True))
        ooxml.set_spacing(p_pr, spec.before * MM, spec.after * MM, line)

    def _column_widths(
        self,
        rows: list[tuple[etree._Element, bool]],
        columns: int,
        fixed: dict[int, float] | None = None,
    ) -> list[float]:
        """Column widths as CSS's automatic table layout would give them: each column gets
        at least its longest unbreakable piece, then room in proportion to its content; a
        column of `fixed` (its index: a share of the width) gets that share, or its longest
        piece when that is wider. Each column is measured on its own content: the Arabic
        columns of the bilingual register are not the mirror of the French ones, whose words
        are longer (mirrored, the thirteen columns' longest words did not fit across the
        page, and every column was cut below its longest word: "Vidéosurveillanc|e")."""
        pad = 2 * self.padding[1] * MM + docx_styles.TABLE_RULE[0]
        low, high = [pad] * columns, [pad] * columns
        for tr, head in rows:
            col = 0
            for cell in tr:
                n = span(cell)
                if n == 1:
                    role = self.roles["Table Heading" if head else "Table Text"]
                    for source in [c for c in cell if c.tag == "p"] or [cell]:
                        with self.language(cell), self.language(source):
                            family, size = FAMILY[self.lang], role.size[self.rtl]
                        pieces = pieces_of(source)
                        text = "".join(t for t, _ in pieces)
                        words = _unbreakable(pieces)
                        width = partial(docx_fonts.text_width, name=family, size_pt=size,
                                        bold=role.bold)  # fmt: skip
                        high[col] = max(high[col], width(text) + pad)
                        # The estimate ignores kerning: a margin keeps a whole token whole.
                        longest = max(map(width, words), default=0) * _MEASURE_MARGIN
                        low[col] = max(low[col], longest + pad)
                col += n
        total = self.width
        natural = list(low)
        for col, share in (fixed or {}).items():
            low[col] = high[col] = max(low[col], share * total)
        # A fixed share gives way (down to its longest piece) before any column is cut.
        give = {col: low[col] - natural[col] for col in fixed or {}}
        excess = sum(low) - total
        if excess > 0 and sum(give.values()) > 0:
            taken = min(1.0, excess / sum(give.values()))
            for col, room in give.items():
                low[col] = high[col] = low[col] - room * taken
        if sum(high) <= total:
            return [h * total / sum(high) for h in high]
        if sum(low) >= total:
            return [lo * total / sum(low) for lo in low]
        extra = [h - lo for lo, h in zip(low, high, strict=True)]
        room = total - sum(low)
        return [lo + room * e / sum(extra) for lo, e in zip(low, extra, strict=True)]


_HEADER_FILL = "E8EEF5"
_MEASURE_MARGIN = 1.06
_LIST_END = 2.0  # mm after a list


def _new_table(container: object, columns: int, width_pt: float) -> Any:
    """An empty table appended to the document body, a cell, a header or a footer."""
    if isinstance(container, docx.document.Document):
        return container.add_table(rows=0, cols=columns)
    if isinstance(container, docx.table._Cell):  # a cell's table takes the cell's width
        return container.add_table(0, columns)
    return container.add_table(0, columns, Pt(width_pt))  # type: ignore[attr-defined]


# Columns whose width the bilingual stylesheet fixes (bilingual.css), as a share of the table's
# width: {table class: {cell class: share}}.
_BILINGUAL_FIXED = {"register": {"address": 0.085}}


def _fixed_shares(
    table: etree._Element, rows: list[tuple[etree._Element, bool]], bilingual: bool
) -> dict[int, float]:
    """The columns of a table whose width is a fixed share (by index), from its first row."""
    shares = next((v for k, v in _BILINGUAL_FIXED.items() if k in classes(table)), None)
    if not bilingual or not shares or not rows:
        return {}
    out, col = {}, 0
    for cell in rows[0][0]:
        share = next((v for k, v in shares.items() if k in classes(cell)), None)
        if share is not None and span(cell) == 1:
            out[col] = share
        col += span(cell)
    return out


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


_DIVIDE = ooxml.Border(0.4, "C3CCD6")  # bilingual.css: `.pair > .ar`'s left border
_DIVIDE_COLORS = {"masthead": "5F83A8"}  # the poster's masthead, on its blue


def _divide(pairs: etree._Element) -> ooxml.Border:
    """The rule between the French and the Arabic column of a table of pairs (bilingual.css),
    in the colour of the block that holds it."""
    for block in (pairs, *pairs.iterancestors()):
        color = next((c for k, c in _DIVIDE_COLORS.items() if k in classes(block)), None)
        if color:
            return replace(_DIVIDE, color=color)
    return _DIVIDE


def _halves(el: etree._Element | None) -> list[etree._Element]:
    """The language halves of a bilingual running header or footer (none otherwise)."""
    if el is None:
        return []
    return [child for child in el if "half" in classes(child) and child.get("lang") in SIDES]


def _drop_leading_empty(cell: Any) -> None:
    """Remove the empty paragraph a new cell starts with, once something follows it."""
    tc = cell._tc
    blocks = [child for child in tc if child.tag in (ooxml.w("p"), ooxml.w("tbl"))]
    first = blocks[0] if blocks else None
    if (
        first is not None
        and first.tag == ooxml.w("p")
        and len(blocks) > 1
        and first.find(ooxml.w("r")) is None
    ):
        tc.remove(first)


def span(cell: etree._Element) -> int:
    try:
        return max(1, int(cell.get("colspan", "1")))
    except ValueError:
        return 1


def _unbreakable(pieces: list[_Piece]) -> list[str]:
    """The pieces of text a line cannot break inside: words, no-wrap tokens whole, with what
    touches them ("(AMO-Public)": the writer moves the brackets into the token's isolate, and
    a line does not break after an opening bracket anyway)."""
    words: list[list[str]] = [[]]
    for text, state in pieces:
        for i, chunk in enumerate([text] if state.nowrap else re.split(f"[{_SPACE}]+", text)):
            if i:
                words.append([])
            words[-1].append(chunk)
    return [word for word in map("".join, words) if word]
