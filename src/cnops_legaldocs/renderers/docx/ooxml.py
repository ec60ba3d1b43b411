"""WordprocessingML helpers: the XML details the DOCX renderer should not have to know.

Every property is inserted in schema order (a misplaced child makes Word call the file
corrupt, even where LibreOffice forgives it): `prop` finds or creates a child of ``pPr``,
``rPr``, ``tblPr``… before its schema successors. The rest are small builders for what
python-docx has no API for: right-to-left paragraphs, runs and tables, complex-script fonts,
sizes and languages, bullet definitions, PAGE/NUMPAGES fields, hyperlinks, fonts embedded
the way Word embeds them (obfuscated ``word/fonts/*.odttf``), and a byte-reproducible zip.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import uuid
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.package import OpcPackage
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# Child order of the elements this module writes into (ECMA-376 Part 1, transitional schema).
CHILD_ORDER: dict[str, tuple[str, ...]] = {
    "pPr": (
        "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
        "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
        "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN",
        "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
        "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
        "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
    ),
    "rPr": (
        "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
        "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish",
        "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight",
        "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
        "eastAsianLayout", "specVanish", "oMath",
    ),
    "pBdr": ("top", "left", "bottom", "right", "between", "bar"),
    "tblPr": (
        "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
        "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
        "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
    ),
    "tblBorders": ("top", "left", "start", "bottom", "right", "end", "insideH", "insideV"),
    "tblCellMar": ("top", "left", "start", "bottom", "right", "end"),
    "tcBorders": ("top", "left", "start", "bottom", "right", "end", "insideH", "insideV"),
    "tcMar": ("top", "left", "start", "bottom", "right", "end"),
    "sdtPr": (
        "rPr", "alias", "tag", "id", "lock", "placeholder", "temporary", "showingPlcHdr",
        "dataBinding", "label", "tabIndex", "docPartObj", "text", "richText",
    ),
    "tcPr": (
        "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap",
        "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark",
    ),
    "trPr": (
        "cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit",
        "trHeight", "tblHeader", "tblCellSpacing", "jc", "hidden",
    ),
    "sectPr": (
        "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz",
        "pgMar", "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt",
        "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid",
        "printerSettings", "sectPrChange",
    ),
    "style": (
        "name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority",
        "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose",
        "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr",
    ),
    "settings": (
        "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
        "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
        "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts",
        "embedSystemFonts", "saveSubsetFonts", "saveFormsData", "mirrorMargins",
        "alignBordersAndEdges", "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter",
        "gutterAtTop", "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle",
        "proofState", "formsDesign", "attachedTemplate", "linkStyles",
        "stylePaneFormatFilter", "stylePaneSortMethod", "documentType", "mailMerge",
        "revisionView", "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting",
        "documentProtection", "autoFormatOverride", "styleLockTheme", "styleLockQFSet",
        "defaultTabStop", "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone",
        "doNotHyphenateCaps", "showEnvelope", "summaryLength", "clickAndTypeStyle",
        "defaultTableStyle", "evenAndOddHeaders", "bookFoldRevPrinting", "bookFoldPrinting",
        "bookFoldPrintingSheets", "drawingGridHorizontalSpacing",
        "drawingGridVerticalSpacing", "displayHorizontalDrawingGridEvery",
        "displayVerticalDrawingGridEvery", "doNotUseMarginsForDrawingGridOrigin",
        "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin", "doNotShadeFormData",
        "noPunctuationKerning", "characterSpacingControl", "printTwoOnOne",
        "strictFirstAndLastChars", "noLineBreaksAfter", "noLineBreaksBefore",
        "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
        "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
        "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
        "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr",
        "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema",
        "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
        "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
        "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
        "decimalSymbol", "listSeparator",
    ),
}  # fmt: skip


def w(name: str) -> str:
    """The Clark name of a ``w:`` element or attribute."""
    return qn(f"w:{name}")


def prop(parent: etree._Element, name: str, **attrs: str | int) -> etree._Element:
    """The child `name` of `parent` (found, or created at its place in schema order), with
    `attrs` set as ``w:`` attributes."""
    child = parent.find(w(name))
    if child is None:
        child = insert(parent, OxmlElement(f"w:{name}"))
    for key, value in attrs.items():
        child.set(w(key), str(value))
    return child


def insert(parent: etree._Element, child: etree._Element) -> etree._Element:
    """Insert `child` into `parent` before its schema successors, and return it."""
    order = CHILD_ORDER[etree.QName(parent).localname]
    rank = order.index(etree.QName(child).localname)
    for sibling in parent:
        local = etree.QName(sibling).localname
        if local in order and order.index(local) > rank:
            sibling.addprevious(child)
            break
    else:
        parent.append(child)
    return child


def remove(parent: etree._Element, name: str) -> None:
    """Remove the child `name` of `parent`, if present."""
    for child in parent.findall(w(name)):
        parent.remove(child)


def ppr(element: etree._Element) -> etree._Element:
    """The ``w:pPr`` of a paragraph, a style or the document defaults (created if absent)."""
    if etree.QName(element).localname == "pPr":
        return element
    return _first_child(element, "pPr")


def rpr(element: etree._Element) -> etree._Element:
    """The ``w:rPr`` of a run, a style or the document defaults (created if absent)."""
    if etree.QName(element).localname == "rPr":
        return element
    return _first_child(element, "rPr")


def _first_child(element: etree._Element, name: str) -> etree._Element:
    local = etree.QName(element).localname
    if local == "style":
        return prop(element, name)
    child = element.find(w(name))
    if child is None:
        child = OxmlElement(f"w:{name}")
        element.insert(0, child)  # pPr and rPr come first in paragraphs, runs and defaults
    return child


# --------------------------------------------------------------------------------------------
# Paragraph and run properties


def set_bidi(p_pr: etree._Element) -> None:
    """Make a paragraph right-to-left: start is on the right, as are its indents and label."""
    prop(p_pr, "bidi")


def set_rtl(r_pr: etree._Element) -> None:
    """Mark a run as right-to-left complex script (Arabic): its neutrals and digits order
    right to left, and its cs font, size and weight apply."""
    prop(r_pr, "rtl")


def set_fonts(r_pr: etree._Element, latin: str, complex_script: str) -> None:
    """Explicit fonts for Latin (ascii, hAnsi, eastAsia) and complex-script (cs) text."""
    fonts = prop(r_pr, "rFonts")
    for key in list(fonts.attrib):
        del fonts.attrib[key]  # theme fonts would win over names
    for attr in ("ascii", "hAnsi", "eastAsia"):
        fonts.set(w(attr), latin)
    fonts.set(w("cs"), complex_script)


def set_sizes(r_pr: etree._Element, latin_pt: float, complex_pt: float) -> None:
    """Font sizes in points for Latin (sz) and complex-script (szCs) text."""
    prop(r_pr, "sz", val=round(latin_pt * 2))
    prop(r_pr, "szCs", val=round(complex_pt * 2))


def set_bold(r_pr: etree._Element) -> None:
    """Bold for Latin and complex-script text alike (b and bCs)."""
    prop(r_pr, "b")
    prop(r_pr, "bCs")


def set_italic(r_pr: etree._Element, on: bool = True) -> None:
    """Italic for Latin and complex-script text alike (i and iCs), or explicitly not."""
    attrs = {} if on else {"val": "0"}
    prop(r_pr, "i", **attrs)
    prop(r_pr, "iCs", **attrs)


def set_underline(r_pr: etree._Element, kind: str) -> None:
    """An underline: ``single``, ``dotted``…"""
    prop(r_pr, "u", val=kind)


def set_color(r_pr: etree._Element, rgb: str) -> None:
    prop(r_pr, "color", val=rgb)


def set_lang(r_pr: etree._Element, latin: str, bidi: str) -> None:
    """Languages of Latin and of right-to-left text (spelling, hyphenation, shaping)."""
    prop(r_pr, "lang", val=latin, bidi=bidi)


def set_no_underline(r_pr: etree._Element) -> None:
    prop(r_pr, "u", val="none")


def set_spacing(
    p_pr: etree._Element, before_pt: float, after_pt: float, line_pt: float | None
) -> None:
    """Space before and after a paragraph, and an exact line height, as CSS gives it: both
    engines then lay lines out alike (Word measures "single" lines from a font's Windows
    metrics, LibreOffice from its typographic ones, and Amiri's differ by half)."""
    attrs: dict[str, str | int] = {"before": _twips(before_pt), "after": _twips(after_pt)}
    if line_pt == AUTO_LINE:
        attrs.update(line=240, lineRule="auto")  # single: as high as the line's content
    elif line_pt is not None:
        attrs.update(line=_twips(line_pt), lineRule="exact")
    prop(p_pr, "spacing", **attrs)


AUTO_LINE = 0.0
"""The `set_spacing` line height of lines as high as what they hold (a picture)."""


def set_space_after(p_pr: etree._Element, after_pt: float) -> None:
    prop(p_pr, "spacing", after=_twips(after_pt))


def set_alignment(p_pr: etree._Element, value: str) -> None:
    """``left`` (the start: flush right in a bidi paragraph), ``center``, ``right``, ``both``."""
    prop(p_pr, "jc", val=value)


def set_keep_next(p_pr: etree._Element) -> None:
    prop(p_pr, "keepNext")


def set_widow_control(p_pr: etree._Element) -> None:
    """No paragraph leaves a single line alone at a page's foot or head."""
    prop(p_pr, "widowControl")


def set_outline_level(p_pr: etree._Element, level: int) -> None:
    prop(p_pr, "outlineLvl", val=level)


def set_no_hyphenation(p_pr: etree._Element) -> None:
    prop(p_pr, "suppressAutoHyphens")


def set_border(
    p_pr: etree._Element,
    side: str,
    width_pt: float,
    space_pt: float,
    rgb: str,
    kind: str = "single",
) -> None:
    """A rule along one side of a paragraph (``top``, ``bottom``, ``left``, ``right``: these
    two are physical sides, a bidi paragraph does not swap them) or ``between`` paragraphs
    with the same borders; `space_pt` is the distance to the text, `kind` the line
    (``single``, ``dashed``, ``dotted``)."""
    borders = prop(p_pr, "pBdr")
    prop(borders, side, val=kind, sz=round(width_pt * 8), space=round(space_pt), color=rgb)


def set_shading(pr: etree._Element, rgb: str) -> None:
    """A background colour behind a paragraph (with its border spacing) or a table cell."""
    prop(pr, "shd", val="clear", color="auto", fill=rgb)


def set_indent(
    p_pr: etree._Element, start_pt: float = 0, end_pt: float = 0, hanging_pt: float = 0
) -> None:
    """Indents from the start and end edges (``left`` and ``right``, which a bidi paragraph
    reads as start and end), and a hanging first line."""
    attrs = {"left": _twips(start_pt), "right": _twips(end_pt)}
    if hanging_pt:
        attrs["hanging"] = _twips(hanging_pt)
    prop(p_pr, "ind", **attrs)


def set_end_tab(p_pr: etree._Element, position_pt: float) -> None:
    """A tab stop that aligns what follows it on the end edge (right, or left in bidi)."""
    tabs = prop(p_pr, "tabs")
    tab = OxmlElement("w:tab")
    tab.set(w("val"), "right")
    tab.set(w("pos"), str(_twips(position_pt)))
    tabs.append(tab)


def set_numbering(p_pr: etree._Element, num_id: int, level: int = 0) -> None:
    numbering = prop(p_pr, "numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(w("val"), str(level))
    num = OxmlElement("w:numId")
    num.set(w("val"), str(num_id))
    numbering.extend([ilvl, num])


def _twips(points: float) -> int:
    return round(points * 20)


# --------------------------------------------------------------------------------------------
# Runs, fields, hyperlinks

NO_BREAK_HYPHEN = "\u2011"


def add_run(
    parent: etree._Element, text: str, *, style: str | None = None, rtl: bool = False
) -> etree._Element:
    """Append a run to a paragraph or hyperlink: tabs, line breaks and no-break hyphens
    (U+2011) become their elements, everything else text."""
    run = OxmlElement("w:r")
    if style or rtl:
        r_pr = OxmlElement("w:rPr")
        run.append(r_pr)
        if style:
            prop(r_pr, "rStyle", val=style)
        if rtl:
            set_rtl(r_pr)
    piece = ""

    def flush() -> None:
        nonlocal piece
        if piece:
            t = OxmlElement("w:t")
            t.text = piece
            t.set(qn("xml:space"), "preserve")
            run.append(t)
            piece = ""

    for ch in text:
        special = {"\t": "w:tab", "\n": "w:br", NO_BREAK_HYPHEN: "w:noBreakHyphen"}.get(ch)
        if special:
            flush()
            run.append(OxmlElement(special))
        else:
            piece += ch
    flush()
    parent.append(run)
    return run


def add_field(
    parent: etree._Element, instruction: str, result: str, *, style: str | None = None
) -> None:
    """A complex field (``PAGE``, ``NUMPAGES``…) that Word and LibreOffice compute; `result`
    is shown until they do."""

    def char(kind: str) -> None:
        mark = OxmlElement("w:fldChar")
        mark.set(w("fldCharType"), kind)
        add_run(parent, "", style=style).append(mark)

    char("begin")
    code = OxmlElement("w:instrText")
    code.text = f" {instruction} "
    code.set(qn("xml:space"), "preserve")
    add_run(parent, "", style=style).append(code)
    char("separate")
    add_run(parent, result, style=style)
    char("end")


def add_hyperlink(paragraph: etree._Element, r_id: str) -> etree._Element:
    """A hyperlink element (to fill with runs) pointing at relationship `r_id`."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    paragraph.append(link)
    return link


# --------------------------------------------------------------------------------------------
# Content controls: the fields of a fillable form
#
# Each is a ``w:sdt`` whose ``w:tag`` is the field's stable name and ``w:alias`` (the title
# Word shows on the control) its visible label; ``w:id`` numbers them in document order.


def _control_properties(sdt: etree._Element, tag: str, alias: str, number: int) -> etree._Element:
    sdt_pr = etree.SubElement(sdt, w("sdtPr"))
    prop(sdt_pr, "alias", val=alias)
    prop(sdt_pr, "tag", val=tag)
    prop(sdt_pr, "id", val=number)
    return sdt_pr


def add_checkbox_control(
    parent: etree._Element,
    *,
    tag: str,
    alias: str,
    number: int,
    style: str,
    font: str,
    unchecked: str,
    checked: str,
) -> etree._Element:
    """An inline tick box (Word 2010's ``w14:checkbox``), unticked: a run of the `unchecked`
    character in character style `style`; Word and LibreOffice swap in `checked` (in `font`)
    when it is clicked."""
    sdt = OxmlElement("w:sdt")
    sdt_pr = _control_properties(sdt, tag, alias, number)
    prop(prop(sdt_pr, "rPr"), "rStyle", val=style)  # what Word gives the ticked character
    box = etree.SubElement(sdt_pr, qn("w14:checkbox"))
    etree.SubElement(box, qn("w14:checked")).set(qn("w14:val"), "0")
    for name, char in (("checkedState", checked), ("uncheckedState", unchecked)):
        state = etree.SubElement(box, qn(f"w14:{name}"))
        state.set(qn("w14:val"), f"{ord(char):04X}")
        state.set(qn("w14:font"), font)
    content = etree.SubElement(sdt, w("sdtContent"))
    run = add_run(content, unchecked, style=style)
    # The font again on the run itself: in a table cell, LibreOffice 7.4 lets the document's
    # default font override a character style's (and the boxes fall back to another font).
    set_fonts(rpr(run), font, font)
    parent.append(sdt)
    return sdt


def add_text_control(
    parent: etree._Element,
    *,
    tag: str,
    alias: str,
    number: int,
    placeholder: str,
    rtl: bool = False,
) -> etree._Element:
    """An inline plain-text control showing `placeholder` (blank spaces that give the click
    a target) until something is typed, which replaces it."""
    sdt = OxmlElement("w:sdt")
    sdt_pr = _control_properties(sdt, tag, alias, number)
    prop(sdt_pr, "showingPlcHdr")
    prop(sdt_pr, "text")
    content = etree.SubElement(sdt, w("sdtContent"))
    add_run(content, placeholder, rtl=rtl)
    parent.append(sdt)
    return sdt


def block_control(*, tag: str, alias: str, number: int) -> tuple[etree._Element, etree._Element]:
    """A block-level rich-text control: the ``w:sdt`` to place among paragraphs, and its
    ``w:sdtContent`` to fill with them."""
    sdt = OxmlElement("w:sdt")
    _control_properties(sdt, tag, alias, number)
    return sdt, etree.SubElement(sdt, w("sdtContent"))


def set_picture_description(inline: etree._Element, text: str) -> None:
    """The alternative text of an inline picture (what a screen reader says of it)."""
    doc_pr = inline.find(qn("wp:docPr"))
    if doc_pr is not None:
        doc_pr.set("descr", text)


# --------------------------------------------------------------------------------------------
# Tables


def set_table(
    tbl_pr: etree._Element,
    *,
    style: str,
    width_pt: float,
    rtl: bool,
    header_row: bool,
) -> None:
    """Table-wide properties: style, full width, fixed layout (columns as given),
    ``bidiVisual`` for a right-to-left table (first column on the right)."""
    prop(tbl_pr, "tblStyle", val=style)
    if rtl:
        prop(tbl_pr, "bidiVisual")
    prop(tbl_pr, "tblW", w=_twips(width_pt), type="dxa")
    prop(tbl_pr, "tblLayout", type="fixed")
    prop(
        tbl_pr,
        "tblLook",
        val="0620" if header_row else "0600",  # the bits of the attributes below
        firstRow=int(header_row),
        lastRow=0,
        firstColumn=0,
        lastColumn=0,
        noHBand=1,
        noVBand=1,
    )


def set_table_grid(tbl: etree._Element, widths_pt: Iterable[float]) -> None:
    grid = tbl.find(w("tblGrid"))
    assert grid is not None
    for col in list(grid):
        grid.remove(col)
    for width in widths_pt:
        col = OxmlElement("w:gridCol")
        col.set(w("w"), str(_twips(width)))
        grid.append(col)


def set_table_borders(tbl_pr: etree._Element, width_pt: float, rgb: str) -> None:
    borders = prop(tbl_pr, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        prop(borders, side, val="single", sz=round(width_pt * 8), space=0, color=rgb)


def set_cell_margins(
    tbl_pr: etree._Element, top_pt: float, side_pt: float, bottom_pt: float
) -> None:
    margins = prop(tbl_pr, "tblCellMar")
    for side, value in (("top", top_pt), ("left", side_pt), ("bottom", bottom_pt),
                        ("right", side_pt)):  # fmt: skip
        prop(margins, side, w=_twips(value), type="dxa")


def set_cell(
    tc_pr: etree._Element,
    *,
    width_pt: float,
    fill: str | None = None,
    borders: Mapping[str, Border] | None = None,
    middle: bool = False,
) -> None:
    """A cell's width, background, own borders (``top``, ``left``, ``bottom``, ``right``:
    physical sides, as in a paragraph) and vertical centring."""
    prop(tc_pr, "tcW", w=_twips(width_pt), type="dxa")
    if borders:
        edges = prop(tc_pr, "tcBorders")
        for side, border in borders.items():
            prop(edges, side, val=border.kind, sz=round(border.width_pt * 8), space=0,
                 color=border.color)  # fmt: skip
    if fill:
        set_shading(tc_pr, fill)
    if middle:
        prop(tc_pr, "vAlign", val="center")


@dataclass(frozen=True)
class Border:
    """A line drawn along a cell's side."""

    width_pt: float
    color: str
    kind: str = "single"


def set_cell_padding(tc_pr: etree._Element, top_pt: float, side_pt: float, bottom_pt: float
                     ) -> None:  # fmt: skip
    """A cell's own margins (the same on both sides: no left/right question in bidi tables)."""
    margins = prop(tc_pr, "tcMar")
    for side, value in (("top", top_pt), ("left", side_pt), ("bottom", bottom_pt),
                        ("right", side_pt)):  # fmt: skip
        prop(margins, side, w=_twips(value), type="dxa")


def set_cell_space(tc_pr: etree._Element, side: str, space_pt: float) -> None:
    """Room between one side of a cell and its text (the table's margin elsewhere)."""
    prop(prop(tc_pr, "tcMar"), side, w=_twips(space_pt), type="dxa")


def set_no_border(p_pr: etree._Element, side: str) -> None:
    """No rule along one side of a paragraph, whatever its style draws."""
    prop(prop(p_pr, "pBdr"), side, val="nil")


def set_row(
    tr_pr: etree._Element, *, header: bool, height_pt: float | None = None, exact: bool = False
) -> None:
    """Rows never split across pages; header rows repeat on each page; a row may have a
    minimum (or `exact`) height."""
    prop(tr_pr, "cantSplit")
    if height_pt is not None:
        prop(tr_pr, "trHeight", val=_twips(height_pt), hRule="exact" if exact else "atLeast")
    if header:
        prop(tr_pr, "tblHeader")


# --------------------------------------------------------------------------------------------
# Sections, settings, numbering


def set_section_rtl(sect_pr: etree._Element) -> None:
    """A right-to-left section (columns, and page-number placement, from the right)."""
    prop(sect_pr, "bidi")


def set_settings(
    settings: etree._Element,
    *,
    latin_lang: str,
    bidi_lang: str,
    hyphenate: bool,
    fonts: str = "full",
) -> None:
    """Document settings: keep embedded fonts on save (`fonts` "full"; "subset": only the
    characters used, as Word's option of that name; "none": fonts not embedded), languages,
    hyphenation; drop the template's revision ids and its claim that spelling was checked."""
    for name in ("rsids", "proofState", "attachedTemplate"):
        remove(settings, name)
    if fonts != "none":
        prop(settings, "embedTrueTypeFonts")
    if fonts == "subset":
        prop(settings, "saveSubsetFonts")
    if hyphenate:
        prop(settings, "autoHyphenation")
        prop(settings, "doNotHyphenateCaps")
    prop(settings, "themeFontLang", val=latin_lang, bidi=bidi_lang)
    compat = settings.find(w("compat"))
    if compat is not None:
        for setting in compat.findall(w("compatSetting")):
            if setting.get(w("name")) == "compatibilityMode":
                setting.set(w("val"), "15")


def bullet_definitions(numbering: etree._Element, definitions: Mapping[int, BulletList]) -> None:
    """Replace the numbering part's content with one-level bullet lists, numbered from 1.

    A right-to-left list gets its own definition: its label is right-aligned on the start
    side (LibreOffice puts a ``left``-justified label of a bidi paragraph into the margin).
    """
    for child in list(numbering):
        numbering.remove(child)
    nums = []
    for num_id, spec in sorted(definitions.items()):
        abstract_id = num_id - 1
        nsid = hashlib.sha256(f"{spec}".encode()).hexdigest()[:8].upper()
        numbering.append(
            parse_xml(
                f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
                f'<w:nsid w:val="{nsid}"/><w:multiLevelType w:val="singleLevel"/>'
                f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
                f'<w:suff w:val="tab"/><w:lvlText w:val="{spec.label}"/>'
                f'<w:lvlJc w:val="{"right" if spec.rtl else "left"}"/>'
                f"<w:pPr>"
                f'<w:tabs><w:tab w:val="num" w:pos="{_twips(spec.indent_pt)}"/></w:tabs>'
                f'<w:ind w:left="{_twips(spec.indent_pt)}" '
                f'w:hanging="{_twips(spec.hanging_pt)}"/></w:pPr>'
                f'<w:rPr><w:rFonts w:ascii="{spec.font}" w:hAnsi="{spec.font}" '
                f'w:cs="{spec.font}" w:hint="default"/></w:rPr>'
                f"</w:lvl></w:abstractNum>"
            )
        )
        nums.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                f'<w:abstractNumId w:val="{abstract_id}"/></w:num>'
            )
        )
    numbering.extend(nums)  # every abstractNum comes before the first num


@dataclass(frozen=True)
class BulletList:
    """A one-level bulleted list: label, its font, text indent and label offset."""

    label: str
    font: str
    indent_pt: float
    hanging_pt: float
    rtl: bool


# --------------------------------------------------------------------------------------------
# Package: parts, fonts, properties, zip

RT_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
_EMBED = {
    "regular": "embedRegular",
    "bold": "embedBold",
    "italic": "embedItalic",
    "bolditalic": "embedBoldItalic",
}


@dataclass(frozen=True)
class FontFamily:
    """A font family for the font table, with the TrueType files to embed (none: only
    named, the reader's system provides it or a substitute)."""

    name: str
    panose: str
    signature: Mapping[str, str]
    faces: Mapping[str, bytes]  # "regular", "bold", "italic", "bolditalic" → TrueType bytes


def drop_relationships(part: Part | OpcPackage, reltypes: Iterable[str]) -> None:
    """Forget parts the template carries and the documents do not need."""
    wanted = set(reltypes)
    for r_id, rel in list(part.rels.items()):
        if rel.reltype in wanted:
            del part.rels[r_id]


def replace_part(source: Part | OpcPackage, reltype: str, content_type: str, xml: str) -> XmlPart:
    """Replace the part `source` (a part or the package) relates to by `reltype` with a new
    XML part of the same name."""
    old = source.part_related_by(reltype)
    drop_relationships(source, [reltype])
    package = source if isinstance(source, OpcPackage) else source.package
    new = XmlPart(PackURI(str(old.partname)), content_type, parse_xml(xml), package)
    source.relate_to(new, reltype)
    return new


def font_table(
    document_part: Part, families: Iterable[FontFamily], *, subsetted: bool = False
) -> None:
    """Write the font table, embedding each family's faces as Word does: the TrueType file
    with its first 32 bytes XORed with a key (the ``fontKey`` GUID), in ``word/fonts/``;
    `subsetted`: the faces hold only the glyphs the document uses (``w:subsetted``)."""
    families = list(families)
    table = replace_part(
        document_part,
        RT.FONT_TABLE,
        CT.WML_FONT_TABLE,
        f"<w:fonts {nsdecls('w', 'r')}/>",
    )
    n = 0
    for family in families:
        entry = OxmlElement("w:font")
        entry.set(w("name"), family.name)
        for name, attrs in (
            ("panose1", {"val": family.panose}),
            ("charset", {"val": "00"}),
            ("family", {"val": "roman"}),
            ("pitch", {"val": "variable"}),
            ("sig", dict(family.signature)),
        ):
            child = OxmlElement(f"w:{name}")
            for key, value in attrs.items():
                child.set(w(key), value)
            entry.append(child)
        for face, kind in _EMBED.items():
            data = family.faces.get(face)
            if data is None:
                continue
            n += 1
            key = font_key(data)
            part = Part(
                PackURI(f"/word/fonts/font{n}.odttf"),
                OBFUSCATED_FONT,
                obfuscate(data, key),
                document_part.package,
            )
            embed = OxmlElement(f"w:{kind}")
            embed.set(qn("r:id"), table.relate_to(part, RT.FONT))
            embed.set(w("fontKey"), key)
            if subsetted:
                embed.set(w("subsetted"), "1")
            entry.append(embed)
        table.element.append(entry)


def font_key(data: bytes) -> str:
    """A GUID derived from the font's bytes (the same font always gets the same key)."""
    guid = uuid.uuid5(uuid.NAMESPACE_URL, hashlib.sha256(data).hexdigest())
    return "{" + str(guid).upper() + "}"


def obfuscate(data: bytes, key: str) -> bytes:
    """Word's font obfuscation (ECMA-376 Part 2, §"Embedded Font Obfuscation"): the GUID's
    16 bytes, last first, XORed over the font's first 32 bytes. The same call reverses it."""
    guid = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ guid[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def app_properties(application: str) -> str:
    """Minimal extended properties naming the producing application."""
    return (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>'
        f"{_escape(application)}</Application><DocSecurity>0</DocSecurity></Properties>"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def reproducible_zip(data: bytes) -> bytes:
    """The same package with fixed entry dates and attributes (python-docx stamps the
    clock): the same document always gives the same bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return write_zip([deflate(name, src.read(name)) for name in src.namelist()])


@dataclass(frozen=True)
class ZipEntry:
    """A package entry, deflated once: the batch fast path (`fill`) reuses those of the
    parts a row does not change."""

    name: bytes
    crc: int
    size: int
    data: bytes  # raw deflate stream


def deflate(name: str, content: bytes) -> ZipEntry:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(content) + compressor.flush()
    return ZipEntry(name.encode("ascii"), zlib.crc32(content), len(content), data)


_DOS_TIME, _DOS_DATE = 0, (ZIP_EPOCH[0] - 1980) << 9 | ZIP_EPOCH[1] << 5 | ZIP_EPOCH[2]


def write_zip(entries: Iterable[ZipEntry]) -> bytes:
    """A zip of deflated entries dated `ZIP_EPOCH`, no extra fields or attributes (what
    zipfile writes for such entries, without compressing again what is already)."""
    out, central = io.BytesIO(), io.BytesIO()
    count = 0
    for entry in entries:
        common = struct.pack("<HHHHHIIIH", 20, 0, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE,
                             entry.crc, len(entry.data), entry.size, len(entry.name))  # fmt: skip
        offset = out.tell()
        out.write(b"PK\x03\x04" + common + b"\x00\x00" + entry.name + entry.data)
        central.write(b"PK\x01\x02" + struct.pack("<H", 20) + common
                      + struct.pack("<HHHHII", 0, 0, 0, 0, 0, offset) + entry.name)  # fmt: skip
        count += 1
    start = out.tell()
    directory = central.getvalue()
    out.write(directory)
    out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, count, count, len(directory),
                                           start, 0))  # fmt: skip
    return out.getvalue()


def midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
