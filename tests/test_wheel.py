"""The built wheel, installed in a fresh virtual environment with no access to the source
tree, renders every kind, language and format, with the font instances it ships (none is made
at run time); wheel and sdist carry the LICENSE."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, and the wheel built from it (as a package index's user would get them)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out


def test_the_wheel_ships_the_license_and_the_font_instances(dist: Path) -> None:
    (wheel,) = dist.glob("cnops_legaldocs-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names), names
    fonts = [n for n in names if n.startswith("cnops_legaldocs/fonts/") and n.endswith(".ttf")]
    assert len(fonts) == 4, fonts  # Noto Serif regular, bold, italic, bold italic


def test_the_readme_on_a_package_index_shows_its_images(dist: Path) -> None:
    """A package index has no repository beside the README: its images are absolute URLs."""
    (wheel,) = dist.glob("cnops_legaldocs-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = archive.read(name).decode()
    images = re.findall(r'<img src="([^"]+)"', metadata)
    assert images and all(src.startswith("https://") for src in images), images
    assert "Content-Type: text/markdown" in metadata


def test_the_sdist_carries_the_license_and_the_build_hook(dist: Path) -> None:
    (sdist,) = dist.glob("cnops_legaldocs-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "hatch_build.py", "pyproject.toml"} <= names


_EVERYTHING = textwrap.dedent(
    """
    import os, pathlib, sys
    import cnops_legaldocs as c
    assert "site-packages" in c.__file__, c.__file__
    data = c.load()
    count = 0
    for kind in c.KINDS:
        for lang in c.EDITIONS:
            for fmt in c.formats_of(kind, lang):
                content = c.render(data, kind, lang, fmt)
                assert content[:4] in (b"%PDF", b"PK\\x03\\x04"), (kind, lang, fmt)
                count += 1
    person = {"nom": "Alaoui", "prenom": "Samira", "cin": "AB123456", "immatriculation": "1"}
    assert c.render(data, "rights-request", "ar", person=person).startswith(b"%PDF")
    cache = pathlib.Path(os.environ["CNOPS_LEGALDOCS_CACHE"])
    assert not cache.exists() or not list(cache.glob("*.ttf")), "fonts made at run time"
    print(count, c.__version__)
    """
)


def test_the_installed_wheel_renders_everything_in_a_fresh_venv(dist: Path, tmp_path) -> None:
    (wheel,) = dist.glob("cnops_legaldocs-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, cwd=tmp_path
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env["CNOPS_LEGALDOCS_CACHE"] = str(tmp_path / "cache")
    done = subprocess.run(
        [str(python), "-c", _EVERYTHING],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    count, version = done.stdout.split()
    assert int(count) == 5 * 3 * 2 and version == "0.1.0"
    command = venv / "bin" / "cnops-legaldocs"
    shown = subprocess.run([str(command), "--version"], capture_output=True, text=True, env=env)
    assert shown.stdout.split() == ["cnops-legaldocs", version]
