"""No fetch, ever, except packaged assets: markup, CSS and URLs in the data come out as
literal text, nothing reaches the network, no local file is embedded."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from lxml import etree

from cnops_legaldocs import api, assets, documents, model
from cnops_legaldocs.documents import Document
from cnops_legaldocs.renderers import pdf

from . import data, readback
from .conftest import COMBINATIONS, Recorder

SECRET = "trust-secret-7f3a9c41"
HOSTNAME = Path("/etc/hostname")


@pytest.fixture(scope="session")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "secret.txt"
    path.write_text(SECRET)
    return path


def payloads(recorder: Recorder) -> list[str]:
    """Markup that fetches or embeds something if it is ever parsed, each short enough (words
    of at most 25 characters) for any free-text field."""
    url = recorder.url
    return [
        f"<img src= {url('i')} >",
        "<link rel=attachment href= file:///etc/hostname >",
        f"<link rel=stylesheet href= {url('s')} >",
        f"<style>@import url( {url('m')} );</style>",
        f'<p style="background: url( {url("b")} )">x</p>',
        f"<script src= {url('j')} ></script>",
        f"url( {url('u')} ) @import ' {url('q')} '",
        f"<object data= {url('o')} ></object><iframe src= {url('f')} >",
        f"<svg><image href= {url('g')} /></svg>",
        f"<a rel=attachment href= {url('a')} >a</a>",
    ]


# What each payload must print as: its markup, literally.
LITERALS = ["<img", "<link rel=attachment", "<style>@import", "<script", "url(", "@import", "<svg>"]


@pytest.fixture(scope="session")
def hostile_source(recorder: Recorder, secret_file: Path) -> dict:
    """The notice with markup in every free-text field and the local server as its web
    addresses, as YAML data."""
    marks = payloads(recorder)
    local = [
        f'<link rel=attachment href="{secret_file.as_uri()}">',
        f'<img src="{secret_file.as_uri()}">',
        f"<style>@import url({secret_file.as_uri()});</style>",
    ]
    counter = iter(range(10**6))

    def fill(field: data.Field, old: str) -> str:
        _, limit, _ = field
        if limit >= model.Limit.PROSE:
            return " ".join([old, *marks, *local])
        if limit <= model.Limit.CODE:
            return "<script>x</script>"
        return marks[next(counter) % len(marks)]

    source = data.replace_text(data.example(), fill)
    source["body"]["website"] = source["channels"]["portal"] = recorder.url("w")
    source["notice"]["url"] = recorder.url("n")
    return source


@pytest.fixture(scope="session")
def hostile(hostile_source: dict) -> model.LegalData:
    return model.loads(data.dump(hostile_source), "hostile.yaml")


def _printed_fields(kind: str, lang: str) -> list[tuple[str | int, ...]]:
    """Where the free-text fields a document prints are: found by rendering the notice with a
    distinct marker word in each field."""
    fields = [field for field, _, _ in data.text_fields(data.example())]
    marker = {field: f"Mk{n}q" for n, field in enumerate(fields)}
    marked = data.replace_text(data.example(), lambda field, old: marker[field[0]])
    text = documents.build(model.loads(data.dump(marked)), kind, lang).text()
    words = set(re.findall(r"Mk\d+q", text))
    return [field for field in fields if marker[field] in words]


@pytest.fixture(scope="session")
def hostile_renders(hostile: model.LegalData) -> dict[tuple[str, str, str], bytes]:
    return {combo: api.render(hostile, *combo) for combo in COMBINATIONS}


@pytest.mark.parametrize("combo", COMBINATIONS, ids="-".join)
def test_no_request_leaves_the_machine(
    combo: tuple[str, str, str], hostile_renders: dict, recorder: Recorder
) -> None:
    assert hostile_renders[combo]
    assert recorder.connections == [], f"requests reached the server: {recorder.paths}"


@pytest.mark.parametrize("combo", COMBINATIONS, ids="-".join)
def test_no_file_is_embedded(
    combo: tuple[str, str, str], hostile_renders: dict, hostile: model.LegalData
) -> None:
    content, fmt = hostile_renders[combo], combo[2]
    found = readback.embedded_files(content, fmt)
    # The one image a file may carry is the QR code the package draws itself (the poster's
    # DOCX embeds it as a PNG): exactly qr.png_to_print of the data's notice address.
    made = {name for name in found if readback.is_package_qr(content, name, hostile.notice.url)}
    assert [name for name in found if name not in made] == []
    assert len(made) == (1 if combo[0] == "poster" and fmt == "docx" else 0)
    raw = readback.raw_bytes(content, fmt)
    assert SECRET.encode() not in raw
    hostname = HOSTNAME.read_text().strip() if HOSTNAME.exists() else ""
    if len(hostname) >= 4:
        assert hostname.encode() not in raw


@pytest.mark.parametrize("combo", COMBINATIONS, ids="-".join)
def test_markup_prints_as_literal_text(
    combo: tuple[str, str, str], hostile_renders: dict, hostile_source: dict
) -> None:
    """The markup of every field the document prints (a form or the poster prints a few of
    the notice's fields) is on the page as text."""
    values = [data.get(hostile_source, field) for field in _printed_fields(*combo[:2])]
    expected = [literal for literal in LITERALS if any(literal in v for v in values)]
    assert expected  # every document prints some: at least its issuer
    text = readback.text(hostile_renders[combo], combo[2])
    missing = [literal for literal in expected if literal not in text]
    assert missing == []


# -- the fetcher itself: the guard that holds even if markup ever got through ----------------


def test_fetcher_serves_the_package_fonts() -> None:
    fetcher = pdf.AssetFetcher()
    for face in assets.fonts():
        assert fetcher.fetch(face.path.as_uri()).read() == face.path.read_bytes()
    assert assets.allowed_files() == {face.path.resolve() for face in assets.fonts()}


def _refused_urls(recorder: Recorder, secret_file: Path, tmp_path: Path) -> list[str]:
    font_dir = assets.fonts()[0].path.parent
    disguised = tmp_path / assets.fonts()[0].path.name
    disguised.symlink_to(HOSTNAME if HOSTNAME.exists() else secret_file)
    return [
        recorder.url("direct"),
        f"https://127.0.0.1:{recorder.port}/tls",
        f"ftp://127.0.0.1:{recorder.port}/ftp",
        "data:text/css,body{background:red}",
        "data:font/ttf;base64,AAEAAAAKAIAAAwAgT1MvMg==",
        "file:///etc/hostname",
        secret_file.as_uri(),
        f"{font_dir.as_uri()}/../../../../../../etc/hostname",
        disguised.as_uri(),
        (assets.templates_dir() / "style" / "document.css").as_uri(),
        "hostname",
    ]


def test_fetcher_refuses_everything_else(
    recorder: Recorder, secret_file: Path, tmp_path: Path
) -> None:
    fetcher = pdf.AssetFetcher()
    for url in _refused_urls(recorder, secret_file, tmp_path):
        with pytest.raises(ValueError, match="blocked"):
            fetcher.fetch(url)
    assert recorder.connections == []


def test_raw_markup_given_to_the_renderer_fetches_nothing(
    recorder: Recorder, secret_file: Path, tmp_path: Path
) -> None:
    """Markup that reaches WeasyPrint unescaped (a template bug) still fetches nothing."""
    elements = "".join(
        f'<img src="{url}"/><link rel="attachment" href="{url}"/>'
        f'<link rel="stylesheet" href="{url}"/><object data="{url}"></object>'
        f'<p style="background: url({url})">x</p><style>@import url("{url}");</style>'
        for url in _refused_urls(recorder, secret_file, tmp_path)
    )
    html = f'<html lang="fr"><head><meta charset="utf-8"/></head><body>{elements}</body></html>'
    document = Document(
        kind="notice",
        lang="fr",
        root=etree.fromstring(html, etree.XMLParser(resolve_entities=False, no_network=True)),
        title="t",
        author="a",
        subject="s",
        keywords=(),
        created=dt.date(2026, 1, 1),
    )
    content = pdf.render(document)
    assert recorder.connections == [], f"requests reached the server: {recorder.paths}"
    assert readback.embedded_files(content, "pdf") == []
    assert SECRET.encode() not in readback.raw_bytes(content, "pdf")
