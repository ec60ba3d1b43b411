"""DOCX batch of pre-filled Arabic rights requests against the PDF batch of the same rows.

    python benchmarks/docx_batch.py [--rows N] [--quick] [--jobs N]      (make bench)

On this machine, in one run, with the rows of benchmarks/batch.py (seeded, Arabic and Latin
names, some long addresses): the ``cnops-legaldocs batch rights-request --lang ar`` command,
start-up included, (a) --format pdf for N rows, (b) --format docx for N rows (the DOCX fast
path: `renderers/docx/fill.py`), (c) --format docx for 10×N rows. Printed: every figure, then
the ratios against the targets: DOCX CPU per form at most the PDF's, peak memory at 10×N
within 1.2 times that at N. Not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import library_batch, machine, people, verdict, write_csv

KIND = "rights-request"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000, help="rows of a run (default 1000)")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--quick", action="store_true", help="100 rows")
    parser.add_argument("--loop-rows", type=int, help="ignored (benchmarks/batch.py's option)")
    parser.add_argument("--keep", type=Path, help="write the outputs here instead of a temp dir")
    args = parser.parse_args(argv)
    count = 100 if args.quick else args.rows
    work = args.keep or Path(tempfile.mkdtemp(prefix="cnops-bench-docx-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"machine: {machine()}")
        print(f"form: {KIND} (ar, pre-filled); batch --jobs {args.jobs}")
        print(f"load average before the run: {os.getloadavg()[0]:.2f}\n")
        rows = people(10 * count)
        small = write_csv(work / "rows.csv", rows[:count])
        large = write_csv(work / "rows-10x.csv", rows)
        runs = {
            "(a) PDF": library_batch(KIND, small, count, work / "a", jobs=args.jobs),
            "(b) DOCX": library_batch(KIND, small, count, work / "b", fmt="docx", jobs=args.jobs),
            f"(c) DOCX, {10 * count} rows": library_batch(
                KIND, large, 10 * count, work / "c", fmt="docx", jobs=args.jobs
            ),
        }
        print("| measurement | rows | seconds | rows/s | CPU ms/form | peak RSS |")
        print("|---|--:|--:|--:|--:|--:|")
        for label, run in runs.items():
            print(
                f"| {label} | {run.rows} | {run.seconds:.1f} | {run.rate:.1f} | "
                f"{1000 * run.cpu / run.rows:.1f} | {run.peak_tree_mb:.0f} MiB |"
            )
        pdf, docx, tenfold = runs.values()
        cpu = (docx.cpu / docx.rows) / (pdf.cpu / pdf.rows)
        memory = tenfold.peak_tree_mb / docx.peak_tree_mb
        print("\nratios against the targets")
        print(f"  DOCX / PDF, CPU per form: {cpu:.2f}x (target <= 1): {verdict(cpu <= 1)}")
        print(
            f"  DOCX peak memory {10 * count} / {count} rows: {memory:.2f}x "
            f"({tenfold.peak_tree_mb:.0f} / {docx.peak_tree_mb:.0f} MiB; target <= 1.2x): "
            f"{verdict(memory <= 1.2)}"
        )
        print(f"load average after the run: {os.getloadavg()[0]:.2f}")
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
