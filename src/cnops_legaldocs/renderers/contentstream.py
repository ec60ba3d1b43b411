"""PDF content streams as plain Python values, read and written without a PDF library's objects.

The text layer (`textlayer.exact`) walks every glyph of a document several times. With
pikepdf's objects, each operand read or made was a call into its C++ library, and those calls
were most of the text layer's render time; plain values cost what Python values cost.

An instruction is ``(operands, operator)``, the operator a `str` ("TJ"). Operands are:

- numbers: `int`, or `float` where the stream wrote a decimal point (in an array of strings
  and numbers, a TJ's, always `float`);
- strings: `bytes`, as decoded (``(a\\)b)`` and ``<612962>`` are both ``b"a)b"``);
- names: `str` as written, with the slash (``"/F1"``);
- arrays: `list`; dictionaries: `dict` from names to values;
- ``true``, ``false`` and ``null``: `True`, `False`, `None`.

`parse` reads what WeasyPrint (pydyf) writes, and other content streams unless they hold an
inline image, an array inside an array (but for one inside a dictionary), a dictionary nested
more than two deep, or a string nested more than one level of parentheses deep: on those it
raises `ContentStreamError` rather than guess, as on malformed input (numbers run together,
a dictionary key that is not a name).
Names are kept as written (``#`` escapes undecoded). Asked to read only some operators, it
keeps each run of the others as written (`Written`). `unparse` writes one instruction a line,
strings in hexadecimal, numbers with all their digits and no exponent."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

Instruction = tuple[list[Any], str]


class ContentStreamError(ValueError):
    """A content stream `parse` does not read (see the module's docstring)."""


_WHITE = rb"[\x00\t\n\f\r ]"
_DELIMITERS = rb"\x00\t\n\f\r ()<>\[\]{}/%"
_WORD_END = rb"(?![^" + _DELIMITERS + rb"])"  # a number, name or keyword ends at a delimiter
_NUMBER = rb"[+-]?+(?:\d++(?:\.\d*+)?+|\.\d++)" + _WORD_END
_HEX = rb"<[0-9A-Fa-f\x00\t\n\f\r ]*+>"
_LITERAL = rb"\((?:[^\\()]|\\.|\((?:[^\\()]|\\.)*\))*\)"  # nested one level at most
_FLAT = rb"\[(?:" + _WHITE + rb"*+(?:" + _HEX + rb"|" + _NUMBER + rb"))*+" + _WHITE + rb"*+\]"
_KEYWORD = rb"(?:true|false|null)" + _WORD_END
_INNER = rb"<<(?:[^<>()]|" + _HEX + rb"|" + _LITERAL + rb")*>>"  # a dictionary in a dictionary
_DICTIONARY = rb"<<(?:[^<>()]|" + _HEX + rb"|" + _LITERAL + rb"|" + _INNER + rb")*>>"
_ARRAY = rb"\[(?:[^\[\]()]|" + _LITERAL + rb")*\]"
_NAME = rb"/[^" + _DELIMITERS + rb"]*+"
_OPERAND = (
    rb"(?:"
    + rb"|".join([_NUMBER, _NAME, _HEX, _LITERAL, _FLAT, _DICTIONARY, _KEYWORD, _ARRAY])
    + rb")"
)
_GAP = rb"(?:" + _WHITE + rb"++|%[^\r\n]*+)*+"  # white space and comments
_OPERATOR = rb"[A-Za-z'\"*][^" + _DELIMITERS + rb"]*+"
_INSTRUCTION = re.compile(
    _GAP + rb"((?:" + _OPERAND + _GAP + rb")*+)"  # 1 its operands
    rb"(?!" + _KEYWORD + rb")(" + _OPERATOR + rb")",  # 2 its operator
    re.DOTALL,
)
_END = re.compile(_GAP)
_TOKEN = re.compile(
    rb"|".join(
        [
            _WHITE + rb"+|%[^\r\n]*",  # white space, a comment
            rb"(" + _FLAT + rb")",  # 1 an array of strings and numbers (a TJ's)
            rb"([+-]?(?:\d+\.\d*|\.\d+))" + _WORD_END,  # 2 a real number
            rb"([+-]?\d+)" + _WORD_END,  # 3 an integer
            rb"(" + _NAME + rb")",  # 4 a name
            rb"<([0-9A-Fa-f\x00\t\n\f\r ]*)>",  # 5 a hexadecimal string
            rb"(" + _LITERAL + rb")",  # 6 a literal string
            rb"(<<|\[)",  # 7 a dictionary or an array opens
            rb"(>>|\])",  # 8 closes
            rb"([^" + _DELIMITERS + rb"]+)",  # 9 a keyword: true, false, null
            rb"(.)",  # 10 anything else
        ]
    ),
    re.DOTALL,
)
_KEYWORDS = {b"true": True, b"false": False, b"null": None}
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r\n|.)|\r\n?", re.DOTALL)  # or a line break
_ESCAPED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_NOT_HEX = re.compile(rb"[^0-9A-Fa-f]")


class Written(bytes):
    """Instructions `parse` was not asked to read, as written: the operand of an instruction
    whose operator is ""."""


def _unescaped(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if code is None:  # an unescaped line break reads as a line feed
        return b"\n"
    if 0x30 <= code[0] <= 0x37:  # octal
        return bytes([int(code, 8) & 0xFF])
    if code in (b"\n", b"\r", b"\r\n"):
        return b""  # a line continued
    return _ESCAPED.get(code, code)


def _hex(digits: bytes) -> bytes:
    try:
        return bytes.fromhex(digits.decode())
    except ValueError:  # white space inside, or an odd number of digits
        digits = _NOT_HEX.sub(b"", digits)
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())


@lru_cache(maxsize=16)
def _unread(read: frozenset[str]) -> re.Pattern[bytes]:
    """One instruction or more in a row whose operators are not in `read` (nor ``BI``)."""
    names = b"|".join(re.escape(op.encode("latin-1")) for op in sorted(read | {"BI"}))
    excluded = rb"(?:" + names + rb")" + _WORD_END
    return re.compile(
        rb"(?:" + _GAP + rb"(?:" + _OPERAND + _GAP + rb")*+"
        rb"(?!" + _KEYWORD + rb"|" + excluded + rb")" + _OPERATOR + rb")++",
        re.DOTALL,
    )


def parse(data: bytes, read: frozenset[str] | None = None) -> list[Instruction]:
    """The instructions of a content stream (decoded data), in order. With `read`, only the
    instructions with those operators are read: each run of others is one instruction, its
    operator "" and its operand the run as written (`Written`)."""
    instructions: list[Instruction] = []
    position, end = 0, len(data)
    match = _INSTRUCTION.match
    unread = _unread(read).match if read is not None else None
    while position < end:
        run = unread(data, position) if unread is not None else None
        if run is not None:
            instructions.append(([Written(run.group().strip())], ""))
            position = run.end()
            continue
        found = match(data, position)
        if found is None:
            if _END.match(data, position).end() == end:  # type: ignore[union-attr]
                break
            raise ContentStreamError(f"unreadable content at byte {position}")
        position = found.end()
        operands, operator = found.group(1), found.group(2).decode("latin-1")
        if operator == "BI":
            raise ContentStreamError("inline images are not read")
        instructions.append((_operands(operands) if operands else [], operator))
    return instructions


def _flat(text: bytes) -> list[Any]:
    """The items of an array of strings and numbers (a TJ's: most of a page's operands)."""
    body = text[1:-1].decode("latin-1").replace("\x00", " ")  # NUL is white space too
    parts = body.replace(">", "<").split("<")  # numbers, a string, numbers, …
    items: list[Any] = []
    for index in range(1, len(parts), 2):
        numbers = parts[index - 1]
        if numbers and not numbers.isspace():
            try:
                items.append(float(numbers))  # one number, as WeasyPrint writes
            except ValueError:
                items += map(float, numbers.split())
        try:
            items.append(bytes.fromhex(parts[index]))
        except ValueError:  # an odd number of digits
            items.append(_hex(parts[index].encode("latin-1")))
    if parts[-1] and not parts[-1].isspace():
        items += map(float, parts[-1].split())
    return items


def _operands(data: bytes) -> list[Any]:
    stack: list[list[Any]] = [[]]  # the operands, then each open array or dictionary
    for token in _TOKEN.finditer(data):
        kind = token.lastindex
        if kind is None:
            continue
        text = token.group(kind)
        if kind == 1:
            stack[-1].append(_flat(text))
        elif kind == 2:
            stack[-1].append(float(text))
        elif kind == 3:
            stack[-1].append(int(text))
        elif kind == 4:
            stack[-1].append(text.decode("latin-1"))
        elif kind == 5:
            stack[-1].append(_hex(text))
        elif kind == 6:
            stack[-1].append(_ESCAPE.sub(_unescaped, text[1:-1]))
        elif kind == 7:
            stack.append([text])
        elif kind == 9 and text in _KEYWORDS:
            stack[-1].append(_KEYWORDS[text])
        elif kind != 8 or len(stack) < 2 or (stack[-1][0] == b"[") != (text == b"]"):
            raise ContentStreamError(f"unreadable operand {text!r}")
        else:
            opened, *items = stack.pop()
            if opened == b"[":
                stack[-1].append(items)
            elif len(items) % 2 or not all(
                isinstance(key, str) and key.startswith("/") for key in items[::2]
            ):
                raise ContentStreamError("a dictionary's key is not a name or has no value")
            else:
                stack[-1].append(dict(zip(items[::2], items[1::2], strict=True)))
    if len(stack) > 1:
        raise ContentStreamError("an array or dictionary left open")
    return stack[0]


def _number(value: float) -> bytes:
    if not math.isfinite(value):
        raise ValueError(f"not a PDF number: {value}")
    if value.is_integer():
        return b"%d" % value
    written = repr(value).encode()  # all its digits, as WeasyPrint writes adjustments
    return written if b"e" not in written else (b"%.12f" % value).rstrip(b"0")


def _operand(value: Any) -> bytes:
    if isinstance(value, Written):
        return value
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, bytes):
        return b"<" + value.hex().encode() + b">"
    if isinstance(value, str):
        return value.encode("latin-1")
    if isinstance(value, list):
        return b"[" + b" ".join(map(_operand, value)) + b"]"
    if isinstance(value, dict):
        pairs = (_operand(key) + b" " + _operand(item) for key, item in value.items())
        return b"<<" + b" ".join(pairs) + b">>"
    if value is None:
        return b"null"
    raise TypeError(f"not a PDF operand: {type(value).__name__}")


def unparse(instructions: list[Instruction]) -> bytes:
    """A content stream's data: one instruction a line."""
    return b"".join(
        b" ".join([*map(_operand, operands), *([operator.encode("latin-1")] if operator else [])])
        + b"\n"
        for operands, operator in instructions
    )
