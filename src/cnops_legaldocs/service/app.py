"""The ASGI application: the API under ``/v1``, health, version, OpenAPI, the agency page."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import api, catalogs, clauses, documents, opendata
from ..bilingual import BILINGUAL, file_tag
from ..branches import Branch, load_branches
from ..errors import DataError, LegalDocsError
from ..model import LegalData, load
from ..person import Person
from . import page, worker
from .cache import DocumentCache, base_digest, etag
from .hot import HotDocuments
from .middleware import Guard, request_id
from .openapi import docs_page, spec
from .pool import PoolSettings, RenderPool
from .problems import Problem

log = logging.getLogger("cnops_legaldocs.service")

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
PREVIEW_DPI = page.PREVIEW_DPI


@dataclass(frozen=True)
class Settings:
    """How the service runs; `cnops-legaldocs serve` sets them from its options."""

    workers: int = 2
    data: str | None = None  # notice data file (None: the embedded notice)
    branches: str | None = None  # agencies file (None: no agency to pick)
    queue: int = 16  # renders admitted beyond one per worker; more answer 503
    timeout: float = 30.0  # seconds per render before 504
    max_body: int = 16 * 1024  # bytes of a request body
    body_timeout: float = 10.0  # seconds to receive a request body (a slow client: 408)
    cache_bytes: int = 128 * 2**20  # rendered documents kept
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Service:
    """The state the routes share: data, branches, the pool and the cache."""

    settings: Settings
    data: LegalData
    branches: dict[str, Branch]
    pool: RenderPool
    cache: DocumentCache
    digest: str
    hot: HotDocuments


def create_app(settings: Settings | None = None) -> Guard:
    """The application (an ASGI callable). Loading the data and branches happens here, so that
    bad input stops before the server listens; the workers start with the server."""
    settings = settings or Settings()
    data = load(Path(settings.data)) if settings.data else load()
    branches = {b.id: b for b in load_branches(settings.branches)} if settings.branches else {}
    pool = RenderPool(
        PoolSettings(
            settings.workers, settings.queue, settings.timeout, settings.data, settings.branches
        )
    )
    cache = DocumentCache(settings.cache_bytes)
    hot = HotDocuments(cache)
    service = Service(
        settings, data, branches, pool, cache, base_digest(settings.data, settings.branches), hot
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        starting = asyncio.create_task(_start(pool))
        yield
        starting.cancel()
        await asyncio.to_thread(pool.shutdown)

    routes = [
        Route("/", page.home, methods=["GET"]),
        Route("/counter", page.counter, methods=["POST"]),
        Route("/static/{name}", page.static, methods=["GET"]),
        Route("/static/fonts/{name}", page.font, methods=["GET"]),
        Route("/v1/kinds", kinds, methods=["GET"]),
        Route("/v1/branches", branches_route, methods=["GET"]),
        Route("/v1/documents/{name}", document, methods=["GET"]),
        Route("/v1/previews/{name}", preview, methods=["GET"]),
        Route("/v1/forms/{name}", form, methods=["POST"]),
        Route("/v1/register.{fmt}", register, methods=["GET"]),
        Route("/v1/clauses/{name:path}", clause, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/version", version_route, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/docs", docs, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            Problem: _problem,
            LegalDocsError: _library_error,
            404: _not_found,
            405: _not_allowed,
        },
    )
    app.state.service = service
    return Guard(app, max_body=settings.max_body, body_timeout=settings.body_timeout, hot=hot)


async def _start(pool: RenderPool) -> None:
    try:
        pids = await pool.start()
        log.info(json.dumps({"event": "workers ready", "pids": pids}))
    except Exception:
        log.exception("render workers failed to start")


def service_of(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


# --- errors ---------------------------------------------------------------------------------


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return exc.response(request_id(request.scope))


async def _library_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LegalDocsError)
    return Problem.of(exc).response(request_id(request.scope))


async def _not_found(request: Request, exc: Exception) -> Response:
    return Problem(404, "no such resource").response(request_id(request.scope))


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return Problem(405, f"{request.method} is not allowed here").response(request_id(request.scope))


# --- options --------------------------------------------------------------------------------

_NAME = re.compile(r"([a-z][a-z-]{0,40})\.([a-z]{1,8})")
_PREVIEW = re.compile(r"([a-z][a-z-]{0,40})-p([1-9][0-9]{0,2})\.png")


@dataclass(frozen=True)
class Options:
    kind: str
    fmt: str
    lang: str
    paper: str | None
    branch: str | None

    @property
    def filename(self) -> str:
        """`build`'s file name (``KIND-LANG.FORMAT``), with the agency and a paper other than
        the kind's own when asked for."""
        parts = [self.kind, file_tag(self.lang)]
        if self.branch:
            parts.append(self.branch)
        if self.paper and self.paper != documents.PAPERS[self.kind][0]:
            parts.append(self.paper)
        return "-".join(parts) + f".{self.fmt}"


def kind_and_format(name: str, formats: tuple[str, ...] = api.FORMATS) -> tuple[str, str]:
    """``KIND.FORMAT`` from the path, both checked (404: no such document)."""
    match = _NAME.fullmatch(name)
    if not match or match.group(1) not in documents.KINDS:
        raise Problem(404, f"unknown document kind (choose from {', '.join(documents.KINDS)})")
    if match.group(2) not in formats:
        raise Problem(404, f"unknown format (choose from {', '.join(formats)})")
    return match.group(1), match.group(2)


def query(request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """The query parameters, each at most once and all of `allowed` (400 otherwise)."""
    out: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key not in allowed:
            raise Problem(400, f"unknown parameter (known: {', '.join(allowed)})")
        if key in out:
            raise Problem(400, f"parameter {key} given twice", field=key)
        out[key] = value
    return out


def edition(value: str | None, default: str | None = "fr") -> str:
    """A ``lang`` parameter: ``fr``, ``ar`` or ``fr+ar`` (whose ``+`` a query string may
    have decoded as a space)."""
    lang = (value if value is not None else default or "").replace(" ", "+")
    if lang not in documents.EDITIONS:
        raise Problem(
            400, f"unknown language (choose from {', '.join(documents.EDITIONS)})", field="lang"
        )
    return lang


def options(service: Service, kind: str, fmt: str, params: Mapping[str, str]) -> Options:
    lang = edition(params.get("lang"))
    paper = params.get("paper") or None
    if paper is not None:
        paper = paper.upper()
        if paper not in documents.PAPERS[kind]:
            papers = ", ".join(documents.PAPERS[kind])
            raise Problem(400, f"the {kind} is printed on {papers} only", field="paper")
    branch = params.get("branch") or None
    if branch is not None:
        if branch not in service.branches:
            raise Problem(400, "unknown branch (see /v1/branches)", field="branch")
        if kind not in documents.BRANCH_KINDS:
            raise Problem(400, f"the {kind} has no branch block", field="branch")
    return Options(kind, fmt, lang, paper, branch)


async def rendered(service: Service, opts: Options) -> tuple[str, bytes]:
    """A document's ETag and bytes, from the cache or rendered once."""
    tag = etag(service.digest, opts.kind, opts.fmt, opts.lang, opts.paper, opts.branch)

    async def render() -> bytes:
        return await service.pool.run(
            worker.document, opts.kind, opts.lang, opts.fmt, opts.paper, opts.branch
        )

    return tag, await service.cache.get_or_render(tag, render)


async def pages(service: Service, opts: Options) -> tuple[bytes, ...]:
    """The pages of a document's PDF as PNG images (`PREVIEW_DPI`), cached like documents."""
    key = etag(service.digest, "pages", opts.kind, opts.lang, opts.paper, opts.branch)

    async def draw() -> tuple[bytes, ...]:
        _, pdf = await rendered(service, opts)
        return tuple(await service.pool.run(worker.pages, pdf, PREVIEW_DPI))

    return await service.cache.get_or_render(key, draw)


def _matches(header: str | None, tag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(t.strip().removeprefix("W/") == tag for t in header.split(","))


def attachment(filename: str, inline: bool = False) -> str:
    return f'{"inline" if inline else "attachment"}; filename="{filename}"'


# --- API routes -----------------------------------------------------------------------------


def _titles(kind: str) -> dict[str, str]:
    return {
        lang: catalogs.translations(lang).gettext(documents._TITLES[kind]) for lang in api.LANGUAGES
    }


async def kinds(request: Request) -> Response:
    query(request, ())
    return JSONResponse(
        [
            {
                "id": kind,
                "label": _titles(kind),
                "formats": list(api.formats_of(kind)),
                "languages": list(documents.EDITIONS),
                "papers": list(documents.PAPERS[kind]),
                "branch": kind in documents.BRANCH_KINDS,
                "form": kind in documents.FORM_KINDS,
            }
            for kind in documents.KINDS
        ]
    )


async def branches_route(request: Request) -> Response:
    query(request, ())
    return JSONResponse(
        [
            {"id": b.id, "name": dict(b.name), "address": dict(b.address), "phone": b.phone}
            for b in service_of(request).branches.values()
        ]
    )


async def document(request: Request) -> Response:
    service = service_of(request)
    kind, fmt = kind_and_format(request.path_params["name"])
    params = query(request, ("lang", "paper", "branch", "disposition"))
    opts = options(service, kind, fmt, params)
    inline = params.get("disposition", "attachment") == "inline"
    tag = etag(service.digest, opts.kind, opts.fmt, opts.lang, opts.paper, opts.branch)
    headers = {"ETag": tag, "Cache-Control": "public, max-age=300"}
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    _, content = await rendered(service, opts)
    headers["Content-Disposition"] = attachment(opts.filename, inline)
    response = Response(content, media_type=MEDIA_TYPES[fmt], headers=headers)
    service.hot.remember(request.scope, tag, response.raw_headers)
    return response


async def preview(request: Request) -> Response:
    """One page of a document's PDF as a PNG (the agency page shows them)."""
    service = service_of(request)
    match = _PREVIEW.fullmatch(request.path_params["name"])
    if not match or match.group(1) not in documents.KINDS:
        raise Problem(404, "unknown document kind")
    kind, number = match.group(1), int(match.group(2))
    opts = options(service, kind, "pdf", query(request, ("lang", "paper", "branch")))
    tag = etag(service.digest, "preview", opts.kind, opts.lang, opts.paper, opts.branch, number)
    headers = {"ETag": tag, "Cache-Control": "public, max-age=300"}
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)

    images = await pages(service, opts)
    if number > len(images):
        raise Problem(404, f"the {kind} has {len(images)} pages")
    return Response(images[number - 1], media_type="image/png", headers=headers)


async def form(request: Request) -> Response:
    """A form pre-filled with the person given as a JSON object; never cached or stored."""
    service = service_of(request)
    kind, fmt = kind_and_format(request.path_params["name"])
    if kind not in documents.FORM_KINDS:
        raise Problem(404, f"only forms are pre-filled ({', '.join(documents.FORM_KINDS)})")
    lang = edition(query(request, ("lang",)).get("lang"))
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise Problem(415, "send the person as application/json")
    try:
        values = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise Problem(400, "the body is not valid JSON") from None
    if not isinstance(values, dict):
        raise Problem(422, "the body must be a JSON object of the person's fields")
    try:
        person = dict(Person.from_mapping(values).values)
    except DataError as exc:
        raise Problem.of(exc) from None
    content = await service.pool.run(worker.form, kind, lang, fmt, person)
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": attachment(f"{kind}-{file_tag(lang)}.{fmt}"),
        },
    )


REGISTER_MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}
_CLAUSE = re.compile(r"([A-Za-z0-9][A-Za-z0-9/-]{0,40})\.([a-z]{1,8})")


async def _cached(
    request: Request, service: Service, tag: str, media: str, filename: str, fn: Any, *args: Any
) -> Response:
    """A response for content that depends on the data and options only: 304 on a matching
    `If-None-Match`, else the bytes from the cache or made once in a worker."""
    headers = {"ETag": tag, "Cache-Control": "public, max-age=300"}
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)

    async def make() -> bytes:
        return await service.pool.run(fn, *args)

    content = await service.cache.get_or_render(tag, make)
    headers["Content-Disposition"] = attachment(filename)
    return Response(content, media_type=media, headers=headers)


async def register(request: Request) -> Response:
    """The register as open data: JSON (validated by the shipped schema) or CSV."""
    service = service_of(request)
    fmt = request.path_params["fmt"]
    if fmt not in opendata.FORMATS:
        raise Problem(404, f"unknown format (choose from {', '.join(opendata.FORMATS)})")
    query(request, ())
    tag = etag(service.digest, "register", fmt)
    media = REGISTER_MEDIA_TYPES[fmt]
    return await _cached(request, service, tag, media, f"register.{fmt}", worker.register, fmt)


async def clause(request: Request) -> Response:
    """The 09-08 information clause of one operation (`clauses.clause`): ``{ref}.{format}``,
    the reference written as in the register (``A-GA-104/2016``) or as an id
    (``a-ga-104-2016``)."""
    service = service_of(request)
    match = _CLAUSE.fullmatch(request.path_params["name"])
    if not match or match.group(2) not in clauses.FORMATS:
        raise Problem(404, f"ask for OPERATION.FORMAT (formats: {', '.join(clauses.FORMATS)})")
    params = query(request, ("lang", "length"))
    lang = edition(params.get("lang"))
    length = params.get("length", "short")
    if length not in clauses.LENGTHS:
        raise Problem(
            400, f"unknown length (choose from {', '.join(clauses.LENGTHS)})", field="length"
        )
    try:
        op = clauses.find_operation(service.data, match.group(1))
    except clauses.UnknownOperation as exc:
        raise Problem.of(exc, 404) from None
    fmt, ref = match.group(2), clauses.operation_id(op)
    tag = etag(service.digest, "clause", ref, fmt, lang, length)
    filename = f"clause-{ref}-{file_tag(lang)}.{fmt}"
    media = clauses.MEDIA_TYPES[fmt]
    return await _cached(
        request, service, tag, media, filename, worker.clause, ref, lang, fmt, length
    )


async def health(request: Request) -> Response:
    pool = service_of(request).pool
    workers = pool.workers()
    ok = pool.can_render()
    pool.check()
    body = {
        "status": "ok" if ok else ("starting" if not pool.ready else "unavailable"),
        "workers": workers,
        "queue": {"pending": pool.pending, "limit": pool.limit},
        "cache": service_of(request).cache.stats(),
    }
    return JSONResponse(body, 200 if ok else 503, headers={"Cache-Control": "no-store"})


async def version_route(request: Request) -> Response:
    service = service_of(request)
    return JSONResponse(
        {
            "version": dist_version("cnops-legaldocs"),
            "data": {
                "source": Path(service.data.source).name,
                "effective_date": service.data.notice.effective_date.isoformat(),
            },
            "digest": service.digest,
        }
    )


async def openapi(request: Request) -> Response:
    return JSONResponse(spec(dist_version("cnops-legaldocs")))


async def docs(request: Request) -> Response:
    return Response(docs_page(spec(dist_version("cnops-legaldocs"))), media_type="text/html")


__all__ = ["BILINGUAL", "Settings", "create_app"]
