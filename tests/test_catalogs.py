"""Catalogs: complete Arabic, official terminology, data strings extracted the standard way."""

from __future__ import annotations

import datetime as dt
import shutil
from importlib.metadata import entry_points

import pytest

from cnops_legaldocs import assets, catalogs
from cnops_legaldocs.catalogs import catalog, data_messages, format_long_date, problems


def test_catalogs_are_complete_and_cover_the_data(data):
    assert [str(p) for p in problems(data)] == []


def test_every_data_string_is_translated_into_arabic(data):
    ar = catalog("ar")
    for message in data_messages(data):
        assert ar.get(message) is not None and ar.get(message).string, message


@pytest.mark.parametrize(
    ("french", "arabic_term"),
    [
        (
            "Les données collectées ne seront utilisées",
            "اللجنة الوطنية لمراقبة حماية المعطيات ذات الطابع الشخصي",
        ),
        (
            "Conformément à la loi n° 09-08",
            "رقم 09.08 المتعلق بحماية الأشخاص الذاتيين تجاه معالجة المعطيات ذات الطابع الشخصي",
        ),
        ("Droits d’accès, de rectification et d’opposition", "حقوق الأشخاص المعنيين في الولوج"),
        ("Identité du responsable du traitement", "المسؤول عن المعالجة"),
        ("Propriété intellectuelle", "الملكية الفكرية"),
    ],
)
def test_official_terminology(french, arabic_term):
    ar = catalog("ar")
    (message,) = [m for m in ar if m.id and m.id.startswith(french)]
    assert arabic_term in message.string


def test_law_number_is_never_reversed_in_arabic():
    for message in catalog("ar"):
        assert "08-09" not in (message.string or ""), message.id
        assert "08.09" not in (message.string or ""), message.id


def test_moroccan_dates():
    day = dt.date(2026, 11, 26)
    assert format_long_date(day, "ar") == "26 نونبر 2026"
    assert format_long_date(day, "fr") == "26 novembre 2026"


def test_an_incomplete_catalog_is_reported(tmp_path, monkeypatch, data):
    copy = tmp_path / "translations"
    shutil.copytree(assets.translations_dir(), copy)
    po = copy / "ar" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgstr "الملكية الفكرية"', 'msgstr ""', 1)
    text = text.replace('msgid "Vidéosurveillance"', '#, fuzzy\nmsgid "Vidéosurveillance"', 1)
    po.write_text(text, encoding="utf-8")
    monkeypatch.setattr(assets, "translations_dir", lambda: copy)
    catalogs.catalog.cache_clear()
    try:
        found = [str(p) for p in problems(data, ["ar"])]
    finally:
        catalogs.catalog.cache_clear()
    assert any("untranslated: Propriété intellectuelle" in p for p in found)
    assert any("fuzzy entry: Vidéosurveillance" in p for p in found)


def test_data_extractor_is_registered_for_pybabel():
    (ep,) = [e for e in entry_points(group="babel.extractors") if e.name == "cnops_legaldocs_data"]
    assert ep.load() is catalogs.extract_data


def test_extractor_yields_every_prose_string_with_its_line(data):
    path = assets.default_data()
    with open(path, "rb") as fh:
        found = list(catalogs.extract_data(fh, None, None, {}))
    messages = {m for _, _, m, _ in found}
    assert set(data_messages(data)) <= messages
    text = path.read_text(encoding="utf-8").splitlines()
    for line, _, message, _ in found:
        if message == "Vidéosurveillance":
            assert "Vidéosurveillance" in text[line - 1]
