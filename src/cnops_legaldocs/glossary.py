"""The legal glossary and the polite-plural register, checked on the Arabic catalog and data.

``translations/glossary.tsv`` lists, for each French term of the law 09-08 and the CNDP's
vocabulary, the Arabic the translations must use, the variants they must not, and where the
term comes from. `problems` reports, naming the msgid (or data field) and the term:

- an Arabic string that contains a forbidden variant;
- a msgid that holds a glossary term whose translation lacks the required Arabic;
- an Arabic string that addresses the reader in the singular (`SINGULAR_MARKERS`): the
  documents speak to people in the polite plural (كم) or impersonally (يُرجى …).

Matching ignores case, apostrophe style and spacing in French, and vowel marks and tatweel in
Arabic. A longer French term hides the shorter ones it contains ("responsable du traitement"
is checked as such, not also as "traitement"), and a French term may end with s or x.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import assets, catalogs
from .errors import TranslationError
from .model import LegalData

COLUMNS = ("french", "arabic", "forbidden", "source", "exempt")

# Words that address one reader in the (masculine) singular, after vowel marks are removed:
# pronoun suffixes -ك on the words the forms use, and singular imperatives.
SINGULAR_MARKERS: frozenset[str] = frozenset(
    {
        "لك", "بك", "إليك", "عليك", "منك", "عنك", "لديك", "يمكنك", "يبلغك",
        "معطياتك", "اختيارك", "هويتك", "رضاك", "موافقتك", "تعرضك", "طلبك", "حقوقك", "هاتفك",
        "ضع", "حدد", "املأ", "اكتب", "سلم", "أودعه", "أودعها", "وجهها", "وجهه",
        "تدخله", "تدخلها", "أدخل",
    }
)  # fmt: skip
_PROCLITICS = frozenset("وفبل")
_SINGULAR_SUFFIX = re.compile(r"\w+تك")  # "your" (-tuka) on a feminine noun or a plural

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d]")
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})


@dataclass(frozen=True)
class Term:
    """One line of the glossary."""

    french: tuple[str, ...]
    arabic: tuple[str, ...]
    forbidden: tuple[str, ...]
    source: str
    exempt: tuple[str, ...]
    line: int

    @property
    def name(self) -> str:
        return self.french[0]


@dataclass(frozen=True)
class GlossaryProblem:
    """A translation that breaks the glossary or the register; `where` is file[:line]."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def glossary_path() -> Path:
    return assets.translations_dir() / "glossary.tsv"


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


@cache
def load(path: Path | None = None) -> tuple[Term, ...]:
    """The glossary's terms; a malformed line raises `TranslationError` naming it."""
    path = path or glossary_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TranslationError(f"no glossary ({path})") from None
    terms: list[Term] = []
    header_seen = False
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if not header_seen:
            header_seen = True
            if tuple(c.strip() for c in cells) != COLUMNS:
                raise TranslationError(f"{path}:{number}: the header must be {'/'.join(COLUMNS)}")
            continue
        cells += [""] * (len(COLUMNS) - len(cells))
        if len(cells) != len(COLUMNS):
            raise TranslationError(f"{path}:{number}: {len(cells)} columns, not {len(COLUMNS)}")
        french, arabic, forbidden, source, exempt = (_split(c) for c in cells)
        if not french or not arabic or not source:
            raise TranslationError(f"{path}:{number}: french, arabic and source are required")
        terms.append(Term(french, arabic, forbidden, " | ".join(source), exempt, number))
    return tuple(terms)


def normalize_arabic(text: str) -> str:
    """Arabic as compared: NFC, without vowel marks, shadda, tatweel or zero-width joiners."""
    return _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", text))


def normalize_french(text: str) -> str:
    """French as compared: lower case, one apostrophe, single spaces, no markup."""
    text = _TAGS.sub(" ", text).translate(_APOSTROPHES).replace("\u00a0", " ")
    return _SPACES.sub(" ", text).casefold()


def _pattern(term: str) -> re.Pattern[str]:
    body = re.escape(normalize_french(term))
    return re.compile(rf"(?<!\w){body}(?:s|x)?(?!\w)")


@cache
def _ordered(terms: tuple[Term, ...]) -> tuple[tuple[Term, re.Pattern[str]], ...]:
    """Every French form of every term, longest first (a longer term hides the shorter)."""
    forms = [(term, form) for term in terms for form in term.french]
    forms.sort(key=lambda tf: len(tf[1]), reverse=True)
    return tuple((term, _pattern(form)) for term, form in forms)


def terms_in(french: str, terms: tuple[Term, ...]) -> list[Term]:
    """The glossary terms a French text holds, each once, longer terms first."""
    text = normalize_french(french)
    found: list[Term] = []
    for term, pattern in _ordered(terms):
        hit = False

        def hide(match: re.Match[str]) -> str:
            nonlocal hit
            hit = True
            return "\0" * len(match.group(0))

        text = pattern.sub(hide, text)
        if hit and term not in found:
            found.append(term)
    return found


def _forms(arabic: str) -> tuple[str, ...]:
    """A required term as it may be written: "الإشعار" also as "للإشعار" (لـ + الـ)."""
    plain = normalize_arabic(arabic)
    return (plain, plain[1:]) if plain.startswith("ال") else (plain,)


def _singular_words(arabic: str) -> list[str]:
    words = re.findall(r"\w+", normalize_arabic(arabic))
    flagged = []
    for word in words:
        # "ويمكنك": a proclitic before a longer marker ("وضع" is a noun, not "و" + "ضع")
        bare = word[1:] if word[:1] in _PROCLITICS and len(word) > 4 else word
        if {word, bare} & SINGULAR_MARKERS or _SINGULAR_SUFFIX.fullmatch(word):
            flagged.append(word)
    return flagged


def check_translation(
    french: str, arabic: str, terms: tuple[Term, ...], *, register: bool = True
) -> Iterator[str]:
    """What is wrong with one Arabic translation of `french`, as messages naming the term."""
    plain = normalize_arabic(arabic)
    for term in terms:
        hits = [v for v in term.forbidden if normalize_arabic(v) in plain]
        for variant in hits:
            if any(variant != v and normalize_arabic(variant) in normalize_arabic(v) for v in hits):
                continue  # "المناول" within "المناولين": name the longer variant only
            yield (
                f"«{variant}» is a forbidden variant of the glossary term «{term.name}» "
                f"(write {' or '.join(f'«{a}»' for a in term.arabic)}; {term.source})"
            )
    key = normalize_french(french)
    for term in terms_in(french, terms):
        if any(key.startswith(normalize_french(e)) for e in term.exempt):
            continue
        if not any(form in plain for a in term.arabic for form in _forms(a)):
            yield (
                f"translates the glossary term «{term.name}» without "
                f"{' or '.join(f'«{a}»' for a in term.arabic)} ({term.source})"
            )
    if register:
        for word in dict.fromkeys(_singular_words(arabic)):
            yield (
                f"«{word}» addresses the reader in the singular: use the polite plural (كم) "
                "or an impersonal form (يُرجى …)"
            )


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:59] + "…"


def data_pairs(data: LegalData) -> Iterator[tuple[str, str, str]]:
    """The data's own translations: (field, French, Arabic)."""
    for field, mapping in (
        ("body.name", data.body.name),
        ("body.short", data.body.short),
        ("authority.name", data.authority.name),
    ):
        if mapping.get("fr") and mapping.get("ar"):
            yield field, mapping["fr"], mapping["ar"]


def problems(
    data: LegalData | None = None, terms: Iterable[Term] | None = None
) -> list[GlossaryProblem]:
    """Glossary and register problems of the Arabic catalog and (given `data`) of the data."""
    glossary = tuple(terms) if terms is not None else load()
    found: list[GlossaryProblem] = []
    po = catalogs.catalog_path("ar")
    for msg in catalogs.catalog("ar"):
        if not msg.id or not msg.string:
            continue
        msgid = msg.id if isinstance(msg.id, str) else msg.id[0]
        strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
        for arabic in strings:
            for message in check_translation(msgid, arabic, glossary):
                found.append(GlossaryProblem(f"{po}:{msg.lineno}", f"«{_short(msgid)}»: {message}"))
    if data is not None:
        for field, french, arabic in data_pairs(data):
            for message in check_translation(french, arabic, glossary, register=False):
                found.append(GlossaryProblem(f"{data.source}", f"{field}.ar: {message}"))
    return found
