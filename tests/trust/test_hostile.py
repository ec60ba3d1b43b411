"""Hostile files and sizes (#17): nothing outside the output is touched, every input is bounded,
every failure is located. One group of tests per finding of the issue, numbered as there; each
failed on the main branch before the fix."""

from __future__ import annotations

import concurrent.futures as cf
import errno
import io
import json
import os
import re
import signal
import socket
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf
import pytest

from cnops_legaldocs import api, batch, model, resume
from cnops_legaldocs.batch import Job, person_file, person_jobs, render_many
from cnops_legaldocs.errors import DataError, RenderError
from cnops_legaldocs.output import WriteError, write_all, write_atomic
from cnops_legaldocs.person import Person

from . import data
from .conftest import Run

HEADER = "nom,prenom,cin,immatriculation"
PEOPLE = [
    "Alaoui,Salma,AB123456,100200300",
    "Benali,Youssef,C987654,100200301",
    "Tazi,Omar,D112233,100200302",
]
PERSONAL = ("Alaoui", "Salma", "AB123456", "100200300", "Benali", "C987654", "100200301")


@pytest.fixture(autouse=True)
def state_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's state folder (the batch key) of these tests: their own."""
    home = tmp_path_factory.getbasetemp() / "state-home"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


def _csv(path: Path, rows: list[str] = PEOPLE, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _tiny_pdf(job: Job) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(400 + job.number, 600))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def tiny(data: model.LegalData, kind: str, lang: str, fmt: str) -> Callable[[Job], bytes]:
    """A row renderer that makes a one-page PDF at once (module level: pickled by name)."""
    return _tiny_pdf


def _jobs(csv_path: Path, pattern: str | None = None) -> Iterator[Job | batch.RowFailure]:
    return person_jobs(person_file(csv_path), "rights-request", "fr", pattern=pattern)


def _threads() -> cf.Executor:
    return cf.ThreadPoolExecutor(2)


def _clean_failure(run: Run) -> None:
    assert run.code == 2, (run.code, run.err)
    assert run.err.startswith("error: "), run.err
    assert "Traceback" not in run.err + run.out


# --------------------------------------------------------------------------------------------
# 1. A planted .cnops-batch link is not followed


def test_1_a_linked_state_folder_is_refused(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim"
    (victim / "parts").mkdir(parents=True)
    (victim / "parts" / "important.txt").write_text("keep")
    os.chmod(victim, 0o755)
    out.mkdir()
    os.symlink("../victim", out / ".cnops-batch")
    rows = _csv(tmp_path / "rows.csv")
    run = run_cli(
        "batch", "rights-request", "--data", str(rows), "--lang", "fr", "-o", str(out),
        "--merge", "--quiet", "--jobs", "1",
    )  # fmt: skip
    _clean_failure(run)
    assert ".cnops-batch is not a folder" in run.err
    assert (victim / "parts" / "important.txt").read_text() == "keep"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o755
    assert sorted(p.name for p in victim.rglob("*")) == ["important.txt", "parts"]


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder away needs root")
def test_1_a_state_folder_of_another_user_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "out" / ".cnops-batch"
    state.mkdir(parents=True)
    os.chown(state, 65534, 65534)
    with pytest.raises(RenderError, match="belongs to another user"):
        resume.Manifest(tmp_path / "out")
    assert os.listdir(state) == []


def test_1_a_linked_manifest_is_not_followed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with resume.Manifest(out):
        pass
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep")
    (out / ".cnops-batch" / "lock").unlink()
    os.symlink(elsewhere, out / ".cnops-batch" / "lock")
    with pytest.raises(WriteError, match="symbolic link"):
        resume.Manifest(out)
    assert elsewhere.read_text() == "keep"


# --------------------------------------------------------------------------------------------
# 2. -o onto a FIFO, a device or a socket


def _special(kind: str, path: Path) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    else:
        path.mkdir()


@pytest.mark.parametrize("kind", ["fifo", "device", "socket", "folder"])
@pytest.mark.parametrize("write", ["write_atomic", "write_all"])
def test_2_a_special_file_is_never_replaced(tmp_path: Path, kind: str, write: str) -> None:
    if kind == "device" and os.geteuid() != 0:
        pytest.skip("making a device needs root")
    target = tmp_path / "x.pdf"
    _special(kind, target)
    before = os.lstat(target)
    with pytest.raises(WriteError, match=r"x\.pdf: it is a (device, pipe or socket|folder)"):
        if write == "write_atomic":
            write_atomic(target, b"%PDF-")
        else:
            write_all({tmp_path / "a.pdf": b"%PDF-", target: b"%PDF-"})
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.pdf"]


def test_2_the_command_refuses_a_fifo_as_output(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    fifo = tmp_path / "form.pdf"
    os.mkfifo(fifo)
    run = run_cli("render", "marketing-consent", "--lang", "fr", "-o", str(fifo))
    _clean_failure(run)
    assert "it is a device, pipe or socket, not a file" in run.err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


# --------------------------------------------------------------------------------------------
# 3. Aliases and sizes (more in test_bad_input's CASES)


def _laughs(depth: int = 9) -> str:
    lines = ["schema: 1", 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, depth):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 8) + "]")
    return "\n".join(lines) + "\nnotice: *l8\n"


def test_3_alias_amplification_is_refused_at_once(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    source = tmp_path / "laughs.yaml"
    source.write_text(_laughs())
    started = time.monotonic()
    run = run_cli("check", "--data", str(source))
    _clean_failure(run)
    assert "laughs.yaml:3:" in run.err and "aliases (*name) are not allowed" in run.err
    assert time.monotonic() - started < 30


def test_3_an_endless_data_file_is_refused(run_cli: Callable[..., Run]) -> None:
    run = run_cli("check", "--data", "/dev/zero")
    _clean_failure(run)
    assert "/dev/zero: too large (more than 4 MB)" in run.err


def test_3_a_huge_title_is_refused_before_parsing(tmp_path: Path) -> None:
    source = data.example()
    source["notice"]["title"] = "x " * 3_000_000
    path = data.write(tmp_path / "big.yaml", source)
    started = time.monotonic()
    with pytest.raises(DataError, match="too large"):
        model.load(path)
    assert time.monotonic() - started < 30


# --------------------------------------------------------------------------------------------
# 4. Values within their limits that would overflow the layout


def _with(change: Callable[[dict], None]) -> model.LegalData:
    source = data.example()
    change(source)
    return model.loads(data.dump(source))


LONG_URL = (
    "https://www.cnops.org.ma/fr/mentions-legales?version=2026-11&source=affiche"
    "&id=5f3c9a1e7b2d4c6a8e0f1b3d5a7c9e1f2a4bc"
)  # a realistic address of 116 characters (the limit is 120)


@pytest.mark.parametrize(("lang", "paper"), [("fr", "A3"), ("ar", "A4")])
def test_4_a_long_notice_url_is_refused_on_the_poster(lang: str, paper: str) -> None:
    assert len(LONG_URL) == 116

    def change(source: dict) -> None:
        source["notice"]["url"] = LONG_URL

    with pytest.raises(
        RenderError, match=rf"the poster \({lang}, {paper}\) does not fit"
    ) as caught:
        api.render(_with(change), "poster", lang, "pdf", paper=paper)
    # The band is too full: its heading is pushed out, and the value that fills it is named.
    assert caught.value.field == "notice.url"
    assert str(caught.value).endswith("The value of notice.url is too long for it: shorten it")


def test_4_a_long_arabic_name_is_refused_in_the_bilingual_header() -> None:
    name = ("الصندوق الوطني لمنظمات الاحتياط الاجتماعي " * 5)[:159].strip()

    def change(source: dict) -> None:
        source["body"]["name"]["ar"] = name

    with pytest.raises(RenderError, match=r"the notice \(fr\+ar, A4\) does not fit its pages"):
        api.render(_with(change), "notice", "fr+ar", "pdf")
    with pytest.raises(RenderError, match=r"The value of body\.name\.ar is too long"):
        api.render(_with(change), "notice", "fr+ar", "pdf")


def test_4_the_poster_stays_on_one_sheet() -> None:
    from .test_bad_input import _at_the_limits

    with pytest.raises(RenderError, match=r"the poster \(fr, A3\) does not fit"):
        api.render(model.loads(data.dump(_at_the_limits())), "poster", "fr", "pdf", paper="A3")


def test_4_the_cli_says_which_document_does_not_fit(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    source = data.example()
    source["notice"]["url"] = LONG_URL
    path = data.write(tmp_path / "long-url.yaml", source)
    out = tmp_path / "poster.pdf"
    run = run_cli("render", "poster", "--lang", "fr", "--paper", "A3", "--data", str(path),
                  "-o", str(out))  # fmt: skip
    _clean_failure(run)
    assert "the poster (fr, A3) does not fit its pages" in run.err
    assert f"The value of notice.url (in {path}) is too long for it" in run.err
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# 5. The manifest and the file names give nothing away


def test_5_the_manifest_holds_no_key_and_the_names_no_value(
    tmp_path: Path, state_home: Path
) -> None:
    out = tmp_path / "out"
    summary = render_many(_jobs(_csv(tmp_path / "p.csv")), out, prepare=tiny, executor=_threads())
    assert summary.ok and summary.rendered == 3
    lines = (out / ".cnops-batch" / "manifest.jsonl").read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    assert len(entries) == 3 and all(set(e) == {"file", "digest"} for e in entries)
    key = state_home / "cnops-legaldocs" / "batch.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    names = sorted(p.name for p in out.glob("*.pdf"))
    assert [n[:5] for n in names] == ["0001-", "0002-", "0003-"]
    listing = " ".join(names) + " ".join(lines)
    assert not [v for v in PERSONAL if v in listing]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700


def test_5_nothing_personal_stays_in_the_manifest_after_merge(tmp_path: Path) -> None:
    out = tmp_path / "out"
    jobs = _jobs(_csv(tmp_path / "p.csv"), "{row}-{nom}-{immatriculation}")
    summary = render_many(jobs, out, prepare=tiny, executor=_threads(), merge="all.pdf")
    assert summary.ok and summary.pages >= 3
    manifest = (out / ".cnops-batch" / "manifest.jsonl").read_text()
    assert not [v for v in PERSONAL if v in manifest]
    assert "parts" not in manifest


# --------------------------------------------------------------------------------------------
# 6. build: all or nothing, and the target that blocked it named


def test_6_build_blocked_by_a_folder_leaves_nothing_new(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    out = tmp_path / "out"
    (out / "notice-fr.pdf").mkdir(parents=True)
    run = run_cli("build", "-o", str(out))
    _clean_failure(run)
    assert f"cannot write {out / 'notice-fr.pdf'}: it is a folder" in run.err
    assert ".part" not in run.err
    assert [p.name for p in out.iterdir()] == ["notice-fr.pdf"]
    assert not list((out / "notice-fr.pdf").iterdir())


def test_6_a_rename_that_fails_midway_puts_everything_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder changed under the writer after its checks: the files already renamed into
    place are undone, an existing one gets its former content back, no temporary is left."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.pdf").write_bytes(b"former b")
    replace = os.replace

    def failing(source: str, target: str | os.PathLike[str]) -> None:
        if Path(target).name == "c.pdf":
            raise PermissionError(errno.EACCES, "Permission denied", str(target))
        replace(source, target)

    monkeypatch.setattr(os, "replace", failing)
    files = {out / name: b"new " + name.encode() for name in ("a.pdf", "b.pdf", "c.pdf")}
    with pytest.raises(WriteError, match=re.escape(f"cannot write {out / 'c.pdf'}: permission")):
        write_all(files)
    assert sorted(p.name for p in out.iterdir()) == ["b.pdf"]
    assert (out / "b.pdf").read_bytes() == b"former b"


# --------------------------------------------------------------------------------------------
# 7. Errors never echo the input


def test_7_a_wrong_data_file_is_not_quoted(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    wrong = tmp_path / "people.yaml"
    wrong.write_text("Alaoui Salma AB123456: 100200300\n")
    run = run_cli("check", "--data", str(wrong))
    _clean_failure(run)
    assert "people.yaml:1: schema: missing" in run.err
    assert not [v for v in PERSONAL if v in run.err]


def test_7_an_alias_name_is_not_quoted(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    source = data.dump(data.example()).replace("title:", "title: *AB123456 #", 1)
    path = tmp_path / "star.yaml"
    path.write_text(source)
    run = run_cli("check", "--data", str(path))
    _clean_failure(run)
    assert "aliases (*name) are not allowed" in run.err and "AB123456" not in run.err


def test_7_csv_header_cells_are_not_quoted(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    rows = _csv(tmp_path / "p.csv", header=HEADER + ",Alaoui AB123456")
    run = run_cli("batch", "rights-request", "--data", str(rows), "--lang", "fr",
                  "-o", str(tmp_path / "out"))  # fmt: skip
    _clean_failure(run)
    assert "p.csv:1: unknown column 5 of the header" in run.err
    assert not [v for v in PERSONAL if v in run.err]
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------------------------
# 8. Exit 2 and a located message, never "unexpected failure"


def test_8_cr_only_line_endings(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(("\r".join([HEADER, *PEOPLE]) + "\r").encode())
    run = run_cli("batch", "rights-request", "--data", str(path), "--lang", "fr",
                  "-o", str(tmp_path / "out"))  # fmt: skip
    _clean_failure(run)
    assert "mac.csv:1: lines end with a lone carriage return" in run.err


def test_8_an_endless_header(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    path = _csv(tmp_path / "wide.csv", header=HEADER + "," + "x" * 131_073)
    run = run_cli("batch", "rights-request", "--data", str(path), "--lang", "fr",
                  "-o", str(tmp_path / "out"))  # fmt: skip
    _clean_failure(run)
    assert "wide.csv:1: " in run.err and "longer than" in run.err


def test_8_disk_full_while_the_manifest_is_appended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary says "disk full", the manifest stays whole, and a rerun completes."""
    rows = _csv(tmp_path / "p.csv", [f"Nom{n},Prenom,AB{n},{100200300 + n}" for n in range(12)])
    out = tmp_path / "out"
    real_write, calls = os.write, []

    def write(fd: int, content: bytes) -> int:
        calls.append(fd)
        if len(calls) == 4:  # half a line gets in, then the disk is full
            real_write(fd, content[:10])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, content)

    monkeypatch.setattr(resume.os, "write", write)
    summary = render_many(_jobs(rows), out, prepare=tiny, executor=_threads(), chunksize=1)
    assert not summary.ok
    assert summary.stopped == "the manifest cannot be written: the disk is full"
    assert "stopped: the manifest cannot be written: the disk is full" in str(summary)
    lines = (out / ".cnops-batch" / "manifest.jsonl").read_text().splitlines()
    assert all(json.loads(line)["digest"] for line in lines)  # every line whole
    assert 3 <= len(lines) == summary.rendered < 12  # the rows in flight, no more
    monkeypatch.setattr(resume.os, "write", real_write)
    again = render_many(_jobs(rows), out, prepare=tiny, executor=_threads())
    assert again.ok and (again.skipped, again.rendered) == (len(lines), 12 - len(lines))


# --------------------------------------------------------------------------------------------
# 9. A second Ctrl-C still records what was written


@pytest.mark.usefixtures("terminal_sigint")
def test_9_two_ctrl_c_keep_the_record(tmp_path: Path) -> None:
    rows = _csv(tmp_path / "p.csv", [f"Nom{n},Prenom,AB{n},{100200300 + n}" for n in range(40)])
    out = tmp_path / "out"

    class Impatient:
        """Presses Ctrl-C when the first row is done, and again as the next one is recorded."""

        def __init__(self) -> None:
            self.done = 0

        def update(self, *, rendered: int = 0, skipped: int = 0, failed: int = 0) -> None:
            self.done += rendered
            if self.done in (1, 2):
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.05)

        def failure(self, message: str) -> None:
            pass

        def close(self) -> None:
            pass

    with pytest.raises(batch.BatchInterrupted) as info:
        render_many(_jobs(rows), out, prepare=slow, executor=_threads(), progress=Impatient(),
                    chunksize=1)  # fmt: skip
    summary = info.value.summary
    assert summary.interrupted and summary.rendered >= 2
    recorded = (out / ".cnops-batch" / "manifest.jsonl").read_text().splitlines()
    assert len(recorded) == summary.rendered == len(list(out.glob("*.pdf")))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def slow(data: model.LegalData, kind: str, lang: str, fmt: str) -> Callable[[Job], bytes]:
    def render(job: Job) -> bytes:
        time.sleep(0.05)
        return _tiny_pdf(job)

    return render


# --------------------------------------------------------------------------------------------
# 10. Strict scalars


def test_10_numbers_stay_as_written() -> None:
    def change(source: dict) -> None:
        source["body"]["app"] = "@@APP@@"
        source["notice"]["version"] = "@@VERSION@@"

    source = data.example()
    change(source)
    text = data.dump(source).replace("'@@APP@@'", "0x1F").replace("'@@VERSION@@'", "1.10")
    loaded = model.loads(text)
    assert loaded.body.app == "0x1F"
    assert loaded.notice.version == "1.10"


@pytest.mark.parametrize("tagged", ["!!binary SGVsbG8=", "!!float 1e400", "!!timestamp 2026-01-01"])
def test_10_a_tagged_value_is_not_text(tagged: str) -> None:
    source = data.example()
    source["notice"]["title"] = "@@TITLE@@"
    text = data.dump(source).replace("'@@TITLE@@'", tagged).replace("@@TITLE@@", tagged)
    with pytest.raises(DataError, match=r":\d+: notice.title: expected text"):
        model.loads(text)


@pytest.mark.parametrize("cin", ["ß123456", "\ufb00123456", "\u0131B12345", "Aſ12345"])
def test_10_a_cin_is_not_folded_to_ascii(cin: str) -> None:
    with pytest.raises(DataError, match="cin: not a CIN number") as info:
        Person.from_mapping({"cin": cin})
    assert cin not in str(info.value)


def test_10_the_command_refuses_a_folded_cin(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    out = tmp_path / "form.pdf"
    run = run_cli("render", "rights-request", "--lang", "fr", "--set", "cin=ß123456",
                  "-o", str(out))  # fmt: skip
    _clean_failure(run)
    assert "cin: not a CIN number" in run.err and not out.exists()


# --------------------------------------------------------------------------------------------
# 11. Bounds: workers, folder modes, list lengths


def test_11_jobs_are_bounded(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    rows = _csv(tmp_path / "p.csv")
    run = run_cli("batch", "rights-request", "--data", str(rows), "--lang", "fr",
                  "-o", str(tmp_path / "out"), "--jobs", "150")  # fmt: skip
    assert run.code == 2 and "--jobs: at most" in run.err
    assert not (tmp_path / "out").exists()


def test_11_private_folders_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        write_atomic(tmp_path / "a" / "b" / "form.pdf", b"%PDF-", private=True)
        write_atomic(tmp_path / "c" / "poster.pdf", b"%PDF-")
        render_many(_jobs(_csv(tmp_path / "p.csv")), tmp_path / "batch" / "out", prepare=tiny,
                    executor=_threads())  # fmt: skip
    finally:
        os.umask(previous)
    modes = {
        p.relative_to(tmp_path).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in tmp_path.rglob("*")
        if p.is_dir()
    }
    assert modes == {
        "a": 0o700,
        "a/b": 0o700,
        "c": 0o755,
        "batch": 0o700,
        "batch/out": 0o700,
        "batch/out/.cnops-batch": 0o700,
    }
    assert stat.S_IMODE((tmp_path / "a" / "b" / "form.pdf").stat().st_mode) == 0o600


def test_11_opening_hours_are_bounded(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    source = data.example_branches()
    hours = [
        {"days": "mon", "opens": f"{h:02d}:{m:02d}", "closes": f"{h:02d}:{m + 1:02d}"}
        for h in range(24)
        for m in range(0, 58, 2)
    ]
    source["branches"][0]["hours"] = [dict(h) for h in hours * 12]  # 8,352 ranges
    path = data.write(tmp_path / "branches.yaml", source)
    started = time.monotonic()
    run = run_cli("batch", "notice", "--branches", str(path), "--lang", "fr",
                  "-o", str(tmp_path / "out"))  # fmt: skip
    _clean_failure(run)
    expected = r"branches.yaml:\d+: branches\[0\]\.hours: too many items \(8352, at most 14\)"
    assert re.search(expected, run.err), run.err
    # Refused before any layout (reading 8,352 YAML items takes seconds on a loaded machine;
    # laying them out took minutes).
    assert time.monotonic() - started < 120
