"""The PDF text layer: what copy, search and screen readers get back from the printed glyphs.

WeasyPrint 70 writes one ToUnicode entry per glyph: a glyph drawn for clusters of different
text (Amiri's contextual forms, lam-alef, marks) maps to the text of its first use wherever it
appears (WeasyPrint issue #2841), and glyph offsets (marks, cursive attachment) leave gaps that
readers take for spaces. Two steps fix both, in every reader that reads ToUnicode and widths
(poppler, PDFium, pdf.js):

1. While WeasyPrint draws (`install`, active for the whole process), every glyph whose text
   differs from the text its ToUnicode entry will hold is wrapped in a marked-content span
   ``/Span <</ActualText (text)>> BDC … EMC``: the standard way to say what a glyph stands for,
   which travels with the content stream (the forms' fast path stamps such streams as they are).
2. `exact(pdf)` rewrites the finished PDF: each (glyph, text, advance) gets a character code of
   its own in its Type 0 font (a ``CIDToGIDMap`` maps the new codes to the same glyph, so the
   pages draw the same), with its own ToUnicode entry and a width equal to the glyph's advance
   as drawn (the position adjustment after it is folded in, so no gap is left between the
   glyphs of a word); the spans are then removed. Invisible format characters (bidi isolates
   and marks, word joiner) are dropped from every ToUnicode entry. In a tagged PDF, structure
   elements whose text is Arabic in a document of another language get ``/Lang (ar)``.

`exact` is a function of the PDF alone: apply it to any PDF drawn by WeasyPrint with `install`
active (the fast path: after stamping, on the whole file).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import pikepdf
from weasyprint.pdf.stream import Stream

# Format characters that must not reach extracted text (they are layout instructions).
INVISIBLE = frozenset("\u061c\u200b\u200e\u200f\u2060\u2066\u2067\u2068\u2069") | frozenset(
    chr(c) for c in range(0x202A, 0x202F)
)
_CLEAN = str.maketrans(dict.fromkeys(map(ord, INVISIBLE)))
_SPAN = pikepdf.Name("/Span")
_ACTUAL = pikepdf.Name("/ActualText")


# -- 1. Recording, while WeasyPrint draws ------------------------------------------------------


class _Recorder(dict[int, str]):
    """A font's ``to_unicode``: keeps WeasyPrint's first text per glyph, and queues the text of
    every glyph occurrence in drawing order (``in`` answers no, so WeasyPrint computes it)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.queue: list[tuple[int, str]] = []

    def __contains__(self, key: object) -> bool:
        return False

    def __setitem__(self, glyph: int, text: str) -> None:
        self.queue.append((glyph, text))
        if not dict.__contains__(self, glyph):
            dict.__setitem__(self, glyph, text)


_TOKENS = re.compile(r"<([0-9a-f]*)>|([^<>]+)")


def _current_font(stream: Stream) -> Any:
    current = getattr(stream, "_current_font", None)
    if not current:
        return None
    for font in stream._fonts.values():
        if font.hash == current[0]:
            return font
    return None


def _hex_text(text: str) -> str:
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def _distribute(queue: list[tuple[int, str]]) -> list[str]:
    """The text each glyph occurrence stands for, none empty where possible.

    WeasyPrint gives a cluster's text to one of its glyphs and nothing to the others; a glyph
    that says nothing makes readers print its code as a character (pdf.js, PDFium) or a gap
    (poppler). Each cluster (with its right-to-left neighbours when it has fewer characters
    than glyphs) shares its text out over its glyphs in logical order, the last glyph taking
    the rest: the text read back is the same, and no glyph is silent."""
    clusters: list[list[int]] = []  # glyph indices in stream order
    texts: list[str] = []
    pending: list[int] = []  # silent glyphs waiting for the text glyph after them (LTR)
    for index, (_, said) in enumerate(queue):
        if said:
            if _rtl(said) and not pending:
                clusters.append([index])
            else:
                clusters.append([*pending, index])
                pending = []
            texts.append(said)
        elif clusters and _rtl(texts[-1]) and not pending:
            clusters[-1].append(index)  # a right-to-left cluster's text glyph comes first
        else:
            pending.append(index)
    if pending:
        clusters.append(pending)
        texts.append("")
    merged: list[tuple[list[int], str]] = []
    for glyphs, said in zip(clusters, texts, strict=True):
        if merged and len(merged[-1][1]) < len(merged[-1][0]) and _rtl(merged[-1][1] + said):
            # stream order; logically, this cluster comes first
            both = (merged[-1][0] + glyphs, said + merged[-1][1])
            if len(both[1]) >= len(both[0]) and " " not in both[1]:
                merged[-1] = both
                continue
        merged.append((glyphs, said))
    out = [""] * len(queue)
    for glyphs, said in merged:
        logical = glyphs[::-1] if _rtl(said) else glyphs
        if len(said) < len(logical):  # too few characters: as WeasyPrint has them
            for index in glyphs:
                out[index] = queue[index][1]
            continue
        for j, index in enumerate(logical):
            out[index] = said[j] if j < len(logical) - 1 else said[j:]
    return out


def _show_text(self: Stream, text: str) -> None:
    font = _current_font(self)
    recorder = getattr(font, "to_unicode", None)
    if not isinstance(recorder, _Recorder) or font.bitmap or not recorder.queue:
        return _ORIGINAL_SHOW_TEXT(self, text)
    queue, recorder.queue = recorder.queue, []
    glyphs = [
        g for g, n in _TOKENS.findall(text) for g in (g[i : i + 4] for i in range(0, len(g), 4))
    ]
    if [int(g, 16) for g in glyphs if g] != [glyph for glyph, _ in queue]:
        return _ORIGINAL_SHOW_TEXT(self, text)  # not as expected: leave it be
    texts = _distribute(queue)
    pending: list[str] = []  # the TJ array being built
    out: list[str] = []
    index = 0
    for glyphs, number in _TOKENS.findall(text):
        if number:
            pending.append(number)
            continue
        for start in range(0, len(glyphs), 4):
            code = glyphs[start : start + 4]
            glyph, said = queue[index][0], texts[index]
            index += 1
            if said == dict.__getitem__(recorder, glyph):
                pending.append(f"<{code}>")
                continue
            if pending:
                out.append(f"[{' '.join(pending)}] TJ")
                pending = []
            out.append(f"/Span <</ActualText {_hex_text(said)}>> BDC [<{code}>] TJ EMC")
    if pending:
        out.append(f"[{' '.join(pending)}] TJ")
    self.stream.append("\n".join(out).encode())


def _add_font(self: Stream, pango_font: Any) -> Any:
    font, size = _ORIGINAL_ADD_FONT(self, pango_font)
    if not isinstance(font.to_unicode, _Recorder):
        font.to_unicode = _Recorder(font.to_unicode)
    return font, size


_ORIGINAL_SHOW_TEXT = Stream.show_text
_ORIGINAL_ADD_FONT = Stream.add_font


def install() -> None:
    """Have WeasyPrint mark every glyph whose text its ToUnicode entry would get wrong (for the
    whole process; idempotent). `exact` then makes the marks part of the fonts."""
    Stream.show_text = _show_text  # type: ignore[method-assign]
    Stream.add_font = _add_font  # type: ignore[method-assign]


# -- 2. Rewriting the finished PDF -------------------------------------------------------------


class _Font:
    """One Type 0 font of the PDF: its codes, their widths and texts, and the new codes."""

    def __init__(self, font: pikepdf.Dictionary) -> None:
        self.font = font
        self.cid = font.DescendantFonts[0]
        self.widths = _read_widths(self.cid.get("/W", pikepdf.Array()))
        self.texts = _read_to_unicode(font.ToUnicode.read_bytes())
        glyphs = _glyph_count(self.cid)
        self.next = max([glyphs, *(c + 1 for c in self.widths), *(c + 1 for c in self.texts)])
        self.gid_of: dict[int, int] = {}
        self.codes: dict[tuple[int, str, float], int] = {}

    def code(self, code: int, text: str | None, advance: float | None) -> int:
        """The code that draws `code`'s glyph, stands for `text` and advances by `advance`
        (None: as `code` does)."""
        glyph = self.gid_of.get(code, code)
        if text is None:
            text = self.texts.get(code, "")
        width = self.widths.get(code, 1000.0)
        if advance is None:
            advance = width
        if text == self.texts.get(code, "") and advance == width:
            return code
        key = (glyph, text, advance)
        if key not in self.codes:
            if self.next > 0xFFFF:
                return code  # no code left: keep the glyph's own
            new = self.codes[key] = self.next
            self.next += 1
            self.gid_of[new] = glyph
            self.widths[new] = advance
            self.texts[new] = text
        return self.codes[key]

    def write(self, pdf: pikepdf.Pdf) -> None:
        cleaned = {code: text.translate(_CLEAN) for code, text in self.texts.items()}
        if self.codes or cleaned != self.texts:
            self.font.ToUnicode = pdf.make_stream(_to_unicode(cleaned))
        if not self.codes:
            return
        old = self.cid.get("/CIDToGIDMap")
        table = bytearray(old.read_bytes()) if isinstance(old, pikepdf.Stream) else bytearray()
        size = self.next
        for cid in range(len(table) // 2, size):
            table += cid.to_bytes(2, "big")
        for new, glyph in self.gid_of.items():
            table[2 * new : 2 * new + 2] = glyph.to_bytes(2, "big")
        self.cid.CIDToGIDMap = pdf.make_stream(bytes(table))
        self.cid.W = _write_widths(self.widths)


def _glyph_count(cid: pikepdf.Dictionary) -> int:
    descriptor = cid.get("/FontDescriptor")
    data = descriptor.get("/FontFile2") if descriptor is not None else None
    if data is None:
        return 0
    from fontTools.ttLib import TTFont

    return int(TTFont(io.BytesIO(data.read_bytes()), lazy=True)["maxp"].numGlyphs)


def _read_widths(array: pikepdf.Array) -> dict[int, float]:
    widths: dict[int, float] = {}
    items = list(array)
    i = 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):
            for offset, width in enumerate(items[i + 1]):
                widths[first + offset] = float(width)
            i += 2
        else:
            for code in range(first, int(items[i + 1]) + 1):
                widths[code] = float(items[i + 2])
            i += 3
    return widths


def _write_widths(widths: dict[int, float]) -> pikepdf.Array:
    out: list[Any] = []
    run: list[float] = []
    start = previous = -2
    for code in sorted(widths):
        if code != previous + 1 and run:
            out += [start, pikepdf.Array(run)]
            run = []
        if not run:
            start = code
        width = widths[code]
        run.append(int(width) if width == int(width) else round(width, 6))
        previous = code
    if run:
        out += [start, pikepdf.Array(run)]
    return pikepdf.Array(out)


_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def _read_to_unicode(data: bytes) -> dict[int, str]:
    if b"bfrange" in data:
        raise _Unsupported
    texts: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in _BFCHAR.findall(block):
            texts[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    return texts


def _to_unicode(texts: dict[int, str]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    items = sorted(texts.items())
    for i in range(0, len(items), 100):
        batch = items[i : i + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{c:04x}> <{t.encode('utf-16-be').hex()}>".encode() for c, t in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


class _Unsupported(Exception):
    """A font this module leaves as it is (not a WeasyPrint Type 0 font)."""


def _type0(font: pikepdf.Object) -> bool:
    return (
        isinstance(font, pikepdf.Dictionary)
        and font.get("/Subtype") == pikepdf.Name.Type0
        and font.get("/Encoding") == pikepdf.Name("/Identity-H")
        and "/ToUnicode" in font
    )


def exact(pdf_bytes: bytes) -> bytes:
    """The same PDF with an exact text layer (see the module's docstring); pages draw the same.
    Deterministic: the same input gives the same bytes."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        fonts: dict[tuple[int, int], _Font | None] = {}
        done: set[tuple[int, int]] = set()
        for page in pdf.pages:
            _rewrite(pdf, page.obj, fonts, done)
        for font in fonts.values():
            if font is not None:
                font.write(pdf)
        _languages(pdf)
        out = io.BytesIO()
        pdf.save(
            out,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.preserve,
            deterministic_id=True,
        )
        return out.getvalue()


def _font_of(
    resources: pikepdf.Dictionary, name: pikepdf.Name, fonts: dict[Any, _Font | None]
) -> _Font | None:
    font = resources.get("/Font", {}).get(name) if resources is not None else None
    if font is None or not _type0(font):
        return None
    key = font.objgen
    if key not in fonts:
        try:
            fonts[key] = _Font(font)
        except _Unsupported:
            fonts[key] = None
    return fonts[key]


def _rewrite(
    pdf: pikepdf.Pdf, owner: pikepdf.Object, fonts: dict[Any, _Font | None], done: set[Any]
) -> None:
    """Rewrite the text of one content stream (a page or a form XObject), then of the forms
    it draws."""
    if owner.objgen in done:
        return
    done.add(owner.objgen)
    resources = owner.get("/Resources")
    source = owner if isinstance(owner, pikepdf.Stream) else pikepdf.Page(owner)
    instructions = _carry(pikepdf.parse_content_stream(source))
    out: list[Any] = []
    font: _Font | None = None
    span: list[str | None] = []  # the ActualText of each open marked-content sequence
    changed = False
    for operands, operator in instructions:
        op = str(operator)
        if op == "Tf":
            font = _font_of(resources, operands[0], fonts)
        elif op == "BDC" and operands[0] == _SPAN and _ACTUAL in _properties(operands[1]):
            span.append(str(_properties(operands[1])[_ACTUAL]))
            changed = True
            continue
        elif op in ("BDC", "BMC"):
            span.append(None)
        elif op == "EMC" and span:
            if span.pop() is not None:
                continue
        elif op in ("TJ", "Tj") and font is not None:
            said = next((s for s in reversed(span) if s is not None), None)
            array = operands[0] if op == "TJ" else pikepdf.Array([operands[0]])
            new = _retext(font, array, said)
            if said is not None:
                span[len(span) - 1 - span[::-1].index(said)] = ""  # the text is said once
            if new is not None:
                out.append(([new], pikepdf.Operator("TJ")))
                changed = True
                continue
        elif op == "Do" and resources is not None:
            xobject = resources.get("/XObject", {}).get(operands[0])
            if xobject is not None and xobject.get("/Subtype") == pikepdf.Name.Form:
                _rewrite(pdf, xobject, fonts, done)
        out.append((operands, operator))
    if changed:
        out = _merge_arrays(out)
        data = pikepdf.unparse_content_stream(out)
        if isinstance(owner, pikepdf.Stream):
            owner.write(data)
        else:
            owner.Contents = pdf.make_stream(data)


def _properties(operand: pikepdf.Object) -> pikepdf.Dictionary:
    return operand if isinstance(operand, pikepdf.Dictionary) else pikepdf.Dictionary()


def _retext(font: _Font, array: pikepdf.Array, said: str | None) -> pikepdf.Array | None:
    """The TJ array with each glyph's code replaced by one that says the right text (`said`
    for the first glyph of an ActualText span, nothing for the others) and advances as drawn.
    None when nothing changes."""
    items: list[Any] = []  # without empty strings, adjustments that follow each other summed
    for item in array:
        if isinstance(item, pikepdf.String):
            if len(bytes(item)):
                items.append(item)
        elif items and not isinstance(items[-1], pikepdf.String):
            items[-1] += float(item)
        else:
            items.append(float(item))
    out: list[Any] = []
    changed = len(items) != len(array)
    for i, item in enumerate(items):
        if not isinstance(item, pikepdf.String):
            if not (out and isinstance(out[-1], tuple) and out[-1][1]):
                out.append(item)
            else:
                changed = True  # folded into the width of the glyph before it
            continue
        raw = bytes(item)
        codes = [int.from_bytes(raw[j : j + 2], "big") for j in range(0, len(raw) - 1, 2)]
        for k, code in enumerate(codes):
            text = None
            if said is not None:
                text, said = said, ""
            advance = None
            following = items[i + 1] if k == len(codes) - 1 and i + 1 < len(items) else None
            if following is not None and not isinstance(following, pikepdf.String):
                width = font.widths.get(code, 1000.0)
                if width - float(following) >= 0:
                    advance = width - float(following)
            new = font.code(code, text, advance)
            changed = changed or new != code
            out.append((new, advance is not None and font.widths.get(new) == advance))
    if not changed:
        return None
    result: list[Any] = []
    buffer = bytearray()
    for item in out:
        if isinstance(item, tuple):
            buffer += item[0].to_bytes(2, "big")
            continue
        if buffer:
            result.append(pikepdf.String(bytes(buffer)))
            buffer = bytearray()
        result.append(item)
    if buffer:
        result.append(pikepdf.String(bytes(buffer)))
    return pikepdf.Array(result)


def _carry(instructions: list[Any]) -> list[Any]:
    """Move the adjustments that open a TJ array to the end of the TJ before it when only a
    text rise (``Ts``, vertical) lies between them: drawn the same, and the adjustment can then
    be folded into the width of the glyph it follows (a mark raised above its letter)."""
    out: list[Any] = [(list(operands), operator) for operands, operator in instructions]
    last: int | None = None
    for index, (operands, operator) in enumerate(out):
        op = str(operator)
        if op == "TJ":
            array = list(operands[0])
            lead = 0
            while lead < len(array) and (
                not isinstance(array[lead], pikepdf.String) or not len(bytes(array[lead]))
            ):
                lead += 1
            if (
                last is not None
                and lead
                and any(not isinstance(a, pikepdf.String) for a in array[:lead])
            ):
                previous = out[last][0]
                previous[0] = pikepdf.Array([*previous[0], *array[:lead]])
                operands[0] = pikepdf.Array(array[lead:])
            last = index
        elif op != "Ts":
            last = None
    return out


def _merge_arrays(instructions: list[Any]) -> list[Any]:
    """Join TJ operators that follow each other into one (drawn the same)."""
    merged: list[Any] = []
    for operands, operator in instructions:
        if (
            str(operator) == "TJ"
            and merged
            and str(merged[-1][1]) == "TJ"
            and isinstance(operands[0], pikepdf.Array)
        ):
            merged[-1] = ([pikepdf.Array([*merged[-1][0][0], *operands[0]])], operator)
            continue
        merged.append((operands, operator))
    return merged


# -- Languages of the structure elements -------------------------------------------------------


def _arabic(text: str) -> bool | None:
    letters = [c for c in text if unicodedata.category(c).startswith("L")]
    if not letters:
        return None
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff")
    return arabic * 2 > len(letters)


def _languages(pdf: pikepdf.Pdf) -> None:
    """Give each structure element whose text is Arabic ``/Lang (ar)`` when the document's
    language is another (the bilingual edition), so that a screen reader switches voice."""
    root = pdf.Root.get("/StructTreeRoot")
    lang = str(pdf.Root.get("/Lang", ""))
    if root is None or lang.startswith("ar"):
        return
    texts = _marked_texts(pdf)
    for element in _elements(root):
        own = "".join(
            texts.get((_page_of(element, kid), int(kid)), "")
            for kid in _kids(element)
            if isinstance(kid, int)
        )
        if _arabic(own):
            element.Lang = pikepdf.String("ar")


def _elements(node: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    for kid in _kids(node):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


def _kids(node: pikepdf.Object) -> list[Any]:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _page_of(element: pikepdf.Dictionary, kid: int) -> Any:
    page = element.get("/Pg")
    return page.objgen if page is not None else None


def _marked_texts(pdf: pikepdf.Pdf) -> dict[tuple[Any, int], str]:
    """The text (by ToUnicode) of each marked-content id, per page."""
    out: dict[tuple[Any, int], str] = {}
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        maps: dict[Any, dict[int, str]] = {}
        mcid: list[int | None] = []
        texts: dict[int, list[str]] = {}
        cmap: dict[int, str] = {}
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "BDC":
                props = _properties(operands[1])
                mcid.append(int(props["/MCID"]) if "/MCID" in props else None)
            elif op == "BMC":
                mcid.append(None)
            elif op == "EMC" and mcid:
                mcid.pop()
            elif op == "Tf":
                font = resources.get("/Font", {}).get(operands[0]) if resources else None
                cmap = {}
                if font is not None and _type0(font):
                    if font.objgen not in maps:
                        try:
                            maps[font.objgen] = _read_to_unicode(font.ToUnicode.read_bytes())
                        except _Unsupported:
                            maps[font.objgen] = {}
                    cmap = maps[font.objgen]
            elif op in ("TJ", "Tj"):
                current = next((m for m in reversed(mcid) if m is not None), None)
                if current is None:
                    continue
                items = operands[0] if op == "TJ" else [operands[0]]
                for item in items:
                    if isinstance(item, pikepdf.String):
                        raw = bytes(item)
                        texts.setdefault(current, []).extend(
                            cmap.get(int.from_bytes(raw[j : j + 2], "big"), "")
                            for j in range(0, len(raw) - 1, 2)
                        )
        for number, parts in texts.items():
            out[(page.obj.objgen, number)] = "".join(parts)
    return out
