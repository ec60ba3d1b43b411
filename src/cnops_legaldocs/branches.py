"""The agencies (branches) of the issuing body, for the branch block of their notices.

A branches file is an input of each production run, kept by the agencies, not part of the
package: names and addresses are proper names, so each is written in its official form per
language (as on the agency's sign) rather than translated through the package's catalogs,
which could not know a new agency. Opening hours are structured (days and times) and worded
by the templates in each language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import bidi, yamldata
from .model import LANGUAGES
from .yamldata import Fields, Node

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Day keys of the ``hours`` ranges, Monday first (Babel's order)."""

_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True)
class Hours:
    """Opening hours on a range of days: `first` to `last` (0 = Monday), `opens`–`closes`."""

    first: int
    last: int
    opens: dt.time
    closes: dt.time

    @property
    def days(self) -> range:
        return range(self.first, self.last + 1)


@dataclass(frozen=True)
class Branch:
    """One agency: its id (which names its files), name and address per language, hours."""

    id: str
    name: Mapping[str, str]
    address: Mapping[str, str]
    hours: tuple[Hours, ...]
    phone: str | None = None
    line: int | None = field(default=None, compare=False)


def load_branches(path: str | Path) -> tuple[Branch, ...]:
    """Load and validate a branches file; errors name the file, line and field."""
    return loads_branches(yamldata.read_text(path), str(path))


def loads_branches(text: str, name: str = "<branches>") -> tuple[Branch, ...]:
    """Validate branches given as YAML text; `name` is the file name used in messages."""
    top = Fields(yamldata.parse(text, name))
    yamldata.schema(top)
    node = top.need("branches")
    top.done()
    out: list[Branch] = []
    ids: dict[str, int] = {}
    for item in node.sequence(MAX_BRANCHES):
        branch = _branch(item)
        if branch.id in ids:
            raise item.error(f"branch id {branch.id!r} is already used at line {ids[branch.id]}")
        ids[branch.id] = item.line
        out.append(branch)
    if not out:
        raise node.error("no branch: list at least one")
    return tuple(out)


def _branch(node: Node) -> Branch:
    f = Fields(node)
    phone = f.get("phone")
    branch = Branch(
        id=yamldata.identifier(f.need("id")),
        name=_proper_name(f.need("name")),
        address=_proper_name(f.need("address")),
        hours=_hours(f.need("hours")),
        phone=yamldata.phone(phone) if phone is not None else None,
        line=node.line,
    )
    f.done()
    return branch


def _proper_name(node: Node) -> dict[str, str]:
    """A name per language, each in its own script (a swapped pair is caught)."""
    values = {}
    for lang, child in yamldata.localized_nodes(node, LANGUAGES).items():
        values[lang] = child.text()
        if bidi.has_rtl(values[lang]) != (lang == "ar"):
            raise child.error(f"expected {'Arabic' if lang == 'ar' else 'Latin'} script")
    return values


MAX_HOURS = 14  # ranges of opening hours of one agency: two a day
MAX_BRANCHES = 2000


def _hours(node: Node) -> tuple[Hours, ...]:
    out: list[Hours] = []
    for item in node.sequence(MAX_HOURS):
        f = Fields(item)
        first, last = _days(f.need("days"))
        close = f.need("close")
        opens, closes = _time(f.need("open")), _time(close)
        f.done()
        if opens >= closes:
            raise close.error("closes before it opens")
        hours = Hours(first, last, opens, closes)
        for other in out:
            overlap = set(hours.days) & set(other.days)
            if overlap and hours.opens < other.closes and other.opens < hours.closes:
                raise item.error(f"overlaps the hours of {DAYS[min(overlap)]} given above")
        out.append(hours)
    if not out:
        raise node.error("no opening hours: list at least one range of days")
    return tuple(sorted(out, key=lambda h: (h.first, h.opens)))


def _days(node: Node) -> tuple[int, int]:
    """``mon-fri`` or ``sat``: a range of days in week order."""
    text = node.source_text().lower()
    parts = text.split("-")
    if len(parts) > 2 or any(p.strip() not in DAYS for p in parts):
        raise node.error(
            f"expected a day or a range of days such as mon-fri (days: {' '.join(DAYS)})"
        )
    first, last = (DAYS.index(p.strip()) for p in (parts[0], parts[-1]))
    if first > last:
        raise node.error("a range of days runs from Monday towards Sunday (e.g. mon-fri)")
    return first, last


def _time(node: Node) -> dt.time:
    match = _TIME.fullmatch(node.source_text())
    if not match:
        raise node.error('expected a time written HH:MM on 24 hours, in quotes ("08:30")')
    return dt.time(int(match[1]), int(match[2]))
