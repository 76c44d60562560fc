"""``POST /notify/{secret}``: a platform's HTTP notification, handed to its inbox.

Unknown or closed secrets are refused with 404 (the same answer for both: a guess
learns nothing), bodies over the inboxes' bound with 413, a full inbox with 503.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from gateway.http.body import BodyTooLarge, BodyTooSlow, ClientWentAway, read_body
from gateway.http.disconnect import CLIENT_CLOSED
from gateway.live.callbacks import CallbackInboxes


def notify_endpoint(
    inboxes: CallbackInboxes, body_timeout_s: float
) -> Callable[[Request], Awaitable[Response]]:
    """The route's handler for ``inboxes``."""

    async def notify(request: Request) -> Response:
        secret: str = request.path_params["secret"]
        if not inboxes.known(secret):
            return Response("no such inbox", status_code=404, media_type="text/plain")
        try:
            body = await read_body(request, inboxes.max_body_bytes, body_timeout_s)
        except BodyTooLarge:
            return Response(
                f"a notification holds at most {inboxes.max_body_bytes} bytes",
                status_code=413,
                media_type="text/plain",
                headers={"Connection": "close"},
            )
        except BodyTooSlow:
            return Response("the body came too slowly", status_code=408, media_type="text/plain")
        except ClientWentAway:
            return Response(status_code=CLIENT_CLOSED)
        accepted = inboxes.deliver(secret, body)
        return Response(status_code=accepted.value)

    return notify
