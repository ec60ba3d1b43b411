"""Document content: the templates turn data and catalogs into one semantic HTML tree per
document and language, which every renderer (PDF, DOCX) then lays out.

The tree uses a small vocabulary (``h1``–``h3``, ``p``, ``ul``/``li``, ``table``, ``strong``,
``a``, ``span.ltr`` for isolated left-to-right tokens, ``span.value`` for user values,
``header``/``footer`` for page furniture with ``span.page``/``span.pages`` counters,
``svg.qr`` for a QR code whose ``data-url`` attribute holds what it encodes), so that the PDF
and the DOCX say the same thing. Forms add ``section.part`` (a numbered part with an
``h2``), ``label`` (the visible name of a field), ``input`` (``type="text"`` or
``"checkbox"``, with a stable ``name``: see `forms`), ``textarea`` and ``div.signature`` (a
box for a handwritten signature).

Every value from the data is escaped (autoescaping) and cleaned of bidi controls: a name or
code goes through `value` (first-strong isolate), a data sentence through `t` (its placeholders
isolated; an untranslated one isolated in its own script's direction), so that no value can
reorder its surroundings.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
from lxml import etree
from markupsafe import Markup, escape

from . import assets, bidi, bilingual, catalogs, forms, model, qr
from .bilingual import BILINGUAL
from .branches import Branch
from .errors import RenderError
from .model import LANGUAGES, LegalData
from .person import Person
from .templatecache import TemplateCache

FORM_KINDS: tuple[str, ...] = ("rights-request", "marketing-consent")
"""The documents that are forms: fillable, and pre-filled from a `Person` on request."""

KINDS: tuple[str, ...] = ("notice", "register", *FORM_KINDS, "poster")
"""The documents this library knows."""

BRANCH_KINDS: frozenset[str] = frozenset({"notice", "poster"})
"""The kinds that print a branch block when given a branch."""

PAPERS: dict[str, tuple[str, ...]] = {kind: ("A4",) for kind in KINDS} | {"poster": ("A3", "A4")}
"""The paper sizes each kind is laid out for, its default first."""

FILLABLE_KINDS: frozenset[str] = frozenset(FORM_KINDS)
"""The kinds whose PDF carries form fields for the reader to fill: PDF/A forbids such
viewer-drawn fields, so they are never rendered as PDF/A."""

EDITIONS: tuple[str, ...] = (*LANGUAGES, BILINGUAL)
"""The languages a document is rendered in: each language alone, or French and Arabic side by
side (`bilingual`)."""

DIRECTIONS = {"fr": "ltr", "ar": "rtl", BILINGUAL: "ltr"}


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
    paper: str = "A4"

    @property
    def direction(self) -> str:
        return DIRECTIONS[self.lang]

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages of the text: one, or French and Arabic for the bilingual edition."""
        return bilingual.SIDES if self.lang == BILINGUAL else (self.lang,)

    @property
    def is_form(self) -> bool:
        """Whether the document is a form (rendered with fillable fields)."""
        return self.kind in FORM_KINDS

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
        raise RenderError(f"unknown language {lang!r} (choose from {', '.join(EDITIONS)})")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(assets.templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=TemplateCache(),  # compiled once per machine, not once per process
    )
    env.install_gettext_translations(catalogs.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["longdate"] = lambda value: catalogs.format_long_date(value, lang)
    env.filters["nobr"] = nobr
    env.filters["dayname"] = lambda day: catalogs.day_name(day, lang)
    env.filters["hhmm"] = lambda value: value.strftime("%H:%M")
    env.globals.update(link=link, mail=mail, qr=qr.svg, value=value)
    env.globals.update(
        operation_field=forms.operation_field,
        operation_groups=forms.operation_groups,
        balanced_columns=forms.balanced_columns,
    )
    env.globals.update(lang=lang, dir=DIRECTIONS[lang], Markup=Markup)
    return env


def build(
    data: LegalData,
    kind: str,
    lang: str,
    *,
    branch: Branch | None = None,
    paper: str | None = None,
    context: Mapping[str, Any] | None = None,
    person: Person | None = None,
) -> Document:
    """Build the content of a document: template, catalog, then bidi isolation.

    `branch` adds the agency's block (name, address, hours) to the kinds of `BRANCH_KINDS`;
    `person` pre-fills the identity of a form (`FORM_KINDS`) with page text;
    `paper` is one of the kind's `PAPERS` (None: its default).
    `lang` is one of `EDITIONS`: ``fr+ar`` composes the French and the Arabic document.
    """
    if lang == BILINGUAL:
        sides = [
            build(data, kind, side, branch=branch, paper=paper, context=context, person=person)
            for side in bilingual.SIDES
        ]
        return _compose(*sides)
    if kind not in KINDS:
        raise RenderError(f"unknown document kind {kind!r} (choose from {', '.join(KINDS)})")
    if branch is not None and kind not in BRANCH_KINDS:
        known = ", ".join(sorted(BRANCH_KINDS))
        raise RenderError(f"the {kind} has no branch block (only: {known})")
    if person and kind not in FORM_KINDS:
        raise RenderError(
            f"only forms are pre-filled ({', '.join(FORM_KINDS)}), not the {kind} document"
        )
    paper = paper_of(kind, paper)
    env = environment(lang)
    plain = data.placeholders(lang)
    ph: dict[str, Any] = {name: value(text) for name, text in plain.items()}
    ph.update(website=link(data.body.website), phone=nobr(data.body.phone))
    gettext = catalogs.translations(lang).gettext

    def t(message: str, **extra: Any) -> Markup:
        """Translate a data string, escape it and fill its placeholders (escaped and isolated
        too). A translation is in the direction of its document; a string the catalog lacks
        is printed as written, isolated in the direction of its own script. (A translation is
        not wrapped in an isolate of its own: a paragraph-long isolate breaks LibreOffice's
        line layout. So its bidi controls are removed here, not only when the data is loaded:
        data built in code would otherwise reorder the text after it.)"""
        message = bidi.clean_value(message)
        if not message:  # gettext("") is the catalog's header
            return Markup()
        translated = gettext(message)
        text = escape(translated) % {**ph, **extra}
        if translated == message and lang != catalogs.SOURCE_LANGUAGE:
            return _isolated(text, bidi.direction(_PLACEHOLDER.sub("", message)))
        return text

    title = gettext(_TITLES[kind])
    subject = bidi.clean_value(gettext(data.notice.title) % plain)
    meta = {
        "title": title,
        "author": bidi.clean_value(data.body.name[lang]),
        "subject": subject,
        "keywords": (bidi.clean_value(data.body.acronym), "CNDP", "09-08", subject),
    }
    template = env.get_template(f"{kind}.html")
    html = template.render(
        data=data,
        t=t,
        ph=ph,
        kind=kind,
        title=title,
        meta=meta,
        branch=branch,
        person=person or Person(),
        paper=paper,
        **dict(context or {}),
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
        paper=paper,
    )


def _compose(fr: Document, ar: Document) -> Document:
    """The bilingual document of a French and an Arabic one (see `bilingual`)."""
    join = bilingual.join
    keywords = tuple(dict.fromkeys([*fr.keywords, *ar.keywords]))
    root = bilingual.compose_tree(fr.root, ar.root)
    head = root.find("head")
    if head is not None:
        for el in head:
            if el.tag == "title":
                el.text = join(fr.title, ar.title)
        metas = {"author": join(fr.author, ar.author), "description": join(fr.subject, ar.subject),
                 "keywords": ", ".join(keywords)}  # fmt: skip
        for el in head.iter("meta"):
            if el.get("name") in metas:
                el.set("content", metas[el.get("name")])
    return Document(
        kind=fr.kind,
        lang=BILINGUAL,
        root=root,
        title=join(fr.title, ar.title),
        author=join(fr.author, ar.author),
        subject=join(fr.subject, ar.subject),
        keywords=keywords,
        created=fr.created,
        paper=fr.paper,
    )


def field_holding(
    data: LegalData,
    lang: str,
    texts: Sequence[str],
    person: Mapping[str, str] | None = None,
) -> str | None:
    """The data field (``notice.url``, ``body.name.ar``; ``person.KEY`` for a form's value)
    whose value does not fit, from the pieces of text a layout check found: `texts` holds the
    piece that runs out, then its neighbours. The field whose printed value holds the piece
    (the most specific one), else the longest value among the neighbours (what fills a band
    pushes out its own heading), else the longest value the piece holds whole; None if no
    piece comes from the data."""
    printed: list[tuple[str, str]] = []
    for side in bilingual.SIDES if lang == BILINGUAL else (lang,):
        gettext, plain = catalogs.translations(side).gettext, data.placeholders(side)
        for name, raw in model.printed_fields(data):
            printed.append((name, _comparable(raw)))
            try:
                printed.append((name, _comparable(gettext(raw) % plain if raw else raw)))
            except (KeyError, ValueError, TypeError):
                continue  # not a prose string with placeholders: printed as written
    printed += [(f"person.{key}", _comparable(str(v))) for key, v in (person or {}).items()]
    printed = [(name, value) for name, value in printed if len(value) >= 3]
    pieces = [p for p in map(_comparable, texts) if len(p) >= 3]
    if not pieces:
        return None
    piece, neighbours = pieces[0], pieces[1:]
    holding = [(len(v), name) for name, v in printed if piece in v]
    if holding:
        return min(holding)[1]
    around = [(len(v), name) for name, v in printed if any(p in v for p in neighbours)]
    if around:
        return max(around)[1]
    held = [(len(v), name) for name, v in printed if v in piece]
    return max(held)[1] if held else None


def _comparable(text: str) -> str:
    """Text as the eye compares it: NFC, no format characters, one kind of space."""
    return " ".join(bidi.clean_value(text).split())


def paper_of(kind: str, paper: str | None) -> str:
    """The paper a kind is laid out on: `paper` if the kind offers it, else its default."""
    offered = PAPERS[kind]
    if paper is None:
        return offered[0]
    if paper not in _ALL_PAPERS:
        raise RenderError(
            f"unknown paper size {paper!r} (choose from {', '.join(sorted(_ALL_PAPERS))})"
        )
    if paper not in offered:
        raise RenderError(f"the {kind} is laid out for {', '.join(offered)} paper only")
    return paper


def value(text: object, field: str | None = None) -> Markup:
    """A value from the data or a person's record, as printed: escaped, cleaned of bidi
    controls and isolated, so that it cannot reorder the text around it. `field` names the
    form field a person's value fills (``data-field``)."""
    clean = bidi.clean_value(str(text))
    # The direction of its first strong letter: a first-strong isolate says the same.
    return _isolated(escape(clean), bidi.direction(clean), field, opening=bidi.FSI)


def value_element(text: object, field: str, *, rtl: bool) -> etree._Element:
    """A person's value as `build` leaves it in a form (one language; `rtl`: right to left):
    the ``span.value`` of `value`, its Latin and numeric tokens isolated in a right-to-left
    form (French spacing never touches a value). What the forms' fast paths put into a form
    laid out once needs no more than this, not the whole form built again."""
    span = etree.fromstring(str(value(text, field)), _PARSER)
    if rtl:  # `build` isolates the tokens of right-to-left documents only
        _isolate_ltr_tokens(span, rtl=True)
    return span


def _isolated(
    content: Markup, direction: str, field: str | None = None, *, opening: str | None = None
) -> Markup:
    """Content in a ``span.value`` of `direction`, between isolate characters (`opening`, by
    default the isolate of `direction`, and PDI): the span keeps it one box for WeasyPrint
    (which orders inline boxes, not characters), the characters isolate it for Word,
    LibreOffice and text extraction."""
    attributes = Markup(' data-field="%s"') % field if field else Markup()
    return Markup('<span class="value" dir="%s"%s>%s%s%s</span>') % (
        direction,
        attributes,
        Markup(opening or bidi.ISOLATES[direction]),
        content,
        Markup(bidi.PDI),
    )


def nobr(text: object) -> Markup:
    """A token that must not break across lines: reference, phone number, address."""
    return Markup('<span class="nobr">%s</span>') % text


def link(url: str, *, short: bool = False) -> Markup:
    """A web address, clickable in the PDF, printed as written or, `short`, without its
    ``https://`` (as a poster prints it: browsers add it back)."""
    shown = url.split("://", 1)[1] if short and "://" in url else url
    return Markup('<a class="%s" href="%s">%s</a>') % (_address_class(url), url, shown)


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
    # Translators: the title of the legal notice; Moroccan administrations write الإشعار القانوني.
    "notice": _("Mentions légales"),
    "register": _("Registre des traitements de données à caractère personnel"),
    "rights-request": _("Demande d’exercice des droits d’accès, de rectification et d’opposition"),
    # Translators: the title may keep الموافقة; in the text, consentement is الرضى (art. 1).
    "marketing-consent": _("Consentement ou opposition à la prospection directe"),
    # Translators: the poster's title, addressed to every data subject (polite plural).
    "poster": _("Vos données personnelles"),
}

_ALL_PAPERS = frozenset(p for papers in PAPERS.values() for p in papers)

_PLACEHOLDER = re.compile(r"%\(\w+\)s")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)

# Elements whose text is never isolated again (a value's own tokens still are: an isolate
# nests inside the value's isolate and cannot leak out of it); the QR code is no text.
_SKIP_CLASSES = {"ltr", "qr"}


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
    _glue_into_next(elem)


def _glue_into_next(elem: etree._Element) -> None:
    """Move a no-break space that ends a text into the element that follows it ("n°" and its
    reference): WeasyPrint 70 mis-breaks a line where a no-break space meets the start of an
    inline element, cutting it at an earlier, far worse place ("Gestion" alone on a line)."""
    for node in elem.iter():
        children = list(node)
        texts = [(node, "text", children[0] if children else None)]
        texts += [(child, "tail", nxt) for child, nxt in itertools.pairwise(children)]
        for owner, attr, following in texts:
            value = getattr(owner, attr) or ""
            if following is None or not value.endswith("\u00a0"):
                continue
            if "value" in following.get("class", "").split():
                continue
            setattr(owner, attr, value[:-1])
            following.text = "\u00a0" + (following.text or "")


def _check_coverage(root: etree._Element) -> None:
    missing = assets.uncovered("".join(root.itertext()))
    if missing:
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in sorted(missing)[:5])
        raise RenderError(f"the document fonts cannot print some characters ({shown})")
