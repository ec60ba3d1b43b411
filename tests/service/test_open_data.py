"""The register as open data and the information clause, served by the real server."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest

from cnops_legaldocs import clause, export_register, load
from cnops_legaldocs.opendata import schema

from .conftest import Server

PROBLEM = "application/problem+json"


def test_register_json_is_the_library_export_and_validates(server: Server) -> None:
    with server.client() as c:
        got = c.get("/v1/register.json")
        again = c.get("/v1/register.json", headers={"If-None-Match": got.headers["etag"]})
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/json"
    assert got.headers["content-disposition"] == 'attachment; filename="register.json"'
    assert got.content == export_register(load(), "json")
    jsonschema.validate(json.loads(got.content), schema())
    assert again.status_code == 304 and again.content == b""


def test_register_csv_opens_in_excel_with_one_row_per_operation(server: Server) -> None:
    with server.client() as c:
        got = c.get("/v1/register.csv")
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    assert got.content.startswith("\ufeff".encode())  # the BOM: Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert len(rows) == len(load().operations)


@pytest.mark.parametrize(
    ("path", "lang", "fmt"),
    [
        ("A-GA-104/2016.html", "ar", "html"),
        ("a-ga-104-2016.txt", "fr", "txt"),
        ("D-VS-157/2016.md", "fr+ar", "md"),
    ],
)
def test_clause_by_reference_or_id_is_the_library_clause(
    server: Server, path: str, lang: str, fmt: str
) -> None:
    with server.client() as c:
        got = c.get(f"/v1/clauses/{path}", params={"lang": lang})
    assert got.status_code == 200, got.text
    ref = path.rsplit(".", 1)[0]
    assert got.content == clause(load(), ref, lang, fmt)
    media = {"txt": "text/plain", "html": "text/html", "md": "text/markdown"}[fmt]
    assert got.headers["content-type"] == f"{media}; charset=utf-8"
    assert got.headers["etag"].startswith('"')


def test_clause_pdf_is_rendered_in_a_worker(server: Server) -> None:
    with server.client() as c:
        got = c.get("/v1/clauses/A-GA-104/2016.pdf", params={"lang": "ar", "length": "full"})
    assert got.status_code == 200, got.text
    assert got.content.startswith(b"%PDF-")
    name = got.headers["content-disposition"]
    assert name == 'attachment; filename="clause-a-ga-104-2016-ar.pdf"'


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/v1/clauses/A-GA-105/2016.txt", 404, "close matches: A-GA-106/2016, A-GA-104/2016"),
        ("/v1/clauses/A-GA-104/2016.exe", 404, "formats: txt"),
        ("/v1/clauses/..%2F..%2Fetc%2Fpasswd.txt", 404, "OPERATION.FORMAT"),
        ("/v1/clauses/A-GA-104/2016.txt?length=long", 400, "unknown length"),
        ("/v1/clauses/A-GA-104/2016.txt?lang=en", 400, "unknown language"),
        ("/v1/register.xml", 404, "choose from json, csv"),
        ("/v1/register.json?lang=ar", 400, "unknown parameter"),
    ],
)
def test_bad_clause_and_register_requests(server: Server, path: str, status: int, says: str):
    with server.client() as c:
        got = c.get(path)
    assert got.status_code == status, got.text
    assert got.headers["content-type"] == PROBLEM
    assert says in got.json()["detail"]
