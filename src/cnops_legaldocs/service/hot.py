"""The cached documents' fast path: a repeated request for a document already served answers
from the cache without going through the router.

A `GET /v1/documents/…` that the route answered 200 from the cache is remembered under its
exact path and query string, with the response's headers and its cache key (the ETag). The
same request again (byte for byte the same path and query, no ``If-None-Match``) is answered
by `HotDocuments.answer` with those headers and the bytes the cache still holds: the same
response the route would give, since the route's answer depends only on the path, the query and
the data, which do not change while the server runs. Anything else (another query, a
revalidation, an entry the cache has dropped) goes through the router as before. No worker is
involved, and a pre-filled form (a POST, never cached) never comes here."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import Scope, Send

from .cache import DocumentCache

PREFIX = "/v1/documents/"


@dataclass(frozen=True)
class _Hot:
    key: str  # the document cache's key (the ETag)
    headers: list[tuple[bytes, bytes]]  # the route's response headers, as sent


class HotDocuments:
    """At most `size` remembered requests (least recently used dropped first): a caller who
    varies the query string only fills this table, never the document cache."""

    def __init__(self, cache: DocumentCache, size: int = 512) -> None:
        self.cache = cache
        self.size = size
        self._hot: OrderedDict[tuple[str, bytes], _Hot] = OrderedDict()

    def remember(self, scope: Scope, key: str, headers: list[tuple[bytes, bytes]]) -> None:
        """The route served the cached document `key` with `headers` for this request."""
        if scope.get("method") != "GET":
            return
        request = (scope["path"], scope.get("query_string", b""))
        self._hot[request] = _Hot(key, list(headers))
        self._hot.move_to_end(request)
        while len(self._hot) > self.size:
            self._hot.popitem(last=False)

    def lookup(self, scope: Scope) -> tuple[list[tuple[bytes, bytes]], bytes] | None:
        """The headers and body for this request if it is a remembered one, else None."""
        path = scope.get("path", "")
        if scope.get("method") != "GET" or not path.startswith(PREFIX):
            return None
        request = (path, scope.get("query_string", b""))
        hot = self._hot.get(request)
        if hot is None:
            return None
        if any(name == b"if-none-match" for name, _ in scope["headers"]):
            return None  # the route answers 304 or the document
        body = self.cache.get(hot.key)
        if not isinstance(body, bytes):
            del self._hot[request]  # evicted from the cache: the route renders it again
            return None
        self.cache.hits += 1
        return hot.headers, body

    @staticmethod
    async def answer(send: Send, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        """Send the remembered response."""
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
