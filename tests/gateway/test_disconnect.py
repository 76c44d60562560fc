"""A client that goes away cancels its request's handler (gateway/http/disconnect.py)."""

from __future__ import annotations

import asyncio

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from gateway.http.body import read_body, replaying
from gateway.http.disconnect import CLIENT_CLOSED, cancel_on_disconnect


def request(gone: asyncio.Event) -> Request:
    messages = [{"type": "http.request", "body": b"{}", "more_body": False}]

    async def receive() -> Message:
        if messages:
            return messages.pop()
        await gone.wait()
        return {"type": "http.disconnect"}

    return Request({"type": "http", "method": "POST", "headers": []}, receive)


async def test_a_finished_handler_gives_its_response() -> None:
    async def handler(_: Request) -> Response:
        await asyncio.sleep(0)
        return Response(b"ok")

    response = await cancel_on_disconnect(request(asyncio.Event()), handler)
    assert response.body == b"ok"
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0


async def test_a_disconnect_cancels_the_handler_and_answers_499() -> None:
    gone = asyncio.Event()
    cancelled = asyncio.Event()

    async def handler(_: Request) -> Response:
        gone.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return Response(b"late")

    response = await cancel_on_disconnect(request(gone), handler)
    assert response.status_code == CLIENT_CLOSED
    assert cancelled.is_set()
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0


async def test_a_cancellation_from_outside_goes_on() -> None:
    started = asyncio.Event()

    async def handler(_: Request) -> Response:
        started.set()
        await asyncio.sleep(10)
        return Response(b"late")

    serving = asyncio.ensure_future(cancel_on_disconnect(request(asyncio.Event()), handler))
    await started.wait()
    serving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await serving


async def test_a_request_read_already_is_served_its_body_and_cancelled_on_a_disconnect() -> None:
    gone = asyncio.Event()
    seen: list[bytes] = []
    original = request(gone)
    received = replaying(original, await read_body(original, 1024))

    async def handler(served: Request) -> Response:
        seen.append(await served.body())
        gone.set()
        await asyncio.sleep(10)
        return Response(b"late")

    response = await cancel_on_disconnect(received, handler)
    assert response.status_code == CLIENT_CLOSED
    assert seen == [b"{}"]
    assert (await received.receive())["type"] == "http.request"  # the body, given again
