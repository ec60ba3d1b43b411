"""Run the service under uvicorn: structured logs, graceful shutdown on SIGTERM or Ctrl-C
(in-flight requests finish, then the workers stop; nothing is left on disk)."""

from __future__ import annotations

import logging
import sys

from .app import Settings, create_app


def run(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until SIGTERM or Ctrl-C. Bad data or branches raise before the port is bound."""
    import uvicorn

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    service_log = logging.getLogger("cnops_legaldocs.service")
    service_log.addHandler(handler)
    service_log.setLevel(logging.INFO)
    service_log.propagate = False
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,  # ours: `middleware.Guard`, one JSON line, no query, no body
        log_level="info",
        server_header=False,
        timeout_graceful_shutdown=int(settings.timeout) + 5,
        limit_concurrency=1000,
    )
    uvicorn.Server(config).run()
