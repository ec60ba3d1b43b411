"""`render_many` without a directory: each job's bytes, in order, as they are made.

For a caller that sends documents elsewhere (a response, an object store, a queue) rather than
into files. The same workers, row renderers (the forms' fast path) and data handling as
`batch.render_many`; nothing is written, so there is no manifest and no resume.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence

from . import batch
from .batch import Job, Preparer, RowFailure
from .model import LegalData

Rendered = tuple[Job, bytes] | RowFailure
"""A job and its file's bytes, or the failure of its row (its number, line and reason)."""


def render_stream(
    jobs: Iterable[Job | RowFailure],
    *,
    data: LegalData | str | os.PathLike[str] | None = None,
    executor: cf.Executor | None = None,
    workers: int | None = None,
    prepare: Preparer | None = None,
    chunksize: int = 8,
) -> Iterator[Rendered]:
    """Render every job and yield ``(job, bytes)`` (or its `RowFailure`) in the jobs' order;
    `data`, `executor`, `workers` and `prepare` as for `render_many`. At most ``2 × workers``
    chunks of `chunksize` jobs are in flight, so memory stays flat however many jobs come."""
    workers = workers or os.cpu_count() or 1
    spec_data, data_key = batch._data_ref(data)
    spec = batch._Spec(spec_data, data_key, "", prepare, dict(batch.ROW_RENDERERS))
    own = executor is None
    pool = executor or cf.ProcessPoolExecutor(workers, initializer=batch._ignore_sigint)
    pending: deque[tuple[list[Job | RowFailure], cf.Future[list[bytes | RowFailure]] | None]]
    pending = deque()
    try:
        chunk: list[Job | RowFailure] = []
        for item in jobs:
            chunk.append(item)
            if len(chunk) == chunksize:
                pending.append(_submit(pool, spec, chunk))
                chunk = []
                while len(pending) > 2 * workers:
                    yield from _results(*pending.popleft())
        if chunk:
            pending.append(_submit(pool, spec, chunk))
        while pending:
            yield from _results(*pending.popleft())
    finally:
        for _, future in pending:
            if future is not None:
                future.cancel()
        if own:
            pool.shutdown(wait=True, cancel_futures=True)


def _submit(
    pool: cf.Executor, spec: batch._Spec, chunk: list[Job | RowFailure]
) -> tuple[list[Job | RowFailure], cf.Future[list[bytes | RowFailure]] | None]:
    jobs = [item for item in chunk if isinstance(item, Job)]
    return chunk, pool.submit(_render_chunk, spec, jobs) if jobs else None


def _results(
    chunk: list[Job | RowFailure], future: cf.Future[list[bytes | RowFailure]] | None
) -> Iterator[Rendered]:
    made = iter(future.result() if future is not None else ())
    for item in chunk:
        if isinstance(item, RowFailure):
            yield item
            continue
        content = next(made)
        yield content if isinstance(content, RowFailure) else (item, content)


def _render_chunk(spec: batch._Spec, jobs: Sequence[Job]) -> list[bytes | RowFailure]:
    """Render some jobs (in a worker): each one's bytes, or its failure."""
    out: list[bytes | RowFailure] = []
    for job in jobs:
        try:
            out.append(batch._row_renderer(spec, job)(job))
        except Exception as exc:
            out.append(batch._failure(job, exc))
    return out
