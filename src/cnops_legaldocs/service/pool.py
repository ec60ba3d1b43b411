"""The render pool: warm worker processes behind a bounded queue, awaited from the event loop.

A render never runs in the event loop. At most `workers + queue` renders are admitted at once;
one more is refused at once (503 with Retry-After) rather than queued without end. A pool whose
worker died is replaced. A worker is ready once its initializer (the warm-up) has finished and
said so on a queue; the pool is ready when every worker is.

A render that outlasts the time-out answers 504 and is not killed: its worker finishes it in
the background and its slot stays taken until then, so the bound on admitted renders holds.
Every render is bounded (the server's own data; a person's values are checked and short), so
a late one ends; killing it would cost a new worker's warm-up (seconds of CPU, more than the
render it stops) and, in a `ProcessPoolExecutor`, would break the pool and fail the other
worker's renders too."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import json
import logging
import multiprocessing
import queue
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from ..errors import LegalDocsError
from . import worker
from .problems import Problem

T = TypeVar("T")
log = logging.getLogger("cnops_legaldocs.service")


@dataclass(frozen=True)
class PoolSettings:
    workers: int = 2
    queue: int = 16  # renders waiting for a worker, beyond one per worker
    timeout: float = 30.0  # seconds a render may take before the request answers 504
    data: str | None = None
    branches: str | None = None


class RenderPool:
    """A `ProcessPoolExecutor` of warm workers (`worker.initialize`), with admission control."""

    def __init__(self, settings: PoolSettings) -> None:
        self.settings = settings
        self.pending = 0
        self.ready = False  # every worker has finished its warm-up
        context = multiprocessing.get_context("spawn")
        self._context = context
        self._warm_queue = context.Queue()  # each worker's pid, once warmed up
        self._warm: set[int] = set()
        # The workers' temporary files (WeasyPrint's fonts), removed by `shutdown`.
        self.tmp = tempfile.mkdtemp(prefix="cnops-legaldocs-serve-")
        self._executor = self._new_executor()

    @property
    def limit(self) -> int:
        return self.settings.workers + self.settings.queue

    def _new_executor(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            self.settings.workers,
            mp_context=self._context,
            initializer=self.initializer,
            initargs=(self.settings.data, self.settings.branches, self.tmp, self._warm_queue),
        )

    initializer: Callable[..., None] = staticmethod(worker.initialize)
    """Run once in each worker; puts its pid on its last argument (a queue) when warmed up."""

    async def start(self) -> list[int]:
        """Start every worker and wait until each has finished its warm-up; their ids.

        (One ping per worker makes the executor start them all; but a ping only says that the
        worker which took it has warmed up, and the first one may take them all.)"""
        executor = self._executor
        for _ in range(self.settings.workers):
            executor.submit(worker.ping)
        while not self._all_warm():
            if executor is not self._executor or getattr(executor, "_broken", False):
                raise RuntimeError("a render worker stopped while warming up")
            await asyncio.to_thread(self._collect, 0.5)
        self.ready = True
        return sorted(self._pids())

    def _pids(self) -> set[int]:
        processes = getattr(self._executor, "_processes", None) or {}
        return set(processes)

    def _all_warm(self) -> bool:
        pids = self._pids()
        return len(pids) == self.settings.workers and pids <= self._warm

    def _collect(self, wait: float = 0.0) -> None:
        """Note the workers that have said they are warm (waiting up to `wait` s for one)."""
        try:
            self._warm.add(
                self._warm_queue.get(timeout=wait) if wait else self._warm_queue.get_nowait()
            )
            while True:
                self._warm.add(self._warm_queue.get_nowait())
        except queue.Empty:
            pass

    def workers(self) -> list[dict[str, Any]]:
        """Each worker process: its id, whether it is alive and whether it has warmed up."""
        self._collect()
        processes = getattr(self._executor, "_processes", None) or {}
        return [
            {"pid": pid, "alive": process.is_alive(), "ready": pid in self._warm}
            for pid, process in list(processes.items())
        ]

    def can_render(self) -> bool:
        """Every worker has warmed up, none has died (which breaks the pool), one is alive."""
        broken = bool(getattr(self._executor, "_broken", False))
        return self.ready and not broken and any(w["alive"] for w in self.workers())

    def check(self) -> None:
        """Replace a broken pool (a worker died) without waiting for a render to find it."""
        if self.ready and getattr(self._executor, "_broken", False):
            self._replace()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in a worker; raises `Problem` 503 (queue full, pool down) or 504."""
        if self.pending >= self.limit:
            raise Problem(
                503, "too many renders in progress; try again shortly", headers={"Retry-After": "1"}
            )
        try:
            future = self._executor.submit(fn, *args)
        except BrokenProcessPool:
            self._replace()
            raise Problem(
                503, "the render workers are restarting", headers={"Retry-After": "5"}
            ) from None
        self.pending += 1
        loop = asyncio.get_running_loop()
        future.add_done_callback(lambda _: loop.call_soon_threadsafe(self._release))
        try:
            return await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(future)), self.settings.timeout
            )
        except TimeoutError:
            raise Problem(504, f"the render took longer than {self.settings.timeout:g} s") from None
        except BrokenProcessPool:
            self._replace()
            raise Problem(
                503, "a render worker stopped; try again", headers={"Retry-After": "5"}
            ) from None
        except LegalDocsError as exc:
            raise Problem.of(exc) from None

    def _release(self) -> None:
        self.pending -= 1

    def _replace(self) -> None:
        old = self._executor
        self.ready = False
        self._warm.clear()
        self._executor = self._new_executor()
        old.shutdown(wait=False, cancel_futures=True)
        log.error("render pool broken: workers replaced")
        asyncio.get_running_loop().create_task(self._restart())

    async def _restart(self) -> None:
        try:
            await self.start()
        except Exception:
            log.exception("render workers failed to start")

    def shutdown(self) -> None:
        """Let the renders in progress finish, stop the workers, remove their files."""
        try:
            self._executor.shutdown(wait=True)
        finally:
            self._warm_queue.close()
            shutil.rmtree(self.tmp, ignore_errors=True)
            log.info(json.dumps({"event": "workers stopped"}))
