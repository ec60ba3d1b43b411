"""Language rules of the stylesheets, made to follow each element's own language.

The stylesheets are written for a page in one language: ``html[lang="ar"] h1 { … }``,
``html.poster[dir="rtl"] .sheet h2 { … }``. A bilingual page is French (``html lang="fr"``)
with Arabic cells (``lang="ar" dir="rtl"``), which such rules would miss. `rewrite` turns
each of them, as the stylesheets are loaded, into rules on the language of the element
itself, with the same specificity:

- ``html[lang="ar"] S { … }`` becomes ``html S:lang(ar) { … }``, S when its own text is
  Arabic, and ``html S [lang="ar"] { … }`` with the inherited properties only (font, line
  height, alignment…), for an Arabic cell inside S: it takes what it would inherit from an
  Arabic S (the size of a form's or a table's text), not S's own box (margins, borders);
- ``html[lang="ar"]`` alone becomes ``html:lang(ar)`` and ``html [lang="ar"]``;
- ``[dir="rtl"]`` stands for Arabic, ``[dir="ltr"]`` for French (the only languages).

On a page in one language the rewritten rules select exactly what the written ones did (no
element but ``html`` has a ``lang``), so these pages are unchanged.
"""

from __future__ import annotations

import re

import tinycss2

_LANG_OF_DIR = {"rtl": "ar", "ltr": "fr"}
_PAGE_RULE = re.compile(
    r"""^html(?P<before>(?:\.[\w-]+)*)\[(?P<attr>lang|dir)="(?P<value>[\w-]+)"\]
        (?P<after>(?:\.[\w-]+)*)(?P<rest>(?:\s.*)?)$""",
    re.VERBOSE | re.DOTALL,
)


# The properties an element passes on to its descendants, among those the stylesheets set.
INHERITED = frozenset(
    {"color", "direction", "font", "font-family", "font-size", "font-style", "font-weight",
     "hyphens", "letter-spacing", "line-height", "orphans", "overflow-wrap", "text-align",
     "white-space", "widows", "word-spacing"}
)  # fmt: skip


def rewrite(css: str) -> str:
    """The stylesheet with every page-language rule rewritten (see the module)."""
    out = []
    for node in tinycss2.parse_stylesheet(css, skip_comments=False, skip_whitespace=False):
        if node.type != "qualified-rule":
            out.append(node.serialize())
            continue
        rewritten = [rewrite_selector(s) for s in _split(node.prelude)]
        body = tinycss2.serialize(node.content)
        out.append(", ".join(own for own, _ in rewritten) + " {" + body + "}")
        cells = [cell for _, cell in rewritten if cell]
        inherited = _inherited(node.content)
        if cells and inherited:
            out.append("\n" + ", ".join(cells) + " { " + inherited + " }")
    return "".join(out)


def rewrite_selector(selector: str) -> tuple[str, str | None]:
    """A selector on the element's own language, and the selector of the cells in that
    language inside it (None if the selector does not test the page's language)."""
    selector = " ".join(selector.split())
    match = _PAGE_RULE.match(selector)
    if match is None:
        return selector, None
    value = match["value"]
    lang = _LANG_OF_DIR.get(value, value) if match["attr"] == "dir" else value
    html = f"html{match['before']}{match['after']}"
    subject, pseudo, element = match["rest"].strip().partition("::")  # ::before stays last
    if not subject:
        return f"{html}:lang({lang})", f'{html} [lang="{lang}"]'
    return (
        f"{html} {subject}:lang({lang}){pseudo}{element}",
        f'{html} {subject} [lang="{lang}"]{pseudo}{element}',
    )


def _inherited(content: list[tinycss2.ast.Node]) -> str:
    """The inherited declarations of a rule's block."""
    declarations = tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
    return " ".join(
        f"{d.name}: {tinycss2.serialize(d.value).strip()}{' !important' if d.important else ''};"
        for d in declarations
        if d.type == "declaration" and d.lower_name in INHERITED
    )


def _split(prelude: list[tinycss2.ast.Node]) -> list[str]:
    """A rule's selectors: its prelude cut at the commas outside brackets."""
    parts: list[list[tinycss2.ast.Node]] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return [tinycss2.serialize(part).strip() for part in parts]
