"""Limits on a server of one worker and no queue: a render past the time-out answers 504, a
request beyond the queue 503 with Retry-After; on SIGTERM the request in flight completes, the
server shuts down and leaves no temporary file."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import Server, start

FORM = "/v1/forms/marketing-consent.pdf?lang=fr"
PERSON = b'{"nom": "Tazi", "prenom": "Omar", "cin": "K998877", "immatriculation": "3141"}'


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start(
        tmp_path_factory.mktemp("small"), "--workers", "1", "--queue", "0", "--timeout", "2"
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def hasty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One worker, no queue and a time-out no layout of the bilingual register can meet (it
    takes seconds; 50 ms leaves a margin of a hundred times, on any machine)."""
    running = start(
        tmp_path_factory.mktemp("hasty"), "--workers", "1", "--queue", "0", "--timeout", "0.05"
    )
    yield running
    running.stop()


def pending(server: Server) -> int:
    return int(httpx.get(f"{server.url}/health", timeout=30).json()["queue"]["pending"])


def wait_for(condition, seconds: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_timeout_then_full_queue(hasty: Server) -> None:
    answers: dict[str, httpx.Response] = {}

    def slow() -> None:  # the bilingual register: seconds of layout, far more than 50 ms
        answers["slow"] = httpx.get(
            f"{hasty.url}/v1/documents/register.pdf?lang=fr%2Bar", timeout=120
        )

    thread = threading.Thread(target=slow)
    thread.start()
    wait_for(lambda: pending(hasty) == 1)
    refused = httpx.get(f"{hasty.url}/v1/documents/notice.docx?lang=ar", timeout=30)
    thread.join()
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert refused.headers["content-type"] == "application/problem+json"
    assert answers["slow"].status_code == 504
    assert answers["slow"].json()["detail"] == "the render took longer than 0.05 s"
    # The timed-out render still holds its worker: the slot is free only when it is done.
    wait_for(lambda: pending(hasty) == 0)


def test_a_dead_worker_makes_health_503_then_the_pool_is_replaced(small: Server) -> None:
    (worker,) = httpx.get(f"{small.url}/health", timeout=30).json()["workers"]
    os.kill(worker["pid"], signal.SIGKILL)
    wait_for(lambda: httpx.get(f"{small.url}/health", timeout=30).status_code == 503, 60)
    # The health check replaced the pool: a new worker warms up, then renders again.
    wait_for(lambda: httpx.get(f"{small.url}/health", timeout=30).status_code == 200, 600)
    (new,) = httpx.get(f"{small.url}/health", timeout=30).json()["workers"]
    assert new["pid"] != worker["pid"] and new["alive"]
    response = httpx.post(f"{small.url}{FORM}", content=PERSON, timeout=120,
                          headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_sigterm_lets_the_request_in_flight_finish(small: Server) -> None:
    head = (
        f"POST {FORM} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(PERSON)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", small.port), timeout=60) as s:
        s.sendall(head + PERSON[:10])
        time.sleep(0.3)
        small.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        s.sendall(PERSON[10:])
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
    assert answer.rstrip().endswith(b"%%EOF")
    # uvicorn shuts down, then raises the signal it caught again: the status says "SIGTERM".
    assert small.process.wait(120) in (0, -signal.SIGTERM)
    log = small.log_text()
    assert "Application shutdown complete" in log and "Finished server process" in log
    leftovers = [p for p in Path(small.tmp).rglob("*")]
    assert leftovers == []
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{small.url}/health", timeout=5)
