"""WeasyPrint, imported without its costly library probes.

On import WeasyPrint opens Pango, HarfBuzz, fontconfig and GObject, trying each under several
spellings (Windows, macOS, then Linux names). cffi hands every spelling that is not a loadable
file to `ctypes.util.find_library`, which on Linux runs ``ldconfig -p``, then the C compiler and
the linker in subprocesses: 22 misses, about 0.6 s of every fresh process (a third of
``import weasyprint``). While WeasyPrint is imported here, `find_library` answers "not found"
at once, so WeasyPrint goes on to the next spelling and loads the libraries by their sonames
(``libpango-1.0.so.0``…), which the dynamic loader finds where it always would. If that fails
(a system without those sonames), the import is retried as WeasyPrint does it alone.

Import WeasyPrint from here (``from .engine import weasyprint``) before any of its modules.
"""

from __future__ import annotations

import ctypes.util
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

_lock = threading.Lock()


@contextmanager
def _no_library_search() -> Iterator[None]:
    """`ctypes.util.find_library` answers None for the duration (this module's import only)."""
    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = original


def _import() -> ModuleType:
    with _lock:
        if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
            import weasyprint

            return weasyprint
        try:
            with _no_library_search():
                import weasyprint
        except OSError:  # no library by its soname: let WeasyPrint search as it does alone
            for name in [
                m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")
            ]:
                del sys.modules[name]
            import weasyprint
        return weasyprint


weasyprint = _import()
