"""Shared fixtures: documents rendered once per session, a local server that records any
request, the CLI run in-process."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cnops_legaldocs import api, cli, model

COMBINATIONS = [
    (kind, lang, fmt)
    for kind, lang in itertools.product(api.KINDS, model.LANGUAGES)
    for fmt in api.formats_of(kind)
]
"""Every (kind, language, format) the library renders: new ones (a kind's DOCX once it
exists, per `api.formats_of`) are tested automatically."""


@pytest.fixture(scope="session")
def default_data() -> model.LegalData:
    return model.load()


@pytest.fixture(scope="session")
def default_renders(default_data: model.LegalData) -> dict[tuple[str, str, str], bytes]:
    """The embedded notice in every kind, language and format, with default options."""
    return {combo: api.render(default_data, *combo) for combo in COMBINATIONS}


@dataclass
class Recorder:
    """What reached the local server: every connection, even one that sent nothing."""

    port: int
    connections: list[tuple[str, int]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


class _Handler(BaseHTTPRequestHandler):
    timeout = 5  # a client that connects and stalls cannot hold the thread for long

    def do_GET(self) -> None:
        self.server.recorder.paths.append(self.path)  # type: ignore[attr-defined]
        body = b"body { background: red }"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def verify_request(self, request: object, client_address: tuple[str, int]) -> bool:
        self.recorder.connections.append(client_address)  # type: ignore[attr-defined]
        return True


@pytest.fixture(scope="session")
def recorder() -> Iterator[Recorder]:
    """An HTTP server on 127.0.0.1 (port chosen by the system) that answers every request and
    records it; stopped at the end of the session."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.recorder = Recorder(server.server_address[1])  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield server.recorder  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run the command line in this process and return its exit status and output."""

    def run(*argv: str) -> Run:
        capsys.readouterr()
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:  # argparse refusing an option
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
