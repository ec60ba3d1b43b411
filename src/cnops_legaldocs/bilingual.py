"""The bilingual edition (``fr+ar``): French on the left, Arabic on the right, each block
facing its translation.

The French and the Arabic document are built as usual, from the same templates, data and
options, so their trees have the same shape; they are walked side by side and composed into
one tree of paired rows:

- a heading, paragraph, list item or other leaf block becomes a row ``div.pair`` of two
  cells, ``div.fr`` (``lang="fr" dir="ltr"``) and ``div.ar`` (``lang="ar" dir="rtl"``);
  consecutive rows form a ``div.pairs``, laid out as a table, so that a row is as tall as
  its longer side and the next pair starts at the same height on both sides;
- a block that reads the same in both languages (a phone number, an address, the QR code, a
  form's text box) is printed once: across the page, or in a middle cell ``div.middle``
  between the two versions of what it belongs to (the QR code between its two captions, a
  tick box between its two labels);
- a container (``section``, ``div``) is kept around its rows, so that its style (a framed
  agency block, a card, a smaller type) still applies;
- a table keeps its columns and pairs its rows: a data table's row holds the French cells,
  then the columns both share (a number, a reference: once, in the middle), then the Arabic
  cells in reverse order (the first Arabic column is the rightmost); a form's
  field grid has one row per field (French label, box, Arabic label); a layout table (tick
  boxes in two columns, two parts side by side) is unrolled in reading order;
- the running header and footer hold both languages, French left and Arabic right.

Nothing is translated or written here: every word comes from the two documents, that is from
the fr and ar catalogs and the data. A form keeps one field per name (`forms`), with the name
it has in either language, and a pre-filled value is printed once.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby

from lxml import etree

from . import bidi
from .errors import RenderError

BILINGUAL = "fr+ar"
"""The language code of the bilingual edition."""

FILE_TAG = "bilingual"
"""What the bilingual edition's file names carry instead of its code (``notice-bilingual.pdf``):
"+" is a space in form-encoded URLs and some web stores decode it so in paths, and "fr-ar"
would read as the language tag of French as spoken in Argentina."""

SIDES = ("fr", "ar")
"""The two languages, in the order of their columns from left to right."""

DIRECTIONS = {"fr": "ltr", "ar": "rtl"}

JOIN = " / "
"""Between the French and the Arabic of a one-line text (document title, a field's tooltip)."""

_CONTROLS = frozenset({"input", "textarea", "select"})
_BLOCKS = frozenset(
    {"section", "div", "p", "h1", "h2", "h3", "ul", "ol", "table", "svg", "textarea"}
)
_CONTAINERS = frozenset({"section", "div"})
_ROW_MARKS = frozenset({"h1", "h2", "h3"})  # rows named after what they hold (CSS: rules, breaks)


@dataclass
class _Row:
    """One row of the composition: the French and Arabic blocks, and what they share."""

    fr: list[etree._Element] = field(default_factory=list)
    ar: list[etree._Element] = field(default_factory=list)
    middle: list[etree._Element] = field(default_factory=list)
    group: str = ""  # extra class of the row's ``div.pairs`` ("choices")
    mark: str = ""  # extra class of the row (its block's tag)

    @property
    def shape(self) -> tuple[str, bool, bool]:
        return (self.group, bool(self.fr), bool(self.middle))


_Item = etree._Element | _Row


def compose_tree(fr: etree._Element, ar: etree._Element) -> etree._Element:
    """The bilingual ``html`` tree of a French and an Arabic ``html`` tree of the same
    document (head from the French, ``lang="fr"``; each cell carries its own language)."""
    root = etree.Element("html", _attrs(fr, lang="fr", dir="ltr"))
    root.set("class", " ".join(filter(None, [fr.get("class"), "bilingual"])))
    head = fr.find("head")
    if head is not None:
        root.append(copy.deepcopy(head))
    body_fr, body_ar = _need(fr, "body"), _need(ar, "body")
    body = etree.SubElement(root, "body", _attrs(body_fr))
    for tag in ("header", "footer"):
        furniture = [body_fr.find(tag), body_ar.find(tag)]
        if furniture[0] is not None and furniture[1] is not None:
            body.append(_furniture(*furniture))
    content = [_content(body_fr), _content(body_ar)]
    body.extend(_assemble(_pair_all(*content)))
    return root


def file_tag(lang: str) -> str:
    """The part of a file name that names a document's language: ``fr``, ``ar``, or
    `FILE_TAG` for the bilingual edition."""
    return FILE_TAG if lang == BILINGUAL else lang


def join(fr: str, ar: str) -> str:
    """A one-line text in both languages (the same text once)."""
    return fr if fr == ar else f"{fr}{JOIN}{ar}"


# --------------------------------------------------------------------------------------------
# Pairing


def _pair_all(fr: list[etree._Element], ar: list[etree._Element]) -> list[_Item]:
    if [el.tag for el in fr] != [el.tag for el in ar]:
        raise RenderError(
            f"the French and Arabic documents differ in structure: {_tags(fr)} against {_tags(ar)}"
        )
    out: list[_Item] = []
    for f, a in zip(fr, ar, strict=True):
        out += _pair(f, a)
    return out


def _pair(f: etree._Element, a: etree._Element) -> list[_Item]:
    tag, classes = f.tag, _classes(f)
    if tag in _CONTROLS:
        return [_Row(middle=[_control(f, a)])]
    if tag == "table":
        if "fields" in classes:
            return [_field_grid(f, a)]
        if f.find(".//th") is not None:
            return [_data_table(f, a)]
        return _pair_all(
            [c for cell in _cells(f) for c in _blocks_of(cell)],
            [c for cell in _cells(a) for c in _blocks_of(cell)],
        )  # a layout table: its cells in reading order
    if tag in ("ul", "ol"):
        return list(_list_rows(f, a))
    if tag in _CONTAINERS and _is_container(f):
        children = [_content(f), _content(a)]
        shell = _shell(f)
        same = [_same(x, y) for x, y in zip(*children, strict=False)]
        if len(children[0]) == 2 and len(children[1]) == 2 and sum(same) == 1:
            # Two blocks, one shared (the QR code and its text): the shared one in the middle.
            shared = same.index(True)
            own = 1 - shared
            row = _Row(
                fr=[_clean(children[0][own])],
                ar=[_clean(children[1][own])],
                middle=[_merged(children[0][shared], children[1][shared])],
            )
            shell.extend(_assemble([row]))
        else:
            shell.extend(_assemble(_pair_all(*children)))
        return [shell]
    if _same(f, a):
        return [_Row(middle=[_merged(f, a)], mark=tag if tag in _ROW_MARKS else "")]
    return [_Row(fr=[_clean(f)], ar=[_clean(a)], mark=tag if tag in _ROW_MARKS else "")]


def _list_rows(f: etree._Element, a: etree._Element) -> Iterator[_Row]:
    """A list, item by item: a tick box between its two labels, or an item in each language
    (each side a one-item list of the same kind, the last keeping the list's bottom margin)."""
    items = [[li for li in f if li.tag == "li"], [li for li in a if li.tag == "li"]]
    if len(items[0]) != len(items[1]):
        raise RenderError("the French and Arabic documents differ in structure: list lengths")
    for number, (fli, ali) in enumerate(zip(*items, strict=True), 1):
        controls = [c for c in fli if c.tag in _CONTROLS]
        if controls:
            yield _Row(
                fr=[_clean(c) for c in fli if c.tag not in _CONTROLS],
                ar=[_clean(c) for c in ali if c.tag not in _CONTROLS],
                middle=[_control(c, d) for c, d in zip(fli, ali, strict=True)
                        if c.tag in _CONTROLS],
                group="choices",
            )  # fmt: skip
            continue
        sides = []
        for lst, li in ((f, fli), (a, ali)):
            one = _shell(lst)
            if number == len(items[0]):
                _add_class(one, "list-end")
            one.append(_clean(li))
            sides.append([one])
        yield _Row(fr=sides[0], ar=sides[1], mark="item")


def _field_grid(f: etree._Element, a: etree._Element) -> etree._Element:
    """A form's grid of labelled boxes: one row per field, French label, box, Arabic label."""
    grid = _shell(f)
    rows = [[tr for tr in f.iter("tr")], [tr for tr in a.iter("tr")]]
    for tr_f, tr_a in zip(*rows, strict=True):
        for unit_f, unit_a in zip(_units(tr_f), _units(tr_a), strict=True):
            row = etree.SubElement(grid, "tr")
            label_f, *boxes_f = unit_f
            label_a, *boxes_a = unit_a
            row.append(_side(_clean(label_f), "fr"))
            for box_f, box_a in zip(boxes_f, boxes_a, strict=True):
                cell = _merged(box_f, box_a)
                cell.attrib.pop("colspan", None)
                cell.attrib.pop("rowspan", None)
                row.append(cell)
            row.append(_side(_clean(label_a), "ar"))
    return grid


def _units(tr: etree._Element) -> list[list[etree._Element]]:
    """A grid row's cells cut into fields: a label cell and the cells up to the next label."""
    units: list[list[etree._Element]] = []
    for cell in tr:
        if "label" in _classes(cell) or not units:
            units.append([cell])
        else:
            units[-1].append(cell)
    return units


def _data_table(f: etree._Element, a: etree._Element) -> etree._Element:
    """A data table with its rows paired: each row holds the French cells, the cells both
    languages share (a number, a reference: printed once, headed in both languages), then the
    Arabic cells from right to left."""
    rows = [_rows(f), _rows(a)]
    if len(rows[0]) != len(rows[1]) or any(h for h, _ in rows[0]) != any(h for h, _ in rows[1]):
        raise RenderError("the French and Arabic documents differ in structure: table rows")
    grids = [[_grid(tr) for _, tr in side] for side in rows]
    columns = max((max(g, default=-1) + 1 for g in grids[0]), default=0)
    body = [i for i, (head, _) in enumerate(rows[0]) if not head]
    shared = [
        col for col in range(columns)
        if body and all(
            col in grids[0][i] and col in grids[1][i]
            and _span(grids[0][i][col]) == 1
            and _same(grids[0][i][col], grids[1][i][col])
            for i in body
        )
    ]  # fmt: skip
    table = _shell(f)
    groups: dict[str, etree._Element] = {}
    for i, (head, tr_f) in enumerate(rows[0]):
        tr_a = rows[1][i][1]
        section = "thead" if head else "tbody"
        if section not in groups:
            groups[section] = etree.SubElement(table, section)
        row = etree.SubElement(groups[section], "tr", _attrs(tr_f))
        own_f = [_side(_clean(c), "fr") for c in tr_f if _start(grids[0][i], c) not in shared]
        own_a = [_side(_clean(c), "ar") for c in tr_a if _start(grids[1][i], c) not in shared]
        middle = [_shared_cell(grids[0][i][col], grids[1][i][col], head) for col in shared]
        row.extend(own_f)
        for number, cell in enumerate([*middle, *reversed(own_a)]):
            if number in (0, len(middle)):  # where French ends, and where Arabic begins
                _add_class(cell, "divide")
            row.append(cell)
    return table


def _shared_cell(f: etree._Element, a: etree._Element, head: bool) -> etree._Element:
    """A column both languages share: its value once; its heading in each language."""
    if not head:
        return _merged(f, a)
    cell = _shell(f)
    for lang, source in zip(SIDES, (f, a), strict=True):
        part = etree.SubElement(cell, "p", {"lang": lang, "dir": DIRECTIONS[lang]})
        part.text = source.text
        part.extend(copy.deepcopy(child) for child in source)  # with their tails: "(CNDP)"
    return cell


def _rows(table: etree._Element) -> list[tuple[bool, etree._Element]]:
    """A table's rows, each with whether it is a header row."""
    out: list[tuple[bool, etree._Element]] = []
    for child in table:
        if child.tag == "tr":
            out.append((all(c.tag == "th" for c in child), child))
        elif child.tag in ("thead", "tbody", "tfoot"):
            out += [(child.tag == "thead", tr) for tr in child if tr.tag == "tr"]
    return out


def _grid(tr: etree._Element) -> dict[int, etree._Element]:
    """The cell in each column of a row (a cell spanning columns in each of them)."""
    out: dict[int, etree._Element] = {}
    col = 0
    for cell in tr:
        for _ in range(_span(cell)):
            out[col] = cell
            col += 1
    return out


def _start(grid: dict[int, etree._Element], cell: etree._Element) -> int:
    return min(col for col, c in grid.items() if c is cell)


def _span(cell: etree._Element) -> int:
    try:
        return max(1, int(cell.get("colspan", "1")))
    except ValueError:
        return 1


def _add_class(el: etree._Element, name: str) -> None:
    el.set("class", " ".join(filter(None, [el.get("class"), name])))


def _furniture(f: etree._Element, a: etree._Element) -> etree._Element:
    """A running header or footer: the French items in a left half, the Arabic in a right."""
    out = _shell(f)
    for lang, source in zip(SIDES, (f, a), strict=True):
        half = etree.SubElement(out, "div", {"class": f"half {lang}"})
        half.text = source.text
        half.extend(_clean(child) for child in source)
        _set_language(half, lang)
    return out


# --------------------------------------------------------------------------------------------
# Assembling rows into the tree


def _assemble(items: Iterable[_Item]) -> list[etree._Element]:
    """Consecutive rows of the same shape become one ``div.pairs``; a shared block alone is
    printed across the page, as is."""
    out: list[etree._Element] = []
    for key, group in groupby(items, key=lambda item: _shape(item)):
        if key is None:
            out += group  # type: ignore[arg-type]
            continue
        rows: list[_Row] = list(group)  # type: ignore[arg-type]
        if not rows[0].fr:
            out += [block for row in rows for block in row.middle]
            continue
        classes = " ".join(filter(None, ["pairs", rows[0].group, "with-middle" * key[2]]))
        pairs = etree.Element("div", {"class": classes})
        for row in rows:
            tr = etree.SubElement(
                pairs, "div", {"class": " ".join(filter(None, ["pair", row.mark]))}
            )
            cells = [("fr", row.fr), ("middle", row.middle), ("ar", row.ar)]
            for name, blocks in cells:
                if name == "middle" and not blocks:
                    continue
                cell = etree.SubElement(tr, "div", {"class": name})
                cell.extend(blocks)
                if name in DIRECTIONS:
                    _set_language(cell, name)
        out.append(pairs)
    return out


def _shape(item: _Item) -> tuple[str, bool, bool] | None:
    return item.shape if isinstance(item, _Row) else None


# --------------------------------------------------------------------------------------------
# Elements


def _same(f: etree._Element, a: etree._Element) -> bool:
    """Whether two blocks print the same thing (then it is printed once): a form control of
    the same name, a QR code of the same address, or a block of the same text."""
    if f.tag != a.tag or _classes(f) != _classes(a):
        return False
    if f.tag in _CONTROLS:
        return f.get("name") is not None and f.get("name") == a.get("name")
    if f.get("data-url") or a.get("data-url"):
        return f.get("data-url") == a.get("data-url")
    return _text(f) == _text(a)


def _merged(f: etree._Element, a: etree._Element) -> etree._Element:
    """The French copy of a shared block, with the accessible names of what it holds (a
    control's tooltip, the QR code's label) in both languages."""
    out = _clean(f)
    names = {_key(el): el for el in a.iter() if _key(el)}
    for el in out.iter():
        other = names.get(_key(el)) if _key(el) else None
        for name in ("title", "aria-label"):
            if other is not None and el.get(name) and other.get(name):
                el.set(name, join(el.get(name), other.get(name)))
    return out


def _key(el: etree._Element) -> str | None:
    """What identifies an element with an accessible name in both trees: a control's name,
    a QR code's address."""
    if el.tag in _CONTROLS:
        return el.get("name")
    return el.get("data-url")


def _control(f: etree._Element, a: etree._Element) -> etree._Element:
    if not _same(f, a):
        raise RenderError(
            "the French and Arabic forms differ in their fields: "
            f"{f.get('name')!r} against {a.get('name')!r}"
        )
    return _merged(f, a)


def _side(el: etree._Element, lang: str) -> etree._Element:
    _set_language(el, lang)
    return el


def _set_language(el: etree._Element, lang: str) -> None:
    el.set("lang", lang)
    el.set("dir", DIRECTIONS[lang])


def _shell(el: etree._Element) -> etree._Element:
    """An element's tag and attributes, without content."""
    return etree.Element(el.tag, _attrs(el))


def _clean(el: etree._Element) -> etree._Element:
    """A deep copy, without the text that followed it in its parent."""
    out = copy.deepcopy(el)
    out.tail = None
    return out


def _attrs(el: etree._Element, **extra: str) -> dict[str, str]:
    return {**{str(k): str(v) for k, v in el.attrib.items()}, **extra}


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _text(el: etree._Element) -> str:
    return " ".join(bidi.strip_controls("".join(el.itertext())).split())


def _content(el: etree._Element) -> list[etree._Element]:
    """The blocks of an element, page furniture aside."""
    return [c for c in el if isinstance(c.tag, str) and c.tag not in ("header", "footer")]


def _blocks_of(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]


def _is_container(el: etree._Element) -> bool:
    """Whether an element holds only blocks (else it is a leaf: text and inline elements)."""
    children = _blocks_of(el)
    has_text = bool((el.text or "").strip()) or any((c.tail or "").strip() for c in children)
    return bool(children) and not has_text and all(c.tag in _BLOCKS for c in children)


def _cells(table: etree._Element) -> list[etree._Element]:
    return [cell for tr in table.iter("tr") for cell in tr if cell.tag in ("td", "th")]


def _need(el: etree._Element, tag: str) -> etree._Element:
    found = el.find(tag)
    if found is None:
        raise RenderError(f"the document has no <{tag}>")
    return found


def _tags(els: list[etree._Element]) -> str:
    return "<" + "> <".join(str(el.tag) for el in els) + ">"
