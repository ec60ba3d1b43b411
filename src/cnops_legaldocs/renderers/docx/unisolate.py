"""The bidi isolates and word joiners a Word paragraph can do without (issue 13).

The document isolates every Latin or numeric token of Arabic text (U+2066 … U+2069) and every
value (U+2068 … U+2069), and the DOCX writer glues tokens with word joiners (U+2060): right
for the page, but python-docx, pandoc and LibreOffice's PDF give those characters back, and a
reference typed on a keyboard is not found in the text. LibreOffice 7.4 ignores the run-level
embeddings of ISO 29500 (``w:dir``, ``w:bdo``: measured, the phone number still prints "20 20
00 38 05" inside one), so characters are the only way to isolate there.

Most tokens need none: the Unicode bidi algorithm alone puts them where the isolate does,
and every renderer that follows it (LibreOffice, Word, WeasyPrint) draws the same line.
`plain` drops an isolate where the rules below prove it, for a token whose nearest
neighbours that are not neutral (bidi classes WS, ON, CS, ES, ET, BN, NSM, S; an isolate that
stays is one neutral) are letters of the paragraph's direction or the paragraph's ends (in
right-to-left text, numbers may stand between the token and such a letter before it):

- a Latin token: it starts with a left-to-right letter, ends with one or a digit, and holds
  no right-to-left letter, Arabic digit or control. Its digits follow a Latin letter, so they
  resolve left to right (rule W7) and its inner punctuation and spaces too (N1): the token is
  one left-to-right run, as in its isolate. Brackets around it ("(A-GA-104/2016)") stand
  outside it, mirrored, and look the same.
- a number: digits whose groups are separated by one common separator (". , / :" or a
  no-break space). After an Arabic letter its digits are Arabic numbers (W2), and one common
  separator between two of them joins them (W4): "05 38 00 20 20" written with narrow
  no-break spaces (U+202F, as `writer._no_break` keeps a token's spaces in right-to-left
  text) reads left to right; with plain spaces it would not (N1: "20 20 00 38 05"), so a
  plain space becomes one. A hyphen (ES) does not join: "09-08" keeps its isolate. (A
  no-break space U+00A0 joins too, but LibreOffice 7.4 breaks a right-to-left line at one,
  "00 38 05 | 20 20", and widens it in a justified line: measured in the bilingual notice.)
  So the phone number is typed with plain spaces and found only where a reader folds
  spaces (LibreOffice's PDF through pdftotext), not in python-docx's or pandoc's text.

- in a left-to-right paragraph, Arabic words and the spaces between them (the Arabic line of
  a bilingual heading, isolated in its own direction): one right-to-left run either way. A
  line break is the paragraph's end there (rule P1).

Anything else (a right-to-left value, a token before a number or another token, "09-08", a
value holding controls) keeps its isolate: a correct line on the page beats clean text.
`test_docx_textlayer` checks the rules against python-bidi's reading of every paragraph.
"""

from __future__ import annotations

import re
import unicodedata

from ... import bidi

WORD_JOINER = "\u2060"
NARROW_NO_BREAK_SPACE = "\u202f"

_RTL_LETTERS = {"R", "AL"}
_NEUTRAL = {"WS", "ON", "CS", "ES", "ET", "BN", "NSM", "S"}
_LATIN_INSIDE = {"L", "EN", "WS", "ON", "CS", "ES", "ET", "BN", "NSM"}
_NUMBER = re.compile(r"[0-9]+(?:[.,/: \u00a0\u202f][0-9]+)*")


def _class(ch: str) -> str:
    return unicodedata.bidirectional(ch)


def _is_latin(token: str) -> bool:
    classes = [_class(ch) for ch in token]
    return (
        bool(classes)
        and classes[0] == "L"
        and classes[-1] in ("L", "EN")
        and all(c in _LATIN_INSIDE for c in classes)
    )


def _is_arabic(token: str) -> bool:
    """Right-to-left words and the spaces between them, nothing else (a line of a bilingual
    heading, "البريد الإلكتروني")."""
    classes = [_class(ch) for ch in token]
    return (
        bool(classes)
        and classes[0] in _RTL_LETTERS
        and classes[-1] in _RTL_LETTERS
        and all(c in (*_RTL_LETTERS, "NSM", "WS") for c in classes)
    )


def _pairs(text: str) -> list[tuple[int, int]]:
    """(opening, closing) indices of the outermost isolates (an unclosed one runs to the end)."""
    pairs, stack = [], []
    for i, ch in enumerate(text):
        if ch in (bidi.LRI, bidi.RLI, bidi.FSI):
            stack.append(i)
        elif ch == bidi.PDI and stack:
            start = stack.pop()
            if not stack:
                pairs.append((start, i))
    if stack:
        pairs.append((stack[0], len(text) - 1))
    return sorted(pairs)


def plain(text: str, rtl: bool = True, *, line_starts: set[int] | None = None) -> dict[int, str]:
    """The edits that take the needless isolates out of a paragraph's `text` (logical order,
    as written; `rtl`: a right-to-left paragraph): {index: replacement}, "" for a character
    to remove. Isolates are weighed left to right; one that stays counts as a neutral for the
    others (it is one, from the outside: rule X6a), one that goes as its letters and digits.

    `line_starts`: where lines may start (indices of `text`; None: anywhere). A token that
    does not fit at a line's end is not carried over whole by LibreOffice 7.4: it breaks the
    line where the bidi level changes, between an opening bracket (right to left) and the
    Latin token it opens ("(" alone at a line end: measured in the register's header), or
    after a hyphen of a reference ("D-VS-|157/2016"; a no-break hyphen there is cut anywhere,
    "D-VS-157/2|016"). A token whose word may start a line keeps its word joiners, and a
    bracketed one its isolate (the brackets inside it); elsewhere on a line neither is
    needed."""
    pairs = _pairs(text)
    kept = {start: end for start, end in pairs}  # start -> end, of the isolates still there
    dropped: set[int] = set()  # indices of removed isolate characters
    context = _RTL_LETTERS if rtl else {"L"}

    def neighbour(i: int, step: int, skip_numbers: bool) -> str | None:
        ends = {end: start for start, end in kept.items()}
        while 0 <= i < len(text):
            if step > 0 and i in kept:
                i = kept[i] + 1
                continue
            if step < 0 and i in ends:
                i = ends[i] - 1
                continue
            kind = _class(text[i])
            if kind == "B":  # a paragraph separator (a line break): the paragraph's end (P1)
                return None
            if i in dropped or kind in _NEUTRAL or (skip_numbers and kind in ("EN", "AN")):
                i += step
                continue
            return kind
        return None

    edits: dict[int, str] = {}
    for start, end in pairs:
        if text[end] != bidi.PDI:
            continue
        inner = text[start + 1 : end].replace(WORD_JOINER, "")
        if text[start] == bidi.RLI and not (not rtl and _is_arabic(inner)):
            continue
        word = text.rfind(" ", 0, start) + 1
        wraps = line_starts is None or any(word <= i <= end for i in line_starts if i)
        bracketed = inner[:1] == "(" and inner[-1:] == ")"
        if bracketed and wraps:
            continue
        core = inner[1:-1] if bracketed else inner
        number = _NUMBER.fullmatch(core)
        if not (number or _is_latin(core) or (not rtl and _is_arabic(core))):
            continue
        del kept[start]
        # Before: in right-to-left text, a number between the token and the letter before it
        # changes nothing (an Arabic number counts as right to left, rule N1).
        before = neighbour(start - 1, -1, skip_numbers=rtl)
        after = neighbour(end + 1, 1, skip_numbers=False)
        touching = {_class(text[i]) for i in (start - 1, end + 1) if 0 <= i < len(text)}
        if (before not in (*context, None) or after not in (*context, None)
                or (number and "ET" in touching)):  # fmt: skip  # W5: "50%" would join
            kept[start] = end
            continue
        dropped.update((start, end))
        edits[start] = edits[end] = ""
        for i in range(start + 1, end):
            if text[i] == WORD_JOINER and not wraps:
                edits[i] = ""
            elif rtl and number and text[i] == " ":
                edits[i] = NARROW_NO_BREAK_SPACE
        if start and text[start - 1] == WORD_JOINER and not wraps:  # glued to a bracket
            edits[start - 1] = ""
            dropped.add(start - 1)
    return edits
