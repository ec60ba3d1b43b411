"""The command line as a clerk uses it: build, render, check, and clear refusals."""

from __future__ import annotations

import contextlib
import io
import logging
import subprocess

import pytest

from cnops_legaldocs import api
from cnops_legaldocs.assets import default_data
from cnops_legaldocs.bilingual import file_tag
from cnops_legaldocs.cli import main

SOURCE = default_data().read_text(encoding="utf-8")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The command line, run in this process (the entry point itself runs in a process of its
    own in tests/trust), with its exit status and output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse refusing an option
            code = int(exc.code or 0)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def test_build_writes_every_document_named_predictably(tmp_path, capsys, reuse_renders):
    assert main(["build", "-o", str(tmp_path / "out")]) == 0
    expected = {
        f"{kind}-{file_tag(lang)}.{fmt}"
        for kind in api.KINDS
        for lang in api.EDITIONS
        for fmt in api.formats_of(kind, lang)
    }
    assert {file_tag(lang) for lang in api.EDITIONS} == {"fr", "ar", "bilingual"}
    assert {p.name for p in (tmp_path / "out").iterdir()} == expected
    for path in (tmp_path / "out").iterdir():
        assert path.read_bytes()[:4] in (b"%PDF", b"PK\x03\x04")


def test_render_one_document(tmp_path):
    target = tmp_path / "notice.pdf"
    assert main(["render", "notice", "--lang", "ar", "--format", "pdf", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF-")


def test_check_reports_the_fallback_warnings_and_succeeds(capsys):
    assert main(["check"]) == 0
    out, err = capsys.readouterr()
    assert "ok (2 warnings)" in out
    assert "operations[13].contact" in err
    assert "الصندوق الوطني" in out  # logical order when not a terminal


def test_bad_data_exits_2_with_file_line_field_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SOURCE.replace("contact: dlp", "contact: nobody", 1), encoding="utf-8")
    out_dir = tmp_path / "out"
    result = run("build", "-o", str(out_dir), "--data", str(bad))
    assert result.returncode == 2
    line = SOURCE[: SOURCE.index("contact: dlp")].count("\n") + 1
    assert f"{bad}:{line}: operations[1].contact: unknown contact id 'nobody'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out_dir.exists()


def test_check_fails_on_bad_data(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SOURCE.replace("A-PO-109/2016", "A-PO-109", 1), encoding="utf-8")
    result = run("check", "--data", str(bad))
    assert result.returncode == 2
    assert "operations[2].reference" in result.stderr


def test_missing_data_file(tmp_path):
    result = run("check", "--data", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "nope.yaml: file not found" in result.stderr


def test_non_utf8_data_file(tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(SOURCE.encode("utf-8").replace("é".encode(), b"\xe9"))
    result = run("check", "--data", str(bad))
    assert result.returncode == 2
    assert "not UTF-8" in result.stderr


def test_debug_shows_the_traceback(tmp_path):
    result = run("--debug", "check", "--data", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "Traceback" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["render", "poem", "--lang", "fr", "-o", "x.pdf"],
        ["render", "notice", "--lang", "en", "-o", "x.pdf"],
        ["render", "notice", "--lang", "fr", "--format", "odt", "-o", "x.pdf"],
    ],
)
def test_unknown_choices_exit_2_and_write_nothing(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_harfbuzz_subset_is_warned_once(monkeypatch, caplog):
    import weasyprint.text.ffi

    from cnops_legaldocs.renderers import pdf

    monkeypatch.setattr(weasyprint.text.ffi, "harfbuzz_subset", None)
    pdf._harfbuzz_check.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="cnops_legaldocs"):
            pdf._harfbuzz_check()
            pdf._harfbuzz_check()
    finally:
        pdf._harfbuzz_check.cache_clear()
    # The library's own records only: a first import of WeasyPrint in this process logs too.
    (warning,) = [r.message for r in caplog.records if r.name == "cnops_legaldocs"]
    assert "libharfbuzz-subset0" in warning


def test_render_poster_on_a4(tmp_path):
    from pypdf import PdfReader

    target = tmp_path / "poster.pdf"
    assert main(["render", "poster", "--lang", "fr", "--paper", "a4", "-o", str(target)]) == 0
    box = PdfReader(target).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_paper_for_a_kind_without_choice_exits_2_and_writes_nothing(tmp_path, capsys):
    target = tmp_path / "notice.pdf"
    assert main(["render", "notice", "--lang", "fr", "--paper", "A3", "-o", str(target)]) == 2
    assert "the notice is laid out for A4 paper only" in capsys.readouterr().err
    assert not target.exists()


def test_build_paper_applies_to_the_poster(tmp_path, reuse_renders):
    from pypdf import PdfReader

    assert main(["build", "-o", str(tmp_path), "--paper", "A4"]) == 0
    for name, size in (("poster-ar.pdf", (595, 842)), ("notice-ar.pdf", (595, 842))):
        box = PdfReader(tmp_path / name).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == size
    box = PdfReader(tmp_path / "register-fr.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
