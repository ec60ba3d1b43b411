"""The ASGI middleware in front of every route: a request id, a bounded request body read
within a time limit, and one structured access-log line per request (never a body, never the
query string: a URL holds no personal value, but a caller might put one there anyway). The
lines of one turn of the event loop are logged as one record (`AccessLines`)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import printable
from .hot import HotDocuments
from .problems import Problem

access_log = logging.getLogger("cnops_legaldocs.service.access")
log = logging.getLogger("cnops_legaldocs.service")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}")


def request_id(scope: Scope) -> str:
    """The id this request is logged and answered under (set by `Guard`)."""
    return scope.get("state", {}).get("request_id", "")


class Guard:
    """Request id (``X-Request-ID``, or the trace id of a W3C ``traceparent``, else a new
    one, echoed in the response), body size and read-time limits, access log."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        body_timeout: float,
        hot: HotDocuments | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.body_timeout = body_timeout
        self.hot = hot  # cached documents answered without the router
        self._lines = AccessLines()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        echo: list[tuple[bytes, bytes]] = []
        given = headers.get("x-request-id", "")
        trace = _TRACEPARENT.fullmatch(headers.get("traceparent", ""))
        if _REQUEST_ID.fullmatch(given):
            rid = given
        elif trace:
            rid = trace.group(1)
        else:
            rid = secrets.token_hex(16)
        echo.append((b"x-request-id", rid.encode()))
        if trace:
            echo.append((b"traceparent", trace.group(0).encode()))
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 0
        sent = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), *echo]}
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout)
            except TimeoutError:
                raise Problem(
                    408, f"the request body was not sent within {self.body_timeout:g} s"
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise self._too_large()
            return message

        try:
            length = headers.get("content-length")
            found = self.hot.lookup(scope) if self.hot is not None and not length else None
            if found is not None:
                await HotDocuments.answer(send_with_id, *found)
            elif length is not None and (not length.isdigit() or int(length) > self.max_body):
                problem = self._too_large() if length.isdigit() else Problem(400, "bad length")
                await problem.response(rid)(scope, receive, send_with_id)
            else:
                # A `Problem` raised while reading the body is answered by the application's
                # exception handler, like any other. An unexpected exception has had its 500
                # answer; it stops here, so that no traceback (which may quote a value) is logged.
                try:
                    await self.app(scope, bounded_receive, send_with_id)
                except Exception as exc:
                    log.error(json.dumps({"request_id": rid, "error": type(exc).__name__}))
                    if not status:
                        await Problem(500, "unexpected failure").response(rid)(
                            scope, receive, send_with_id
                        )
        finally:
            self._log(scope, rid, status, sent, started)

    def _too_large(self) -> Problem:
        return Problem(413, f"the request body is larger than {self.max_body} bytes")

    def _log(self, scope: Scope, rid: str, status: int, sent: int, started: float) -> None:
        record: dict[str, Any] = {
            "request_id": rid,
            "method": scope.get("method"),
            "path": printable(str(scope.get("path", ""))[:200]),
            "status": status,
            "bytes": sent,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
        self._lines.add(json.dumps(record, ensure_ascii=True))


class AccessLines:
    """The access-log lines of one turn of the event loop, logged together as one record at
    the end of the turn (one line per request still; a write per turn, not per request: at
    thousands of cached answers a second the logging machinery per line was a sixth of the
    server's time)."""

    def __init__(self) -> None:
        self._lines: list[str] = []

    def add(self, line: str) -> None:
        if not self._lines:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no loop (a test calling the middleware directly)
                self._lines.append(line)
                self.flush()
                return
        self._lines.append(line)

    def flush(self) -> None:
        lines, self._lines = self._lines, []
        if lines and access_log.isEnabledFor(logging.INFO):
            access_log.info("\n".join(lines))
