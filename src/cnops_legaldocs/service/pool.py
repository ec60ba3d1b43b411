"""The render pool: warm worker processes behind a bounded queue, awaited from the event loop.

A render never runs in the event loop. At most `workers + queue` renders are admitted at once;
one more is refused at once (503 with Retry-After) rather than queued without end. A render
that outlasts the time-out answers 504; its worker finishes it in the background and its slot
stays taken until then, so the bound holds. A pool whose worker died is replaced."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import json
import logging
import multiprocessing
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
        self.ready = False
        # The workers' temporary files (WeasyPrint's fonts), removed by `shutdown`.
        self.tmp = tempfile.mkdtemp(prefix="cnops-legaldocs-serve-")
        self._executor = self._new_executor()

    @property
    def limit(self) -> int:
        return self.settings.workers + self.settings.queue

    def _new_executor(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            self.settings.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=worker.initialize,
            initargs=(self.settings.data, self.settings.branches, self.tmp),
        )

    async def start(self) -> list[int]:
        """Start every worker and wait until each has warmed up; their process ids."""
        futures = [
            asyncio.wrap_future(self._executor.submit(worker.ping))
            for _ in range(self.settings.workers)
        ]
        pids = await asyncio.gather(*futures)
        self.ready = True
        return list(pids)

    def workers(self) -> list[dict[str, Any]]:
        """Each worker process: its id and whether it is alive."""
        processes = getattr(self._executor, "_processes", None) or {}
        return [
            {"pid": pid, "alive": process.is_alive()} for pid, process in list(processes.items())
        ]

    def can_render(self) -> bool:
        """A worker has warmed up, none has died (which breaks the pool), one is alive."""
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
            shutil.rmtree(self.tmp, ignore_errors=True)
            log.info(json.dumps({"event": "workers stopped"}))
