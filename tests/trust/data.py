"""Notice data for the tests: the embedded example as a dict, changed and written back."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cnops_legaldocs import assets
from cnops_legaldocs.model import CELL_WORD, Limit


@cache
def _example() -> dict[str, Any]:
    return yaml.safe_load(assets.default_data().read_text(encoding="utf-8"))


def example() -> dict[str, Any]:
    """A fresh copy of the embedded CNOPS notice, as plain YAML data."""
    return copy.deepcopy(_example())


def example_branches() -> dict[str, Any]:
    """A fresh copy of the example agencies (examples/branches.yaml), as plain YAML data."""
    path = Path(__file__).resolve().parents[2] / "examples" / "branches.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class _Dumper(yaml.SafeDumper):
    """Writes shared values out: data files take no aliases (#17)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(dump(data), encoding="utf-8")
    return path


# Every free-text field of the data: (where it is, its length limit, its word limit).
Field = tuple[tuple[str | int, ...], int, int | None]


def text_fields(data: dict[str, Any]) -> Iterator[Field]:
    """Each field a person writes as free text (not a code, e-mail, URL or phone number)."""
    yield ("notice", "title"), Limit.NAME, None
    yield ("notice", "version"), Limit.CODE, None
    yield ("body", "acronym"), Limit.CODE, None
    yield ("body", "app"), Limit.SHORT, None
    for lang in data["body"]["name"]:
        yield ("body", "name", lang), Limit.NAME, None
        yield ("body", "short", lang), Limit.SHORT, None
    for i, _ in enumerate(data["contacts"]):
        yield ("contacts", i, "title"), Limit.NAME, CELL_WORD
        yield ("contacts", i, "address"), Limit.ENTRY, CELL_WORD
    for i, _ in enumerate(data["operations"]):
        yield ("operations", i, "title"), Limit.ENTRY, CELL_WORD
    for i, section in enumerate(data["sections"]):
        yield ("sections", i, "title"), Limit.NAME, None
        for j, block in enumerate(section["blocks"]):
            if "p" in block:
                yield ("sections", i, "blocks", j, "p"), Limit.PROSE, None
            elif "heading" in block:
                yield ("sections", i, "blocks", j, "heading"), Limit.NAME, None
            elif "list" in block:
                for k, _ in enumerate(block["list"]):
                    yield ("sections", i, "blocks", j, "list", k), Limit.PROSE, None


def get(data: Any, where: tuple[str | int, ...]) -> Any:
    for key in where:
        data = data[key]
    return data


def put(data: Any, where: tuple[str | int, ...], value: Any) -> None:
    get(data, where[:-1])[where[-1]] = value


def replace_text(data: dict[str, Any], fill: Callable[[Field, str], str]) -> dict[str, Any]:
    """A copy of `data` whose every free-text field is `fill(field, old value)`."""
    out = copy.deepcopy(data)
    for field in text_fields(out):
        put(out, field[0], fill(field, get(out, field[0])))
    return out
