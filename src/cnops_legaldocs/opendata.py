"""The register as open data: JSON (validated by the package's JSON Schema) and CSV.

Each record carries both languages (purpose, contact, address), the CNDP reference, the
regime (``authorisation`` or ``declaration``, from the reference), the year and the e-mail.
French and Arabic are the catalogs' translations of the data, as plain text: no bidi isolates
or other controls (a consumer sets each field in its own direction). Records follow the
register's order (`number` from 1); the same data gives the same bytes.

- JSON: UTF-8, ``$schema`` naming the schema (`SCHEMA_ID`, file ``schemas/register-1.schema.json``
  in the package: `schema()`), checked against it before it is returned.
- CSV: UTF-8 with a BOM (so that Excel reads the Arabic), comma-separated, CRLF line ends
  (RFC 4180), a header row of `CSV_COLUMNS`; an operation without a contact of its own has
  empty contact, e-mail and address cells (the general channels apply: see the JSON).
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from importlib import resources
from typing import Any

from . import bidi, catalogs
from .errors import RenderError
from .model import LANGUAGES, LegalData, Operation, Regime

FORMATS: tuple[str, ...] = ("json", "csv")
"""The formats the register is exported to."""

SCHEMA_FILE = "register-1.schema.json"
SCHEMA_ID = "urn:cnops-legaldocs:schema:register:1"
"""The ``$id`` of the schema (major version 1): a new major version is a new file and id."""

MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8; header=present"}

CSV_COLUMNS: tuple[str, ...] = (
    "number", "id", "reference", "regime", "year", "purpose_fr", "purpose_ar",
    "contact_fr", "contact_ar", "email", "address_fr", "address_ar",
)  # fmt: skip
"""The CSV header, in order."""

REGIMES = {Regime.AUTHORISATION: "authorisation", Regime.DECLARATION: "declaration"}


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the exported register (draft 2020-12)."""
    text = resources.files(__package__).joinpath("schemas", SCHEMA_FILE).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def export_register(data: LegalData, fmt: str) -> bytes:
    """The register of `data` as ``json`` or ``csv`` bytes (see the module's description)."""
    if fmt == "json":
        return to_json(data)
    if fmt == "csv":
        return to_csv(data)
    raise RenderError(f"unknown register format {fmt!r} (choose from {', '.join(FORMATS)})")


def _translate(text: str) -> dict[str, str]:
    return {
        lang: bidi.clean_value(catalogs.translations(lang).gettext(bidi.clean_value(text)))
        for lang in LANGUAGES
    }


def _names(mapping: Any) -> dict[str, str]:
    return {lang: bidi.clean_value(mapping[lang]) for lang in LANGUAGES}


def record(number: int, op: Operation, data: LegalData) -> dict[str, Any]:
    """One operation as a record of the JSON export."""
    from .clauses import operation_id

    contact = op.contact
    placeholders = {lang: data.placeholders(lang) for lang in LANGUAGES}

    def prose(text: str) -> dict[str, str]:
        return {lang: s % placeholders[lang] for lang, s in _translate(text).items()}

    return {
        "number": number,
        "id": operation_id(op),
        "reference": str(op.reference),
        "regime": REGIMES[op.regime],
        "year": op.reference.year,
        "purpose": prose(op.title),
        "contact": prose(contact.title) if contact else None,
        "email": contact.email if contact else None,
        "address": prose(contact.address) if contact else None,
    }


def document(data: LegalData) -> dict[str, Any]:
    """The whole export as a JSON-ready mapping."""
    notice = data.notice
    return {
        "$schema": SCHEMA_ID,
        "schema_version": 1,
        "edition": {
            "title": {
                lang: s % data.placeholders(lang) for lang, s in _translate(notice.title).items()
            },
            "version": notice.version,
            "effective_date": notice.effective_date.isoformat(),
            "url": notice.url,
        },
        "controller": {
            "acronym": data.body.acronym,
            "name": _names(data.body.name),
            "website": data.body.website,
            "phone": data.body.phone,
        },
        "authority": {
            "acronym": data.authority.acronym,
            "name": _names(data.authority.name),
            "website": data.authority.website,
        },
        "channels": {"call_centre": data.channels.call_centre, "portal": data.channels.portal},
        "operations": [record(n, op, data) for n, op in enumerate(data.operations, 1)],
    }


def validate(instance: Any) -> None:
    """Raise `RenderError` if `instance` does not follow the schema (naming where)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise RenderError(f"the register export does not follow its schema at {where}")


def to_json(data: LegalData) -> bytes:
    doc = document(data)
    validate(doc)
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode()


def to_csv(data: LegalData) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for n, op in enumerate(data.operations, 1):
        r = record(n, op, data)
        empty = {"fr": "", "ar": ""}
        contact, address = r["contact"] or empty, r["address"] or empty
        writer.writerow(
            [r["number"], r["id"], r["reference"], r["regime"], r["year"],
             r["purpose"]["fr"], r["purpose"]["ar"], contact["fr"], contact["ar"],
             r["email"] or "", address["fr"], address["ar"]]
        )  # fmt: skip
    return ("\ufeff" + buffer.getvalue()).encode()


__all__ = ["CSV_COLUMNS", "FORMATS", "SCHEMA_ID", "export_register", "schema"]
