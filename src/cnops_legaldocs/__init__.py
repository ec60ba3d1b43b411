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

import logging as _logging

from .api import (
    ARCHIVAL_VARIANT,
    EDITIONS,
    FORMATS,
    KINDS,
    LANGUAGES,
    PAPERS,
    PLAIN,
    formats_of,
    preview,
    render,
    warm_up,
)
from .batch import Job, RowFailure, Summary, branch_jobs, check_person, person_jobs, render_many
from .branches import Branch, load_branches, loads_branches
from .clauses import UnknownOperation, clause
from .errors import (
    ArgumentError,
    DataError,
    LayoutError,
    LegalDocsError,
    RenderError,
    TranslationError,
)
from .fontcache import set_directory as set_font_cache
from .model import Contact, LegalData, Operation, Reference, Regime, load, loads
from .opendata import export_register
from .person import FIELDS as PERSON_FIELDS


def __getattr__(name: str) -> str:
    """`__version__`, read from the installed package's metadata when first asked (reading it
    costs a fresh process some 40 ms that a render does not need)."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import metadata

    try:
        version = metadata.version("cnops-legaldocs")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        version = "0+unknown"
    globals()["__version__"] = version
    return version


# The library logs through "cnops_legaldocs" (never a value of the data), silent unless the
# host configures logging. WeasyPrint's, fontTools' and pikepdf's chatter (INFO) does not reach
# a host's root logger unless the host sets those loggers' levels itself.
_logging.getLogger("cnops_legaldocs").addHandler(_logging.NullHandler())
for _name in ("weasyprint", "fontTools", "pikepdf"):
    if _logging.getLogger(_name).level == _logging.NOTSET:
        _logging.getLogger(_name).setLevel(_logging.WARNING)

__all__ = [
    "ARCHIVAL_VARIANT",
    "EDITIONS",
    "FORMATS",
    "KINDS",
    "LANGUAGES",
    "PAPERS",
    "PERSON_FIELDS",
    "PLAIN",
    "ArgumentError",
    "Branch",
    "Contact",
    "DataError",
    "Job",
    "LayoutError",
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
    "__version__",
    "branch_jobs",
    "check_person",
    "clause",
    "export_register",
    "formats_of",
    "load",
    "load_branches",
    "loads",
    "loads_branches",
    "person_jobs",
    "preview",
    "render",
    "render_many",
    "set_font_cache",
    "warm_up",
]
