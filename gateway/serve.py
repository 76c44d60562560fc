"""Run the gateway under uvicorn."""

from __future__ import annotations

import uvicorn

from gateway.settings import Settings


def serve(settings: Settings, workers: int = 1) -> int:
    """Serve until interrupted; ``workers`` > 1 starts that many processes."""
    uvicorn.run(
        "gateway.asgi:app_factory",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
    )
    return 0
