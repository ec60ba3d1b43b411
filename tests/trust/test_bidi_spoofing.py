"""Bidi spoofing: direction controls in the data are removed, and every value is isolated, so
that no value can reorder the document around it. Read back as glyph order on the page."""

from __future__ import annotations

import dataclasses

import pytest

from cnops_legaldocs import api, documents, model
from cnops_legaldocs.bidi import BIDI_CONTROLS

from . import data, readback
from .conftest import COMBINATIONS

CONTROLS = sorted(BIDI_CONTROLS)  # U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C


def _spiked(text: str, controls: str = "\u202e\u202d\u2067\u200f\u061c") -> str:
    """`text` with direction controls after each of its first words."""
    words = text.split(" ")
    for i, control in enumerate(controls[: len(words) - 1]):
        words[i] += control
    return " ".join(words)


def _mixed() -> dict:
    """The notice with values that mix scripts and numbers, where a reordering would show."""
    source = data.example()
    source["operations"][0]["title"] = "Gestion des archives 2016 et 2017"
    source["contacts"][0]["address"] = "Rue Moulay Rachid 12, زنقة مولاي رشيد 12"
    source["sections"][0]["blocks"].append({"p": "Texte à l’envers puis نص معكوس 09 puis normal"})
    source["body"]["app"] = "Cnops mobile 2"
    return source


def _spiked_source() -> dict:
    source = _mixed()
    for where in (("operations", 0, "title"), ("contacts", 0, "address"), ("body", "app")):
        data.put(source, where, _spiked(data.get(source, where)))
    block = source["sections"][0]["blocks"][-1]
    block["p"] = _spiked(block["p"], "\u202e\u202b\u202d\u202a\u2066\u2067\u2068\u200e")
    return source


@pytest.fixture(scope="module")
def clean_and_spiked() -> dict[str, model.LegalData]:
    return {
        "clean": model.loads(data.dump(_mixed()), "clean.yaml"),
        "spiked": model.loads(data.dump(_spiked_source()), "spiked.yaml"),
    }


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_the_model_removes_each_control_and_says_where(control: str) -> None:
    source = data.example()
    source["operations"][2]["title"] = f"La liquidation{control} des factures"
    source["body"]["name"]["ar"] = f"الصندوق{control} الوطني"
    loaded = model.loads(data.dump(source), "spiked.yaml")
    assert loaded.operations[2].title == "La liquidation des factures"
    assert loaded.body.name["ar"] == "الصندوق الوطني"
    removed = [w for w in loaded.warnings if "control characters removed" in w.message]
    assert {w.field for w in removed} == {"operations[2].title", "body.name.ar"}
    assert all(w.line and w.file == "spiked.yaml" for w in removed)
    assert not any("liquidation" in str(w) or "الصندوق" in str(w) for w in removed)


@pytest.mark.parametrize("combo", COMBINATIONS, ids="-".join)
def test_controls_in_the_data_change_nothing_on_the_page(
    combo: tuple[str, str, str], clean_and_spiked: dict[str, model.LegalData]
) -> None:
    clean = api.render(clean_and_spiked["clean"], *combo)
    spiked = api.render(clean_and_spiked["spiked"], *combo)
    assert readback.visual_lines(spiked, combo[2]) == readback.visual_lines(clean, combo[2])


@pytest.mark.parametrize("combo", COMBINATIONS, ids="-".join)
def test_values_given_without_the_model_are_cleaned_too(
    combo: tuple[str, str, str], clean_and_spiked: dict[str, model.LegalData]
) -> None:
    """Data built in code (the API, a person's record) is cleaned where it is printed: its
    names and codes, and its sentences (an operation's title, which a reference follows)."""
    clean = clean_and_spiked["clean"]
    body = clean.body
    first = clean.operations[0]
    spiked = dataclasses.replace(
        clean,
        body=dataclasses.replace(
            body,
            acronym="CN\u202eOPS",
            app=_spiked(body.app),
            name={lang: _spiked(name) for lang, name in body.name.items()},
        ),
        operations=(
            dataclasses.replace(first, title=_spiked(first.title)),
            *clean.operations[1:],
        ),
    )
    expected = readback.visual_lines(api.render(clean, *combo), combo[2])
    assert readback.visual_lines(api.render(spiked, *combo), combo[2]) == expected


def _line_with(lines: list[str], marker: str) -> str:
    found = [line for line in lines if marker in line]
    assert found, f"no line with {marker!r}"
    return found[0]


def _prints_the_operations(kind: str) -> bool:
    """Whether a kind prints the register's operations (the poster and the consent form do
    not: the values they print, the body's names, are spiked in the test above)."""
    data = model.load()
    return data.operations[0].title in documents.build(data, kind, "fr").text()


@pytest.mark.parametrize(
    "combo", [c for c in COMBINATIONS if _prints_the_operations(c[0])], ids="-".join
)
def test_a_value_does_not_carry_the_number_after_it(combo: tuple[str, str, str]) -> None:
    """An Arabic value followed by a number: unisolated, the number would print before it."""
    source = data.example()
    source["body"]["acronym"] = "ابج"
    paragraph = "Numéro de contrôle %(acronym)s 2016 fin."
    source["sections"][0]["blocks"].append({"p": paragraph})
    source["operations"][0]["title"] = paragraph  # the register shows it
    content = api.render(model.loads(data.dump(source)), *combo)
    line = _line_with(readback.visual_lines(content, combo[2]), "contrôle")
    # Read left to right: "Numéro de contrôle", the value (its letters reversed, as Arabic
    # is drawn), then "2016 fin." (a register row has other cells around it).
    text = line[line.index("contrôle") :]
    assert text.index("جبا") < text.index("2016") < text.index("fin")


@pytest.mark.parametrize("fmt", api.FORMATS)
def test_a_latin_value_of_several_words_reads_in_order_in_arabic(fmt: str) -> None:
    """'Cnops mobile' inside Arabic text: unisolated, each word would be placed right to left
    ('mobile Cnops')."""
    content = api.render(model.load(), "notice", "ar", fmt)
    lines = readback.visual_lines(content, fmt)
    assert any("Cnops mobile" in line for line in lines)
    assert not any("mobile Cnops" in line for line in lines)
