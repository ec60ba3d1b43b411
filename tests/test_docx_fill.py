"""The DOCX fast path of pre-filled forms in batch (`renderers/docx/fill.py`): each row's
values written into a copy of the form's XML, byte for byte the row rendered whole."""

from __future__ import annotations

import concurrent.futures as cf
import csv

import pytest

import cnops_legaldocs as cl
from cnops_legaldocs import batch
from cnops_legaldocs.person import FIELDS
from cnops_legaldocs.renderers.docx import fill, writer
from docxread import PERSON

ROWS = [
    PERSON,  # Arabic name and address, Latin first name; e-mail blank (a control stays)
    {**PERSON, "nom": "الإدريسي", "adresse": "حي الرياض، شارع 7، الرباط", "prenom": "سلمى"},
    {**PERSON, "nom": "Bennani", "adresse": "5, rue de Fès (2e étage) — Rabat", "cin": "K99"},
    {**PERSON, "nom": "El Fassi", "prenom": "Omar", "adresse": "Résidence Al Andalous, immeuble"
     " 12, appartement 34, avenue Mohammed VI, quartier Hay Riad, 10100 Rabat"},  # wraps
    {"nom": "Tazi", "prenom": "Amina", "cin": "AB1", "email": "a.tazi@example.ma"},  # other set
    {"nom": "Tazi", "prenom": "Karima", "cin": "AB2", "email": "k.tazi@example.ma"},
]  # fmt: skip


@pytest.mark.parametrize("kind", ["rights-request", "marketing-consent"])
@pytest.mark.parametrize("lang", ["ar", "fr", "fr+ar"])
def test_filled_rows_are_the_rows_rendered_whole(data, kind, lang, monkeypatch):
    writes = []
    original = writer.Writer.write

    def counting(self):
        writes.append(self)
        return original(self)

    filler = fill.FormFiller(data, kind, lang)
    monkeypatch.setattr(writer.Writer, "write", counting)
    filled = [filler.render(row) for row in ROWS]
    assert len(writes) == 2  # one base per set of filled fields; the other rows filled in
    monkeypatch.undo()
    for row, content in zip(ROWS, filled, strict=True):
        assert content == cl.render(data, kind, lang, "docx", person=row), row


def test_a_character_the_fonts_do_not_keep_renders_the_row_whole(data):
    row = {**PERSON, "nom": "Šťastný"}  # Latin Extended-A: not in subset.TYPING
    filler = fill.FormFiller(data, "rights-request", "fr")
    assert filler.render(row) == cl.render(data, "rights-request", "fr", "docx", person=row)
    assert not filler.bases  # no base was made of it


def test_batch_uses_the_docx_fast_path(data, tmp_path):
    assert batch.prepare_form(data, "rights-request", "ar", "docx").__module__ == fill.__name__
    source = tmp_path / "rows.csv"
    with open(source, "w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=FIELDS)
        out.writeheader()
        for row in ROWS[:3]:
            out.writerow(row)
    jobs = batch.person_jobs(batch.person_file(source), "rights-request", "ar", "docx")
    with cf.ThreadPoolExecutor(1) as executor:
        summary = batch.render_many(jobs, tmp_path / "out", data=data, executor=executor)
    assert summary.failed == 0 and summary.rendered == 3
    files = sorted((tmp_path / "out").glob("*.docx"))
    assert len(files) == 3
    expected = {cl.render(data, "rights-request", "ar", "docx", person=row) for row in ROWS[:3]}
    assert {f.read_bytes() for f in files} == expected
