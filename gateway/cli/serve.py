"""Run the gateway under uvicorn."""

from __future__ import annotations

import uvicorn

from gateway.http.live_frames import CoalescingWebSockets
from gateway.http.slow_clients import HeaderTimeoutProtocol
from gateway.ops.logging_json import dict_config, log_format
from gateway.process.settings import Settings


def serve(settings: Settings, workers: int = 1) -> int:
    """Serve until SIGTERM or SIGINT; ``workers`` > 1 starts that many processes.

    On SIGTERM uvicorn stops accepting connections and lets the requests in flight
    finish (for at most ``settings.shutdown_timeout_s``); then the lifespan closes
    every city's HTTP session.

    ``X-Forwarded-For`` is trusted only from ``settings.forwarded_allow_ips`` (none by
    default; uvicorn's own default trusts loopback, finding L10 of issue 13); request
    headers must arrive within ``settings.header_timeout_s`` (``gateway/http/slow_clients.py``).
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
        http=HeaderTimeoutProtocol,
        proxy_headers=settings.forwarded_allow_ips is not None,
        forwarded_allow_ips=settings.forwarded_allow_ips or "",
        # no permessage-deflate: it compresses each live event once per subscriber; the
        # frames of one loop turn leave in one write (ADR 0026)
        ws=CoalescingWebSockets,
        ws_per_message_deflate=False,
    )
    return 0
