"""Document content: the templates turn data and catalogs into one semantic HTML tree per
document and language, which every renderer (PDF, DOCX) then lays out.

The tree uses a small vocabulary (``h1``–``h3``, ``p``, ``ul``/``li``, ``table``, ``strong``,
``a``, ``span.ltr`` for isolated left-to-right tokens, ``span.value`` for user values,
``header``/``footer`` for page furniture with ``span.page``/``span.pages`` counters), so that
the PDF and the DOCX say the same thing.

Every value from the data is escaped (autoescaping) and isolated: a name or code goes through
`value` (bidi controls removed, first-strong isolate), a data sentence through `t` (isolated in
the direction of the language it is printed in), so that no value can reorder its surroundings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
from lxml import etree
from markupsafe import Markup, escape

from . import assets, bidi, catalogs
from .errors import RenderError
from .model import LANGUAGES, LegalData

KINDS: tuple[str, ...] = ("notice", "register")
"""The documents this library knows."""

FILLABLE_KINDS: frozenset[str] = frozenset()
"""The kinds whose PDF carries form fields for the reader to fill (the forms list theirs here):
PDF/A forbids such viewer-drawn fields, so they are never rendered as PDF/A."""

DIRECTIONS = {"fr": "ltr", "ar": "rtl"}


@dataclass(frozen=True)
class Document:
    """One document in one language, as a semantic HTML tree ready for a renderer."""

    kind: str
    lang: str
    root: etree._Element
    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    created: dt.date

    @property
    def direction(self) -> str:
        return DIRECTIONS[self.lang]

    def html(self) -> str:
        """The tree serialised as HTML."""
        return "<!DOCTYPE html>\n" + etree.tostring(self.root, encoding="unicode", method="html")

    def text(self) -> str:
        """All the words of the body (furniture excluded), bidi controls removed."""
        body = self.root.find("body")
        assert body is not None
        parts = [" ".join(el.itertext()) for el in body if el.tag not in ("header", "footer")]
        return " ".join(bidi.strip_controls(" ".join(parts)).split())


@cache
def environment(lang: str) -> jinja2.Environment:
    """The Jinja environment of a language: autoescaped, with its gettext catalog."""
    if lang not in LANGUAGES:
        raise RenderError(f"unknown language {lang!r} (choose from {', '.join(LANGUAGES)})")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(assets.templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(catalogs.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["longdate"] = lambda value: catalogs.format_long_date(value, lang)
    env.filters["nobr"] = nobr
    env.globals.update(link=link, mail=mail, value=value)
    env.globals.update(lang=lang, dir=DIRECTIONS[lang], Markup=Markup)
    return env


def build(
    data: LegalData,
    kind: str,
    lang: str,
    *,
    context: Mapping[str, Any] | None = None,
) -> Document:
    """Build the content of a document: template, catalog, then bidi isolation."""
    if kind not in KINDS:
        raise RenderError(f"unknown document kind {kind!r} (choose from {', '.join(KINDS)})")
    env = environment(lang)
    plain = data.placeholders(lang)
    ph: dict[str, Any] = {name: value(text) for name, text in plain.items()}
    ph.update(website=link(data.body.website), phone=nobr(data.body.phone))
    gettext = catalogs.translations(lang).gettext

    def t(message: str, **extra: Any) -> Markup:
        """Translate a data string, escape it, fill its placeholders (escaped and isolated
        too) and isolate it in the direction of the language it comes out in."""
        translated = gettext(message)
        text = escape(translated) % {**ph, **extra}
        if translated == message and lang != catalogs.SOURCE_LANGUAGE:
            # Not translated: printed as written, isolated in the direction of its own script.
            return _isolated(text, bidi.direction(_PLACEHOLDER.sub("", message)))
        return Markup(bidi.ISOLATES[DIRECTIONS[lang]]) + text + Markup(bidi.PDI)

    title = gettext(_TITLES[kind])
    subject = bidi.clean_value(gettext(data.notice.title) % plain)
    meta = {
        "title": title,
        "author": bidi.clean_value(data.body.name[lang]),
        "subject": subject,
        "keywords": (data.body.acronym, "CNDP", "09-08", subject),
    }
    template = env.get_template(f"{kind}.html")
    html = template.render(
        data=data, t=t, ph=ph, kind=kind, title=title, meta=meta, **dict(context or {})
    )
    root = etree.fromstring(html, _PARSER)
    if DIRECTIONS[lang] == "rtl":
        _isolate_ltr_tokens(root.find("body"), rtl=True)
    else:
        _french_spacing(root.find("body"))
    _check_coverage(root)
    return Document(
        kind=kind,
        lang=lang,
        root=root,
        title=meta["title"],
        author=meta["author"],
        subject=meta["subject"],
        keywords=meta["keywords"],
        created=data.notice.effective_date,
    )


def value(text: object) -> Markup:
    """A value from the data or a person's record, as printed: escaped, cleaned of bidi
    controls and isolated, so that it cannot reorder the text around it."""
    clean = bidi.clean_value(str(text))
    return _isolated(escape(clean), bidi.direction(clean))


def _isolated(content: Markup, direction: str) -> Markup:
    """Content in a ``span.value`` of its own direction, between isolate characters: the
    span keeps it one box for WeasyPrint (which orders inline boxes, not characters), the
    characters isolate it for Word, LibreOffice and text extraction."""
    return Markup('<span class="value" dir="%s">%s%s%s</span>') % (
        direction,
        Markup(bidi.ISOLATES[direction]),
        content,
        Markup(bidi.PDI),
    )


def nobr(text: object) -> Markup:
    """A token that must not break across lines: reference, phone number, address."""
    return Markup('<span class="nobr">%s</span>') % text


def link(url: str) -> Markup:
    """A web address, printed as written and clickable in the PDF."""
    return Markup('<a class="%s" href="%s">%s</a>') % (_address_class(url), url, url)


def mail(address: str) -> Markup:
    """An e-mail address, printed as written and clickable in the PDF."""
    return Markup('<a class="%s" href="mailto:%s">%s</a>') % (
        _address_class(address),
        address,
        address,
    )


# An address or left-to-right token up to this length is kept on one line; a longer one might
# not fit its table column and may break anywhere (``.breakable``) rather than run off the page.
UNBROKEN_TOKEN = 30


def _address_class(address: str) -> str:
    return "nobr" if len(address) <= UNBROKEN_TOKEN else "breakable"


# Document titles, marked for extraction here (the templates receive them translated).
def _(message: str) -> str:
    return message


_TITLES = {
    "notice": _("Mentions légales"),
    "register": _("Registre des traitements de données à caractère personnel"),
}

_PLACEHOLDER = re.compile(r"%\(\w+\)s")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)

# Elements whose text is never isolated again (a value's own tokens still are: an isolate
# nests inside the value's isolate and cannot leak out of it).
_SKIP_CLASSES = {"ltr"}


def _isolate_ltr_tokens(elem: etree._Element | None, rtl: bool) -> None:
    """Wrap Latin and numeric tokens of right-to-left text in ``span.ltr`` isolates."""
    if elem is None:
        return
    direction = elem.get("dir")
    if direction:
        rtl = direction == "rtl"
    if elem.tag in ("style", "script") or _SKIP_CLASSES & set(elem.get("class", "").split()):
        return
    for child in list(elem):
        _isolate_ltr_tokens(child, rtl)
        if rtl and child.tail:
            tail, child.tail = child.tail, None
            _insert_pieces(elem, elem.index(child) + 1, tail, child)
    if rtl and elem.text:
        text, elem.text = elem.text, None
        _insert_pieces(elem, 0, text, None)


def _insert_pieces(
    parent: etree._Element, index: int, text: str, before: etree._Element | None
) -> None:
    """Put `text` at `index` of `parent`, its LTR tokens as spans (after `before`, if any)."""
    previous = before
    for piece, ltr in bidi.ltr_spans(text):
        if not ltr:
            if previous is None:
                parent.text = (parent.text or "") + piece
            else:
                previous.tail = (previous.tail or "") + piece
            continue
        classes = "ltr" if len(piece) <= UNBROKEN_TOKEN else "ltr breakable"
        span = etree.Element("span", {"class": classes, "dir": "ltr"})
        span.text = f"{bidi.LRI}{piece}{bidi.PDI}"
        parent.insert(index, span)
        index += 1
        previous = span


# French typography: a no-break space before high punctuation, inside guillemets, after n°.
_FRENCH_SPACES = [
    (re.compile(r" ([:;!?»])"), "\u00a0\\1"),
    (re.compile(r"« "), "«\u00a0"),
    (re.compile(r"\bn° "), "n°\u00a0"),
]


def _french_spacing(elem: etree._Element | None) -> None:
    if elem is None:
        return
    for node in elem.iter():
        if "value" in node.get("class", "").split():
            continue
        for attr in ("text", "tail"):
            value = getattr(node, attr)
            if value:
                for pattern, repl in _FRENCH_SPACES:
                    value = pattern.sub(repl, value)
                setattr(node, attr, value)


def _check_coverage(root: etree._Element) -> None:
    missing = assets.uncovered("".join(root.itertext()))
    if missing:
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in sorted(missing)[:5])
        raise RenderError(f"the document fonts cannot print some characters ({shown})")
