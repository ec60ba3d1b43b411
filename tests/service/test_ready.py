"""A worker is ready when its warm-up has finished, not when some worker answers a ping: the
pool (and so /health) is ready only once every worker has said so.

The warm-up here is a gate the test holds: the first worker passes at once, the second waits
for a file the test writes, so the test does not depend on how fast anything runs."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from cnops_legaldocs.service import worker
from cnops_legaldocs.service.pool import PoolSettings, RenderPool

from .conftest import Server


def gated(gate: str, branches: str | None, tmp: str, ready: Any) -> None:
    """An initializer: the first worker is warm at once, the others once `gate/go` exists."""
    try:
        os.close(os.open(os.path.join(gate, "first"), os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        while not os.path.exists(os.path.join(gate, "go")):
            time.sleep(0.01)
    ready.put(os.getpid())


class GatedPool(RenderPool):
    initializer = staticmethod(gated)


async def until(condition, seconds: float = 300) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def test_the_pool_is_ready_when_every_worker_has_warmed_up(tmp_path: Path) -> None:
    async def scenario() -> None:
        pool = GatedPool(PoolSettings(workers=2, queue=2, timeout=300, data=str(tmp_path)))
        try:
            starting = asyncio.create_task(pool.start())
            await until(lambda: any(w["ready"] for w in pool.workers()))
            # The warm worker answers every ping (those `start` sent, then this one)...
            await pool.run(worker.ping)
            await asyncio.sleep(0.2)  # (the pings' callbacks are already queued)
            # ...yet the pool waits for the other one's warm-up.
            assert not starting.done() and not pool.ready and not pool.can_render()
            assert sorted(w["ready"] for w in pool.workers()) == [False, True]
            (tmp_path / "go").touch()
            pids = await asyncio.wait_for(starting, 300)
            assert pool.ready and pool.can_render()
            workers = pool.workers()
            assert sorted(w["pid"] for w in workers) == pids
            assert all(w["ready"] and w["alive"] for w in workers)
        finally:
            (tmp_path / "go").touch()
            await asyncio.to_thread(pool.shutdown)

    asyncio.run(scenario())


def test_health_lists_each_worker_as_warmed_up(server: Server) -> None:
    with server.client() as c:
        health = c.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    workers = health.json()["workers"]
    assert len(workers) == 2 and all(w["alive"] and w["ready"] for w in workers)
