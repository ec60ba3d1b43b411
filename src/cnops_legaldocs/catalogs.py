"""Gettext catalogs: every human-language string, from templates and from the data, per language.

The source language is French: French text is the msgid, and ``translations/ar`` holds the
Arabic. Catalogs are read straight from the ``.po`` files (no compiled ``.mo`` to go stale).
`extract_data` is the Babel extractor for data files, registered as the entry point
``cnops_legaldocs_data`` so that ``pybabel extract`` sees the data's prose too.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import IO, Any

from babel.dates import format_date, get_day_names
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from . import assets
from .errors import TranslationError
from .model import LANGUAGES, LegalData, prose_strings

SOURCE_LANGUAGE = "fr"

# Babel locales per language: Moroccan conventions (ar_MA: Western digits, Maghreb months).
LOCALES: dict[str, str] = {"fr": "fr_MA", "ar": "ar_MA"}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def catalog_path(lang: str) -> Any:
    return assets.translations_dir() / lang / "LC_MESSAGES" / "messages.po"


@cache
def catalog(lang: str) -> Catalog:
    """The parsed ``.po`` catalog of a language."""
    path = catalog_path(lang)
    try:
        with open(path, "rb") as fh:
            return read_po(fh, locale=LOCALES[lang])
    except FileNotFoundError:
        raise TranslationError(f"no catalog for language {lang!r} ({path})") from None


@cache
def translations(lang: str) -> Translations:
    """Gettext translations of a language (fuzzy entries are not used)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog(lang), use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


def format_long_date(value: Any, lang: str) -> str:
    """A date as written in running text: "26 novembre 2026", "26 نونبر 2026"."""
    return format_date(value, format="long", locale=LOCALES[lang])


def day_name(day: int, lang: str) -> str:
    """The name of a weekday (0 = Monday) as written in running text: "lundi", "الاثنين"."""
    return str(get_day_names("wide", locale=LOCALES[lang])[day])


# --------------------------------------------------------------------------------------------
# Checks


@dataclass(frozen=True)
class CatalogProblem:
    lang: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = (
            f"{catalog_path(self.lang)}:{self.line}" if self.line else str(catalog_path(self.lang))
        )
        return f"{where}: {self.message}"


def problems(
    data: LegalData | None = None, langs: Iterable[str] = LANGUAGES
) -> list[CatalogProblem]:
    """What keeps the catalogs from being complete: untranslated, fuzzy, placeholder mismatch,
    and (given `data`) prose of the data that the catalogs do not know."""
    found: list[CatalogProblem] = []
    data_strings = set(data_messages(data)) if data is not None else set()
    for lang in langs:
        cat = catalog(lang)
        for msg in cat:
            if not msg.id:
                continue
            msgid = msg.id if isinstance(msg.id, str) else msg.id[0]
            short = _shorten(msgid)
            if msg.fuzzy:
                found.append(CatalogProblem(lang, msg.lineno, f"fuzzy entry: {short}"))
            if lang == SOURCE_LANGUAGE:
                continue
            strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
            if not all(strings):
                found.append(CatalogProblem(lang, msg.lineno, f"untranslated: {short}"))
                continue
            want = sorted(_PLACEHOLDER.findall(msgid))
            for s in strings:
                if sorted(_PLACEHOLDER.findall(s)) != want:
                    found.append(
                        CatalogProblem(
                            lang, msg.lineno, f"placeholders differ from the source: {short}"
                        )
                    )
        for missing in sorted(data_strings - {m.id for m in cat if m.id}):
            found.append(
                CatalogProblem(
                    lang, None, f"not in the catalog (run `make catalogs`): {_shorten(missing)}"
                )
            )
    return found


def _shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def data_messages(data: LegalData) -> Iterator[str]:
    """Every prose string of loaded data, as the catalogs know it."""
    yield data.notice.title
    for contact in data.contacts:
        yield contact.title
        yield contact.address
    for op in data.operations:
        yield op.title
    for section in data.sections:
        yield section.title
        for block in section.blocks:
            if block.text:
                yield block.text
            yield from block.items


# --------------------------------------------------------------------------------------------
# Babel extractor


def extract_data(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor for notice data files (YAML): yields each prose string with its line."""
    text = fileobj.read().decode("utf-8")
    name = getattr(fileobj, "name", "<data>")
    for line, path, message in prose_strings(text, str(name)):
        yield line, "gettext", message, [f"data: {path}"]
