"""Branch notices rendered on a Dask cluster: `render_many` runs unchanged on its executor.

    pip install "dask[distributed]"
    python examples/dask_batch.py --branches examples/branches.yaml --lang ar -o out/dask
    python examples/dask_batch.py ... --scheduler tcp://scheduler:8786   # an existing cluster

Without ``--scheduler`` a `LocalCluster` of two worker processes starts on this machine. On a
real cluster every worker needs this package installed, and the output directory must be on a
file system the workers share with this process: each worker writes the files of its rows,
this process keeps the manifest that lets a rerun skip them. One thread per worker process:
WeasyPrint lays out one document at a time per process.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from distributed import Client, LocalCluster

import cnops_legaldocs
from cnops_legaldocs.batch import branch_jobs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--branches", type=Path, required=True, metavar="FILE")
    parser.add_argument("--lang", required=True, choices=cnops_legaldocs.LANGUAGES)
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler")
    args = parser.parse_args(argv)

    branches = cnops_legaldocs.load_branches(args.branches)
    with contextlib.ExitStack() as stack:
        if args.scheduler:
            client = stack.enter_context(Client(args.scheduler))
        else:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
                )
            )
            client = stack.enter_context(Client(cluster))
        summary = cnops_legaldocs.render_many(
            branch_jobs(branches, "notice", args.lang),
            args.output,
            executor=client.get_executor(),  # any concurrent.futures.Executor would do
            workers=sum(client.nthreads().values()),  # bounds the tasks in flight
            total=len(branches),
        )
    print(summary)
    return 0 if summary.ok else 2


if __name__ == "__main__":
    sys.exit(main())
