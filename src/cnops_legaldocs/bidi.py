"""Right-to-left text: keep Latin and numeric tokens in source order, neutralise user controls.

In an Arabic paragraph the Unicode bidi algorithm turns digits after Arabic letters into
"Arabic numbers" that a space or hyphen does not join: "05 38 00 20 20" would print as
"20 20 00 38 05" and "09-08" as "08-09". Every such token is wrapped in a left-to-right
isolate (U+2066 … U+2069), which WeasyPrint, LibreOffice and Word honour. User values are
wrapped in a first-strong isolate (U+2068 … U+2069) so that they cannot reorder their
surroundings, after their own bidi controls have been removed.

python-bidi and arabic-reshaper serve only for terminals that cannot shape Arabic
(`for_terminal`): their output must never reach a renderer, which shapes and orders itself.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from typing import TextIO

LRI = "\u2066"  # left-to-right isolate
RLI = "\u2067"  # right-to-left isolate
FSI = "\u2068"  # first-strong isolate
PDI = "\u2069"  # pop directional isolate
ISOLATES = {"ltr": LRI, "rtl": RLI}

# Explicit bidi formatting characters: embeddings, overrides, isolates and marks.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_CONTROLS = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")

# A token that must read left to right inside right-to-left text: Latin letters and digits,
# joined by URL, e-mail, reference and number punctuation, and by spaces (phone numbers,
# Latin phrases such as an app's name). Punctuation and spaces belong to a token only
# between two letters or digits.
_ALNUM = r"[0-9A-Za-z\u00c0-\u024f]"
_LTR_TOKEN = re.compile(
    rf"""
    (?:https?://)?
    {_ALNUM}+
    (?:
        [-./@:_+~%#&=?°'’]+{_ALNUM}+      # joined part: A-GA-104/2016, dic@cnops.org.ma, 1.0
      | [ \u00a0]+{_ALNUM}+                 # 05 38 00 20 20, Cnops mobile
    )*
    /?
    """,
    re.VERBOSE,
)


def strip_controls(text: str) -> str:
    """Remove explicit bidi controls (a user value must not steer the page's direction)."""
    return _CONTROLS.sub("", text)


# Invisible format characters a value may keep: they change no order, only joining and
# hyphenation (zero-width non-joiner and joiner, soft hyphen).
_KEPT_FORMAT = frozenset("\u200c\u200d\u00ad")
# Line and paragraph separators would end the bidi paragraph (and every isolate) inside a value.
_SEPARATORS = {0x2028: "\n", 0x2029: "\n"}


def clean_value(text: str) -> str:
    """A user value made safe to print: NFC, without bidi controls or other control and format
    characters (line feeds and tabs stay, for the caller to fold)."""
    text = unicodedata.normalize("NFC", strip_controls(text))
    text = text.translate(_SEPARATORS)
    return "".join(
        ch
        for ch in text
        if ch in "\n\t" or ch in _KEPT_FORMAT or unicodedata.category(ch) not in ("Cc", "Cf")
    )


def isolate_value(text: str) -> str:
    """A cleaned user value wrapped in a first-strong isolate."""
    return f"{FSI}{clean_value(text)}{PDI}"


def ltr_spans(text: str) -> list[tuple[str, bool]]:
    """Split right-to-left text into (piece, is_ltr_token) pieces, in logical order."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for match in _LTR_TOKEN.finditer(text):
        if match.start() > pos:
            out.append((text[pos : match.start()], False))
        out.append((match.group(), True))
        pos = match.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def isolate_ltr(text: str) -> str:
    """Right-to-left text with every Latin or numeric token wrapped in an LTR isolate."""
    return "".join(f"{LRI}{piece}{PDI}" if ltr else piece for piece, ltr in ltr_spans(text))


def direction(text: str) -> str:
    """``rtl`` or ``ltr``: the direction of the first strong letter, as for ``dir=auto``
    (``ltr`` when there is none, e.g. a number)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def has_rtl(text: str) -> bool:
    """Whether text contains a right-to-left letter."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def for_terminal(text: str, stream: TextIO | None = None) -> str:
    """Text to print: shaped and in visual order on a terminal, logical order when piped."""
    stream = stream or sys.stdout
    if not has_rtl(text) or not stream.isatty():
        return text
    import arabic_reshaper
    from bidi import get_display

    return "\n".join(get_display(arabic_reshaper.reshape(line)) for line in text.split("\n"))
