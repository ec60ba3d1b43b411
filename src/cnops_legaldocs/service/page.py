"""The agency page at ``/``: rendered on the server by the documents' Jinja environment and
catalogs, in French or Arabic, usable without JavaScript. Staff pick an agency, a document, its
language and paper, see its pages (previews), download or print it; at the counter they fill a
form for an assuré and get the pre-filled PDF. Nothing typed is stored or logged: the values go
to a worker, come back inside the PDF, and are forgotten with the request."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import assets, bidi, catalogs, documents
from ..batch import PERSON_REQUIRED
from ..bilingual import BILINGUAL, file_tag
from ..errors import DataError
from ..model import LANGUAGES
from ..person import FIELDS, LIMITS, Person
from .problems import Problem

if TYPE_CHECKING:
    from .app import Service


def _(message: str) -> str:
    return message


PREVIEW_DPI = 60
"""Resolution of the page previews (an A4 page is 497×702 pixels)."""

PAGE_LANGUAGES = (("fr", "Français"), ("ar", "العربية"))
"""The page's languages, each named in itself (the switch)."""

_EDITIONS = {"fr": _("Français"), "ar": _("Arabe"), BILINGUAL: _("Bilingue (français et arabe)")}
_LABELS = {
    "nom": _("Nom"),
    "prenom": _("Prénom"),
    "cin": _("N° de la CIN"),
    "immatriculation": _("N° d’immatriculation"),
    "adresse": _("Adresse"),
    "telephone": _("Téléphone"),
    "email": _("E-mail"),
}
_INVALID = {
    "cin": _("Numéro de CIN invalide : une ou deux lettres puis des chiffres (ex. AB123456)."),
    "immatriculation": _(
        "Numéro d’immatriculation invalide : lettres et chiffres (ex. 123456789)."
    ),
    "telephone": _("Numéro de téléphone invalide (ex. 05 37 00 00 00)."),
    "email": _("Adresse e-mail invalide (ex. nom@exemple.ma)."),
}
_REQUIRED = _("Ce champ est obligatoire.")
_TOO_LONG = _("Trop long : %(limit)s caractères au plus.")
_UNPRINTABLE = _("Contient des caractères que les polices du document ne peuvent pas imprimer.")
_INPUT_TYPES = {"email": "email", "telephone": "tel"}


def _service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


def _page_lang(value: str | None) -> str:
    return value if value in LANGUAGES else "fr"


def field_errors(values: dict[str, str], lang: str) -> dict[str, str]:
    """Each field's error in the page's language (the library's checks, `Person`)."""
    gettext = catalogs.translations(lang).gettext
    errors: dict[str, str] = {}
    for name in FIELDS:
        value = values.get(name, "")
        if not value.strip():
            if name in PERSON_REQUIRED:
                errors[name] = gettext(_REQUIRED)
            continue
        try:
            Person.from_mapping({name: value})
        except DataError as exc:
            if exc.message.startswith("longer than"):
                errors[name] = gettext(_TOO_LONG) % {"limit": LIMITS[name]}
            elif exc.message.startswith("has characters"):
                errors[name] = gettext(_UNPRINTABLE)
            else:
                errors[name] = gettext(_INVALID.get(name, _UNPRINTABLE))
    if lang == "ar":  # examples (AB123456) in left-to-right isolates, as in the documents
        errors = {name: bidi.isolate_ltr(message) for name, message in errors.items()}
    return errors


def _page(
    request: Request,
    lang: str,
    *,
    selected: dict[str, Any],
    previews: list[str],
    filled: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    service = _service(request)
    env = documents.environment(lang)
    gettext = catalogs.translations(lang).gettext
    kinds = [{"id": k, "title": gettext(documents._TITLES[k])} for k in documents.KINDS]
    query = {k: v for k, v in selected.items() if k in ("kind", "edition", "paper", "branch") and v}
    links = {}
    if previews:
        doc = {
            "lang": selected["edition"],
            "paper": selected["paper"],
            "branch": selected["branch"],
        }
        doc = {k: v for k, v in doc.items() if v}
        base = f"/v1/documents/{selected['kind']}"
        links = {
            "pdf": f"{base}.pdf?{urlencode(doc)}",
            "docx": f"{base}.docx?{urlencode(doc)}",
            "print": f"{base}.pdf?{urlencode({**doc, 'disposition': 'inline'})}",
        }
    html = env.get_template("service/page.html").render(
        body=service.data.body.name[lang],
        page_languages=PAGE_LANGUAGES,
        switch={code: "/?" + urlencode({"lang": code, **query}) for code, _ in PAGE_LANGUAGES},
        branches=[{"id": b.id, "name": b.name[lang]} for b in service.branches.values()],
        kinds=kinds,
        form_kinds=[k for k in kinds if k["id"] in documents.FORM_KINDS],
        editions=[(code, gettext(name)) for code, name in _EDITIONS.items()],
        papers=documents.PAPERS[selected["kind"]],
        selected=selected,
        previews=previews,
        image_width=math.ceil(210 / 25.4 * PREVIEW_DPI) if previews else 0,
        links=links,
        notice=None,
        fields=FIELDS,
        labels={name: gettext(label) for name, label in _LABELS.items()},
        required=PERSON_REQUIRED,
        limits=LIMITS,
        input_types=_INPUT_TYPES,
        filled=filled,
        errors=errors,
        first_error=next(iter(errors), None),
    )
    return HTMLResponse(html, status, headers={"Cache-Control": "no-store"})


async def home(request: Request) -> Response:
    """The page: the chosen document's previews when one is chosen (``?kind=``)."""
    from .app import edition, options, pages, query

    params = query(request, ("lang", "kind", "edition", "paper", "branch"))
    lang = _page_lang(params.get("lang"))
    kind = params.get("kind")
    if kind is not None and kind not in documents.KINDS:
        raise Problem(400, "unknown document kind", field="kind")
    selected: dict[str, Any] = {
        "kind": kind or "notice",
        "edition": edition(params.get("edition"), lang),
        "paper": (params.get("paper") or documents.PAPERS[kind or "notice"][0]).upper(),
        "branch": params.get("branch") or "",
    }
    gettext = catalogs.translations(lang).gettext
    selected["title"] = gettext(documents._TITLES[selected["kind"]])
    previews: list[str] = []
    if kind is not None:
        if selected["branch"] and kind not in documents.BRANCH_KINDS:
            selected["branch"] = ""  # a form or the register has no agency block
        service = _service(request)
        opts = options(
            service,
            kind,
            "pdf",
            {k: selected[k] for k in ("paper", "branch") if selected[k]}
            | {"lang": selected["edition"]},
        )
        images = await pages(service, opts)
        doc = {"lang": opts.lang, "paper": opts.paper, "branch": opts.branch}
        q = urlencode({k: v for k, v in doc.items() if v})
        previews = [f"/v1/previews/{kind}-p{n}.png?{q}" for n in range(1, len(images) + 1)]
    return _page(request, lang, selected=selected, previews=previews, filled={}, errors={})


async def counter(request: Request) -> Response:
    """The counter form: errors beside their fields (422), or the pre-filled PDF."""
    from . import worker
    from .app import MEDIA_TYPES, attachment, edition

    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise Problem(415, "send the form as application/x-www-form-urlencoded")
    async with request.form(max_files=0, max_fields=20) as form:
        raw = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    lang = _page_lang(raw.get("lang"))
    kind = raw.get("form", "")
    if kind not in documents.FORM_KINDS:
        raise Problem(400, "unknown form", field="form")
    doc_lang = edition(raw.get("edition"), lang)
    values = {name: raw.get(name, "") for name in FIELDS}
    errors = field_errors(values, lang)
    if errors:
        selected = {
            "kind": "notice",
            "edition": lang,
            "paper": "A4",
            "branch": "",
            "title": "",
        }
        filled = {**values, "form": kind, "edition": doc_lang}
        return _page(
            request, lang, selected=selected, previews=[], filled=filled, errors=errors, status=422
        )
    person = dict(Person.from_mapping(values).values)
    content = await _service(request).pool.run(worker.form, kind, doc_lang, "pdf", person)
    return Response(
        content,
        media_type=MEDIA_TYPES["pdf"],
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": attachment(f"{kind}-{file_tag(doc_lang)}.pdf"),
        },
    )


@cache
def _fonts() -> dict[str, Path]:
    """The documents' fonts the page uses, by the file name it serves them under."""
    out: dict[str, Path] = {}
    for face in assets.fonts():
        if face.family == assets.FIELD_FAMILY:
            continue
        slug = face.family.lower().replace(" ", "-")
        out[f"{slug}-{face.weight or 'variable'}-{face.style}{face.path.suffix}"] = face.path
    return out


@cache
def _stylesheet() -> bytes:
    rules = []
    for name, path in _fonts().items():
        face = next(f for f in assets.fonts() if f.path == path)
        weight = face.weight or "{} {}".format(*(face.weight_range or (400, 700)))
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; src: url("/static/fonts/{name}"); '
            f"font-weight: {weight}; font-style: {face.style}; font-display: swap; }}"
        )
    css = (assets.templates_dir() / "service" / "page.css").read_text(encoding="utf-8")
    return ("\n".join(rules) + "\n" + css).encode()


async def static(request: Request) -> Response:
    """The page's stylesheet and fonts, served by the application itself."""
    name = request.path_params["name"]
    headers = {"Cache-Control": "public, max-age=86400"}
    if name == "page.css":
        return Response(_stylesheet(), media_type="text/css", headers=headers)
    raise Problem(404, "no such file")


async def font(request: Request) -> Response:
    path = _fonts().get(request.path_params["name"])
    if path is None:
        raise Problem(404, "no such font")
    media = "font/otf" if path.suffix == ".otf" else "font/ttf"
    return Response(
        path.read_bytes(), media_type=media, headers={"Cache-Control": "public, max-age=86400"}
    )
