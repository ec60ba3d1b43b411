"""Wheel build hook: make the static Noto Serif instances the DOCX embeds (`fontcache`) at
build time and ship them in ``cnops_legaldocs/fonts/``, so that an installed wheel never
instances a font at run time. An editable install skips it (the run-time cache serves)."""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class FontInstancesHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        import fontpkg

        module_path = Path(self.root) / "src" / "cnops_legaldocs" / "fontcache.py"
        spec = importlib.util.spec_from_file_location("_cnops_fontcache", module_path)
        assert spec is not None and spec.loader is not None
        fontcache = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(fontcache)
        out = self._folder = Path(tempfile.mkdtemp(prefix="cnops-fonts-"))
        for style in ("normal", "italic"):
            source = fontpkg.path("noto-serif", 400, style)
            for weight in fontcache.WEIGHTS:
                name = fontcache.file_name(source, weight)
                (out / name).write_bytes(fontcache.make_instance(source, weight))
                build_data["force_include"][str(out / name)] = f"cnops_legaldocs/fonts/{name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the instances' temporary folder once they are in the wheel."""
        folder = getattr(self, "_folder", None)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
