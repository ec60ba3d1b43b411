"""The wheel carries its templates, catalogs, default data and type marker."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_the_assets(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("cnops_legaldocs-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "cnops_legaldocs/py.typed",
        "cnops_legaldocs/data/cnops.yaml",
        "cnops_legaldocs/templates/notice.html",
        "cnops_legaldocs/templates/style/document.css",
        "cnops_legaldocs/translations/ar/LC_MESSAGES/messages.po",
        "cnops_legaldocs/translations/fr/LC_MESSAGES/messages.po",
    ):
        assert required in names, required
    templates = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*") if p.is_file()
    }
    for template in templates:
        assert f"cnops_legaldocs/{template}" in names
