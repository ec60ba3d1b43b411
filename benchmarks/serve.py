"""Load on the HTTP service (issue 11): latency percentiles, throughput and memory.

    python benchmarks/serve.py [--workers 2] [--quick]

Starts ``cnops-legaldocs serve`` on 127.0.0.1 (a free port) and drives it with a bounded
closed-loop generator (httpx, asyncio: each client sends its next request when the last one
is answered):

(a) a cached document (the Arabic notice, rendered once) with 50 concurrent clients;
(b) a pre-filled Arabic rights-request PDF (2 pages; names vary per request) with 8 clients;
(c) the same forms on a server of 1 worker: the throughput ratio of N workers to 1;
(d) the resident memory of each worker after the run (requests served printed beside it).

Prints every figure and the ratios against the targets: (a) p95 <= 20 ms, (b) p95 <= 250 ms,
(c) >= 1.7x, (d) <= 250 MiB per worker, no failed request. The client runs on the same
machine and takes its share of the cores: report the load (printed) beside the figures.
Not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
COMMAND = Path(sys.executable).with_name("cnops-legaldocs")
FAMILIES = ["العلوي", "بنعلي", "التازي", "برادة", "الفاسي", "بنكيران", "الصقلي", "Tazi", "Alaoui"]
GIVEN = ["محمد", "فاطمة الزهراء", "يوسف", "خديجة", "سلمى", "أمين", "Omar", "Salma"]


@dataclass
class Run:
    name: str
    latencies: list[float]
    failed: int
    seconds: float

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def __str__(self) -> str:
        return (
            f"{self.name:<44} {len(self.latencies):>6} req {self.failed:>3} failed  "
            f"p50 {self.pct(50):7.1f} ms  p95 {self.pct(95):7.1f} ms  p99 {self.pct(99):7.1f} ms"
            f"  {self.rate:7.1f} req/s"
        )


class Server:
    def __init__(self, workers: int) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the server)
        self.process = subprocess.Popen(
            [str(COMMAND), "serve", "--port", str(self.port), "--workers", str(workers),
             "--branches", str(ROOT / "examples" / "branches.yaml"), "--queue", "64"],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started = time.monotonic()
        while True:
            if self.process.poll() is not None:
                raise SystemExit("the server exited")
            try:
                if httpx.get(f"{self.url}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        self.ready_after = time.monotonic() - started

    def workers(self) -> list[psutil.Process]:
        pids = {w["pid"] for w in httpx.get(f"{self.url}/health").json()["workers"]}
        return [psutil.Process(pid) for pid in pids]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(120)


def person(rng: random.Random) -> dict[str, str]:
    return {
        "nom": rng.choice(FAMILIES),
        "prenom": rng.choice(GIVEN),
        "cin": f"{rng.choice('ABCDJK')}{rng.randrange(10**5, 10**6)}",
        "immatriculation": str(rng.randrange(10**8, 10**9)),
    }


async def load(url: str, clients: int, total: int, make, name: str) -> Run:  # type: ignore[no-untyped-def]
    """`total` requests from `clients` concurrent clients; `make(client, i)` sends one."""
    latencies: list[float] = []
    failed = 0
    counter = iter(range(total))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

        async def one_client() -> None:
            nonlocal failed
            for i in counter:
                started = time.perf_counter()
                try:
                    response = await make(client, i)
                    ok = response.status_code == 200 and response.content[:4] == b"%PDF"
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - started)
                failed += not ok

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        return Run(name, latencies, failed, time.perf_counter() - started)


def cached(client: httpx.AsyncClient, i: int):  # type: ignore[no-untyped-def]
    return client.get("/v1/documents/notice.pdf?lang=ar")


def forms(seed: int):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)

    def make(client: httpx.AsyncClient, i: int):  # type: ignore[no-untyped-def]
        return client.post("/v1/forms/rights-request.pdf?lang=ar", json=person(rng))

    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cached", type=int, default=2000, help="cached requests (a)")
    parser.add_argument("--forms", type=int, default=400, help="form requests (b), (c)")
    parser.add_argument("--quick", action="store_true", help="500 cached, 80 forms")
    args = parser.parse_args()
    if args.quick:
        args.cached, args.forms = 500, 80
    print(f"machine: {os.cpu_count()} cores, load average before: {os.getloadavg()}")
    server = Server(args.workers)
    print(f"server with {args.workers} workers ready in {server.ready_after:.1f} s")
    runs = []
    asyncio.run(load(server.url, 1, 1, cached, "prime"))  # rendered once, then cached
    runs.append(
        asyncio.run(
            load(server.url, 50, args.cached, cached, "(a) cached notice-ar.pdf, 50 clients")
        )
    )
    asyncio.run(load(server.url, 8, 16, forms(0), "warm"))
    runs.append(
        asyncio.run(
            load(
                server.url,
                8,
                args.forms,
                forms(1),
                f"(b) rights-request ar, 8 clients, {args.workers} w",
            )
        )
    )
    rss = [w.memory_info().rss / 2**20 for w in server.workers()]
    served = args.cached + args.forms + 17
    server.stop()
    one = Server(1)
    asyncio.run(load(one.url, 8, 16, forms(0), "warm"))
    runs.append(
        asyncio.run(
            load(one.url, 8, args.forms, forms(2), "(c) rights-request ar, 8 clients, 1 worker")
        )
    )
    one.stop()
    for run in runs:
        print(run)
    print(f"(d) RSS per worker after {served} requests ({args.forms + 16} forms rendered): "
          + ", ".join(f"{r:.0f} MiB" for r in rss))  # fmt: skip
    a, b, c = runs
    failed = sum(r.failed for r in runs)
    print(f"load average after: {os.getloadavg()}")
    print("targets:")
    print(f"  (a) cached p95 {a.pct(95):.1f} ms (target <= 20 ms)")
    print(f"  (b) form p95 {b.pct(95):.1f} ms (target <= 250 ms)")
    print(f"  (c) {args.workers} workers / 1: {b.rate / c.rate:.2f}x throughput (target >= 1.7x)")
    print(f"  (d) max RSS per worker {max(rss):.0f} MiB (target <= 250 MiB)")
    print(f"  failed requests: {failed} (target 0)")


if __name__ == "__main__":
    main()
