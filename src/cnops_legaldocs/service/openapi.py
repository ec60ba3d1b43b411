"""The API's OpenAPI 3.1 description, and a plain HTML page of it (no script, no CDN)."""

from __future__ import annotations

from html import escape
from typing import Any

from .. import api, clauses, documents, opendata
from ..person import FIELDS, LIMITS

_PROBLEM = {"$ref": "#/components/responses/Problem"}


def _param(name: str, enum: list[str] | None = None, where: str = "query", **extra: Any) -> dict:
    schema: dict[str, Any] = {"type": "string"}
    if enum:
        schema["enum"] = enum
    return {"name": name, "in": where, "schema": schema, **extra}


def _file(media: list[str], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {m: {"schema": {"type": "string", "contentMediaType": m}} for m in media},
    }


def spec(version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the service."""
    papers = sorted({p for ps in documents.PAPERS.values() for p in ps})
    name = _param(
        "name",
        [f"{k}.{f}" for k in documents.KINDS for f in api.FORMATS],
        "path",
        required=True,
        description="KIND.FORMAT",
    )
    lang = _param("lang", list(documents.EDITIONS), description="fr, ar or fr+ar (bilingual)")
    errors = {str(s): _PROBLEM for s in (400, 404, 413, 415, 422, 503, 504)}
    media = [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]
    person = {
        "type": "object",
        "additionalProperties": False,
        "properties": {f: {"type": "string", "maxLength": LIMITS[f]} for f in FIELDS},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "cnops-legaldocs",
            "version": version,
            "description": "The CNOPS legal notice, its register, forms and poster as French "
            "and Arabic PDF and DOCX. Errors are RFC 9457 problem details.",
        },
        "paths": {
            "/v1/documents/{name}": {
                "get": {
                    "summary": "A document (cached; strong ETag, If-None-Match gives 304)",
                    "parameters": [
                        name,
                        lang,
                        _param("paper", papers),
                        _param("branch", description="an id of GET /v1/branches"),
                        _param("disposition", ["attachment", "inline"]),
                    ],
                    "responses": {
                        "200": _file(media, "the file, named as `build` names it"),
                        "304": {"description": "not modified"},
                        **errors,
                    },
                }
            },
            "/v1/forms/{name}": {
                "post": {
                    "summary": "A form pre-filled with a person (never cached or stored)",
                    "parameters": [
                        {
                            **name,
                            "schema": {
                                "type": "string",
                                "enum": [
                                    f"{k}.{f}" for k in documents.FORM_KINDS for f in api.FORMATS
                                ],
                            },
                        },
                        lang,
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": person}},
                    },
                    "responses": {"200": _file(media, "the pre-filled form"), **errors},
                }
            },
            "/v1/previews/{name}": {
                "get": {
                    "summary": "A page of a document's PDF as a PNG image (KIND-pN.png)",
                    "parameters": [
                        _param("name", where="path", required=True),
                        lang,
                        _param("paper", papers),
                        _param("branch"),
                    ],
                    "responses": {"200": _file(["image/png"], "the page"), **errors},
                }
            },
            "/v1/register.{fmt}": {
                "get": {
                    "summary": "The register as open data: JSON (its schema: "
                    f"{opendata.SCHEMA_ID}) or CSV (UTF-8 with BOM); cached, strong ETag",
                    "parameters": [
                        _param("fmt", list(opendata.FORMATS), where="path", required=True)
                    ],
                    "responses": {
                        "200": _file(["application/json", "text/csv"], "the register"),
                        "304": {"description": "not modified"},
                        **errors,
                    },
                }
            },
            "/v1/clauses/{name}": {
                "get": {
                    "summary": "The law 09-08 information clause of an operation: "
                    "REFERENCE.FORMAT (A-GA-104/2016.html) or ID.FORMAT (a-ga-104-2016.txt)",
                    "parameters": [
                        _param("name", where="path", required=True),
                        lang,
                        _param("length", list(clauses.LENGTHS)),
                    ],
                    "responses": {
                        "200": _file(sorted(set(clauses.MEDIA_TYPES.values())), "the clause"),
                        "304": {"description": "not modified"},
                        **errors,
                    },
                }
            },
            "/v1/kinds": {
                "get": {
                    "summary": "Documents, labelled in French and Arabic",
                    "responses": {"200": {"description": "JSON list"}},
                }
            },
            "/v1/branches": {
                "get": {
                    "summary": "Agencies, named in French and Arabic",
                    "responses": {"200": {"description": "JSON list"}},
                }
            },
            "/health": {
                "get": {
                    "summary": "Workers' state (pid, alive, ready: warmed up); 503 until "
                    "every worker has warmed up, or when none can render",
                    "responses": {
                        "200": {"description": "every worker warmed up"},
                        "503": {"description": "warming up, or no worker can render"},
                    },
                }
            },
            "/version": {
                "get": {
                    "summary": "Package version and data digest",
                    "responses": {"200": {"description": "JSON"}},
                }
            },
        },
        "components": {
            "responses": {
                "Problem": {
                    "description": "RFC 9457 problem details",
                    "content": {"application/problem+json": {"schema": {"type": "object"}}},
                }
            }
        },
    }


def docs_page(document: dict[str, Any]) -> str:
    """The API described in plain HTML, from the OpenAPI document."""
    rows = []
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            params = ", ".join(
                f"{p['name']} ({p['in']})" + (
                    f": {' | '.join(p['schema']['enum'])}" if "enum" in p["schema"] else ""
                )
                for p in op.get("parameters", [])
            )  # fmt: skip
            codes = ", ".join(op["responses"])
            rows.append(
                f"<tr><td><code>{method.upper()} {escape(path)}</code></td>"
                f"<td>{escape(op['summary'])}</td><td>{escape(params)}</td><td>{codes}</td></tr>"
            )
    info = document["info"]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(info['title'])} API</title>"
        '<link rel="stylesheet" href="/static/page.css"></head><body><main>'
        f"<h1>{escape(info['title'])} {escape(info['version'])}</h1>"
        f"<p>{escape(info['description'])} Machine-readable: "
        '<a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>'
        "<table><thead><tr><th>Route</th><th>What</th><th>Parameters</th><th>Status</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table></main></body></html>"
    )
