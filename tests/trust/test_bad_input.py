"""Bad input, clear errors, nothing lost: every case exits with status 2 and a message that
says where (file, line, field), leaves the output directory as it was and shows no traceback
unless --debug."""

from __future__ import annotations

import dataclasses
import errno
import io
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest

import registers
from cnops_legaldocs import api, documents, model
from cnops_legaldocs.errors import RenderError
from cnops_legaldocs.model import CELL_WORD, MAX_SECTIONS, Limit
from cnops_legaldocs.person import LIMITS

from . import data, readback
from .conftest import COMBINATIONS, Run

Mutation = Callable[[dict[str, Any]], None]


def _set(where: tuple[str | int, ...], value: Any) -> Mutation:
    return lambda source: data.put(source, where, value)


def _delete(where: tuple[str | int, ...]) -> Mutation:
    return lambda source: data.get(source, where[:-1]).pop(where[-1])


def _duplicate_reference(source: dict[str, Any]) -> None:
    source["operations"][3]["reference"] = source["operations"][1]["reference"]


def _tagged(where: tuple[str | int, ...], written: str) -> str:
    """The example with the value at `where` written as is (a tag, an unquoted value)."""
    source = data.example()
    data.put(source, where, "@@VALUE@@")
    return data.dump(source).replace("'@@VALUE@@'", written).replace("@@VALUE@@", written)


def _too_many(where: tuple[str | int, ...], limit: int) -> Mutation:
    def change(source: dict[str, Any]) -> None:
        items = data.get(source, where)
        items[:] = [dict(items[i % len(items)]) for i in range(limit + 1)]

    return change


def _too_many_sections(source: dict[str, Any]) -> None:
    model_section = source["sections"][0]
    source["sections"] = [{**model_section, "id": f"section-{i}"} for i in range(MAX_SECTIONS + 1)]


WORDS = ("mot " * 2500).strip()  # 9,999 characters that wrap

# name: (change to the example, or raw file text; what the message must say)
CASES: dict[str, tuple[Mutation | str | bytes, str]] = {
    "malformed-yaml": ("schema: 1\nnotice: [unclosed, list\nbody: x\n", r":3:\d+: malformed YAML"),
    "tab-indentation": ("schema: 1\nnotice:\n\ttitle: x\n", r":3:1: malformed YAML"),
    "nul-character": ("schema: 1\nnotice: a\x00b\n", r":2:10: malformed YAML: character U\+0000"),
    "deep-nesting": ("schema: 1\nnotice: " + "[" * 5000, "nest too deeply"),
    "not-utf8": ("schema: 1\nnotice:\n  title: Télé\n".encode("latin-1"), "not UTF-8"),
    "empty-file": ("", "the file is empty"),
    "not-a-mapping": ("- a\n- b\n", ":1: expected a mapping"),
    "python-tag": (
        "schema: !!python/object/apply:os.system ['false']\n",
        ":1: schema: expected a single value",
    ),
    "unknown-tag": ("schema: !!binary not-base64\n", ":1: schema: not a valid value"),
    "schema-version": (_set(("schema",), 2), r":\d+: schema: unsupported schema version"),
    "date-as-text": (_set(("notice", "effective_date"), "tomorrow"), "expected a date"),
    "impossible-date": (
        data.dump(data.example()).replace("2026-11-26", "2026-13-45"),
        "notice.effective_date: not a valid value",
    ),
    "list-for-text": (_set(("operations", 0, "title"), ["a", "b"]), "expected a single value"),
    "mapping-for-list": (_set(("operations",), {"a": 1}), "operations: expected a list"),
    "number-for-phone": (_set(("channels", "call_centre"), 12), "not a Moroccan phone"),
    "bad-email": (_set(("contacts", 0, "email"), "dic(at)cnops"), "not an e-mail address"),
    "bad-url": (_set(("body", "website"), "javascript:alert(1)"), "not a web address"),
    "missing-section": (_delete(("contacts",)), "contacts: missing"),
    "missing-field": (_delete(("operations", 2, "title")), r"operations\[2\]\.title: missing"),
    "unknown-field": (_set(("notice", "titel"), "x"), r":\d+: notice.titel: unknown field \(check"),
    "duplicate-reference": (_duplicate_reference, r"operations\[3\]\.reference: CNDP reference"),
    "malformed-reference": (
        _set(("operations", 0, "reference"), "X-12/2016"),
        "not a CNDP reference",
    ),
    "reference-before-the-law": (_set(("operations", 0, "reference"), "A-GA-1/2008"), "2009"),
    "unknown-contact": (_set(("operations", 1, "contact"), "nobody"), "unknown contact id"),
    "empty-register": (_set(("operations",), []), "the register is empty"),
    "no-section": (_set(("sections",), []), "the notice has no section"),
    "too-many-sections": (_too_many_sections, "too many sections"),
    "unknown-placeholder": (_set(("notice", "title"), "%(person)s"), "unknown placeholder"),
    "lone-percent": (_set(("notice", "title"), "100 % légal"), "a lone % must be written %%"),
    "10000-characters": (_set(("operations", 0, "title"), WORDS), r"too long \(9999 characters"),
    "10000-characters-prose": (
        _set(("sections", 0, "blocks", 0, "p"), WORDS),
        rf"too long \(9999 characters, at most {int(Limit.PROSE)}\)",
    ),
    "10000-character-word": (_set(("body", "name", "fr"), "x" * 10000), "too long"),
    "long-word-in-a-table": (
        _set(("contacts", 0, "title"), "Chef " + "x" * (CELL_WORD + 1)),
        f"a word is longer than {CELL_WORD} characters",
    ),
    "emoji": (_set(("operations", 0, "title"), "Gestion 🙂"), "fonts cannot print .*U\\+1F642"),
    "empty-value": (_set(("body", "app"), " \u202e "), "body.app: must not be empty"),
    # Hostile files (#17): aliases, sizes, coercions, values never echoed.
    "alias": (
        data.dump(data.example())
        .replace("title: ", "title: &t ", 1)
        .replace("version: ", "version: *t #", 1),
        r":\d+:\d+: malformed YAML: aliases \(\*name\) are not allowed",
    ),
    "undefined-alias-not-quoted": (
        "schema: 1\nnotice: *AB123456\n",
        r":2:9: malformed YAML: aliases \(\*name\) are not allowed: write the value out$",
    ),
    "merge-key-alias": ("schema: 1\nbase: &b {a: 1}\nnotice:\n  <<: *b\n", "aliases"),
    "oversized-file": (
        b"schema: 1\nnotice:\n  title: " + b"x " * (2 * 1024 * 1024) + b"\n",
        r"too large \(more than 4 MB\)",
    ),
    "binary-title": (
        _tagged(("notice", "title"), "!!binary SGVsbG8="),
        "notice.title: expected text",
    ),
    "float-version": (_tagged(("notice", "version"), "!!float 1e400"), "notice.version: expected"),
    "null-app": (_tagged(("body", "app"), "null"), "body.app: expected text"),
    "boolean-acronym": (_tagged(("body", "acronym"), "yes"), "body.acronym: expected text"),
    "date-for-text": (_tagged(("notice", "title"), "2026-01-01"), "notice.title: expected text"),
    "unknown-key-not-quoted": (
        "Alaoui Salma AB123456: 100200300\n",
        r":1: schema: missing \(this field is required\); found unknown field on line 1, a",
    ),
    "too-many-operations": (_too_many(("operations",), model.MAX_OPERATIONS), "too many items"),
    "too-many-contacts": (_too_many(("contacts",), 500), r"contacts: too many items \(501"),
    "too-many-blocks": (_too_many(("sections", 0, "blocks"), 500), "too many items"),
    "terminal-escape-in-a-key": (
        _set(("notice", "\x1b[2J\u202eevil"), "x"),
        r":\d+: notice: unknown field",
    ),
}


def _source(case: Mutation | str | bytes) -> bytes:
    if isinstance(case, bytes):
        return case
    if isinstance(case, str):
        return case.encode()
    source = data.example()
    case(source)
    return data.dump(source).encode()


@pytest.fixture
def outdir(tmp_path: Path) -> Path:
    """An output directory that already holds a file, which a failure must leave alone."""
    directory = tmp_path / "out"
    directory.mkdir()
    (directory / "keep.pdf").write_bytes(b"%PDF- previous edition")
    return directory


def _listing(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


COMMANDS = {
    "render": lambda f, o: ["render", "notice", "--lang", "fr", "--data", f, "-o", f"{o}/x.pdf"],
    "build": lambda f, o: ["build", "--data", f, "-o", o],
    "check": lambda f, o: ["check", "--data", f],
}


def _assert_clean_failure(run: Run, outdir: Path, before: dict[str, bytes], pattern: str) -> None:
    assert run.code == 2, run.err
    assert run.err.startswith("error: "), run.err
    assert "Traceback" not in run.err + run.out
    assert re.search(pattern, run.err), run.err
    assert _listing(outdir) == before


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", CASES)
def test_bad_data_is_refused_clearly(
    name: str, command: str, tmp_path: Path, outdir: Path, run_cli: Callable[..., Run]
) -> None:
    case, pattern = CASES[name]
    source = tmp_path / "bad.yaml"
    source.write_bytes(_source(case))
    before = _listing(outdir)
    run = run_cli(*COMMANDS[command](str(source), str(outdir)))
    _assert_clean_failure(run, outdir, before, pattern)
    assert f"error: {source}" in run.err  # the file, then line, column and field


def test_missing_data_file(tmp_path: Path, outdir: Path, run_cli: Callable[..., Run]) -> None:
    before = _listing(outdir)
    run = run_cli(*COMMANDS["render"](str(tmp_path / "nowhere.yaml"), str(outdir)))
    _assert_clean_failure(run, outdir, before, "nowhere.yaml: file not found")


def test_a_directory_as_data_file(
    tmp_path: Path, outdir: Path, run_cli: Callable[..., Run]
) -> None:
    before = _listing(outdir)
    run = run_cli(*COMMANDS["render"](str(tmp_path), str(outdir)))
    _assert_clean_failure(run, outdir, before, "cannot be read")


def test_unknown_variant_is_refused_by_the_command_line(
    outdir: Path, run_cli: Callable[..., Run]
) -> None:
    before = _listing(outdir)
    run = run_cli(
        "render", "notice", "--lang", "fr", "--pdf-variant", "pdf/x-4", "-o", f"{outdir}/x.pdf"
    )
    assert run.code == 2 and "invalid choice" in run.err and "Traceback" not in run.err
    assert _listing(outdir) == before


# -- output that cannot be written -------------------------------------------------------------


def _write_commands(outdir: Path) -> dict[str, list[str]]:
    return {
        "render": ["render", "register", "--lang", "ar", "-o", f"{outdir}/sub/x.pdf"],
        "build": ["build", "-o", f"{outdir}/sub"],
    }


@pytest.mark.usefixtures("reuse_renders")
@pytest.mark.parametrize("command", ["render", "build"])
def test_output_under_a_file(command: str, outdir: Path, run_cli: Callable[..., Run]) -> None:
    (outdir / "sub").write_text("a file where a directory is expected")
    before = _listing(outdir)
    run = run_cli(*_write_commands(outdir)[command])
    _assert_clean_failure(run, outdir, before, "a part of the path is a file|cannot write")


@pytest.mark.usefixtures("reuse_renders")
@pytest.mark.parametrize("command", ["render", "build"])
def test_unwritable_directory(
    command: str, outdir: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory the user may not write to (simulated: tests run as root, which may)."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied", kwargs.get("dir"))

    # Every write goes through a temporary file beside its target (output.atomic_file,
    # write_all): refusing the system call that creates it refuses every write path.
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    before = _listing(outdir)
    run = run_cli(*_write_commands(outdir)[command])
    _assert_clean_failure(run, outdir, before, "cannot write to .*sub: permission denied")


def test_read_only_system_directory(run_cli: Callable[..., Run]) -> None:
    target = Path("/sys")
    try:
        fd, probe = tempfile.mkstemp(dir=target)
    except OSError:
        pass
    else:  # pragma: no cover - a machine where /sys is writable
        os.close(fd)
        os.unlink(probe)
        pytest.skip("/sys is writable here")
    run = run_cli("render", "notice", "--lang", "fr", "-o", "/sys/notice.pdf")
    assert run.code == 2 and "cannot write to /sys" in run.err and "Traceback" not in run.err


def _disk_full_while_writing(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Simulate a disk that fills up while the file `name` is written: the system call that
    flushes a file to disk fails for that file's temporary file, in this process and in the
    worker processes forked from it (every write path syncs its file before renaming it)."""
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        written = Path(os.readlink(f"/proc/self/fd/{fd}")).name
        if written.startswith(f".{name}.") and written.endswith(".part"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.usefixtures("reuse_renders")
@pytest.mark.parametrize("command", ["render", "build"])
def test_disk_full(
    command: str, outdir: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up while the last file is written: nothing is left, not even the files
    written in full before it."""
    kind, lang, fmt = COMBINATIONS[-1]  # `build` writes in this order
    _disk_full_while_writing(
        monkeypatch, "x.pdf" if command == "render" else f"{kind}-{lang}.{fmt}"
    )
    before = _listing(outdir)
    run = run_cli(*_write_commands(outdir)[command])
    _assert_clean_failure(run, outdir, before, "the disk is full")
    assert not (outdir / "sub").exists()


def test_disk_full_in_a_batch(
    tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch keeps the rows written whole (a rerun resumes after them): the row whose file
    met the full disk fails with a clear reason and leaves no partial file."""
    source = data.example_branches()
    source["branches"] = source["branches"][:3]
    branches = data.write(tmp_path / "branches.yaml", source)
    second = source["branches"][1]["id"]
    _disk_full_while_writing(monkeypatch, f"{second}.pdf")
    out = tmp_path / "out"
    run = run_cli(
        "batch", "notice", "--branches", str(branches), "--lang", "fr", "--jobs", "1",
        "-o", str(out),
    )  # fmt: skip
    assert run.code == 2, run.err
    assert "Traceback" not in run.err + run.out
    assert re.search(
        r"failed: row 2 \(line \d+\): its file cannot be written: the disk is full", run.err
    ), run.err
    assert "3 rows: 2 rendered, 0 already complete, 1 failed" in run.out
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    written = sorted(p.name for p in out.glob("*.pdf"))
    assert written == sorted(f"{b['id']}.pdf" for b in source["branches"] if b["id"] != second)
    for name in written:
        assert readback.page_texts((out / name).read_bytes(), "pdf")  # whole, readable


def test_no_traceback_unless_debug(tmp_path: Path) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text("schema: 1\nnotice: [unclosed\n")
    command = [sys.executable, "-m", "cnops_legaldocs.cli", "check", "--data", str(source)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    plain = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert plain.returncode == 2
    assert plain.stderr.startswith("error: ") and "Traceback" not in plain.stderr
    debug = subprocess.run(
        [*command[:3], "--debug", *command[3:]],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert debug.returncode == 2
    assert "Traceback" in debug.stderr and "malformed YAML" in debug.stderr


# -- big and long inputs -----------------------------------------------------------------------


def _big_register(rows: int) -> dict[str, Any]:
    source = data.example()
    contacts = [c["id"] for c in source["contacts"]]
    source["operations"] = [
        {
            "title": f"Traitement numéro {i} de la liste",
            "reference": f"A-T-{i}/2020",
            "contact": contacts[i % len(contacts)],
        }
        for i in range(1, rows + 1)
    ]
    return source


HEADER = {"fr": ["N°", "Traitement", "Régime", "Adresse mail"], "ar": ["الرقم", "المعالجة"]}


def _check_big_register(content: bytes, references: list[str], lang: str) -> None:
    pages = readback.page_texts(content, "pdf")
    assert len(pages) > 2
    for number, page in enumerate(pages, 1):
        missing = [h for h in HEADER[lang] if readback.normalise(h) not in page]
        assert missing == [], f"page {number} lacks the table header"
    if documents.DIRECTIONS[lang] == "rtl":  # Latin tokens in Arabic: read in glyph order
        text = "\n".join(readback.visual_lines(content, "pdf"))
    else:
        text = " ".join(pages)
    missing = [reference for reference in references if reference not in text]
    assert missing == []


def test_a_2000_row_register(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    """Multi-page table: every row printed, the header repeated on every page (through the
    command line, in the source language: the Arabic layout is the next test's)."""
    source = data.write(tmp_path / "big.yaml", _big_register(2000))
    out = tmp_path / "register.pdf"
    run = run_cli("render", "register", "--lang", "fr", "--data", str(source), "-o", str(out))
    assert run.code == 0, run.err
    _check_big_register(out.read_bytes(), [f"A-T-{i}/2020" for i in range(1, 2001)], "fr")


@pytest.mark.parametrize("lang", model.LANGUAGES)
def test_a_long_register_in_every_language(lang: str, big_register: Callable[[str], bytes]) -> None:
    """The long register shared with test_pdf (rendered once per session)."""
    references = [registers.reference(row) for row in range(registers.ROWS)]
    _check_big_register(big_register(lang), references, lang)


def _at_the_limits() -> dict[str, Any]:
    """Every free-text field as long as the model allows, in words as long as allowed."""
    word = "Abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"

    def fill(field: data.Field, old: str) -> str:
        _, limit, longest = field
        unit = word[: longest or 40] + " "
        return (unit * (limit // len(unit) + 1))[:limit].strip()

    source = data.replace_text(data.example(), fill)
    for i, contact in enumerate(source["contacts"]):
        contact["email"] = (f"{i}" + "a" * Limit.EMAIL)[: Limit.EMAIL - 9] + "@cnops.ma"
    source["body"]["website"] = ("https://www.cnops.org.ma/" + "c" * Limit.URL)[: Limit.URL]
    for i, operation in enumerate(source["operations"]):
        operation["reference"] = f"A-{'Z' * (Limit.CODE - 13)}-{10000 + i}/2016"
    return source


@pytest.mark.parametrize("combo", COMBINATIONS, ids="-".join)
def test_values_at_their_limits_wrap_inside_the_page(combo: tuple[str, str, str]) -> None:
    """Values at their limits wrap inside the page, or (a PDF whose layout would overflow, #17:
    the poster's one sheet, a margin) are refused: never a clipped page."""
    try:
        content = api.render(model.loads(data.dump(_at_the_limits())), *combo)
    except RenderError as exc:
        assert combo[2] == "pdf" and "does not fit" in str(exc), exc
        return
    if combo[2] != "pdf":
        content = readback._docx_as_pdf(content)
    assert readback.glyphs_outside_the_page(content) == 0


@pytest.mark.parametrize("combo", [c for c in COMBINATIONS if c[2] == "docx"], ids="-".join)
def test_long_names_are_shortened_in_the_word_properties(combo: tuple[str, str, str]) -> None:
    """A notice title naming the body twice, each name as long as allowed, makes a subject
    longer than the 255 characters a Word property holds: shortened, not a crash."""
    source = data.example()
    for lang in source["body"]["name"]:
        source["body"]["name"][lang] = ("Caisse " * 40)[: Limit.NAME].strip()
    source["notice"]["title"] = "%(body_name)s, %(body_name)s"
    loaded = model.loads(data.dump(source))
    content = api.render(loaded, *combo)
    properties = docx.Document(io.BytesIO(content)).core_properties
    subject = documents.build(loaded, *combo[:2]).subject
    assert len(subject) > 255
    assert properties.subject == subject[:254] + "…"
    assert len(properties.keywords) == 255 and properties.author == loaded.body.name[combo[1]]


FORM_COMBINATIONS = [c for c in COMBINATIONS if c[0] in documents.FORM_KINDS]
_SCRIPTS = {"latin": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"}


def _person_at_the_limits(script: str) -> dict[str, str]:
    """Every field of a person as long as `person.LIMITS` allows (and its format): names and
    address in words of 12 capitals or Arabic letters, the e-mail address one long word."""

    def words(key: str) -> str:
        unit = _SCRIPTS[script][:12] + " "
        return (unit * (LIMITS[key] // len(unit) + 1))[: LIMITS[key]].strip()

    return {
        "nom": words("nom"),
        "prenom": words("prenom"),
        "cin": "AB123456",  # its format's longest
        "immatriculation": ("1234567890" * 3)[: LIMITS["immatriculation"]],
        "adresse": words("adresse"),
        "telephone": "05 38 00 20 20",
        "email": "w" * (LIMITS["email"] - len("@cnops.ma")) + "@cnops.ma",
    }


@pytest.mark.parametrize("script", _SCRIPTS)
@pytest.mark.parametrize("combo", FORM_COMBINATIONS, ids="-".join)
def test_person_values_at_their_limits_wrap_inside_their_boxes(
    combo: tuple[str, str, str], script: str, default_data: model.LegalData
) -> None:
    """A pre-filled value is page text in a box of fixed width: as long as the limits allow,
    it wraps inside its box (the renderer refuses text outside its box), whole, never clipped."""
    person = _person_at_the_limits(script)
    content = api.render(default_data, *combo, person=person)
    printed = "".join(readback.text(content, combo[2]).split())
    # The values long enough to wrap (the short codes' order on the page is test_forms's).
    wrapping = [key for key in person if LIMITS[key] > 20]
    assert wrapping == ["nom", "prenom", "adresse", "email"]
    missing = [key for key in wrapping if "".join(person[key].split()) not in printed]
    assert missing == []


TOO_WIDE = "x" * 300
TOO_LONG_PHONE = "\u0660" * 300  # Arabic-Indic digits: not a Latin token that Arabic text breaks


def _too_wide(data: model.LegalData) -> model.LegalData:
    """The data with a 300-character word in a table cell (an operation's title: the notice,
    the register, the request form) and a 300-digit phone number, which a line never breaks
    (every document prints the call centre's)."""
    operation = dataclasses.replace(data.operations[0], title=TOO_WIDE)
    channels = dataclasses.replace(data.channels, call_centre=TOO_LONG_PHONE)
    return dataclasses.replace(
        data, channels=channels, operations=(operation, *data.operations[1:])
    )


@pytest.mark.parametrize("combo", [c for c in COMBINATIONS if c[2] == "pdf"], ids="-".join)
def test_text_that_cannot_fit_is_an_error_not_a_clipped_page(
    combo: tuple[str, str, str], default_data: model.LegalData
) -> None:
    """Data built in code can skip the model's limits: the renderer still refuses a layout
    where text runs off its page or column."""
    too_wide = _too_wide(default_data)
    assert TOO_LONG_PHONE in documents.build(too_wide, *combo[:2]).text()  # it is printed
    with pytest.raises(
        RenderError,
        match=r"does not fit its pages: on page \d+, text runs out .* The value of "
        r"(operations\[0\]\.title|channels\.call_centre)\b.* is too long",
    ):
        api.render(too_wide, *combo)


@pytest.mark.parametrize("combo", [c for c in COMBINATIONS if c[2] != "pdf"], ids="-".join)
def test_text_that_cannot_fit_wraps_inside_the_page_of_a_word_processor(
    combo: tuple[str, str, str], default_data: model.LegalData
) -> None:
    """A word processor lays the file out itself and breaks a word too long for its line:
    the 300-character word and number are printed whole, inside the page (laid out by
    LibreOffice)."""
    too_wide = _too_wide(default_data)
    # The consent form and the poster print no operation title: only the phone number there.
    titled = TOO_WIDE in documents.build(too_wide, *combo[:2]).text()
    assert titled == (combo[0] in ("notice", "register", "rights-request"))
    content = api.render(too_wide, *combo)
    held = readback.text(content, combo[2])
    assert TOO_LONG_PHONE in held and (TOO_WIDE in held) == titled
    laid_out = readback._docx_as_pdf(content)
    assert readback.glyphs_outside_the_page(laid_out) == 0
    # Every glyph drawn (on lines of their own, among other cells' lines: counted, not read).
    drawn = readback.text(laid_out, "pdf")
    assert drawn.count("\u0660") >= len(TOO_LONG_PHONE)
    if titled:
        assert drawn.count("x") >= len(TOO_WIDE)


def test_the_cli_reports_a_layout_that_cannot_fit(
    tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model, "CELL_WORD", 10_000)  # a laxer model, as a future one might be
    source = data.example()
    source["operations"][0]["title"] = "y" * 280
    path = data.write(tmp_path / "wide.yaml", source)
    run = run_cli(
        "render", "register", "--lang", "fr", "--data", str(path), "-o", f"{tmp_path}/r.pdf"
    )
    assert run.code == 2 and "does not fit" in run.err and "Traceback" not in run.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wide.yaml"]
