"""Shared fixtures: the embedded data and each document rendered once per test session."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

import cnops_legaldocs
import registers
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


@pytest.fixture(scope="session")
def big_register(data: LegalData) -> Callable[[str], bytes]:
    """big_register(lang): the register of `registers.ROWS` operations, rendered once per
    session for every test of long tables."""
    big = registers.big_register(data)

    @cache
    def render(lang: str) -> bytes:
        return cnops_legaldocs.render(big, "register", lang)

    return render
