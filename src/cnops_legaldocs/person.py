"""The assuré whose identity pre-fills a form: validated values under canonical keys.

`Person.from_mapping({"nom": …, "cin": …})` accepts the keys of `FIELDS` only. Each value is
cleaned (`bidi.clean_value`: no bidi or other control characters, NFC), its white space
collapsed, then checked: a length limit per field, the fonts must print it, and a format for
``cin`` (one or two letters then up to six digits, after upper-casing and removing spaces),
``email`` and ``telephone`` (the validators of the notice data). An empty value leaves the
field blank. Errors are `DataError`s that name the field and never repeat the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from . import assets, bidi
from .errors import DataError
from .yamldata import check_email, check_phone

FIELDS: tuple[str, ...] = (
    "nom",
    "prenom",
    "cin",
    "immatriculation",
    "adresse",
    "telephone",
    "email",
)
"""The canonical keys of a person, in the order the forms show them."""

NO_ONE: dict[str, str] = {
    "nom": "A",
    "prenom": "A",
    "cin": "A1",
    "immatriculation": "1",
    "adresse": "A",
    "telephone": "05 38 00 20 20",
    "email": "a@cnops.org.ma",
}
"""Valid values of no one, one short line each: what a form is laid out and measured with
before any person's values (`fastpath`, `api.warm_up`)."""

# Longest value each field accepts (characters, after cleaning).
LIMITS: dict[str, int] = {
    "nom": 60,
    "prenom": 60,
    "cin": 12,
    "immatriculation": 20,
    "adresse": 150,
    "telephone": 20,
    "email": 100,
}

_CIN = re.compile(r"[A-Z]{1,2}[0-9]{1,6}")
_IMMATRICULATION = re.compile(r"[0-9A-Z](?:[ ./-]?[0-9A-Z])*")
_KEY = re.compile(r"[a-z_]{1,30}")


def _ascii(value: str, message: str) -> str:
    """`value` if it is ASCII: "ß", "ﬀ" or "ı" upper-case to ASCII letters, and a number read
    from a document must be the one typed, not a folded look-alike."""
    if not value.isascii():
        raise ValueError(message)
    return value


def _cin(value: str) -> str:
    message = "not a CIN number (one or two letters then digits, e.g. AB123456)"
    value = _ascii(value, message).upper().replace(" ", "")
    if not _CIN.fullmatch(value):
        raise ValueError("not a CIN number (one or two letters then digits, e.g. AB123456)")
    return value


def _immatriculation(value: str) -> str:
    value = _ascii(value, "not a registration number (letters and digits, e.g. 123456789)")
    value = value.upper()
    if not _IMMATRICULATION.fullmatch(value):
        raise ValueError("not a registration number (letters and digits, e.g. 123456789)")
    return value


_FORMATS: dict[str, Callable[[str], str]] = {
    "cin": _cin,
    "immatriculation": _immatriculation,
    "telephone": check_phone,
    "email": check_email,
}


@dataclass(frozen=True)
class Person:
    """Identity values that pre-fill a form; a field left out (None) stays blank to fill by
    hand."""

    values: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Person:
        """Validate raw values (from an API call or ``--set KEY=VALUE``)."""
        out: dict[str, str] = {}
        for key, raw in values.items():
            if key not in FIELDS:
                # A key is not personal data, but only an identifier-like one is repeated.
                shown = f"{key!r}" if isinstance(key, str) and _KEY.fullmatch(key) else "a key"
                raise DataError(
                    f"unknown field {shown} (known: {', '.join(FIELDS)})", field="person"
                )
            if raw is None:
                continue
            if not isinstance(raw, str):
                raise DataError("expected text", field=key)
            value = " ".join(bidi.clean_value(raw).split())
            if not value:
                continue
            if len(value) > LIMITS[key]:
                raise DataError(f"longer than {LIMITS[key]} characters", field=key)
            if assets.uncovered(value):
                raise DataError("has characters the document fonts cannot print", field=key)
            check = _FORMATS.get(key)
            if check is not None:
                try:
                    value = check(value)
                except ValueError as exc:
                    raise DataError(str(exc), field=key) from None
            out[key] = value
        return cls({key: out[key] for key in FIELDS if key in out})

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def __getitem__(self, key: str) -> str | None:
        """The value of a field, or None when it is left blank (templates read it so)."""
        if key not in FIELDS:
            raise KeyError(key)
        return self.values.get(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __bool__(self) -> bool:
        return bool(self.values)
