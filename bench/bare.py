"""The baseline of B3: a bare Starlette endpoint under uvicorn that answers fixed bytes.

``python -m bench.bare --port P --workers N --body FILE`` serves the bytes of
FILE at ``/graphql`` (GET and POST, the request body read and dropped) with the
gateway's media type, under uvicorn configured as ``caap serve`` configures it.
What the gateway does beyond this is what a cached answer costs.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BODY_ENV = "BENCH_BARE_BODY"
MEDIA_TYPE = "application/graphql-response+json"


def create_app() -> Starlette:
    """The app; the answer's bytes come from the file named by ``$BENCH_BARE_BODY``."""
    body = Path(os.environ[BODY_ENV]).read_bytes()

    async def graphql(request: Request) -> Response:
        await request.body()
        return Response(body, media_type=MEDIA_TYPE)

    async def readyz(request: Request) -> Response:
        return JSONResponse({"status": "ready"})

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/readyz", readyz, methods=["GET"]),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m bench.bare", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--body", required=True, help="file whose bytes are the answer")
    args = parser.parse_args(argv)
    os.environ[BODY_ENV] = str(Path(args.body).resolve())
    # as gateway/cli/serve.py runs the gateway
    uvicorn.run(
        "bench.bare:create_app",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
