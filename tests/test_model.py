"""The data model: the CNOPS notice as transcribed, CNDP references, validation errors."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from cnops_legaldocs import DataError, Reference, Regime, load, loads
from cnops_legaldocs.assets import default_data

SOURCE = default_data().read_text(encoding="utf-8")


def edit(old: str, new: str, text: str = SOURCE) -> str:
    """The default data with one exact edit (fails loudly if `old` is not there)."""
    assert old in text, old
    return text.replace(old, new, 1)


def error_of(text: str) -> DataError:
    with pytest.raises(DataError) as info:
        loads(text, "notice.yaml")
    return info.value


def line_of(fragment: str, text: str = SOURCE) -> int:
    return text[: text.index(fragment)].count("\n") + 1


class TestDefaultNotice:
    def test_the_register_has_the_fifteen_operations_of_the_source(self, data):
        assert len(data.operations) == 15
        assert str(data.operations[0].reference) == "A-GA-104/2016"
        assert str(data.operations[-1].reference) == "D-VS-157/2016"

    def test_regimes_follow_the_reference_letter_not_the_sources_wording(self, data):
        declarations = [
            str(op.reference) for op in data.operations if op.regime is Regime.DECLARATION
        ]
        assert declarations == ["D-W-361/2017", "D-VS-157/2016"]

    def test_contact_table_as_reconstructed(self, data):
        by_ref = {str(op.reference): op.contact for op in data.operations}
        assert by_ref["A-GA-104/2016"].email == "dic@cnops.org.ma"
        assert by_ref["A-AR-110/2016"].email == "dlp@cnops.org.ma"
        assert by_ref["A-CG-107/2016"].email == "dcm@cnops.org.ma"
        assert by_ref["A-PO-114/2016"].email == "daj@cnops.org.ma"
        assert by_ref["A-AU-116/2016"].address == "Rue Al Khalil, Hassan, Rabat"

    def test_operations_without_contact_fall_back_with_a_located_warning(self, data):
        fallbacks = [op for op in data.operations if op.contact is None]
        assert [str(op.reference) for op in fallbacks] == ["D-W-361/2017", "D-VS-157/2016"]
        warned = [w for w in data.warnings if "general channels" in w.message]
        assert len(warned) == 2
        assert warned[0].line == line_of("- title: Suivi des dossiers en ligne")
        assert warned[0].field == "operations[13].contact"

    def test_issuing_body_and_channels_are_data(self, data):
        assert data.body.acronym == "CNOPS"
        assert data.body.name["ar"] == "الصندوق الوطني لمنظمات الاحتياط الاجتماعي"
        assert data.channels.call_centre == "05 38 00 20 20"
        assert data.notice.effective_date == dt.date(2026, 11, 26)

    def test_five_sections_in_source_order(self, data):
        assert [s.id for s in data.sections] == [
            "intellectual-property",
            "information",
            "personal-data",
            "rights",
            "confidentiality",
        ]

    def test_load_reads_a_file_path(self, tmp_path):
        path = tmp_path / "copy.yaml"
        path.write_text(SOURCE, encoding="utf-8")
        assert load(path).source == str(path)


class TestReference:
    @pytest.mark.parametrize(
        ("text", "letter", "code", "seq", "year"),
        [
            ("A-GA-104/2016", "A", "GA", 104, 2016),
            ("D-716/2021", "D", None, 716, 2021),
            ("A-R-H-50/2015", "A", "R-H", 50, 2015),
        ],
    )
    def test_accepted_forms(self, text, letter, code, seq, year):
        ref = Reference.parse(text)
        assert (ref.letter, ref.code, ref.sequence, ref.year) == (letter, code, seq, year)
        assert str(ref) == text

    def test_regime(self):
        assert Reference.parse("A-329/2014").regime is Regime.AUTHORISATION
        assert Reference.parse("D-W-361/2017").regime is Regime.DECLARATION

    @pytest.mark.parametrize(
        "text",
        ["B-GA-104/2016", "A-GA-104", "A-ga-104/2016", "A--104/2016", "A-GA-104/16", "A-1/2001"],
    )
    def test_rejected_forms(self, text):
        with pytest.raises(ValueError):
            Reference.parse(text)


class TestErrors:
    def test_malformed_yaml_gives_line_and_column(self):
        text = edit('  version: "1.0"', "  version: [1.0")
        err = error_of(text)
        assert err.file == "notice.yaml"
        assert err.line is not None and err.column is not None
        assert "malformed YAML" in str(err)

    def test_duplicate_reference(self):
        text = edit("reference: A-GA-106/2016", "reference: A-GA-104/2016")
        err = error_of(text)
        assert err.line == line_of("reference: A-GA-106/2016")
        assert err.field == "operations[1].reference"
        assert f"already used at line {line_of('reference: A-GA-104/2016')}" in err.message

    def test_malformed_reference(self):
        err = error_of(edit("reference: A-GA-104/2016", "reference: A-GA-104-2016"))
        assert err.field == "operations[0].reference"
        assert "CNDP reference" in err.message

    def test_unknown_contact_id(self):
        err = error_of(edit("    contact: dic\n", "    contact: dix\n"))
        assert err.field == "operations[0].contact"
        assert "unknown contact id 'dix'" in err.message

    def test_missing_field(self):
        err = error_of(edit("    email: dic@cnops.org.ma\n", ""))
        assert err.field == "contacts[0].email"
        assert "missing" in err.message

    def test_unknown_field_is_a_typo_not_silence(self):
        err = error_of(edit("    email: dic@cnops.org.ma\n", "    emial: dic@cnops.org.ma\n"))
        assert err.field == "contacts[0].email"
        assert "unknown field 'emial'" in err.message

    def test_duplicate_key(self):
        err = error_of(edit('  version: "1.0"\n', '  version: "1.0"\n  version: "2.0"\n'))
        assert "twice" in err.message

    @pytest.mark.parametrize(
        ("old", "bad", "field"),
        [
            ("dic@cnops.org.ma", "dic.cnops.org.ma", "contacts[0].email"),
            ("  phone: 05 38 00 20 20", "+33 1 23 45", "body.phone"),
            ("  website: https://www.cnops.org.ma", "www.cnops.org.ma", "body.website"),
            ("  portal: https://www.cnops.org.ma", "javascript:alert(1)", "channels.portal"),
            ("  effective_date: 2026-11-26", "next week", "notice.effective_date"),
        ],
    )
    def test_invalid_values_name_the_field_not_the_value(self, old, bad, field):
        key = old.split(":", 1)[0] + ": " if ":" in old and "@" not in old else ""
        err = error_of(edit(old, key + bad))
        assert err.field == field
        assert bad not in str(err)

    def test_unknown_placeholder_in_prose(self):
        err = error_of(edit("Propriété intellectuelle", "Propriété %(owner)s"))
        assert err.field == "sections[0].title"
        assert "%(owner)s" in err.message

    def test_empty_register(self):
        start = SOURCE.index("operations:\n")
        end = SOURCE.index("\n# The notice's five sections")
        err = error_of(SOURCE[:start] + "operations: []\n" + SOURCE[end:])
        assert "register is empty" in err.message

    def test_error_message_reads_file_line_field(self):
        err = error_of(edit("    contact: dic\n", "    contact: dix\n"))
        assert re.match(r"notice\.yaml:\d+: operations\[0\]\.contact: ", str(err))


def test_a_change_of_issuing_body_is_a_data_change(tmp_path):
    text = SOURCE.replace("acronym: CNOPS", "acronym: CNSS").replace(
        "fr: Caisse nationale des organismes de prévoyance sociale",
        "fr: Caisse nationale de sécurité sociale",
    )
    text = re.sub(r"(short:\n    fr: )CNOPS", r"\1CNSS", text)
    data = loads(text)
    assert data.placeholders("fr")["body"] == "CNSS"
    assert data.placeholders("fr")["body_name"] == "Caisse nationale de sécurité sociale"


def test_printed_fields_are_named_as_in_the_data_file() -> None:
    """A layout error names the field to shorten as the data file spells it: each name that
    `printed_fields` gives leads, in the parsed YAML, to the value it gives."""
    import yaml

    from cnops_legaldocs.model import printed_fields

    tree = yaml.safe_load(SOURCE)
    names = []
    for name, value in printed_fields(load()):
        node = tree
        for key, index in re.findall(r"(\w+)(?:\[(\d+)\])?", name):
            node = node[key]
            node = node[int(index)] if index else node
        assert " ".join(str(node).split()) == " ".join(value.split()), name
        names.append(name)
    assert {"notice.url", "body.name.ar", "contacts[0].address", "operations[14].reference",
            "sections[0].blocks[0].p"} <= set(names)  # fmt: skip
