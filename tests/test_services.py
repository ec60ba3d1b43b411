"""The library inside other services (issue 10): threads give the bytes of serial renders, the
process environment is never touched, temporary directories are gone at exit (also after
SIGTERM to the command), fonts are instanced once, and the API's arguments are checked."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pypdf
import pytest

import cnops_legaldocs
from cnops_legaldocs import api, batch, fontcache, tempdirs
from cnops_legaldocs.errors import ArgumentError, DataError, RenderError
from cnops_legaldocs.fastpath import FormPrinter
from cnops_legaldocs.model import LegalData

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "cnops_legaldocs.cli"]
PERSON = {"nom": "Alaoui", "prenom": "Samira", "cin": "AB123456", "immatriculation": "123456789"}


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    """An environment whose temporary directory is `tmp` (empty, ours alone)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TMPDIR", "SOURCE_DATE_EPOCH")}
    return {**env, "TMPDIR": str(tmp), **extra}


# --------------------------------------------------------------------------------------------
# Threads, environment, temporary directories

_THREADS = textwrap.dedent(
    """
    import os, sys, threading
    import cnops_legaldocs as c

    data = c.load()
    person = {"nom": "Alaoui", "prenom": "Samira", "cin": "AB123456", "immatriculation": "1"}
    other = dict(person, adresse="12 rue de Fès, Rabat", email="s.alaoui@example.ma")
    cases = [
        ("rights-request", "ar", "pdf", person),
        ("marketing-consent", "fr", "pdf", other),
        ("rights-request", "fr", "pdf", other),
        ("marketing-consent", "ar", "pdf", None),
        ("register", "fr", "docx", None),
        ("notice", "ar", "docx", None),
    ]
    def one(case):
        kind, lang, fmt, who = case
        return c.render(data, kind, lang, fmt, person=who)

    serial = [one(case) for case in cases]
    environ = dict(os.environ)
    changed = []
    stop = threading.Event()
    def watch():
        while not stop.is_set():
            if dict(os.environ) != environ:
                changed.append(1)
    watcher = threading.Thread(target=watch)
    watcher.start()
    results = {}
    def worker(t):
        for i in range(25):
            n = (t * 25 + i) % len(cases)
            results[(t, i)] = (n, one(cases[n]))
    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for t in threads: t.start()
    for t in threads: t.join()
    stop.set(); watcher.join()
    assert len(results) == 200, len(results)
    wrong = sum(1 for n, content in results.values() if content != serial[n])
    print("wrong", wrong, "changed", len(changed), "pid", os.getpid())
    """
)


def test_threads_give_the_bytes_of_serial_renders_and_leave_nothing(tmp_path: Path) -> None:
    """8 threads × 25 mixed renders (pre-filled forms through the fast path, blank forms,
    DOCX) give the bytes of serial renders; os.environ never changes while they run; the
    temporary directory is empty once the process has exited."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", _THREADS],
        env=_env(tmp),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[:4] == ["wrong", "0", "changed", "0"], result.stdout
    assert list(tmp.iterdir()) == []


def test_sigterm_to_a_batch_leaves_no_temporary_directory(tmp_path: Path) -> None:
    """SIGTERM to the command during a batch: the rows in progress finish, exit 130, and
    neither the command nor its worker processes leave a directory in TMPDIR."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    people = tmp_path / "people.csv"
    rows = [f"Nom{i},Prenom,AB{i:06d},{100000 + i}" for i in range(200)]
    people.write_text("nom,prenom,cin,immatriculation\n" + "\n".join(rows) + "\n")
    out = tmp_path / "out"
    command = [*CLI, "batch", "rights-request", "--data", str(people), "--lang", "fr"]
    process = subprocess.Popen(
        [*command, "-o", str(out), "--jobs", "2", "--quiet"],
        env=_env(tmp),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 600
    while not any(out.glob("*.pdf")) and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.2)
    assert any(tmp.iterdir()), "the renders made no temporary directory: nothing to check"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=600)
    assert process.returncode == 130, err
    assert len(list(out.glob("*.pdf"))) < 200
    assert list(tmp.iterdir()) == []


def test_no_writable_temporary_directory_is_a_render_error(
    data: LegalData, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "missing" / "dir"))
    with pytest.raises(RenderError, match="no writable temporary directory"):
        tempdirs.make()
    failures: list[BaseException] = []

    def first_render_of_a_thread() -> None:  # a new thread makes its font configuration
        try:
            cnops_legaldocs.render(data, "marketing-consent", "fr")
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=first_render_of_a_thread)
    thread.start()
    thread.join()
    assert len(failures) == 1 and isinstance(failures[0], RenderError), failures
    assert "TMPDIR" in str(failures[0])


def test_a_font_configuration_removes_its_folder_when_collected(tmp_path, monkeypatch) -> None:
    import gc

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    class Owner:
        pass

    owner = Owner()
    path = Path(tempdirs.make(owner, "weasyprint-"))
    assert path.is_dir() and str(path) in tempdirs.remaining()
    del owner
    gc.collect()
    assert not path.exists() and str(path) not in tempdirs.remaining()


def test_the_font_stamp_is_pinned_per_thread_not_in_the_environment(monkeypatch) -> None:
    """fontTools' head clock takes the pinned date in the pinning thread only; the
    environment is not changed."""
    from fontTools.misc.timeTools import timestampSinceEpoch
    from fontTools.ttLib.tables import _h_e_a_d

    from cnops_legaldocs import dates

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    pinned = timestampSinceEpoch(1_600_000_000)
    elsewhere: list[int] = []
    with dates.pinned_clock(1_600_000_000):
        assert "SOURCE_DATE_EPOCH" not in os.environ
        assert _h_e_a_d.timestampNow() == pinned
        other = threading.Thread(target=lambda: elsewhere.append(_h_e_a_d.timestampNow()))
        other.start()
        other.join()
    assert elsewhere and elsewhere[0] > pinned  # the other thread keeps the clock
    assert "SOURCE_DATE_EPOCH" not in os.environ


# --------------------------------------------------------------------------------------------
# Fonts: made once, shared by threads and processes, shipped in the wheel


def _noto() -> tuple[str, int]:
    face = next(f for f in cnops_legaldocs.api.assets.fonts() if f.weight_range)
    return str(face.path), 700


def test_concurrent_first_uses_make_each_face_once(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(fontcache, "_memory", {})
    monkeypatch.setattr(fontcache, "SHIPPED", tmp_path / "none")
    fontcache.set_directory(tmp_path / "cache")
    made: list[int] = []
    real = fontcache.make_instance

    def counting(source: str, weight: int) -> bytes:
        made.append(weight)
        return real(source, weight)

    monkeypatch.setattr(fontcache, "make_instance", counting)
    source, weight = _noto()
    try:
        results: list[bytes] = []
        threads = [
            threading.Thread(target=lambda: results.append(fontcache.static_instance(source, 700)))
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert made == [700] and len(set(results)) == 1 and len(results) == 4
        cached = tmp_path / "cache" / fontcache.file_name(source, weight)
        assert cached.read_bytes() == results[0]
        # Another process reads the cache: it makes nothing.
        script = (
            "from cnops_legaldocs import fontcache as f\n"
            "f.make_instance = None\n"  # calling it would fail
            f"f.SHIPPED = f.Path({str(tmp_path / 'none')!r})\n"
            f"print(len(f.static_instance({source!r}, 700)))\n"
        )
        env = {**os.environ, fontcache.ENVIRONMENT: str(tmp_path / "cache")}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert int(done.stdout) == len(results[0])
    finally:
        fontcache.set_directory(None)


def test_an_unusable_cache_directory_makes_fonts_in_memory(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(fontcache, "_memory", {})
    monkeypatch.setattr(fontcache, "_warned", False)
    monkeypatch.setattr(fontcache, "SHIPPED", tmp_path / "none")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    fontcache.set_directory(blocker / "cache")  # under a file: cannot be made
    source, weight = _noto()
    try:
        with caplog.at_level(logging.WARNING, logger="cnops_legaldocs"):
            content = fontcache.static_instance(source, weight)
        assert content == fontcache.make_instance(source, weight)
        assert "cannot be used" in caplog.text and fontcache.ENVIRONMENT in caplog.text
    finally:
        fontcache.set_directory(None)


def test_a_shipped_instance_is_used_without_instancing(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(fontcache, "_memory", {})
    monkeypatch.setattr(fontcache, "SHIPPED", tmp_path)
    monkeypatch.setattr(fontcache, "make_instance", None)
    source, weight = _noto()
    (tmp_path / fontcache.file_name(source, weight)).write_bytes(b"shipped")
    assert fontcache.static_instance(source, weight) == b"shipped"


# --------------------------------------------------------------------------------------------
# API


def test_weasyprint_is_imported_without_searching_for_libraries() -> None:
    """`renderers.engine`: no `find_library` search (each runs ldconfig, the C compiler and the
    linker) while WeasyPrint loads, and WeasyPrint has every library it needs."""
    script = (
        "import ctypes.util\n"
        "searched = []\n"
        "real = ctypes.util.find_library\n"
        "wrapper = lambda name: searched.append(name) or real(name)\n"
        "ctypes.util.find_library = wrapper\n"
        "from cnops_legaldocs.renderers import pdf\n"
        "from weasyprint.text import ffi\n"
        "assert ctypes.util.find_library is wrapper\n"  # given back as it was
        "print(len(searched), ffi.harfbuzz_subset is not None)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["0", "True"]


def test_compiled_templates_are_kept_in_the_cache_and_never_fail_a_render(
    data: LegalData, tmp_path: Path
) -> None:
    """A fresh process reads the templates compiled by an earlier one (`templatecache`); an
    unwritable or damaged cache only means compiling again."""
    script = (
        "import sys, cnops_legaldocs as c\n"
        "from jinja2 import Environment\n"
        "compiled = []\n"
        "real = Environment.compile\n"
        "Environment.compile = lambda self, *a, **k: compiled.append(1) or real(self, *a, **k)\n"
        "c.render(c.load(), 'notice', 'ar', 'docx')\n"
        "print(len(compiled))\n"
    )

    def first_render(cache: Path) -> int:
        env = {**os.environ, fontcache.ENVIRONMENT: str(cache)}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return int(done.stdout)

    cache = tmp_path / "cache"
    assert first_render(cache) > 0  # compiled, and kept
    kept = sorted((cache / "templates").glob("*.jinja"))
    assert kept and (cache / "templates").stat().st_mode & 0o777 == 0o700
    assert first_render(cache) == 0  # read back: nothing compiled
    for path in kept:
        path.write_bytes(path.read_bytes()[:20])  # cut short
    assert first_render(cache) > 0
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert first_render(blocker / "cache") > 0  # cannot be made: compiled in memory, rendered


def test_a_single_prefilled_form_takes_the_batch_fast_path(data: LegalData) -> None:
    content = cnops_legaldocs.render(data, "rights-request", "ar", person=PERSON)
    printer = api._form_printer(data, "rights-request", "ar")
    laid_out = (printer.stats.fast, printer.stats.rebased, printer.stats.slow)
    shaped = printer.stats.shaped
    assert cnops_legaldocs.render(data, "rights-request", "ar", person=PERSON) == content
    # the values drawn on the kept blank: no layout engine at all
    assert (printer.stats.fast, printer.stats.rebased, printer.stats.slow) == laid_out
    assert printer.stats.shaped == shaped + 1
    assert FormPrinter(data, "rights-request", "ar").render(PERSON) == content  # batch's bytes
    text = pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "AB123456" in text


def test_warm_up_lays_out_the_blanks(data: LegalData) -> None:
    assert cnops_legaldocs.warm_up(data) is data
    printer = api._form_printer(data, "marketing-consent", "fr")
    bases = len(printer._bases)
    assert bases >= 1
    cnops_legaldocs.render(data, "marketing-consent", "fr", person=PERSON)
    assert len(printer._bases) == bases  # no new layout of the form


def test_load_takes_a_path_text_or_mapping(data: LegalData) -> None:
    import yaml

    source = api.assets.default_data()
    text = source.read_text(encoding="utf-8")
    assert cnops_legaldocs.load(source) == data
    assert cnops_legaldocs.load(str(source)) == data
    assert cnops_legaldocs.load(text).operations == data.operations
    mapping = yaml.safe_load(text)
    assert cnops_legaldocs.load(mapping).operations == data.operations
    del mapping["body"]
    with pytest.raises(DataError, match="body"):
        cnops_legaldocs.load(mapping)
    with pytest.raises(ArgumentError, match="source"):
        cnops_legaldocs.load(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"branch": "Agence de Rabat"}, "branch"),
        ({"person": "Alaoui"}, "person"),
        ({"paper": 4}, "paper"),
        ({"pdf_variant": 1}, "pdf_variant"),
    ],
)
def test_a_bad_argument_is_a_typed_error_naming_it(data, options, argument) -> None:
    with pytest.raises(ArgumentError, match=f"^{argument}:") as caught:
        cnops_legaldocs.render(data, "notice", "fr", **options)
    assert isinstance(caught.value, TypeError)
    assert "Alaoui" not in str(caught.value) and "Rabat" not in str(caught.value)


def test_bad_data_kind_and_language_arguments(data) -> None:
    with pytest.raises(ArgumentError, match=r"^data:"):
        cnops_legaldocs.render({"notice": 1}, "notice", "fr")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=r"^kind:"):
        cnops_legaldocs.render(data, None, "fr")  # type: ignore[arg-type]
    with pytest.raises(RenderError, match=r"^lang:"):
        cnops_legaldocs.render(data, "notice", "en")


def test_preview_takes_person_branch_and_paper(data) -> None:
    pages = cnops_legaldocs.preview(data, "marketing-consent", "fr", person=PERSON, dpi=20)
    blank = cnops_legaldocs.preview(data, "marketing-consent", "fr", dpi=20)
    assert len(pages) == len(blank) and pages[0] != blank[0]
    with pytest.raises(ArgumentError, match=r"^branch:"):
        cnops_legaldocs.preview(data, "poster", "fr", branch="Rabat", paper="A4")  # type: ignore[arg-type]


def test_render_many_yields_bytes_in_order(data: LegalData) -> None:
    from concurrent.futures import ThreadPoolExecutor

    people = [dict(PERSON, immatriculation=str(100 + i)) for i in range(3)]
    jobs: list[batch.Job | batch.RowFailure] = [
        batch.Job(i + 1, f"r{i}", "marketing-consent", "fr", person=p) for i, p in enumerate(people)
    ]
    jobs.insert(1, batch.RowFailure(9, "bad row", line=10))
    with ThreadPoolExecutor(2) as pool:
        out = list(cnops_legaldocs.render_many(jobs, None, data=data, executor=pool))
    assert isinstance(out[1], batch.RowFailure)
    rendered = [item for item in out if isinstance(item, tuple)]
    assert [job.number for job, _ in rendered] == [1, 2, 3]
    for (_, content), person in zip(rendered, people, strict=True):
        assert content == cnops_legaldocs.render(data, "marketing-consent", "fr", person=person)


def test_everything_exported_exists_and_the_version_is_the_package_s() -> None:
    from importlib.metadata import version

    for name in cnops_legaldocs.__all__:
        assert hasattr(cnops_legaldocs, name), name
    for name in ("formats_of", "loads_branches", "check_person", "warm_up", "__version__"):
        assert name in cnops_legaldocs.__all__
    assert cnops_legaldocs.__version__ == version("cnops-legaldocs")
    done = subprocess.run([*CLI, "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.split() == [
        "cnops-legaldocs",
        cnops_legaldocs.__version__,
    ]


def test_the_command_line_offers_weasyprint_s_variants_without_importing_it() -> None:
    from cnops_legaldocs.renderers.pdf import VARIANTS

    assert api.PDF_VARIANTS == VARIANTS
    script = "import sys, cnops_legaldocs.cli; print('weasyprint' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_dash_output_writes_to_standard_output_and_refuses_a_terminal(tmp_path: Path) -> None:
    command = [*CLI, "render", "notice", "--lang", "fr", "--format", "docx", "-o", "-"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"PK") and not (tmp_path / "-").exists()
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run(command, cwd=tmp_path, stdout=follower, stderr=subprocess.PIPE)
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2 and b"terminal" in done.stderr
    assert not (tmp_path / "-").exists()


def test_a_host_root_logger_hears_nothing_from_the_libraries_beneath(tmp_path) -> None:
    script = textwrap.dedent(
        """
        import logging
        records = []
        class Keep(logging.Handler):
            def emit(self, record):
                records.append(record.name)
        logging.basicConfig(level=logging.INFO)
        logging.getLogger().addHandler(Keep())
        import cnops_legaldocs as c
        c.render(c.load(), "notice", "ar")
        c.render(c.load(), "rights-request", "fr", person={"nom": "Alaoui", "prenom": "S",
                 "cin": "AB1", "immatriculation": "1"})
        print(sorted(set(records)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=_env(tmp_path), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
    logger = logging.getLogger("cnops_legaldocs")
    assert any(isinstance(h, logging.NullHandler) for h in logger.handlers)
