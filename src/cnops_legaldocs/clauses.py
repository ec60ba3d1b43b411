"""The information clause of law 09-08 (article 5) for each processing operation.

Every place that collects personal data (a web form, a mobile screen, a paper form) must tell
the person who the controller is, what the processing is for, who receives the data, which
rights they have and where to exercise them, and, in CNDP practice, the authorisation or
declaration that covers it. `clause` gives that text for one operation of the register.

The words come from the catalogs (``templates/clause.html``) and the data, through the same
Jinja environment and the same bidi isolation as the documents (`documents`): one tree per
language, from which every format is derived, so the five formats say exactly the same thing.
``fr+ar`` is the French clause followed by the Arabic one.

- ``txt``: UTF-8 text, one paragraph per line, blank lines between parts. Arabic keeps its
  LTR isolates (U+2066 … U+2069) around Latin and numeric tokens, values their first-strong
  isolates, so that a reference or a phone number reads the same wherever the text is pasted.
- ``md``: CommonMark; the Arabic clause sits in ``<div lang="ar" dir="rtl">`` (blank lines
  around its Markdown, so that it is still parsed as Markdown).
- ``html``: a fragment (``<section lang dir>`` per language) of ``h2``, ``h3``, ``p``, ``a``,
  ``span`` and ``strong`` only, with no attribute but ``lang``, ``dir`` and the links'
  ``href`` (``https:`` or ``mailto:``): no script, style or handler, safe to include. A
  reference or phone number stays on one line without a class: no-break spaces, and a word
  joiner (U+2060) after each hyphen and slash (as the DOCX does after hyphens).
- ``pdf``: one A5 page (PDF/A-3u, like the printed documents). ``docx``: styled paragraphs.

Every format is returned as bytes (text formats in UTF-8, without BOM), like `api.render`.
The short clause is at most `SHORT_LIMIT` characters of text (isolates not counted).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree
from markupsafe import Markup, escape

from . import bidi, catalogs, documents
from .bilingual import BILINGUAL, SIDES
from .documents import DIRECTIONS, Document
from .errors import LayoutError, RenderError
from .model import LANGUAGES, LegalData, Operation

FORMATS: tuple[str, ...] = ("txt", "html", "md", "pdf", "docx")
"""The formats a clause is given in."""

LENGTHS: tuple[str, ...] = ("short", "full")
"""``short``: one paragraph to sit under a form; ``full``: headed parts, for a notice page."""

SHORT_LIMIT = 700
"""The most characters a short clause may have (in each language), isolates not counted."""

MEDIA_TYPES: dict[str, str] = {
    "txt": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
"""The media type of each format (for a web service's Content-Type)."""


def _(message: str) -> str:
    """Marks a message for extraction (the template receives it translated)."""
    return message


_TITLE = _("Information sur le traitement de vos données à caractère personnel")


class UnknownOperation(RenderError):
    """No operation of the register has the reference or id asked for; `matches` are the
    closest references (perhaps none)."""

    def __init__(self, matches: list[str]) -> None:
        self.matches = matches
        hint = f"; close matches: {', '.join(matches)}" if matches else ""
        super().__init__(
            "unknown operation: give a CNDP reference of the register (such as A-GA-104/2016) "
            f"or an operation id (such as a-ga-104-2016){hint}"
        )


def operation_id(op: Operation) -> str:
    """An operation's id: its reference in lower case with ``-`` for ``/`` (``a-ga-104-2016``),
    stable across editions and safe in a URL path and a file name."""
    return str(op.reference).replace("/", "-").lower()


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", text.strip().lower()).strip("-")


def find_operation(data: LegalData, operation: str) -> Operation:
    """The operation of `data` with this CNDP reference or id (case and ``/``/``-`` ignored);
    `UnknownOperation` naming the close matches otherwise."""
    key = _key(operation)
    by_key = {_key(str(op.reference)): op for op in data.operations}
    if key in by_key:
        return by_key[key]
    close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.6)
    raise UnknownOperation([str(by_key[k].reference) for k in close])


def clause(
    data: LegalData, operation: str, lang: str, fmt: str = "txt", *, length: str = "short"
) -> bytes:
    """The information clause of one operation (a CNDP reference such as ``A-GA-104/2016`` or
    an id such as ``a-ga-104-2016``), in `lang` (``fr``, ``ar`` or ``fr+ar``: French then
    Arabic) and `fmt` (one of `FORMATS`), `length` ``short`` or ``full``; the file's bytes.

    Raises `UnknownOperation` (a `RenderError`) for a reference the register lacks, and
    `RenderError` for a short clause longer than `SHORT_LIMIT` (data with long titles).
    """
    if fmt not in FORMATS:
        raise RenderError(f"unknown clause format {fmt!r} (choose from {', '.join(FORMATS)})")
    if length not in LENGTHS:
        raise RenderError(f"unknown clause length {length!r} (choose from {', '.join(LENGTHS)})")
    if lang not in documents.EDITIONS:
        raise RenderError(
            f"unknown language {lang!r} (choose from {', '.join(documents.EDITIONS)})"
        )
    op = find_operation(data, operation)
    sections = [section(data, op, side, length) for side in _sides(lang)]
    if length == "short":
        for s in sections:
            size = text_length(to_text(s))
            if size > SHORT_LIMIT:
                raise RenderError(
                    f"the short clause of {op.reference} ({s.get('lang')}) has {size} "
                    f"characters, more than {SHORT_LIMIT}: shorten the operation's title or "
                    "its contact, or use the full clause"
                )
    if fmt == "txt":
        return ("\n\n".join(to_text(s) for s in sections) + "\n").encode()
    if fmt == "md":
        return ("\n\n".join(to_markdown(s) for s in sections) + "\n").encode()
    if fmt == "html":
        return ("\n".join(to_html(s) for s in sections) + "\n").encode()
    document = page(data, sections, lang)
    if fmt == "pdf":
        try:
            return _pdf(document)
        except LayoutError as exc:
            raise exc.naming(documents.field_holding(data, lang, exc.texts), data.source) from None
    from .renderers import docx

    # The DOCX writer takes a paragraph's language from the paragraph itself (as in a cell of
    # the bilingual edition), and lays it out by the page and styles of a kind it knows.
    for sec in document.root.iter("section"):
        for el in sec:
            el.set("lang", sec.get("lang", ""))
            el.set("dir", sec.get("dir", ""))
    return docx.render(dataclasses.replace(document, kind="notice"))


def _sides(lang: str) -> tuple[str, ...]:
    return SIDES if lang == BILINGUAL else (lang,)


# --------------------------------------------------------------------------------------------
# The tree


def section(data: LegalData, op: Operation, lang: str, length: str = "short") -> etree._Element:
    """The clause in one language as a ``section`` element (`lang`, `dir`), its Latin and
    numeric tokens isolated in Arabic, French spacing in French (as in the documents)."""
    if lang not in LANGUAGES:
        raise RenderError(f"unknown language {lang!r} (choose from {', '.join(LANGUAGES)})")
    env = documents.environment(lang)
    plain = data.placeholders(lang)
    ph: dict[str, Any] = {name: documents.value(text) for name, text in plain.items()}
    ph.update(website=documents.link(data.body.website), phone=documents.nobr(data.body.phone))
    gettext = catalogs.translations(lang).gettext

    def t(message: str) -> Markup:
        """A data string translated, escaped, its placeholders filled (as `documents.build`)."""
        message = bidi.clean_value(message)
        translated = gettext(message)
        text = escape(translated) % ph
        if translated == message and lang != catalogs.SOURCE_LANGUAGE:
            return documents.value(translated % plain)
        return text

    html = env.get_template("clause.html").render(
        data=data, op=op, t=t, ph=ph, length=length, title=gettext(_TITLE)
    )
    root = etree.fromstring(html.strip(), documents._PARSER)
    if DIRECTIONS[lang] == "rtl":
        documents._isolate_ltr_tokens(root, rtl=True)
    else:
        documents._french_spacing(root)
    documents._check_coverage(root)
    return root


def page(data: LegalData, sections: list[etree._Element], lang: str) -> Document:
    """The sections as one page (A5) for the PDF and DOCX renderers."""
    first = _sides(lang)[0]
    gettext = catalogs.translations(first).gettext
    title = _joined(lang, lambda side: catalogs.translations(side).gettext(_TITLE))
    author = _joined(lang, lambda side: bidi.clean_value(data.body.name[side]))
    subject = str(sections[0].findtext(".//h2") or gettext(_TITLE))
    root = etree.Element("html", lang=first, dir=DIRECTIONS[first])
    root.set("class", "clause paper-a5")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "meta", charset="utf-8")
    etree.SubElement(head, "title").text = title
    date = f"{data.notice.effective_date.isoformat()}T00:00:00Z"
    for name, content in (("author", author), ("description", title),
                          ("dcterms.created", date), ("dcterms.modified", date)):  # fmt: skip
        etree.SubElement(head, "meta", name=name, content=content)
    body = etree.SubElement(root, "body")
    body.set("class", "clause")
    for s in sections:
        body.append(_copy(s))
    return Document(
        kind="clause",
        lang=lang,
        root=root,
        title=title,
        author=author,
        subject=subject,
        keywords=(bidi.clean_value(data.body.acronym), "CNDP", "09-08"),
        created=data.notice.effective_date,
        paper="A5",
    )


def _joined(lang: str, of: Callable[[str], str]) -> str:
    """A metadata value in each language of the edition, French first."""
    return " / ".join(of(side) for side in _sides(lang))


def _copy(el: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(el))


_PDF_CSS = """
@page clause { size: A5; margin: 12mm 12mm 12mm 12mm;
  @top-center { content: none; } @bottom-center { content: none; } }
body.clause { page: clause; }
section.clause + section.clause { margin-top: 8mm; padding-top: 4mm; border-top: 0.5pt solid #999; }
section.clause h2 { margin-top: 0; font-size: 12pt; }
section.clause h3 { font-size: 10.5pt; margin: 3mm 0 1mm; }
section.clause p { margin: 0 0 1.5mm; }
"""


def _pdf(document: Document) -> bytes:
    from .api import ARCHIVAL_VARIANT
    from .renderers import pdf

    laid_out = pdf.lay_out(
        document.html(), variant=ARCHIVAL_VARIANT, extra=[pdf.stylesheet(_PDF_CSS)]
    )
    pdf._check_fits(laid_out, document)
    return pdf.write(
        laid_out,
        variant=ARCHIVAL_VARIANT,
        created=document.created,
        languages=document.languages,
    )


# --------------------------------------------------------------------------------------------
# Text formats, from the tree


_WS = re.compile(r"[ \t\r\n]+")


def _blocks(sec: etree._Element) -> Iterator[etree._Element]:
    yield from (el for el in sec if el.tag in ("h2", "h3", "p"))


def _plain(el: etree._Element) -> str:
    return _WS.sub(" ", "".join(el.itertext())).strip()


def to_text(sec: etree._Element) -> str:
    """A section as plain text: headings and paragraphs, each on its line."""
    out: list[str] = []
    previous = ""
    for el in _blocks(sec):
        if out and previous != "h3":
            out.append("")
        out.append(_plain(el))
        previous = el.tag
    return "\n".join(out)


def text_length(text: str) -> int:
    """Characters of a clause as a reader counts them: bidi isolates left out."""
    return len(bidi.strip_controls(text))


# Characters that start CommonMark (or GFM) inline markup anywhere, escaped with a backslash;
# what starts a block only at the start of a line (``#``, ``-``, ``1.``) is escaped there.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_MD_LINE_START = re.compile(r"^([#=+-]|[0-9]+(?=[.)]))")


def _md_inline(el: etree._Element) -> str:
    out = [_md_escape(el.text or "")]
    for child in el:
        if child.tag == "a":
            href = child.get("href", "")
            target = href.removeprefix("mailto:")
            out.append(f"<{target}>")
        else:
            out.append(_md_inline(child))
        out.append(_md_escape(child.tail or ""))
    text = _WS.sub(" ", "".join(out)).strip()
    return _MD_LINE_START.sub(lambda m: "\\" + m.group() if m.group()[0] in "#=+-" else
                              m.group() + "\\", text)  # fmt: skip


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(sec: etree._Element) -> str:
    """A section as CommonMark: ``##``/``###`` headings, paragraphs, autolinks; Arabic inside
    a ``div`` with ``lang`` and ``dir``."""
    lines: list[str] = []
    for el in _blocks(sec):
        prefix = {"h2": "## ", "h3": "### "}.get(el.tag, "")
        lines += [prefix + _md_inline(el), ""]
    body = "\n".join(lines).rstrip("\n")
    lang, direction = sec.get("lang"), sec.get("dir")
    if direction == "rtl":
        return f'<div lang="{lang}" dir="{direction}">\n\n{body}\n\n</div>'
    return body


_HTML_KEEP = {"section": ("lang", "dir"), "span": ("dir",), "a": ("href",)}
_HTML_TAGS = frozenset({"section", "h2", "h3", "p", "a", "span", "strong"})


def to_html(sec: etree._Element) -> str:
    """A section as a safe HTML fragment: known tags only, no attribute but ``lang``, ``dir``
    and ``href`` (the data's validated ``https:`` and ``mailto:`` addresses)."""
    copy = _copy(sec)
    for el in copy.iter():
        if "nobr" in el.get("class", "").split():
            # Kept on one line without a class the host page would have to know: no-break
            # spaces, and a word joiner after each hyphen and slash.
            for node in el.iter():
                if node.text:
                    node.text = re.sub(
                        r"([-/])(?=.)", "\\1\u2060", node.text.replace(" ", "\u00a0")
                    )
        if el.tag not in _HTML_TAGS:
            raise RenderError(f"the clause holds an unexpected element <{el.tag}>")
        keep = _HTML_KEEP.get(el.tag, ())
        for name in list(el.attrib):
            if name not in keep:
                del el.attrib[name]
        href = el.get("href")
        if href is not None and not href.startswith(("https://", "http://", "mailto:")):
            del el.attrib["href"]
    return etree.tostring(copy, encoding="unicode", method="html").strip()


__all__ = ["FORMATS", "LENGTHS", "MEDIA_TYPES", "SHORT_LIMIT", "UnknownOperation", "clause"]
