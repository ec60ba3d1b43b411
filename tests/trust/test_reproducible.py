"""Reproducible: the same input gives the same bytes across runs, processes and days; dates
come from the data (document dates) or SOURCE_DATE_EPOCH (anything else), never the clock."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest
from fontTools.ttLib import TTFont

from cnops_legaldocs import api, assets, documents, model

from . import data, readback
from .conftest import COMBINATIONS

EPOCH_1904 = dt.datetime(1904, 1, 1, tzinfo=dt.UTC)


def test_same_bytes_from_another_process(tmp_path: Path, default_renders: dict) -> None:
    """Every document built by the command line in another process, in another time zone."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "TZ": "Asia/Tokyo"}
    env.pop("SOURCE_DATE_EPOCH", None)
    subprocess.run(
        [sys.executable, "-m", "cnops_legaldocs.cli", "build", "-o", str(tmp_path)],
        check=True,
        env=env,
        timeout=300,
        capture_output=True,
    )
    for (kind, lang, fmt), content in default_renders.items():
        assert (tmp_path / f"{kind}-{lang}.{fmt}").read_bytes() == content


@pytest.mark.parametrize("combo", COMBINATIONS, ids="-".join)
def test_same_bytes_on_a_second_run_another_day(
    combo: tuple[str, str, str],
    default_data: model.LegalData,
    default_renders: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second run, the clock moved ten years on: nothing in the file changes (neither
    from one run to the next nor with the clock: fontTools stamps the variable Noto Serif
    instance with time.time() unless told otherwise)."""
    later = time.time() + 10 * 365 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert api.render(default_data, *combo) == default_renders[combo]


def _dated(day: str) -> model.LegalData:
    source = data.example()
    source["notice"]["effective_date"] = dt.date.fromisoformat(day)
    return model.loads(data.dump(source))


def _font_stamps(content: bytes) -> dict[str, dt.datetime]:
    """The ``head.modified`` date of every font embedded in a PDF, by font name."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    stamps = {}
    for obj in readback.all_objects(reader):
        if isinstance(obj, dict) and obj.get("/Type") == "/FontDescriptor":
            font = TTFont(io.BytesIO(obj["/FontFile2"].get_object().get_data()))
            stamps[str(obj["/FontName"])] = EPOCH_1904 + dt.timedelta(seconds=font["head"].modified)
    return stamps


def _original_stamps() -> set[dt.datetime]:
    stamps = set()
    for face in assets.fonts():
        with TTFont(face.path, lazy=True) as font:
            stamps.add(EPOCH_1904 + dt.timedelta(seconds=font["head"].modified))
    return stamps


_PDF = [c for c in COMBINATIONS if c[2] == "pdf"]
# Every PDF as rendered by default (PDF/A, or plain for a fillable form), and the fillable
# forms also as PDF/UA, which gives them XMP metadata.
_DATED = [(c, None) for c in _PDF] + [
    (c, "pdf/ua-1") for c in _PDF if c[0] in documents.FILLABLE_KINDS
]


@pytest.mark.parametrize(
    ("combo", "variant"), _DATED, ids=lambda v: "-".join(v) if isinstance(v, tuple) else v
)
def test_dates_come_from_the_data(
    combo: tuple[str, str, str], variant: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    content = api.render(_dated("2019-03-01"), *combo, pdf_variant=variant)
    info = readback.info(content)
    assert info["/CreationDate"] == info["/ModDate"] == "D:20190301000000Z"
    if "/Metadata" in readback.catalog(content):
        xmp = readback.xmp(content)
        assert readback.xmp_value(xmp, "xmp:CreateDate") == "2019-03-01T00:00:00Z"
        assert readback.xmp_value(xmp, "xmp:ModifyDate") == "2019-03-01T00:00:00Z"
    else:  # a plain PDF (a fillable form): no XMP packet, so no other date either
        assert combo[0] in documents.FILLABLE_KINDS and variant is None
    # Nowhere else a date (a form field's, an annotation's): only the document's.
    raw = readback.raw_bytes(content, "pdf")
    assert set(re.findall(rb"D:(\d{8})", raw)) == {b"20190301"}
    assert set(re.findall(rb"(\d{4}-\d\d-\d\d)T\d\d:\d\d", raw)) <= {b"2019-03-01"}
    # Subsets keep their font file's own date; the instance of the variable Noto Serif takes
    # the document's, never the clock's.
    document_date = dt.datetime(2019, 3, 1, tzinfo=dt.UTC)
    stamps = _font_stamps(content)
    assert set(stamps.values()) <= {document_date, *_original_stamps()}
    if any("Noto" in name for name in stamps):
        assert document_date in stamps.values()


def test_source_date_epoch_stamps_the_rest_and_not_the_document_dates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    data_2019 = _dated("2019-03-01")
    content = api.render(data_2019, "notice", "fr")
    assert api.render(data_2019, "notice", "fr") == content
    assert readback.info(content)["/CreationDate"] == "D:20190301000000Z"
    stamps = set(_font_stamps(content).values()) - _original_stamps()
    assert stamps == {dt.datetime.fromtimestamp(1700000000, dt.UTC)}
    assert "SOURCE_DATE_EPOCH" in os.environ and os.environ["SOURCE_DATE_EPOCH"] == "1700000000"


def test_the_environment_is_left_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    api.render(model.load(), "register", "fr")
    assert "SOURCE_DATE_EPOCH" not in os.environ


@pytest.mark.parametrize("value", ["yesterday", "-5", "1.5e9"])
def test_a_bad_source_date_epoch_of_the_host_is_ignored(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host's invalid value must not make every render fail: the document's date stamps
    the files, as when the variable is not set (issue 10)."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    expected = api.render(model.load(), "notice", "fr")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert api.render(model.load(), "notice", "fr") == expected
    assert os.environ["SOURCE_DATE_EPOCH"] == value
