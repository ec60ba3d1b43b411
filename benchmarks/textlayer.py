"""Render time of the exact text layer (issue 13): each Arabic and bilingual PDF rendered with
and without it, in the same run, interleaved, best of `--repeat`, in CPU time of the process.

    python benchmarks/textlayer.py [--repeat N] [--kinds notice,poster]

"Without" is WeasyPrint's own PDF: every drawing hook restored (the recorders of fonts met
before made plain dicts again), `textlayer.exact` not applied, the PDF compressed by WeasyPrint.
Prints each document's times, the ratio, and the ratio over all of them (the issue's target: at
most 1.10), with the machine's load average beside them. Not a test.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from collections.abc import Callable
from typing import Any

import cnops_legaldocs
from cnops_legaldocs.renderers import pdf, textlayer

KINDS = ("notice", "register", "poster", "rights-request", "marketing-consent")


def _timed(render: Callable[[], bytes]) -> float:
    """CPU seconds of this process (rendering is in-process and single-threaded): on a
    shared, loaded machine, wall time measures the others' work too. Each render starts from
    a collected heap: a full collection falls in one render or the next by chance, and moved
    a document's ratio by 0.1 from run to run."""
    gc.collect()
    start = time.process_time()
    render()
    return time.process_time() - start


_DOCUMENT = pdf.weasyprint.Document  # WeasyPrint as the package imports it (engine.py)
_WRITE_PDF = _DOCUMENT.write_pdf


def _compressed(document: Any, *args: Any, **options: Any) -> bytes | None:
    """WeasyPrint's PDF as it writes it alone: compressed (`exact` compresses the uncompressed
    PDF it is given as it writes it)."""
    return _WRITE_PDF(document, *args, **{**options, "uncompressed_pdf": False})


_HOOKS = [  # (owner, attribute, WeasyPrint's own)
    (textlayer.Stream, "show_text", textlayer._ORIGINAL_SHOW_TEXT),
    (textlayer.Stream, "add_font", textlayer._ORIGINAL_ADD_FONT),
    (textlayer._draw, "draw_inline_level", textlayer._ORIGINAL_DRAW_INLINE_LEVEL),
    (textlayer._draw, "draw_block_level", textlayer._ORIGINAL_DRAW_BLOCK_LEVEL),
    # The fonts met so far keep their recorder (fonts outlive documents): a dict again.
    (textlayer._Recorder, "__contains__", dict.__contains__),
    (textlayer._Recorder, "__setitem__", dict.__setitem__),
    (textlayer, "exact", lambda data: data),
    (_DOCUMENT, "write_pdf", _compressed),
]


def _without(render: Callable[[], bytes]) -> Callable[[], bytes]:
    def run() -> bytes:
        installed = [getattr(owner, name) for owner, name, _ in _HOOKS]
        for owner, name, own in _HOOKS:
            setattr(owner, name, own)
        try:
            return render()
        finally:
            for (owner, name, _), hook in zip(_HOOKS, installed, strict=True):
                setattr(owner, name, hook)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kinds", default=",".join(KINDS))
    args = parser.parse_args()
    data = cnops_legaldocs.load()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    total = {"with": 0.0, "without": 0.0}
    for kind in args.kinds.split(","):
        for lang in ("ar", "fr+ar"):

            def render(kind: str = kind, lang: str = lang) -> bytes:
                return cnops_legaldocs.render(data, kind, lang, "pdf")

            render()  # warm: fonts, templates, catalogs
            best = {"with": float("inf"), "without": float("inf")}
            for _ in range(args.repeat):
                best["without"] = min(best["without"], _timed(_without(render)))
                best["with"] = min(best["with"], _timed(render))
            for key in total:
                total[key] += best[key]
            print(
                f"{kind:18} {lang:6} CPU without {best['without'] * 1000:7.0f} ms   "
                f"with {best['with'] * 1000:7.0f} ms   ratio {best['with'] / best['without']:.3f}"
            )
    print(f"all documents: ratio {total['with'] / total['without']:.3f} (target <= 1.10)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
