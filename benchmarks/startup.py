"""The library inside a service: the first render of a fresh process, warm renders, memory
(issue 10).

    python benchmarks/startup.py [--renders N] [--repeat 3]

Prints, on this machine and in one run (with the load average beside it: the machine may be
shared, so compare the ratios, measured side by side):

(a) fresh processes, best of `--repeat`: ``python -c "import weasyprint"``, then the command
    ``cnops-legaldocs render notice --lang ar`` as PDF and as DOCX, and their ratios to the
    import (targets: ≤ 2× each). The font instances of the DOCX come from the wheel or the
    cache (``fontcache``); one untimed DOCX render first fills the cache of a source checkout,
    as the first process on a machine would;
(b) warm, in one process after ``warm_up()``: notice ar PDF (target ≤ 400 ms), pre-filled
    rights-request ar PDF (≤ 60 ms), notice ar DOCX (≤ 250 ms): the median of several;
(c) resident memory after `--renders` mixed renders against after a tenth of them (≤ 1.1×).

Not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

PERSON = {"nom": "Alaoui", "prenom": "Samira", "cin": "AB123456", "immatriculation": "123456789"}


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}, {os.cpu_count()} cores"


def _fresh(command: Sequence[str], repeat: int, cwd: Path) -> float:
    """The best wall time of `repeat` runs of `command`, each a new process."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, cwd=cwd, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - started)
    return best


def _timed(render: Callable[[], object], times: int) -> float:
    """The median wall time of `times` calls, in ms."""
    laps = []
    for _ in range(times):
        started = time.perf_counter()
        render()
        laps.append((time.perf_counter() - started) * 1000)
    return statistics.median(laps)


def _rss_mib() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per figure")
    parser.add_argument("--renders", type=int, default=1000, help="mixed renders for memory")
    parser.add_argument("--warm", type=int, default=7, help="warm renders per figure")
    args = parser.parse_args(argv)
    python = sys.executable
    cli = [python, "-m", "cnops_legaldocs.cli", "render", "notice", "--lang", "ar"]
    print(f"python {sys.version.split()[0]}; {_load()} (before)")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run([*cli, "--format", "docx", "-o", "prime.docx"], check=True, cwd=work)
        imported = _fresh([python, "-c", "import weasyprint"], args.repeat, work)
        pdf = _fresh([*cli, "-o", "notice-ar.pdf"], args.repeat, work)
        docx = _fresh([*cli, "--format", "docx", "-o", "notice-ar.docx"], args.repeat, work)
    print(f"(a) fresh process, best of {args.repeat}:")
    print(f"    import weasyprint              {imported:7.2f} s")
    print(f"    render notice ar PDF (CLI)     {pdf:7.2f} s   {pdf / imported:5.2f}× the import")
    print(f"    render notice ar DOCX (CLI)    {docx:7.2f} s   {docx / imported:5.2f}× the import")

    import cnops_legaldocs as c

    started = time.perf_counter()
    data = c.warm_up()
    warm_up = time.perf_counter() - started
    notice_pdf = _timed(lambda: c.render(data, "notice", "ar"), args.warm)
    form = _timed(lambda: c.render(data, "rights-request", "ar", person=PERSON), 3 * args.warm)
    notice_docx = _timed(lambda: c.render(data, "notice", "ar", "docx"), args.warm)
    print(f"(b) warm, one process (warm_up took {warm_up:.1f} s), median:")
    print(f"    notice ar PDF                  {notice_pdf:7.0f} ms  (target ≤ 400)")
    print(f"    pre-filled rights-request ar   {form:7.0f} ms  (target ≤ 60)")
    print(f"    notice ar DOCX                 {notice_docx:7.0f} ms  (target ≤ 250)")

    mixed: list[Callable[[], object]] = [
        lambda: c.render(data, "rights-request", "ar", person=PERSON),
        lambda: c.render(data, "marketing-consent", "fr", person=dict(PERSON, nom="Benali")),
        lambda: c.render(data, "notice", "fr", "docx"),
        lambda: c.render(data, "rights-request", "fr", person=dict(PERSON, cin="K1")),
        lambda: c.render(data, "marketing-consent", "ar", person=PERSON),
        lambda: c.render(data, "register", "ar", "docx"),
        lambda: c.render(data, "rights-request", "ar", person=dict(PERSON, prenom="Omar")),
        lambda: c.render(data, "marketing-consent", "fr", "docx"),
        lambda: c.render(data, "rights-request", "fr", person=PERSON),
        lambda: c.render(data, "notice", "ar"),
    ]
    tenth = max(1, args.renders // 10)
    started = time.perf_counter()
    for number in range(1, args.renders + 1):
        mixed[number % len(mixed)]()
        if number == tenth:
            early = _rss_mib()
    late = _rss_mib()
    seconds = time.perf_counter() - started
    print(f"(c) resident memory, {args.renders} mixed renders ({seconds:.0f} s):")
    print(f"    after {tenth:5d}                   {early:7.1f} MiB")
    print(f"    after {args.renders:5d}                   {late:7.1f} MiB   {late / early:5.2f}×")
    print(f"{_load()} (after)")


if __name__ == "__main__":
    main()
