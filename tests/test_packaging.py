"""The wheel carries its templates, catalogs, default data and type marker, and works installed."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
    )
    (path,) = out.glob("cnops_legaldocs-*.whl")
    return path


def test_wheel_ships_the_assets(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "cnops_legaldocs/py.typed",
        "cnops_legaldocs/data/cnops.yaml",
        "cnops_legaldocs/translations/ar/LC_MESSAGES/messages.po",
        "cnops_legaldocs/translations/fr/LC_MESSAGES/messages.po",
        "cnops_legaldocs/schemas/register-1.schema.json",
    ):
        assert required in names, required
    for template in (ROOT / "templates").rglob("*"):
        if template.is_file():
            assert f"cnops_legaldocs/{template.relative_to(ROOT).as_posix()}" in names


def test_installed_package_renders_away_from_the_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    script = (
        "import cnops_legaldocs, pathlib, sys\n"
        f"assert cnops_legaldocs.__file__.startswith({str(target)!r}), cnops_legaldocs.__file__\n"
        "pdf = cnops_legaldocs.render(cnops_legaldocs.load(), 'notice', 'ar')\n"
        "assert pdf.startswith(b'%PDF-')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
