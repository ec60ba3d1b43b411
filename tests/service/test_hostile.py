"""Hostile requests: each gets the right 4xx as problem details, nothing is written, no
personal value reaches the log or the answer."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest

from .conftest import Server

MARK = "Zq9Mark"  # in every personal value sent: must never come back or be logged
PERSON = {"nom": f"Nom{MARK}", "prenom": "Karim", "cin": "AB123456", "immatriculation": "12345"}
FORM = "/v1/forms/rights-request.pdf?lang=ar"
DOC = "/v1/documents/notice.pdf"
JSON = {"content-type": "application/json"}


def body(**changes: object) -> dict[str, object]:
    return {**PERSON, **changes}


def chunks() -> Iterator[bytes]:
    for _ in range(40):
        yield b'{"nom": "' + MARK.encode() * 100 + b'"'


CASES: list[tuple[str, str, str, dict[str, object], int]] = [
    # (case, method, path, httpx arguments, status)
    ("unknown kind", "GET", "/v1/documents/contract.pdf", {}, 404),
    ("unknown format", "GET", "/v1/documents/notice.odt", {}, 404),
    ("upper case", "GET", "/v1/documents/NOTICE.PDF", {}, 404),
    ("no format", "GET", "/v1/documents/notice", {}, 404),
    ("path traversal", "GET", "/v1/documents/..%2F..%2Fetc%2Fpasswd", {}, 404),
    ("dots", "GET", "/v1/documents/../../etc/passwd", {}, 404),
    ("NUL in name", "GET", "/v1/documents/notice.pdf%00.html", {}, 404),
    ("unknown language", "GET", f"{DOC}?lang=en", {}, 400),
    ("fr-ar", "GET", f"{DOC}?lang=fr-ar", {}, 400),
    ("markup language", "GET", f"{DOC}?lang=%3Cscript%3E", {}, 400),
    ("bidi language", "GET", f"{DOC}?lang=%E2%80%AEar", {}, 400),
    ("language twice", "GET", f"{DOC}?lang=ar&lang=fr", {}, 400),
    ("unknown parameter", "GET", f"{DOC}?lang=ar&debug=1", {}, 400),
    ("A3 notice", "GET", f"{DOC}?paper=A3", {}, 400),
    ("letter poster", "GET", "/v1/documents/poster.pdf?paper=Letter", {}, 400),
    ("unknown branch", "GET", f"{DOC}?branch=nowhere", {}, 400),
    ("traversal branch", "GET", f"{DOC}?branch=..%2F..%2Fetc", {}, 400),
    ("branch on register", "GET", "/v1/documents/register.pdf?branch=rabat", {}, 400),
    ("page 0", "GET", "/v1/previews/notice-p0.png", {}, 404),
    ("preview traversal", "GET", "/v1/previews/..%2Fnotice-p1.png", {}, 404),
    ("preview kind", "GET", "/v1/previews/contract-p1.png", {}, 404),
    ("delete", "DELETE", DOC, {}, 405),
    ("post a document", "POST", DOC, {"json": PERSON}, 405),
    ("put a form", "PUT", FORM, {"json": PERSON}, 405),
    ("get a form", "GET", FORM, {}, 405),
    ("form of a notice", "POST", "/v1/forms/notice.pdf", {"json": PERSON}, 404),
    ("form format", "POST", "/v1/forms/rights-request.html", {"json": PERSON}, 404),
    ("form language", "POST", "/v1/forms/rights-request.pdf?lang=de", {"json": PERSON}, 400),
    ("form parameter", "POST", f"{FORM}&nom={MARK}", {"json": PERSON}, 400),
    ("text/plain", "POST", FORM, {"content": json.dumps(PERSON),
                                  "headers": {"content-type": "text/plain"}}, 415),
    ("form-encoded", "POST", FORM, {"data": PERSON}, 415),
    ("no content type", "POST", FORM, {"content": json.dumps(PERSON).encode()}, 415),
    ("bad JSON", "POST", FORM, {"content": b'{"nom": ', "headers": JSON}, 400),
    ("not UTF-8", "POST", FORM, {"content": b'{"nom": "\xff"}', "headers": JSON}, 400),
    ("JSON array", "POST", FORM, {"json": [PERSON]}, 422),
    ("JSON string", "POST", FORM, {"json": MARK}, 422),
    ("unknown field", "POST", FORM, {"json": body(password=MARK)}, 422),
    ("markup in CIN", "POST", FORM, {"json": body(cin=f"<script>{MARK}</script>")}, 422),
    ("number as name", "POST", FORM, {"json": body(nom=42)}, 422),
    ("nested value", "POST", FORM, {"json": body(nom={"x": MARK})}, 422),
    ("bad e-mail", "POST", FORM, {"json": body(email=f"{MARK}-at-example")}, 422),
    ("bad phone", "POST", FORM, {"json": body(telephone=f"tel {MARK}")}, 422),
    ("too long", "POST", FORM, {"json": body(adresse=MARK * 30)}, 422),
    ("emoji", "POST", FORM, {"json": body(nom=f"{MARK} \U0001f600")}, 422),
    ("CJK", "POST", FORM, {"json": body(prenom=f"{MARK}漢字")}, 422),
    ("oversized body", "POST", FORM, {"json": body(adresse=MARK * 4000)}, 413),
    ("oversized chunked body", "POST", FORM, {"content": chunks(), "headers": JSON}, 413),
    ("kinds with parameters", "GET", "/v1/kinds?all=1", {}, 400),
    ("no such route", "GET", "/admin", {}, 404),
    ("static traversal", "GET", "/static/..%2F..%2Fcli.py", {}, 404),
    ("font traversal", "GET", "/static/fonts/..%2Fpage.css", {}, 404),
    ("other font", "GET", "/static/fonts/DejaVuSans.ttf", {}, 404),
    ("counter as JSON", "POST", "/counter", {"json": PERSON}, 415),
    ("counter, unknown form", "POST", "/counter", {"data": {**PERSON, "form": "notice"}}, 400),
    ("page, unknown kind", "GET", "/?kind=contract", {}, 400),
    ("page, unknown edition", "GET", "/?kind=notice&edition=en", {}, 400),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_hostile_request(
    server: Server, method: str, path: str, kwargs: dict[str, object], status: int
) -> None:
    with server.client() as c:
        response = c.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["detail"] and problem["title"]
    assert MARK not in response.text


def test_field_errors_name_the_field_not_the_value(server: Server) -> None:
    with server.client() as c:
        problem = c.post(FORM, json=body(cin=f"X{MARK}")).json()
    assert problem["field"] == "cin"
    assert "CIN" in problem["detail"] and MARK not in problem["detail"]


def raw(server: Server, data: bytes, pause: float = 0.0, then: bytes = b"") -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(data)
        if pause:
            time.sleep(pause)
            s.sendall(then)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
            if b"\r\n\r\n" in out and b'"status"' in out:
                break
        return out


def test_slow_client_gets_408(server: Server) -> None:
    """The body does not arrive within --body-timeout (2 s here): 408, nothing rendered."""
    started = time.monotonic()
    head = (
        f"POST {FORM} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 200\r\n\r\n"
    ).encode()
    answer = raw(server, head + b'{"nom": "' + MARK.encode())
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert 1.5 < time.monotonic() - started < 20
    assert MARK.encode() not in answer


@pytest.mark.parametrize("length", [b"-1", b"abc", b"99999999999999999999"])
def test_bad_content_length(server: Server, length: bytes) -> None:
    head = b"POST " + FORM.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    answer = raw(server, head + b"Content-Length: " + length + b"\r\n\r\n{}")
    assert answer.split(b" ")[1] in (b"400", b"413"), answer[:200]


def test_nothing_written_and_no_personal_value_logged(server: Server) -> None:
    """After every test above (this module runs after the API's): the server's working
    directory holds only its log; its temporary directory only the workers' own directories,
    in which WeasyPrint keeps font files and nothing that holds a value sent; the log has none
    of the values sent. (That nothing remains after SIGTERM: `test_limits.py`.)"""
    assert sorted(p.name for p in server.tmp.parent.iterdir()) == ["server.log", "tmp"]
    assert [p.name[:22] for p in server.tmp.iterdir()] == ["cnops-legaldocs-serve-"]
    sent = [MARK, "AB123456", "Karim", "Idrissi", "Alaoui", "BE998877", "100200300"]
    for path in server.tmp.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(v.encode() in content for v in sent), path
    log = server.log_text()
    for value in sent:
        assert value not in log
    assert "Traceback" not in log
