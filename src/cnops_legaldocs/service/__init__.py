"""The HTTP service (``cnops-legaldocs serve``, extra ``serve``): an API for other systems under
``/v1`` and the agency page at ``/``, on Starlette and uvicorn, rendering in a pool of warm
worker processes.

>>> from cnops_legaldocs.service import Settings, create_app
>>> app = create_app(Settings(workers=2, branches="examples/branches.yaml"))  # an ASGI app

Modules: `app` (routes, options, ETags), `page` (the agency page), `pool` (workers, bounded
queue, time-outs), `worker` (what runs in the workers), `cache` (rendered documents),
`middleware` (request ids, body limits, access log), `problems` (RFC 9457), `openapi`,
`server` (uvicorn, signals).
"""

from __future__ import annotations

from .app import Settings, create_app

__all__ = ["Settings", "create_app"]
