"""The big register of the long-table tests: built in code, shared by every test file."""

from __future__ import annotations

from dataclasses import replace

from cnops_legaldocs import Operation, Reference
from cnops_legaldocs.model import LegalData

ROWS = 200
"""Rows of the big register: enough for a table over many pages in either language."""


def reference(row: int) -> str:
    """The CNDP reference of a row (0-based) of the big register."""
    return f"A-GA-{1000 + row}/2016"


def big_register(data: LegalData) -> LegalData:
    """`data` with `ROWS` operations: its titles and contacts in turn, references from
    `reference`."""
    operations = tuple(
        Operation(
            data.operations[i % len(data.operations)].title,
            Reference("A", "GA", 1000 + i, 2016),
            data.operations[i % len(data.operations)].contact,
        )
        for i in range(ROWS)
    )
    return replace(data, operations=operations)
