"""Production runs: one document per row (an agency, a person), in parallel and resumable.

`render_many(jobs, out)` renders each `Job` to its own file in `out` (or, with `merge`, to one
print-ready PDF). It runs on any `concurrent.futures.Executor`: a process pool by default, a
Dask cluster through ``client.get_executor()``. Jobs are small and picklable (kind, language,
file name and the row itself); workers load the notice data, templates, catalogs and fonts
once per process and keep them. Workers write their files atomically and return only a
status, so memory stays flat however many rows there are; the coordinating process keeps the
manifest (see `resume`) that lets a rerun skip the rows already complete.

How a row becomes bytes is a *row renderer*, prepared once per worker for a kind, language and
format (`Preparer`). The default renders each row's whole document with `api.render`; a kind
can register a faster one in `ROW_RENDERERS`: the forms do (`fastpath`: the form laid out once
per worker, each row's values laid out over it).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import hmac
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, overload

from . import api, assets, model
from .branches import Branch
from .csvrows import BadRow, CsvFile
from .documents import FORM_KINDS
from .errors import ArgumentError, DataError, LegalDocsError, RenderError
from .model import LegalData
from .naming import NamePattern, name_key, safe_name
from .output import WriteError, write_atomic
from .person import FIELDS, Person
from .resume import Manifest, user_key

# --------------------------------------------------------------------------------------------
# Kinds and rows

PERSON_KEYS: tuple[str, ...] = FIELDS
"""The canonical person keys of the forms, and so the columns of their CSV files."""

PERSON_REQUIRED: tuple[str, ...] = ("nom", "prenom", "cin", "immatriculation")
"""The columns a forms CSV must have."""

PERSON_KINDS: tuple[str, ...] = FORM_KINDS
"""Kinds rendered once per CSV row, the row being the person: the forms."""

BRANCH_PATTERN = "{id}"
REF = "ref"
"""The pattern field holding a keyed digest of the row's immatriculation (`person_ref`)."""
PERSON_PATTERN = "{row}-{ref}"
"""The forms' default names: the row number and a keyed digest, never a value in clear (a
folder listing is read by more people than the forms); ``--name`` may choose otherwise."""


def person_ref(values: Mapping[str, str], key: bytes) -> str:
    """A short digest of the row's immatriculation keyed with the user's batch key: stable
    from one run to the next, and useless to test a guessed number without the key."""
    identity = values.get("immatriculation", "").encode()
    return hmac.new(key, b"name:" + identity, hashlib.sha256).hexdigest()[:12]


def batch_kinds() -> tuple[str, ...]:
    """The kinds `batch` renders: the notice per agency, and the forms per person."""
    return ("notice", *PERSON_KINDS)


def check_person(values: Mapping[str, str]) -> dict[str, str]:
    """Check one row's person fields; return them as ``api.render(person=...)`` takes them.

    The one place a row is validated before rendering: the required columns must not be empty,
    and every value passes `Person.from_mapping` (CIN, phone, e-mail, length, fonts), which
    also cleans it (the job carries the cleaned values). Raises `DataError` with the column as
    `field`, never quoting the value.
    """
    for key in PERSON_REQUIRED:
        if not values.get(key, "").strip():
            raise DataError("required, but empty", field=key)
    return dict(Person.from_mapping(values).values)


@dataclass(frozen=True)
class Job:
    """One document to render: one row. Small and picklable: it travels to the workers."""

    number: int  # the row's number in its input (1-based), for messages and order
    name: str  # the file name without extension (see `naming.safe_name`)
    kind: str
    lang: str
    fmt: str = "pdf"
    branch: Branch | None = None
    person: Mapping[str, str] | None = None
    line: int | None = None  # where the row starts in its file, for messages

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.fmt}"

    @property
    def private(self) -> bool:
        """Whether the document holds personal data (its file is then owner-only)."""
        return self.person is not None


@dataclass(frozen=True)
class RowFailure:
    """A row that produced no document: where it is and why, never its values."""

    number: int
    reason: str
    column: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"row {self.number}" + (f" (line {self.line})" if self.line else "")
        column = f": column {self.column}" if self.column else ""
        return f"{where}{column}: {self.reason}"


def branch_jobs(
    branches: Sequence[Branch], kind: str, lang: str, fmt: str = "pdf", pattern: str | None = None
) -> Iterator[Job]:
    """One job per agency; files named by `pattern` over ``{id}`` and ``{row}``."""
    names = NamePattern(pattern or BRANCH_PATTERN, ["id"], width=_width(len(branches)))
    return (
        Job(n, names.name(n, {"id": b.id}), kind, lang, fmt, branch=b, line=b.line)
        for n, b in enumerate(branches, 1)
    )


def person_jobs(
    rows: CsvFile, kind: str, lang: str, fmt: str = "pdf", pattern: str | None = None
) -> Iterator[Job | RowFailure]:
    """One job per CSV row (the person), or the row's failure; names from `pattern` over the
    file's columns and ``{row}``."""
    names = NamePattern(pattern or PERSON_PATTERN, [*rows.columns, REF], width=_width(rows.rows))
    key = user_key() if REF in names.fields else b""

    def jobs() -> Iterator[Job | RowFailure]:
        for row in rows:
            if isinstance(row, BadRow):
                yield RowFailure(row.number, row.reason, line=row.line)
                continue
            try:
                person = check_person(row.values)
            except DataError as exc:
                yield RowFailure(row.number, exc.message, exc.field, row.line)
                continue
            values = {**row.values, REF: person_ref(person, key)} if key else row.values
            name = names.name(row.number, values)
            yield Job(row.number, name, kind, lang, fmt, person=person, line=row.line)

    return jobs()


def person_file(path: str | os.PathLike[str]) -> CsvFile:
    """A forms CSV file, its header and encoding checked."""
    optional = [k for k in PERSON_KEYS if k not in PERSON_REQUIRED]
    return CsvFile(path, required=PERSON_REQUIRED, optional=optional)


def _width(count: int) -> int:
    return max(4, len(str(count)))


# --------------------------------------------------------------------------------------------
# Row renderers (run in the workers)

RowRenderer = Callable[[Job], bytes]
Preparer = Callable[[LegalData, str, str, str], RowRenderer]
"""``prepare(data, kind, lang, fmt)`` -> a function rendering one job; called once per worker
process for each kind, language and format (a module-level function: it is pickled by name)."""


def prepare_documents(data: LegalData, kind: str, lang: str, fmt: str) -> RowRenderer:
    """The default row renderer: each row's whole document, through `api.render`."""

    def render(job: Job) -> bytes:
        if job.person is not None:
            return api.render(data, kind, lang, fmt, person=dict(job.person))
        return api.render(data, kind, lang, fmt, branch=job.branch)

    return render


def prepare_form(data: LegalData, kind: str, lang: str, fmt: str) -> RowRenderer:
    """The forms' row renderer: a `fastpath.FormPrinter` per worker for PDF, a
    `renderers.docx.fill.FormFiller` for DOCX (imported in the workers only: WeasyPrint and
    pikepdf stay out of the commands that do not render; neither imports this module)."""
    if fmt == "docx":  # the form's package built once, each row's values filled in
        from .renderers.docx import fill

        return fill.prepare(data, kind, lang)
    if fmt != "pdf":
        return prepare_documents(data, kind, lang, fmt)
    from . import fastpath

    printer = fastpath.FormPrinter(data, kind, lang)

    def render(job: Job) -> bytes:
        return printer.render(job.person or {})

    return render


ROW_RENDERERS: dict[str, Preparer] = dict.fromkeys(FORM_KINDS, prepare_form)
"""Faster row renderers by kind, in place of `prepare_documents`. Read when `render_many`
starts and sent to the workers by reference, so registering in the calling process is enough."""

_DATA: dict[str, LegalData] = {}
_PREPARED: dict[tuple[Any, ...], RowRenderer] = {}


@dataclass(frozen=True)
class _Spec:
    """What every chunk of jobs carries besides its jobs (small when data is a path)."""

    data: LegalData | str | None  # the data, its file, or None for the embedded default
    data_key: str  # identifies the data in the workers' caches
    directory: str
    prepare: Preparer | None  # for every kind
    renderers: Mapping[str, Preparer]  # by kind: `ROW_RENDERERS` as the coordinator has it


def _row_renderer(spec: _Spec, job: Job) -> RowRenderer:
    prepare = spec.prepare or spec.renderers.get(job.kind, prepare_documents)
    key = (spec.data_key, job.kind, job.lang, job.fmt, prepare)
    renderer = _PREPARED.get(key)
    if renderer is None:
        if isinstance(spec.data, LegalData):
            data = spec.data
        else:
            if spec.data_key not in _DATA:
                _DATA[spec.data_key] = model.load(spec.data)
            data = _DATA[spec.data_key]
        renderer = _PREPARED[key] = prepare(data, job.kind, job.lang, job.fmt)
    return renderer


def _render_chunk(spec: _Spec, jobs: Sequence[Job]) -> list[RowFailure | None]:
    """Render and write some jobs (in a worker); a failure per row, None when written. Each
    row's file is written (and synced to disk) by a thread while the next row renders."""
    results: list[RowFailure | None] = [None] * len(jobs)
    directory = Path(spec.directory)
    with cf.ThreadPoolExecutor(1) as writer:
        writing: tuple[int, cf.Future[Path]] | None = None
        for index, job in enumerate(jobs):
            try:
                content = _row_renderer(spec, job)(job)
            except Exception as exc:
                results[index] = _failure(job, exc)
                continue
            if writing is not None:
                results[writing[0]] = _written(jobs[writing[0]], writing[1])
            path = directory / job.filename
            writing = (index, writer.submit(write_atomic, path, content, private=job.private))
        if writing is not None:
            results[writing[0]] = _written(jobs[writing[0]], writing[1])
    return results


def _written(job: Job, writing: cf.Future[Path]) -> RowFailure | None:
    try:
        writing.result()
    except Exception as exc:
        return _failure(job, exc)
    return None


def _failure(job: Job, exc: Exception) -> RowFailure:
    """What a row's exception says, without its values."""
    if isinstance(exc, DataError):
        return RowFailure(job.number, exc.message, exc.field, job.line)
    if isinstance(exc, WriteError):  # its message would show the file name: row values
        return RowFailure(job.number, f"its file cannot be written: {exc.reason}", line=job.line)
    if isinstance(exc, LegalDocsError):
        return RowFailure(job.number, str(exc), line=job.line)
    return RowFailure(job.number, f"unexpected failure ({type(exc).__name__})", line=job.line)


def _ignore_sigint() -> None:
    """Pool workers leave Ctrl-C to the coordinator, which lets their current rows finish."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# --------------------------------------------------------------------------------------------
# The engine


@dataclass
class Summary:
    """How a batch went."""

    rendered: int = 0
    skipped: int = 0  # complete from an earlier run
    failures: list[RowFailure] = field(default_factory=list)
    empty: int = 0  # empty rows of the input, ignored
    seconds: float = 0.0
    merged: Path | None = None
    pages: int = 0
    interrupted: bool = False
    stopped: str | None = None  # why the run stopped before the end (a full disk)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def rows(self) -> int:
        return self.rendered + self.skipped + self.failed

    @property
    def ok(self) -> bool:
        return not self.failures and not self.interrupted and not self.stopped

    def __str__(self) -> str:
        parts = [f"{self.rendered} rendered", f"{self.skipped} already complete"]
        parts.append(f"{self.failed} failed")
        if self.empty:
            parts.append(f"{self.empty} empty skipped")
        lines = [f"{self.rows} rows: {', '.join(parts)}; {self.seconds:.1f} s"]
        if self.merged:
            lines.append(f"merged: {self.merged} ({self.pages} pages)")
        if self.stopped:
            lines.append(
                f"stopped: {self.stopped}; run the same command again once it is fixed: "
                "complete files are kept"
            )
        elif self.interrupted:
            lines.append("interrupted: run the same command again to render the remaining rows")
        elif self.failures:
            lines.append(
                "fix the failed rows and run the same command again: complete files are kept"
            )
        return "\n".join(lines)


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during `render_many`: rows being rendered were finished, no file is partial."""

    def __init__(self, summary: Summary) -> None:
        super().__init__("interrupted")
        self.summary = summary


class Reporter(Protocol):
    """What `render_many` tells as it goes: `progress.Progress`, or anything alike."""

    def update(self, *, rendered: int = 0, skipped: int = 0, failed: int = 0) -> None: ...

    def failure(self, message: str) -> None: ...

    def close(self) -> None: ...


class _Silent:
    def update(self, *, rendered: int = 0, skipped: int = 0, failed: int = 0) -> None:
        pass

    def failure(self, message: str) -> None:
        pass

    def close(self) -> None:
        pass


@overload
def render_many(
    jobs: Iterable[Job | RowFailure], out: str | os.PathLike[str], **options: Any
) -> Summary: ...
@overload
def render_many(
    jobs: Iterable[Job | RowFailure], out: None, **options: Any
) -> Iterator[tuple[Job, bytes] | RowFailure]: ...
def render_many(
    jobs: Iterable[Job | RowFailure],
    out: str | os.PathLike[str] | None,
    *,
    data: LegalData | str | os.PathLike[str] | None = None,
    executor: cf.Executor | None = None,
    workers: int | None = None,
    merge: str | None = None,
    progress: Reporter | None = None,
    prepare: Preparer | None = None,
    chunksize: int | None = None,
    total: int | None = None,
) -> Summary | Iterator[tuple[Job, bytes] | RowFailure]:
    """Render every job into directory `out`; return the `Summary`.

    `jobs` may hold `RowFailure`s for rows rejected while reading (they are counted and
    reported). `data` is the notice data: an object, a file, or None for the embedded one (a
    file keeps each task small). `executor` is any `concurrent.futures.Executor` (a Dask
    ``client.get_executor()`` works); by default a process pool of `workers` processes
    (default: the machine's cores), `workers` also bounding the tasks in flight. A rerun skips
    the rows whose file is complete; `merge` names one PDF (in `out`) that receives every row
    in order, written only when no row failed. `prepare` replaces the row renderer of every
    kind; `chunksize` is the number of rows per task (default: from `total` and `workers`).
    Ctrl-C raises `BatchInterrupted` once the rows in progress are written.

    With `out` None, nothing is written: an iterator yields ``(job, bytes)``, or the row's
    `RowFailure`, in the jobs' order (`streamed.render_stream`; `merge` and `progress` do
    not apply).
    """
    if out is None:  # no directory: the bytes, in order (`streamed`)
        from .streamed import render_stream

        if merge is not None:
            raise ArgumentError("merge: a merged PDF needs a directory, `out`")
        stream = render_stream(
            jobs, data=data, executor=executor, workers=workers, prepare=prepare,
            chunksize=chunksize or 8,
        )  # fmt: skip
        return stream
    started = time.monotonic()
    directory = Path(out).resolve()
    workers = workers or os.cpu_count() or 1
    spec_data, data_key = _data_ref(data)
    if merge is not None and safe_name(merge) != merge:
        raise RenderError(f"the merged file name {merge!r} is not a safe file name")
    summary = Summary()
    report = progress or _Silent()
    with Manifest(directory) as manifest:
        parts = manifest.state / "parts" if merge else directory
        spec = _Spec(spec_data, data_key, str(parts), prepare, dict(ROW_RENDERERS))
        run = _Run(manifest, Path(parts), summary, report, data_key)
        own = executor is None
        pool = executor or cf.ProcessPoolExecutor(workers, initializer=_ignore_sigint)
        try:
            run.execute(pool, spec, jobs, chunksize or _chunksize(total, workers), 2 * workers)
        except KeyboardInterrupt:
            summary.interrupted = True
            with _sigint_held():  # a second Ctrl-C must not lose the rows being written
                run.finish_running()
            raise BatchInterrupted(summary) from None
        finally:
            if own:
                pool.shutdown(wait=True, cancel_futures=True)
            summary.seconds = time.monotonic() - started
            report.close()
        if merge and run.order and summary.ok:
            from .merge import merge_pdfs  # pikepdf, only when merging

            summary.merged = directory / merge
            summary.pages = merge_pdfs(
                [Path(parts) / name for name in run.order], summary.merged, private=run.private
            )
            for name in run.order:
                manifest.forget(Path(parts) / name)
            shutil.rmtree(parts, ignore_errors=True)
            manifest.compact()  # the parts' names (row values) leave the manifest too
    summary.seconds = time.monotonic() - started
    return summary


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Ignore Ctrl-C for the block (in the main thread; elsewhere there is no signal)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _chunksize(total: int | None, workers: int) -> int:
    # Enough tasks for an even spread (8 per worker), few enough that per-task overhead is small.
    return max(1, min(32, (total or 0) // (8 * workers)))


class _Run:
    """The coordinator's side of one batch: plan, submit in bounded chunks, collect."""

    def __init__(
        self, manifest: Manifest, parts: Path, summary: Summary, report: Reporter, data_key: str
    ) -> None:
        self.manifest, self.parts, self.summary, self.report = manifest, parts, summary, report
        self.signature = f"{assets_digest()}|{data_key}|".encode()
        self.pending: dict[cf.Future[list[RowFailure | None]], list[tuple[Job, str]]] = {}
        self.names: dict[str, int] = {}
        self.order: list[str] = []  # file names in row order, for the merge
        self.private = False
        self.full = 0  # rows in a row that met a full disk

    def execute(
        self,
        pool: cf.Executor,
        spec: _Spec,
        jobs: Iterable[Job | RowFailure],
        chunksize: int,
        window: int,
    ) -> None:
        chunk: list[tuple[Job, str]] = []
        for item in jobs:
            if self.summary.stopped:
                chunk = []
                break
            planned = self.plan(item)
            if planned is None:
                continue
            chunk.append(planned)
            if len(chunk) >= chunksize:
                self.pending[pool.submit(_render_chunk, spec, [j for j, _ in chunk])] = chunk
                chunk = []
                while len(self.pending) >= window:
                    self.collect(cf.FIRST_COMPLETED)
        if chunk:
            self.pending[pool.submit(_render_chunk, spec, [j for j, _ in chunk])] = chunk
        while self.pending:
            self.collect(cf.FIRST_COMPLETED)

    def plan(self, item: Job | RowFailure) -> tuple[Job, str] | None:
        """The job with its digest, or None when it fails or is complete already."""
        if isinstance(item, RowFailure):
            self.fail(item)
            return None
        job = item
        if not job.name or safe_name(job.name) != job.name:
            self.fail(RowFailure(job.number, "its file name is not safe", line=job.line))
            return None
        first = self.names.setdefault(name_key(job.filename), job.number)
        if first != job.number:
            reason = (
                f"its file name is row {first}'s too (names ignore case): "
                "make the name pattern unique, e.g. with {row}"
            )
            self.fail(RowFailure(job.number, reason, line=job.line))
            return None
        self.order.append(job.filename)
        self.private = self.private or job.private
        digest = self.manifest.digest(self.signature + _job_bytes(job))
        if self.manifest.complete(self.parts / job.filename, digest):
            self.summary.skipped += 1
            self.report.update(skipped=1)
            return None
        return job, digest

    def collect(self, when: str) -> None:
        done, _ = cf.wait(self.pending, return_when=when)
        for future in done:
            chunk = self.pending.pop(future)
            if future.cancelled():
                continue
            try:
                results = future.result()
            except Exception as exc:  # the worker itself failed (killed, out of memory…)
                reason = f"its worker failed ({type(exc).__name__})"
                results = [RowFailure(job.number, reason, line=job.line) for job, _ in chunk]
            for (job, digest), failure in zip(chunk, results, strict=True):
                if failure is None:
                    try:
                        self.manifest.record(self.parts / job.filename, digest)
                    except WriteError as exc:  # the manifest is kept whole; the row is redone
                        self.stop(f"the manifest cannot be written: {exc.reason}")
                        continue
                    self.summary.rendered += 1
                    self.report.update(rendered=1)
                    self.full = 0
                else:
                    self.fail(failure)
                    self.full = self.full + 1 if failure.reason.endswith(_DISK_FULL) else 0
                    if self.full >= _FULL_ROWS:
                        self.stop(_DISK_FULL)

    def stop(self, reason: str) -> None:
        """Submit no more rows (those submitted finish): the next ones would fail alike."""
        if not self.summary.stopped:
            self.summary.stopped = reason
            self.report.failure(f"stopped: {reason}")
            for future in self.pending:
                future.cancel()

    def finish_running(self) -> None:
        """After Ctrl-C: cancel what has not started, record what was running once written."""
        for future in self.pending:
            future.cancel()
        while self.pending:
            self.collect(cf.ALL_COMPLETED)

    def fail(self, failure: RowFailure) -> None:
        self.summary.failures.append(failure)
        self.report.update(failed=1)
        self.report.failure(f"failed: {failure}")


_DISK_FULL = "the disk is full"
_FULL_ROWS = 8  # rows in a row failing on a full disk: the next ones would fail too, stop


def _job_bytes(job: Job) -> bytes:
    person = sorted(job.person.items()) if job.person is not None else None
    return repr((job.kind, job.lang, job.fmt, job.branch, person)).encode()


def _data_ref(
    data: LegalData | str | os.PathLike[str] | None,
) -> tuple[LegalData | str | None, str]:
    """What the workers receive for the data, and a key naming its content."""
    if isinstance(data, LegalData):
        return data, "object:" + hashlib.sha256(repr(data).encode()).hexdigest()
    if data is None:
        content = assets.default_data().read_bytes()
        return None, "default:" + hashlib.sha256(content).hexdigest()
    path = Path(data).resolve()
    model.load(path)  # invalid data stops the run before any row
    return str(path), "file:" + hashlib.sha256(path.read_bytes()).hexdigest()


_ASSETS_DIGEST: list[str] = []


def assets_digest() -> str:
    """A digest of the package's code, templates and catalogs: any change re-renders."""
    if not _ASSETS_DIGEST:
        digest = hashlib.sha256()
        package = Path(__file__).resolve().parent
        for root in (package, assets.templates_dir(), assets.translations_dir()):
            for path in sorted(root.rglob("*")):
                if path.is_file() and path.suffix in (".py", ".html", ".css", ".po"):
                    digest.update(path.relative_to(root).as_posix().encode())
                    digest.update(path.read_bytes())
        _ASSETS_DIGEST.append(digest.hexdigest())
    return _ASSETS_DIGEST[0]
