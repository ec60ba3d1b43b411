"""Bidi helpers: which tokens are isolated, which controls are removed."""

from __future__ import annotations

import io

import pytest

from cnops_legaldocs.bidi import FSI, LRI, PDI, clean_value, for_terminal, isolate_value, ltr_spans


@pytest.mark.parametrize(
    "token",
    [
        "05 38 00 20 20",
        "09.08",
        "09-08",
        "A-GA-104/2016",
        "D-VS-157/2016",
        "dic@cnops.org.ma",
        "https://www.cnops.org.ma",
        "AMO-Public",
        "1.0",
        "Cnops mobile",
    ],
)
def test_tokens_inside_arabic_are_isolated_whole(token):
    spans = ltr_spans(f"الرقم {token}، ثم نص")
    assert (token, True) in spans


def test_arabic_words_are_not_tokens():
    assert ltr_spans("الصندوق الوطني") == [("الصندوق الوطني", False)]


def test_tokens_separated_by_arabic_stay_apart():
    assert ltr_spans("26 نونبر 2026") == [("26", True), (" نونبر ", False), ("2026", True)]


def test_values_lose_their_bidi_controls_and_are_isolated():
    hostile = "\u202eABC\u2066\u200f"
    assert clean_value(hostile) == "ABC"
    assert isolate_value(hostile) == f"{FSI}ABC{PDI}"
    assert LRI not in clean_value(f"{LRI}x{PDI}")


def test_terminal_output_is_logical_when_piped():
    assert for_terminal("الصندوق", io.StringIO()) == "الصندوق"


def test_terminal_output_is_shaped_on_a_tty():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = for_terminal("الصندوق 2026", Tty())
    assert shown != "الصندوق 2026"
    assert shown.startswith("2026")  # visual order: the number stands at the left
