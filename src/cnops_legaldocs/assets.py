"""Where the package's own files live: templates, catalogs, fonts, the default data.

Installed, they sit inside the package (the wheel maps the repository's top-level
``templates/``, ``translations/`` and ``examples/cnops.yaml`` into it); in a source checkout
(editable install) they are read from the repository itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import fontpkg

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent


def _locate(installed: str, checkout: str) -> Path:
    path = _PACKAGE / installed
    return path if path.exists() else _CHECKOUT / checkout


def templates_dir() -> Path:
    return _locate("templates", "templates")


def translations_dir() -> Path:
    return _locate("translations", "translations")


def default_data() -> Path:
    return _locate("data/cnops.yaml", "examples/cnops.yaml")


@dataclass(frozen=True)
class FontFace:
    """One font file the documents use, with the CSS descriptors that select it."""

    family: str
    path: Path
    weight: str | None  # None: a variable font, whose named instances give regular and bold
    style: str
    weight_range: tuple[int, int] | None = None  # a variable font's weight axis


ARABIC_FAMILY = "Amiri"
LATIN_FAMILY = "Noto Serif"
FIELD_FAMILY = "Almarai"


@cache
def fonts() -> tuple[FontFace, ...]:
    """The fonts documents may use (all from PyPI font packages): only these are embedded.

    Amiri, a Naskh in the tradition of Bulaq printing, for Arabic; Noto Serif, whose sober
    book serif sits well beside it, for Latin script (Amiri's own Latin is smaller on its body).
    Almarai, a sans with Arabic and Latin, only for what a viewer types into a form's fields:
    WeasyPrint embeds a field's font whole, with a Unicode map from its character map alone,
    which would make the page text drawn in the same font (shaped Arabic) unextractable.
    """
    faces = [
        FontFace(ARABIC_FAMILY, fontpkg.path("amiri", weight, style), str(weight), style)
        for weight in (400, 700)
        for style in ("normal", "italic")
    ]
    faces += [
        FontFace(LATIN_FAMILY, fontpkg.path("noto-serif", 400, style), None, style, (100, 900))
        for style in ("normal", "italic")
    ]
    faces.append(FontFace(FIELD_FAMILY, fontpkg.path("almarai", 400, "normal"), "400", "normal"))
    return tuple(faces)


@cache
def _coverage() -> frozenset[int]:
    import uharfbuzz as hb  # reads a character map in C: half the time of fontTools

    points: set[int] = set()
    for face in fonts():
        if face.family == FIELD_FAMILY:
            continue  # fields only: page text never falls back to it
        points.update(hb.Face(face.path.read_bytes()).unicodes)
    return frozenset(points)


_IGNORABLE = set("\n\t\r\u200c\u200d\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def uncovered(text: str) -> set[str]:
    """The characters of `text` that no document font has (they would print as boxes)."""
    covered = _coverage()
    return {ch for ch in set(text) - _IGNORABLE if ord(ch) not in covered}


@cache
def allowed_files() -> frozenset[Path]:
    """Every file a document may read while rendering: the fonts, nothing else."""
    return frozenset(face.path.resolve() for face in fonts())
