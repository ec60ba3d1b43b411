"""cnops-legaldocs: the CNOPS legal notice, its register and the assurés' forms, as French and
Arabic PDF and DOCX documents from one structured source.

>>> import cnops_legaldocs
>>> data = cnops_legaldocs.load()
>>> pdf = cnops_legaldocs.render(data, "notice", "ar", "pdf")
"""

from __future__ import annotations

from .api import FORMATS, KINDS, LANGUAGES, render
from .branches import Branch, load_branches
from .errors import DataError, LegalDocsError, RenderError, TranslationError
from .model import Contact, LegalData, Operation, Reference, Regime, load, loads

__all__ = [
    "FORMATS",
    "KINDS",
    "LANGUAGES",
    "Branch",
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
    "load_branches",
    "loads",
    "render",
]
