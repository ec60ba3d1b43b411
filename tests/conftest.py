"""Shared fixtures: the embedded data and each document rendered once per test session."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

import cnops_legaldocs
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
