"""Errors as RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

from ..errors import DataError, LegalDocsError, printable

MEDIA_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    408: "Request timeout",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal server error",
    503: "Service unavailable",
    504: "Gateway timeout",
}


class Problem(Exception):
    """An HTTP error with its problem details; `detail` is the library's message (never a
    value of the request's personal data)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = printable(detail)
        self.field = field
        self.headers = dict(headers or {})

    @classmethod
    def of(cls, exc: LegalDocsError, status: int = 422) -> Problem:
        """The problem for a library error: a `DataError` names its field."""
        if isinstance(exc, DataError):
            return cls(status, exc.message, field=exc.field)
        return cls(status, str(exc))

    def response(self, request_id: str | None = None) -> JSONResponse:
        body: dict[str, object] = {
            "type": "about:blank",
            "title": _TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
        }
        if self.field:
            body["field"] = self.field
        if request_id:
            body["request_id"] = request_id
        return JSONResponse(body, self.status, headers=self.headers, media_type=MEDIA_TYPE)
