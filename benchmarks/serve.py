"""Load on the HTTP service (issue 11): latency percentiles, throughput, CPU and memory.

    python benchmarks/serve.py [--workers 2] [--quick]

Starts ``cnops-legaldocs serve`` on 127.0.0.1 (a free port) and drives it with ``wrk``
(Debian package ``wrk``, which ``scripts/setup-system`` installs): a closed loop of C client
connections on one thread, HTTP/1.1 keep-alive, each connection sending its next request when
the last one is answered, for a given time; a Lua script counts the answers that are not a 200
with a PDF (or a DOCX). The earlier client, 50 httpx coroutines in one Python process on the
same 2 cores, measured mostly itself (cached p95 1417 ms on a quiet machine; wrk against that
same server: 104 ms at load 3); wrk's own CPU is printed beside each run.

(a) a cached document (the Arabic notice, rendered once) with 50 connections;
(b) a pre-filled Arabic rights-request PDF (the forms' fast path: a few ms of CPU in a worker;
    names vary per request) with 8 connections;
(c) a pre-filled Arabic rights-request DOCX (written by python-docx in a worker, its fonts
    subset: a few hundred ms of CPU, so the rendering is the work) with 4 connections;
(b1), (c1) the same as (b) and (c) on a server of 1 worker: the throughput ratios;
(d) the resident memory of each worker after (a) to (c) (requests served printed beside it).

For each run: requests, failed, p50/p95/p99, throughput, CPU per request of the server's
event loop, of its workers and of the client, and the cores the loop and the workers had (CPU
time over wall time), so that a ratio can be read against where the time went.

Where the scaling target (2 workers >= 1.7x 1 worker) is read, and why: on (c). A fast-path
form (b) costs its worker ~3 ms of CPU, and the event loop and the client ~2 ms more on the same
2 cores; a lone worker also idles while the executor hands it the next call (at most one call
waits beside each worker), so (b)'s ratio mixes the pool with the HTTP stack. On (c) the
worker's CPU is ~99 % of the request's and the CPU per request is the same with 1 and 2
workers: the ratio is what the pool gives, provided the machine has 2 idle cores. On a machine
shared with other work the workers' "cores used" shows what they got (2 workers that get 0.6
core between them cannot show any scaling).
Not a test: nothing here fails a build; report the load average (printed) beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
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
CACHED = "/v1/documents/notice.pdf?lang=ar"
FORM_AR = "/v1/forms/rights-request.pdf?lang=ar"
FORM_DOCX = "/v1/forms/rights-request.docx?lang=ar"

# wrk's script: `requests` (filled in) sent in turn; each answer checked (200 and a PDF or a
# DOCX: MAGIC, the file's first bytes); `done` prints the figures as one JSON line.
LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
answered, bad = 0, 0
local i = 0
local requests = {}
function init(args)
  for _, r in ipairs(REQUESTS) do
    table.insert(requests, wrk.format(r[1], r[2], r[3], r[4]))
  end
end
function request()
  i = i + 1
  return requests[(i - 1) % #requests + 1]
end
function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 or string.sub(body, 1, 4) ~= MAGIC then bad = bad + 1 end
end
function done(summary, latency, requests)
  local n, failed = 0, 0
  for _, t in ipairs(threads) do n = n + t:get("answered"); failed = failed + t:get("bad") end
  local errors = summary.errors
  failed = failed + errors.connect + errors.read + errors.write + errors.timeout
  io.write(string.format(
    '{"requests": %d, "failed": %d, "us": %d, "p50": %d, "p95": %d, "p99": %d}\\n',
    n, failed, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""


def lua_string(value: bytes | str) -> str:
    raw = value.encode() if isinstance(value, str) else value
    return '"' + "".join(
        chr(c) if 32 <= c < 127 and c not in (34, 92) else f"\\{c:03d}" for c in raw
    ) + '"'  # fmt: skip


def lua_requests(requests: list[tuple[str, str, dict[str, str], bytes | None]]) -> str:
    rows = []
    for method, path, headers, body in requests:
        head = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
        rows.append(
            f"{{{lua_string(method)}, {lua_string(path)}, {{{head}}}, "
            f"{lua_string(body) if body is not None else 'nil'}}}"
        )
    return "{\n" + ",\n".join(rows) + "\n}"


@dataclass
class Run:
    name: str
    requests: int
    failed: int
    seconds: float
    p50: float
    p95: float
    p99: float
    cpu_loop: float  # seconds of CPU: the server's event loop process
    cpu_workers: float  # its render workers
    cpu_client: float  # wrk

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def per_request(self, cpu: float) -> float:
        return cpu / max(self.requests, 1) * 1000

    def __str__(self) -> str:
        return (
            f"{self.name:<40} {self.requests:>6} req {self.failed:>3} failed  "
            f"p50 {self.p50:7.1f}  p95 {self.p95:7.1f}  p99 {self.p99:7.1f} ms  "
            f"{self.rate:7.1f} req/s  CPU/req: loop {self.per_request(self.cpu_loop):.2f}, "
            f"workers {self.per_request(self.cpu_workers):.2f}, "
            f"client {self.per_request(self.cpu_client):.2f} ms; cores used: loop "
            f"{self.cpu_loop / self.seconds:.2f}, workers {self.cpu_workers / self.seconds:.2f}"
        )


def cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


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
        self.main = psutil.Process(self.process.pid)

    def workers(self) -> list[psutil.Process]:
        pids = {w["pid"] for w in httpx.get(f"{self.url}/health").json()["workers"]}
        return [psutil.Process(pid) for pid in sorted(pids)]

    def run(
        self,
        name: str,
        connections: int,
        seconds: float,
        requests: list[tuple[str, str, dict[str, str], bytes | None]],
    ) -> Run:
        """`connections` wrk connections (one client thread) for `seconds`."""
        magic = b"PK\x03\x04" if ".docx" in requests[0][1] else b"%PDF"
        script = LUA.replace("REQUESTS", lua_requests(requests)).replace("MAGIC", lua_string(magic))
        workers = self.workers()
        before = cpu(self.main), sum(map(cpu, workers))
        client = resource.getrusage(resource.RUSAGE_CHILDREN)
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
            lua.write(script)
            lua.flush()
            command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "120s",
                       "-s", lua.name, self.url]  # fmt: skip
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        loop, rendering = cpu(self.main) - before[0], sum(map(cpu, workers)) - before[1]
        self.idle()  # the renders admitted before wrk stopped, out of the next run's way
        figures = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
        return Run(
            name,
            figures["requests"],
            figures["failed"],
            figures["us"] / 1e6,
            figures["p50"] / 1000,
            figures["p95"] / 1000,
            figures["p99"] / 1000,
            loop,
            rendering,
            (after.ru_utime + after.ru_stime) - (client.ru_utime + client.ru_stime),
        )

    def idle(self) -> None:
        """Wait until no render is admitted."""
        while httpx.get(f"{self.url}/health", timeout=30).json()["queue"]["pending"]:
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(120)


def forms(path: str, seed: int, count: int = 64) -> list[tuple[str, str, dict[str, str], bytes]]:
    """`count` form requests, each with another person."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        person = {
            "nom": rng.choice(FAMILIES),
            "prenom": rng.choice(GIVEN),
            "cin": f"{rng.choice('ABCDJK')}{rng.randrange(10**5, 10**6)}",
            "immatriculation": str(rng.randrange(10**8, 10**9)),
        }
        body = json.dumps(person, ensure_ascii=False).encode()
        out.append(("POST", path, {"Content-Type": "application/json"}, body))
    return out


def forms_and_heavy(server: Server, args: argparse.Namespace, workers: int) -> list[Run]:
    suffix = f"{workers} worker{'s' if workers > 1 else ''}"
    server.run("warm", 8, 1, forms(FORM_AR, 0))
    server.run("warm", 4, 1, forms(FORM_DOCX, 0))
    return [
        server.run(f"rights-request ar, 8 conn, {suffix}", 8, args.forms, forms(FORM_AR, 1)),
        server.run(f"rights-request ar DOCX, 4 conn, {suffix}", 4, args.heavy, forms(FORM_DOCX, 2)),
    ]


def ratio(n: Run, one: Run) -> str:
    return f"{n.rate / one.rate:.2f}x" if one.rate else "n/a (no request answered)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cached", type=float, default=10, help="seconds of (a)")
    parser.add_argument("--forms", type=float, default=15, help="seconds of (b) and (b1)")
    parser.add_argument("--heavy", type=float, default=30, help="seconds of (c) and (c1)")
    parser.add_argument("--quick", action="store_true", help="5 s of (a) and (b), 15 s of (c)")
    args = parser.parse_args()
    if args.quick:
        args.cached, args.forms, args.heavy = 5, 5, 15
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (scripts/setup-system does)")
    print(f"machine: {os.cpu_count()} cores, load average before: {os.getloadavg()}")
    server = Server(args.workers)
    try:
        print(f"server with {args.workers} workers ready in {server.ready_after:.1f} s")
        httpx.get(server.url + CACHED, timeout=300).raise_for_status()  # rendered, then cached
        cached = server.run(
            "(a) cached notice-ar.pdf, 50 conn", 50, args.cached, [("GET", CACHED, {}, None)]
        )
        b, c = forms_and_heavy(server, args, args.workers)
        rss = [w.memory_info().rss / 2**20 for w in server.workers()]
        cache = httpx.get(f"{server.url}/health").json()["cache"]
        forms_served = b.requests + c.requests  # and the warm-up runs' (not counted)
    finally:
        server.stop()
    one = Server(1)
    try:
        b1, c1 = forms_and_heavy(one, args, 1)
    finally:
        one.stop()
    for label, run in (("(a)", cached), ("(b)", b), ("(c)", c), ("(b1)", b1), ("(c1)", c1)):
        run.name = run.name if run.name.startswith("(") else f"{label} {run.name}"
        print(run)
    print(f"(d) RSS per worker after {cache['hits'] + forms_served} requests, of which "
          f"{forms_served} forms rendered: " + ", ".join(f"{r:.0f} MiB" for r in rss))  # fmt: skip
    failed = sum(r.failed for r in (cached, b, c, b1, c1))
    print(f"load average after: {os.getloadavg()}")
    print("targets:")
    print(f"  (a) cached p95 {cached.p95:.1f} ms (target <= 20 ms)")
    print(f"  (b) form p95 {b.p95:.1f} ms (target <= 250 ms)")
    print(f"  (c) {args.workers} workers / 1, DOCX forms: {ratio(c, c1)} throughput"
          f" (target >= 1.7x); fast-path forms (b)/(b1): {ratio(b, b1)}")  # fmt: skip
    print(f"  (d) max RSS per worker {max(rss):.0f} MiB (target <= 250 MiB)")
    print(f"  failed requests: {failed} (target 0)")


if __name__ == "__main__":
    main()
