"""The register as open data: the JSON validates against the shipped schema, the CSV
round-trips, both carry both languages and follow the register's order."""

from __future__ import annotations

import copy
import csv
import io
import json

import jsonschema
import pytest

import cnops_legaldocs
from cnops_legaldocs import catalogs, opendata
from cnops_legaldocs.cli import main
from cnops_legaldocs.errors import RenderError

DATA = cnops_legaldocs.load()


@pytest.fixture(scope="module")
def exported() -> dict[str, bytes]:
    return {fmt: cnops_legaldocs.export_register(DATA, fmt) for fmt in opendata.FORMATS}


def test_schema_is_versioned_and_valid():
    schema = opendata.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == opendata.SCHEMA_ID and schema["$id"].endswith(":1")
    assert opendata.SCHEMA_FILE.endswith(".schema.json")


def test_json_validates_and_names_its_schema(exported):
    doc = json.loads(exported["json"])
    jsonschema.Draft202012Validator(opendata.schema()).validate(doc)
    assert doc["$schema"] == opendata.SCHEMA_ID
    assert doc["edition"]["version"] == DATA.notice.version
    assert doc["edition"]["effective_date"] == DATA.notice.effective_date.isoformat()


def test_json_records_carry_both_languages_in_register_order(exported):
    records = json.loads(exported["json"])["operations"]
    assert [r["reference"] for r in records] == [str(op.reference) for op in DATA.operations]
    assert [r["number"] for r in records] == list(range(1, 16))
    ar = catalogs.translations("ar").gettext
    for record, op in zip(records, DATA.operations, strict=True):
        assert record["purpose"] == {"fr": op.title, "ar": ar(op.title)}
        assert record["regime"] == (
            "authorisation" if op.reference.letter == "A" else "declaration"
        )
        assert record["year"] == op.reference.year
        if op.contact:
            assert record["email"] == op.contact.email
            assert record["contact"] == {"fr": op.contact.title, "ar": ar(op.contact.title)}
            assert record["address"]["ar"] == ar(op.contact.address)
            assert record["address"]["ar"] != op.contact.address  # translated, not copied
        else:
            assert record["contact"] is record["email"] is record["address"] is None
    assert records[0]["id"] == "a-ga-104-2016"


def test_the_schema_refuses_what_it_should(exported):
    """The validation is what the tests rely on: a broken record fails it."""
    doc = json.loads(exported["json"])
    for breaking in (
        lambda d: d["operations"][0].pop("purpose"),
        lambda d: d["operations"][0]["purpose"].pop("ar"),
        lambda d: d["operations"][0].update(regime="autorisation"),
        lambda d: d["operations"][0].update(reference="A-GA-104-2016"),
        lambda d: d["operations"][0].update(extra=1),
    ):
        broken = copy.deepcopy(doc)
        breaking(broken)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft202012Validator(opendata.schema()).validate(broken)
        with pytest.raises(RenderError):
            opendata.validate(broken)


def test_json_has_no_bidi_controls(exported):
    text = exported["json"].decode("utf-8")
    assert not any(ch in text for ch in "\u2066\u2067\u2068\u2069\u200e\u200f\u202a\u202b")


def test_csv_has_a_bom_and_round_trips(exported):
    raw = exported["csv"]
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == list(opendata.CSV_COLUMNS)
    records = json.loads(exported["json"])["operations"]
    assert len(rows) == len(records) == 15
    for row, record in zip(rows, records, strict=True):
        assert row["reference"] == record["reference"] and row["id"] == record["id"]
        assert int(row["number"]) == record["number"] and int(row["year"]) == record["year"]
        assert row["regime"] == record["regime"]
        for lang in ("fr", "ar"):
            assert row[f"purpose_{lang}"] == record["purpose"][lang]
            assert row[f"contact_{lang}"] == (record["contact"] or {}).get(lang, "")
            assert row[f"address_{lang}"] == (record["address"] or {}).get(lang, "")
        assert row["email"] == (record["email"] or "")
    assert b"\r\n" in raw


def test_csv_quotes_commas_and_quotes():
    title = 'Gestion, "suivi" et\nrelances'
    op = DATA.operations[0]
    ops = (type(op)(title, op.reference, op.contact), *DATA.operations[1:])
    data = type(DATA)(**{**DATA.__dict__, "operations": ops})
    rows = list(csv.DictReader(io.StringIO(opendata.to_csv(data).decode("utf-8-sig"))))
    assert rows[0]["purpose_fr"] == title and len(rows) == 15


def test_same_data_same_bytes(exported):
    for fmt in opendata.FORMATS:
        assert cnops_legaldocs.export_register(DATA, fmt) == exported[fmt]


def test_unknown_format_is_refused():
    with pytest.raises(RenderError):
        cnops_legaldocs.export_register(DATA, "xml")


def test_cli_export(tmp_path, exported):
    for fmt in opendata.FORMATS:
        out = tmp_path / f"register.{fmt}"
        assert main(["export", "register", "--format", fmt, "-o", str(out)]) == 0
        assert out.read_bytes() == exported[fmt]
