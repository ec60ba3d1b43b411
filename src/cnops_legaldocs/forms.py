"""The forms' fields: stable names, types, and the tick boxes generated from the register.

A fillable PDF form carries one AcroForm field per ``input``/``textarea`` of the document
tree; its name is the element's ``name`` below. The DOCX carries one content control per field
instead, the name as its ``w:tag`` (tick boxes are ``w14:checkbox`` controls, text fields
plain-text controls, the request a block control). Names are ASCII, without dots (a dot would
nest PDF fields), and stay the same across languages, formats and versions.

``rights-request`` (demande d'exercice des droits, law 09-08 arts. 7-9):

- identity, text: ``nom``, ``prenom``, ``cin``, ``immatriculation``, ``adresse``,
  ``telephone``, ``email`` (a field pre-filled from a `Person` is page text, not a field);
- representative: checkbox ``mandataire``; text ``mandataire_nom``, ``mandataire_cin``;
- rights, checkboxes: ``droit_acces``, ``droit_rectification``, ``droit_opposition``;
- operations, checkboxes: ``traitement_<reference>`` for each operation of the register,
  the reference's "/" written "-" (``traitement_A-GA-104-2016``), then ``traitement_tous``;
- request, multi-line text: ``demande``;
- reply channel, checkboxes: ``reponse_courrier``, ``reponse_email``, ``reponse_accueil``;
- attachments, checkboxes: ``piece_cin``, ``piece_mandat``, ``piece_justificatifs``;
- place and date, text: ``lieu``, ``date``.

``marketing-consent`` (prospection directe, law 09-08 arts. 9-10):

- identity, text: as above;
- choice, checkboxes: ``consentement``, ``opposition``;
- means, checkboxes: ``moyen_email``, ``moyen_sms``, ``moyen_appel``, ``moyen_telecopie``;
- place and date, text: ``lieu``, ``date``.

The signature is a drawn box, not a field: it is signed by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import Contact, LegalData, Operation
from .person import FIELDS as IDENTITY
from .person import Person


@dataclass(frozen=True)
class Field:
    """One fillable field of a form: its stable name and its type."""

    name: str
    type: str  # "text", "multiline" or "checkbox"


def operation_field(op: Operation) -> str:
    """The name of an operation's tick box: ``traitement_A-GA-104-2016``."""
    return "traitement_" + str(op.reference).replace("/", "-")


Group = tuple[Contact | None, tuple[Operation, ...]]


def operation_groups(data: LegalData) -> tuple[Group, ...]:
    """The operations grouped by the contact that handles them, in the order of the contacts,
    then those left to the general channels (contact None)."""
    groups: list[Group] = [(c, data.operations_of(c)) for c in data.contacts]
    groups.append((None, data.operations_of(None)))
    return tuple(g for g in groups if g[1])


def balanced_columns(groups: Sequence[Group], count: int = 2) -> list[list[Group]]:
    """Split groups, in order, into `count` columns of about the same number of lines (a
    group takes one line for its contact and one per operation)."""
    sizes = [1 + len(ops) for _, ops in groups]
    total = sum(sizes)
    columns: list[list[Group]] = [[] for _ in range(count)]
    filled, index = 0, 0
    for group, size in zip(groups, sizes, strict=True):
        # Move to the next column once this one holds its share, if that balances better.
        share = total * (index + 1) / count
        if index < count - 1 and columns[index] and filled + size / 2 > share:
            index += 1
        columns[index].append(group)
        filled += size
    return columns


def fields(data: LegalData, kind: str, person: Person | None = None) -> tuple[Field, ...]:
    """Every fillable field of a form of `kind`, in document order (the identity fields that
    `person` pre-fills are page text, not fields)."""
    if kind not in _LAYOUT:
        raise ValueError(f"{kind!r} is not a form")
    filled = set(person.values) if person else set()
    out: list[Field] = []
    for entry in _LAYOUT[kind]:
        if entry is _IDENTITY:
            out += [Field(name, "text") for name in IDENTITY if name not in filled]
        elif entry is _OPERATIONS:
            out += [
                Field(operation_field(op), "checkbox")
                for _, ops in operation_groups(data)
                for op in ops
            ]
        else:
            out.append(Field(*entry))
    return tuple(out)


# The fields of each form in document order; the two markers stand for generated runs.
_IDENTITY = ("identity",)
_OPERATIONS = ("operations",)
_LAYOUT: dict[str, tuple[tuple[str, ...], ...]] = {
    "rights-request": (
        _IDENTITY,
        ("mandataire", "checkbox"),
        ("mandataire_nom", "text"),
        ("mandataire_cin", "text"),
        ("droit_acces", "checkbox"),
        ("droit_rectification", "checkbox"),
        ("droit_opposition", "checkbox"),
        _OPERATIONS,
        ("traitement_tous", "checkbox"),
        ("demande", "multiline"),
        ("reponse_courrier", "checkbox"),
        ("reponse_email", "checkbox"),
        ("reponse_accueil", "checkbox"),
        ("piece_cin", "checkbox"),
        ("piece_mandat", "checkbox"),
        ("piece_justificatifs", "checkbox"),
        ("lieu", "text"),
        ("date", "text"),
    ),
    "marketing-consent": (
        _IDENTITY,
        ("consentement", "checkbox"),
        ("opposition", "checkbox"),
        ("moyen_email", "checkbox"),
        ("moyen_sms", "checkbox"),
        ("moyen_appel", "checkbox"),
        ("moyen_telecopie", "checkbox"),
        ("lieu", "text"),
        ("date", "text"),
    ),
}
