"""The service as a real process: `cnops-legaldocs serve` on 127.0.0.1 on a free port, started
once per test session, its temporary directory and its log kept for the tests to inspect."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BRANCHES = ROOT / "examples" / "branches.yaml"
COMMAND = Path(sys.executable).with_name("cnops-legaldocs")
READY_WITHIN = 600.0  # seconds: workers warm up (lay out the forms) on a loaded machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    port: int
    tmp: Path  # the server's TMPDIR
    log: Path  # its standard error: uvicorn's lines, the access log

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, **kwargs)  # type: ignore[arg-type]

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        """SIGTERM, then the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(120)


def start(tmp: Path, *options: str, wait: bool = True) -> Server:
    """Start the server with `options`; wait until /health says it can render."""
    port = free_port()
    (tmp / "tmp").mkdir(parents=True)
    log = tmp / "server.log"
    env = {**os.environ, "TMPDIR": str(tmp / "tmp"), "PYTHONUNBUFFERED": "1"}
    with open(log, "wb") as err:
        process = subprocess.Popen(
            [str(COMMAND), "serve", "--port", str(port), *options],
            stdout=err,
            stderr=subprocess.STDOUT,
            cwd=tmp,
            env=env,
        )
    server = Server(process, f"http://127.0.0.1:{port}", port, tmp / "tmp", log)
    deadline = time.monotonic() + READY_WITHIN
    while wait:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {server.log_text()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError("the server did not become ready")
        time.sleep(0.5)
    return server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service with two workers and the example agencies, for the whole session."""
    running = start(
        tmp_path_factory.mktemp("serve"),
        "--workers", "2", "--branches", str(BRANCHES), "--body-timeout", "2",
    )  # fmt: skip
    yield running
    running.stop()
