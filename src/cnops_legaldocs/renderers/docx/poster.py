"""What only the poster has in a DOCX: coloured boxes (the masthead, the rights side by side,
the call centre, the channels, the branch) and, at the sheet's foot, the QR code with the
address it opens, as poster.css lays them out.

The boxes are borderless tables with shaded cells (``bidiVisual`` in Arabic, so that the
first right is on the right as in the PDF), separated by an empty "Spacer" paragraph (Word
would join two tables that touch). The QR band is the page footer, anchored to the bottom
edge as the PDF's running element is; the code is a PNG drawn at print resolution
(`qr.png_to_print`), sized as in the PDF, with the band's label as alternative text.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from docx.shared import Pt
from lxml import etree

from ... import qr
from . import fonts as docx_fonts
from . import ooxml
from .writer import State, classes, pieces_of, plain_text, poster_rem

if TYPE_CHECKING:
    from .writer import Writer

_BLUE, _GOLD, _PALE, _LINE, _SAND = "1F4E79", "E3A33B", "EAF1F8", "B9CBDC", "FBF1DF"
_QR = 8.5  # rem: the code's side
_NUMBER_SHARE = 0.7  # the most of the line the call centre's number takes
_BAND = 11.0  # rem: the QR band's height
_WHOLE_ITEM = 60  # characters: a branch item up to this length does not wrap inside
_BRANCH_GAP = ("    ", State(literal=True))  # 1.6 rem in the PDF

# A paragraph's role by its class, inside a box of the given class (None: anywhere).
_ROLES = {
    ("issuer", "masthead"): "Issuer",
    ("law", "masthead"): "Subtitle",
    ("lead", None): "Lead",
    ("free", None): "Emphasis",
    ("label", "call"): "Call Label",
    ("phone", None): "Phone",
    ("label", None): "Channel Label",
    ("address", "online"): "Online Address",
    ("address", None): "Address",
    ("recourse", None): "Note",
    ("edition", None): "Edition",
}


class PosterLayout:
    """The poster-only blocks, written through the shared writer."""

    def __init__(self, writer: Writer) -> None:
        self.w = writer
        self.rem = poster_rem(writer.source)  # points

    def block(self, el: etree._Element, container: object) -> bool:
        """Write `el` if it is a poster block; False leaves it to the shared writer."""
        tag, cls = el.tag, classes(el)
        if tag == "div" and "masthead" in cls:
            self._box(container, [list(el)], fill=_BLUE, padding=(1.2, 1.8, 1.35),
                      bottom=(0.45, _GOLD))  # fmt: skip
        elif tag == "div" and "cards" in cls:
            self._box(container, [list(card) for card in el], fill=_PALE,
                      padding=(0.8, 1.1, 0.9), top=(0.3, _BLUE), gap=1.1)  # fmt: skip
        elif tag == "div" and "call" in cls:
            self._call(el, container)
        elif tag == "div" and "channels" in cls:
            self._box(container, [list(channel) for channel in el], padding=(0.7, 1.2, 0.8),
                      frame=(0.12, _LINE), gap=0.8)  # fmt: skip
        elif tag == "div" and "branch" in cls:
            # (in the bilingual edition, its items in pairs, one a line: Branch paragraphs)
            self._box(container, [list(el)], fill=_SAND, padding=(0.6, 1.2, 0.7),
                      write=None if self.w.bilingual else self._branch)  # fmt: skip
        elif tag == "section" and "online" in cls:
            self._online(el)
        elif tag == "p":
            self.w.paragraph(container, el, self._role(el))
        elif tag in ("h2", "h3") and any("online" in classes(a) for a in el.iterancestors()):
            self.w.paragraph(container, el, "Online Heading")
        elif tag == "div" and "online-text" in cls:
            for child in el:
                self.block(child, container)
        else:
            return False
        return True

    def _role(self, el: etree._Element) -> str:
        boxes = set().union(*(classes(a) for a in el.iterancestors()))
        if "branch" in boxes:
            return "Branch"
        for (cls, box), role in _ROLES.items():
            if cls in classes(el) and (box is None or box in boxes):
                return role
        return "Online Text" if "online" in boxes else "Body Text"

    # -- boxes ---------------------------------------------------------------------------------

    def _box(
        self,
        container: object,
        cells: list[list[etree._Element]],
        *,
        padding: tuple[float, float, float],
        fill: str | None = None,
        top: tuple[float, str] | None = None,
        bottom: tuple[float, str] | None = None,
        frame: tuple[float, str] | None = None,
        gap: float = 0,
        write: Callable[[Any, list[etree._Element]], None] | None = None,
    ) -> None:
        """Boxes side by side, `gap` rem apart, each a shaded or framed cell holding blocks
        (sizes in rem; `write` puts them in a cell, one block after the other by default),
        then the space below them."""
        if self.w.bilingual and len(cells) > 1:  # bilingual.css: one box under the other
            for blocks in cells:
                self._box(container, [blocks], padding=padding, fill=fill, top=top,
                          bottom=bottom, frame=frame, write=write)  # fmt: skip
            return
        rem = self.rem
        total = self.w.width
        n = len(cells)
        width = (total - (n - 1) * gap * rem) / n
        widths = [w for i in range(n) for w in ([gap * rem] if i else []) + [width]]
        table = self.w.layout_table(container, widths)
        row = table.add_row()
        ooxml.set_row(row._tr.get_or_add_trPr(), header=False)
        borders: dict[str, ooxml.Border] = {}
        if frame:
            borders = dict.fromkeys(("top", "left", "bottom", "right"),
                                    ooxml.Border(frame[0] * rem, frame[1]))  # fmt: skip
        if top:
            borders["top"] = ooxml.Border(top[0] * rem, top[1])
        if bottom:
            borders["bottom"] = ooxml.Border(bottom[0] * rem, bottom[1])
        for i, cell in enumerate(row.cells):
            tc_pr = cell._tc.get_or_add_tcPr()
            if i % 2:  # a gap
                ooxml.set_cell(tc_pr, width_pt=widths[i])
                self.w.paragraph(cell, None, "Spacer", existing=cell.paragraphs[0])
                continue
            ooxml.set_cell(tc_pr, width_pt=widths[i], fill=fill, borders=borders)
            ooxml.set_cell_padding(tc_pr, padding[0] * rem, padding[1] * rem, padding[2] * rem)
            with self.w.language(None, widths[i] - 2 * padding[1] * rem):
                (write or self.w.fill_cell)(cell, cells[i // 2])
        self.w.paragraph(container, None, "Spacer")

    def _branch(self, cell: Any, items: list[etree._Element]) -> None:
        """The branch's name, address and hours in one paragraph that wraps between them, as
        the PDF's row of items does (the name in the accent colour; an item shorter than a
        line stays whole)."""
        pieces = []
        for i, item in enumerate(items):
            if i:
                pieces.append(_BRANCH_GAP)
            bold = "branch-name" in classes(item)
            whole = len(plain_text(item)) <= _WHOLE_ITEM
            pieces += [(text, replace(state, bold=bold, nowrap=state.nowrap or whole))
                       for text, state in pieces_of(item)]  # fmt: skip
        p = self.w.paragraph(cell, None, "Branch", existing=cell.paragraphs[0])
        self.w.fill(p, pieces, role="Branch")

    def _call(self, el: etree._Element, container: object) -> None:
        """The call centre: its label at the start, its number large at the end, on blue."""
        rem = self.rem
        pair = _pair(el)  # the bilingual edition: French label, number, Arabic label
        sources = [list(half) for half in pair] if pair else [[child] for child in el]
        phone = sources[1 if pair else -1][0]
        padding = (0.6 * rem, 1.2 * rem, 0.7 * rem)
        size = self.w.size("Phone")
        number = docx_fonts.text_width(plain_text(phone), self.w.family("Phone"), size,
                                       bold=True) * 1.08 + 2 * padding[1]  # fmt: skip
        total = self.w.width
        number = min(number, total * _NUMBER_SHARE)  # a number longer than that wraps
        if pair:
            widths = [(total - number) / 2, number, (total - number) / 2]
            table = self.w.pairs_table(container, widths)
        else:
            widths = [total - number, number]
            table = self.w.layout_table(container, widths)
        row = table.add_row()
        ooxml.set_row(row._tr.get_or_add_trPr(), header=False)
        for i, (cell, width, blocks) in enumerate(zip(row.cells, widths, sources, strict=True)):
            tc_pr = cell._tc.get_or_add_tcPr()
            ooxml.set_cell(tc_pr, width_pt=width, fill=_BLUE, middle=True)
            ooxml.set_cell_padding(tc_pr, *padding)
            with self.w.language(pair[i] if pair else None):
                self.w.fill_cell(cell, blocks)
        self.w.paragraph(container, None, "Spacer")

    # -- the QR band ---------------------------------------------------------------------------

    def _online(self, el: etree._Element) -> None:
        """The footer: the QR code beside its heading, the address and the edition, framed."""
        rem = self.rem
        footer = self.w.doc.sections[0].footer
        end = footer.paragraphs[0]
        svg = next(el.iter("svg"))
        side = _QR * rem
        pad = 0.9 * rem
        qr_width, total = side + 2 * pad, self.w.page.text_width
        pair = next((_pair(div) for div in el if "pairs" in classes(div)), None)
        if pair:  # the bilingual edition: French text, the code, Arabic text
            texts: list[list[etree._Element]] = [list(pair[0]), [], list(pair[2])]
            widths = [(total - qr_width) / 2, qr_width, (total - qr_width) / 2]
            table = self.w.pairs_table(footer, widths)
        else:
            texts = [[], [child for child in el if child.tag != "svg"]]
            widths = [qr_width, total - qr_width]
            table = self.w.layout_table(footer, widths)
        tbl_pr = table._tbl.tblPr
        ooxml.set_table_borders(tbl_pr, 0.15 * rem, _BLUE)
        ooxml.remove(ooxml.prop(tbl_pr, "tblBorders"), "insideV")
        row = table.add_row()
        # The band is as high as in the PDF (11 rem), its top edge 1.2 rem under the text.
        ooxml.set_row(row._tr.get_or_add_trPr(), header=False, height_pt=_BAND * rem, exact=True)
        for cell, width in zip(row.cells, widths, strict=True):
            tc_pr = cell._tc.get_or_add_tcPr()
            ooxml.set_cell(tc_pr, width_pt=width, middle=True)
            ooxml.set_cell_padding(tc_pr, pad, pad, pad)
        code = 1 if pair else 0
        self.w.paragraph(row.cells[code], None, "Picture",
                         existing=row.cells[code].paragraphs[0])  # fmt: skip
        picture = (
            row.cells[code]
            .paragraphs[0]
            .add_run()
            .add_picture(io.BytesIO(qr.png_to_print(svg.get("data-url", ""), side)), width=Pt(side))
        )
        ooxml.set_picture_description(picture._inline, svg.get("aria-label", ""))
        for i, blocks in enumerate(texts):
            if blocks:
                with self.w.language(pair[i] if pair else None, widths[i] - 2 * pad):
                    self.w.fill_cell(row.cells[i], blocks)
        # A story ends with a paragraph: the footer's own, after the band, one point high.
        table._tbl.addnext(end._p)
        self.w.paragraph(footer, None, "Footer", existing=end)


def _pair(el: etree._Element) -> list[etree._Element] | None:
    """The halves (French, middle, Arabic) of a bilingual block's one pair, if it is one."""
    pairs = next((child for child in el if "pairs" in classes(child)), el)
    rows = [row for row in pairs if "pair" in classes(row)] if "pairs" in classes(pairs) else []
    return list(rows[0]) if len(rows) == 1 and len(rows[0]) == 3 else None
