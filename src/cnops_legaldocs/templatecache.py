"""Compiled templates, kept beside the font instances so that a fresh process does not compile
the templates again (about 0.1 s of a first render: a tenth of the layout of a notice).

The cache is the font cache's directory (`fontcache.directory`, which the user can set), in
``templates/``, created 0700. Jinja names each entry by the template's name and checks the
source's digest and the Python version on load, so an edited template or another Python is
compiled again, never served stale. Like ``__pycache__``, it holds code: it lives in the
user's own cache, never in a shared or temporary directory. When the directory cannot be made
or written, templates are compiled in memory as before, and nothing fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import jinja2

from . import fontcache


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates, in the cache directory in use at each call
    (`fontcache.set_directory` may change it), never failing a render."""

    def __init__(self) -> None:
        super().__init__(directory=os.fspath(self._directory()), pattern="%s.jinja")

    @staticmethod
    def _directory() -> Path:
        return fontcache.directory() / "templates"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.directory = os.fspath(self._directory())
        try:
            super().load_bytecode(bucket)
        except Exception:  # unreadable, cut or from elsewhere (pickle, marshal): compile anew
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        directory = self._directory()
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.directory = os.fspath(directory)
            super().dump_bytecode(bucket)
        except OSError:  # read-only or full: the compiled template stays in memory only
            pass
