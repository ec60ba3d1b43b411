"""Static instances of the variable Noto Serif, made once and never again at render time.

The DOCX embeds four static Noto Serif faces (Word cannot embed a variable font); cutting them
from the variable font takes seconds. They are looked for, in order:

1. in the package itself (``cnops_legaldocs/fonts/``): the wheel's build hook
   (``hatch_build.py``) makes them at build time, so an installed wheel never instances a font;
2. in memory (made or read once per process);
3. in the cache directory: `set_directory`, else ``$CNOPS_LEGALDOCS_CACHE``, else
   ``$XDG_CACHE_HOME/cnops-legaldocs`` (``~/.cache/cnops-legaldocs``), written atomically
   (temporary file, then rename) under a lock file, so that concurrent first renders, in
   threads or processes, make each face once and every later process reads it;
4. made in memory, when no cache directory is writable (logged once; nothing fails).

A face's file name carries a digest of the source font, the recipe and the fontTools version:
another Noto Serif or fontTools makes other files, never a stale one. The instances are
deterministic (no timestamp is recomputed), so a face made anywhere has the same bytes.

This module depends on the standard library and fontTools only: the build hook loads it by
path, without the package.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("cnops_legaldocs")

ENVIRONMENT = "CNOPS_LEGALDOCS_CACHE"
"""The environment variable naming the font cache directory."""

RECIPE = 1
"""Bumped whenever `make_instance` changes what it makes."""

SHIPPED = Path(__file__).resolve().parent / "fonts"
"""Where the wheel carries the instances made at build time."""

# What a static Latin face keeps of a pan-European font: Latin, its diacritics, punctuation,
# currency and letterlike symbols, arrows, mathematical operators and geometric bullets.
_LATIN = [
    *range(0x0020, 0x007F), *range(0x00A0, 0x0250), *range(0x02B0, 0x0370),
    *range(0x1E00, 0x1F00), *range(0x2000, 0x20D0), *range(0x2100, 0x2200),
    *range(0x2200, 0x2300), *range(0x25A0, 0x2600),
]  # fmt: skip

_chosen: Path | None = None
_memory: dict[str, bytes] = {}
_digests: dict[str, str] = {}
_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()
_warned = False


def set_directory(path: str | os.PathLike[str] | None) -> None:
    """Use `path` as the font cache directory (None: back to the default)."""
    global _chosen
    _chosen = Path(path) if path is not None else None


def directory() -> Path:
    """The font cache directory in use (it may not exist yet)."""
    if _chosen is not None:
        return _chosen
    if os.environ.get(ENVIRONMENT):
        return Path(os.environ[ENVIRONMENT])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "cnops-legaldocs" / "Cache"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cnops-legaldocs"


def file_name(source: str | os.PathLike[str], weight: int) -> str:
    """The name of the instance of `source` at `weight`: the source's stem, the weight and a
    digest of the source's bytes, the recipe and the fontTools version."""
    key = str(source)
    digest = _digests.get(key)
    if digest is None:
        import fontTools

        hasher = hashlib.sha256(Path(source).read_bytes())
        hasher.update(f"recipe {RECIPE} fontTools {fontTools.version}".encode())
        digest = _digests[key] = hasher.hexdigest()[:16]
    return f"{Path(source).stem}-{weight}-{digest}.ttf"


def static_instance(source: str | os.PathLike[str], weight: int) -> bytes:
    """The static, Latin-only instance of the variable font `source` at `weight`, from the
    package, memory or the cache directory, made (once) only when none has it."""
    name = file_name(source, weight)
    found = _memory.get(name)
    if found is not None:
        return found
    with _guard:
        lock = _locks.setdefault(name, threading.Lock())
    with lock:  # threads of a process: one makes it, the others wait and read it
        found = _memory.get(name)
        if found is None:
            found = _memory[name] = _find_or_make(Path(source), weight, name)
        return found


def _find_or_make(source: Path, weight: int, name: str) -> bytes:
    shipped = SHIPPED / name
    if shipped.is_file():
        return shipped.read_bytes()
    folder: Path | str = "(none: no home directory)"
    try:
        folder = directory()  # Path.home() fails without a home directory
        cached = folder / name
        if cached.is_file():  # also from a read-only cache, filled beforehand
            return cached.read_bytes()
        folder.mkdir(parents=True, exist_ok=True)
        with _file_lock(folder / ".lock"):  # processes: one makes it, the others read it
            if cached.is_file():
                return cached.read_bytes()
            content = make_instance(source, weight)
            _write_atomic(cached, content)
            log.debug("font instance %s written to the cache", name)
            return content
    except (OSError, RuntimeError, KeyError) as exc:
        global _warned
        if not _warned:
            _warned = True
            log.warning(
                "the font cache directory %s cannot be used (%s): font instances are made in "
                "memory, once per process (set %s to a writable directory)",
                folder,
                getattr(exc, "strerror", None) or type(exc).__name__,
                ENVIRONMENT,
            )
        return make_instance(source, weight)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path, "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: the atomic rename alone (the work may be repeated)
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomic(path: Path, content: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def make_instance(source: str | os.PathLike[str], weight: int) -> bytes:
    """Cut the variable font `source` to the Latin script (fontTools' default layout features,
    all names), then instance it at `weight` (other axes at their default). Deterministic: the
    ``head`` dates are the source's."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(str(source), recalcTimestamp=False)
    options = subset.Options()
    options.layout_scripts = ["latn", "DFLT"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_LATIN)
    subsetter.subset(font)
    latin = io.BytesIO()
    font.save(latin)
    font = TTFont(io.BytesIO(latin.getvalue()), recalcTimestamp=False)
    axes = {axis.axisTag: axis.defaultValue for axis in font["fvar"].axes}
    axes["wght"] = weight
    instancer.instantiateVariableFont(font, axes, inplace=True, updateFontNames=True)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


WEIGHTS: tuple[int, ...] = (400, 700)
"""The weights a DOCX embeds (regular and bold, upright and italic)."""
