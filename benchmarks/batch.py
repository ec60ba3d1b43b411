"""Batch throughput of pre-filled forms against what a user would otherwise pick (issues 5, 16).

    python benchmarks/batch.py [--rows N] [--quick] [--jobs N]      (make bench)
    python benchmarks/batch.py --like-for-like [--like-rows N] [--forms KIND-LANG,...]

First, like for like (issue 16): each form (rights request and consent, Arabic and French)
through the library's batch and through its Typst port (typst_port.py, run by typst_batch.py
with worker processes), at 1 process and at --jobs N, start-up measured apart (a run of N
rows); the verdicts: the library's CPU per page of rows on the Arabic rights request at most
Typst's at 1 process, its wall time at --jobs N at most Typst's. Then:

On this machine, in one run, for the one-page pre-filled Arabic form (``marketing-consent``;
the rights request is two pages and is measured for information, per page):

(a) this library's batch (the ``cnops-legaldocs batch`` command, default --jobs: every core),
    N rows to separate files, then to one ``--merge``d PDF;
(b) a plain loop calling WeasyPrint on the same HTML (``documents.build(...).html()`` with the
    same parsed stylesheets and font configuration), one document at a time, on the first
    min(N, 200) rows (--loop-rows);
(c) the same page in Typst (``typst/marketing-consent-ar.typ``), compiled row by row with one
    reused ``typst.Compiler``, with Amiri and Noto Serif from the font packages;
(d) DOCX through the library's batch, when the DOCX renderer is there;
(e) peak memory (resident set of the batch's whole process tree) at N and 10×N rows, to
    separate files and (not with --quick) --merged.

Every figure is printed, then the ratios against the targets: the library at least 3 times
the plain loop, within 2 times of Typst per page, peak memory at 10×N within 1.2 times that
at N. Rows are generated (seeded): Arabic and Latin names, some addresses long enough to wrap.
Not a test: nothing here fails a build. ``--quick`` (100 rows, the like-for-like part on the
Arabic rights request only) takes a few minutes.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
KIND, LANG = "marketing-consent", "ar"
TYPST_PAGE = HERE / "typst" / "marketing-consent-ar.typ"  # typst_port.py

FAMILIES_AR = ["العلوي", "الإدريسي", "بنعلي", "التازي", "برادة", "الفاسي", "بنكيران", "الصقلي"]
GIVEN_AR = ["محمد", "فاطمة الزهراء", "يوسف", "خديجة", "عبد الرحيم", "سلمى", "أمين", "نادية"]
FAMILIES_LATIN = ["El Idrissi", "Benali", "Tazi", "Berrada", "El Fassi", "Alaoui", "Bennani"]
GIVEN_LATIN = ["Mohammed", "Amina", "Youssef", "Karima", "Omar", "Salma", "Abderrahim"]
STREETS_AR = ["زنقة الخليل، الرباط", "شارع محمد الخامس، الدار البيضاء", "حي الرياض، الرباط"]
STREETS_LATIN = ["rue de Fès, Rabat", "avenue Hassan II, Casablanca", "boulevard Zerktouni"]
LONG_ADDRESS = (
    "Résidence Al Andalous, immeuble {n}, appartement 34, avenue Mohammed VI, "
    "quartier Hay Riad, 10100 Rabat"
)


def people(count: int, seed: int = 2026) -> list[dict[str, str]]:
    """`count` valid rows; one in ten has an address that wraps onto two lines."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        arabic = rng.random() < 0.6
        nom = rng.choice(FAMILIES_AR if arabic else FAMILIES_LATIN)
        prenom = rng.choice(GIVEN_AR if rng.random() < 0.7 and arabic else GIVEN_LATIN)
        if n % 10 == 9:
            adresse = LONG_ADDRESS.format(n=n % 90 + 1)
        else:
            adresse = f"{rng.randint(1, 200)} {rng.choice(STREETS_AR if arabic else STREETS_LATIN)}"
        rows.append(
            {
                "nom": nom,
                "prenom": prenom,
                "cin": rng.choice("ABCDEGHJ") + str(rng.randint(10000, 999999)),
                "immatriculation": str(100_000_000 + n),
                "adresse": adresse,
                "telephone": "06 " + " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4)),
                "email": f"assure{n}@example.ma",
            }
        )
    return rows


def write_csv(path: Path, rows: Sequence[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


# --------------------------------------------------------------------------------------------
# Measurements


@dataclass
class Run:
    rows: int
    pages: int  # pages per row
    seconds: float  # wall clock
    cpu: float  # CPU seconds (user and system) of every process and thread involved
    peak_tree_mb: float = 0.0  # resident set of the process and its children, summed
    peak_process_mb: float = 0.0  # largest single process

    @property
    def rate(self) -> float:
        return self.rows / self.seconds

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.seconds / (self.rows * self.pages)

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu / (self.rows * self.pages)


class PeakRss:
    """Samples the resident set of a process tree every 20 ms while it runs."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.tree = self.single = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.process, *self.process.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            sizes = []
            for proc in procs:
                try:
                    sizes.append(proc.memory_info().rss)
                except psutil.NoSuchProcess:
                    continue
            if sizes:
                self.tree = max(self.tree, sum(sizes))
                self.single = max(self.single, max(sizes))
            self._stop.wait(0.02)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def library_batch(
    kind: str,
    data: Path,
    rows: int,
    out: Path,
    *,
    fmt: str = "pdf",
    merge: bool = False,
    jobs: int,
    lang: str = LANG,
) -> Run:
    """The ``cnops-legaldocs batch`` command, timed from start to exit, memory sampled."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "cnops_legaldocs.cli", "batch", kind, "--data", str(data)]
    command += ["--lang", lang, "--format", fmt, "--jobs", str(jobs), "--quiet", "-o", str(out)]
    if merge:
        command.append("--merge")
    return _command(command, out, rows, fmt=fmt, merge=merge)


def typst_batch(kind: str, lang: str, data: Path, rows: int, out: Path, *, jobs: int) -> Run:
    """The same rows through the Typst port (typst_batch.py), timed and sampled alike."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, str(HERE / "typst_batch.py"), kind, lang, str(data), str(out)]
    return _command([*command, "--jobs", str(jobs)], out, rows)


def _command(command: list[str], out: Path, rows: int, *, fmt: str = "pdf", merge: bool = False):
    """Run a batch command from start to exit: wall time, CPU of its whole process tree (it
    and its pool, all waited for), peak memory."""
    started, cpu = time.perf_counter(), _children_cpu()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = PeakRss(process.pid)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    peak.stop()
    if process.returncode != 0:
        raise SystemExit(f"batch failed ({process.returncode}): {stderr.decode()[-2000:]}")
    files = [p for p in out.iterdir() if p.suffix == f".{fmt}"]
    pages = _pages(files[0]) // (rows if merge else 1) if fmt == "pdf" else 1
    cpu = _children_cpu() - cpu  # the command and its pool, all waited for
    return Run(rows, pages, seconds, cpu, peak.tree / 2**20, peak.single / 2**20)


def like_for_like(
    pairs: Sequence[tuple[str, str]], rows: Sequence[dict[str, str]], jobs: int, work: Path
) -> dict[tuple[str, str, str, int], tuple[Run, Run]]:
    """Each form through the library's batch and through its Typst port, at 1 process and at
    `jobs`: a start-up run (`jobs` rows: processes, fonts, each worker's first row) and a full
    run; the difference is the cost of the rows themselves."""
    small = write_csv(work / "start.csv", rows[: max(jobs, 2)])
    full = write_csv(work / "like.csv", rows)
    out: dict[tuple[str, str, str, int], tuple[Run, Run]] = {}
    print(f"\nlike for like: {len(rows)} rows, start-up measured on {max(jobs, 2)} rows")
    print(
        "| form | engine | processes | start-up s (CPU s) | rows s | CPU ms/page | "
        "rows only: CPU ms/page | wall ms/page |"
    )
    print("|---|---|--:|--:|--:|--:|--:|--:|")
    for kind, lang in pairs:
        for engine in ("library", "typst"):
            for procs in sorted({1, jobs}):
                start = _engine(engine, kind, lang, small, max(jobs, 2), work / "s", procs)
                whole = _engine(engine, kind, lang, full, len(rows), work / "f", procs)
                out[(kind, lang, engine, procs)] = (start, whole)
                pages = whole.pages * (whole.rows - start.rows)
                steady = 1000 * (whole.cpu - start.cpu) / pages
                wall = 1000 * (whole.seconds - start.seconds) / pages
                print(
                    f"| {kind} {lang} ({whole.pages} p.) | {engine} | {procs} | "
                    f"{start.seconds:.1f} ({start.cpu:.1f}) | {whole.seconds:.1f} | "
                    f"{whole.cpu_ms_per_page:.1f} | {steady:.1f} | {wall:.1f} |",
                    flush=True,
                )
    return out


def _engine(engine: str, kind: str, lang: str, data: Path, rows: int, out: Path, jobs: int):
    if engine == "library":
        return library_batch(kind, data, rows, out, jobs=jobs, lang=lang)
    return typst_batch(kind, lang, data, rows, out, jobs=jobs)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _pages(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def weasyprint_loop(rows: Sequence[dict[str, str]], out: Path) -> Run:
    """One WeasyPrint document at a time on the library's HTML, stylesheets parsed once."""
    import weasyprint

    import cnops_legaldocs as lib
    from cnops_legaldocs import assets, documents
    from cnops_legaldocs.person import Person
    from cnops_legaldocs.renderers.pdf import _styles, stylesheets_of  # the library's sheets

    data = lib.load()
    font_config, sheets, fetcher = _styles(stylesheets_of(documents.build(data, KIND, LANG)))
    base_url = assets.templates_dir().as_uri() + "/"
    out.mkdir(parents=True, exist_ok=True)

    def one(n: int, row: dict[str, str]) -> None:
        html = documents.build(data, KIND, LANG, person=Person.from_mapping(row)).html()
        page = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        page.write_pdf(
            out / f"{n}.pdf", stylesheets=sheets, font_config=font_config, pdf_forms=True
        )

    one(0, rows[0])  # warm-up: fonts and templates loaded, as the library's workers have them
    return _timed(rows, one, pages=1)


def typst_loop(rows: Sequence[dict[str, str]], out: Path) -> Run:
    """The same page in Typst, one reused compiler, one compilation per row."""
    import fontpkg
    import typst

    fonts = sorted(
        {str(Path(fontpkg.path(p, 400, "normal")).parent) for p in ("amiri", "noto-serif")}
    )
    compiler = typst.Compiler(str(TYPST_PAGE), font_paths=fonts, ignore_system_fonts=True)
    out.mkdir(parents=True, exist_ok=True)

    def one(n: int, row: dict[str, str]) -> None:
        (out / f"{n}.pdf").write_bytes(compiler.compile(sys_inputs=row))

    one(0, rows[0])  # warm-up: fonts parsed
    return _timed(rows, one, pages=1)


def _timed(rows: Sequence[dict[str, str]], one: Callable[[int, dict[str, str]], None], pages: int):
    started, cpu = time.perf_counter(), time.process_time()
    for n, row in enumerate(rows):
        one(n, row)
    return Run(len(rows), pages, time.perf_counter() - started, time.process_time() - cpu)


# --------------------------------------------------------------------------------------------
# Report


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    ram = psutil.virtual_memory().total / 2**30
    return (
        f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {model}, {ram:.0f} GiB RAM"
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000, help="rows of a run (default 1000)")
    parser.add_argument(
        "--loop-rows", type=int, help="rows of the plain WeasyPrint loop (default: min(rows, 200))"
    )
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument(
        "--quick",
        action="store_true",
        help="100 rows, 10 in the loop, like for like on the Arabic rights request only",
    )
    parser.add_argument("--keep", type=Path, help="write the outputs here instead of a temp dir")
    parser.add_argument(
        "--like-for-like", action="store_true", help="only the library against Typst's ports"
    )
    parser.add_argument(
        "--forms",
        default="rights-request-ar,rights-request-fr,marketing-consent-ar,marketing-consent-fr",
        help="forms of the like-for-like runs, KIND-LANG, comma-separated (rights-request-ar "
        "is always run: the verdicts are on it)",
    )
    parser.add_argument(
        "--like-rows", type=int, default=300, help="rows of the like-for-like runs (default 300)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.loop_rows = 100, args.loop_rows or 10
    loop_rows = args.loop_rows or min(args.rows, 200)
    work = args.keep or Path(tempfile.mkdtemp(prefix="cnops-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        forms = ["rights-request-ar", *([] if args.quick else args.forms.split(","))]
        pairs = list(dict.fromkeys(tuple(f.rsplit("-", 1)) for f in forms))
        like_rows = args.like_rows // (3 if args.quick else 1)
        if args.like_for_like:
            return _like(pairs, like_rows, args.jobs, work)  # type: ignore[arg-type]
        _like(pairs, like_rows, args.jobs, work)  # type: ignore[arg-type]
        return _bench(args.rows, loop_rows, args.jobs, work, merge_tenfold=not args.quick)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _like(pairs: Sequence[tuple[str, str]], count: int, jobs: int, work: Path) -> int:
    """The like-for-like comparison and its verdicts (issue 16)."""
    print(f"machine: {machine()}")
    print(f"load average before: {os.getloadavg()[0]:.2f} (other processes slow every figure)")
    runs = like_for_like(pairs, people(count), jobs, work)
    (s1, f1), (t_s1, t_f1) = (runs["rights-request", "ar", e, 1] for e in ("library", "typst"))
    (s2, f2), (t_s2, t_f2) = (runs["rights-request", "ar", e, jobs] for e in ("library", "typst"))

    def steady(start: Run, whole: Run) -> float:
        return (whole.cpu - start.cpu) / (whole.pages * (whole.rows - start.rows))

    cpu = steady(s1, f1) / steady(t_s1, t_f1)
    total = f1.cpu_ms_per_page / t_f1.cpu_ms_per_page
    wall = f2.seconds / t_f2.seconds
    rows_wall = (f2.seconds - s2.seconds) / (t_f2.seconds - t_s2.seconds)
    print("\nratios, Arabic rights request (library / Typst)")
    print(f"  CPU per page of the rows, 1 process: {cpu:.2f}x (target <= 1): {verdict(cpu <= 1)}")
    print(f"  CPU per page with start-up, 1 process: {total:.2f}x")
    print(f"  wall time at {jobs} processes: {wall:.2f}x (target <= 1): {verdict(wall <= 1)}")
    print(f"  wall time of the rows at {jobs} processes: {rows_wall:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


def _bench(count: int, loop_rows: int, jobs: int, work: Path, *, merge_tenfold: bool) -> int:
    from cnops_legaldocs import api

    print(f"machine: {machine()}")
    print(f"form: {KIND} ({LANG}, one A4 page, pre-filled); batch --jobs {jobs}")
    load = os.getloadavg()[0]
    print(f"load average before the run: {load:.2f}")
    if load > 0.5:
        print("  warning: other processes are using the CPU; the figures will be lower")
    print()
    rows = people(10 * count)
    small = write_csv(work / "rows.csv", rows[:count])
    large = write_csv(work / "rows-10x.csv", rows)
    figures: list[tuple[str, Run]] = []

    def show(label: str, run: Run) -> Run:
        figures.append((label, run))
        memory = f", peak RSS {run.peak_tree_mb:.0f} MiB tree" if run.peak_tree_mb else ""
        print(
            f"{label}: {run.rows} rows in {run.seconds:.1f} s = {run.rate:.1f} rows/s, "
            f"{run.ms_per_page:.1f} ms/page, CPU {run.cpu_ms_per_page:.1f} ms/page{memory}",
            flush=True,
        )
        return run

    separate = show(
        "(a) library batch, separate files",
        library_batch(KIND, small, count, work / "a", jobs=jobs),
    )
    merged = show(
        "(a) library batch, --merge",
        library_batch(KIND, small, count, work / "m", merge=True, jobs=jobs),
    )
    show(
        "    library batch, rights-request (2 pages)",
        library_batch("rights-request", small, count, work / "r", jobs=jobs),
    )
    loop = show("(b) plain WeasyPrint loop", weasyprint_loop(rows[:loop_rows], work / "b"))
    typst = show("(c) Typst, reused compiler", typst_loop(rows[:count], work / "c"))
    if "docx" in api.FORMATS:
        show(
            "(d) library batch, DOCX",
            library_batch(KIND, small, count, work / "d", fmt="docx", jobs=jobs),
        )
    else:
        print(f"(d) DOCX: skipped, no DOCX renderer yet (api.FORMATS = {api.FORMATS})")
    tenfold = show(
        f"(e) library batch, {10 * count} rows",
        library_batch(KIND, large, 10 * count, work / "e", jobs=jobs),
    )
    tenfold_merged = None
    if merge_tenfold:
        tenfold_merged = show(
            f"(e) library batch, {10 * count} rows, --merge",
            library_batch(KIND, large, 10 * count, work / "f", merge=True, jobs=jobs),
        )

    print("\n| measurement | rows | seconds | rows/s | ms/page | CPU ms/page | peak RSS |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    for label, run in figures:
        rss = f"{run.peak_tree_mb:.0f} MiB" if run.peak_tree_mb else ""
        print(
            f"| {label.strip()} | {run.rows} | {run.seconds:.1f} | {run.rate:.1f} | "
            f"{run.ms_per_page:.1f} | {run.cpu_ms_per_page:.1f} | {rss} |"
        )
    speedup = separate.rate / loop.rate
    per_page = separate.ms_per_page / typst.ms_per_page
    memory = tenfold.peak_tree_mb / separate.peak_tree_mb
    print("\nratios against the targets")
    print(
        f"  library / plain WeasyPrint loop: {speedup:.1f}x (target >= 3x): {verdict(speedup >= 3)}"
    )
    print(
        f"  library / Typst, time per page: {per_page:.2f}x (target <= 2x): "
        f"{verdict(per_page <= 2)}"
    )
    print(
        f"  peak memory {10 * count} / {count} rows: {memory:.2f}x "
        f"({tenfold.peak_tree_mb:.0f} / {separate.peak_tree_mb:.0f} MiB; target <= 1.2x): "
        f"{verdict(memory <= 1.2)}"
    )
    if tenfold_merged is not None:
        merged_memory = tenfold_merged.peak_tree_mb / merged.peak_tree_mb
        print(
            f"  peak memory with --merge {10 * count} / {count} rows: {merged_memory:.2f}x "
            f"({tenfold_merged.peak_tree_mb:.0f} / {merged.peak_tree_mb:.0f} MiB; "
            f"target <= 1.2x): {verdict(merged_memory <= 1.2)}"
        )
    print(f"  --merge / separate files, time: {merged.seconds / separate.seconds:.2f}x")
    if count < 1000:
        print(
            f"  note: at {count} rows starting the command (processes, each worker's base) weighs "
            f"on the library's figures; {10 * count} rows: {tenfold.ms_per_page:.1f} ms/page"
        )
    print(f"load average after the run: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
