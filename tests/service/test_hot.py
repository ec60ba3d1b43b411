"""The cached documents' fast path (`service/hot.py`): a repeated request is answered from the
cache without the router, with the route's own response; anything else goes to the route."""

from __future__ import annotations

import asyncio
import json

from cnops_legaldocs.service.cache import DocumentCache
from cnops_legaldocs.service.hot import HotDocuments

from .conftest import Server

URL = "/v1/documents/register.pdf?lang=ar"
HEADERS = [(b"etag", b'"t"'), (b"content-type", b"application/pdf")]


def scope(path: str, query: bytes = b"", method: str = "GET", **headers: str) -> dict:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query,
        "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }


def cached(cache: DocumentCache, key: str, content: bytes) -> None:
    async def make() -> bytes:
        return content

    asyncio.run(cache.get_or_render(key, make))


def test_a_remembered_request_is_answered_with_the_routes_headers_and_the_cached_bytes() -> None:
    cache = DocumentCache()
    hot = HotDocuments(cache)
    cached(cache, '"t"', b"%PDF-1")
    hot.remember(scope("/v1/documents/notice.pdf", b"lang=ar"), '"t"', HEADERS)
    assert hot.lookup(scope("/v1/documents/notice.pdf", b"lang=ar")) == (HEADERS, b"%PDF-1")
    assert cache.stats()["hits"] == 1
    # Another query, a revalidation, a HEAD or another route: the router answers.
    assert hot.lookup(scope("/v1/documents/notice.pdf", b"lang=ar&paper=A4")) is None
    assert hot.lookup(scope("/v1/documents/notice.pdf", b"lang=ar", if_none_match='"t"')) is None
    assert hot.lookup(scope("/v1/documents/notice.pdf", b"lang=ar", method="HEAD")) is None
    hot.remember(scope("/v1/forms/notice.pdf", b"lang=ar", method="POST"), '"t"', HEADERS)
    assert hot.lookup(scope("/v1/forms/notice.pdf", b"lang=ar", method="POST")) is None


def test_a_document_dropped_from_the_cache_goes_back_to_the_route() -> None:
    cache = DocumentCache(max_bytes=10)
    hot = HotDocuments(cache)
    cached(cache, '"a"', b"%PDF-aaaa")
    hot.remember(scope("/v1/documents/notice.pdf", b"lang=ar"), '"a"', HEADERS)
    cached(cache, '"b"', b"%PDF-bbbb")  # evicts "a" (10 bytes at most)
    assert hot.lookup(scope("/v1/documents/notice.pdf", b"lang=ar")) is None


def test_the_table_of_remembered_requests_is_bounded() -> None:
    cache = DocumentCache()
    hot = HotDocuments(cache, size=2)
    cached(cache, '"t"', b"%PDF-1")
    for query in (b"lang=ar", b"lang=fr", b"lang=fr%2Bar"):
        hot.remember(scope("/v1/documents/notice.pdf", query), '"t"', HEADERS)
    assert hot.lookup(scope("/v1/documents/notice.pdf", b"lang=ar")) is None
    assert hot.lookup(scope("/v1/documents/notice.pdf", b"lang=fr%2Bar")) is not None


def test_the_fast_answer_is_the_routes_answer_and_is_logged(server: Server) -> None:
    def stats() -> dict[str, int]:
        return c.get("/health").json()["cache"]  # type: ignore[no-any-return]

    with server.client() as c:
        first = c.get(URL)  # the route (rendered, or from the cache)
        before = stats()
        second = c.get(URL, headers={"X-Request-ID": "hot-2"})
        third = c.get(URL, headers={"X-Request-ID": "hot-3"})
        after = stats()
        revalidated = c.get(URL, headers={"If-None-Match": first.headers["etag"]})
        head = c.head(URL)
    assert first.status_code == 200 and first.content.startswith(b"%PDF")

    def same(response: object) -> dict[str, str]:
        return {k: v for k, v in response.headers.items() if k not in ("date", "x-request-id")}  # type: ignore[attr-defined]

    for again in (second, third):
        assert again.status_code == 200 and again.content == first.content
        assert same(again) == same(first)
    assert third.headers["x-request-id"] == "hot-3"
    assert after["hits"] - before["hits"] == 2 and after["misses"] == before["misses"]
    assert revalidated.status_code == 304 and revalidated.content == b""
    assert head.status_code == 200 and head.content == b""
    records = [json.loads(line) for line in server.log_text().splitlines() if line.startswith("{")]
    logged = {r["request_id"]: r for r in records if "request_id" in r and "path" in r}
    assert logged["hot-3"] == {
        "request_id": "hot-3",
        "method": "GET",
        "path": "/v1/documents/register.pdf",
        "status": 200,
        "bytes": len(first.content),
        "ms": logged["hot-3"]["ms"],
    }
