"""adapters.trace_hooks: several TraceConfigs folded into one, over real HTTP."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.contract import AdapterContext
from adapters.http import new_session
from adapters.trace_hooks import folded

LOG = logging.getLogger("test.trace_hooks")


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/"
    await runner.cleanup()


def recording(name: str, seen: list[tuple[str, str, int]]) -> aiohttp.TraceConfig:
    """A config noting each start and end, with the id of the context it was given."""

    async def start(session: Any, ctx: SimpleNamespace, params: Any) -> None:
        seen.append((name, "start", id(ctx)))

    async def end(session: Any, ctx: SimpleNamespace, params: Any) -> None:
        seen.append((name, "end", id(ctx)))

    config = aiohttp.TraceConfig()
    config.on_request_start.append(start)
    config.on_request_end.append(end)
    return config


class OwnContext(SimpleNamespace):
    """A context factory of its own: such a config is not folded."""


def test_configs_on_the_default_context_fold_into_one() -> None:
    custom = aiohttp.TraceConfig(trace_config_ctx_factory=OwnContext)
    configs = [recording("a", []), custom, recording("b", [])]
    out = folded(configs)
    assert len(out) == 2
    assert out[1] is custom
    assert len(out[0].on_request_start) == 2
    assert folded([configs[0]]) == [configs[0]]


async def test_a_session_calls_every_handler_once_in_order(url: str) -> None:
    seen: list[tuple[str, str, int]] = []
    context = AdapterContext(
        city_id="test",
        logger=LOG,
        trace_configs=(recording("a", seen), recording("b", seen)),
    )
    async with new_session(context) as session, session.get(url) as response:
        assert response.status == 200
    assert [(name, event) for name, event, _ in seen] == [
        ("a", "start"),
        ("b", "start"),
        ("a", "end"),
        ("b", "end"),
    ]
    assert len({ctx for _, _, ctx in seen}) == 1  # one trace per request: one context
