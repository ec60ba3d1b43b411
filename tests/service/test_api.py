"""The HTTP API against the real server: documents with ETags and a cache, pre-filled forms,
problem details, health, version, OpenAPI, request ids."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from cnops_legaldocs import load_branches
from cnops_legaldocs.catalogs import translations
from pdfread import lines, logical_words

from .conftest import BRANCHES, Server

PROBLEM = "application/problem+json"
PERSON_AR = {
    "nom": "بنعلي",
    "prenom": "فاطمة",
    "cin": "ab 123456",
    "immatriculation": "100200300",
    "telephone": "06 61 23 45 67",
}


def misses(server: Server) -> int:
    with server.client() as c:
        return int(c.get("/health").json()["cache"]["misses"])


def test_kinds_and_branches_are_labelled_in_both_languages(server: Server) -> None:
    with server.client() as c:
        kinds = c.get("/v1/kinds").json()
        branches = c.get("/v1/branches").json()
    assert [k["id"] for k in kinds] == ["notice", "register", "rights-request",
                                        "marketing-consent", "poster"]  # fmt: skip
    notice = kinds[0]
    arabic = translations("ar").gettext("Mentions légales")
    assert arabic != "Mentions légales"
    assert notice["label"] == {"fr": "Mentions légales", "ar": arabic}
    assert notice["formats"] == ["pdf", "docx"] and notice["languages"] == ["fr", "ar", "fr+ar"]
    assert kinds[4]["papers"] == ["A3", "A4"] and kinds[2]["form"] and kinds[0]["branch"]
    expected = load_branches(BRANCHES)
    assert [b["id"] for b in branches] == [b.id for b in expected]
    assert branches[0]["name"] == dict(expected[0].name)


def test_document_is_rendered_once_then_cached_with_a_strong_etag(server: Server) -> None:
    before = misses(server)
    with server.client() as c:
        first = c.get("/v1/documents/notice.pdf", params={"lang": "ar", "branch": "rabat"})
        again = c.get("/v1/documents/notice.pdf?branch=rabat&lang=ar")
        tag = first.headers["etag"]
        not_modified = c.get(
            "/v1/documents/notice.pdf?lang=ar&branch=rabat",
            headers={"If-None-Match": f'"other", {tag}'},
        )
        other = c.get(
            "/v1/documents/notice.pdf?lang=fr&branch=rabat", headers={"If-None-Match": tag}
        )
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "application/pdf"
    assert first.headers["content-disposition"] == 'attachment; filename="notice-ar-rabat.pdf"'
    assert tag.startswith('"') and not tag.startswith("W/") and len(tag) == 34
    assert again.content == first.content and again.headers["etag"] == tag
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert other.status_code == 200 and other.headers["etag"] != tag
    assert misses(server) - before == 2  # ar and fr: each rendered once
    rabat = load_branches(BRANCHES)[0]
    assert rabat.id == "rabat"
    # The agency's block: its Arabic name as the eye reads it (right to left), its French one.
    assert any(rabat.name["ar"][::-1] in line.visual for line in lines(first.content))
    assert rabat.name["fr"] in logical_words(other.content)


@pytest.mark.parametrize("lang", ["fr%2Bar", "fr+ar"])
def test_bilingual_edition_by_either_spelling_of_plus(server: Server, lang: str) -> None:
    with server.client() as c:
        response = c.get(f"/v1/documents/marketing-consent.pdf?lang={lang}")
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith(
        'filename="marketing-consent-bilingual.pdf"'
    )
    title = "Consentement ou opposition à la prospection directe"
    assert title in logical_words(response.content)
    arabic = translations("ar").gettext(title)
    assert any(arabic[::-1] in line.visual for line in lines(response.content))


def test_prefilled_arabic_form_holds_the_values_in_reading_order(server: Server) -> None:
    with server.client() as c:
        response = c.post("/v1/forms/rights-request.pdf?lang=ar", json=PERSON_AR)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"] == 'attachment; filename="rights-request-ar.pdf"'
    visual = [line.visual for line in lines(response.content)]
    # Arabic reads right to left: the eye, left to right by position, meets its letters reversed;
    # Latin and digits keep their order (the CIN cleaned to upper case without space).
    for value in ("بنعلي", "فاطمة"):
        assert any(value[::-1] in line for line in visual), value
    assert any("AB123456" in line for line in visual)
    assert any("100200300" in line for line in visual)
    assert any("06 61 23 45 67" in line for line in visual)
    log = server.log_text()
    for value in ("بنعلي", "فاطمة", "123456", "100200300", "61 23"):
        assert value not in log


def test_prefilled_docx_form_in_time(server: Server) -> None:
    person = {"nom": "Alaoui", "prenom": "Karim", "cin": "BE998877", "immatriculation": "5550001"}
    with server.client() as c:
        response = c.post("/v1/forms/marketing-consent.docx?lang=fr", json=person)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.headers["cache-control"] == "no-store"
    xml = zipfile.ZipFile(io.BytesIO(response.content)).read("word/document.xml").decode()
    for value in person.values():
        assert value in xml


def test_markup_and_bidi_controls_in_values_print_as_plain_text(server: Server) -> None:
    person = {"nom": "<b>Idrissi</b>", "prenom": "\u202eAmal\u202c", "cin": "C12345",
              "immatriculation": "777"}  # fmt: skip
    with server.client() as c:
        response = c.post("/v1/forms/marketing-consent.pdf?lang=fr", json=person)
    assert response.status_code == 200, response.text
    text = logical_words(response.content)
    assert "<b>Idrissi</b>" in text and "Amal" in text
    assert "\u202e" not in response.content.decode("latin-1")


def test_health_version_openapi_and_docs(server: Server) -> None:
    with server.client() as c:
        health = c.get("/health")
        head = c.head("/health")
        version = c.get("/version").json()
        spec = c.get("/openapi.json").json()
        docs = c.get("/docs")
    body = health.json()
    assert health.status_code == 200 and body["status"] == "ok"
    assert len(body["workers"]) == 2 and all(w["alive"] for w in body["workers"])
    assert head.status_code == 200 and head.content == b""
    assert version["version"] == "0.1.0" and version["data"]["source"].startswith("cnops.yaml")
    assert spec["openapi"] == "3.1.0"
    assert {"/v1/documents/{name}", "/v1/forms/{name}", "/health"} <= set(spec["paths"])
    assert docs.status_code == 200 and "/v1/forms/{name}" in docs.text
    assert "http://" not in docs.text and "https://" not in docs.text  # nothing from a CDN


def test_request_id_is_echoed_and_logged(server: Server) -> None:
    trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    with server.client() as c:
        given = c.get("/v1/kinds", headers={"X-Request-ID": "desk-42.rabat"})
        traced = c.get("/v1/kinds", headers={"traceparent": trace})
        bad = c.get("/v1/kinds", headers={"X-Request-ID": "x" * 65})
        problem = c.get("/v1/documents/nothing.pdf", headers={"X-Request-ID": "desk-43"})
    assert given.headers["x-request-id"] == "desk-42.rabat"
    assert traced.headers["x-request-id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert traced.headers["traceparent"] == trace
    assert len(bad.headers["x-request-id"]) == 32 and bad.headers["x-request-id"] != "x" * 65
    assert problem.json()["request_id"] == "desk-43"
    records = [json.loads(line) for line in server.log_text().splitlines() if line.startswith("{")]
    logged = {r["request_id"]: r for r in records if "request_id" in r and "path" in r}
    assert logged["desk-42.rabat"]["path"] == "/v1/kinds"
    assert logged["desk-42.rabat"]["status"] == 200
    assert logged["desk-43"]["status"] == 404
    assert set(logged["desk-43"]) == {"request_id", "method", "path", "status", "bytes", "ms"}
