"""Property-based: arbitrary Unicode (Arabic, Latin, combining marks, emoji, controls) in the
data never crashes the model or a renderer; it gives a document or a clear, located error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnops_legaldocs import api, model
from cnops_legaldocs.bidi import BIDI_CONTROLS
from cnops_legaldocs.errors import DataError, RenderError

from . import data
from .conftest import COMBINATIONS

FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_PICKED = (
    "abcéèçœ ABC 0123456789 -'’.,;:«»()"  # French
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإةى٠١٢٣"  # Arabic letters and digits
    "\u064b\u064e\u0650\u0651\u0652\u0670\u0301\u0308\u0327"  # harakat, combining accents
    "🙂👍🏽🇲🇦\u2603\u4e2d"  # emoji, symbols, CJK: no document font has them
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"  # bidi controls
    "\x00\x07\x1b\t\n\r\u00ad\u200b\u200c\u200d\u2028\u2029\ufeff"  # other controls
    '%<>&"{}[]#*!|'  # syntax of YAML, HTML, placeholders
)
UNICODE = st.text(
    alphabet=st.one_of(st.sampled_from(_PICKED), st.characters(codec="utf-8")), max_size=120
)


def _check_error(error: DataError, name: str) -> None:
    message = str(error)
    assert message.startswith(name)
    assert error.message and message.isprintable()


@FEW
@given(text=st.text(max_size=400))
def test_any_text_as_a_data_file(text: str) -> None:
    try:
        model.loads(text, "any.yaml")
    except DataError as error:
        _check_error(error, "any.yaml")


FIELDS = list(data.text_fields(data.example()))


def _all_text(loaded: model.LegalData) -> list[str]:
    """Every text value of loaded data."""
    body = loaded.body
    texts = [loaded.notice.title, loaded.notice.version, body.acronym, body.app]
    texts += [*body.name.values(), *body.short.values()]
    texts += [t for c in loaded.contacts for t in (c.title, c.address)]
    texts += [op.title for op in loaded.operations]
    for section in loaded.sections:
        texts += [section.title, *(b.text for b in section.blocks if b.text)]
        texts += [item for b in section.blocks for item in b.items]
    return texts


@FEW
@given(
    value=UNICODE,
    field=st.sampled_from(FIELDS),
    combo=st.sampled_from(COMBINATIONS),
)
def test_any_value_in_any_field(value: str, field: data.Field, combo: tuple) -> None:
    source = data.example()
    data.put(source, field[0], value)
    try:
        loaded = model.loads(data.dump(source), "values.yaml")
    except DataError as error:
        _check_error(error, "values.yaml")
        if len(value.strip()) >= 12:
            assert value.strip() not in str(error)
        return
    for text in _all_text(loaded):
        assert not set(text) & BIDI_CONTROLS
        assert text == " ".join(text.split())
        assert all(ch.isprintable() or ch in "\u00ad\u200c\u200d" for ch in text)
    try:
        content = api.render(loaded, *combo)
    except RenderError as error:
        assert str(error).isprintable()
        return
    assert content[:4] in (b"%PDF", b"PK\x03\x04")


@pytest.mark.parametrize("value", ["🙂", "Gestion 🙂 des", "中文", "\U0001d400"])
def test_characters_no_font_has_are_refused_where_they_are(value: str) -> None:
    source = data.example()
    source["contacts"][2]["address"] = value
    with pytest.raises(DataError, match=r"contacts\[2\]\.address: the document fonts cannot print"):
        model.loads(data.dump(source), "fonts.yaml")
