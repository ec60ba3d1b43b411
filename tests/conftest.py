"""Shared fixtures: the embedded data and each document rendered once per test session."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

import cnops_legaldocs
import registers
from cnops_legaldocs import api
from cnops_legaldocs.model import LegalData


@pytest.fixture(scope="session")
def data() -> LegalData:
    return cnops_legaldocs.load()


@pytest.fixture(scope="session")
def rendered(data: LegalData) -> Callable[..., bytes]:
    """rendered(kind, lang, fmt="pdf", paper=None): the document's bytes, rendered once per
    session."""

    @cache
    def render(kind: str, lang: str, fmt: str = "pdf", paper: str | None = None) -> bytes:
        return cnops_legaldocs.render(data, kind, lang, fmt, paper=paper)

    return render


@pytest.fixture
def reuse_renders(
    monkeypatch: pytest.MonkeyPatch, data: LegalData, rendered: Callable[..., bytes]
) -> None:
    """Have `api.render` (as the command line calls it) return the session's render of the
    embedded notice rather than render it again, for tests of what surrounds rendering
    (writing, naming, failures); other data or options are rendered as usual."""
    real = api.render

    def render(source: LegalData, kind: str, lang: str, fmt: str = "pdf", **options: Any) -> bytes:
        paper = options.pop("paper", None)
        if source == data and all(value is None for value in options.values()):
            return rendered(kind, lang, fmt, paper)
        return real(source, kind, lang, fmt, paper=paper, **options)

    monkeypatch.setattr(api, "render", render)


@pytest.fixture(scope="session")
def big_register(data: LegalData) -> Callable[[str], bytes]:
    """big_register(lang): the register of `registers.ROWS` operations, rendered once per
    session for every test of long tables."""
    big = registers.big_register(data)

    @cache
    def render(lang: str) -> bytes:
        return cnops_legaldocs.render(big, "register", lang)

    return render
