"""What only the forms have in a DOCX: label and box grids, tick boxes, the ruled request box,
the signature box, all sized for a pen as in forms.css, and fillable on screen.

Every ``input`` of the tree becomes a content control whose ``w:tag`` is the field's stable
name (see `forms`) and whose ``w:alias`` is the field's visible label: a tick box is an
inline ``w14:checkbox`` control, a text field an inline plain-text control in a ruled box,
the request (``textarea``) a block control around ten ruled lines. A value pre-filled from a
person is page text in the same box, not a control, as in the PDF.

Layout grids are borderless tables (``bidiVisual`` in Arabic), since Word and LibreOffice
keep those alike: label, box, gap, label, box… The boxes are paragraph borders of the
``Field`` style, so that a clerk restyles them all at once.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from lxml import etree

from ... import bidi
from . import fonts as docx_fonts
from . import ooxml
from .styles import FORM_ROLES, MM, RULED_LINES
from .writer import classes, plain_text, span

if TYPE_CHECKING:
    from .writer import Writer

GAP = 4.0  # mm between the columns of a grid (forms.css: 4 mm before a second label)
LABEL_END = 2.0  # mm between a label and its box
SIGNATURE_SHARE = 0.35  # of the text width
_MEASURE_MARGIN = 1.06

_P_ROLES = {
    "subtitle": "Subtitle",
    "instructions": "Instructions",
    "intro": "Body Text",
    "hint": "Body Text",
    "contact": "Contact",
    "reserved": "Reserved",
}
_FIELD = next(role for role in FORM_ROLES if role.name == "Field")


class FormLayout:
    """The form-only blocks, written through the shared writer."""

    def __init__(self, writer: Writer) -> None:
        self.w = writer

    def block(self, el: etree._Element, container: object) -> bool:
        """Write `el` if it is a form block; False leaves it to the shared writer."""
        tag, cls = el.tag, classes(el)
        if tag == "section" and "request" in cls:
            # forms.css: the request starts the second page (the sheet is printed both sides).
            self.w.new_page_section()
            for child in el:
                self.w.block(child, container)
        elif tag == "h2":
            law = any("law" in classes(a) for a in el.iterancestors())
            self.w.paragraph(container, el, "Heading 2" if law else "Heading 1")
        elif tag == "p" and cls & set(_P_ROLES):
            self.w.paragraph(container, el, _P_ROLES[next(c for c in _P_ROLES if c in cls)])
        elif tag == "ul" and "choices" in cls:
            self._choices(el, container)
        elif tag == "table" and "fields" in cls:
            self._field_grid(el, container)
        elif tag == "table":  # operations by service, reply beside attachments: two columns
            self._columns([list(td) for tr in el.iter("tr") for td in tr], container)
        elif tag == "textarea":
            self._ruled_box(el, container)
        else:
            return False
        return True

    # -- tick boxes ----------------------------------------------------------------------------

    def _choices(self, el: etree._Element, container: object) -> None:
        """Tick boxes, each before its label, the label's lines hanging after the box."""
        small = any("operations-choice" in classes(a) for a in el.iterancestors())
        role = "Choice Small" if small else "Choice"
        items = [li for li in el if li.tag == "li"]
        if "two-columns" in classes(el):
            half = (len(items) + 1) // 2
            table = self._two_columns(container)
            row = table.add_row()
            for cell, part in ((row.cells[0], items[:half]), (row.cells[2], items[half:])):
                first = cell.paragraphs[0]
                for i, li in enumerate(part):
                    self.w.paragraph(cell, li, role, existing=first if i == 0 else None)
            self.w.paragraph(row.cells[1], None, "Field Label", existing=row.cells[1].paragraphs[0])
            return
        for li in items:
            self.w.paragraph(container, li, role)

    # -- grids of labels and boxes -------------------------------------------------------------

    def _field_grid(self, el: etree._Element, container: object) -> None:
        """Labels and boxes in rows: label, box, gap, label, box… (the signature box last)."""
        rows = [[td for td in tr if td.tag == "td"] for tr in el.iter("tr")]
        kinds: dict[int, str] = {}
        for row in rows:
            col = 0
            for td in row:
                if span(td) == 1 and kinds.get(col) != "field":  # a box column may end
                    kinds[col] = _kind(td)  # in the signature box (the bilingual grid)
                col += span(td)
        logical = max(kinds) + 1
        physical: list[int | None] = []  # logical column, or None for a gap
        for j in range(logical):
            if j and kinds[j] == "label" and kinds[j - 1] != "label":
                physical.append(None)
            physical.append(j)
        widths = self._grid_widths(rows, kinds, physical)
        position = {j: i for i, j in enumerate(physical) if j is not None}
        table = self.w.layout_table(container, widths)
        for tds in rows:
            row = table.add_row()
            ooxml.set_row(row._tr.get_or_add_trPr(), header=False)
            col = 0
            filled = set()
            for td in tds:
                first, last = position[col], position[col + span(td) - 1]
                cell = row.cells[first].merge(row.cells[last]) if last > first else row.cells[first]
                filled.update(range(first, last + 1))
                self._grid_cell(cell, td, sum(widths[first : last + 1]))
                col += span(td)
            for i in set(range(len(widths))) - filled:  # gaps
                self.w.paragraph(row.cells[i], None, "Field Label",
                                 existing=row.cells[i].paragraphs[0])  # fmt: skip
                ooxml.set_cell(row.cells[i]._tc.get_or_add_tcPr(), width_pt=widths[i])

    def _grid_widths(
        self, rows: list[list[etree._Element]], kinds: dict[int, str], physical: list[int | None]
    ) -> list[float]:
        """Labels as wide as their longest text, gaps of `GAP`, the signature box its share,
        the boxes the rest in equal parts."""
        total = self.w.page.text_width
        label: dict[int, float] = {}
        for tds in rows:
            col = 0
            for td in tds:
                if _kind(td) == "label":
                    text = plain_text(td)
                    with self.w.language(td):  # a bilingual grid's labels: either language
                        family, size = self.w.family(), self.w.size("Field Label")
                    width = docx_fonts.text_width(text, family, size)
                    label[col] = max(label.get(col, 0), width * _MEASURE_MARGIN + LABEL_END * MM)
                col += span(td)
        fixed = {j: label.get(j, 0) for j, kind in kinds.items() if kind == "label"}
        fixed |= {j: total * SIGNATURE_SHARE for j, kind in kinds.items() if kind == "signature"}
        gaps = physical.count(None) * GAP * MM
        boxes = [j for j, kind in kinds.items() if kind == "field"]
        box = (total - gaps - sum(fixed.values())) / len(boxes)
        return [GAP * MM if j is None else fixed.get(j, box) for j in physical]

    def _grid_cell(self, cell: Any, td: etree._Element, width: float) -> None:
        kind = _kind(td)
        ooxml.set_cell(cell._tc.get_or_add_tcPr(), width_pt=width, middle=True)
        first = cell.paragraphs[0]
        if kind == "signature":  # a drawn box to sign by hand, not a field
            self.w.paragraph(cell, None, "Signature", existing=first)
        elif kind == "label":
            self.w.paragraph(cell, td, "Field Label", existing=first)
        else:
            border, _, _, _, padding = _FIELD.box or (0, "", "", 0, 0)
            inner = width - 2 * (padding * MM + border)
            self.w.paragraph(cell, td, "Field", existing=first, field_width=inner)

    # -- columns -------------------------------------------------------------------------------

    def _two_columns(self, container: object) -> Any:
        half = (self.w.page.text_width - GAP * MM) / 2
        return self.w.layout_table(container, [half, GAP * MM, half])

    def _columns(self, cells: list[list[etree._Element]], container: object) -> None:
        """Two columns of blocks side by side (the tree's two cells of one row)."""
        table = self._two_columns(container)
        row = table.add_row()
        ooxml.set_row(row._tr.get_or_add_trPr(), header=False)
        half = (self.w.page.text_width - GAP * MM) / 2  # no cell margins (the layout table)
        for cell, blocks in zip((row.cells[0], row.cells[2]), cells, strict=True):
            with self.w.in_cell(half):
                self.w.fill_cell(cell, blocks)
        self.w.paragraph(row.cells[1], None, "Field Label", existing=row.cells[1].paragraphs[0])

    # -- the request ---------------------------------------------------------------------------

    def _ruled_box(self, el: etree._Element, container: object) -> None:
        """A box of ruled lines to write the request on, and a control around it to type it
        in."""
        self.w.controls += 1
        label = bidi.strip_controls(" ".join((el.get("title") or "").split()))
        sdt, content = ooxml.block_control(tag=el.get("name", ""), alias=label,
                                           number=self.w.controls)  # fmt: skip
        lines = [self.w.paragraph(container, None, "Ruled Line") for _ in range(RULED_LINES)]
        lines[0].addprevious(sdt)
        content.extend(lines)
        # LibreOffice 7.4 joins the boxes of consecutive paragraphs into one, ruled between
        # the lines, only when their borders are their own, not their style's.
        style = self.w.doc.styles[self.w.style("Ruled Line")].element
        borders = ooxml.ppr(style).find(ooxml.w("pBdr"))
        for p in lines:
            ooxml.insert(ooxml.ppr(p), copy.deepcopy(borders))


def _kind(td: etree._Element) -> str:
    cls = classes(td)
    return "signature" if "signature" in cls else "label" if "label" in cls else "field"
