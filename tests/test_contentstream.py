"""Content streams read and written as plain values (`renderers.contentstream`, the text
layer's reader): what they read is what pikepdf (qpdf) reads, and what they write reads back
the same."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pikepdf
import pytest

from cnops_legaldocs.renderers import contentstream
from cnops_legaldocs.renderers.contentstream import ContentStreamError, parse, unparse
from cnops_legaldocs.renderers.textlayer import _READ

DOCUMENTS = [("notice", "ar"), ("rights-request", "fr+ar"), ("register", "fr")]


def _plain(value: Any) -> Any:
    """A pikepdf operand as `contentstream` gives it (numbers as floats: 3 == 3.0)."""
    if isinstance(value, pikepdf.String):
        return bytes(value)
    if isinstance(value, pikepdf.Array):
        return [_plain(item) for item in value]
    if isinstance(value, pikepdf.Name):
        return str(value)
    if isinstance(value, pikepdf.Dictionary):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, bool) or value is None:
        return value
    return float(value)


def _pikepdf(data: bytes) -> list[Any]:
    pdf = pikepdf.new()
    stream = pikepdf.Stream(pdf, data)
    return [([_plain(o) for o in ops], str(op)) for ops, op in pikepdf.parse_content_stream(stream)]


def _streams(document: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(document)) as pdf:
        return [page.Contents.read_bytes() for page in pdf.pages]


@pytest.mark.parametrize(("kind", "lang"), DOCUMENTS)
def test_the_documents_streams_read_as_pikepdf_reads_them(
    rendered: Callable[..., bytes], kind: str, lang: str
) -> None:
    for data in _streams(rendered(kind, lang)):
        ours = parse(data)
        assert ours == _pikepdf(data)
        assert len(ours) > 100
        assert _pikepdf(unparse(ours)) == _pikepdf(data)


@pytest.mark.parametrize(("kind", "lang"), DOCUMENTS)
def test_only_the_operators_asked_for_are_read_and_the_rest_is_kept_as_written(
    rendered: Callable[..., bytes], kind: str, lang: str
) -> None:
    for data in _streams(rendered(kind, lang)):
        instructions = parse(data, _READ)
        operators = {operator for _, operator in instructions}
        assert operators <= _READ | {""}
        runs = [operands for operands, operator in instructions if operator == ""]
        assert runs and all(
            len(run) == 1 and isinstance(run[0], contentstream.Written) for run in runs
        )
        read = [(ops, op) for ops, op in parse(data) if op in _READ]
        assert [(ops, op) for ops, op in instructions if op] == read
        assert _pikepdf(unparse(instructions)) == _pikepdf(data)


def test_strings_names_dictionaries_and_keywords() -> None:
    data = (
        b"% a comment\n/Span <</ActualText (a\\)b\\(c\\\\d\\101\\\nz (nested)) /MCID 3>> BDC\n"
        b"[<0061 00 62> -12.5 <0> .5 -.25 +3] TJ\n"
        b"/P <</K [1 2 [3]] /B true /N null>> BDC EMC\n"
        b"1 0 0 -1 0 841.89 cm 0.1 0 0 rg ( ) Tj"
    )
    assert parse(data) == [
        (["/Span", {"/ActualText": b"a)b(c\\dAz (nested)", "/MCID": 3}], "BDC"),
        ([[b"\x00a\x00b", -12.5, b"\x00", 0.5, -0.25, 3.0]], "TJ"),
        (["/P", {"/K": [1, 2, [3]], "/B": True, "/N": None}], "BDC"),
        ([], "EMC"),
        ([1, 0, 0, -1, 0, 841.89], "cm"),
        ([0.1, 0, 0], "rg"),
        ([b" "], "Tj"),
    ]
    assert parse(data) == _pikepdf(data)
    assert parse(unparse(parse(data))) == parse(data)


@pytest.mark.parametrize(
    ("data", "operands"),
    [
        (b"(a\r\nb) Tj", [b"a\nb"]),  # a line break in a string reads as a line feed
        (b"(a\rb) Tj", [b"a\nb"]),
        (b"(a\\rb\\8) Tj", [b"a\rb8"]),  # an escaped CR stays; \8 is an 8
        (b"[<00>\x00<01> -5] TJ", [[b"\x00", b"\x01", -5.0]]),  # NUL is white space
        (b"[(a) -250 (b)] TJ", [[b"a", -250, b"b"]]),  # literal strings in a TJ
        (b"/P <</A <</B (x) /C <41>>>>> BDC", ["/P", {"/A": {"/B": b"x", "/C": b"A"}}]),
        (b"<</A [[1] (y)]>> BDC", [{"/A": [[1.0], b"y"]}]),
    ],
)
def test_what_other_producers_write(data: bytes, operands: list[Any]) -> None:
    assert [ops for ops, _ in parse(data)] == [operands]
    assert parse(data) == _pikepdf(data)
    assert _pikepdf(unparse(parse(data))) == _pikepdf(data)


def test_numbers_are_written_with_all_their_digits_and_no_exponent() -> None:
    written = unparse([([3.0, -0.5, 1e-07, 114.68690904248236, 12, 2e9], "Td")])
    assert written == b"3 -0.5 0.0000001 114.68690904248236 12 2000000000 Td\n"
    assert parse(written) == _pikepdf(written)
    for number in (float("inf"), float("nan")):
        with pytest.raises(ValueError, match="not a PDF number"):
            unparse([([number], "w")])


@pytest.mark.parametrize(
    "data",
    [
        b"BI /W 1 /H 1 ID \x00 EI",  # an inline image
        b"(a ((too) deep)) Tj",
        b"[<00> 1 TJ",
        b"<</A 1 >> >> BDC",
        b"12 0 Td ]",
        b"/F1 12",  # operands without their operator
        b"[[1] 2] 0 d",  # an array inside an array
        b"[1-2] TJ",  # numbers run together
        b"<<1 2>> BDC",  # a key that is not a name
        b"<<[1] 2>> BDC",
    ],
)
def test_what_is_not_read_is_an_error_not_a_guess(data: bytes) -> None:
    with pytest.raises(ContentStreamError):
        parse(data)
    with pytest.raises(ContentStreamError):
        parse(data, _READ)
