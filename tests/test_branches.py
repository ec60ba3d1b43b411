"""Agencies: the branches file as validated data, and the branch block of their notices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import cnops_legaldocs
from cnops_legaldocs import DataError, RenderError
from cnops_legaldocs.branches import load_branches, loads_branches
from pdfread import lines

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "branches.yaml"
SOURCE = EXAMPLE.read_text(encoding="utf-8")


def rtl(word: str) -> str:
    """How an Arabic word (without lam-alef) reads in glyph order, left to right."""
    return word[::-1]


def edit(old: str, new: str, text: str = SOURCE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def error_of(text: str) -> DataError:
    with pytest.raises(DataError) as info:
        loads_branches(text, "branches.yaml")
    return info.value


def line_of(fragment: str, text: str = SOURCE) -> int:
    return text[: text.index(fragment)].count("\n") + 1


@pytest.fixture(scope="session")
def branches():
    return {b.id: b for b in load_branches(EXAMPLE)}


@pytest.fixture(scope="session")
def tanger_notice(data, branches):
    """The Tanger notice (split Friday hours) in each language, rendered once."""
    return {
        lang: cnops_legaldocs.render(data, "notice", lang, branch=branches["tanger"])
        for lang in ("fr", "ar")
    }


class TestBranchesFile:
    def test_the_example_lists_seven_agencies(self, branches):
        assert list(branches) == [
            "rabat",
            "casablanca",
            "fes",
            "marrakech",
            "tanger",
            "oujda",
            "agadir",
        ]
        rabat = branches["rabat"]
        assert rabat.name == {
            "fr": "Délégation régionale de Rabat",
            "ar": "المندوبية الجهوية بالرباط",
        }
        assert rabat.address["fr"] == "Rue Al Khalil, Hassan, Rabat"

    def test_hours_are_structured_and_ordered(self, branches):
        friday = [(h.opens, h.closes) for h in branches["tanger"].hours if h.first == 4]
        assert friday == [(dt.time(8, 30), dt.time(11, 30)), (dt.time(14, 30), dt.time(16, 30))]
        (weekdays, saturday) = branches["casablanca"].hours
        assert (weekdays.first, weekdays.last, saturday.first) == (0, 4, 5)

    @pytest.mark.parametrize(
        ("old", "new", "field", "message"),
        [
            (
                "      fr: Délégation régionale de Rabat",
                "      fr: المندوبية الجهوية بالرباط",
                "branches[0].name.fr",
                "expected Latin script",
            ),
            (
                "      ar: زنقة الخليل، حسان، الرباط",
                "      ar: Rue Al Khalil",
                "branches[0].address.ar",
                "expected Arabic script",
            ),
            ('        open: "08:30"', "        open: 8:30", "branches[0].hours[0].open", "HH:MM"),
            (
                "      - days: mon-fri",
                "      - days: fri-mon",
                "branches[0].hours[0].days",
                "from Monday",
            ),
            (
                "      - days: mon-fri",
                "      - days: monday",
                "branches[0].hours[0].days",
                "mon-fri",
            ),
            (
                '        close: "16:30"',
                '        close: "07:00"',
                "branches[0].hours[0].close",
                "closes before it opens",
            ),
            ("  - id: fes", "  - id: rabat", "branches[2]", "already used at line"),
            ("  - id: fes", "  - id: Fès", "branches[2].id", "lower-case"),
            ("    address:\n", "    adress:\n", "branches[0].address", "missing"),
        ],
    )
    def test_errors_name_file_line_and_field(self, old, new, field, message):
        err = error_of(edit(old, new))
        assert err.file == "branches.yaml"
        assert err.field == field
        assert message in err.message
        assert err.line == line_of(old) or field.endswith(("]", ".address"))

    def test_overlapping_hours_are_refused(self):
        text = edit(
            '      - days: fri\n        open: "14:30"',
            '      - days: thu-fri\n        open: "11:00"',
        )
        err = error_of(text)
        assert err.field == "branches[4].hours[2]"
        assert "overlaps the hours of thu" in err.message

    def test_a_missing_file_is_named(self, tmp_path):
        with pytest.raises(DataError, match="file not found"):
            load_branches(tmp_path / "none.yaml")


class TestBranchBlock:
    def test_french_block_under_the_title(self, tanger_notice):
        page = [line.visual for line in lines(tanger_notice["fr"]) if line.page == 1]
        text = [v for v in page if v != "•"]  # list bullets stand on lines of their own
        block = text[text.index("Votre agence") :]
        assert block[:7] == [
            "Votre agence",
            "Délégation régionale de Tanger",
            "Avenue Mohammed VI, Tanger",
            "Horaires d’accueil :",
            "Du lundi au jeudi, de 08:30 à 16:30",
            "Le vendredi, de 08:30 à 11:30",
            "Le vendredi, de 14:30 à 16:30",
        ]
        assert text.index("Votre agence") < text.index("A. Propriété intellectuelle")

    def test_arabic_block_in_arabic_with_times_in_reading_order(self, tanger_notice):
        page = [line for line in lines(tanger_notice["ar"]) if line.page == 1]
        visual = [line.visual for line in page]
        assert rtl("وكالتكم") in visual
        assert any(rtl("بطنجة") in v and rtl("الجهوية") in v for v in visual)
        assert any(rtl("طنجة") in v and rtl("شارع") in v for v in visual)
        # Read right to left, Monday to Thursday comes first, then 08:30, then 16:30.
        (hours,) = [v for v in visual if rtl("الخميس") in v]
        assert hours.index(rtl("الخميس")) > hours.index("08:30") > hours.index("16:30")

    def test_no_branch_no_block(self, rendered):
        assert not any(line.visual == "Votre agence" for line in lines(rendered("notice", "fr")))

    def test_the_register_has_no_branch_block(self, data, branches):
        with pytest.raises(RenderError, match="register has no branch block"):
            cnops_legaldocs.render(data, "register", "fr", branch=branches["rabat"])

    def test_phone_when_given(self, data):
        text = edit("  - id: rabat\n", "  - id: rabat\n    phone: 05 37 00 00 00\n")
        (rabat, *_) = loads_branches(text)
        assert rabat.phone == "05 37 00 00 00"
        document = cnops_legaldocs.documents.build(data, "notice", "fr", branch=rabat)
        assert "Téléphone : 05 37 00 00 00" in document.text()
