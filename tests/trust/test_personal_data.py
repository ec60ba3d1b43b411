"""Personal data: no value of the data reaches logs, errors or progress lines, even with
--debug; files that hold personal data are readable by their owner only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cnops_legaldocs import output

from . import data

SENTINEL = "Zq7 Sentinelle Privée"  # not shaped like an id, so no message may quote it


def _start(*argv: str) -> subprocess.Popen[str]:
    """The command line with --debug, started in a process of its own."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, "-m", "cnops_legaldocs.cli", "--debug", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    try:
        out, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return _finish(_start(*argv))


def _with_sentinel(tmp_path: Path, name: str, change: object = None) -> Path:
    """The notice with the sentinel in every free-text field but the issuer's name (which
    `check` prints on purpose: it is the body's, not a person's)."""
    source = data.replace_text(
        data.example(),
        lambda field, old: (
            old if field[0][:2] == ("body", "name") else f"{old} {SENTINEL}"[: field[1]]
        ),
    )
    if callable(change):
        change(source)
    return data.write(tmp_path / name, source)


def test_no_value_in_the_output_of_a_good_run(tmp_path: Path) -> None:
    good = _with_sentinel(tmp_path, "good.yaml")
    # (`check` is left out: it quotes the notice's untranslated prose to the translator, by
    # design; the notice is the body's text, not a person's record.)
    started = [  # side by side: they are independent
        _start(
            "render", "register", "--lang", "ar", "--data", str(good), "-o", str(tmp_path / "r.pdf")
        ),
        # (not `build`: a sentinel in every field makes the bilingual headers too long, which
        # the renderer refuses rather than print off the page; test_hostile tests that)
        _start(
            "render", "notice", "--lang", "fr", "--data", str(good), "-o", str(tmp_path / "n.pdf")
        ),
    ]
    for run in map(_finish, started):
        assert run.returncode == 0, run.stderr
        assert "DEBUG: the " in run.stderr  # the logs were on (the library's own, at least)
        assert SENTINEL not in run.stdout + run.stderr
        assert "Zq7" not in run.stdout + run.stderr


BAD_VALUES = {
    "unknown-contact": lambda s: s["operations"][0].update(contact=SENTINEL),
    "bad-email": lambda s: s["contacts"][0].update(email=SENTINEL),
    "bad-phone": lambda s: s["channels"].update(call_centre=SENTINEL),
    "bad-url": lambda s: s["body"].update(website=SENTINEL),
    "bad-reference": lambda s: s["operations"][0].update(reference=SENTINEL),
    "too-long": lambda s: s["operations"][0].update(title=(SENTINEL + " ") * 40),
    "unprintable": lambda s: s["operations"][0].update(title=SENTINEL + " 🙂"),
    "lone-percent": lambda s: s["notice"].update(title=SENTINEL + " 100 %"),
    "unknown-field": lambda s: s["notice"].update({SENTINEL: "x"}),
}


@pytest.mark.parametrize("name", BAD_VALUES)
def test_no_value_in_an_error(tmp_path: Path, name: str) -> None:
    bad = _with_sentinel(tmp_path, "bad.yaml", BAD_VALUES[name])
    run = _run(
        "render", "notice", "--lang", "fr", "--data", str(bad), "-o", str(tmp_path / "n.pdf")
    )
    assert run.returncode == 2
    assert "Traceback" in run.stderr  # --debug shows where, never what
    if name == "unknown-field":  # a key is named (to find it), a value never
        run.stderr = run.stderr.replace(f"notice.{SENTINEL}", "notice.<key>")
    assert SENTINEL not in run.stdout + run.stderr
    assert "Zq7" not in run.stdout + run.stderr


# -- file permissions --------------------------------------------------------------------------


@pytest.fixture
def open_umask() -> object:
    """A permissive umask, as a careless service might have: privacy must not depend on it."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_files_are_owner_only(tmp_path: Path, open_umask: object) -> None:
    path = output.write_atomic(tmp_path / "form.pdf", b"%PDF-1.7 personal", private=True)
    assert _mode(path) == 0o600
    assert path.read_bytes() == b"%PDF-1.7 personal"


def test_a_private_file_replacing_a_public_one_is_owner_only(
    tmp_path: Path, open_umask: object
) -> None:
    target = tmp_path / "form.pdf"
    target.write_bytes(b"old")
    target.chmod(0o644)
    output.write_atomic(target, b"new", private=True)
    assert _mode(target) == 0o600


def test_public_files_are_readable_by_all(tmp_path: Path) -> None:
    assert _mode(output.write_atomic(tmp_path / "notice.pdf", b"%PDF")) == 0o644


def test_private_content_is_never_readable_by_others_while_written(
    tmp_path: Path, open_umask: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        status = os.fstat(fd)
        if stat.S_ISREG(status.st_mode):  # not the directory, synced after the renames
            seen.append(stat.S_IMODE(status.st_mode))
        real_fsync(fd)

    monkeypatch.setattr(output.os, "fsync", fsync)
    output.write_all({tmp_path / "a.pdf": b"1", tmp_path / "b.pdf": b"2"}, private=True)
    assert seen == [0o600, 0o600]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "b.pdf"]
