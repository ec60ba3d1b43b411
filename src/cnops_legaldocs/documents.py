"""Document content: the templates turn data and catalogs into one semantic HTML tree per
document and language, which every renderer (PDF, DOCX) then lays out.

The tree uses a small vocabulary (``h1``–``h3``, ``p``, ``ul``/``li``, ``table``, ``strong``,
``a``, ``span.ltr`` for isolated left-to-right tokens, ``span.value`` for user values,
``header``/``footer`` for page furniture with ``span.page``/``span.pages`` counters), so that
the PDF and the DOCX say the same thing.
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
        parts = [_flat_text(el) for el in body if el.tag not in ("header", "footer")]
        return " ".join(bidi.strip_controls(" ".join(parts)).split())


# Elements that end a word at their boundaries; inline ones (strong, a, span) do not.
_BLOCKS = frozenset(
    {"section", "div", "p", "h1", "h2", "h3", "ul", "ol", "li", "table", "thead", "tbody",
     "tfoot", "tr", "th", "td"}
)  # fmt: skip


def _flat_text(el: etree._Element) -> str:
    out = [el.text or ""]
    for child in el:
        sep = " " if child.tag in _BLOCKS else ""
        out += [sep, _flat_text(child), sep, child.tail or ""]
    return "".join(out)


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
    env.globals.update(link=link, mail=mail)
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
    ph: dict[str, Any] = data.placeholders(lang)
    ph.update(website=link(data.body.website), phone=nobr(data.body.phone))
    gettext = catalogs.translations(lang).gettext

    def t(message: str, **extra: Any) -> Markup:
        """Translate a data string, escape it and fill its placeholders (escaped too)."""
        return escape(gettext(message)) % {**ph, **extra}

    title = gettext(_TITLES[kind])
    template = env.get_template(f"{kind}.html")
    html = template.render(data=data, t=t, ph=ph, kind=kind, title=title, **dict(context or {}))
    root = etree.fromstring(html, _PARSER)
    if DIRECTIONS[lang] == "rtl":
        _isolate_ltr_tokens(root.find("body"), rtl=True)
    else:
        _french_spacing(root.find("body"))
    _check_coverage(root)
    notice_title = str(t(data.notice.title))
    return Document(
        kind=kind,
        lang=lang,
        root=root,
        title=title,
        author=data.body.name[lang],
        subject=notice_title,
        keywords=(data.body.acronym, "CNDP", "09-08", notice_title),
        created=data.notice.effective_date,
    )


def nobr(text: object) -> Markup:
    """A token that must not break across lines: reference, phone number, address."""
    return Markup('<span class="nobr">%s</span>') % text


def link(url: str) -> Markup:
    """A web address, printed as written and clickable in the PDF."""
    return Markup('<a class="nobr" href="%s">%s</a>') % (url, url)


def mail(address: str) -> Markup:
    """An e-mail address, printed as written and clickable in the PDF."""
    return Markup('<a class="nobr" href="mailto:%s">%s</a>') % (address, address)


# Document titles, marked for extraction here (the templates receive them translated).
def _(message: str) -> str:
    return message


_TITLES = {
    "notice": _("Mentions légales"),
    "register": _("Registre des traitements de données à caractère personnel"),
}

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)

# Elements whose text is never isolated: already isolated, or not visible text.
_SKIP_CLASSES = {"ltr", "value"}


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
        span = etree.Element("span", {"class": "ltr", "dir": "ltr"})
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
