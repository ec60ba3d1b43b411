"""Pre-filled forms from a CSV with Typst: the like-for-like counterpart of ``cnops-legaldocs
batch`` for the benchmark (benchmarks/batch.py).

    python benchmarks/typst_batch.py KIND LANG ROWS.csv OUT [--jobs N]

The port ``benchmarks/typst/KIND-LANG.typ`` (typst_port.py) compiled once per row with one
reused ``typst.Compiler`` per worker process (fonts parsed once), values as ``sys.inputs``,
each row written to ``OUT/NNNN.pdf``; ``--jobs`` worker processes share the rows, as the
library's batch does.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_COMPILER = None


def _start(source: str) -> None:
    global _COMPILER
    import fontpkg
    import typst

    fonts = sorted(
        {str(Path(fontpkg.path(p, 400, "normal")).parent) for p in ("amiri", "noto-serif")}
    )
    _COMPILER = typst.Compiler(source, font_paths=fonts, ignore_system_fonts=True)


def _compile(job: tuple[int, dict[str, str], str]) -> int:
    number, row, out = job
    assert _COMPILER is not None
    (Path(out) / f"{number:04d}.pdf").write_bytes(_COMPILER.compile(sys_inputs=row))
    return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind")
    parser.add_argument("lang")
    parser.add_argument("rows", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    source = str(HERE / "typst" / f"{args.kind}-{args.lang}.typ")
    with open(args.rows, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = [(n + 1, row, str(args.out)) for n, row in enumerate(rows)]
    if args.jobs == 1:
        _start(source)
        for job in jobs:
            _compile(job)
        return 0
    with cf.ProcessPoolExecutor(args.jobs, initializer=_start, initargs=(source,)) as pool:
        for _ in pool.map(_compile, jobs, chunksize=8):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
