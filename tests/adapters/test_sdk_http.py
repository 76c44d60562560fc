"""The SDK's HTTP edge over real loopback HTTP: typed errors, secrets blanked, origins kept."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import orjson
import pytest
from aiohttp import web
from yarl import URL

from adapters.contract import AdapterContext
from adapters.errors import UpstreamError, UpstreamProtocolError, UpstreamUnavailable
from adapters.sdk.client import PlatformClient
from adapters.sdk.fetch import error_text, redact

SECRET = "k3y/with+odd=chars"
LOG = logging.getLogger("test.sdk.http")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Server:
    def __init__(self) -> None:
        self.handler: Handler = self.ok
        self.seen: list[web.Request] = []
        self.url = URL()

    async def ok(self, request: web.Request) -> web.Response:
        return web.json_response({"value": [1, 2]}, headers={"Cache-Control": "max-age=30"})

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(request)
        return await self.handler(request)


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    served = Server()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", served.dispatch)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    served.url = URL(f"http://127.0.0.1:{runner.addresses[0][1]}")
    yield served
    await runner.cleanup()


@pytest.fixture
async def client(server: Server) -> AsyncIterator[PlatformClient]:
    context = AdapterContext(city_id="test", logger=LOG, max_response_bytes=1000)
    made = PlatformClient(
        context, server.url, headers={"X-Key": SECRET}, secrets=[SECRET], peer="the platform"
    )
    yield made
    await made.aclose()


async def test_a_json_answer_and_its_cache_control(server: Server, client: PlatformClient) -> None:
    answer = await client.get_json(server.url / "things")
    assert answer.data == {"value": [1, 2]}
    assert answer.cache_control == "max-age=30"
    assert server.seen[0].headers["X-Key"] == SECRET


async def test_a_post_sends_json(server: Server, client: PlatformClient) -> None:
    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"got": await request.json()})

    server.handler = echo
    answer = await client.request_json("POST", server.url / "status", json_body=["a", "b"])
    assert answer.data == {"got": ["a", "b"]}


async def test_secrets_echoed_by_the_platform_are_blanked(
    server: Server, client: PlatformClient, caplog: pytest.LogCaptureFixture
) -> None:
    async def echo(request: web.Request) -> web.Response:
        said = f"key {request.headers['X-Key']} or {URL.build(query={'k': SECRET}).query_string}"
        return web.json_response({"message": said}, status=403)

    server.handler = echo
    caplog.set_level(logging.DEBUG, logger=LOG.name)
    with pytest.raises(UpstreamError) as info:
        await client.get_json(server.url / "x")
    assert info.value.status == 403
    assert "***" in str(info.value)
    assert SECRET not in str(info.value)
    assert SECRET not in caplog.text
    assert "the platform answered HTTP 403: key ***" in str(info.value)


async def test_rate_limiting_is_unavailable_with_its_retry_after(
    server: Server, client: PlatformClient
) -> None:
    async def limited(request: web.Request) -> web.Response:
        return web.json_response({"title": "Slow down"}, status=429, headers={"Retry-After": "12"})

    server.handler = limited
    with pytest.raises(UpstreamUnavailable, match="rate limiting") as info:
        await client.get_json(server.url / "x")
    assert info.value.retry_after_s == 12


@pytest.mark.parametrize(
    ("status", "body", "content_type", "error", "words"),
    [
        (302, b"", "text/plain", UpstreamError, "redirects are not followed"),
        (204, b"", "application/json", UpstreamProtocolError, "expected 200"),
        (200, b"<html/>", "text/html", UpstreamProtocolError, "content type 'text/html'"),
        (200, b"{oops", "application/json", UpstreamProtocolError, "not valid JSON"),
        (200, b" ", "application/json", UpstreamProtocolError, "empty answer"),
        (200, b"[" + b"1," * 600 + b"1]", "application/json", UpstreamProtocolError, "larger"),
    ],
)
async def test_answers_that_cannot_be_used(
    server: Server,
    client: PlatformClient,
    status: int,
    body: bytes,
    content_type: str,
    error: type[UpstreamError],
    words: str,
) -> None:
    async def answer(request: web.Request) -> web.Response:
        headers = {"Location": "http://elsewhere.example/"} if status == 302 else {}
        return web.Response(status=status, body=body, content_type=content_type, headers=headers)

    server.handler = answer
    with pytest.raises(error, match=words):
        await client.get_json(server.url / "x")


async def test_links_and_requests_to_another_origin_are_refused(
    server: Server, client: PlatformClient
) -> None:
    current = server.url / "things"
    assert client.follow("/things?page=2", current) == server.url.with_path("/things").with_query(
        page=2
    )
    other = server.url.with_port((server.url.port or 0) + 1)
    with pytest.raises(UpstreamProtocolError, match="another host"):
        client.follow(str(other / "things"), current)
    with pytest.raises(UpstreamProtocolError, match="another host"):
        await client.get_json(URL("http://example.org/things"))
    assert server.seen == []


async def test_a_closed_client_refuses_to_send(server: Server, client: PlatformClient) -> None:
    await client.aclose()
    await client.aclose()
    with pytest.raises(UpstreamUnavailable, match="closed"):
        await client.get_json(server.url)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"title": "Bad", "detail": "no such type"}, "Bad: no such type"),
        ({"message": "Unauthorized"}, "Unauthorized"),
        ({"error": {"message": "Not found"}}, "Not found"),
        ({"code": 400, "type": "error", "message": "$top: bad"}, "$top: bad"),
        ([1, 2], ""),
    ],
)
def test_what_an_error_body_says(body: object, text: str) -> None:
    assert error_text(orjson.dumps(body)) == text


def test_redaction_keeps_messages_printable_and_short() -> None:
    assert redact("a\x00b" + "c" * 400, ["b"]).startswith("a ***c")
    assert len(redact("x" * 1000)) == 300


async def test_a_platforms_cookie_is_not_sent_back(server: Server) -> None:
    """ADR 0028: one session serves every user; a cookie one answer set must not travel."""

    async def page(request: web.Request) -> web.Response:
        response = web.json_response({"cookie": request.headers.get("Cookie")})
        response.set_cookie("session", "a-users-session", path="/")
        return response

    server.handler = page
    # a host name: aiohttp's default jar would ignore the cookies of an IP address
    base = server.url.with_host("localhost")
    made = PlatformClient(AdapterContext(city_id="test", logger=LOG), base)
    try:
        for _ in range(2):
            answer = await made.get_json(base / "page")
            assert "session" in answer.headers.get("Set-Cookie", "")  # the platform set one
            assert answer.data == {"cookie": None}
    finally:
        await made.aclose()
