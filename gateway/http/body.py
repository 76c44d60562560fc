"""Read a request body without ever holding more than the limit of it."""

from __future__ import annotations

from starlette.requests import ClientDisconnect, Request


class BodyTooLarge(Exception):
    """The body is larger than ``limit`` bytes (said by Content-Length, or found reading)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body larger than {limit} bytes")
        self.limit = limit


class ClientWentAway(Exception):
    """The client hung up before it had sent the whole body (finding L4 of issue 13)."""


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to exceed ``limit`` bytes; at most ``limit``
    bytes and one chunk of it are ever held (finding H1 of issue 13)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(limit)
            chunks.append(chunk)
    except ClientDisconnect:
        raise ClientWentAway from None
    return b"".join(chunks)
