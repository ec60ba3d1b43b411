"""The bounded cache of rendered documents (never of a pre-filled form), keyed by ETag.

Each distinct document is rendered once: concurrent requests for one that is being rendered
await the same render; once done it is kept, least recently used evicted first, within a
total size."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from ..batch import assets_digest

Entry = bytes | tuple[bytes, ...]
"""A document's bytes, or its pages' images."""
E = TypeVar("E", bytes, tuple[bytes, ...])


def _size(entry: Entry) -> int:
    return len(entry) if isinstance(entry, bytes) else sum(map(len, entry))


def base_digest(data: str | None, branches: str | None) -> str:
    """A digest of everything a document depends on besides its options: the package's code,
    templates and catalogs, the data file and the branches file."""
    from importlib.metadata import version

    digest = hashlib.sha256(assets_digest().encode())
    digest.update(version("cnops-legaldocs").encode())
    for path in (data, branches):
        digest.update(b"\0" + (Path(path).read_bytes() if path else b"-"))
    return digest.hexdigest()


def etag(base: str, *options: object) -> str:
    """A strong ETag for a document: the base digest and the request's options."""
    digest = hashlib.sha256(base.encode())
    digest.update(repr(options).encode())
    return f'"{digest.hexdigest()[:32]}"'


class DocumentCache:
    """Key -> bytes (or a tuple of them), at most `max_bytes` in all; a render in progress is
    shared by every request that asks for it."""

    def __init__(self, max_bytes: int = 128 * 2**20) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[str, Entry] = OrderedDict()
        self._running: dict[str, asyncio.Future[Entry]] = {}

    def get(self, key: str) -> Entry | None:
        content = self._items.get(key)
        if content is not None:
            self._items.move_to_end(key)
        return content

    async def get_or_render(self, key: str, render: Callable[[], Awaitable[E]]) -> E:
        cached = self.get(key)
        if cached is not None:
            self.hits += 1
            return cached  # type: ignore[return-value]
        running = self._running.get(key)
        if running is not None:
            self.hits += 1
            return await asyncio.shield(running)  # type: ignore[return-value]
        self.misses += 1
        future: asyncio.Future[Entry] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            content = await render()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # the waiters, if any, see it; not "never retrieved"
            raise
        finally:
            del self._running[key]
        future.set_result(content)
        self._put(key, content)
        return content

    def _put(self, key: str, content: Entry) -> None:
        size = _size(content)
        if size > self.max_bytes:
            return
        self._items[key] = content
        self.size += size
        while self.size > self.max_bytes:
            _, dropped = self._items.popitem(last=False)
            self.size -= _size(dropped)

    def stats(self) -> dict[str, int]:
        return {
            "entries": len(self._items),
            "bytes": self.size,
            "max_bytes": self.max_bytes,
            "hits": self.hits,
            "misses": self.misses,
        }
