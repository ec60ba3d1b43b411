"""cnops-legaldocs: the CNOPS legal notice, its register and the assurés' forms, as French and
Arabic PDF and DOCX documents from one structured source.

>>> import cnops_legaldocs
>>> data = cnops_legaldocs.load()
>>> pdf = cnops_legaldocs.render(data, "notice", "ar", "pdf")
>>> summary = cnops_legaldocs.render_many(jobs, "out/")   # many documents, in parallel
>>> poster = cnops_legaldocs.render(data, "poster", "fr", paper="A4")
>>> pngs = cnops_legaldocs.preview(data, "poster", "ar", dpi=100)
>>> both = cnops_legaldocs.render(data, "notice", "fr+ar")   # French left, Arabic right
>>> text = cnops_legaldocs.clause(data, "A-GA-104/2016", "ar", "html")   # 09-08 clause
>>> csv = cnops_legaldocs.export_register(data, "csv")   # the register as open data
"""

from __future__ import annotations

from .api import EDITIONS, FORMATS, KINDS, LANGUAGES, PAPERS, preview, render, warm_up
from .batch import Job, RowFailure, Summary, render_many
from .branches import Branch, load_branches
from .clauses import UnknownOperation, clause
from .errors import DataError, LegalDocsError, RenderError, TranslationError
from .model import Contact, LegalData, Operation, Reference, Regime, load, loads
from .opendata import export_register

__all__ = [
    "EDITIONS",
    "FORMATS",
    "KINDS",
    "LANGUAGES",
    "PAPERS",
    "Branch",
    "Contact",
    "DataError",
    "Job",
    "LegalData",
    "LegalDocsError",
    "Operation",
    "Reference",
    "Regime",
    "RenderError",
    "RowFailure",
    "Summary",
    "TranslationError",
    "UnknownOperation",
    "clause",
    "export_register",
    "load",
    "load_branches",
    "loads",
    "preview",
    "render",
    "render_many",
    "warm_up",
]
