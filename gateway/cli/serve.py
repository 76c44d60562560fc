"""Run the gateway under uvicorn."""

from __future__ import annotations

import uvicorn

from gateway.ops.logging_json import dict_config, log_format
from gateway.process.settings import Settings


def serve(settings: Settings, workers: int = 1) -> int:
    """Serve until SIGTERM or SIGINT; ``workers`` > 1 starts that many processes.

    On SIGTERM uvicorn stops accepting connections and lets the requests in flight
    finish (for at most ``settings.shutdown_timeout_s``); then the lifespan closes
    every city's HTTP session.
    """
    uvicorn.run(
        "gateway.http.asgi:app_factory",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        log_config=dict_config(settings.log_level, log_format(settings.log_format)),
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_timeout_s) or None,
    )
    return 0
