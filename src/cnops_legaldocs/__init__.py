"""cnops-legaldocs: the CNOPS legal notice, its register and the assurés' forms, as French and
Arabic PDF and DOCX documents from one structured source.

>>> import cnops_legaldocs
>>> data = cnops_legaldocs.load()
>>> pdf = cnops_legaldocs.render(data, "notice", "ar", "pdf")
>>> poster = cnops_legaldocs.render(data, "poster", "fr", paper="A4")
>>> pngs = cnops_legaldocs.preview(data, "poster", "ar", dpi=100)
"""

from __future__ import annotations

from .api import FORMATS, KINDS, LANGUAGES, PAPERS, preview, render
from .errors import DataError, LegalDocsError, RenderError, TranslationError
from .model import Contact, LegalData, Operation, Reference, Regime, load, loads

__all__ = [
    "FORMATS",
    "KINDS",
    "LANGUAGES",
    "PAPERS",
    "Contact",
    "DataError",
    "LegalData",
    "LegalDocsError",
    "Operation",
    "Reference",
    "Regime",
    "RenderError",
    "TranslationError",
    "load",
    "loads",
    "preview",
    "render",
]
